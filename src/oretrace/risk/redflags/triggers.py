"""What makes the red flags be recomputed: a change to a record the rules read.

The apps whose records the rules read (declarations, registry, traceability, assessments) know
nothing of risk, which reads them (ARCHITECTURE.md: risk may depend on them, not the other
way round). So risk listens: Django's ``post_save`` of the few rows that mark such a change
(a declaration, a decided match, an assurance status, an EPCIS capture, a submitted assessment,
a new edition), and the registry's re-matching hook. A listener only queues the recompute of
the organisations concerned (``schedule_recompute``: once per organisation, after the commit);
it writes nothing and never undoes a write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from oretrace.assessments.choices import AssessmentStatus
from oretrace.assessments.models import Assessment
from oretrace.audits.models import Audit, CorrectiveAction
from oretrace.core.periodic import daily_check
from oretrace.declarations.models import Declaration, SmelterEntry
from oretrace.grievances.models import Case as GrievanceCase
from oretrace.grievances.models import CaseLink
from oretrace.registry.choices import ReviewStatus
from oretrace.registry.models import AssuranceStatus, MatchReview
from oretrace.registry.services.reviews import RematchOutcome, on_rematch
from oretrace.risk.models import Edition
from oretrace.risk.redflags.services import schedule_everywhere, schedule_recompute
from oretrace.traceability.models import EpcisCapture, Lot

DECIDED_ASSESSMENT = (AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED)


def _declaration_saved(instance: Declaration, **_kw: Any) -> None:
    schedule_recompute(instance.organisation_id, "declaration")


def _review_saved(instance: MatchReview, **_kw: Any) -> None:
    if instance.status != ReviewStatus.OPEN:
        schedule_recompute(instance.organisation_id, "match")


def declaring_organisations(facility_id: int) -> set[int]:
    """The organisations whose declarations name the facility (matched or decided)."""
    rows = SmelterEntry.objects.filter(
        Q(facility_id=facility_id) | Q(review__facility_id=facility_id)
    )
    return set(rows.values_list("declaration__organisation_id", flat=True).distinct())


def _status_saved(instance: AssuranceStatus, created: bool = False, **_kw: Any) -> None:
    if not created:
        return
    if instance.organisation_id is not None:
        schedule_recompute(instance.organisation_id, "status")
        return
    schedule_everywhere("status", declaring_organisations(instance.facility_id))


def _capture_saved(instance: EpcisCapture, created: bool = False, **_kw: Any) -> None:
    if created:
        schedule_recompute(instance.organisation_id, "custody")


def _assessment_saved(instance: Assessment, **_kw: Any) -> None:
    if instance.status in DECIDED_ASSESSMENT:
        schedule_recompute(instance.organisation_id, "assessment")


def _audit_parties(audit: Audit) -> set[int]:
    """The organisations whose flags read the audit's corrective actions."""
    return {
        audit.organisation_id,
        *([audit.programme_owner_id] if audit.programme_owner_id else []),
    }


def _audit_saved(instance: Audit, **_kw: Any) -> None:
    schedule_everywhere("audit", _audit_parties(instance))


def _action_saved(instance: CorrectiveAction, **_kw: Any) -> None:
    schedule_everywhere("audit", _audit_parties(instance.finding.audit))


def _grievance_link_saved(instance: Any, **_kw: Any) -> None:
    schedule_recompute(instance.organisation_id, "grievance")


def _grievance_case_saved(instance: Any, created: bool = False, **_kw: Any) -> None:
    """A linked case's triage or state changed (closed, reopened): its flags follow."""
    if not created and CaseLink.objects.filter(case_id=instance.pk).exists():
        schedule_recompute(instance.organisation_id, "grievance")


@daily_check("risk.audit_actions_due")
def audit_actions_fallen_due(now: datetime) -> int:
    """A corrective action becomes overdue with time, not with a write: once a day, recompute
    the flags of the organisations whose audits have an action that fell due since the day
    before (its due date was yesterday), so the flag is raised the day after it falls due."""
    yesterday = timezone.localdate(now) - timedelta(days=1)
    audits = Audit.objects.filter(
        findings__actions__due_on=yesterday, findings__actions__status="open"
    ).distinct()
    parties: set[int] = set()
    for audit in audits:
        parties |= _audit_parties(audit)
    schedule_everywhere("audit", parties)
    return 0


def organisations_with_inputs() -> set[int]:
    """Organisations holding any record a rule reads: a new edition concerns each of them."""
    found: set[int] = set()
    for model in (Declaration, Lot, Assessment):
        found.update(model.objects.values_list("organisation_id", flat=True).distinct())
    return found


def _edition_saved(instance: Edition, created: bool = False, **_kw: Any) -> None:
    if created:
        schedule_everywhere("edition", organisations_with_inputs())


def _organisations_with_declarations() -> Iterable[int]:
    return Declaration.objects.values_list("organisation_id", flat=True).distinct()


def _after_rematch(outcome: RematchOutcome) -> None:
    schedule_recompute(outcome.organisation_id, "match")


_connected: list[bool] = []


def connect() -> None:
    """Connect the listeners (``RiskConfig.ready``), once."""
    if _connected:
        return
    _connected.append(True)
    listeners = (
        (_declaration_saved, Declaration),
        (_review_saved, MatchReview),
        (_status_saved, AssuranceStatus),
        (_capture_saved, EpcisCapture),
        (_assessment_saved, Assessment),
        (_edition_saved, Edition),
        (_audit_saved, Audit),
        (_action_saved, CorrectiveAction),
        (_grievance_link_saved, CaseLink),
        (_grievance_case_saved, GrievanceCase),
    )
    for listener, model in listeners:
        post_save.connect(
            listener, sender=model, dispatch_uid=f"risk-flags-{model._meta.label_lower}"
        )
    on_rematch(organisations=_organisations_with_declarations)(_after_rematch)
