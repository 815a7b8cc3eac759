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
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.jobs import start_job
from oretrace.core.models import Job, Membership, Organisation
from oretrace.core.progress import Progress, no_progress
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
    MethodologyError,
    Scorer,
    Stored,
    breakdown,
    fingerprint,
    parse,
    read,
    score,
)
from oretrace.risk.scoring import Methodology as Spec

METHODOLOGY_DIR = Path(__file__).resolve().parents[1] / "methodologies"
DEFAULT_METHODOLOGY = "oretrace-2026.1"
SCORE_RECOMPUTE = "risk.recompute_scores"
CHUNK = 2000  # scores written per statement
JSON_COLUMNS = ("breakdown", "editions")
_SPECS: dict[tuple[int, str], Spec] = {}


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


def scored_facilities(organisation_id: int, also: Iterable[int] = ()) -> QuerySet[Facility]:
    """The facilities an organisation's scores cover: its own, those its suppliers'
    declarations name (matched by the engine or by a reviewer) and ``also`` (its product lots'
    origins), merged ones aside."""
    own = scope_to_organisation(Facility.objects.all(), organisation_id).values("pk")
    declared = SmelterEntry.objects.filter(
        declaration__in=scope_to_organisation(Declaration.objects.all(), organisation_id)
    )
    return Facility.objects.filter(
        Q(pk__in=own)
        | Q(pk__in=declared.values("facility_id"))
        | Q(pk__in=declared.values("review__facility_id"))
        | Q(pk__in=sorted(set(also)))
    ).filter(merged_into__isnull=True)


class _Rows:
    """Scores waiting to be written, as database-ready rows written in chunks by one
    ``executemany`` each: a score's values are prepared once per distinct score (most
    facilities share theirs with many others), and only the subject differs per row."""

    SUBJECTS = ("facility_id", "supplier_id", "lot_id")

    def __init__(self, run: _Run, connection: Any) -> None:
        self.connection = connection
        fields = [f for f in Score._meta.concrete_fields if not f.primary_key]
        self.columns = [str(f.column) for f in fields]
        self.fields = {f.attname: f for f in fields}
        now = timezone.now()
        constant = {
            "created_at": now,
            "updated_at": now,
            "organisation_id": run.organisation_id,
            "created_by_id": None,
            "as_of": run.as_of,
            "methodology_id": run.row.pk,
            "job_id": run.job.pk if run.job else None,
        }
        self.constant = {name: self._prep(name, value) for name, value in constant.items()}
        self.constant["editions"] = json.dumps(run.refs.ids)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        # JSON columns take the JSON text as it is (jsonb on PostgreSQL, text on SQLite)
        json_mark = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        marks = ", ".join(json_mark if c in JSON_COLUMNS else "%s" for c in self.columns)
        table = connection.ops.quote_name(Score._meta.db_table)
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - our names
        self.pending: list[tuple[Any, ...]] = []
        self.stored = 0

    def _prep(self, name: str, value: Any) -> Any:
        return self.fields[name].get_db_prep_save(value, self.connection)

    def values(self, subject: str, stored: Stored) -> tuple[Any, ...]:
        """The prepared row of one score, whoever's it is (the breakdown is JSON text), with
        its subject's id left empty; ``add`` fills it in."""
        own = {"subject": subject, "level": stored.level, "fingerprint": stored.fingerprint}
        values = {
            **self.constant,
            **{name: self._prep(name, value) for name, value in own.items()},
            "total": self._prep("total", stored.total),
            "breakdown": stored.breakdown,
            **dict.fromkeys(self.SUBJECTS),
        }
        return tuple(values[column] for column in self.columns)

    def add(self, values: tuple[Any, ...], subject: str, pk: int) -> None:
        at = self.columns.index(subject)
        self.pending.append((*values[:at], pk, *values[at + 1 :]))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.sql, self.pending)
        self.stored += len(self.pending)
        self.pending = []


@dataclass
class _Run:
    """One recompute: what it reads once."""

    organisation_id: int
    as_of: date
    row: Methodology
    spec: Spec
    refs: gather.References
    job: Job | None


def _score_facilities(
    run: _Run, rows: _Rows, facilities: QuerySet[Facility]
) -> dict[int, tuple[str, Decimal]]:
    """Score and queue every facility; returns each one's score as a supplier's child. The
    gatherer shares one observation among the facilities with the same facts, so a score is
    computed once per distinct set of observations and reused by identity."""
    observer = gather.Observer(run.spec, run.refs, run.as_of)
    scorer = Scorer(run.spec, run.refs.ids)
    done: dict[tuple[int, ...], tuple[Decimal, tuple[Any, ...]]] = {}
    children: dict[int, tuple[str, Decimal]] = {}
    for facts in gather.facility_facts(facilities, run.organisation_id, run.as_of):
        key, inputs = observer.observe(facts)
        if (known := done.get(key)) is None:
            stored = scorer.stored(ScoreSubject.FACILITY, inputs)
            known = done[key] = (stored.total, rows.values(ScoreSubject.FACILITY, stored))
        rows.add(known[1], "facility_id", facts.pk)
        children[facts.pk] = (facts.name, known[0])
    return children


def _score_suppliers(run: _Run, rows: _Rows, children: dict[int, tuple[str, Decimal]]) -> int:
    if "supplier" not in run.spec.subjects:
        return 0
    suppliers = scope_to_organisation(Supplier.objects.all(), run.organisation_id)
    found = gather.supplier_facts(suppliers, run.organisation_id, run.as_of)
    for facts in found.values():
        inputs = gather.supplier_inputs(facts)
        declared = {
            "facility": [
                Child(*children[pk], ref=f"facility:{pk}")
                for pk in sorted(facts.facilities)
                if pk in children
            ]
        }
        computed = score(run.spec, ScoreSubject.SUPPLIER, inputs, declared)
        stored = Stored(
            computed.total,
            computed.level,
            json.dumps(breakdown(computed.contributions), ensure_ascii=False),
            fingerprint(run.spec, ScoreSubject.SUPPLIER, inputs, declared, editions=run.refs.ids),
        )
        rows.add(rows.values(ScoreSubject.SUPPLIER, stored), "supplier_id", facts.pk)
    return len(found)


def _score_lots(
    run: _Run, rows: _Rows, lots: list[gather.LotFacts], children: dict[int, tuple[str, Decimal]]
) -> None:
    """Score each product lot over its origin facilities, each weighted by its share of the
    lot; an origin without a known facility counts with the category's unknown points."""
    unknown = next(c.unknown for c in run.spec.subjects["lot"].categories if c.children)
    for lot in lots:
        origins = [
            Child(*children[pk], part, ref=f"facility:{pk}")
            if pk in children
            else Child(name or "?", unknown or Decimal(100), part)
            for pk, name, part in lot.origins
            if part > 0
        ]
        declared = {"facility": origins}
        computed = score(run.spec, ScoreSubject.LOT, {}, declared)
        stored = Stored(
            computed.total,
            computed.level,
            json.dumps(breakdown(computed.contributions), ensure_ascii=False),
            fingerprint(run.spec, ScoreSubject.LOT, {}, declared, editions=run.refs.ids),
        )
        rows.add(rows.values(ScoreSubject.LOT, stored), "lot_id", lot.pk)


def recompute_scores(
    organisation_id: int,
    *,
    as_of: date,
    actor: Membership | SystemActor,
    methodology: str = DEFAULT_METHODOLOGY,
    progress: Progress = no_progress,
    job: Job | None = None,
) -> Recomputed:
    """Score every facility and supplier of an organisation as of ``as_of`` and store the
    scores, replacing the day's earlier ones of the same methodology version (all or none)."""
    can_recompute_scores.require(actor, organisation_id=organisation_id)
    row = install_methodology(methodology)
    run = _Run(organisation_id, as_of, row, spec_of(row), gather.references(as_of), job)
    rows = _Rows(run, connections[Score.objects.db])
    with transaction.atomic():
        old = scope_to_organisation(Score.objects.all(), organisation_id)
        old.filter(as_of=as_of, methodology=row).delete()
        lots = gather.product_lots(organisation_id, as_of) if "lot" in run.spec.subjects else []
        origins = [pk for lot in lots for pk, _name, _part in lot.origins if pk is not None]
        children = _score_facilities(run, rows, scored_facilities(organisation_id, origins))
        progress(
            50,
            StoredText.of(
                "%(count)s facility scored", "%(count)s facilities scored", count=len(children)
            ),
        )
        suppliers = _score_suppliers(run, rows, children)
        _score_lots(run, rows, lots, children)
        rows.flush()
    progress(
        100,
        StoredText.of(
            "%(count)s supplier scored; %(stored)s scores stored",
            "%(count)s suppliers scored; %(stored)s scores stored",
            count=suppliers,
            stored=rows.stored,
        ),
    )
    counts = {"facilities": len(children), "suppliers": suppliers, "lots": len(lots)}
    return Recomputed(row, as_of, counts)


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
