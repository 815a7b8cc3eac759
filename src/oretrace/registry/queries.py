"""Reads of the registry that pages and the API share; all scoped to the acting member."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oretrace.core.models import Membership
from oretrace.registry.matching import normalise
from oretrace.registry.models import AssuranceStatus, Facility, FacilityName
from oretrace.registry.services import find_by_identifier
from oretrace.registry.validators import clean_identifier


@dataclass(frozen=True)
class FacilityFilter:
    q: str = ""
    country: str = ""
    subdivision: str = ""
    mineral: str = ""
    kind: str = ""
    status: str = ""
    reference: bool | None = None


def _identifier_hits(q: str) -> list[int]:
    hits = []
    for scheme in ("rmi_cid", "cfsi_legacy", "lei", "gln"):
        try:
            clean_identifier(scheme, q)
        except ValueError:
            continue
        facility = find_by_identifier(scheme, q)
        if facility is not None:
            hits.append(facility.pk)
    return hits


def _named_with_every_word(key: str) -> QuerySet[Facility, int]:
    """Facilities whose names hold every word of the normalised query, in any order and in any
    of their names ("Giridih Unit 1" finds "Giridih Mica Processing — Unit 1"); a script
    written without spaces is one word, found inside a name."""
    found = Facility.objects.all()
    for word in key.split()[:12]:
        holding = FacilityName.objects.filter(normalised__contains=word).values("facility_id")
        found = found.filter(pk__in=holding)
    return (found if key else found.none()).values_list("pk", flat=True)


def search_facilities(member: Membership, f: FacilityFilter) -> QuerySet[Facility]:
    """Facilities the member may see, by any name in any script, identifier, place, mineral,
    kind or current status; merged duplicates are left out (their survivor stands for them)."""
    facilities = Facility.objects.for_member(member).live()
    if f.q.strip():
        text = f.q.strip()
        by_name = FacilityName.objects.filter(name__icontains=text).values("facility_id")
        facilities = facilities.filter(
            Q(pk__in=by_name)
            | Q(pk__in=_named_with_every_word(normalise(text)))
            | Q(pk__in=_identifier_hits(text))
            | Q(identifiers__value__iexact=text)
        )
    if f.country:
        facilities = facilities.filter(country_id=f.country.upper())
    if f.subdivision:
        facilities = facilities.filter(subdivision_id=f.subdivision.upper())
    if f.mineral:
        facilities = facilities.filter(minerals__code=f.mineral.lower())
    if f.kind:
        facilities = facilities.filter(kind=f.kind)
    if f.reference is not None:
        facilities = facilities.filter(organisation__isnull=f.reference)
    if f.status:
        facilities = facilities.filter(pk__in=_with_current_status(member, f.status))
    return (
        facilities.distinct()
        .select_related("country", "subdivision", "organisation")
        .order_by("name")
    )


def _latest_per_scheme(
    entries: QuerySet[AssuranceStatus],
) -> dict[tuple[int, str], AssuranceStatus]:
    """(facility, scheme) → the entry with the latest effective date: the current status."""
    current: dict[tuple[int, str], AssuranceStatus] = {}
    for entry in entries.order_by("effective_on", "id"):
        current[(entry.facility_id, entry.scheme)] = entry
    return current


def status_choices(member: Membership) -> list[str]:
    """The assurance statuses in the member's view of the registry, for a filter's choices."""
    statuses = AssuranceStatus.objects.for_member(member).values_list("status", flat=True)
    return sorted(set(statuses), key=str.casefold)


def _with_current_status(member: Membership, status: str) -> list[int]:
    wanted = status.casefold()
    current = _latest_per_scheme(AssuranceStatus.objects.for_member(member))
    return sorted({fid for (fid, _s), e in current.items() if e.status.casefold() == wanted})


def current_statuses(facility: Facility, member: Membership) -> list[AssuranceStatus]:
    """The latest entry per scheme, derived from the history (never stored twice)."""
    history = AssuranceStatus.objects.for_member(member).filter(facility=facility)
    return sorted(_latest_per_scheme(history).values(), key=lambda e: e.scheme)


# Statuses that count as conformant: RMAP's, and the schemes RMI cross-recognises.
CONFORMANT = frozenset({"conformant", "cross-recognized", "cross-recognised"})


def headline_statuses(facility_ids: Iterable[int], member: Membership) -> dict[int, str]:
    """One current status per facility for lists and roll-ups: a conformant one if any scheme
    has it, else the current status of some scheme; facilities without any are left out."""
    history = AssuranceStatus.objects.for_member(member).filter(facility_id__in=set(facility_ids))
    result: dict[int, str] = {}
    for (fid, _scheme), entry in _latest_per_scheme(history).items():
        if fid not in result or entry.status.casefold() in CONFORMANT:
            result[fid] = entry.status
    return result


def status_history(facility: Facility, member: Membership) -> QuerySet[AssuranceStatus]:
    return (
        AssuranceStatus.objects.for_member(member)
        .filter(facility=facility)
        .order_by("scheme", "-effective_on", "-id")
    )
