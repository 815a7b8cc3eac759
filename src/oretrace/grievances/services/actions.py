"""What a case linked to the supply chain can open in the audits app (issue 20 §5): a finding
on an audit the case is linked to, which the audited organisation must answer with a
corrective action, or an unannounced audit of a linked facility or supplier.

Both go through the audits services (``findings.record_finding``, ``audits.plan_audit``) with
the officer as the actor, so the audits app's own rules hold: only an auditor of the audit body
records findings, during the fieldwork; only an auditor plans an audit for their organisation.
The texts the audit gets (the finding's description, the audit's scope) are the officer's own
words; nothing of the report, its receipt, the case's number or its date is copied. The tie
between the case and what it opened is a ``CaseAuditAction``, on the grievance side only: the
audited organisation sees an ordinary finding or audit (docs/user-guide/grievances.md says why
not even "raised from worker voice" is shown).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.audits import queries as audit_queries
from oretrace.audits.choices import NEEDS_ACTION, AuditStatus, AuditType, FindingGrade
from oretrace.audits.exceptions import AuditError
from oretrace.audits.models import Audit, Finding, ProgrammeVersion
from oretrace.audits.permissions import can_conduct_audits
from oretrace.audits.services import audits as audit_services
from oretrace.audits.services import findings as finding_services
from oretrace.audits.services.sides import is_auditor
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction, Role
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned, owned_by
from oretrace.grievances.choices import AuditActionKind, CaseStatus, EventKind, LinkTarget
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, CaseAuditAction, CaseLink
from oretrace.grievances.permissions import can_handle_grievances
from oretrace.grievances.services.common import record_event
from oretrace.registry.models import Facility

TEXT_LIMIT = 5000


def _ready(case: Case, actor: Membership) -> Case:
    """The case, locked, if the actor handles it and it is open and triaged."""
    can_handle_grievances.require(actor, organisation_id=case.organisation_id)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(_("Case %(case)s is closed; reopen it first.") % {"case": case})
    if not case.category or not case.severity:
        raise GrievanceError(_("Triage the case first, then link it to the supply chain."))
    return case


def _standing_link(case: Case, link_id: object, targets: tuple[str, ...]) -> CaseLink:
    try:
        pk = int(str(link_id))
    except ValueError:
        pk = 0
    found = CaseLink.objects.filter(
        case=case, pk=pk, target__in=targets, removed_on__isnull=True
    ).first()
    if found is None:
        raise GrievanceError(
            _("Link: choose one of the case's standing links to the supply chain."), field="link"
        )
    return found


def _own_words(case: Case, text: str, *, field: str, what: str) -> str:
    """The officer's text, trimmed; refused when empty, too long, or when it names the case."""
    text = (text or "").strip()
    if not text:
        raise GrievanceError(_("%(what)s: write something first.") % {"what": what}, field=field)
    if len(text) > TEXT_LIMIT:
        raise GrievanceError(
            _("%(what)s: at most %(limit)d characters.") % {"what": what, "limit": TEXT_LIMIT},
            field=field,
        )
    if re.search(rf"(?<![\w-])G-{case.pk}(?!\d)", text):
        raise GrievanceError(
            _("%(what)s: do not name the case; the audited organisation must not trace it.")
            % {"what": what},
            field=field,
        )
    return text


def _record(case: Case, actor: Membership, kind: str, audit: Audit, finding: Any) -> Any:
    action = CaseAuditAction.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=kind,
        audit=audit,
        finding=finding,
        opened_on=timezone.localdate(),
        opened_by=actor,
    )
    log_change(action, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    event = EventKind.FINDING if kind == AuditActionKind.FINDING else EventKind.AUDIT
    record_event(case, event, on=timezone.localdate())
    return action


def _as_grievance_error(error: AuditError) -> GrievanceError:
    return GrievanceError(str(error), field=error.field or None)


@transaction.atomic
def open_finding(
    case: Case,
    *,
    actor: Membership,
    link_id: object,
    criterion_id: object,
    grade: str,
    description: str,
) -> Finding:
    """Record a finding, in the officer's own words, on an audit the case is linked to: the
    officer must be an auditor of the audit body and the audit in its fieldwork; the grade is
    one the audited organisation must answer with a corrective action."""
    case = _ready(case, actor)
    link = _standing_link(case, link_id, (LinkTarget.AUDIT,))
    audit = Audit.objects.select_related("organisation").get(pk=link.audit_id or 0)
    if audit.status == AuditStatus.CLOSED:
        raise GrievanceError(
            _(
                "The audit A-%(audit)s is closed: its findings are final. Link the case to the "
                "facility and plan an unannounced audit instead."
            )
            % {"audit": audit.pk},
            field="link",
        )
    if not is_auditor(actor, audit):
        raise GrievanceError(
            _(
                "Only an auditor of %(body)s adds findings to the audit A-%(audit)s: you need "
                "the role auditor in that organisation as well. Ask its auditors."
            )
            % {"body": audit.organisation, "audit": audit.pk},
            field="link",
        )
    if audit.status != AuditStatus.FIELDWORK:
        raise GrievanceError(
            _("Findings are added during the fieldwork; the audit A-%(audit)s is at “%(status)s”.")
            % {"audit": audit.pk, "status": audit.get_status_display()},
            field="link",
        )
    if grade not in NEEDS_ACTION:
        raise GrievanceError(
            _("Grade: choose a non-conformity, which the audited organisation must correct."),
            field="grade",
        )
    try:
        criterion = audit_queries.criterion_of(audit, str(criterion_id))
    except (NotFound, ValueError):
        raise GrievanceError(
            _("Criterion: choose one of the audit's criteria."), field="criterion"
        ) from None
    if audit_queries.finding_of(audit, criterion) is not None:
        raise GrievanceError(
            _(
                "The audit A-%(audit)s already has a finding on %(criterion)s: its auditors' "
                "finding stays. Choose another criterion or tell its auditors."
            )
            % {"audit": audit.pk, "criterion": criterion.code},
            field="criterion",
        )
    text = _own_words(case, description, field="description", what=_("What was found"))
    try:
        finding = finding_services.record_finding(
            audit, criterion, grade=FindingGrade(grade), description=text, actor=actor
        )
    except AuditError as exc:
        raise _as_grievance_error(exc) from None
    _record(case, actor, AuditActionKind.FINDING, audit, finding)
    return finding


def _facility_to_audit(member: Membership, link: CaseLink, facility_id: object) -> Facility:
    """The facility of a facility link, or one of a supplier's own facilities the member sees."""
    if link.facility is not None:
        facility = link.facility
    elif link.supplier is not None:
        owner = link.supplier.linked_organisation_id
        if owner is None:
            raise GrievanceError(
                _(
                    "%(supplier)s has no organisation on oretrace: an audit is of one of its "
                    "registered facilities. Link the case to that facility."
                )
                % {"supplier": link.supplier},
                field="facility",
            )
        chosen = owned_by(audit_queries.auditable_facilities(member), owner)
        found = chosen.filter(pk=_int(facility_id)).first()
        if found is None:
            raise GrievanceError(
                _("Facility: choose one of %(supplier)s's facilities.")
                % {"supplier": link.supplier},
                field="facility",
            )
        facility = found
    else:
        raise GrievanceError(_("Link: a facility or a supplier."), field="link")
    if facility.organisation_id is None:
        raise GrievanceError(
            _("%(facility)s belongs to no organisation on oretrace: nobody could answer an audit.")
            % {"facility": facility},
            field="facility",
        )
    return facility


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def auditors_of(member: Membership) -> list[Membership]:
    """The active auditors of the member's organisation (who may lead an audit it plans)."""
    members = owned(Membership.objects.filter(is_active=True).select_related("user"), member)
    return [m for m in members if m.has_role(Role.AUDITOR)]


def who_plans_audits(member: Membership) -> str:
    """Why the member may not plan an audit, and who can: "" when they may."""
    if can_conduct_audits(member):
        return ""
    members = owned(Membership.objects.filter(is_active=True), member)
    if any(Role.AUDITOR in m.roles for m in members):
        return _(
            "Only an auditor of %(organisation)s plans audits: ask one of your organisation's "
            "auditors, or ask for the role."
        ) % {"organisation": member.organisation}
    return _(
        "%(organisation)s runs no audits: an audit body plans them. Ask the audit programme's "
        "owner or an audit body that audits this facility to plan an unannounced audit."
    ) % {"organisation": member.organisation}


@transaction.atomic
def request_audit(
    case: Case,
    *,
    actor: Membership,
    link_id: object,
    programme: ProgrammeVersion,
    scope: str,
    planned_start: date,
    planned_end: date,
    facility_id: object = None,
    lead_auditor: Membership | None = None,
) -> Audit:
    """Plan an unannounced audit, run by the officer's own organisation, of a facility the
    case is linked to (or of a linked supplier's facility) that has no open audit of that
    organisation's; the audited organisation is told as of any planned audit. The lead
    auditor is the officer unless another of the organisation's auditors is named (the
    audited organisation sees who leads)."""
    case = _ready(case, actor)
    link = _standing_link(case, link_id, (LinkTarget.FACILITY, LinkTarget.SUPPLIER))
    refusal = who_plans_audits(actor)
    if refusal:
        raise GrievanceError(refusal)
    facility = _facility_to_audit(actor, link, facility_id)
    # An open audit the officer's organisation runs takes the finding instead; another body's
    # open audit does not stop it (it cannot add to that one), see the user guide.
    standing = owned(audit_queries.open_audits_of(actor, facility.pk), actor).first()
    if standing is not None:
        raise GrievanceError(
            _(
                "The audit A-%(audit)s of %(facility)s is open: link the case to it and add a "
                "finding there."
            )
            % {"audit": standing.pk, "facility": facility},
            field="link",
        )
    if programme not in audit_queries.programmes_for(actor):
        raise GrievanceError(_("Programme: choose one from the list."), field="programme")
    text = _own_words(case, scope, field="scope", what=_("What the audit covers"))
    try:
        audit = audit_services.plan_audit(
            actor=actor,
            organisation=actor.organisation,
            programme=programme,
            audit_type=AuditType.UNANNOUNCED,
            auditee=facility.organisation,  # type: ignore[arg-type]  # checked above
            facility=facility,
            scope=text,
            planned_start=planned_start,
            planned_end=planned_end,
            lead_auditor=lead_auditor or actor,
        )
    except AuditError as exc:
        raise _as_grievance_error(exc) from None
    _record(case, actor, AuditActionKind.AUDIT, audit, None)
    return audit
