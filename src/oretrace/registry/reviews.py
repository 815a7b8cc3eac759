"""Matching names to facilities for a member, and the review queue for what stays uncertain.

The engine (``registry.matching``) is pure; this module feeds it the facilities a member may
see, keeps one built index per organisation while the registry is unchanged, and records
review items and decisions through services with change-log entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Grant, Membership
from oretrace.registry.choices import MatchOutcome, NameKind, ReviewStatus
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.matching import Candidate, Matcher, MatchResult
from oretrace.registry.models import Facility, FacilityIdentifier, FacilityName, MatchReview
from oretrace.registry.permissions import can_review_matches
from oretrace.registry.services import _add_name, create_facility, resolve

_CACHE_SIZE = 16
_cache: OrderedDict[tuple, Matcher] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class NameQuery:
    name: str
    metal: str = ""
    country: str = ""
    identifier: str = ""


def _signature(member: Membership) -> tuple:
    """Changes whenever anything the member's matcher is built from changes."""
    names = FacilityName.objects.aggregate(n=Count("id"), last=Max("id"))
    ids = FacilityIdentifier.objects.aggregate(n=Count("id"), last=Max("id"))
    facilities = Facility.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    grants = Grant.objects.filter(grantee_id=member.organisation_id).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (
        member.organisation_id,
        *names.values(),
        *ids.values(),
        *facilities.values(),
        *grants.values(),
    )


def build_candidates(member: Membership) -> list[Candidate]:
    """One candidate per (name, mineral) of every live facility the member may see."""
    facilities = Facility.objects.for_member(member).live()
    metals: dict[int, list[str]] = {}
    for fid, code in facilities.values_list("pk", "minerals__code"):
        metals.setdefault(fid, [])
        if code:
            metals[fid].append(code)
    identifiers: dict[int, list[str]] = {}
    for fid, value in FacilityIdentifier.objects.filter(facility__in=facilities).values_list(
        "facility_id", "value"
    ):
        identifiers.setdefault(fid, []).append(value)
    countries = dict(facilities.values_list("pk", "country_id"))
    rows = (
        FacilityName.objects.for_member(member)
        .filter(facility__in=facilities)
        .values_list("facility_id", "name")
    )
    return [
        Candidate(
            facility_id=fid,
            name=name,
            metal=metal,
            country=countries[fid],
            identifiers=tuple(identifiers.get(fid, ())),
        )
        for fid, name in rows
        for metal in (metals.get(fid) or [""])
    ]


def matcher_for(member: Membership) -> Matcher:
    """The member's matcher, rebuilt only when the registry changed since it was built."""
    key = _signature(member)
    with _cache_lock:
        matcher = _cache.get(key)
        if matcher is not None:
            _cache.move_to_end(key)
            return matcher
    matcher = Matcher(build_candidates(member))
    with _cache_lock:
        _cache[key] = matcher
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return matcher


def match_names(
    member: Membership,
    queries: list[NameQuery],
    *,
    queue_reviews: bool = False,
    origin: str = "",
) -> list[MatchResult]:
    """Match many names at once; uncertain ones optionally go to the review queue."""
    if queue_reviews:
        can_review_matches.require(member)
    results = matcher_for(member).match_many(
        [(q.name, q.metal, q.country, q.identifier) for q in queries]
    )
    if queue_reviews:
        for query, result in zip(queries, results, strict=True):
            if result.outcome == MatchOutcome.REVIEW:
                queue_review(member, query, result, origin=origin)
    return results


def _require_reviewer(actor: Membership | SystemActor, review: MatchReview | None = None) -> None:
    if isinstance(actor, SystemActor):
        return
    if review is not None and review.organisation_id != actor.organisation_id:
        raise PermissionDenied("this review belongs to another organisation")
    can_review_matches.require(actor)


@transaction.atomic
def queue_review(
    member: Membership, query: NameQuery, result: MatchResult, *, origin: str = ""
) -> MatchReview:
    """Put an uncertain name in the organisation's queue (once while it is open)."""
    existing = MatchReview.objects.filter(
        organisation_id=member.organisation_id,
        status=ReviewStatus.OPEN,
        query=query.name,
        metal=query.metal,
        country=query.country,
        identifier=query.identifier,
    ).first()
    if existing is not None:
        return existing
    review = MatchReview.objects.create(
        organisation=member.organisation,
        created_by=member.user,
        query=query.name[:300],
        metal=query.metal,
        country=query.country[:2],
        identifier=query.identifier[:100],
        origin=origin[:300],
        candidates=[
            {
                "facility_id": c.facility_id,
                "score": round(c.score, 2),
                "matched_name": c.matched_name,
            }
            for c in result.candidates
        ],
    )
    log_change(review, action=ChangeAction.CREATE, actor=member)
    return review


def _decide(
    review: MatchReview, status: str, facility: Facility | None, actor: Membership | SystemActor
) -> MatchReview:
    if review.status != ReviewStatus.OPEN:
        raise RegistryError(
            f"review #{review.pk} was already decided ({review.get_status_display().lower()})"
        )
    before = snapshot(review)
    review.status, review.facility = status, facility
    review.decided_by = None if isinstance(actor, SystemActor) else actor.user
    review.decided_at = timezone.now()
    review.save()
    log_change(review, action=ChangeAction.UPDATE, actor=actor, before=before)
    return review


@transaction.atomic
def confirm_review(review: MatchReview, *, facility: Facility, actor: Membership) -> MatchReview:
    """Confirm the name means ``facility``; it becomes the organisation's alias for it."""
    _require_reviewer(actor, review)
    if not Facility.objects.for_member(actor).filter(pk=facility.pk).exists():
        raise RegistryError(f"facility #{facility.pk} is not visible to {actor.organisation}")
    facility = resolve(facility)
    _add_name(
        facility,
        review.query,
        NameKind.ALIAS,
        "",
        f"confirmed in review #{review.pk}",
        actor,
        organisation=actor.organisation,
    )
    return _decide(review, ReviewStatus.CONFIRMED, facility, actor)


@transaction.atomic
def reject_review(review: MatchReview, *, actor: Membership) -> MatchReview:
    """None of the candidates is right and no facility should be created."""
    _require_reviewer(actor, review)
    return _decide(review, ReviewStatus.REJECTED, None, actor)


@transaction.atomic
def create_from_review(
    review: MatchReview, *, actor: Membership, kind: str, country: str, **details: Any
) -> MatchReview:
    """The name is a facility the registry lacks: record it for the organisation."""
    _require_reviewer(actor, review)
    minerals = [review.metal] if review.metal else []
    facility = create_facility(
        actor=actor,
        kind=kind,
        name=review.query,
        country=country,
        minerals=minerals,
        source=f"created in review #{review.pk}",
        **details,
    )
    return _decide(review, ReviewStatus.CREATED, facility, actor)
