"""A case linked to the supply chain opens a finding on a linked audit, or an unannounced audit
of a linked facility (issue 20 §5), through the audits services; the tie stays on the
grievance side, and nothing of the report goes into the audits app."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from oretrace.audits.choices import AuditStatus, AuditType
from oretrace.audits.models import Audit, Finding, ProgrammeVersion
from oretrace.audits.services import actions as audit_actions
from oretrace.audits.services import audits
from oretrace.audits.tests.conftest import MICA, criterion, shipped_rows  # noqa: F401
from oretrace.core.choices import OrganisationKind, Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry, Notification
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.declarations.tests.factories import SupplierFactory
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import CaseAuditAction, CaseEvent
from oretrace.grievances.services import actions, cases, links
from oretrace.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

TEXT = "The dust mask stock ran out in May."
OWN_WORDS = "No dust masks issued in the splitting hall; the store register shows none left."


@pytest.fixture
def mica(shipped_rows):  # noqa: F811
    return ProgrammeVersion.objects.get(organisation__isnull=True, code=MICA)


@pytest.fixture
def officer(org_a):
    """A's grievance officer, who is one of A's auditors too (A is an audit body)."""
    return MembershipFactory.create(
        organisation=org_a, roles=[Role.GRIEVANCE_OFFICER, Role.AUDITOR]
    )


@pytest.fixture
def b_unit(org_b, org_a):
    """B's unit, shared with A (A buys from it and audits it)."""
    from oretrace.core.services import grant_access

    unit = FacilityFactory.create(organisation=org_b, name="Beta Mica Unit 1")
    admin_b = MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN])
    grant_access(unit, to=org_a, actor=admin_b)
    return unit


@pytest.fixture
def auditee_b(org_b):
    return MembershipFactory.create(organisation=org_b, roles=[Role.SUPPLIER_CONTRIBUTOR])


@pytest.fixture
def triaged(filed, officer):
    cases.triage(
        filed.case, actor=officer, category="health_safety", severity="high", urgency="urgent"
    )
    return filed.case


def _plan(body_member, facility, mica, **changes):
    fields = {
        "actor": body_member,
        "organisation": body_member.organisation,
        "programme": mica,
        "audit_type": AuditType.INITIAL,
        "auditee": facility.organisation,
        "facility": facility,
        "scope": "Processing unit, all shifts",
        "planned_start": date(2026, 3, 2),
        "planned_end": date(2026, 3, 3),
        **changes,
    }
    return audits.plan_audit(**fields)


@pytest.fixture
def fieldwork(officer, b_unit, mica):
    """A's audit of B's unit, in its fieldwork."""
    audit = _plan(officer, b_unit, mica)
    return audits.start_fieldwork(audit, actor=officer)


@pytest.fixture
def audit_link(triaged, officer, fieldwork):
    return links.link_case(triaged, actor=officer, target="audit", target_id=fieldwork.pk)


def _open(case, actor, link, code="OHS.3", **changes):
    fields = {
        "link_id": link.pk,
        "criterion_id": criterion(link.audit, code).pk,
        "grade": "major",
        "description": OWN_WORDS,
        **changes,
    }
    return actions.open_finding(case, actor=actor, **fields)


# --- a finding ------------------------------------------------------------------------------------
def test_a_finding_opens_on_the_linked_audit_in_the_officer_s_words_only(
    triaged, officer, audit_link, filed
):
    # when
    finding = _open(triaged, officer, audit_link)
    # then: the audits app's finding, by the officer, with their text
    assert finding.audit == audit_link.audit
    assert (finding.criterion.code, finding.grade) == ("OHS.3", "major")
    assert finding.description == OWN_WORDS
    assert finding.recorded_by == officer.user
    # the tie is kept on the grievance side, with a step of the case (no content)
    opened = CaseAuditAction.objects.get()
    assert (opened.case, opened.kind, opened.audit, opened.finding) == (
        triaged,
        "finding",
        finding.audit,
        finding,
    )
    assert CaseEvent.objects.filter(case=triaged, kind="audit-finding").count() == 1
    assert ChangeLogEntry.objects.filter(
        content_type__model="caseauditaction", object_id=str(opened.pk)
    ).exists()
    # nothing of the case in the audits app: the finding's row and its change log
    stored = json.dumps(
        [
            list(Finding.objects.filter(pk=finding.pk).values()),
            list(
                ChangeLogEntry.objects.filter(
                    content_type__model="finding", object_id=str(finding.pk)
                ).values("before", "after")
            ),
        ],
        default=str,
    )
    for trace in (TEXT, "dust mask stock", triaged.reference, filed.receipt, "grievance"):
        assert trace not in stored, trace
    assert triaged.received_on.isoformat() not in json.dumps(
        list(Finding.objects.filter(pk=finding.pk).values("description", "grade"))
    )


def _answered(triaged, officer, audit_link, auditee_b):
    """A finding opened from the case, the report issued, and the audited organisation's
    corrective action on it."""
    finding = _open(triaged, officer, audit_link)
    audits.issue_report(audit_link.audit, actor=officer, report_on=date(2026, 3, 3))
    return audit_actions.add_action(
        Finding.objects.get(pk=finding.pk),
        actor=auditee_b,
        what="Buy masks for the whole year",
        owner_name="Store keeper",
        due_on=date(2026, 4, 1),
    )


def test_the_audited_organisation_answers_it_with_a_corrective_action_the_officer_follows(
    triaged, officer, audit_link, auditee_b
):
    action = _answered(triaged, officer, audit_link, auditee_b)
    audit = audit_link.audit
    from oretrace.grievances import queries

    [item] = queries.opened_from(triaged, officer)
    assert item.audit.status == AuditStatus.CAP
    assert list(item.finding.actions.all()) == [action]
    client = Client()
    client.force_login(officer.user)
    page = client.get(f"/grievances/{triaged.pk}/").content.decode()
    assert f"A-{audit.pk}" in page
    assert "Open · due 2026-04-01" in page


def test_a_finding_needs_a_triaged_case(filed, officer, fieldwork):
    cases.triage(filed.case, actor=officer, category="other", severity="low", urgency="routine")
    link = links.link_case(filed.case, actor=officer, target="audit", target_id=fieldwork.pk)
    # the triage is undone by hand (a case triaged before it was linked): refused
    type(filed.case).objects.filter(pk=filed.case.pk).update(category="", severity="")
    with pytest.raises(GrievanceError, match="Triage the case first"):
        _open(filed.case, officer, link)
    assert not Finding.objects.exists()


def test_a_closed_audit_takes_no_finding(triaged, officer, audit_link):
    Audit.objects.filter(pk=audit_link.audit_id).update(status=AuditStatus.CLOSED)
    with pytest.raises(GrievanceError, match="is closed: its findings are final"):
        _open(triaged, officer, audit_link)
    assert not Finding.objects.exists()
    assert not CaseAuditAction.objects.exists()


def test_a_finding_waits_for_the_fieldwork(triaged, officer, b_unit, mica):
    planned = _plan(officer, b_unit, mica)
    link = links.link_case(triaged, actor=officer, target="audit", target_id=planned.pk)
    with pytest.raises(GrievanceError, match="during the fieldwork") as caught:
        _open(triaged, officer, link)
    assert caught.value.field == "link"


def test_an_officer_who_is_no_auditor_adds_no_finding(triaged, officer, audit_link, org_a):
    plain = MembershipFactory.create(organisation=org_a, roles=[Role.GRIEVANCE_OFFICER])
    with pytest.raises(GrievanceError, match=r"Only an auditor of .* adds findings"):
        _open(triaged, plain, audit_link)
    assert not Finding.objects.exists()


def test_an_audit_of_another_body_takes_no_finding_from_the_case(
    triaged, officer, b_unit, mica, org_a
):
    # given: a body C audits B's unit under A's programme ownership: A sees the audit
    body = OrganisationFactory.create(legal_name="Gamma Audit", kind=OrganisationKind.AUDIT_BODY)
    theirs = MembershipFactory.create(organisation=body, roles=[Role.AUDITOR])
    audit = _plan(theirs, b_unit, mica, programme_owner=org_a)
    audits.start_fieldwork(audit, actor=theirs)
    link = links.link_case(triaged, actor=officer, target="audit", target_id=audit.pk)
    # when / then: A's officer-auditor is no auditor of C
    with pytest.raises(GrievanceError, match="Only an auditor of Gamma Audit"):
        _open(triaged, officer, link)


def test_another_organisation_s_member_cannot_open_from_the_case(triaged, audit_link, org_b):
    everything = MembershipFactory.create(organisation=org_b, roles=list(Role.values))
    with pytest.raises(PermissionDenied):
        _open(triaged, everything, audit_link)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"grade": "observation"}, "grade", "choose a non-conformity"),
        ({"grade": "good-practice"}, "grade", "choose a non-conformity"),
        ({"criterion_id": 999999}, "criterion", "one of the audit's criteria"),
        ({"criterion_id": "x"}, "criterion", "one of the audit's criteria"),
        ({"description": "   "}, "description", "write something first"),
        ({"description": "x" * 5001}, "description", "at most 5000 characters"),
        ({"link_id": 999999}, "link", "standing links"),
    ],
)
def test_bad_input_is_refused_naming_the_field(triaged, officer, audit_link, changes, field, says):
    with pytest.raises(GrievanceError, match=says) as caught:
        _open(triaged, officer, audit_link, **changes)
    assert caught.value.field == field
    assert not Finding.objects.exists()


def test_a_text_naming_the_case_is_refused(triaged, officer, audit_link):
    with pytest.raises(GrievanceError, match="do not name the case"):
        _open(triaged, officer, audit_link, description=f"As {triaged.reference} says, no masks.")


def test_the_auditors_finding_on_a_criterion_stays(triaged, officer, audit_link):
    from oretrace.audits.services import findings

    audit = audit_link.audit
    findings.record_finding(
        audit, criterion(audit, "OHS.3"), grade="minor", description="Masks low", actor=officer
    )
    with pytest.raises(GrievanceError, match=r"already has a finding on OHS\.3"):
        _open(triaged, officer, audit_link)
    assert Finding.objects.get().description == "Masks low"


def test_a_removed_link_opens_nothing(triaged, officer, audit_link):
    links.unlink(audit_link, actor=officer)
    with pytest.raises(GrievanceError, match="standing links"):
        _open(triaged, officer, audit_link)


def test_a_withdrawn_finding_shows_on_the_case_page(triaged, officer, audit_link):
    from oretrace.audits.services import findings

    finding = _open(triaged, officer, audit_link)
    findings.clear_finding(finding, actor=officer)
    assert CaseAuditAction.objects.get().finding is None
    client = Client()
    client.force_login(officer.user)
    assert "withdrawn by the auditors" in client.get(f"/grievances/{triaged.pk}/").content.decode()


# --- an unannounced audit -----------------------------------------------------------------------
@pytest.fixture
def facility_link(triaged, officer, b_unit):
    return links.link_case(triaged, actor=officer, target="facility", target_id=b_unit.pk)


def _request(case, actor, link, mica, **changes):
    fields = {
        "link_id": link.pk,
        "programme": mica,
        "scope": "Splitting hall and store: protective equipment, all shifts.",
        "planned_start": date(2026, 12, 14),
        "planned_end": date(2026, 12, 15),
        **changes,
    }
    return actions.request_audit(case, actor=actor, **fields)


def test_an_unannounced_audit_is_planned_by_the_officer_s_organisation(
    triaged, officer, facility_link, mica, auditee_b, b_unit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audit = _request(triaged, officer, facility_link, mica)
    assert audit.audit_type == AuditType.UNANNOUNCED
    assert (audit.organisation, audit.auditee, audit.facility) == (
        officer.organisation,
        b_unit.organisation,
        b_unit,
    )
    assert audit.lead_auditor == officer
    opened = CaseAuditAction.objects.get()
    assert (opened.kind, opened.audit, opened.finding) == ("audit", audit, None)
    assert CaseEvent.objects.filter(case=triaged, kind="audit-requested").count() == 1
    # the audited organisation hears nothing until the auditors are on site...
    assert not Notification.objects.filter(recipient=auditee_b.user).exists()
    from oretrace.audits.services import audits as audit_services

    with django_capture_on_commit_callbacks(execute=True):
        audit_services.start_fieldwork(audit, actor=officer)
    # ...then as of any unannounced audit, and nothing more
    [notice] = Notification.objects.filter(recipient=auditee_b.user)
    told = json.dumps([notice.message, notice.values, notice.link])
    assert f"A-{audit.pk}" in told
    assert "started the unannounced audit" in notice.message
    for trace in (triaged.reference, "grievance", TEXT):
        assert trace not in told
        assert trace not in audit.scope


def test_an_audit_of_a_linked_supplier_s_facility(triaged, officer, mica, org_a, org_b):
    from oretrace.core.services import grant_access

    supplier = SupplierFactory.create(organisation=org_a, linked_organisation=org_b)
    unit = FacilityFactory.create(organisation=org_b, name="Beta Unit 2")
    admin_b = MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN])
    grant_access(unit, to=org_a, actor=admin_b)
    link = links.link_case(triaged, actor=officer, target="supplier", target_id=supplier.pk)
    private = FacilityFactory.create(organisation=org_b, name="Beta private")
    with pytest.raises(GrievanceError, match="choose one of") as caught:
        _request(triaged, officer, link, mica, facility_id=private.pk)
    assert caught.value.field == "facility"
    audit = _request(triaged, officer, link, mica, facility_id=unit.pk)
    assert audit.facility == unit


def test_a_supplier_without_an_organisation_is_refused(triaged, officer, mica, org_a):
    supplier = SupplierFactory.create(organisation=org_a, linked_organisation=None)
    link = links.link_case(triaged, actor=officer, target="supplier", target_id=supplier.pk)
    with pytest.raises(GrievanceError, match="has no organisation on oretrace"):
        _request(triaged, officer, link, mica)


def test_a_facility_with_an_open_audit_takes_a_finding_there_instead(
    triaged, officer, facility_link, mica, fieldwork
):
    with pytest.raises(GrievanceError, match=f"A-{fieldwork.pk} of .* is open"):
        _request(triaged, officer, facility_link, mica)
    assert Audit.objects.count() == 1


def test_another_body_s_open_audit_does_not_stop_the_officer_s_own(
    triaged, officer, facility_link, mica, b_unit, org_a
):
    # given: a body C audits B's unit under A's programme: A sees it, cannot add to it
    body = OrganisationFactory.create(legal_name="Gamma Audit", kind=OrganisationKind.AUDIT_BODY)
    theirs = MembershipFactory.create(organisation=body, roles=[Role.AUDITOR])
    _plan(theirs, b_unit, mica, programme_owner=org_a)
    # when
    audit = _request(triaged, officer, facility_link, mica)
    # then
    assert audit.organisation == officer.organisation
    assert Audit.objects.filter(facility=b_unit).count() == 2


def test_an_organisation_that_runs_no_audits_is_told_who_can(filed, officer_a, b_unit, mica, org_a):
    cases.triage(filed.case, actor=officer_a, category="other", severity="low", urgency="routine")
    link = links.link_case(filed.case, actor=officer_a, target="facility", target_id=b_unit.pk)
    with pytest.raises(GrievanceError, match="runs no audits: an audit body plans them"):
        _request(filed.case, officer_a, link, mica)
    # once it has an auditor, the officer is sent to them
    MembershipFactory.create(organisation=org_a, roles=[Role.AUDITOR])
    with pytest.raises(GrievanceError, match=r"Only an auditor of .* plans audits"):
        _request(filed.case, officer_a, link, mica)
    assert not Audit.objects.exists()


def test_the_audits_own_checks_come_back_naming_the_field(triaged, officer, facility_link, mica):
    with pytest.raises(GrievanceError, match="cannot end before it starts") as caught:
        _request(triaged, officer, facility_link, mica, planned_end=date(2026, 12, 1))
    assert caught.value.field == "planned_end"
    with pytest.raises(GrievanceError, match="write something first") as caught:
        _request(triaged, officer, facility_link, mica, scope="")
    assert caught.value.field == "scope"
    assert not Audit.objects.exists()


def test_the_lead_auditor_is_one_of_the_organisation_s_auditors(
    triaged, officer, facility_link, mica, org_a, org_b
):
    outsider = MembershipFactory.create(organisation=org_b, roles=[Role.AUDITOR])
    with pytest.raises(GrievanceError, match="an auditor must be an active member") as caught:
        _request(triaged, officer, facility_link, mica, lead_auditor=outsider)
    assert caught.value.field == "lead_auditor"
    colleague = MembershipFactory.create(organisation=org_a, roles=[Role.AUDITOR])
    leads = actions.auditors_of(officer)
    assert {officer, colleague} <= set(leads)  # and A's administrator, who holds every role
    assert outsider not in leads
    assert all(m.organisation_id == org_a.pk and m.has_role(Role.AUDITOR) for m in leads)
    audit = _request(triaged, officer, facility_link, mica, lead_auditor=colleague)
    assert audit.lead_auditor == colleague


def test_an_untriaged_or_closed_case_plans_no_audit(triaged, officer, facility_link, mica):
    cases.close(triaged, actor=officer, outcome="Settled.")
    with pytest.raises(GrievanceError, match="is closed"):
        _request(triaged, officer, facility_link, mica)


# --- the case page ------------------------------------------------------------------------------
def _client(member):
    client = Client()
    client.force_login(member.user)
    return client


def test_the_case_page_opens_a_finding_and_an_audit(
    triaged, officer, audit_link, org_b, org_a, mica
):
    from oretrace.core.services import grant_access

    other = FacilityFactory.create(organisation=org_b, name="Beta Unit 3")
    grant_access(
        other, to=org_a, actor=MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN])
    )
    facility_link = links.link_case(triaged, actor=officer, target="facility", target_id=other.pk)
    # another auditor of A leads it (the audited organisation sees who leads)
    other_auditor = MembershipFactory.create(organisation=org_a, roles=[Role.AUDITOR])
    client = _client(officer)
    url = f"/grievances/{triaged.pk}/"
    page = client.get(url).content.decode()
    assert "Add a finding to a linked audit" in page
    assert "Plan an unannounced audit" in page
    assert "do not repeat the report" in page  # the hint on both texts
    place = f"{audit_link.pk}:{criterion(audit_link.audit, 'OHS.3').pk}"
    # refused by the service: the page answers with the reason, nothing written
    naming = {
        "do": "finding",
        "finding-place": place,
        "finding-grade": "major",
        "finding-description": f"See {triaged.reference}.",
    }
    response = client.post(url, naming, follow=True)
    assert response.status_code == 200
    assert "do not name the case" in response.content.decode()
    assert not Finding.objects.exists()
    # an invalid form: its errors, nothing written
    response = client.post(url, {"do": "finding", "finding-place": place})
    assert response.status_code == 200
    assert not Finding.objects.exists()
    # when
    response = client.post(url, {**naming, "finding-description": OWN_WORDS})
    assert response.status_code == 302
    assert Finding.objects.get().description == OWN_WORDS
    response = client.post(
        url,
        {
            "do": "audit",
            "audit-subject": f"{facility_link.pk}:{other.pk}",
            "audit-programme": str(mica.pk),
            "audit-scope": "Protective equipment in every hall.",
            "audit-planned_start": "2026-12-14",
            "audit-planned_end": "2026-12-15",
            "audit-lead_auditor": str(other_auditor.pk),
        },
    )
    assert response.status_code == 302
    planned = Audit.objects.get(facility=other)
    assert planned.audit_type == AuditType.UNANNOUNCED
    assert planned.lead_auditor == other_auditor
    # then: both listed on the case page, with where they stand
    page = client.get(url).content.decode()
    assert f'href="/audits/{planned.pk}/"' in page
    assert "Unannounced audit" in page
    assert "No corrective action yet" in page


def test_an_officer_of_an_organisation_without_auditors_is_told_who_can(filed, officer_a, b_unit):
    cases.triage(filed.case, actor=officer_a, category="other", severity="low", urgency="routine")
    links.link_case(filed.case, actor=officer_a, target="facility", target_id=b_unit.pk)
    page = _client(officer_a).get(f"/grievances/{filed.case.pk}/").content.decode()
    assert "Plan an unannounced audit" not in page
    assert "runs no audits: an audit body plans them" in page


@pytest.mark.parametrize("role", Role.values)
def test_every_role_alone_opens_nothing_from_the_case(triaged, audit_link, org_a, role):
    member = MembershipFactory.create(organisation=org_a, roles=[role])
    place = f"{audit_link.pk}:{criterion(audit_link.audit, 'OHS.3').pk}"
    body = {
        "do": "finding",
        "finding-place": place,
        "finding-grade": "major",
        "finding-description": OWN_WORDS,
    }
    response = _client(member).post(f"/grievances/{triaged.pk}/", body)
    # the case page exists for grievance officers only; one who is no auditor gets no form
    assert response.status_code == (200 if role == Role.GRIEVANCE_OFFICER else 404)
    assert not Finding.objects.exists()
    assert not CaseAuditAction.objects.exists()


def test_another_organisation_s_member_finds_no_case_to_open_from(triaged, audit_link, org_b):
    everything = MembershipFactory.create(organisation=org_b, roles=list(Role.values))
    place = f"{audit_link.pk}:{criterion(audit_link.audit, 'OHS.3').pk}"
    body = {"do": "finding", "finding-place": place, "finding-grade": "major"}
    client = _client(everything)
    assert client.get(f"/grievances/{triaged.pk}/").status_code == 404
    assert client.post(f"/grievances/{triaged.pk}/", body).status_code == 404
    assert not Finding.objects.exists()


def test_the_audited_organisation_s_pages_lead_nowhere_near_the_case(
    triaged, officer, audit_link, auditee_b, filed
):
    action = _answered(triaged, officer, audit_link, auditee_b)
    audit = audit_link.audit
    client = _client(auditee_b)
    seen = []
    for url in (
        f"/audits/{audit.pk}/",
        f"/audits/{audit.pk}/answer/",
        f"/audits/{audit.pk}/report/",
        f"/audits/findings/?audit={audit.pk}",
        "/audits/findings/?export=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        seen.append(body)
        back = f"/grievances/{triaged.pk}"
        for trace in (back, triaged.reference, filed.receipt, "worker voice", TEXT):
            assert trace not in body, (url, trace)
    # the finding is there, as any finding of the audit: the sweep read what it should
    assert OWN_WORDS in seen[0]
    assert action.what in client.get(f"/audits/{audit.pk}/answer/").content.decode()
