"""Writes of the risk register: recording an identified risk and changing its status.

Every write checks ``can_manage_risks`` for the entry's organisation, writes in one
transaction with its change-log entry, and keeps the status history (``RiskStatusChange``)
from which the register's trends are drawn. What a risk is about must be something the
organisation sees: its own facility, supplier or lot, or a reference facility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor, acting_member, actor_user
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Country, Membership, Organisation
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.choices import (
    PlanStatus,
    RiskCategory,
    RiskLevel,
    RiskOrigin,
    RiskStatus,
)
from oretrace.risk.exceptions import RegisterError
from oretrace.risk.models import RedFlag, RiskEntry, RiskStatusChange, Score
from oretrace.risk.permissions import can_manage_risks
from oretrace.traceability.models import Lot

Actor = Membership | SystemActor


@dataclass
class Subject:
    """What a risk is about: a facility, a supplier and/or a lot (at least one)."""

    facility: Facility | None = None
    supplier: Supplier | None = None
    lot: Lot | None = None

    def country(self) -> Country | None:
        if self.facility is not None:
            return self.facility.country
        if self.supplier is not None and self.supplier.country_id:
            return self.supplier.country
        if self.lot is not None and self.lot.facility is not None:
            return self.lot.facility.country
        return None


def organisation_of(actor: Actor, organisation: Organisation | None) -> Organisation:
    """The organisation the actor writes for (a member's own; the system names one)."""
    if isinstance(actor, Membership):
        return actor.organisation
    if organisation is None:
        raise RegisterError("organisation", "a system write must name the organisation")
    return organisation


def _check_subject(subject: Subject, actor: Actor, organisation: Organisation) -> None:
    if subject.facility is None and subject.supplier is None and subject.lot is None:
        raise RegisterError("subject", "name the facility, the supplier or the lot at risk")
    for name, row, model in (
        ("facility", subject.facility, Facility),
        ("supplier", subject.supplier, Supplier),
        ("lot", subject.lot, Lot),
    ):
        if row is None:
            continue
        if isinstance(actor, Membership):
            seen = model.objects.for_member(actor).filter(pk=row.pk).exists()
        else:
            seen = getattr(row, "organisation_id", None) in (None, organisation.pk)
        if not seen:
            raise RegisterError(name, f"no {name} #{row.pk} that your organisation sees")


def _raised_by(
    flag: RedFlag | Score, field: str, named: str, owner: Organisation, subject: Subject
) -> Subject:
    """The subject of a risk a red flag or a score raised: the flag's (score's) unless given;
    another organisation's flag or score is refused."""
    if flag.organisation_id != owner.pk:
        raise RegisterError(field, f"no {named} of your organisation")
    if subject.facility or subject.supplier or subject.lot:
        return subject
    return Subject(flag.facility, flag.supplier, flag.lot)


def _check_choice(field: str, value: str, choices: type[Any]) -> None:
    if value not in choices.values:
        raise RegisterError(field, f"{value!r} is not one of {', '.join(choices.values)}")


def _check_origin(origin: str, reference: str, reason: str) -> None:
    _check_choice("origin", origin, RiskOrigin)
    if origin == RiskOrigin.MANUAL and not reason.strip():
        raise RegisterError("reason", "say why this risk is entered by hand")
    if origin != RiskOrigin.MANUAL and not reference.strip():
        raise RegisterError("origin_reference", "name the red flag or score that raised it")


@transaction.atomic
def record_risk(
    *,
    actor: Actor,
    title: str,
    category: str,
    subject: Subject,
    origin: str = RiskOrigin.MANUAL,
    origin_reference: str = "",
    reason: str = "",
    level: str = RiskLevel.HIGH,
    country: Country | None = None,
    region_code: str = "",
    identified_on: date | None = None,
    organisation: Organisation | None = None,
    red_flag: RedFlag | None = None,
    score: Score | None = None,
) -> RiskEntry:
    """Put an identified risk on the organisation's register, open. From a red flag (or a
    score), the flag's (the score's) subject, and the flag's country and region, are the
    risk's unless given."""
    owner = organisation_of(actor, organisation)
    can_manage_risks.require(actor, organisation_id=owner.pk)
    if score is not None:
        subject = _raised_by(score, "score", f"risk score #{score.pk}", owner, subject)
        origin = RiskOrigin.SCORE
        origin_reference = origin_reference or f"score #{score.pk} ({score.total}, {score.level})"
    if red_flag is not None:
        subject = _raised_by(red_flag, "red_flag", f"red flag #{red_flag.pk}", owner, subject)
        origin = RiskOrigin.RED_FLAG
        origin_reference = origin_reference or f"red flag #{red_flag.pk} ({red_flag.rule})"
        country = country or red_flag.country
        region_code = region_code or red_flag.region
    if not title.strip():
        raise RegisterError("title", "give the risk a short title")
    _check_choice("category", category, RiskCategory)
    _check_choice("level", level, RiskLevel)
    _check_origin(origin, origin_reference, reason)
    _check_subject(subject, actor, owner)
    region_code = region_code.strip().upper()
    country = country or subject.country()
    if region_code and (country is None or not region_code.startswith(f"{country.code}-")):
        raise RegisterError("region_code", f"{region_code} is not a region of the risk's country")
    today = identified_on or timezone.localdate()
    entry = RiskEntry.objects.create(
        organisation=owner,
        created_by=actor_user(actor),
        title=title.strip()[:200],
        category=category,
        level=level,
        facility=subject.facility,
        supplier=subject.supplier,
        lot=subject.lot,
        country=country,
        region_code=region_code,
        origin=origin,
        red_flag=red_flag,
        score=score,
        origin_reference=origin_reference.strip()[:100],
        reason=reason.strip(),
        identified_on=today,
    )
    _history(entry, RiskStatus.OPEN, "", today, actor, "")
    log_change(entry, action=ChangeAction.CREATE, actor=actor)
    return entry


def _history(
    entry: RiskEntry, status: str, previous: str, on: date, actor: Actor, note: str
) -> None:
    RiskStatusChange.objects.create(
        entry=entry,
        status=status,
        previous=previous,
        changed_on=on,
        changed_by=acting_member(actor),
        note=note,
    )


def set_status(entry: RiskEntry, status: str, *, actor: Actor, on: date, note: str = "") -> None:
    """Move the entry to ``status`` and keep the change (inside the caller's transaction)."""
    if entry.status == status:
        return
    previous = entry.status
    update_and_log(entry, actor=actor, status=status)
    _history(entry, status, previous, on, actor, note)


@transaction.atomic
def change_status(
    entry: RiskEntry, *, status: str, actor: Actor, note: str = "", on: date | None = None
) -> RiskEntry:
    """Open, manage or close a risk by hand. A risk is managed under an adopted plan: it
    cannot be marked managed without one, nor closed or reopened while one is in force."""
    can_manage_risks.require(actor, organisation_id=entry.organisation_id)
    _check_choice("status", status, RiskStatus)
    if status == entry.status:
        raise RegisterError("status", f"the risk is already {entry.get_status_display()}")
    plan = getattr(entry, "plan", None)
    in_force = plan is not None and plan.status == PlanStatus.ADOPTED
    if status == RiskStatus.MANAGED and not in_force:
        raise RegisterError("status", "a risk is managed under a plan: adopt a Step-3 plan first")
    if status != RiskStatus.MANAGED and in_force:
        raise RegisterError("status", "the risk has a plan in force: close the plan instead")
    if status == RiskStatus.CLOSED and not note.strip():
        raise RegisterError("note", "say why the risk is closed")
    set_status(entry, status, actor=actor, on=on or timezone.localdate(), note=note.strip())
    return entry


@transaction.atomic
def update_risk(entry: RiskEntry, *, actor: Actor, **changes: Any) -> RiskEntry:
    """Change the title, level, category or reason of an entry (not what it is about)."""
    can_manage_risks.require(actor, organisation_id=entry.organisation_id)
    allowed = {"title", "level", "category", "reason"}
    unknown = set(changes) - allowed
    if unknown:
        raise RegisterError(sorted(unknown)[0], "cannot be changed on a register entry")
    if "title" in changes and not str(changes["title"]).strip():
        raise RegisterError("title", "give the risk a short title")
    if "level" in changes:
        _check_choice("level", changes["level"], RiskLevel)
    if "category" in changes:
        _check_choice("category", changes["category"], RiskCategory)
    if entry.origin == RiskOrigin.MANUAL and not str(changes.get("reason", "x")).strip():
        raise RegisterError("reason", "say why this risk is entered by hand")
    return update_and_log(entry, actor=actor, **changes)
