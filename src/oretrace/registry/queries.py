"""Reads of the registry that pages and the API share; all scoped to the acting member."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from oretrace.core.models import Membership, Mineral
from oretrace.core.tenancy import scope_to_member, scope_to_organisation
from oretrace.registry.choices import FacilityKind, ReviewStatus
from oretrace.registry.matching import normalise
from oretrace.registry.models import (
    AssuranceStatus,
    Facility,
    FacilityName,
    MatchReview,
    ReferenceImport,
)
from oretrace.registry.services import find_by_identifier
from oretrace.registry.validators import clean_identifier


class FacilityFilter(BaseModel):
    """What a facility search asks for (the API reads it from the query string as it is)."""

    model_config = ConfigDict(frozen=True)

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
    return headline_statuses_for_organisation(facility_ids, member.organisation_id)


def headline_statuses_for_organisation(
    facility_ids: Iterable[int], organisation_id: int
) -> dict[int, str]:
    """``headline_statuses`` as any member of the organisation sees them: for work done on its
    behalf without a member at hand (a re-matching job refreshing red-flag counts)."""
    visible = scope_to_organisation(
        Facility.objects.all(), organisation_id, public=Q(organisation__isnull=True)
    )
    history = AssuranceStatus.objects.filter(
        facility__in=visible, facility_id__in=set(facility_ids)
    ).filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))
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


# --- the review queue ---------------------------------------------------------------------------

# Score bands a reviewer filters the queue by, and the scores from which one may confirm in
# bulk (never below the engine's review threshold: below it, names are barely alike).
SCORE_BANDS = {"90": (90.0, None), "80": (80.0, 90.0), "70": (70.0, 80.0), "60": (60.0, 70.0)}
AGE_DAYS = (7, 30, 90)


@dataclass(frozen=True)
class ReviewFacet:
    """A filter of the review queue that another app provides (the declarations' supplier):
    its choices for a member, and how a chosen value narrows the queue."""

    key: str
    label: Any
    choices: Callable[[Membership], list[tuple[str, str]]]
    narrow: Callable[[QuerySet[MatchReview], str], QuerySet[MatchReview]]


_facets: dict[str, ReviewFacet] = {}


def register_review_facet(facet: ReviewFacet) -> None:
    _facets[facet.key] = facet


def review_facets() -> list[ReviewFacet]:
    return list(_facets.values())


@dataclass(frozen=True)
class ReviewFilter:
    metal: str = ""
    score: str = ""  # a key of SCORE_BANDS, or ""
    older_than: int | None = None  # days waiting
    review: int | None = None  # one review (a link from a declaration's row)
    facets: tuple[tuple[str, str], ...] = ()  # (facet key, value)

    @property
    def active(self) -> bool:
        return bool(self.metal or self.score or self.older_than or self.review or self.facets)


def open_reviews(member: Membership) -> QuerySet[MatchReview]:
    """The organisation's names waiting for a decision, best score first, then oldest."""
    return scope_to_member(MatchReview.objects.all(), member).filter(status=ReviewStatus.OPEN)


def review_queue(member: Membership, f: ReviewFilter) -> QuerySet[MatchReview]:
    """Open reviews narrowed by the filter, highest best score first, then oldest first."""
    queue = open_reviews(member)
    if f.review:
        queue = queue.filter(pk=f.review)
    if f.metal:
        queue = queue.filter(metal=f.metal)
    if f.score in SCORE_BANDS:
        low, high = SCORE_BANDS[f.score]
        queue = queue.filter(best_score__gte=low)
        if high is not None:
            queue = queue.filter(best_score__lt=high)
    elif f.score == "low":
        queue = queue.filter(Q(best_score__lt=60) | Q(best_score__isnull=True))
    if f.older_than:
        queue = queue.filter(created_at__lt=timezone.now() - timedelta(days=f.older_than))
    for key, value in f.facets:
        if key in _facets and value:
            queue = _facets[key].narrow(queue, value)
    return queue.order_by(F("best_score").desc(nulls_last=True), "created_at", "pk")


def review_metals(member: Membership) -> list[tuple[str, str]]:
    """(code, name) of the metals of the open reviews, for the metal filter's choices."""
    codes = set(open_reviews(member).exclude(metal="").values_list("metal", flat=True))
    names = dict(Mineral.objects.filter(code__in=codes).values_list("code", "name"))
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda c: c[1])


def bulk_candidates(queue: QuerySet[MatchReview], min_score: float) -> list[MatchReview]:
    """The reviews of ``queue`` that a bulk confirmation at ``min_score`` would settle: the best
    candidate scores at least that, is of the name's own metal, and is the only one at its
    score (two facilities with the same best score need a person)."""
    chosen = []
    for review in queue.filter(best_score__gte=min_score).order_by("pk"):
        candidates = review.candidates
        if not candidates or candidates[0].get("other_metal"):
            continue
        if len(candidates) > 1 and candidates[1]["score"] >= candidates[0]["score"]:
            continue
        chosen.append(review)
    return chosen


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
