"""Every write of risk scores: installing a shipped methodology version, and recomputing an
organisation's scores as of a date (a job, or the command line).

A recompute reads its inputs in a few set-based queries (``gather``), scores every facility
the organisation records or its suppliers declare, then every supplier over its declared
facilities, with the pure ``scoring`` package, and stores the scores in bulk, in one
transaction: the day's earlier scores of the same methodology version are replaced, those of
other days stay (they are the trend). Scores are derived rows: the job that made them (and
who started it) is their record, not one change-log entry per score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.jobs import start_job
from oretrace.core.models import Job, Membership, Organisation
from oretrace.core.stored_text import StoredText
from oretrace.core.tenancy import scope_to_organisation
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.registry.models import Facility
from oretrace.risk.choices import ScoreSubject
from oretrace.risk.exceptions import ScoreError
from oretrace.risk.models import Methodology, Score
from oretrace.risk.permissions import can_recompute_scores
from oretrace.risk.scores import gather
from oretrace.risk.scoring import (
    Child,
    Contribution,
    MethodologyError,
    Scorer,
    fingerprint,
    parse,
    read,
)
from oretrace.risk.scoring import Methodology as Spec
from oretrace.risk.scoring import Score as Computed

Progress = Callable[[float, str | StoredText], None]
METHODOLOGY_DIR = Path(__file__).resolve().parents[1] / "methodologies"
DEFAULT_METHODOLOGY = "oretrace-2026.1"
SCORE_RECOMPUTE = "risk.recompute_scores"
CHUNK = 2000  # scores written per statement
SHARE = Decimal("0.0001")
_SPECS: dict[tuple[int, str], Spec] = {}


def _silent(_percent: float, _message: str | StoredText) -> None:
    return None


def methodology_file(name: str) -> Path:
    path = METHODOLOGY_DIR / f"{name}.yaml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in METHODOLOGY_DIR.glob("*.yaml")))
        raise ScoreError(f"no methodology {name!r} is shipped; the methodologies are {shipped}")
    return path


def install_methodology(name: str = DEFAULT_METHODOLOGY) -> Methodology:
    """The stored row of a shipped methodology version, created from its file the first time.

    A version's file may not change once stored (scores cite it): a changed file under the same
    version is refused, naming the version to raise."""
    path = methodology_file(name)
    text = path.read_text(encoding="utf-8")
    try:
        spec = read(text, path.name)
    except MethodologyError as exc:
        raise ScoreError(str(exc)) from None
    digest = hashlib.sha256(text.encode()).hexdigest()
    row: Methodology | None = Methodology.objects.filter(
        code=spec.code, version=spec.version
    ).first()
    if row is not None:
        if row.sha256 != digest:
            raise ScoreError(
                f"{path.name} changed after its version {spec.version} was stored: give the "
                "changed methodology a new version (scores cite the old one)"
            )
        return row
    with transaction.atomic():
        row = Methodology.objects.create(
            code=spec.code,
            version=spec.version,
            title=spec.title,
            filename=path.name,
            sha256=digest,
            text=text,
            spec=spec.model_dump(mode="json"),
        )
        log_change(row, action=ChangeAction.CREATE, actor=SystemActor("methodology"))
    return row


def spec_of(row: Methodology) -> Spec:
    """The pure methodology a stored version holds (read once per process)."""
    key = (row.pk, row.sha256)
    if key not in _SPECS:
        _SPECS[key] = parse(row.spec, row.filename)
    return _SPECS[key]


@dataclass
class Recomputed:
    """What a recompute wrote."""

    methodology: Methodology
    as_of: date
    counts: dict[str, int] = field(default_factory=dict)


def scored_facilities(organisation_id: int) -> QuerySet[Facility]:
    """The facilities an organisation's scores cover: its own, and those its suppliers'
    declarations name (matched by the engine or by a reviewer), merged ones aside."""
    own = scope_to_organisation(Facility.objects.all(), organisation_id).values("pk")
    declared = SmelterEntry.objects.filter(
        declaration__in=scope_to_organisation(Declaration.objects.all(), organisation_id)
    )
    return Facility.objects.filter(
        Q(pk__in=own)
        | Q(pk__in=declared.values("facility_id"))
        | Q(pk__in=declared.values("review__facility_id"))
    ).filter(merged_into__isnull=True)


def breakdown(contributions: Iterable[Contribution]) -> list[dict[str, Any]]:
    """A score's contributions as stored (Decimals as strings, evidence as [text, edition, ref])."""
    return [
        {
            "category": c.category,
            "indicator": c.indicator,
            "source": c.source,
            "state": c.state,
            "points": str(c.points),
            "share": str(c.share.quantize(SHARE)),
            "value": str(c.value),
            "evidence": [[e.text, e.edition, e.ref] for e in c.evidence],
        }
        for c in contributions
    ]


@dataclass
class _Run:
    """One recompute: what it reads once, and the scores waiting to be written (in chunks, so
    memory stays bounded whatever the number of facilities)."""

    organisation_id: int
    as_of: date
    row: Methodology
    spec: Spec
    refs: gather.References
    job: Job | None
    pending: list[Score] = field(default_factory=list)
    stored: int = 0

    def keep(self, computed: Computed, print_: str, **subject: int) -> None:
        self.pending.append(
            Score(
                organisation_id=self.organisation_id,
                subject=computed.subject,
                as_of=self.as_of,
                methodology=self.row,
                editions=self.refs.ids,
                total=computed.total,
                level=computed.level,
                breakdown=breakdown(computed.contributions),
                fingerprint=print_,
                job=self.job,
                **subject,
            )
        )
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        Score.objects.bulk_create(self.pending, batch_size=CHUNK)
        self.stored += len(self.pending)
        self.pending = []


def _score_facilities(run: _Run, facilities: QuerySet[Facility]) -> dict[int, Child]:
    scorer = Scorer(run.spec)
    children: dict[int, Child] = {}
    editions = run.refs.ids
    for facts in gather.facility_facts(facilities, run.organisation_id, run.as_of):
        inputs = gather.facility_inputs(run.spec, run.refs, facts, run.as_of)
        computed = scorer.score(ScoreSubject.FACILITY, inputs)
        print_ = fingerprint(run.spec, ScoreSubject.FACILITY, inputs, editions=editions)
        run.keep(computed, print_, facility_id=facts.pk)
        children[facts.pk] = Child(facts.name, computed.total, ref=f"facility:{facts.pk}")
    return children


def _score_suppliers(run: _Run, children: dict[int, Child]) -> int:
    if "supplier" not in run.spec.subjects:
        return 0
    scorer = Scorer(run.spec)
    suppliers = scope_to_organisation(Supplier.objects.all(), run.organisation_id)
    found = gather.supplier_facts(suppliers, run.organisation_id, run.as_of)
    for facts in found.values():
        inputs = gather.supplier_inputs(facts)
        declared = {"facility": [children[pk] for pk in sorted(facts.facilities) if pk in children]}
        computed = scorer.score(ScoreSubject.SUPPLIER, inputs, declared)
        print_ = fingerprint(
            run.spec, ScoreSubject.SUPPLIER, inputs, declared, editions=run.refs.ids
        )
        run.keep(computed, print_, supplier_id=facts.pk)
    return len(found)


def recompute_scores(
    organisation_id: int,
    *,
    as_of: date,
    actor: Membership | SystemActor,
    methodology: str = DEFAULT_METHODOLOGY,
    progress: Progress = _silent,
    job: Job | None = None,
) -> Recomputed:
    """Score every facility and supplier of an organisation as of ``as_of`` and store the
    scores, replacing the day's earlier ones of the same methodology version (all or none)."""
    can_recompute_scores.require(actor, organisation_id=organisation_id)
    row = install_methodology(methodology)
    run = _Run(organisation_id, as_of, row, spec_of(row), gather.references(as_of), job)
    with transaction.atomic():
        old = scope_to_organisation(Score.objects.all(), organisation_id)
        old.filter(as_of=as_of, methodology=row).delete()
        children = _score_facilities(run, scored_facilities(organisation_id))
        progress(
            50,
            StoredText.of(
                "%(count)s facility scored", "%(count)s facilities scored", count=len(children)
            ),
        )
        suppliers = _score_suppliers(run, children)
        run.flush()
    progress(
        100,
        StoredText.of(
            "%(count)s supplier scored; %(stored)s scores stored",
            "%(count)s suppliers scored; %(stored)s scores stored",
            count=suppliers,
            stored=run.stored,
        ),
    )
    return Recomputed(row, as_of, {"facilities": len(children), "suppliers": suppliers})


def start_recompute(
    actor: Membership | SystemActor, *, as_of: date, organisation: Organisation | None = None
) -> Job:
    """Queue a recompute of an organisation's scores as of ``as_of`` (the member's own; the
    system, from the command line, names the organisation)."""
    can_recompute_scores.require(actor)
    title = StoredText.of("Recompute the risk scores as of %(date)s", date=as_of.isoformat())
    return start_job(
        SCORE_RECOMPUTE,
        actor=actor,
        organisation=organisation,
        params={"as_of": as_of.isoformat()},
        title=title,
    )
