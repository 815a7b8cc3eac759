"""The standard editor: drafts copied from the latest version or started afresh, edited part by
part under the file format's rules, published as immutable versions that export to YAML and
re-import unchanged; and another organisation's member gets 404 on every editor page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oretrace.assessments import editform, queries, services, stdfile
from oretrace.assessments.exceptions import StandardFileError
from oretrace.assessments.models import Standard, StandardDraft
from oretrace.assessments.services import authoring
from oretrace.core.choices import Role
from oretrace.core.exceptions import InvalidTransition, PermissionDenied
from oretrace.core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LANGS = ["en", "fr", "hi"]


def texts(word: str) -> dict[str, str]:
    return {"en": f"{word}", "fr": f"{word} (fr)", "hi": f"{word} (hi)"}


def posted(prefix: str, name: str, word: str) -> dict[str, str]:
    return {f"{prefix}{name}-{lang}": text for lang, text in texts(word).items()}


def question_post(code: str, prefix: str = "", **extra: str) -> dict[str, str]:
    return {
        f"{prefix}code": code,
        f"{prefix}type": "yes_no",
        f"{prefix}expected": "yes",
        f"{prefix}required": "on",
        **posted(prefix, "text", f"Is {code} done?"),
        **extra,
    }


def criterion_post(code: str, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}code": code,
        f"{prefix}severity": "high",
        f"{prefix}ilo_conventions": "c155, C187",
        f"{prefix}oecd_annex_ii": "1, 2",
        f"{prefix}rra_issue_areas": "Occupational health and safety\nWorking hours",
        **posted(prefix, "requirement", f"{code} is met"),
    }


@pytest.fixture
def draft(mica_standard, member_a) -> StandardDraft:
    return authoring.start_draft(actor=member_a, version="2027-1", base=mica_standard)


def test_a_draft_copies_the_latest_version(draft, mica_standard):
    spec = authoring.spec_of(draft)
    original = queries.standard_spec(mica_standard)
    assert spec.version == "2027-1"
    assert spec.model_dump(exclude={"version"}) == original.model_dump(exclude={"version"})
    assert draft.base == mica_standard


def test_edits_are_checked_whole_and_published_versions_reimport_unchanged(
    draft, member_a, member_b
):
    criterion = editform.criterion_values(criterion_post("OHS.1"), LANGS)
    authoring.edit(draft, authoring.set_criterion("OHS.1", criterion), actor=member_a)
    choice = question_post(
        "OHS.1.z",
        type="choice",
        choices="none | not_met | None | Aucune | कोई नहीं\nsome | partly | Some | Quelques | कुछ\n"
        "all | met | All | Toutes | सभी",
        shown_when="OHS.1.a",
        answer_in="yes",
        evidence_required="on",
    )
    authoring.edit(
        draft,
        authoring.add_question("OHS.1", editform.question_values(choice, LANGS)),
        actor=member_a,
    )
    data = authoring.data_of(draft)
    assert authoring.find_criterion(data, "OHS.1")["ilo_conventions"] == ["C155", "C187"]
    holder, index = authoring.find_question(data, "OHS.1.z")
    assert holder["questions"][index]["choices"][1]["label"]["hi"] == "कुछ"
    assert holder["questions"][index]["shown_when"] == {"question": "OHS.1.a", "answer_in": ["yes"]}

    standard = authoring.publish(draft, actor=member_a)
    exported = queries.export_standard(standard)
    assert exported == draft.source  # what was edited is what is published
    assert stdfile.read(exported) == authoring.spec_of(draft)
    again = services.import_standard(exported, organisation=member_b.organisation, actor=member_b)
    assert queries.export_standard(again) == exported
    question = standard.questions.get(code="OHS.1.z")
    assert question.evidence_required
    assert question.shown_when is not None
    assert question.shown_when.code == "OHS.1.a"
    # published: closed to edits, not published twice
    with pytest.raises(InvalidTransition):
        authoring.edit(draft, authoring.remove("question", "OHS.1.z"), actor=member_a)
    with pytest.raises(InvalidTransition):
        authoring.publish(draft, actor=member_a)


def test_an_invalid_edit_names_the_field_and_changes_nothing(draft, member_a):
    before = draft.source
    post = question_post("OHS.1.a")
    del post["text-hi"]
    with pytest.raises(StandardFileError, match=r"questions\[0\]\.text: the 'hi' text"):
        authoring.edit(
            draft,
            authoring.set_question("OHS.1.a", editform.question_values(post, LANGS)),
            actor=member_a,
        )
    with pytest.raises(StandardFileError, match="OECD Annex II"):
        editform.criterion_values({**criterion_post("X"), "oecd_annex_ii": "two"}, LANGS)
    with pytest.raises(StandardFileError, match="choice line 1 needs"):
        editform.question_values(question_post("Q", type="choice", choices="a | met"), LANGS)
    condition = question_post("OHS.2.b", shown_when="OHS.2.a")  # but on which answers?
    with pytest.raises(StandardFileError, match=r"shown_when\.answer_in: needs at least one"):
        authoring.edit(
            draft,
            authoring.set_question("OHS.2.b", editform.question_values(condition, LANGS)),
            actor=member_a,
        )
    # a removed question that another depends on is refused
    dependants = [
        q.code
        for _c, q in authoring.spec_of(draft).questions()
        if q.shown_when and q.shown_when.question == "OHS.2.a"
    ]
    assert dependants
    with pytest.raises(StandardFileError, match="comes before"):
        authoring.edit(draft, authoring.remove("question", "OHS.2.a"), actor=member_a)
    draft.refresh_from_db()
    assert draft.source == before


def test_renaming_a_question_carries_its_dependants(draft, member_a):
    data = authoring.data_of(draft)
    holder, index = authoring.find_question(data, "OHS.2.a")
    post = question_post("OHS.2.machines", **posted("", "text", "Machines?"))
    authoring.edit(
        draft,
        authoring.set_question("OHS.2.a", editform.question_values(post, LANGS)),
        actor=member_a,
    )
    spec = authoring.spec_of(draft)
    conditions = {q.shown_when.question for _c, q in spec.questions() if q.shown_when}
    assert "OHS.2.machines" in conditions
    assert "OHS.2.a" not in conditions
    assert holder["questions"][index]["code"] == "OHS.2.a"  # the copy read before is untouched


def test_move_and_remove(draft, member_a):
    first = [s.code for s in authoring.spec_of(draft).sections]
    authoring.edit(draft, authoring.move("section", first[1], up=True), actor=member_a)
    assert [s.code for s in authoring.spec_of(draft).sections][:2] == [first[1], first[0]]
    authoring.edit(draft, authoring.remove("section", first[0]), actor=member_a)
    assert first[0] not in [s.code for s in authoring.spec_of(draft).sections]


def test_discard_an_open_draft_only(draft, member_a, web_a):
    with pytest.raises(StandardFileError, match="no criterion 'NOPE'"):
        authoring.edit(draft, authoring.remove("criterion", "NOPE"), actor=member_a)
    other = authoring.start_draft(actor=member_a, version="2027-2", base=draft.base)
    response = web_a.post(reverse("assessments:draft", args=[other.pk]), {"do": "discard"})
    assert response.url == reverse("assessments:standards")
    assert not StandardDraft.objects.filter(pk=other.pk).exists()
    authoring.publish(draft, actor=member_a)
    with pytest.raises(InvalidTransition):
        authoring.discard(draft, actor=member_a)
    page = web_a.get(reverse("assessments:standards")).content.decode()
    assert reverse("assessments:draft", args=[draft.pk]) not in page  # closed: not listed


def test_versions_are_not_reused_and_only_authors_write(draft, member_a, supplier, org_a):
    authoring.publish(draft, actor=member_a)
    with pytest.raises(StandardFileError, match="already published"):
        authoring.start_draft(actor=member_a, version="2027-1", base=draft.published)
    with pytest.raises(PermissionDenied):
        authoring.start_draft(actor=supplier, version="9", base=draft.published)
    viewer = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    other = authoring.start_draft(actor=member_a, version="2027-2", base=draft.published)
    with pytest.raises(PermissionDenied):
        authoring.edit(other, authoring.remove("section", "ENV"), actor=viewer)


def test_latest_version_is_the_base_of_a_new_draft(draft, member_a, mica_standard):
    published = authoring.publish(draft, actor=member_a)
    later = authoring.start_draft(actor=member_a, version="2028", base=published)
    assert authoring.latest_version(published, member_a) == published
    assert later.base == published


# --- pages --------------------------------------------------------------------------------------


def test_edit_a_new_version_in_forms_and_publish_it(web_a, mica_standard, member_a):
    response = web_a.post(
        reverse("assessments:draft_from", args=[mica_standard.pk]), {"version": "2027-ui"}
    )
    draft = StandardDraft.objects.get()
    assert response.url == reverse("assessments:draft", args=[draft.pk])
    page = web_a.get(response.url)
    assert page.status_code == 200
    assert "LAB.2.a" in page.content.decode()

    url = reverse("assessments:draft_criterion", args=[draft.pk])
    form = web_a.get(url, {"code": "LAB.2"})
    assert 'name="requirement-hi"' in form.content.decode()
    saved = web_a.post(f"{url}?code=LAB.2", criterion_post("LAB.2"))
    assert saved.status_code == 302
    # a missing Hindi text: the form comes back with the error and what was typed
    bad = question_post("LAB.2.a", **{"text-en": "Typed text"})
    del bad["text-hi"]
    url_q = reverse("assessments:draft_question", args=[draft.pk])
    refused = web_a.post(f"{url_q}?code=LAB.2.a", bad)
    assert refused.status_code == 200  # the form again, with the error
    assert "the &#x27;hi&#x27; text is missing" in refused.content.decode()
    assert "Typed text" in refused.content.decode()
    assert web_a.post(f"{url_q}?code=LAB.2.a", question_post("LAB.2.a")).status_code == 302
    assert web_a.post(f"{url_q}?criterion=LAB.2", question_post("LAB.2.new")).status_code == 302
    url_c = reverse("assessments:draft_criterion", args=[draft.pk])
    post = {**criterion_post("LAB.9", "c-"), **question_post("LAB.9.a", "q-")}
    assert web_a.post(f"{url_c}?section=LAB", post).status_code == 302
    url_s = reverse("assessments:draft_section", args=[draft.pk])
    post = {
        "s-code": "COM",
        **posted("s-", "title", "Community"),
        **criterion_post("COM.1", "c-"),
        **question_post("COM.1.a", "q-"),
    }
    assert web_a.post(url_s, post).status_code == 302
    renamed = {"code": "COMM", **posted("", "title", "Community")}
    assert web_a.post(f"{url_s}?code=COM", renamed).status_code == 302
    detail = reverse("assessments:draft", args=[draft.pk])
    web_a.post(detail, {"do": "up", "kind": "section", "code": "COMM"})
    web_a.post(detail, {"do": "remove", "kind": "question", "code": "LAB.2.new"})
    header = {"do": "header", "version": "2027-ui", **posted("", "title", "Mica workplaces")}
    assert web_a.post(detail, header).status_code == 302

    spec = authoring.spec_of(StandardDraft.objects.get())
    assert [s.code for s in spec.sections][-2:] == ["COMM", "GOV"]
    assert spec.title["fr"] == "Mica workplaces (fr)"
    lab2 = next(c for s in spec.sections for c in s.criteria if c.code == "LAB.2")
    assert lab2.requirement["hi"] == "LAB.2 is met (hi)"
    assert [q.code for q in lab2.questions] == ["LAB.2.a", "LAB.2.b"]

    published = web_a.post(detail, {"do": "publish"})
    standard = Standard.objects.get(organisation=member_a.organisation, version="2027-ui")
    assert published.url == reverse("assessments:standard", args=[standard.pk])
    exported = web_a.get(reverse("assessments:standard", args=[standard.pk]), {"format": "yaml"})
    assert exported.content.decode() == StandardDraft.objects.get().source
    # published: the forms are gone and edits are refused
    assert "Publish this version" not in web_a.get(detail).content.decode()
    web_a.post(detail, {"do": "remove", "kind": "section", "code": "COMM"})
    assert "COMM" in StandardDraft.objects.get().source


def test_write_a_new_standard(web_a, member_a):
    url = reverse("assessments:draft_new")
    assert web_a.get(url).status_code == 200
    post = {
        "code": "artisanal-site",
        "version": "1",
        **posted("", "title", "Artisanal site"),
        "s-code": "SAF",
        **posted("s-", "title", "Safety"),
        **criterion_post("SAF.1", "c-"),
        **question_post("SAF.1.a", "q-", **{"q-type": "number", "q-minimum": "2"}),
    }
    response = web_a.post(url, post)
    draft = StandardDraft.objects.get()
    assert response.url == reverse("assessments:draft", args=[draft.pk])
    spec = authoring.spec_of(draft)
    assert spec.languages == LANGS
    assert spec.sections[0].criteria[0].questions[0].minimum == 2
    assert spec.sections[0].criteria[0].questions[0].expected is None  # dropped for a number
    assert web_a.post(url, {**post, "code": "Not A Slug"}).status_code == 200
    assert StandardDraft.objects.count() == 1


def test_the_editor_is_for_authors(mica_standard, supplier, web_supplier):
    assert web_supplier.get(reverse("assessments:draft_new")).status_code == 404
    response = web_supplier.post(
        reverse("assessments:draft_from", args=[mica_standard.pk]), {"version": "x"}
    )
    assert response.status_code == 403
    assert "to write and import standards you need the role" in response.content.decode()
    assert not StandardDraft.objects.exists()


def test_other_organisation_gets_404_on_every_editor_page(web_a, web_b, member_a, draft):
    own = authoring.publish(
        authoring.start_draft(actor=member_a, version="own", base=draft.base), actor=member_a
    )
    pk = draft.pk
    gets = [
        reverse("assessments:draft", args=[pk]),
        reverse("assessments:draft", args=[pk]) + "?format=yaml",
        reverse("assessments:draft_section", args=[pk]) + "?code=ENV",
        reverse("assessments:draft_section", args=[pk]),
        reverse("assessments:draft_criterion", args=[pk]) + "?code=ENV.1",
        reverse("assessments:draft_criterion", args=[pk]) + "?section=ENV",
        reverse("assessments:draft_question", args=[pk]) + "?code=ENV.1.a",
        reverse("assessments:draft_question", args=[pk]) + "?criterion=ENV.1",
    ]
    for url in gets:
        assert web_a.get(url).status_code == 200, url
        assert web_b.get(url).status_code == 404, url
        assert web_b.post(url, question_post("ENV.1.a")).status_code == 404, url
    for do in ("publish", "discard", "header"):
        assert web_b.post(gets[0], {"do": do}).status_code == 404
    response = web_b.post(reverse("assessments:draft_from", args=[own.pk]), {"version": "b"})
    assert response.status_code == 404
    assert web_a.get(gets[2].replace("ENV", "NOPE")).status_code == 404  # not in the draft
    draft.refresh_from_db()
    assert draft.published is None
    assert StandardDraft.objects.count() == 2


def test_an_admin_of_another_organisation_cannot_publish_into_it(draft, member_b):
    with pytest.raises(PermissionDenied):
        authoring.publish(draft, actor=member_b)


def test_the_editor_needs_a_login():
    assert Client().get(reverse("assessments:draft_new")).status_code == 302  # log in first


def test_the_text_language_links_survive_the_interface_language_menu(web_a, mica_standard):
    """The page header lists the interface languages under the name ``languages``; the links
    that switch the language of a standard's texts must not pick those up."""
    page = web_a.get(reverse("assessments:standard", args=[mica_standard.pk])).content.decode()
    assert 'href="?lang=hi"' in page
    assert "name_local" not in page
