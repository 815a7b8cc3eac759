"""Children's cases: identify (with consent), assess, plan, give or refer services, follow up,
close. The case's status is derived from what was recorded (``derive_status``), never set by
hand. What identifies the child is sealed (``sealing``) and opened only for the programme's
case workers, each opening logged (``CaseRead``).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Membership
from oretrace.programmes import sealing
from oretrace.programmes.choices import CaseStatus, Remediation
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import CaseRead, ChildCase, FollowUp, Service, Village
from oretrace.programmes.permissions import can_handle_child_cases
from oretrace.programmes.services.setup import Actor

# No 0/O, 1/I/L: a reference is read out over the phone and written by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SERVICE_DAYS = 30  # a service planned today is due within this many days


def new_reference() -> str:
    """A pseudonymous case reference (``CL-7KQ2-M9XA``): random, so it says nothing of the
    child, the village or the order of identification."""
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        reference = f"CL-{code[:4]}-{code[4:]}"
        if not ChildCase.objects.filter(reference=reference).exists():
            return reference


def derive_status(case: ChildCase) -> str:
    """Where the case stands, from its dates, services and follow-ups."""
    if case.closed_on is not None:
        return CaseStatus.CLOSED
    if case.follow_ups.filter(done_on__isnull=False).exists():
        return CaseStatus.FOLLOW_UP
    if case.services.exists():
        return CaseStatus.SERVICES
    if case.plan_on is not None:
        return CaseStatus.CASE_PLAN
    if case.assessed_on is not None:
        return CaseStatus.ASSESSED
    return CaseStatus.IDENTIFIED


def _refresh_status(case: ChildCase, actor: Actor) -> None:
    status = derive_status(case)
    if status != case.status:
        update_and_log(case, actor=actor, status=status)


def _lock(case: ChildCase, actor: Actor) -> ChildCase:
    can_handle_child_cases.require(actor, organisation_id=case.organisation_id)
    locked = ChildCase.objects.select_for_update().get(pk=case.pk)
    if locked.closed_on is not None:
        raise ProgrammeError(_("Case %(ref)s is closed.") % {"ref": locked.reference})
    # Every change to a case passes here: a form filled offline against an older version is
    # refused as a conflict (services.offline), never applied over this change.
    locked.version += 1
    ChildCase.objects.filter(pk=locked.pk).update(version=locked.version)
    return locked


def _not_future(day: date, field: str) -> date:
    if day > timezone.localdate():
        raise ProgrammeError(_("A date in the future cannot be recorded."), field=field)
    return day


@transaction.atomic
def identify(
    village: Village,
    *,
    actor: Actor,
    identity: sealing.Identity,
    age_band: str,
    source: str,
    identified_on: date,
    consent_by: str,
    consent_on: date,
    found_working: bool = True,
) -> ChildCase:
    """Open a case for a child found in (or at risk of) child labour. Who the child is is kept
    only with recorded consent, and only sealed."""
    can_handle_child_cases.require(actor, organisation_id=village.organisation_id)
    if not consent_by.strip():
        raise ProgrammeError(
            _("Record who consented (parent, guardian or the child) before keeping a record."),
            field="consent_by",
        )
    if not identity["name"].strip():
        raise ProgrammeError(_("Write the child's name."), field="name")
    case = ChildCase.objects.create(
        organisation_id=village.organisation_id,
        created_by=getattr(actor, "user", None),
        programme=village.programme,
        village=village,
        reference=new_reference(),
        age_band=age_band,
        source=source,
        identified_on=_not_future(identified_on, "identified_on"),
        found_working=found_working,
        consent_by=consent_by.strip()[:60],
        consent_on=_not_future(consent_on, "consent_on"),
        key_id="",
        sealed=b"",
    )
    sealed = sealing.seal_identity(identity, case_id=case.pk)
    ChildCase.objects.filter(pk=case.pk).update(key_id=sealed.key_id, sealed=sealed.data)
    case.key_id, case.sealed = sealed.key_id, sealed.data
    log_change(case, action=ChangeAction.CREATE, actor=actor)
    return case


@transaction.atomic
def read_identity(
    case: ChildCase, *, actor: Membership, purpose: str = "case page"
) -> sealing.Identity:
    """Open who the child is, for a case worker; the opening is logged."""
    can_handle_child_cases.require(actor, organisation_id=case.organisation_id)
    CaseRead.objects.create(case=case, member=actor, purpose=purpose[:40])
    return sealing.open_identity(case.sealed_text(), case_id=case.pk)


@transaction.atomic
def assess(case: ChildCase, *, actor: Actor, on: date) -> ChildCase:
    """The child's situation was assessed."""
    case = _lock(case, actor)
    update_and_log(case, actor=actor, assessed_on=_not_future(on, "on"))
    _refresh_status(case, actor)
    return case


@transaction.atomic
def make_plan(case: ChildCase, *, actor: Actor, on: date) -> ChildCase:
    """The case plan was agreed (after the assessment); the first follow-up is scheduled."""
    case = _lock(case, actor)
    if case.assessed_on is None:
        raise ProgrammeError(_("Assess the child's situation before the case plan."))
    update_and_log(case, actor=actor, plan_on=_not_future(on, "on"))
    if not case.follow_ups.filter(done_on__isnull=True).exists():
        _schedule(case, on, actor)
    _refresh_status(case, actor)
    return case


def _schedule(case: ChildCase, after: date, actor: Actor) -> FollowUp:
    visit = FollowUp.objects.create(
        case=case, due_on=after + timedelta(days=case.programme.follow_up_days)
    )
    log_change(visit, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    return visit


@transaction.atomic
def add_service(
    case: ChildCase,
    *,
    actor: Actor,
    kind: str,
    planned_on: date,
    referred_to: str = "",
    delivered_on: date | None = None,
) -> Service:
    """A remediation service in the plan, or a referral to a partner organisation."""
    case = _lock(case, actor)
    if case.plan_on is None:
        raise ProgrammeError(_("Agree the case plan before adding services."))
    if kind not in Remediation.values:
        raise ProgrammeError(_("Unknown remediation service %(kind)s.") % {"kind": kind})
    service = Service.objects.create(
        case=case,
        kind=kind,
        referred_to=referred_to.strip()[:200],
        planned_on=planned_on,
        due_on=planned_on + timedelta(days=SERVICE_DAYS),
        delivered_on=_not_future(delivered_on, "delivered_on") if delivered_on else None,
    )
    log_change(service, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    _refresh_status(case, actor)
    return service


@transaction.atomic
def deliver_service(service: Service, *, actor: Actor, on: date) -> Service:
    """The service was given (or the partner confirmed the referral was taken up)."""
    _lock(service.case, actor)
    return update_and_log(
        service, actor=actor, organisation=service.case.organisation, delivered_on=on
    )


@transaction.atomic
def record_follow_up(
    case: ChildCase, *, actor: Actor, done_on: date, still_working: bool
) -> FollowUp:
    """A follow-up visit was made: the earliest one due is done (one is made if none was
    due), and the next is scheduled."""
    case = _lock(case, actor)
    _not_future(done_on, "done_on")
    due = case.follow_ups.filter(done_on__isnull=True).order_by("due_on").first()
    if due is None:
        due = FollowUp.objects.create(case=case, due_on=done_on)
        log_change(due, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    update_and_log(
        due,
        actor=actor,
        organisation=case.organisation,
        done_on=done_on,
        still_working=still_working,
    )
    _schedule(case, done_on, actor)
    _refresh_status(case, actor)
    return due


@transaction.atomic
def close(case: ChildCase, *, actor: Actor, on: date) -> ChildCase:
    """Close the case once its latest follow-ups (as many as the programme asks) found the
    child out of child labour; the follow-up still pending is dropped."""
    case = _lock(case, actor)
    needed = case.programme.follow_ups_to_close
    latest = list(
        case.follow_ups.filter(done_on__isnull=False).order_by("-done_on", "-pk")[:needed]
    )
    if len(latest) < needed or any(v.still_working for v in latest):
        raise ProgrammeError(
            ngettext(
                "A case closes after %(count)d follow-up visit finding the child out of work.",
                "A case closes after %(count)d follow-up visits in a row finding the child "
                "out of work.",
                needed,
            )
            % {"count": needed}
        )
    pending = case.follow_ups.filter(done_on__isnull=True)
    for visit in pending:
        log_change(visit, action=ChangeAction.DELETE, actor=actor, organisation=case.organisation)
    pending.delete()
    update_and_log(case, actor=actor, closed_on=_not_future(on, "on"))
    _refresh_status(case, actor)
    return case
