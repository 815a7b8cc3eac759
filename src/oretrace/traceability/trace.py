"""Upstream origins and downstream exposure of lots, by a recursive query over custody edges.

Each edge carries ``share``, the fraction of its target's inputs that came from its source, so
the fraction of a lot that comes from an ancestor is the sum over paths of the product of the
shares along each path. One recursive CTE walks the edges (SQLite and PostgreSQL alike); the
depth limit guards against a cycle in bad data. The walk stays inside one organisation's edges.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from oretrace.registry.choices import FacilityKind
from oretrace.traceability.models import CustodyEdge, Lot

MAX_DEPTH = 64

_WALK = """
WITH RECURSIVE walk(lot_id, fraction, depth) AS (
    SELECT CAST(l.id AS BIGINT), CAST(1.0 AS DOUBLE PRECISION), 0
    FROM {lot} l WHERE l.id IN ({starts})
    UNION ALL
    SELECT e.{far}, walk.fraction * e.share, walk.depth + 1
    FROM {edge} e JOIN walk ON e.{near} = walk.lot_id
    WHERE e.organisation_id = %s AND walk.depth < %s
)
SELECT walk.lot_id, SUM(walk.fraction) FROM walk
WHERE NOT EXISTS (
    SELECT 1 FROM {edge} e2 WHERE e2.{near} = walk.lot_id AND e2.organisation_id = %s
)
GROUP BY walk.lot_id
"""


def _walk(starts: list[int], organisation_id: int, *, upstream: bool) -> dict[int, float]:
    """Ends of the walk from ``starts`` (origins upstream, products downstream) -> fraction."""
    if not starts:
        return {}
    sql = _WALK.format(
        lot=Lot._meta.db_table,
        edge=CustodyEdge._meta.db_table,
        starts=", ".join(["%s"] * len(starts)),
        near="target_id" if upstream else "source_id",
        far="source_id" if upstream else "target_id",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*starts, organisation_id, MAX_DEPTH, organisation_id])
        return {int(lot_id): float(fraction) for lot_id, fraction in cursor.fetchall()}


ARTISANAL = "artisanal"
INDUSTRIAL = "industrial"
COLLECTION = "collection_point"
RECYCLED = "recycled"
UNKNOWN = "unknown"


def origin_type(lot: Lot) -> str:
    """How a lot entered the chain: artisanal or industrial mining, a collection point, recycled."""
    if lot.recycled:
        return RECYCLED
    kind = lot.facility.kind if lot.facility is not None else ""
    types: dict[str, str] = {
        FacilityKind.ASM_SITE: ARTISANAL,
        FacilityKind.MINE: INDUSTRIAL,
        FacilityKind.COLLECTION_POINT: COLLECTION,
    }
    return types.get(kind, UNKNOWN)


@dataclass(frozen=True)
class Share:
    lot: Lot
    fraction: float
    kg: Decimal | None


@dataclass
class Trace:
    """Where a lot came from (or went), with mass fractions and summaries."""

    lot: Lot | None
    shares: list[Share]
    by_country: dict[str, float] = field(default_factory=dict)
    by_type: dict[str, float] = field(default_factory=dict)


def _summarise(trace: Trace) -> Trace:
    countries: dict[str, float] = defaultdict(float)
    types: dict[str, float] = defaultdict(float)
    for share in trace.shares:
        facility = share.lot.facility
        countries[facility.country_id if facility is not None else UNKNOWN] += share.fraction
        types[origin_type(share.lot)] += share.fraction
    trace.by_country = dict(sorted(countries.items(), key=lambda kv: -kv[1]))
    trace.by_type = dict(sorted(types.items(), key=lambda kv: -kv[1]))
    return trace


def _lots(fractions: dict[int, float]) -> dict[int, Lot]:
    return Lot.objects.select_related("facility").in_bulk(list(fractions))


def upstream(lot: Lot) -> Trace:
    """The origins of ``lot``: each origin lot with the fraction of ``lot`` that came from it."""
    fractions = _walk([lot.pk], lot.organisation_id, upstream=True)
    lots = _lots(fractions)
    shares = sorted(
        (
            Share(lots[i], f, (lot.quantity_kg * Decimal(str(f))).quantize(Decimal("0.001")))
            for i, f in fractions.items()
        ),
        key=lambda s: (-s.fraction, s.lot.pk),
    )
    return _summarise(Trace(lot, shares))


def downstream(starts: list[Lot], organisation_id: int) -> Trace:
    """Every end lot (product) made with material of ``starts``, with the fraction it holds."""
    fractions = _walk([s.pk for s in starts], organisation_id, upstream=False)
    lots = _lots(fractions)
    shares = sorted(
        (
            Share(lots[i], f, (lots[i].quantity_kg * Decimal(str(f))).quantize(Decimal("0.001")))
            for i, f in fractions.items()
        ),
        key=lambda s: (-s.fraction, s.lot.pk),
    )
    return Trace(starts[0] if len(starts) == 1 else None, shares)
