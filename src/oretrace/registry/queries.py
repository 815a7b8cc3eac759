"""Reads of the registry that pages and the API share; all scoped to the acting member."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oretrace.core.models import Membership
from oretrace.registry.choices import FacilityKind
from oretrace.registry.matching import normalise
from oretrace.registry.models import AssuranceStatus, Facility, FacilityName, ReferenceImport
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


def _identifier_hits(q: str, organisation_id: int) -> list[int]:
    hits = []
    for scheme in ("rmi_cid", "cfsi_legacy", "lei", "gln"):
        try:
            clean_identifier(scheme, q)
        except ValueError:
            continue
        facility = find_by_identifier(scheme, q, organisation_id=organisation_id)
        if facility is not None:
            hits.append(facility.pk)
    return hits


def search_facilities(member: Membership, f: FacilityFilter) -> QuerySet[Facility]:
    """Facilities the member may see, by any name in any script, identifier, place, mineral,
    kind or current status; merged duplicates are left out (their survivor stands for them)."""
    facilities = Facility.objects.for_member(member).live()
    if f.q.strip():
        text = f.q.strip()
        key = normalise(text)
        by_name = FacilityName.objects.filter(
            Q(name__icontains=text) | (Q(normalised__contains=key) if key else Q(pk__in=[]))
        ).values("facility_id")
        facilities = facilities.filter(
            Q(pk__in=by_name)
            | Q(pk__in=_identifier_hits(text, member.organisation_id))
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
    return facilities.distinct().select_related("country", "subdivision").order_by("name")


def _latest_per_scheme(
    entries: QuerySet[AssuranceStatus],
) -> dict[tuple[int, str], AssuranceStatus]:
    """(facility, scheme) → the entry with the latest effective date: the current status."""
    current: dict[tuple[int, str], AssuranceStatus] = {}
    for entry in entries.order_by("effective_on", "id"):
        current[(entry.facility_id, entry.scheme)] = entry
    return current


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


def reference_imports_for(member: Membership) -> QuerySet[ReferenceImport]:
    """The reference lists a member's registry holds: the shared ones and the organisation's
    own, newest first."""
    return ReferenceImport.objects.filter(
        Q(shared=True) | Q(shared=False, organisation_id=member.organisation_id)
    ).order_by("-created_at")


def reference_list_overview() -> QuerySet[ReferenceImport]:
    """Every reference list loaded on the platform, for the operator (staff) only."""
    return ReferenceImport.objects.select_related("organisation", "created_by").order_by(
        "-shared", "-created_at"
    )


def registry_is_empty(member: Membership) -> bool:
    """True when the member's organisation has no smelter or refiner to match against (none
    shared, none of its own, none shared with it): every smelter row of an imported CMRT
    would then wait in the review queue."""
    return not (
        Facility.objects.for_member(member).live().filter(kind=FacilityKind.SMELTER).exists()
    )
