"""Roles hold: every role by every write route of the API and the web, from one allowlist.

``API_WRITES`` and ``WEB_WRITES`` name, for every route that changes something, the permission
it needs (from the apps' ``permissions.py``: the role model in one place) and the organisation
whose members try it. The routes themselves come from the ninja API's OpenAPI document and
Django's URL resolver, so a new write route that is not listed here fails
``test_every_write_route_is_listed``; a web page that only reads goes to ``WEB_READS`` (and a
member's POST to it must then write nothing).

For each route and each role, a member holding only that role sends the request: a member the
permission allows is not refused, and a write it makes appends the change log (unless the
route says why not, ``Write.unlogged``); any other gets 403 (404 where the route hides what it
protects) and the database is unchanged. No request answers 500.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oretrace.assessments.permissions import (
    can_assign_assessments,
    can_author_standards,
    can_respond_to_assessments,
)
from oretrace.audits.permissions import (
    can_answer_audits,
    can_conduct_audits,
    can_support_audits,
)
from oretrace.core import services as core_services
from oretrace.core.actors import SYSTEM
from oretrace.core.models import ChangeLogEntry, Membership
from oretrace.core.permissions import (
    Permission,
    can_cancel_any_job,
    can_manage_organisation,
    can_operate,
    can_reload_reference,
)
from oretrace.core.services import onboarding
from oretrace.declarations.permissions import (
    can_decide_declarations,
    can_edit_suppliers,
    can_import_declarations,
    can_run_campaigns,
)
from oretrace.grievances.permissions import (
    can_handle_grievances,
    can_manage_channels,
    can_run_surveys,
)
from oretrace.ledger.permissions import can_audit_ledger, can_sign_checkpoint
from oretrace.programmes.permissions import (
    can_ask_to_join_training,
    can_handle_child_cases,
    can_issue_reports,
    can_offer_support,
    can_record_licences,
    can_run_programmes,
    can_run_trainings,
)
from oretrace.registry.permissions import (
    can_edit_facilities,
    can_load_reference_lists,
    can_review_matches,
)
from oretrace.risk.permissions import (
    can_import_editions,
    can_manage_risks,
    can_recompute_scores,
)
from oretrace.traceability.permissions import can_capture_events
from route_world import (
    ROLES,
    WRITE_METHODS,
    World,
    api_operations,
    fill,
    fill_api,
    fingerprint,
    isolated,
    web_patterns,
)

pytestmark = pytest.mark.django_db

Body = Callable[[World, Membership], Any]


@dataclass(frozen=True)
class Write:
    """A write route: who may (None: every member, on their own things), as which org, what."""

    permission: Permission | None
    org: str = "brightline"  # the demo organisation that owns the objects the route acts on
    body: Body | dict | None = None
    ids: Callable[[World, Membership], dict[str, str]] | None = None  # per-member ids
    refused: int = 403
    query: Callable[[World], str] | None = None  # a query string some pages need
    unlogged: str = ""  # why a write of this route appends no change-log entry (if it may not)


def _own_invitation(world: World, member: Membership) -> dict[str, str]:
    """A pending invitation of the member's organisation, made by the system."""
    invitation, _secret = onboarding.invite(
        member.organisation, email="pending@matrix.example", roles=["viewer"], actor=SYSTEM
    )
    return {"invitation_id": str(invitation.pk)}


def _own_token(world: World, member: Membership) -> dict[str, str]:
    token, _secret = core_services.issue_token(member, name="to revoke", actor=member)
    return {"token_id": str(token.pk)}


GIRIDIH_UNIT = "Giridih Mica Processing — Unit 1"


def _survey_form(world: World, member: Membership) -> dict[str, Any]:
    """A new pulse survey of the initiative about the Giridih unit it sees."""
    from oretrace.registry.models import Facility

    return {
        "title": "Matrix pulse",
        "channel": world.ids["channel_id"],
        "facility": Facility.objects.get(name=GIRIDIH_UNIT).pk,
        "keyword": "MATRIX",
        "language": "en",
        "questions": "Paid on time?\n- Yes\n- No",
    }


def _mica_survey(world: World, member: Membership) -> dict[str, str]:
    """An open survey of the initiative on its demo channel."""
    from oretrace.grievances.models import Channel
    from oretrace.grievances.tests.factories import SurveyFactory

    channel = Channel.objects.get(slug=world.ids["channel"])
    return {"survey_id": str(SurveyFactory.create(channel=channel).pk)}


def _own_notification(world: World, member: Membership) -> dict[str, str]:
    from oretrace.core.models import Notification

    row = Notification.objects.create(
        organisation=member.organisation, recipient=member.user, kind="onboarding", message="Hi."
    )
    return {"notification_id": str(row.pk)}


# A read mark is the reader's own note on a message to them, not a change of record.
READ_MARK = "a read mark on the member's own notification"


def _own_membership(world: World, member: Membership) -> dict[str, str]:
    return {"membership": str(member.pk)}


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _a_file(name: str, data: bytes) -> Body:
    """A body of one upload, in the field ``file``."""
    return lambda w, m: {"file": _file(name, data)}


def _standard_yaml(world: World, member: Membership) -> str:
    from oretrace.assessments.models import Standard

    standard = Standard.objects.order_by("pk").first()
    text = standard.source if hasattr(standard, "source") else ""
    return text or "code: MATRIX\n"


def _epcis(world: World, member: Membership) -> dict:
    from oretrace.traceability.tests.documents import collection, document

    return document(collection(kg=7.5))


def _training_module(criteria: str) -> Body:
    """A new training module's body, its criteria under the field ``criteria``."""
    return lambda w, m: {
        "title": "Matrix module",
        "language": "en",
        "format": "video",
        "url": "https://matrix.example/m",
        "standard_code": w.ids["standard_code"],
        criteria: [w.ids["criterion_code"]],
    }


def _draft_part(code: str) -> Write:
    """The page of one part of a draft (the part's code in ``world.ids[code]``): a draft is its
    authors' working copy, so to anyone else it does not exist."""
    return Write(
        can_author_standards,
        org=MICA,
        body={},
        refused=404,
        query=lambda w: f"?code={w.ids[code]}",
    )


MICA = "mica-initiative"  # assigns the demo's assessments
GIRIDIH = "giridih-mica"  # answers them
AURELIA = "aurelia-motors"  # records custody in the demo
CSV = b"name,reference,email,country\nMatrix Metals,MX-1,mx@matrix.example,DE\n"
# Starting a job writes only the job's own row, with who started it and when (the jobs page and
# /api/v1/jobs are its record); what the job then changes, its services log.
JOB_ROW = "a job start: the job row is its own record"
RISK_CAHRA = b'{"entries": [{"iso2": "BI", "regions": null, "wholeCountry": true}]}'


THIRDLINE = "thirdline-audit"  # runs the demo audit


def _audit_plan() -> dict[str, Any]:
    from oretrace.audits.models import Audit

    audit = Audit.objects.order_by("pk").first()
    return {
        "programme": audit.programme_id,
        "audit_type": "follow-up",
        "facility": audit.facility_id,
        "scope": "matrix",
        "planned_start": _days(30),
        "planned_end": _days(31),
    }


def _days(days: int) -> str:
    """A date ``days`` from today, as the forms and the API read it."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _risk_entry(world: World) -> dict[str, Any]:
    return {
        "title": "Matrix risk",
        "category": "bribery",
        "supplier_id": int(world.ids["supplier_id"]),
        "origin": "manual",
        "reason": "matrix",
    }


def _risk_plan() -> dict[str, Any]:
    return {"strategy": "mitigate", "decided_on": _days(0), "review_on": _days(90)}


API_WRITES: dict[str, Write] = {
    "PATCH /api/v1/organisations/{org_id}": Write(
        can_manage_organisation, body={"website": "https://matrix.example"}
    ),
    "POST /api/v1/memberships": Write(
        can_manage_organisation, body={"email": "invited@matrix.example", "roles": ["viewer"]}
    ),
    "PATCH /api/v1/memberships/{membership_id}": Write(
        can_manage_organisation, body={"roles": ["viewer", "auditor"]}
    ),
    "POST /api/v1/jobs": Write(
        can_reload_reference, body={"kind": "reference.reload"}, unlogged=JOB_ROW
    ),
    "POST /api/v1/jobs/{job_id}/cancel": Write(can_cancel_any_job),
    "POST /api/v1/tokens": Write(None, body={"name": "matrix"}),
    "DELETE /api/v1/tokens/{token_id}": Write(None, ids=_own_token),
    "POST /api/v1/ledger/checkpoints": Write(can_sign_checkpoint),
    "POST /api/v1/ledger/audits": Write(can_audit_ledger, unlogged=JOB_ROW),
    "POST /api/v1/facilities": Write(
        can_edit_facilities,
        body={"kind": "collection_point", "name": "Matrix depot", "country": "IN"},
    ),
    "PATCH /api/v1/facilities/{facility_id}": Write(can_edit_facilities, body={"city": "Koderma"}),
    "POST /api/v1/facilities/{facility_id}/names": Write(
        can_edit_facilities, body={"name": "Matrix alias"}
    ),
    "POST /api/v1/facilities/{facility_id}/identifiers": Write(
        can_edit_facilities, body={"scheme": "rmi_cid", "value": "CID999001"}
    ),
    "POST /api/v1/facilities/{facility_id}/statuses": Write(
        can_edit_facilities,
        body={"scheme": "rmap", "status": "ok", "effective_on": "2026-01-01", "source": "m"},
    ),
    "POST /api/v1/facilities/{facility_id}/merge": Write(
        can_edit_facilities, body=lambda w, m: {"duplicate_id": int(w.ids["duplicate_id"])}
    ),
    "POST /api/v1/facilities/{facility_id}/split": Write(
        can_edit_facilities, body={"name": "Matrix split"}
    ),
    # Matching is a read; queueing the uncertain names for review is the write.
    "POST /api/v1/facilities/match": Write(
        can_review_matches,
        body={"names": [{"name": "Matrix Unknown Smelting Co"}], "queue_reviews": True},
    ),
    "POST /api/v1/match-reviews/{review_id}/confirm": Write(
        can_review_matches, body=lambda w, m: {"facility_id": int(w.ids["facility_id"])}
    ),
    "POST /api/v1/match-reviews/{review_id}/reject": Write(can_review_matches),
    "POST /api/v1/match-reviews/{review_id}/create": Write(
        can_review_matches, body={"kind": "smelter", "country": "CN"}
    ),
    "POST /api/v1/reference-imports": Write(
        can_load_reference_lists, body=_a_file("list.csv", b"a,b\n"), unlogged=JOB_ROW
    ),
    "POST /api/v1/declarations/imports": Write(
        can_import_declarations, body=lambda w, m: {"files": [_file("cmrt.xlsx", b"PK\x03\x04")]}
    ),
    # Risk editions are shared reference data: the platform's operator alone imports them.
    "POST /api/v1/risk/editions": Write(
        can_import_editions,
        body=lambda w, m: {"kind": "cahra", "file": _file("c.json", RISK_CAHRA)},
        unlogged=JOB_ROW,
    ),
    "POST /api/v1/declarations/{declaration_id}/decision": Write(
        can_decide_declarations, body={"status": "accepted", "note": "matrix"}
    ),
    "POST /api/v1/suppliers": Write(can_edit_suppliers, body={"name": "Matrix supplier"}),
    "PATCH /api/v1/suppliers/{supplier_id}": Write(can_edit_suppliers, body={"name": "Renamed"}),
    "POST /api/v1/campaigns": Write(
        can_run_campaigns, body={"name": "Matrix", "family": "CMRT", "reporting_year": 2026}
    ),
    "POST /api/v1/campaigns/{campaign_id}/suppliers": Write(
        can_run_campaigns, body=lambda w, m: {"supplier_ids": [int(w.ids["supplier_id"])]}
    ),
    "POST /api/v1/campaigns/{campaign_id}/requests/{request_id}/declaration": Write(
        can_run_campaigns, body=lambda w, m: {"declaration_id": int(w.ids["declaration_id"])}
    ),
    "POST /api/v1/campaigns/{campaign_id}/reminders": Write(can_run_campaigns),
    "POST /api/v1/campaigns/{campaign_id}/close": Write(can_run_campaigns),
    "POST /api/v1/suppliers/import": Write(can_edit_suppliers, body=_a_file("suppliers.csv", CSV)),
    "POST /api/v1/standards": Write(
        can_author_standards, body=lambda w, m: {"yaml": _standard_yaml(w, m)}
    ),
    "POST /api/v1/assessments": Write(
        can_assign_assessments,
        body=lambda w, m: {
            "standard_id": int(w.ids["standard_id"]),
            "facility_id": int(w.ids["facility_id"]),
            "due_on": "2027-01-31",
        },
    ),
    "PUT /api/v1/assessments/{assessment_id}/answers/{question_code}": Write(
        can_respond_to_assessments, org=GIRIDIH, body={"value": "yes"}
    ),
    "POST /api/v1/assessments/{assessment_id}/submit": Write(
        can_respond_to_assessments, org=GIRIDIH
    ),
    "POST /api/v1/assessments/{assessment_id}/send-back": Write(
        can_assign_assessments, org=MICA, body={"note": "please add evidence"}
    ),
    "POST /api/v1/assessments/{assessment_id}/accept": Write(can_assign_assessments, org=MICA),
    "POST /api/v1/assessments/{assessment_id}/plan": Write(can_assign_assessments, org=MICA),
    "POST /api/v1/training-modules": Write(
        can_assign_assessments, org=MICA, body=_training_module("criterion_codes")
    ),
    "POST /api/v1/epcis/capture": Write(can_capture_events, org=AURELIA, body=_epcis),
    # The risk register and its Step-3 plans: the organisation's compliance officers.
    "POST /api/v1/risk/register": Write(can_manage_risks, body=lambda w, m: _risk_entry(w)),
    "POST /api/v1/risk/register/{entry_id}/status": Write(
        can_manage_risks, body={"status": "closed", "note": "matrix"}
    ),
    "POST /api/v1/risk/register/{entry_id}/plan": Write(
        can_manage_risks, body=lambda w, m: _risk_plan()
    ),
    "POST /api/v1/risk/plans/{plan_id}/reviews": Write(
        can_manage_risks,
        body=lambda w, m: {
            "reviewed_on": _days(0),
            "outcome": "matrix",
            "next_review_on": _days(30),
        },
    ),
    "POST /api/v1/risk/plans/{plan_id}/strategy": Write(
        can_manage_risks,
        body=lambda w, m: {
            "strategy": "suspend",
            "decided_on": _days(0),
            "review_on": _days(30),
            "outcome": "matrix",
        },
    ),
    "POST /api/v1/risk/plans/{plan_id}/close": Write(
        can_manage_risks, body=lambda w, m: {"closed_on": _days(0), "outcome": "matrix"}
    ),
    "POST /api/v1/risk/plans/{plan_id}/measures": Write(
        can_manage_risks,
        body=lambda w, m: {"what": "matrix", "owner_id": m.pk, "due_on": _days(30)},
    ),
    "POST /api/v1/risk/plans/{plan_id}/indicators": Write(
        can_manage_risks, body={"what": "matrix", "target": "1"}
    ),
    "POST /api/v1/risk/plans/{plan_id}/escalations": Write(
        can_manage_risks,
        body={"escalated_to": "COO", "escalated_on": "2026-12-01", "decision": "matrix"},
    ),
    "POST /api/v1/risk/plans/{plan_id}/links": Write(
        can_manage_risks, body=lambda w, m: {"assessment_ids": []}
    ),
}


def _audit_in_fieldwork(world: World, member: Membership) -> dict[str, str]:
    """An audit run by the member's organisation, in its fieldwork, of a Giridih unit, with one
    finding: its auditors may record findings and attach evidence, nobody else may."""
    from oretrace.assessments.models import Criterion
    from oretrace.audits.models import ProgrammeVersion
    from oretrace.audits.services import audits, findings, programmes
    from oretrace.core.models import Organisation
    from oretrace.core.tests.factories import MembershipFactory
    from oretrace.registry.models import Facility

    programmes.install_shipped(SYSTEM)
    mica = ProgrammeVersion.objects.get(organisation__isnull=True, code="mica-processor-workplace")
    auditee = Organisation.objects.get(slug=GIRIDIH)
    audit = audits.plan_audit(
        actor=SYSTEM,
        organisation=member.organisation,
        programme=mica,
        audit_type="initial",
        auditee=auditee,
        facility=Facility.objects.filter(organisation=auditee).order_by("pk").first(),
        scope="matrix",
        planned_start=timezone.localdate(),
        planned_end=timezone.localdate(),
        lead_auditor=MembershipFactory(organisation=member.organisation, roles=["auditor"]),
    )
    audits.start_fieldwork(audit, actor=SYSTEM)
    lab1 = Criterion.objects.get(section__standard=audit.standard, code="LAB.1")
    finding = findings.record_finding(
        audit, lab1, grade="minor", description="matrix", actor=SYSTEM
    )
    return {"audit_id": str(audit.pk), "finding_id": str(finding.pk)}


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
# The audits API (audits/api.py): findings and their evidence, by the audit body's auditors.
API_WRITES.update(
    {
        "POST /api/v1/audits/{audit_id}/findings": Write(
            can_conduct_audits,
            ids=_audit_in_fieldwork,
            body={"criterion": "OHS.1", "grade": "major", "description": "matrix"},
        ),
        "POST /api/v1/audits/{audit_id}/findings/{finding_id}/evidence": Write(
            can_conduct_audits,
            ids=_audit_in_fieldwork,
            body=lambda w, m: {"file": SimpleUploadedFile("p.jpg", JPEG, "image/jpeg")},
        ),
    }
)

# Web pages that change something: by URL name.
WEB_WRITES: dict[str, Write] = {
    "web:organisation": Write(
        can_manage_organisation, body={"email": "invited@matrix.example", "roles": ["viewer"]}
    ),
    "web:jobs_start": Write(
        can_reload_reference, body={"kind": "reference.reload"}, unlogged=JOB_ROW
    ),
    "web:jobs_cancel": Write(can_cancel_any_job),
    "web:tokens": Write(None, body={"name": "matrix"}),
    "web:tokens_revoke": Write(None, ids=_own_token),
    "web:switch": Write(None, body=lambda w, m: {"membership": m.pk}),
    # Everyone reads their own notifications and sets their own preferences.
    "web:notification_read": Write(None, ids=_own_notification, unlogged=READ_MARK),
    "web:notifications_read_all": Write(None, unlogged=READ_MARK),
    "web:account": Write(None, body={"language": "fr", "digest": "daily"}),
    # Everyone may set up a second factor for their own account.
    "two_factor": Write(None, body={}),
    "registry:facility_new": Write(
        can_edit_facilities, body={"kind": "collection_point", "name": "Depot", "country": "IN"}
    ),
    "registry:facility": Write(can_edit_facilities, body={"action": "add-name", "name": "Alias"}),
    "registry:review_decide": Write(can_review_matches, body={"action": "reject"}),
    "registry:review_bulk": Write(can_review_matches, body={"min_score": "95"}),
    "registry:match": Write(
        can_review_matches, body={"names": "Matrix Unknown Smelting Co", "queue": "1"}
    ),
    "registry:imports": Write(
        can_load_reference_lists, body=_a_file("l.csv", b"a\n"), unlogged=JOB_ROW
    ),
    "web:invitation_revoke": Write(can_manage_organisation, ids=_own_invitation),
    # The operator's pages: platform staff only, never a member as such.
    "web:operator_organisations": Write(
        can_operate,
        body={"legal_name": "Matrix Org", "country": "IN", "kind": "brand", "email": "o@m.example"},
    ),
    "web:operator_decide": Write(can_operate, body={"decision": "approve"}),
    "declarations:list": Write(
        can_import_declarations, body=lambda w, m: {"files": [_file("c.xlsx", b"PK\x03\x04")]}
    ),
    "declarations:detail": Write(can_decide_declarations, body={"status": "accepted"}),
    "declarations:decide_selected": Write(
        can_decide_declarations,
        body=lambda w, m: {
            "status": "accepted",
            "note": "checked",
            "declaration": [w.web_ids["declaration_id"]],
        },
    ),
    "declarations:suppliers": Write(can_edit_suppliers, body={"name": "Matrix supplier"}),
    "declarations:supplier_import": Write(can_edit_suppliers, body=_a_file("s.csv", CSV)),
    # the blank is kept and a job queued to fill it: any member may export what they may read
    "declarations:rollup_export": Write(
        None,
        body=lambda w, m: {"family": "CMRT", "year": "2025", "blank": _file("b.xlsx", b"PK")},
        unlogged=JOB_ROW,
    ),
    "declarations:campaigns": Write(
        can_run_campaigns, body={"name": "Matrix", "family": "CMRT", "reporting_year": "2026"}
    ),
    "declarations:campaign": Write(can_run_campaigns, body={"action": "remind"}),
    "assessments:list": Write(
        can_assign_assessments,
        body=lambda w, m: {
            "standard": w.ids["standard_id"],
            "facility": w.ids["facility_id"],
            "due_on": "2027-01-31",
        },
    ),
    "assessments:detail": Write(can_assign_assessments, org=MICA, body={"action": "accept"}),
    "assessments:save": Write(can_respond_to_assessments, org=GIRIDIH, body={"value": "yes"}),
    "assessments:evidence_upload": Write(
        can_respond_to_assessments,
        org=GIRIDIH,
        body=_a_file("e.pdf", b"%PDF-1.4\n"),
    ),
    "assessments:comment": Write(can_respond_to_assessments, org=GIRIDIH, body={"text": "ok"}),
    "assessments:action": Write(
        can_respond_to_assessments, org=GIRIDIH, body={"do": "status", "status": "in_progress"}
    ),
    "assessments:support": Write(
        can_assign_assessments, org=MICA, body={"status": "answered", "response": "ok"}
    ),
    "assessments:standards": Write(
        can_author_standards,
        body=lambda w, m: {"file": _file("s.yaml", _standard_yaml(w, m).encode())},
    ),
    "assessments:training": Write(
        can_assign_assessments, org=MICA, body=_training_module("criteria")
    ),
    "assessments:draft_from": Write(can_author_standards, body={"version": "9.8"}),
    "assessments:draft_new": Write(can_author_standards, body={"code": "MATRIX"}),
    # A draft is its authors' working copy: to anyone else it does not exist.
    "assessments:draft": Write(can_author_standards, org=MICA, body={"do": "discard"}, refused=404),
    "assessments:draft_section": Write(can_author_standards, org=MICA, body={}, refused=404),
    "assessments:draft_criterion": _draft_part("criterion_code"),
    "assessments:draft_question": _draft_part("question_code"),
    "traceability:capture": Write(
        can_capture_events,
        org=AURELIA,
        body=lambda w, m: {"document": json.dumps(_epcis(w, m))},
    ),
    "traceability:record-collection": Write(can_capture_events, org=AURELIA, body={}),
    "traceability:record-processing": Write(can_capture_events, org=AURELIA, body={}),
    "traceability:record-shipment": Write(can_capture_events, org=AURELIA, body={}),
    "traceability:record-receipt": Write(can_capture_events, org=AURELIA, body={}),
    "ledger:ledger_sign": Write(can_sign_checkpoint),
    "ledger:ledger_audit": Write(can_audit_ledger, unlogged=JOB_ROW),
    "risk:import": Write(
        can_import_editions,
        body=lambda w, m: {"kind": "cahra", "file": _file("c.json", RISK_CAHRA)},
        unlogged=JOB_ROW,
    ),
    "risk:scores": Write(can_recompute_scores, body={"as_of": "2026-01-01"}, unlogged=JOB_ROW),
    "risk:register_new": Write(
        can_manage_risks,
        body=lambda w, m: {**_risk_entry(w), "supplier": w.ids["supplier_id"], "level": "high"},
    ),
    "risk:entry": Write(can_manage_risks, body={"status": "closed", "note": "matrix"}),
    "risk:plan_new": Write(can_manage_risks, body=lambda w, m: _risk_plan()),
    "risk:plan": Write(
        can_manage_risks,
        body={
            "do": "escalate",
            "escalate-escalated_to": "COO",
            "escalate-escalated_on": "2026-12-01",
            "escalate-decision": "matrix",
        },
    ),
    # Audits: the audit body's auditors plan and run them, the auditee answers, the
    # programme's owner answers support requests (the demo audit is closed: a move is refused
    # with a message, never a 403, to those the permission allows).
    "audits:new": Write(can_conduct_audits, org=THIRDLINE, body=lambda w, m: _audit_plan()),
    "audits:move": Write(can_conduct_audits, org=THIRDLINE, body={"do": "report"}),
    "audits:save_finding": Write(
        can_conduct_audits, org=THIRDLINE, body={"grade": "minor", "description": "matrix"}
    ),
    "audits:answer": Write(can_answer_audits, org=GIRIDIH, body={"do": "submit"}),
    "audits:action": Write(can_answer_audits, org=GIRIDIH, body={"do": "done"}),
    "audits:support": Write(
        can_support_audits, org=MICA, body={"status": "done", "response": "matrix"}
    ),
    # Grievances: only members holding the grievance officer role themselves (an
    # administrator's roles do not include it); to anyone else a case does not exist (404).
    "grievances:record": Write(
        can_handle_grievances,
        org=MICA,
        body=lambda w, m: {"channel": w.ids["channel_id"], "intake": "paper", "text": "matrix"},
    ),
    "grievances:case": Write(
        can_handle_grievances, org=MICA, body={"do": "note", "note-note": "matrix"}, refused=404
    ),
    "grievances:channels": Write(
        can_manage_channels, org=MICA, body={"slug": "matrix-voice", "name": "Matrix voice"}
    ),
    # Pulse surveys (issue 20 §7): those who run them create, send and close them.
    "grievances:surveys": Write(can_run_surveys, org=MICA, body=_survey_form),
    "grievances:survey": Write(can_run_surveys, org=MICA, ids=_mica_survey, body={"do": "close"}),
    # Community programmes: compliance officers and case workers set up and monitor; children's
    # cases only for members holding the case worker role themselves (to others: 404).
    "programmes:new": Write(
        can_run_programmes,
        org=MICA,
        body={
            "name": "Matrix programme",
            "starts_on": "2026-01-01",
            "indicator_set": "child-labour-free-village",
        },
    ),
    "programmes:programme": Write(
        can_run_programmes,
        org=MICA,
        body={
            "do": "period",
            "period-label": "Matrix",
            "period-starts_on": "2026-01-01",
            "period-ends_on": "2026-03-31",
        },
    ),
    "programmes:village": Write(
        can_run_programmes,
        org=MICA,
        body=lambda w, m: {
            "do": "visit",
            "visit-visited_on": timezone.localdate().isoformat(),
            "visit-value_school_enrolment": "80",
        },
    ),
    "programmes:cases": Write(
        can_handle_child_cases,
        org=MICA,
        body=lambda w, m: {
            "name": "Matrix child",
            "village": w.ids["village_id"],
            "age_band": "12-14",
            "source": "school",
            "identified_on": timezone.localdate().isoformat(),
            "consent_by": "parent",
            "consent_on": timezone.localdate().isoformat(),
        },
    ),
    "programmes:case": Write(
        can_handle_child_cases,
        org=MICA,
        body=lambda w, m: {"do": "assess", "assess-on": timezone.localdate().isoformat()},
        refused=404,
    ),
    # Formalisation: the licence of a collection point around the initiative's programme.
    "programmes:licence": Write(
        can_record_licences,
        org=MICA,
        body=lambda w, m: {"status": "none", "effective_on": timezone.localdate().isoformat()},
    ),
    # Training: the initiative organises and records attendance (on the session it held);
    # Giridih asks to join the one to come, offered on its improvement action on LAB.6.
    "programmes:trainings": Write(
        can_run_trainings,
        org=MICA,
        body=lambda w, m: {
            "title": "Matrix training",
            "held_on": timezone.localdate().isoformat(),
            "trainer": "Matrix trainer",
            "language": "hi",
            "audiences": ["worker"],
        },
    ),
    "programmes:training": Write(
        can_run_trainings,
        org=MICA,
        body={"do": "attendance", "worker_women": "3"},
        ids=lambda w, m: {"training_id": str(_held_training())},
    ),
    "programmes:training_join": Write(
        can_ask_to_join_training,
        org=GIRIDIH,
        body=lambda w, m: {"people": "2", "action": str(_open_action_on("LAB.6"))},
    ),
    # Seen from the product: the buyer offers support from its car batch's trace; the
    # programme answers; its organisation issues donor reports.
    "programmes:lot": Write(
        can_offer_support,
        org=AURELIA,
        ids=lambda w, m: {"lot_id": _car_batch()},
        body=lambda w, m: {"programme": w.ids["programme_id"], "kind": "join"},
    ),
    "programmes:offer": Write(
        can_run_programmes,
        org=MICA,
        ids=lambda w, m: {"offer_id": _offer(w)},
        body={"decision": "accept", "answer": "matrix"},
    ),
    "programmes:reports": Write(
        can_issue_reports, org=MICA, body=lambda w, m: {"period": _period(w)}
    ),
    # Working offline: the field forms a phone keeps post like the pages' own; the sync
    # endpoint takes JSON (a form body is refused 400 naming it; programmes/tests/test_offline.py
    # sends every role its JSON).
    "programmes:field_visit": Write(
        can_run_programmes,
        org=MICA,
        body=lambda w, m: {
            "visited_on": timezone.localdate().isoformat(),
            "value_school_enrolment": "80",
        },
    ),
    "programmes:field_follow_up": Write(
        can_handle_child_cases,
        org=MICA,
        body=lambda w, m: {"done_on": timezone.localdate().isoformat()},
        refused=404,
    ),
    "programmes:field_sync": Write(can_run_programmes, org=MICA, body={}),
}


def _held_training() -> int:
    from oretrace.programmes.models import TrainingSession

    held = TrainingSession.objects.filter(held_on__lte=timezone.localdate()).order_by("pk")
    return held.values_list("pk", flat=True)[0]


def _open_action_on(code: str) -> int:
    from oretrace.assessments.models import ImprovementAction

    found = ImprovementAction.objects.filter(criterion__code=code).exclude(status="done")
    return found.values_list("pk", flat=True)[0]


def _car_batch() -> str:
    from oretrace.traceability.models import Lot

    return str(Lot.objects.get(code__endswith="AUR-CARS-2606").pk)


def _offer(world: World) -> str:
    from oretrace.programmes.models import Programme
    from oretrace.programmes.services import support

    programme = Programme.objects.get(pk=world.ids["programme_id"])
    buyer = world.member(AURELIA, "compliance_officer")
    return str(support.offer_support(programme, actor=buyer, kind="join").pk)


def _period(world: World) -> str:
    from oretrace.programmes.models import ReportingPeriod

    return str(ReportingPeriod.objects.filter(programme_id=world.ids["programme_id"]).first().pk)


# Not a member's write: signing in (with the second factor's code) and out, resetting a
# password, the language switch, a supplier's upload link (the link's token is its key), an
# organisation's sign-up and an invitation link (test_onboarding_pages.py tests them).
# The fuzzer covers them.
WEB_PUBLIC_WRITES = {
    "login",
    "login_verify",
    "logout",
    "password_reset",
    "password_reset_confirm",
    "respond",
    "sign_up",
    "invitation",
    "set_language",
    # A grievance channel's pages: anyone reports, a receipt opens its case (grievances/tests).
    "voice:report",
    "voice:follow",
    "voice:sms_android",  # an SMS gateway's webhook: its signature is its key (test_sms.py)
    "voice:sms_twilio",  # signed with the auth token (test_sms_gateways.py)
    "voice:sms_africastalking",  # a secret ?key= in its address (test_sms_gateways.py)
}

# Pages that only read (a POST to one of them must write nothing). The public verify form
# takes a POST but writes nothing.
WEB_READS = {
    "declarations:file",
    "declarations:facility_suppliers",
    "assessments:answer",
    "assessments:evidence",
    "assessments:progress_file",
    "assessments:report",
    "assessments:standard",
    "assessments:training_file",
    "declarations:batch",
    "declarations:rollup",
    "declarations:rollup_download",
    "declarations:smelter_csv",
    "declarations:smelter_xlsx",
    "declarations:supplier_csv",
    "declarations:supplier_xlsx",
    "favicon",
    "ledger:checkpoint",
    "ledger:cosignatures",
    "ledger:ledger",
    "ledger:ledger_record",
    "ledger:ledger_record_bundle",
    "ledger:public_bundle",
    "ledger:public_qr",
    "ledger:public_record",
    "ledger:tile",
    "ledger:verify",
    "ledger:vkey",
    "password_reset_complete",
    "password_reset_done",
    "sign_up_done",
    "registry:reference_overview",
    "registry:facilities",
    "registry:reviews",
    "traceability:event",
    "traceability:events",
    "traceability:lot",
    "traceability:lot-report",
    "traceability:lots",
    "traceability:record",
    "web:changes",
    "web:dashboard",
    "web:jobs",
    "web:jobs_detail",
    "web:notifications",
    "web:reference",
    "risk:editions",
    "risk:edition",
    "risk:score",
    "risk:facility_score",
    "risk:supplier_score",
    "risk:flags",
    "risk:flag",
    "risk:register",
    "risk:plans",
    "risk:map",
    "audits:list",
    "audits:detail",
    "audits:checklist",
    "audits:finding_file",
    "audits:action_file",
    "audits:report",
    "audits:findings",
    "grievances:cases",
    "programmes:programmes",
    "programmes:indicators",
    "programmes:formalisation",
    "programmes:licence_document",
    "programmes:training_material",
    "programmes:training_indicators",
    "programmes:offers",
    "programmes:report",
    "programmes:field_worker",  # the field pages' service worker: a script, public
}


def _api_writes() -> set[str]:
    return {f"{m} {p}" for m, p in api_operations() if m.lower() in WRITE_METHODS}


def test_every_write_route_is_listed():
    """A new route must be added to the matrix (or, for a web page that reads, to WEB_READS)."""
    assert _api_writes() == set(API_WRITES)
    names = {r.name for r in web_patterns()}
    listed = set(WEB_WRITES) | WEB_PUBLIC_WRITES | WEB_READS
    assert names - listed == set(), "routes missing from the role matrix"
    assert listed - names == set(), "routes in the role matrix that no longer exist"


def _send(client: Any, method: str, url: str, body: Any, *, api: bool) -> Any:
    if body is None:
        return getattr(client, method)(url)
    has_file = any(
        isinstance(v, SimpleUploadedFile | io.IOBase)
        or (isinstance(v, list) and v and isinstance(v[0], SimpleUploadedFile))
        for v in (body.values() if isinstance(body, dict) else [])
    )
    if has_file or not api:
        return client.post(url, body) if method == "post" else getattr(client, method)(url, body)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _try(
    world: World, spec: Write, role: str, method: str, url_of: Callable, *, api: bool
) -> str | None:
    """Send one request as a member holding only ``role``; a problem in words, or None."""
    member = world.member(spec.org, role)
    client = world.api(member) if api else world.web(member)
    allowed = spec.permission is None or spec.permission(member)
    with isolated():
        ids = spec.ids(world, member) if spec.ids else {}
        url = url_of(ids)
        body = spec.body(world, member) if callable(spec.body) else spec.body
        before, entries = fingerprint(), ChangeLogEntry.objects.count()
        try:
            response = _send(client, method, url, body, api=api)
        except Exception as exc:  # the test client re-raises what would be a 500
            return f"{role}: 500 ({type(exc).__name__}: {exc})"
        status = response.status_code
        changed = fingerprint() != before
        logged = ChangeLogEntry.objects.count() > entries
    if status >= 500:
        return f"{role}: {status}"
    if allowed and status in (401, 403, 404):
        return f"{role} may, but got {status}: {response.content[:200]!r}"
    if not allowed and status != spec.refused:
        return f"{role} may not, but got {status} (expected {spec.refused})"
    if not allowed and changed:
        return f"{role} was refused ({status}) but the database changed"
    if allowed and changed and not logged and not spec.unlogged:
        return f"{role} changed the database ({status}) but wrote no change-log entry"
    return None


def _every_role(
    world: World, name: str, spec: Write, method: str, url_of: Callable, *, api: bool
) -> list[str]:
    """``_try`` as a member of each role in turn: the problems, each named by ``name``."""
    found = (_try(world, spec, role, method, url_of, api=api) for role in ROLES)
    return [f"{name}: {problem}" for problem in found if problem]


def test_api_role_matrix(world):
    problems = []
    for route, spec in sorted(API_WRITES.items()):
        method, path = route.split(" ", 1)

        def url_of(ids: dict[str, str], path: str = path) -> str:
            return fill_api(path, {**world.ids, **ids})

        problems += _every_role(world, route, spec, method.lower(), url_of, api=True)
    assert not problems, "\n".join(problems)


def test_web_role_matrix(world):
    routes = {r.name: r for r in web_patterns()}
    problems = []
    for name, spec in sorted(WEB_WRITES.items()):
        route = routes[name]
        query = spec.query(world) if spec.query else ""

        def url_of(ids: dict[str, str], route: Any = route, query: str = query) -> str:
            return fill(route.route, {**world.web_ids, **ids}) + query

        problems += _every_role(world, name, spec, "post", url_of, api=False)
    assert not problems, "\n".join(problems)


def test_a_post_to_a_page_that_reads_writes_nothing(world):
    routes = {r.name: r for r in web_patterns()}
    viewer = world.member("brightline", "viewer")
    client = world.web(viewer)
    problems = []
    for name in sorted(WEB_READS):
        url = fill(routes[name].route, world.web_ids)
        with isolated():
            before = fingerprint()
            try:
                response = client.post(url, {})
            except Exception as exc:
                problems.append(f"{name}: 500 ({type(exc).__name__}: {exc})")
                continue
            if response.status_code >= 500:
                problems.append(f"{name}: {response.status_code}")
            if fingerprint() != before:
                problems.append(f"{name}: a viewer's POST changed the database")
    assert not problems, "\n".join(problems)


def test_a_viewer_may_write_only_their_own_things(world):
    """The cases of issue 14: queueing reviews, signing a checkpoint, the capture form."""
    viewer = world.member("brightline", "viewer")
    api = world.api(viewer)
    response = api.post(
        "/api/v1/facilities/match",
        json.dumps({"names": [{"name": "Some Smelter"}], "queue_reviews": True}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "queue and decide name matches" in response.json()["detail"]
    assert api.post("/api/v1/ledger/checkpoints").status_code == 403
    web = world.web(world.member(AURELIA, "viewer"))
    response = web.post("/custody/capture/", {"document": "{}"})
    assert response.status_code == 403
    assert "capture EPCIS events" in response.content.decode()
    # matching without queueing stays open to every member: it writes nothing
    response = api.post(
        "/api/v1/facilities/match",
        json.dumps({"names": [{"name": "Some Smelter"}]}),
        content_type="application/json",
    )
    assert response.status_code == 200
