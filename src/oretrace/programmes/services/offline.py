"""Forms filled on a phone without a network, sent when a connection returns.

The phone keeps each form with a key it generated (a UUID) and the version of what the form was
filled against, and sends it here when it can. Each key is written once: the first answer is kept
(``SyncReceipt``) and a replay of the key answers it again without writing anything. A form
filled against a record that changed on the server since is refused as a ``SyncConflict``
carrying what the server now holds, for the field officer to choose; it is never applied over
the change. The writes themselves are the programme's own services (``record_visit``,
``record_follow_up``), with their permission checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned_by
from oretrace.programmes import catalogue
from oretrace.programmes.exceptions import ProgrammeError, SyncConflict
from oretrace.programmes.models import ChildCase, MonitoringVisit, SyncReceipt, Village
from oretrace.programmes.permissions import can_handle_child_cases, can_run_programmes
from oretrace.programmes.services.cases import record_follow_up
from oretrace.programmes.services.monitoring import record_visit

VISIT = "visit"
FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class Synced:
    """What a queued form became; ``replayed`` when the key had been sent before."""

    result: dict[str, Any]
    replayed: bool


def latest_visit(village: Village) -> int:
    """The version a monitoring-visit form is filled against: the village's latest visit."""
    return village.visits.aggregate(latest=Max("pk"))["latest"] or 0


def purge_receipts(*, today: date) -> int:
    """Delete the receipts older than ``ORETRACE_PROGRAMME_SYNC_KEEP_DAYS``; how many. A phone
    that sends an older form again meets the services' own checks (one visit a village a day,
    a follow-up against the case's version) and gets a conflict, never a second write."""
    cutoff = today - timedelta(days=settings.ORETRACE_PROGRAMME_SYNC_KEEP_DAYS)
    deleted, _kinds = SyncReceipt.objects.filter(created_at__date__lt=cutoff).delete()
    return deleted


def _once(
    key: uuid.UUID,
    kind: str,
    actor: Membership,
    organisation_id: int,
    write: Callable[[], dict[str, Any]],
) -> Synced:
    """Run ``write`` for ``key`` unless it ran before; the receipt is claimed first, in the same
    transaction, so that two sends of one key at once write once (the second waits for the
    first and answers its result)."""
    kept = owned_by(SyncReceipt.objects.filter(key=key), organisation_id).first()
    if kept is None:
        try:
            with transaction.atomic():
                receipt = SyncReceipt.objects.create(
                    organisation_id=organisation_id,
                    created_by=actor.user,
                    member=actor,
                    key=key,
                    kind=kind,
                )
                receipt.result = write()
                receipt.save(update_fields=["result", "updated_at"])
                return Synced(receipt.result, replayed=False)
        except IntegrityError:
            kept = owned_by(SyncReceipt.objects.filter(key=key), organisation_id).first()
            if kept is None:
                raise
    if kept.kind != kind:
        raise ProgrammeError(
            _("This key was already used for another form; generate a new one."), field="key"
        )
    return Synced(kept.result, replayed=True)


def sync_visit(
    village: Village,
    *,
    actor: Membership,
    key: uuid.UUID,
    base: int | None,
    visited_on: date,
    values: Mapping[str, Decimal | None],
    evidence: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Synced:
    """A monitoring visit recorded offline. ``base`` is the village's latest visit when the
    form was loaded: a visit to the same village on the same day recorded since then is a
    conflict (two officers, or one form sent twice under two keys), not a second visit."""
    can_run_programmes.require(actor, organisation_id=village.organisation_id)

    def write() -> dict[str, Any]:
        if base is not None:
            twin = (
                village.visits.filter(pk__gt=base, visited_on=visited_on)
                .prefetch_related("values")
                .first()
            )
            if twin is not None:
                raise SyncConflict(
                    _("A visit to %(village)s on this day was recorded since you filled the form.")
                    % {"village": village.name},
                    server=_visit_facts(twin),
                    base=latest_visit(village),
                )
        visit = record_visit(
            village,
            actor=actor,
            visited_on=visited_on,
            values=values,
            evidence=evidence,
            latitude=latitude,
            longitude=longitude,
        )
        return {"kind": VISIT, "id": visit.pk, "village": village.pk, "version": visit.pk}

    return _once(key, VISIT, actor, village.organisation_id, write)


def sync_follow_up(
    case: ChildCase,
    *,
    actor: Membership,
    key: uuid.UUID,
    base: int,
    done_on: date,
    still_working: bool,
) -> Synced:
    """A child's follow-up visit recorded offline against the case's version ``base``; a case
    changed since (another follow-up, a service, closing) is a conflict."""
    can_handle_child_cases.require(actor, organisation_id=case.organisation_id)

    def write() -> dict[str, Any]:
        current = ChildCase.objects.select_for_update().get(pk=case.pk)
        if current.version != base:
            raise SyncConflict(
                _("Case %(ref)s changed on the server since you filled the form.")
                % {"ref": current.reference},
                server=_case_facts(current),
                base=current.version,
            )
        visit = record_follow_up(current, actor=actor, done_on=done_on, still_working=still_working)
        current.refresh_from_db(fields=["version"])
        return {"kind": FOLLOW_UP, "id": visit.pk, "case": case.pk, "version": current.version}

    return _once(key, FOLLOW_UP, actor, case.organisation_id, write)


def _visit_facts(visit: MonitoringVisit) -> list[tuple[str, str]]:
    indicator_set = catalogue.latest(visit.indicator_set)
    language = translation.get_language() or "en"  # the reader's, as the visit's page shows
    titles = {i.code: i.title(language) for i in indicator_set.indicators} if indicator_set else {}
    facts = [(_("Visited on"), visit.visited_on.isoformat())]
    facts += [(titles.get(v.indicator, v.indicator), f"{v.value}") for v in visit.values.all()]
    if visit.evidence:
        facts.append((_("Evidence"), visit.evidence))
    return facts


def _case_facts(case: ChildCase) -> list[tuple[str, str]]:
    facts = [(_("Status"), str(case.get_status_display()))]
    for visit in case.follow_ups.filter(done_on__isnull=False).order_by("-done_on", "-pk")[:2]:
        found = _("still working") if visit.still_working else _("no longer working")
        facts.append((_("Follow-up visit made"), f"{visit.done_on:%Y-%m-%d} · {found}"))
    due = case.follow_ups.filter(done_on__isnull=True).order_by("due_on").first()
    if due is not None:
        facts.append((_("Next follow-up due"), f"{due.due_on:%Y-%m-%d}"))
    if case.closed_on is not None:
        facts.append((_("Closed"), f"{case.closed_on:%Y-%m-%d}"))
    return facts
