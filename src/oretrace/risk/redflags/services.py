"""Every write of red flags: recompute an organisation's flags, and queue that recomputation
when an input changes.

``recompute_flags`` gathers the organisation's records (``gather``), applies every rule
(``risk.flags.evaluate``) and reconciles the findings with the open flags by ``key``: a new
finding opens a flag (pointing to the earlier closed flag of the same key, if any); an open
flag no finding holds any more is closed, with when and why; flags are never deleted, nor
edited otherwise. One transaction, with a change-log entry per opened or closed flag.

``schedule_recompute`` is what a change calls (``risk.redflags.triggers``): it queues one
recompute job per organisation once the change commits, and no second one while one waits to
start (it will read the same records): a capture of many EPCIS events, or many captures in a
row, queue one job, and the capture itself only adds a check of the waiting jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction, JobStatus
from oretrace.core.jobs import start_job
from oretrace.core.models import Job, Membership, Organisation
from oretrace.core.services import grant_access
from oretrace.core.stored_text import StoredText
from oretrace.core.tenancy import owned_by
from oretrace.risk.choices import FLAG_TRIGGERS
from oretrace.risk.exceptions import FlagError
from oretrace.risk.flags import Finding, evaluate
from oretrace.risk.models import RedFlag
from oretrace.risk.permissions import can_recompute_flags
from oretrace.risk.redflags.gather import gather

RECOMPUTE_JOB = "risk.recompute_flags"
FLAGS_ACTOR = SystemActor("red flags")


@dataclass
class RecomputeOutcome:
    """What one recomputation did."""

    raised: list[RedFlag] = field(default_factory=list)
    closed: list[RedFlag] = field(default_factory=list)
    open: int = 0

    def as_counts(self) -> dict[str, int]:
        return {"raised": len(self.raised), "closed": len(self.closed), "open": self.open}


def _reasons(reasons: Iterable[str]) -> str:
    known = sorted({r for r in reasons if r in FLAG_TRIGGERS})
    unknown = sorted(set(reasons) - set(known))
    if unknown:
        raise FlagError(
            f"unknown reason(s) {', '.join(map(repr, unknown))}; the reasons are "
            f"{', '.join(FLAG_TRIGGERS)}"
        )
    return ",".join(known or ["manual"])


def recompute_flags(
    organisation: Organisation,
    *,
    reasons: Iterable[str] = ("manual",),
    on: date | None = None,
    actor: Membership | SystemActor = FLAGS_ACTOR,
) -> RecomputeOutcome:
    """Bring the organisation's red flags up to date with its records and the lists in force
    on ``on`` (today by default): open the new ones, close those that no longer hold."""
    can_recompute_flags.require(actor, organisation_id=organisation.pk)
    reason = _reasons(reasons)
    findings = evaluate(gather(organisation.pk, on or timezone.localdate()))
    with transaction.atomic():
        return _reconcile(organisation, findings, reason, actor)


def _reconcile(
    organisation: Organisation,
    findings: list[Finding],
    reason: str,
    actor: Membership | SystemActor,
) -> RecomputeOutcome:
    now = timezone.now()
    flags = owned_by(RedFlag.objects.select_for_update(), organisation.pk)
    current = {flag.key: flag for flag in flags.open()}
    wanted = {finding.key: finding for finding in findings}
    outcome = RecomputeOutcome()
    for key, flag in current.items():
        if key not in wanted:
            update_and_log(
                flag, actor=actor, organisation=organisation, closed_at=now, closed_reason=reason
            )
            outcome.closed.append(flag)
    new = [finding for key, finding in wanted.items() if key not in current]
    earlier = _last_closed(organisation, {f.key for f in new})
    for finding in new:
        flag = RedFlag.objects.create(
            organisation=organisation,
            rule=finding.rule,
            key=finding.key[:300],
            severity=finding.severity,
            facility_id=finding.facility_id,
            supplier_id=finding.supplier_id,
            lot_id=finding.lot_id,
            country_id=finding.country or None,
            region=finding.region[:10],
            evidence_kind=finding.evidence.kind,
            evidence_id=finding.evidence.id,
            evidence_label=finding.evidence.label[:300],
            params=finding.params,
            edition_id=finding.edition_id,
            raised_at=now,
            previous=earlier.get(finding.key),
        )
        log_change(flag, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
        _share(flag, finding.share_with)
        outcome.raised.append(flag)
    outcome.open = len(current) - len(outcome.closed) + len(outcome.raised)
    return outcome


def _share(flag: RedFlag, organisation_ids: tuple[int, ...]) -> None:
    """Share a new flag with the organisations it concerns (a grievance linked to their
    facility): one grant of this row each, so they see the flag and nothing else."""
    for organisation in Organisation.objects.filter(pk__in=organisation_ids, is_active=True):
        if organisation.pk != flag.organisation_id:
            grant_access(
                flag, to=organisation, actor=FLAGS_ACTOR, note="A red flag about your facility."
            )


def _last_closed(organisation: Organisation, keys: set[str]) -> dict[str, RedFlag]:
    """The latest closed flag of each key: the one a flag raised again follows."""
    closed = owned_by(RedFlag.objects.filter(key__in=keys), organisation.pk).exclude(
        closed_at__isnull=True
    )
    latest: dict[str, RedFlag] = {}
    for flag in closed.order_by("closed_at", "pk"):
        latest[flag.key] = flag
    return latest


# --- queueing: one recompute per organisation, after the change commits -----------------------


class _Queued:
    """The after-commit call that queues an organisation's recompute; the reasons of every
    change in the same transaction gather on the one call."""

    def __init__(self, organisation_id: int) -> None:
        self.organisation_id = organisation_id
        self.reasons: set[str] = set()

    def __call__(self) -> None:
        start_recompute(self.organisation_id, self.reasons)


def schedule_recompute(organisation_id: int, reason: str) -> None:
    """Queue the organisation's recompute once the current transaction commits (at once outside
    one); a second change in the same transaction adds its reason to the same call."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        start_recompute(organisation_id, {reason})
        return
    for _savepoints, func, _robust in connection.run_on_commit:
        if isinstance(func, _Queued) and func.organisation_id == organisation_id:
            func.reasons.add(reason)
            return
    queued = _Queued(organisation_id)
    queued.reasons.add(reason)
    transaction.on_commit(queued)


def start_recompute(organisation_id: int, reasons: Iterable[str]) -> Job | None:
    """Queue a recompute job for the organisation, unless one is already waiting to start
    (then its reasons are added to that job's)."""
    wanted = {r for r in reasons if r in FLAG_TRIGGERS} or {"manual"}
    queued = Job.objects.filter(kind=RECOMPUTE_JOB, status=JobStatus.QUEUED)
    waiting = owned_by(queued, organisation_id).first()
    if waiting is not None:
        known = set(waiting.params.get("reasons", []))
        if not wanted <= known:
            Job.objects.filter(pk=waiting.pk, status=JobStatus.QUEUED).update(
                params={**waiting.params, "reasons": sorted(known | wanted)}
            )
        return None
    organisation = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
    if organisation is None:
        return None
    return start_job(
        RECOMPUTE_JOB,
        actor=FLAGS_ACTOR,
        organisation=organisation,
        params={"reasons": sorted(wanted)},
        title=StoredText.of("Recompute the red flags"),
    )


def schedule_everywhere(reason: str, organisation_ids: Iterable[int]) -> None:
    """Queue the recompute of each organisation (a new edition concerns every one)."""
    for organisation_id in sorted(set(organisation_ids)):
        schedule_recompute(organisation_id, reason)
