"""A case linked to the supply chain (issue 20 §5): a red flag at the linked facility,
supplier or lot, shared with the organisation concerned, naming only the case's category and
severity; tenancy of what may be linked; the flag closes with the link or the case."""

from __future__ import annotations

import json

import pytest

from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Grant
from oretrace.core.services import grant_access
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client
from oretrace.declarations.tests.factories import SupplierFactory
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import CaseLink
from oretrace.grievances.services import cases, links
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk import queries as risk_queries
from oretrace.risk.models import RedFlag
from oretrace.risk.redflags.services import recompute_flags

pytestmark = pytest.mark.django_db

TEXT = "The dust mask stock ran out in May."


@pytest.fixture
def triaged(filed, member_a):
    cases.triage(
        filed.case, actor=member_a, category="health_safety", severity="high", urgency="urgent"
    )
    return filed.case


@pytest.fixture
def b_unit(org_b, member_a):
    """B's facility, shared with A (A buys from it): what A's officer may link to."""
    unit = FacilityFactory.create(organisation=org_b, name="Beta Mica Unit 1")
    grant_access(
        unit,
        to=member_a.organisation,
        actor=MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN]),
    )
    return unit


def _grievance_flags(org):
    return list(RedFlag.objects.filter(organisation=org, rule="grievance-linked").order_by("pk"))


def test_a_link_raises_a_flag_at_the_facility_shared_with_its_organisation(
    triaged, member_a, member_b, b_unit, filed
):
    # when
    links.link_case(triaged, actor=member_a, target="facility", target_id=b_unit.pk)
    recompute_flags(member_a.organisation)
    # then: A's flag on B's facility, shared with B (one grant of that row)
    [flag] = _grievance_flags(member_a.organisation)
    assert flag.facility == b_unit
    assert flag.severity == "high"
    assert flag.params == {
        "evidence": "Grievance",
        "grievance_category": "health_safety",
        "grievance_severity": "high",
    }
    assert flag.evidence_kind == "grievance"
    assert flag.evidence_id is None
    assert flag.evidence_label == "Grievance"
    assert Grant.objects.filter(object_id=flag.pk, grantee=member_b.organisation).count() == 1
    seen = list(risk_queries.flags_for(member_b, risk_queries.FlagFilter(facility=b_unit.pk)))
    assert seen == [flag]
    # nothing of the case in what the flag holds: its key names the link's opaque token
    link = CaseLink.objects.get()
    assert flag.key == f"grievance-linked|grievance:None#{link.token}"
    stored = json.dumps([flag.params, flag.evidence_label], ensure_ascii=False)
    for trace in (triaged.reference, TEXT, filed.receipt, "case"):
        assert trace not in stored, trace


def test_the_flag_reads_the_category_and_severity_only(triaged, member_a, member_b, b_unit):
    from oretrace.risk.redflags.texts import flag_text

    links.link_case(triaged, actor=member_a, target="facility", target_id=b_unit.pk)
    recompute_flags(member_a.organisation)
    [flag] = _grievance_flags(member_a.organisation)
    text = flag_text(flag)
    assert text.detail == (
        "Grievance about Labour: occupational health and safety, of high severity."
    )


def test_a_medium_case_raises_a_medium_flag(filed, member_a, b_unit):
    cases.triage(
        filed.case, actor=member_a, category="wages_hours", severity="low", urgency="routine"
    )
    links.link_case(filed.case, actor=member_a, target="facility", target_id=b_unit.pk)
    recompute_flags(member_a.organisation)
    [flag] = _grievance_flags(member_a.organisation)
    assert flag.severity == "medium"


def test_removing_the_link_or_closing_the_case_closes_the_flag(triaged, member_a, b_unit):
    link = links.link_case(triaged, actor=member_a, target="facility", target_id=b_unit.pk)
    recompute_flags(member_a.organisation)
    links.unlink(link, actor=member_a)
    recompute_flags(member_a.organisation)
    [flag] = _grievance_flags(member_a.organisation)
    assert flag.closed_at is not None
    # linked again, then the case closes: the new flag closes too
    links.link_case(triaged, actor=member_a, target="facility", target_id=b_unit.pk)
    recompute_flags(member_a.organisation)
    assert RedFlag.objects.filter(rule="grievance-linked", closed_at=None).count() == 1
    cases.close(triaged, actor=member_a, outcome="Masks are stocked again.")
    recompute_flags(member_a.organisation)
    assert RedFlag.objects.filter(rule="grievance-linked", closed_at=None).count() == 0


def test_a_supplier_link_shares_the_flag_with_the_supplier_s_own_organisation(
    triaged, member_a, org_b
):
    supplier = SupplierFactory.create(organisation=member_a.organisation, linked_organisation=org_b)
    links.link_case(triaged, actor=member_a, target="supplier", target_id=supplier.pk)
    recompute_flags(member_a.organisation)
    [flag] = _grievance_flags(member_a.organisation)
    assert flag.supplier == supplier
    assert flag.facility is None
    assert Grant.objects.filter(object_id=flag.pk, grantee=org_b).exists()


def test_only_what_the_organisation_sees_may_be_linked(triaged, member_a, org_b):
    private = FacilityFactory.create(organisation=org_b)  # not shared with A
    with pytest.raises(GrievanceError, match="among those your organisation sees") as caught:
        links.link_case(triaged, actor=member_a, target="facility", target_id=private.pk)
    assert caught.value.field == "subject"
    with pytest.raises(GrievanceError, match="not one of"):
        links.link_case(triaged, actor=member_a, target="mine", target_id=private.pk)
    assert not CaseLink.objects.exists()


def test_a_case_is_triaged_before_it_is_linked_and_linked_once(filed, member_a, b_unit):
    with pytest.raises(GrievanceError, match="Triage the case first"):
        links.link_case(filed.case, actor=member_a, target="facility", target_id=b_unit.pk)
    cases.triage(filed.case, actor=member_a, category="other", severity="low", urgency="routine")
    links.link_case(filed.case, actor=member_a, target="facility", target_id=b_unit.pk)
    with pytest.raises(GrievanceError, match="already linked"):
        links.link_case(filed.case, actor=member_a, target="facility", target_id=b_unit.pk)


def test_only_a_grievance_officer_links(triaged, admin_only_a, b_unit):
    with pytest.raises(PermissionDenied):
        links.link_case(triaged, actor=admin_only_a, target="facility", target_id=b_unit.pk)


def test_the_case_page_links_and_unlinks(triaged, member_a, b_unit):

    client = web_client(member_a)
    url = f"/grievances/{triaged.pk}/"
    assert "Beta Mica Unit 1" in client.get(url).content.decode()  # a choice of the form
    response = client.post(url, {"do": "link", "link-subject": f"facility:{b_unit.pk}"})
    assert response.status_code == 302
    link = CaseLink.objects.get()
    page = client.get(url).content.decode()
    assert "Remove the link" in page
    client.post(url, {"do": "unlink", "unlink-link": str(link.pk)})
    link.refresh_from_db()
    assert link.removed_on is not None
    # a choice from nowhere: a clear message, nothing linked
    response = client.post(url, {"do": "link", "link-subject": "facility:999999"}, follow=True)
    assert CaseLink.objects.count() == 1


def test_a_link_schedules_the_recompute_of_the_officer_s_organisation(
    triaged, member_a, b_unit, django_capture_on_commit_callbacks, monkeypatch
):
    from oretrace.risk.redflags import services as flag_services

    started: list[tuple[int, set[str]]] = []
    monkeypatch.setattr(
        flag_services, "start_recompute", lambda org, reasons: started.append((org, reasons))
    )
    with django_capture_on_commit_callbacks(execute=True):
        links.link_case(triaged, actor=member_a, target="facility", target_id=b_unit.pk)
    assert started == [(member_a.organisation_id, {"grievance"})]


def test_another_organisation_s_officer_cannot_link_a_case(triaged, b_unit, org_b):
    officer_b = MembershipFactory.create(organisation=org_b, roles=[Role.GRIEVANCE_OFFICER])
    with pytest.raises(PermissionDenied):
        links.link_case(triaged, actor=officer_b, target="facility", target_id=b_unit.pk)


@pytest.fixture
def village(org_a):
    from oretrace.programmes.tests.factories import VillageFactory

    return VillageFactory.create(programme__organisation=org_a, name="Tisri")


def test_a_child_s_remediation_case_opens_from_a_grievance_without_its_content(
    triaged, village, org_a
):

    from oretrace.grievances.services.cases import read_content
    from oretrace.programmes.models import ChildCase

    # given: an officer who is a case worker too
    both = MembershipFactory.create(
        organisation=org_a, roles=[Role.GRIEVANCE_OFFICER, Role.CASE_WORKER]
    )
    client = web_client(both)
    url = f"/grievances/{triaged.pk}/"
    page = client.get(url).content.decode()
    assert "Open a child" in page, page[page.find("Linked to the supply") :][:3000]
    # when
    response = client.post(
        url,
        {
            "do": "remedy",
            "remedy-name": "Sunita K.",
            "remedy-location": "Tisri",
            "remedy-village": str(village.pk),
            "remedy-age_band": "12-14",
            "remedy-identified_on": "2026-11-20",
            "remedy-consent_by": "parent",
            "remedy-consent_on": "2026-11-20",
            "remedy-found_working": "on",
        },
    )
    # then
    assert response.status_code == 302
    child = ChildCase.objects.get()
    assert child.source == "grievance"
    assert child.village == village
    triaged.refresh_from_db()
    assert triaged.status == "remediation"
    notes = read_content(triaged, actor=both).notes
    assert child.reference in notes[-1].text
    # nothing of the report in the child's case (its row, sealed identity aside)
    row = str(ChildCase.objects.filter(pk=child.pk).values().get())
    assert TEXT not in row
    assert triaged.reference not in row


def test_an_officer_who_is_no_case_worker_gets_no_remediation_form(triaged, village, member_a):
    from oretrace.grievances import queries

    officer = MembershipFactory.create(
        organisation=member_a.organisation, roles=[Role.GRIEVANCE_OFFICER]
    )
    assert queries.remediation_villages(officer) == []
