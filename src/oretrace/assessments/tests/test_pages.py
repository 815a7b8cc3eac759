"""Pages: the answering portal (saves as you go, language switch, uploads), review, results,
report, plan, standards — and another organisation's member gets 404 on every object page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from oretrace.assessments import services
from oretrace.assessments.models import Answer, Assessment, Evidence, ImprovementAction
from oretrace.assessments.services import plans
from oretrace.assessments.shipped import shipped_text
from oretrace.assessments.tests.conftest import questions
from oretrace.assessments.tests.test_services import ALL_GOOD, PDF, answer_all
from oretrace.assessments.urls import urlpatterns
from oretrace.core import services as core_services
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def full(assessment, supplier, member_a):
    """A submitted assessment with a gap, its plan, evidence, a comment and a support request."""
    answer_all(assessment, supplier, {**ALL_GOOD, "LAB.6.b": "no"})
    services.comment(
        assessment, questions(assessment.standard)["LAB.1.a"], text="ok", actor=member_a
    )
    services.submit(assessment, actor=supplier)
    action = plans.generate_plan(assessment, actor=supplier)[0]
    support = plans.request_support(action, kind="expert_call", message="help", actor=supplier)
    update = plans.add_progress(
        action, text="started", actor=supplier, upload=SimpleUploadedFile("step.pdf", PDF)
    )
    module = plans.add_training_module(
        organisation=member_a.organisation,
        title="Harassment rules",
        language="hi",
        format="document",
        standard_code=assessment.standard.code,
        criterion_codes=["LAB.6"],
        upload=SimpleUploadedFile("rules.pdf", PDF),
        actor=member_a,
    )
    return {
        "assessment": assessment,
        "action": action,
        "support": support,
        "evidence": Evidence.objects.first(),
        "update": update,
        "module": module,
    }


@pytest.fixture
def objects_of_a(full, member_a):
    own = services.import_standard(
        shipped_text("smelter-refiner-esg.yaml"), organisation=member_a.organisation, actor=member_a
    )
    assessment = full["assessment"]
    return {
        "assessment": assessment.pk,
        "question": questions(assessment.standard)["LAB.1.a"].pk,
        "evidence": full["evidence"].pk,
        "update": full["update"].pk,
        "module": full["module"].pk,
        "standard": own.pk,
        "action": full["action"].pk,
        "support": full["support"].pk,
    }


def _assessment_and_action_unchanged(objects):
    assert Assessment.objects.get(pk=objects["assessment"]).status == "submitted"
    assert ImprovementAction.objects.get(pk=objects["action"]).status == "open"


EDITOR = "the standard editor's pages: test_authoring.py (each with its query strings)"
PAGES = PageTenancy(
    urlpatterns,
    "assessments",
    cross_org={
        "detail": [Page(["assessment"]), Page(["assessment"], {"action": "accept"})],
        "answer": [Page(["assessment"])],
        "report": [Page(["assessment"])],
        "evidence": [Page(["evidence"])],
        "progress_file": [Page(["update"])],
        "training_file": [Page(["module"])],
        "standard": [Page(["standard"])],
        "save": [Page(["assessment", "question"], {"value": "no"})],
        "evidence_upload": [
            Page(["assessment", "question"], {"file": SimpleUploadedFile("x.pdf", PDF)})
        ],
        "comment": [Page(["assessment", "question"], {"text": "x"})],
        "action": [Page(["action"], {"do": "status", "status": "done"})],
        "support": [Page(["support"], {"status": "accepted"})],
    },
    elsewhere=dict.fromkeys(
        ["draft_from", "draft", "draft_section", "draft_criterion", "draft_question"], EDITOR
    ),
    after=_assessment_and_action_unchanged,
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


def test_the_assessed_supplier_reads_the_assessment_pages_but_not_the_assigners_standard(
    web_supplier, objects_of_a
):
    pages = [
        ("assessments:detail", "assessment"),
        ("assessments:answer", "assessment"),
        ("assessments:report", "assessment"),
        ("assessments:evidence", "evidence"),
        ("assessments:progress_file", "update"),
        ("assessments:training_file", "module"),  # A's library supports the suppliers A assesses
    ]
    for name, key in pages:
        url = reverse(name, args=[objects_of_a[key]])
        assert web_supplier.get(url).status_code == 200, url
    own = reverse("assessments:standard", args=[objects_of_a["standard"]])
    assert web_supplier.get(own).status_code == 404  # A's own standard is A's


def test_lists_show_only_the_two_parties(web_a, web_b, web_supplier, assessment):
    url = reverse("assessments:list")
    assert "Sigma Mica Works" in web_a.get(url).content.decode()
    assert "Workplace standard for mica processing units" in web_supplier.get(url).content.decode()
    page = web_b.get(url).content.decode()
    assert "Sigma Mica Works" not in page
    assert "No assessment is waiting" in page


def test_answer_page_in_hindi_saves_as_you_go(web_supplier, assessment):
    url = reverse("assessments:answer", args=[assessment.pk])
    page = web_supplier.get(url + "?lang=hi").content.decode()
    assert "क्या काम शुरू करने से पहले हर श्रमिक की आयु" in page  # LAB.1.a in Hindi
    assert 'name="viewport"' in page
    french = web_supplier.get(url + "?lang=fr").content.decode()
    assert "L&#x27;âge de chaque travailleur" in french
    q = questions(assessment.standard)["LAB.2.a"]
    response = web_supplier.post(
        reverse("assessments:save", args=[assessment.pk, q.pk]),
        {"value": "44", "lang": "hi"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="q-{q.pk}"' in body
    assert 'id="progress" class="progress" hx-swap-oob="true"' in body
    assert "1 of 25 required questions answered" in body
    assert Answer.objects.get(question=q).value == "44"


def test_a_bad_value_is_shown_next_to_the_question(web_supplier, assessment):
    q = questions(assessment.standard)["LAB.2.a"]
    response = web_supplier.post(
        reverse("assessments:save", args=[assessment.pk, q.pk]), {"value": "many"}, **HTMX
    )
    assert "LAB.2.a: &#x27;many&#x27; is not a number" in response.content.decode()
    assert not Answer.objects.filter(question=q).exists()


def test_answering_a_parent_reveals_its_conditional_question(web_supplier, assessment):
    qs = questions(assessment.standard)
    parent, child = qs["OHS.2.a"], qs["OHS.2.b"]
    url = reverse("assessments:save", args=[assessment.pk, parent.pk])
    shown = web_supplier.post(url, {"value": "yes"}, **HTMX).content.decode()
    assert f'<article id="q-{child.pk}" class="question" hx-swap-oob="true">' in shown
    hidden = web_supplier.post(url, {"value": "no"}, **HTMX).content.decode()
    assert f'id="q-{child.pk}" class="question hidden-question" hx-swap-oob="true" hidden' in hidden


def test_upload_from_the_portal_and_a_hostile_file_refused(web_supplier, assessment):
    q = questions(assessment.standard)["LAB.1.a"]
    url = reverse("assessments:evidence_upload", args=[assessment.pk, q.pk])
    ok = web_supplier.post(url, {"file": SimpleUploadedFile("register.pdf", PDF)}, **HTMX)
    assert "register.pdf" in ok.content.decode()
    bad = web_supplier.post(url, {"file": SimpleUploadedFile("x.pdf", b"<svg onload=1>")}, **HTMX)
    assert "x.pdf: the content is not a PDF file" in bad.content.decode()
    assert Evidence.objects.count() == 1
    download = web_supplier.get(reverse("assessments:evidence", args=[Evidence.objects.get().pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_upload_without_a_file_says_to_choose_one(web_a, web_supplier, assessment):
    q = questions(assessment.standard)["LAB.1.a"]
    url = reverse("assessments:evidence_upload", args=[assessment.pk, q.pk])
    assert "Choose a file to upload." in web_supplier.post(url, {}, **HTMX).content.decode()
    assert not Evidence.objects.exists()
    page = web_a.post(reverse("assessments:standards"), {}, follow=True).content.decode()
    assert "Choose a YAML file to import." in page


def test_without_htmx_a_save_redirects_back_to_the_question(web_supplier, assessment):
    q = questions(assessment.standard)["LAB.5.a"]
    response = web_supplier.post(
        reverse("assessments:save", args=[assessment.pk, q.pk]), {"value": "yes", "lang": "fr"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?lang=fr#q-{q.pk}")


def test_submit_review_send_back_and_report(web_a, web_supplier, assessment, supplier):
    answer_all(assessment, supplier, {**ALL_GOOD, "LAB.6.b": "no"})
    detail = reverse("assessments:detail", args=[assessment.pk])
    web_supplier.post(detail, {"action": "submit"})
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    page = web_a.get(detail).content.decode()
    assert "Send back for clarification" in page
    assert "LAB.6" in page
    web_a.post(detail, {"action": "send-back", "note": "Show the harassment rule"})
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    answer_page = web_supplier.get(reverse("assessments:answer", args=[assessment.pk]))
    assert "Show the harassment rule" in answer_page.content.decode()
    web_supplier.post(detail, {"action": "submit"})
    report = web_a.get(reverse("assessments:report", args=[assessment.pk]) + "?lang=hi")
    text = report.content.decode()
    assert "@media print" not in text  # the stylesheet carries the print rules
    assert "उत्पीड़न" in text  # the LAB.6 requirement in Hindi
    assert "LAB.6" in text


def test_plan_from_the_page_with_support_answered_by_the_assigner(
    web_a, web_supplier, assessment, supplier
):
    answer_all(assessment, supplier, {**ALL_GOOD, "LAB.6.b": "no"})
    services.submit(assessment, actor=supplier)
    detail = reverse("assessments:detail", args=[assessment.pk])
    web_supplier.post(detail, {"action": "plan"})
    action = assessment.actions.get()
    web_supplier.post(
        reverse("assessments:action", args=[action.pk]),
        {"do": "support", "kind": "training", "message": "Train supervisors"},
    )
    support = action.support_requests.get()
    assert "Train supervisors" in web_a.get(detail).content.decode()
    web_a.post(
        reverse("assessments:support", args=[support.pk]),
        {"status": "accepted", "response": "Next Tuesday"},
    )
    support.refresh_from_db()
    assert support.status == "accepted"
    web_supplier.post(
        reverse("assessments:action", args=[action.pk]),
        {"do": "progress", "text": "Rule written", "file": SimpleUploadedFile("rule.pdf", PDF)},
    )
    web_supplier.post(
        reverse("assessments:action", args=[action.pk]),
        {"do": "status", "status": "done", "owner_name": "Manager"},
    )
    action.refresh_from_db()
    assert action.status == "done"
    assert action.updates.get().original_name == "rule.pdf"


def test_assign_from_the_list_page(web_a, member_a, mica_standard, unit, supplier_org):
    from oretrace.core.models import Membership

    owner = next(
        m for m in Membership.objects.filter(organisation=supplier_org) if "admin" in m.roles
    )
    core_services.grant_access(unit, to=member_a.organisation, actor=owner)
    page = web_a.get(reverse("assessments:list")).content.decode()
    assert "Sigma Unit 1" in page
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = web_a.post(
        reverse("assessments:list"),
        {"standard": mica_standard.pk, "facility": unit.pk, "due_on": due},
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    assert assessment.supplier == supplier_org


def test_facility_page_shows_latest_score_and_open_gaps(
    web_a, web_b, full, unit, member_a, supplier_org
):
    from oretrace.core.models import Membership

    owner = next(
        m for m in Membership.objects.filter(organisation=supplier_org) if "admin" in m.roles
    )
    core_services.grant_access(unit, to=member_a.organisation, actor=owner)
    page = web_a.get(reverse("registry:facility", args=[unit.pk])).content.decode()
    assert f"{full['assessment'].score} %" in page
    assert "1 open gap" in page


def test_standards_pages_import_and_export(web_a, mica_standard):
    page = web_a.get(reverse("assessments:standards")).content.decode()
    assert "Workplace standard for mica processing units" in page
    yaml_text = web_a.get(reverse("assessments:standard", args=[mica_standard.pk]) + "?format=yaml")
    assert yaml_text["Content-Disposition"].endswith('mica-processing-workplace-2026.1.yaml"')
    bad = SimpleUploadedFile("bad.yaml", b"code: [x")
    response = web_a.post(reverse("assessments:standards"), {"file": bad}, follow=True)
    assert "line 1" in response.content.decode() or "line 2" in response.content.decode()
    hindi = web_a.get(reverse("assessments:standard", args=[mica_standard.pk]) + "?lang=hi")
    assert "बाल श्रम" in hindi.content.decode() or "बच्चे" in hindi.content.decode()


def test_training_library_page(request, web_a, web_b, web_supplier, mica_standard):
    url = reverse("assessments:training")
    response = web_a.post(
        url,
        {
            "title": "Age checks",
            "language": "hi",
            "format": "video",
            "standard_code": mica_standard.code,
            "criteria": "LAB.1, LAB.2",
            "url": "https://training.example.org/ages",
        },
        follow=True,
    )
    assert "Training module added." in response.content.decode()
    assert "LAB.1, LAB.2" in web_a.get(url).content.decode()
    assert "Age checks" not in web_b.get(url).content.decode()
    assert "Age checks" not in web_supplier.get(url).content.decode()
    request.getfixturevalue("assessment")  # once A assesses the supplier, it sees A's library
    assert "Age checks" in web_supplier.get(url).content.decode()
    refused = web_supplier.post(url, {"title": "x"})
    assert refused.status_code == 403  # a supplier contributor only reads the library
    bad = web_a.post(
        url,
        {
            "title": "x",
            "language": "en",
            "format": "video",
            "standard_code": mica_standard.code,
            "criteria": "LAB.1",
        },
        follow=True,
    )
    assert "needs a link to the material or a file" in bad.content.decode()


def test_dashboard_counts_assessments_to_answer_and_to_review(
    web_supplier, member_a, assessment, supplier
):
    from oretrace.assessments.dashboard import assessment_figures

    def figures(member):
        return {str(f.label): f.value for f in assessment_figures(member)}

    assert "Assessments to answer" in web_supplier.get(reverse("web:dashboard")).content.decode()
    assert figures(supplier)["Assessments to answer"] == 1
    assert figures(member_a)["Assessments to review"] == 0
    answer_all(assessment, supplier)
    services.submit(assessment, actor=supplier)
    assert figures(supplier)["Assessments to answer"] == 0
    assert figures(member_a)["Assessments to review"] == 1


def test_gap_report_as_pdf(web_a, web_b, full):
    url = reverse("assessments:report", args=[full["assessment"].pk]) + "?format=pdf&lang=fr"
    response = web_a.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000
    assert web_b.get(url).status_code == 404
