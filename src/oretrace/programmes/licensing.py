"""A licence's status on a day, read from its history, and the formalisation indicator.

Plain functions over plain rows (``Change``), so the hand-computed cases of the tests are the
whole story: a status holds from its effective day until a later change; a granted licence
whose expiry day has passed reads as expired; a facility with no change recorded by the day
has no licence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from oretrace.programmes.choices import LicenceStatus


@dataclass(frozen=True)
class Change:
    """One entry of a facility's licence history, as the computation needs it."""

    facility_id: int
    status: str
    effective_on: date
    expires_on: date | None
    order: int = 0  # breaks ties on the same day: the later recorded wins


def status_on(history: Iterable[Change], day: date) -> str:
    """The status on ``day``: the latest change in effect by then; expired past a granted
    licence's expiry day (the licence is valid on its expiry day itself)."""
    in_effect = [c for c in history if c.effective_on <= day]
    if not in_effect:
        return LicenceStatus.NONE
    latest = max(in_effect, key=lambda c: (c.effective_on, c.order))
    if (
        latest.status == LicenceStatus.GRANTED
        and latest.expires_on is not None
        and latest.expires_on < day
    ):
        return LicenceStatus.EXPIRED
    return latest.status


@dataclass(frozen=True)
class Formalisation:
    """How many facilities there were and how many held a granted, unexpired licence."""

    facilities: int
    licensed: int
    by_status: dict[str, int]

    @property
    def share(self) -> Decimal | None:
        """Percent licensed, one decimal; None when there is no facility to count."""
        if not self.facilities:
            return None
        return (Decimal(100) * self.licensed / self.facilities).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def formalisation(
    facility_ids: Iterable[int], history: Iterable[Change], day: date
) -> Formalisation:
    """The facilities' licence statuses on ``day``, counted."""
    by_facility: dict[int, list[Change]] = {fid: [] for fid in facility_ids}
    for change in history:
        if change.facility_id in by_facility:
            by_facility[change.facility_id].append(change)
    counts = dict.fromkeys(LicenceStatus.values, 0)
    for changes in by_facility.values():
        counts[status_on(changes, day)] += 1
    return Formalisation(len(by_facility), counts[LicenceStatus.GRANTED], counts)
