"""The traceability records committed to the transparency log, with their public facts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from oretrace.core.models import Organisation
from oretrace.ledger.records import Finding, register, register_check
from oretrace.traceability import custody
from oretrace.traceability.choices import STEP_LABELS, EventType
from oretrace.traceability.epcis import hashing
from oretrace.traceability.epcis.document import read_event
from oretrace.traceability.models import (
    CustodyEdge,
    CustodyFlag,
    EpcisCapture,
    EpcisEvent,
    EpcisIdentifier,
    Lot,
    LotMovement,
)


def epcis_event_facts(event: EpcisEvent) -> dict[str, Any]:
    """An event's public facts: its hash ID, type, time and business step (no personal data)."""
    return {
        "hash_id": event.hash_id,
        "type": event.event_type,
        "event_time": event.event_time.astimezone(UTC).isoformat(timespec="microseconds"),
        "biz_step": event.biz_step,
    }


def event_type_label(value: Any) -> str:
    """An EPCIS event type's name in the reader's language ("" for a type we do not know)."""
    return str(dict(EventType.choices).get(str(value), ""))


def step_label(value: Any) -> str:
    """A CBV business step's name in the reader's language ("" for a step we do not know)."""
    return str(STEP_LABELS.get(str(value).rsplit(":", 1)[-1].rsplit("/", 1)[-1], ""))


# The ledger's record type of a custody event (its public verification links name it).
EVENT_RECORD = "traceability.epcisevent"

register(
    EpcisEvent,
    EVENT_RECORD,
    facts=epcis_event_facts,
    label="EPCIS event",
    value_labels={"type": event_type_label, "biz_step": step_label},
    row_only=True,  # captures append thousands at once: their facts stream into the COPY
)


# --- what the tamper audit recomputes from the committed events ------------------------------
#
# An event's leaf commits to its CBV hash ID, which is a hash of the whole event: the audit
# recomputes it from the stored body, and reads the body again for the columns and identifiers
# the capture took from it. Lots, movements, custody edges and mass-balance flags are derived
# from the events alone: the audit derives them again with the capture's own code (``custody``)
# and compares them with the stored rows.

_CHUNK = 2000
_PLACES = Decimal("0.000001")
_EVENT = EVENT_RECORD


def _kg(value: Decimal | float | None) -> Decimal | None:
    """A quantity as the database keeps it (6 decimal places), for comparison."""
    return None if value is None else Decimal(value).quantize(_PLACES)


def _event_columns(event: EpcisEvent) -> tuple[Any, ...]:
    return (
        event.hash_id,
        event.event_type,
        event.action,
        event.event_time,
        event.time_zone_offset,
        event.biz_step,
        event.disposition,
        event.read_point,
        event.biz_location,
        event.declared_id,
    )


def _identifier_key(
    role: str, value: str, is_class: bool, quantity: Decimal | None, uom: str
) -> tuple[Any, ...]:
    return (role, value[:300], is_class, _kg(quantity), uom[:3])


def _check_chunk(events: list[EpcisEvent], contexts: dict[int, Any]) -> Iterator[Finding]:
    identifiers: dict[int, Counter[tuple[Any, ...]]] = {e.pk: Counter() for e in events}
    for event_id, role, value, is_class, quantity, uom in EpcisIdentifier.objects.filter(
        event_id__in=list(identifiers)
    ).values_list("event_id", "role", "value", "is_class", "quantity", "uom"):
        identifiers[event_id][_identifier_key(role, value, is_class, quantity, uom)] += 1
    for event in events:
        namespaces = contexts[event.capture_id]
        own = event.body.get("@context") if isinstance(event.body, dict) else None
        if own is not None:  # an event's own context holds for it and the capture's later ones
            namespaces.update(hashing.context_namespaces(own))
        try:
            recomputed = hashing.hash_id(hashing.prehash(event.body, namespaces))
            read = read_event(event.body, recomputed)
        except Exception as exc:  # any body that no longer reads is altered
            yield Finding(
                _EVENT, str(event.pk), event.organisation_id, f"the stored body no longer reads "
                f"as an EPCIS event ({type(exc).__name__}: {exc})",
            )  # fmt: skip
            continue
        if recomputed != event.hash_id:
            yield Finding(
                _EVENT,
                str(event.pk),
                event.organisation_id,
                "the stored body no longer hashes to the committed event hash ID "
                f"{event.hash_id}: the event was changed outside the services",
            )
            continue
        stored = _event_columns(event)
        expected = (
            read.hash_id,
            read.event_type,
            read.action,
            read.event_time,
            read.time_zone_offset,
            read.biz_step[:300],
            read.disposition[:300],
            read.read_point[:300],
            read.biz_location[:300],
            read.declared_id[:300],
        )
        if stored != expected:
            names = [
                name for name, a, b in zip(_COLUMN_NAMES, stored, expected, strict=True) if a != b
            ]
            yield Finding(
                _EVENT,
                str(event.pk),
                event.organisation_id,
                f"stored {', '.join(names)} differ from the committed event's body",
            )
        wanted = Counter(
            _identifier_key(i.role, i.value, i.is_class, i.quantity, i.uom)
            for i in read.identifiers
        )
        if identifiers[event.pk] != wanted:
            yield Finding(
                _EVENT,
                str(event.pk),
                event.organisation_id,
                "the stored EPCs and quantities (identifiers) differ from the committed "
                "event's body",
            )


_COLUMN_NAMES = (
    "hash_id",
    "event_type",
    "action",
    "event_time",
    "time_zone_offset",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "declared_id",
)


def check_events() -> Iterator[Finding]:
    """Every stored event's body against its committed hash ID, and what was read from it."""
    contexts: dict[int, Any] = {}
    capture_contexts = dict(EpcisCapture.objects.values_list("pk", "context"))
    chunk: list[EpcisEvent] = []
    for event in EpcisEvent.objects.order_by("capture_id", "pk").iterator(_CHUNK):
        if event.capture_id not in contexts:
            contexts[event.capture_id] = hashing.context_namespaces(
                capture_contexts.get(event.capture_id)
            )
        chunk.append(event)
        if len(chunk) == _CHUNK:
            yield from _check_chunk(chunk, contexts)
            chunk = []
    yield from _check_chunk(chunk, contexts)


class _Rederive(custody.Applier):
    """The capture's custody derivation, in memory: every lot is one it derived itself."""

    def preload(self, codes: Iterable[str]) -> None:
        pass

    def load_open_shipments(self) -> None:
        pass

    def locate(self, locations: set[str]) -> None:
        pass

    def place(self, location: str) -> Any:
        return None  # registry facilities are not compared: the registry changes

    def save(self) -> None:
        pass


def _derive(organisation_id: int) -> _Rederive:
    """Derive the organisation's custody records again, capture by capture, as captured."""
    applier = _Rederive(Organisation(pk=organisation_id), None, {})
    by_capture: dict[int, list[EpcisEvent]] = {}
    for event in EpcisEvent.objects.filter(organisation_id=organisation_id).order_by("pk"):
        by_capture.setdefault(event.capture_id, []).append(event)
    contexts = dict(
        EpcisCapture.objects.filter(pk__in=list(by_capture)).values_list("pk", "context")
    )
    for capture_id in sorted(by_capture):
        applier.unsourced = set()
        applier.prefixes = {}
        context = contexts.get(capture_id)
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict):
                applier.prefixes.update({k: str(v) for k, v in item.items() if isinstance(v, str)})
        applier.apply(by_capture[capture_id])
    return applier


def _lot_key(lot: Any, produced_by: int | None) -> tuple[Any, ...]:
    return (
        lot.kind,
        _kg(lot.quantity_kg),
        _kg(lot.remaining_kg),
        _kg(lot.other_quantity),
        lot.other_unit,
        bool(lot.recycled),
        produced_by,
        lot.location,
    )


def _compare(
    record_type: str,
    organisation_id: int,
    stored: dict[int, tuple[Any, ...]],
    derived: Counter[tuple[Any, ...]],
    what: str,
) -> Iterator[Finding]:
    """Stored rows (by id) against the derived multiset: name extra rows and missing ones."""
    left = Counter(derived)
    extra = []
    for pk, key in sorted(stored.items()):
        if left[key] > 0:
            left[key] -= 1
        else:
            extra.append(pk)
    for pk in extra:
        yield Finding(
            record_type,
            str(pk),
            organisation_id,
            f"the stored {what} is not what the committed events derive",
            "derived-altered",
        )
    for key, count in sorted(left.items(), key=repr):
        if count > 0:
            event_id = key[-1]
            yield Finding(
                _EVENT,
                str(event_id),
                organisation_id,
                f"{count} {what}(s) that the committed event derives are missing or altered",
                "derived-altered",
            )


def check_custody() -> Iterator[Finding]:
    """Lots, movements, custody edges and flags against their re-derivation from the events."""
    owners = set(EpcisEvent.objects.values_list("organisation_id", flat=True).distinct())
    owners |= set(Lot.objects.values_list("organisation_id", flat=True).distinct())
    for organisation_id in sorted(owners):
        derived = _derive(organisation_id)
        lots: dict[int, tuple[str, _Row]] = {
            pk: (code, _Row(*rest))
            for pk, code, *rest in Lot.objects.filter(
                organisation_id=organisation_id
            ).values_list(
                "pk", "code", "kind", "quantity_kg", "remaining_kg", "other_quantity",
                "other_unit", "recycled", "produced_by_id", "location",
            )
        }  # fmt: skip
        code_of = {pk: code for pk, (code, _row) in lots.items()}
        for pk, (code, row) in sorted(lots.items()):
            found = derived.lots.get(code)
            stored_key = _lot_key(row, row.produced_by_id)
            if found is None or stored_key != _lot_key(found, custody._pk(found.produced_by)):
                yield Finding(
                    "traceability.lot",
                    str(pk),
                    organisation_id,
                    f"lot {code}: its stored kind, quantities or origin are not what the "
                    "committed events derive",
                    "derived-altered",
                )
        for code, lot in derived.lots.items():
            if code not in set(code_of.values()):
                producer = custody._pk(lot.produced_by)
                yield Finding(
                    _EVENT if producer else "traceability.lot",
                    str(producer or code),
                    organisation_id,
                    f"lot {code}, which the committed events derive, is missing",
                    "derived-altered",
                )
        yield from _compare_rows(organisation_id, derived, code_of)


@dataclass
class _Row:
    """A stored lot's compared columns (as ``values_list`` reads them)."""

    kind: Any
    quantity_kg: Any
    remaining_kg: Any
    other_quantity: Any
    other_unit: Any
    recycled: Any
    produced_by_id: Any
    location: Any


def _compare_rows(
    organisation_id: int, derived: _Rederive, code_of: dict[int, str]
) -> Iterator[Finding]:
    org = {"organisation_id": organisation_id}
    edges = {
        pk: (code_of.get(s), code_of.get(t), kind, _kg(q), round(share, 12), event)
        for pk, s, t, kind, q, share, event in CustodyEdge.objects.filter(**org).values_list(
            "pk", "source_id", "target_id", "kind", "quantity_kg", "share", "event_id"
        )
    }
    yield from _compare(
        "traceability.custodyedge",
        organisation_id,
        edges,
        Counter(
            (
                e.source.code,
                e.target.code,
                e.kind,
                _kg(e.quantity_kg),
                round(e.share, 12),
                e.event.pk,
            )
            for e in derived.edges
        ),
        "custody edge",
    )
    rows = list(
        LotMovement.objects.filter(**org).values_list(
            "pk", "lot_id", "kind", "quantity_kg", "location", "counterpart", "shipment_id",
            "event_id",
        )
    )  # fmt: skip
    shipped = {pk: (code_of.get(lot), event) for pk, lot, *_rest, event in rows}
    movements = {
        pk: (code_of.get(lot), kind, _kg(q), loc, other, shipped.get(ship), event)
        for pk, lot, kind, q, loc, other, ship, event in rows
    }
    yield from _compare(
        "traceability.lotmovement",
        organisation_id,
        movements,
        Counter(
            (
                m.lot.code,
                m.kind,
                _kg(m.quantity_kg),
                m.location,
                m.counterpart,
                None if m.shipment is None else (m.shipment.lot.code, m.shipment.event.pk),
                m.event.pk,
            )
            for m in derived.shipments + derived.receipts
        ),
        "lot movement",
    )
    flags = {
        pk: (kind, code_of.get(lot), _kg(expected), _kg(actual), event)
        for pk, kind, lot, expected, actual, event in CustodyFlag.objects.filter(**org).values_list(
            "pk", "kind", "lot_id", "expected_kg", "actual_kg", "event_id"
        )
    }
    yield from _compare(
        "traceability.custodyflag",
        organisation_id,
        flags,
        Counter(
            (f.kind, f.lot.code, _kg(f.expected_kg), _kg(f.actual_kg), f.event.pk)
            for f in derived.flags
        ),
        "mass-balance flag",
    )


register_check("EPCIS event bodies", check_events)
register_check("custody derived from the events", check_custody)
