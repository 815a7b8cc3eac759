"""Matching names to facilities for a member, and the review queue for what stays uncertain.

The engine (``registry.matching``) is pure; this module feeds it the facilities a member may
see, keeps one built index per organisation while the registry is unchanged, and records
review items and decisions through services with change-log entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction, JobStatus
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.jobs import start_job
from oretrace.core.models import Grant, Job, Membership, Organisation
from oretrace.core.progress import Progress, no_progress
from oretrace.core.stored_text import StoredText
from oretrace.core.tenancy import owned, owned_by, scope_to_organisation
from oretrace.registry.choices import IdentifierScheme, MatchOutcome, NameKind, ReviewStatus
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.matching import DEFAULT_THRESHOLDS, Candidate, Matcher, MatchResult
from oretrace.registry.models import Facility, FacilityIdentifier, FacilityName, MatchReview
from oretrace.registry.permissions import can_review_matches
from oretrace.registry.services import (
    _add_name,
    add_identifier,
    create_facility,
    find_by_identifier,
    resolve,
)
from oretrace.registry.validators import clean_identifier

_CACHE_SIZE = 16
# What a matcher was built from: the organisation, and the counts and latest ids or times of
# the rows it reads (any change to them changes the signature).
Signature = tuple[object, ...]
_cache: OrderedDict[Signature, Matcher] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class NameQuery:
    name: str
    metal: str = ""
    country: str = ""
    identifier: str = ""


def _signature(organisation_id: int) -> Signature:
    """Changes whenever anything the organisation's matcher is built from changes."""
    names = FacilityName.objects.aggregate(n=Count("id"), last=Max("id"))
    ids = FacilityIdentifier.objects.aggregate(n=Count("id"), last=Max("id"))
    facilities = Facility.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    grants = Grant.objects.filter(grantee_id=organisation_id).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (
        organisation_id,
        *names.values(),
        *ids.values(),
        *facilities.values(),
        *grants.values(),
    )


def build_candidates(member: Membership) -> list[Candidate]:
    """One candidate per (name, mineral) of every live facility the member may see."""
    return build_candidates_for(member.organisation_id)


def build_candidates_for(organisation_id: int) -> list[Candidate]:
    """One candidate per (name, mineral) of every live facility the organisation's members see:
    for work done on its behalf without a member at hand (re-matching in a job)."""
    facilities = scope_to_organisation(
        Facility.objects.live(), organisation_id, public=Q(organisation__isnull=True)
    )
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
        FacilityName.objects.filter(facility__in=facilities)
        .filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))
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
    return matcher_for_organisation(member.organisation_id)


def matcher_for_organisation(organisation_id: int) -> Matcher:
    """The matcher of the organisation's view of the registry, rebuilt only when the registry
    changed since it was built."""
    key = _signature(organisation_id)
    with _cache_lock:
        matcher = _cache.get(key)
        if matcher is not None:
            _cache.move_to_end(key)
            return matcher
    matcher = Matcher(build_candidates_for(organisation_id))
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


def candidates_json(result: MatchResult) -> list[dict[str, Any]]:
    """A result's candidates as a review keeps them, best first."""
    return [
        {
            "facility_id": c.facility_id,
            "score": round(c.score, 2),
            "matched_name": c.matched_name,
            **({"other_metal": True} if c.other_metal else {}),
        }
        for c in result.candidates
    ]


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
    existing: MatchReview | None = (
        owned(MatchReview.objects.all(), member)
        .filter(
            status=ReviewStatus.OPEN,
            query=query.name,
            metal=query.metal,
            country=query.country,
            identifier=query.identifier,
        )
        .first()
    )
    if existing is not None:
        return existing
    review = MatchReview(
        organisation=member.organisation,
        created_by=member.user,
        query=query.name[:300],
        metal=query.metal,
        country=query.country[:2],
        identifier=query.identifier[:100],
        origin=origin[:300],
    )
    review.set_candidates(candidates_json(result))
    review.save()
    log_change(review, action=ChangeAction.CREATE, actor=member)
    return review


def _decide(
    review: MatchReview,
    status: str,
    facility: Facility | None,
    actor: Membership | SystemActor,
    candidates: list[dict[str, Any]] | None = None,
) -> MatchReview:
    if review.status != ReviewStatus.OPEN:
        raise RegistryError(
            f"review #{review.pk} was already decided ({review.get_status_display().lower()})"
        )
    before = snapshot(review)
    if candidates is not None:
        review.set_candidates(candidates)
    review.status, review.facility = status, facility
    review.decided_by = actor_user(actor)
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
    decided = _decide(review, ReviewStatus.CONFIRMED, facility, actor)
    # The new alias may settle other open names of the organisation: re-match them.
    schedule_rematch(
        actor.organisation_id,
        reason=StoredText.of("review #%(review)s confirmed", review=review.pk),
    )
    return decided


@transaction.atomic
def reject_review(review: MatchReview, *, actor: Membership) -> MatchReview:
    """None of the candidates is right and no facility should be created."""
    _require_reviewer(actor, review)
    decided = _decide(review, ReviewStatus.REJECTED, None, actor)
    # What was derived from the open review (the declarations' flag counts) follows.
    schedule_rematch(
        actor.organisation_id, reason=StoredText.of("review #%(review)s rejected", review=review.pk)
    )
    return decided


@transaction.atomic
def create_from_review(
    review: MatchReview, *, actor: Membership, kind: str, country: str, **details: Any
) -> MatchReview:
    """The name is a facility the registry lacks: record it for the organisation."""
    _require_reviewer(actor, review)
    minerals = [review.metal] if review.metal else []
    source = f"created in review #{review.pk}"
    facility = create_facility(
        actor=actor,
        kind=kind,
        name=review.query,
        country=country,
        minerals=minerals,
        source=source,
        **details,
    )
    if review.identifier:
        _keep_declared_identifier(facility, review, actor, source)
    decided = _decide(review, ReviewStatus.CREATED, facility, actor)
    # The new facility may be the answer to other open names too.
    schedule_rematch(
        actor.organisation_id, reason=StoredText.of("review #%(review)s recorded", review=review.pk)
    )
    return decided


def _keep_declared_identifier(
    facility: Facility, review: MatchReview, actor: Membership, source: str
) -> None:
    """The smelter ID the supplier declared stays with the facility recorded for it: as an RMI
    CID or a CFSI ID when it has their form, else in the 'other' scheme."""
    value = review.identifier.strip()
    scheme = next(
        (s for s in (IdentifierScheme.RMI_CID, IdentifierScheme.CFSI_LEGACY) if _fits(s, value)),
        IdentifierScheme.OTHER,
    )
    holder = find_by_identifier(scheme, value)
    if holder is not None and holder.pk != facility.pk:
        raise RegistryError(
            f"{value}, the smelter ID declared with “{review.query}”, already identifies "
            f"{holder} (#{holder.pk}): confirm that facility, or reject the review"
        )
    add_identifier(facility, scheme=scheme, value=value, actor=actor, source=source)


def _fits(scheme: str, value: str) -> bool:
    try:
        clean_identifier(scheme, value)
    except ValueError:
        return False
    return True


# --- re-matching: the queue catches up with the registry ---------------------------------------

REMATCH_JOB = "registry.rematch"
REMATCH_ACTOR = SystemActor("re-matching")
_REMATCH_CHUNK = 200


@dataclass
class RematchOutcome:
    """What one re-matching of an organisation's open reviews did."""

    organisation_id: int
    reviews: int = 0
    matched: int = 0
    refreshed: int = 0
    settled: list[int] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {
            "reviews": self.reviews,
            "matched": self.matched,
            "refreshed": self.refreshed,
            "still_open": self.reviews - self.matched,
        }


RematchListener = Callable[[RematchOutcome], None]
_listeners: list[tuple[RematchListener, Callable[[], Iterable[int]]]] = []


def on_rematch(
    *, organisations: Callable[[], Iterable[int]]
) -> Callable[[RematchListener], RematchListener]:
    """Register ``func(outcome)``, called after an organisation's reviews were re-matched so an
    app that derives state from matches (the declarations' red-flag counts) brings it up to date.
    ``organisations`` names the organisations whose derived state may change when the registry
    does, even without open reviews (a new assurance status changes a conformance flag)."""

    def register(func: RematchListener) -> RematchListener:
        _listeners.append((func, organisations))
        return func

    return register


def schedule_rematch(organisation_id: int, *, reason: StoredText) -> Job | None:
    """Queue a re-matching job for the organisation once the current transaction commits,
    unless one is already waiting to start (it will see the same registry)."""
    queued = Job.objects.filter(kind=REMATCH_JOB, status=JobStatus.QUEUED)
    waiting = owned_by(queued, organisation_id).first()
    if waiting is not None:
        return None
    organisation = Organisation.objects.get(pk=organisation_id)
    return start_job(
        REMATCH_JOB,
        actor=REMATCH_ACTOR,
        organisation=organisation,
        params={"reason": reason.english()[:200]},
        title=StoredText.of("Re-match open names after %(reason)s", reason=reason),
    )


def schedule_rematch_everywhere(*, reason: StoredText) -> list[Job]:
    """After the registry changed for everyone (a reference list was imported): re-match every
    organisation that has open reviews or state derived from matches."""
    organisations = set(
        MatchReview.objects.filter(status=ReviewStatus.OPEN)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for _func, more in _listeners:
        organisations.update(more())
    jobs = [schedule_rematch(org_id, reason=reason) for org_id in sorted(organisations)]
    return [job for job in jobs if job is not None]


def rematch_organisation(
    organisation_id: int,
    *,
    progress: Progress = no_progress,
) -> RematchOutcome:
    """Match every open review of the organisation again against its current registry.

    A name the engine now settles alone leaves the queue (``matched``, decided by the system,
    in the change log); the others get the current candidates. Rows that point at a review
    (declaration smelter rows) follow its decision, so they are not rewritten. Each chunk of
    reviews is one transaction: a job that is run again only finds what is still open.
    """
    outcome = RematchOutcome(organisation_id)
    ids = list(
        owned_by(MatchReview.objects.filter(status=ReviewStatus.OPEN), organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    matcher = matcher_for_organisation(organisation_id)
    progress(
        1,
        StoredText.of(
            "%(count)s open name to match again",
            "%(count)s open names to match again",
            count=len(ids),
        ),
    )
    for start in range(0, len(ids), _REMATCH_CHUNK):
        with transaction.atomic():
            _rematch_chunk(ids[start : start + _REMATCH_CHUNK], matcher, outcome)
        progress(
            1 + 89 * min(start + _REMATCH_CHUNK, len(ids)) / len(ids),
            StoredText.of(
                "%(done)s of %(count)s name matched again, %(settled)s settled",
                "%(done)s of %(count)s names matched again, %(settled)s settled",
                done=outcome.reviews,
                count=len(ids),
                settled=outcome.matched,
            ),
        )
    for func, _organisations in _listeners:
        func(outcome)
    progress(100, None)
    return outcome


def _rematch_chunk(ids: list[int], matcher: Matcher, outcome: RematchOutcome) -> None:
    reviews = list(
        MatchReview.objects.select_for_update()
        .filter(pk__in=ids, status=ReviewStatus.OPEN)
        .order_by("pk")
    )
    results = matcher.match_many([(r.query, r.metal, r.country, r.identifier) for r in reviews])
    auto = {
        result.candidates[0].facility_id
        for result in results
        if result.outcome == MatchOutcome.AUTO
    }
    facilities = Facility.objects.in_bulk(auto)
    for review, result in zip(reviews, results, strict=True):
        outcome.reviews += 1
        fresh = candidates_json(result)
        if result.outcome == MatchOutcome.AUTO:
            facility = resolve(facilities[result.candidates[0].facility_id])
            _decide(review, ReviewStatus.MATCHED, facility, REMATCH_ACTOR, fresh)
            outcome.matched += 1
            outcome.settled.append(review.pk)
        elif fresh != review.candidates:
            before = snapshot(review)
            review.set_candidates(fresh)
            review.save(update_fields=["candidates", "best_score", "updated_at"])
            log_change(review, action=ChangeAction.UPDATE, actor=REMATCH_ACTOR, before=before)
            outcome.refreshed += 1


# Up to this many names are confirmed in bulk at once (well under a second); more are
# confirmed by a job with progress (120 names take over 2 s on a small machine).
BULK_AT_ONCE = 25
BULK_CONFIRM_JOB = "registry.confirm_in_bulk"


def _check_bulk(
    reviews: list[MatchReview], *, min_score: float, actor: Membership
) -> dict[int, Facility]:
    """Every review must qualify (``queries.bulk_candidates``: best score at least
    ``min_score``, of the name's own metal); returns the best candidates' facilities."""
    can_review_matches.require(actor)
    if min_score < DEFAULT_THRESHOLDS.review:
        raise RegistryError(
            f"a score of {min_score:g} is below {DEFAULT_THRESHOLDS.review:g}, under which "
            "names are barely alike: confirm those one by one"
        )
    ids = [c["facility_id"] for r in reviews for c in r.candidates[:1]]
    facilities = Facility.objects.for_member(actor).in_bulk(ids)
    for review in reviews:
        best = review.candidates[0] if review.candidates else None
        if best is None or best["score"] < min_score or best.get("other_metal"):
            raise RegistryError(
                f"review #{review.pk} (“{review.query}”) has no candidate of its metal scoring "
                f"at least {min_score:g}"
            )
        if best["facility_id"] not in facilities:
            raise RegistryError(
                f"facility #{best['facility_id']} is not visible to {actor.organisation}"
            )
    return facilities


@transaction.atomic
def confirm_in_bulk(
    reviews: list[MatchReview], *, min_score: float, actor: Membership
) -> list[MatchReview]:
    """Confirm the best candidate of each review, as a reviewer would one by one; every review
    must qualify (``_check_bulk``), else nothing is confirmed. One transaction: for up to
    ``BULK_AT_ONCE`` names; more go through ``start_bulk_confirmation``."""
    facilities = _check_bulk(reviews, min_score=min_score, actor=actor)
    return [
        confirm_review(r, facility=facilities[r.candidates[0]["facility_id"]], actor=actor)
        for r in reviews
    ]


def start_bulk_confirmation(
    reviews: list[MatchReview], *, min_score: float, actor: Membership
) -> Job:
    """Check as ``confirm_in_bulk`` does, then confirm the names in a job with progress."""
    _check_bulk(reviews, min_score=min_score, actor=actor)
    return start_job(
        BULK_CONFIRM_JOB,
        actor=actor,
        params={"reviews": [r.pk for r in reviews], "min_score": min_score},
        title=StoredText.of(
            "Confirm %(count)s name in bulk", "Confirm %(count)s names in bulk", count=len(reviews)
        ),
    )


def run_bulk_confirmation(
    review_ids: list[int],
    *,
    min_score: float,
    actor: Membership,
    progress: Progress = no_progress,
    hold: Callable[[], None] = lambda: None,
) -> dict[str, int]:
    """The job's work: confirm each review in its own transaction. A review decided meanwhile,
    or whose best candidate changed (a re-matching ran), is left alone and counted as skipped;
    so a run that is repeated only confirms what is still waiting."""
    counts = {"confirmed": 0, "skipped": 0}
    for n, pk in enumerate(review_ids, start=1):
        with transaction.atomic():
            hold()
            review = (
                owned_by(MatchReview.objects.select_for_update(), actor.organisation_id)
                .filter(pk=pk, status=ReviewStatus.OPEN)
                .first()
            )
            facility = _still_best(review, min_score, actor) if review is not None else None
            if review is None or facility is None:
                counts["skipped"] += 1
            else:
                confirm_review(review, facility=facility, actor=actor)
                counts["confirmed"] += 1
        if n % 10 == 0 or n == len(review_ids):
            progress(
                100 * n / len(review_ids),
                StoredText.of(
                    "%(done)s of %(count)s name settled",
                    "%(done)s of %(count)s names settled",
                    done=n,
                    count=len(review_ids),
                ),
            )
    return counts


def _still_best(review: MatchReview, min_score: float, actor: Membership) -> Facility | None:
    """The facility a bulk confirmation gives the review, if it still qualifies."""
    candidates = review.candidates
    if not candidates or candidates[0]["score"] < min_score or candidates[0].get("other_metal"):
        return None
    if len(candidates) > 1 and candidates[1]["score"] >= candidates[0]["score"]:
        return None
    facility: Facility | None = (
        Facility.objects.for_member(actor).filter(pk=candidates[0]["facility_id"]).first()
    )
    return facility
