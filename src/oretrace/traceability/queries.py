"""Reads of the traceability app: the EPCIS event query, scoped to the acting member.

Also the data of a lot's two pictures (its chain and its origins map): the layout modules
(pictures.py, maps.py) know nothing of models, so the lots and facilities are turned into their
plain inputs here, and their geometry into strings a template writes as is (numbers formatted
here, not by the template, whose localisation would write "1,5" into SVG coordinates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q, QuerySet

from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member, owned, visible
from oretrace.registry.models import Facility
from oretrace.traceability import maps, pictures
from oretrace.traceability.choices import EventType
from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.epcis.checks import parse_time
from oretrace.traceability.exceptions import TraceabilityError
from oretrace.traceability.models import CustodyFlag, EpcisEvent, EpcisIdentifier, Lot
from oretrace.traceability.trace import (
    ARTISANAL,
    COLLECTION,
    INDUSTRIAL,
    RECYCLED,
    UNKNOWN,
    Chain,
    Trace,
    origin_type,
    upstream_graph,
)

# EPC match parameters -> the identifier roles they look at (EPCIS 2.0 §8.2.7.1).
EPC_MATCHES = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
}
CLASS_MATCHES = {
    "MATCH_epcClass": ("epc", "child"),
    "MATCH_inputEPCClass": ("input",),
    "MATCH_outputEPCClass": ("output",),
    "MATCH_anyEPCClass": ("epc", "child", "input", "output"),
}
QUANTITY_FILTERS = {
    "EQ_quantity": "exact",
    "GT_quantity": "gt",
    "GE_quantity": "gte",
    "LT_quantity": "lt",
    "LE_quantity": "lte",
}
TIME_FILTERS = {
    "GE_eventTime": "event_time__gte",
    "LT_eventTime": "event_time__lt",
    "GE_recordTime": "record_time__gte",
    "LT_recordTime": "record_time__lt",
}
EQUALITY_FILTERS = {
    "EQ_bizStep": ("biz_step", voc.BIZ_STEP),
    "EQ_disposition": ("disposition", voc.DISPOSITION),
    "EQ_readPoint": ("read_point", None),
    "EQ_bizLocation": ("biz_location", None),
    "EQ_action": ("action", None),
}
PARAMETERS = frozenset(
    {"eventType", "EQ_eventID", "perPage", "nextPageToken"}
    | set(EPC_MATCHES)
    | set(CLASS_MATCHES)
    | set(QUANTITY_FILTERS)
    | set(TIME_FILTERS)
    | set(EQUALITY_FILTERS)
)


def _values(raw: str) -> list[str]:
    """A parameter's values: comma-separated (URIs never contain a bare comma in EPCIS)."""
    return [v.strip() for v in raw.split(",") if v.strip()]


def _time(name: str, raw: str) -> datetime:
    moment = parse_time(raw.replace(" ", "+"))  # a '+' in a query string arrives as a space
    if moment is None:
        raise TraceabilityError(f"{name}: {raw!r} is not a date-time with a time zone")
    return moment


def _matches(values: list[str]) -> Q:
    """EPC patterns: an exact URI, or a pattern ending in '*' (urn:epc:idpat:…:*)."""
    condition = Q()
    for value in values:
        if value.endswith("*"):
            prefix = value[:-1].replace("urn:epc:idpat:", "urn:epc:id:", 1)
            condition |= Q(value__startswith=prefix)
        else:
            condition |= Q(value=value)
    return condition


@dataclass(frozen=True)
class EventPage:
    events: list[EpcisEvent]
    next_after: int | None


def filter_events(member: Membership, params: Mapping[str, str]) -> QuerySet[EpcisEvent]:
    """The events ``member`` may see that match the EPCIS query parameters in ``params``."""
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        raise TraceabilityError(
            f"unknown query parameter {unknown[0]!r}; supported: {', '.join(sorted(PARAMETERS))}"
        )
    events = _event_filters(visible(EpcisEvent.objects.all(), member), params)
    return _identifier_filters(events, params)


def _event_filters(events: QuerySet[EpcisEvent], params: Mapping[str, str]) -> QuerySet[EpcisEvent]:
    """The filters on the event's own columns: type, times, vocabulary fields, event id."""
    if raw := params.get("eventType"):
        types = _values(raw)
        wrong = [t for t in types if t not in EventType.values]
        if wrong:
            raise TraceabilityError(f"eventType: {wrong[0]!r} is not an EPCIS event type")
        events = events.filter(event_type__in=types)
    for name, lookup in TIME_FILTERS.items():
        if raw := params.get(name):
            events = events.filter(**{lookup: _time(name, raw)})
    for name, (column, vocabulary) in EQUALITY_FILTERS.items():
        if raw := params.get(name):
            values = _values(raw)
            if vocabulary is not None:
                values = [voc.canonical(v, vocabulary) for v in values]
            events = events.filter(**{f"{column}__in": values})
    if raw := params.get("EQ_eventID"):
        ids = _values(raw)
        events = events.filter(Q(hash_id__in=ids) | Q(declared_id__in=ids))
    return events


def _identifier_filters(
    events: QuerySet[EpcisEvent], params: Mapping[str, str]
) -> QuerySet[EpcisEvent]:
    """The filters on the identifiers an event names: EPCs, classes and their quantities."""
    for name, roles in EPC_MATCHES.items():
        if raw := params.get(name):
            matching = EpcisIdentifier.objects.filter(
                _matches(_values(raw)), role__in=roles, is_class=False
            )
            events = events.filter(pk__in=matching.values("event_id"))
    classes = EpcisIdentifier.objects.filter(is_class=True)
    class_filtered = False
    for name, roles in CLASS_MATCHES.items():
        if raw := params.get(name):
            classes = classes.filter(_matches(_values(raw)), role__in=roles)
            class_filtered = True
    for name, lookup in QUANTITY_FILTERS.items():
        if raw := params.get(name):
            classes = classes.filter(**{f"quantity__{lookup}": _amount(name, raw)})
            class_filtered = True
    if class_filtered:
        events = events.filter(pk__in=classes.values("event_id"))
    return events


def _amount(name: str, raw: str) -> Decimal:
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise TraceabilityError(f"{name}: {raw!r} is not a number") from None


def event_page(
    member: Membership, params: Mapping[str, str], *, per_page: int, after: int | None
) -> EventPage:
    """One page of matching events in capture order, with the id to continue after."""
    events = filter_events(member, params).order_by("id")
    if after is not None:
        events = events.filter(id__gt=after)
    rows = list(events[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    return EventPage(rows, rows[-1].pk if more and rows else None)


def contexts_of(events: list[EpcisEvent]) -> list[Any]:
    """The JSON-LD contexts the events' capture documents declared, merged without repeats."""
    from oretrace.traceability.models import EpcisCapture

    merged: list[Any] = []
    seen: set[str] = set()
    capture_ids = {e.capture_id for e in events}
    for context in EpcisCapture.objects.filter(pk__in=capture_ids).values_list(
        "context", flat=True
    ):
        for item in context if isinstance(context, list) else [context]:
            key = repr(item)
            if key not in seen:
                seen.add(key)
                merged.append(item)
    return merged


def lots_for(member: Membership) -> QuerySet[Lot]:
    """Lots the member may see, with their facility and flag count."""
    return visible(
        Lot.objects.select_related("facility").annotate(flag_count=Count("flags")), member
    )


def chain_events(lot: Lot, *, limit: int) -> tuple[list[EpcisEvent], int]:
    """The custody events behind ``lot``, oldest first: those that made, moved or collected a
    lot of its upstream chain. At most ``limit`` (the newest are kept); and how many more."""
    ids = list(upstream_graph(lot).nodes)
    events = (
        EpcisEvent.objects.filter(
            Q(edges__target_id__in=ids) | Q(movements__lot_id__in=ids) | Q(lots_produced__in=ids)
        )
        .distinct()
        .order_by("-event_time", "-pk")
    )
    total = events.count()
    kept = list(events[:limit])
    kept.reverse()
    return kept, total - len(kept)


def flags_for(member: Membership) -> QuerySet[CustodyFlag]:
    """Mass-balance flags on lots the member's organisation holds, newest first."""
    return visible(CustodyFlag.objects.select_related("lot", "event"), member)


def facility_lots(member: Membership, facility_id: int) -> tuple[Facility, list[Lot]]:
    """A facility the member may see, and the member organisation's lots made or collected there."""
    facility = get_for_member(Facility.objects.live(), member, pk=facility_id)
    lots = list(owned(Lot.objects.all(), member).filter(facility=facility))
    return facility, lots


def shares_out(found: Trace) -> dict[str, Any]:
    """A trace as plain data for the API and the pages."""
    return {
        "lot_id": found.lot.pk if found.lot is not None else None,
        "shares": [
            {
                "lot_id": s.lot_id,
                "code": s.code,
                "facility_id": s.facility_id,
                "facility": s.facility,
                "country": s.country,
                "origin_type": origin_type(s),
                "fraction": s.fraction,
                "kg": s.kg,
            }
            for s in found.shares
        ],
        "by_country": found.by_country,
        "by_type": found.by_type,
    }


LOT = "lot"  # colour classes of the chain picture besides the origin types
INTERMEDIATE = "intermediate"
ORIGIN_ORDER = (ARTISANAL, INDUSTRIAL, COLLECTION, RECYCLED, UNKNOWN)


@dataclass
class ChainFigure:
    """The chain picture of a lot, ready for the template (traceability/_chain_picture.html)."""

    chain: Chain
    picture: pictures.ChainPicture
    nodes: list[dict[str, Any]]
    bands: list[dict[str, Any]]
    kinds: list[str]  # the colour classes present, for the legend
    flagged: bool

    @property
    def width(self) -> str:
        return pictures.num(self.picture.width)

    @property
    def height(self) -> str:
        return pictures.num(self.picture.height)


def node_kind(chain: Chain, lot_id: int, sources: set[int]) -> str:
    """The colour class of a lot in its chain: the lot itself, an origin's type, or in between."""
    if lot_id == chain.lot_id:
        return LOT
    if lot_id not in sources:
        return origin_type(chain.nodes[lot_id])
    return INTERMEDIATE


def chain_layout(lot: Lot, *, limit: int | None = None) -> tuple[Chain, pictures.ChainPicture]:
    """The upstream chain of ``lot`` (at most ``limit`` lots) and its Sankey layout."""
    chain = upstream_graph(lot) if limit is None else upstream_graph(lot, limit=limit)
    with_sources = {e.target for e in chain.edges}
    inputs = {}
    for lot_id, node in chain.nodes.items():
        first = pictures.short_code(node.code)
        inputs[lot_id] = pictures.NodeIn(
            lot_id,
            (
                f"⚠ {first}" if node.flagged else first,
                pictures.clip(node.facility or "—"),
                node.country or "",
            ),
            node_kind(chain, lot_id, with_sources),
            node.flagged,
        )
    picture = pictures.layout(
        chain.lot_id, inputs, [(e.source, e.target, e.share) for e in chain.edges]
    )
    return chain, picture


def chain_out(lot: Lot) -> dict[str, Any]:
    """A lot's upstream chain as plain data for the API: lots and edges with their fractions."""
    chain, picture = chain_layout(lot)
    shares = {(e.source, e.target): e.share for e in chain.edges}
    return {
        "lot_id": chain.lot_id,
        "truncated": chain.truncated,
        "limit": chain.limit,
        "nodes": [
            {
                "lot_id": box.key,
                "code": chain.nodes[box.key].code,
                "facility_id": chain.nodes[box.key].facility_id,
                "facility": chain.nodes[box.key].facility,
                "country": chain.nodes[box.key].country,
                "kind": box.kind,
                "flagged": box.flagged,
                "fraction": box.flow,
                "layer": box.layer,
            }
            for box in picture.nodes
        ],
        "edges": [
            {
                "source": band.source,
                "target": band.target,
                "share": shares[(band.source, band.target)],
                "fraction": band.flow,
            }
            for band in sorted(picture.bands, key=lambda b: (b.target, b.source))
        ],
        "cycle_edges": [list(edge) for edge in picture.dropped_edges],
    }


def chain_figure(lot: Lot, *, limit: int | None = None) -> ChainFigure:
    """The upstream chain of ``lot`` laid out as a Sankey picture (at most ``limit`` lots)."""
    chain, picture = chain_layout(lot, limit=limit)
    n = pictures.num
    nodes = []
    for box in picture.nodes:
        node = chain.nodes[box.key]
        nodes.append(
            {
                "lot_id": box.key,
                "code": node.code,
                "facility": node.facility,
                "country": node.country or "",
                "kind": box.kind,
                "flagged": box.flagged,
                "percent": f"{box.flow * 100:.1f}",
                "x": n(box.x),
                "y": n(box.y),
                "width": n(box.width),
                "height": n(box.height),
                "label_x": n(box.label_x),
                "lines": [(n(y), line) for y, line in box.line_ys],
            }
        )
    bands = [
        {
            "source": chain.nodes[band.source].code,
            "target": chain.nodes[band.target].code,
            "kind": band.kind,
            "path": band.path,
            "percent": f"{band.flow * 100:.1f}",
        }
        for band in picture.bands
    ]
    order = [LOT, INTERMEDIATE, *ORIGIN_ORDER]
    present = {box.kind for box in picture.nodes}
    return ChainFigure(
        chain,
        picture,
        nodes,
        bands,
        [k for k in order if k in present],
        any(box.flagged for box in picture.nodes),
    )


@dataclass
class MapFigure:
    """The origins map of a lot, ready for the template (traceability/_origins_map.html)."""

    picture: maps.MapPicture | None  # None: no origin has coordinates
    markers: list[dict[str, Any]]
    unmapped: list[dict[str, Any]]  # origins whose facility has no coordinates
    kinds: list[str]


def origins_figure(found: Trace) -> MapFigure:
    """The origins of a trace on a map: one circle per origin facility (shares added up)."""
    ids = {s.facility_id for s in found.shares if s.facility_id is not None}
    where = {
        pk: (float(lon), float(lat))
        for pk, lat, lon in Facility.objects.filter(pk__in=ids).values_list(
            "pk", "latitude", "longitude"
        )
        if lat is not None and lon is not None
    }
    totals: dict[int, float] = {}
    by_kind: dict[int, dict[str, float]] = {}
    names: dict[int, str] = {}
    unmapped = []
    for share in found.shares:
        if share.facility_id is None or share.facility_id not in where:
            unmapped.append(
                {
                    "lot_id": share.lot_id,
                    "code": share.code,
                    "facility": share.facility,
                    "percent": f"{share.fraction * 100:.1f}",
                }
            )
            continue
        key = share.facility_id
        totals[key] = totals.get(key, 0.0) + share.fraction
        kinds = by_kind.setdefault(key, {})
        kinds[origin_type(share)] = kinds.get(origin_type(share), 0.0) + share.fraction
        names[key] = share.facility
    origins = [
        maps.Origin(
            key,
            pictures.clip(names[key]),
            where[key][0],
            where[key][1],
            totals[key],
            max(by_kind[key].items(), key=lambda kv: (kv[1], kv[0]))[0],
        )
        for key in totals
    ]
    if not origins:
        return MapFigure(None, [], unmapped, [])
    picture = maps.origins_map(origins)
    n = pictures.num
    markers = [
        {
            "facility_id": m.key,
            "name": m.name,
            "kind": m.kind,
            "percent": f"{m.fraction * 100:.1f}",
            "x": n(m.x),
            "y": n(m.y),
            "r": n(m.r),
            "label_x": None if m.label_x is None else n(m.label_x),
            "label_y": n(m.label_y),
            "anchor": m.anchor,
        }
        for m in picture.markers
    ]
    present = {m.kind for m in picture.markers}
    return MapFigure(picture, markers, unmapped, [k for k in ORIGIN_ORDER if k in present])
