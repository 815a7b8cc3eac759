"""Upstream origins and downstream exposure of lots, by a recursive query over custody edges.

Each edge carries ``share``, the fraction of its target's inputs that came from its source, so
the fraction of a lot that comes from an ancestor is the sum over paths of the product of the
shares along each path. One recursive CTE walks the edges (SQLite and PostgreSQL alike); the
depth limit guards against a cycle in bad data. The walk stays inside one organisation because
an edge only ever joins two lots of the organisation that owns it (custody.py makes them so);
the query does not filter on the organisation, which would lead the planner to the
organisation index instead of the edge indexes (37 ms instead of 1 ms per trace, measured).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility
from oretrace.traceability.models import CustodyEdge, CustodyFlag, Lot

MAX_DEPTH = 64

_WALK = """
WITH RECURSIVE walk(lot_id, fraction, depth) AS (
    SELECT CAST(l.id AS BIGINT), CAST(1.0 AS DOUBLE PRECISION), 0
    FROM {lot} l WHERE l.id IN ({starts})
    UNION ALL
    SELECT e.{far}, walk.fraction * e.share, walk.depth + 1
    FROM {edge} e JOIN walk ON e.{near} = walk.lot_id
    WHERE walk.depth < %s
),
ends(lot_id, fraction) AS (
    SELECT walk.lot_id, SUM(walk.fraction) FROM walk
    WHERE NOT EXISTS (SELECT 1 FROM {edge} e2 WHERE e2.{near} = walk.lot_id)
    GROUP BY walk.lot_id
)
SELECT ends.lot_id, ends.fraction, l.code, l.quantity_kg, l.recycled, l.facility_id, f.name,
       f.country_id, f.kind
FROM ends JOIN {lot} l ON l.id = ends.lot_id LEFT JOIN {facility} f ON f.id = l.facility_id
"""


@dataclass(frozen=True)
class Share:
    """One end of a trace: an origin lot upstream, a product lot downstream."""

    lot_id: int
    code: str
    fraction: float
    kg: Decimal | None
    recycled: bool
    facility_id: int | None
    facility: str
    country: str | None
    facility_kind: str


def _walk(starts: list[int], *, upstream: bool, base_kg: Decimal | None) -> list[Share]:
    """Ends of the walk from ``starts`` (origins upstream, products downstream), one query.

    ``kg`` is ``base_kg`` x fraction upstream (the traced lot's mass from each origin), and the
    end lot's own mass x fraction downstream (how much of each product came from the starts).
    """
    if not starts:
        return []
    sql = _WALK.format(
        lot=Lot._meta.db_table,
        edge=CustodyEdge._meta.db_table,
        facility=Facility._meta.db_table,
        starts=", ".join(["%s"] * len(starts)),
        near="target_id" if upstream else "source_id",
        far="source_id" if upstream else "target_id",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*starts, MAX_DEPTH])
        rows = cursor.fetchall()
    shares = []
    for lot_id, fraction, code, quantity, recycled, facility_id, name, country, kind in rows:
        mass = base_kg if upstream else _decimal(quantity)
        shares.append(
            Share(
                int(lot_id),
                code,
                float(fraction),
                None if mass is None else (mass * Decimal(str(fraction))).quantize(_GRAM),
                bool(recycled),
                facility_id,
                name or "",
                country,
                kind or "",
            )
        )
    shares.sort(key=lambda s: (-s.fraction, s.lot_id))
    return shares


_GRAM = Decimal("0.001")


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


ARTISANAL = "artisanal"
INDUSTRIAL = "industrial"
COLLECTION = "collection_point"
RECYCLED = "recycled"
UNKNOWN = "unknown"


def origin_type(share: Share | Lot | ChainNode) -> str:
    """How a lot entered the chain: artisanal or industrial mining, a collection point, recycled."""
    if share.recycled:
        return RECYCLED
    if isinstance(share, Lot):
        kind = share.facility.kind if share.facility is not None else ""
    else:
        kind = share.facility_kind
    types: dict[str, str] = {
        FacilityKind.ASM_SITE: ARTISANAL,
        FacilityKind.MINE: INDUSTRIAL,
        FacilityKind.COLLECTION_POINT: COLLECTION,
    }
    return types.get(kind, UNKNOWN)


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
        countries[share.country or UNKNOWN] += share.fraction
        types[origin_type(share)] += share.fraction
    trace.by_country = dict(sorted(countries.items(), key=lambda kv: -kv[1]))
    trace.by_type = dict(sorted(types.items(), key=lambda kv: -kv[1]))
    return trace


def upstream(lot: Lot) -> Trace:
    """The origins of ``lot``: each origin lot with the fraction of ``lot`` that came from it.

    Each origin's mass in the lot is given when the lot has a mass; a lot counted in another
    unit (litres of paint, pieces) has fractions only.
    """
    counted_otherwise = not lot.quantity_kg and lot.other_quantity is not None
    base_kg = None if counted_otherwise else lot.quantity_kg
    return _summarise(Trace(lot, _walk([lot.pk], upstream=True, base_kg=base_kg)))


def downstream(starts: list[Lot]) -> Trace:
    """Every end lot (product) made with material of ``starts``, with the fraction it holds.

    The start lots must belong to one organisation (the walk follows that organisation's edges).
    """
    if len({s.organisation_id for s in starts}) > 1:
        raise ValueError("downstream() walks one organisation's lots at a time")
    shares = _walk([s.pk for s in starts], upstream=False, base_kg=None)
    return Trace(starts[0] if len(starts) == 1 else None, shares)


# The lots upstream of a lot, nearest first. UNION (not UNION ALL) keeps each lot once, so the
# walk ends on its own even when bad data holds a cycle; the outer LIMIT stops it early on a
# large graph (PostgreSQL and SQLite both produce a recursive CTE's rows as they are fetched).
_REACH = """
WITH RECURSIVE reach(lot_id) AS (
    SELECT CAST(%s AS BIGINT)
    UNION
    SELECT e.source_id FROM {edge} e JOIN reach ON e.target_id = reach.lot_id
)
SELECT lot_id FROM reach LIMIT %s
"""

NODE_LIMIT = 200


@dataclass(frozen=True)
class ChainNode:
    """A lot of a chain picture, with what its label and colour need."""

    lot_id: int
    code: str
    facility_id: int | None
    facility: str
    country: str | None
    recycled: bool
    facility_kind: str
    flagged: bool


@dataclass(frozen=True)
class ChainEdge:
    """Material of ``source`` went into ``target``: ``share`` of the target's inputs."""

    source: int
    target: int
    share: float


@dataclass
class Chain:
    """The upstream custody graph of a lot, cut at ``limit`` lots (``truncated`` then)."""

    lot_id: int
    nodes: dict[int, ChainNode]
    edges: list[ChainEdge]
    truncated: bool
    limit: int


def upstream_graph(lot: Lot, *, limit: int = NODE_LIMIT) -> Chain:
    """The lots upstream of ``lot`` and the edges between them, at most ``limit`` lots.

    Past the limit the lots nearest to ``lot`` (in edges) are kept: every kept lot still has a
    path to ``lot`` through kept lots, because each was reached from one found before it.
    Parallel edges between two lots (two events) are merged, their shares added.
    """
    if limit < 1:
        raise ValueError(f"upstream_graph(): limit must be at least 1, not {limit}")
    with connection.cursor() as cursor:
        cursor.execute(_REACH.format(edge=CustodyEdge._meta.db_table), [lot.pk, limit + 1])
        ids = [int(row[0]) for row in cursor.fetchall()]
    truncated = len(ids) > limit
    kept = set(ids[:limit])
    flagged = set(
        CustodyFlag.objects.filter(lot_id__in=kept).values_list("lot_id", flat=True).distinct()
    )
    rows = Lot.objects.filter(pk__in=kept).values_list(
        "pk",
        "code",
        "facility_id",
        "facility__name",
        "facility__country_id",
        "recycled",
        "facility__kind",
    )
    nodes = {
        pk: ChainNode(
            pk, code, facility_id, name or "", country, recycled, kind or "", pk in flagged
        )
        for pk, code, facility_id, name, country, recycled, kind in rows
    }
    shares: dict[tuple[int, int], float] = defaultdict(float)
    for source, target, share in CustodyEdge.objects.filter(target_id__in=kept).values_list(
        "source_id", "target_id", "share"
    ):
        if source in kept:  # past the limit, an edge may come from a lot left out
            shares[(source, target)] += share
    edges = [ChainEdge(s, t, share) for (s, t), share in sorted(shares.items())]
    return Chain(lot.pk, nodes, edges, truncated, limit)
