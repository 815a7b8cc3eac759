"""From captured events to lots, custody edges, movements and mass-balance flags.

Called by the capture service inside its transaction, for the events it has just stored, in
event-time order. What each event means for custody:

- ObjectEvent ADD: lots collected or made at the event's location (quantities, or EPCs);
- ObjectEvent shipping/departing: the lots' quantities leave (refused quantities are flagged);
- ObjectEvent receiving/arriving/accepting: the quantities arrive, compared with the last
  shipment of the lot (a lot first seen in a receipt becomes an origin of unknown provenance);
  a receipt that names where it came from (``sourceList``) is checked against that shipment:
  received "from" a place or party that never shipped the lot is a phantom receipt;
- TransformationEvent: inputs are consumed, outputs made, with an edge from every input to
  every output weighted by the input's share, and the yield checked against the process's
  maximum;
- AggregationEvent ADD: children packed into the parent (a bag, a container).

Violations never stop a capture (the events did happen and are evidence) and are never
dropped: each becomes a CustodyFlag on the lot and the facility.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from oretrace.core.models import Organisation
from oretrace.core.tenancy import owned_by
from oretrace.registry.models import Facility
from oretrace.traceability import bulk
from oretrace.traceability.choices import EdgeKind, FlagKind, LotKind, MovementKind
from oretrace.traceability.custody_flags import (
    FLAG_COLUMNS,
    OWNED_COLUMNS,
    Flag,
    exceeds_yield,
    flag_rows,
    over_consumption,
    over_yield,
    phantom_receipt,
    place_key,
    receipt_mismatch,
)
from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.locations import facilities_at
from oretrace.traceability.models import (
    CustodyEdge,
    CustodyFlag,
    EpcisEvent,
    Lot,
    LotMovement,
)

OT_VOCABULARY = "https://oretrace.org/voc/"
KG_PER_UNIT = {
    "KGM": Decimal(1),
    "GRM": Decimal("0.001"),
    "MGM": Decimal("0.000001"),
    "TNE": Decimal(1000),
    "LBR": Decimal("0.45359237"),
    "ONZ": Decimal("0.028349523125"),
}
SHIPPING_STEPS = {"shipping", "departing"}
RECEIVING_STEPS = {"receiving", "arriving", "accepting"}
_ZERO = Decimal(0)


@dataclass
class _Amount:
    code: str
    kind: str
    kg: Decimal | None  # None: not a mass (a count, or a unit we cannot convert)
    other: Decimal | None = None
    unit: str = ""


# New records are plain objects with the models' field names, written in bulk at the end of
# the batch (``bulk``): building thousands of model instances cost more than storing them.
# Lots and shipments already stored are the models' own instances (same attribute names).


@dataclass(eq=False, slots=True)
class NewLot:
    code: str
    kind: str
    facility: Facility | None
    location: str
    produced_by: EpcisEvent | None
    quantity_kg: Decimal = _ZERO
    remaining_kg: Decimal = _ZERO
    other_quantity: Decimal | None = None
    other_unit: str = ""
    recycled: bool = False
    pk: int | None = None


@dataclass(eq=False, slots=True)
class Movement:
    lot: Any  # Lot | NewLot
    kind: str
    quantity_kg: Decimal | None
    facility: Facility | None
    location: str
    counterpart: str
    event: EpcisEvent
    shipment: Any = None  # LotMovement | Movement | None
    pk: int | None = None


@dataclass(eq=False, slots=True)
class Edge:
    source: Any
    target: Any
    kind: str
    quantity_kg: Decimal | None
    share: float
    event: EpcisEvent


_OWNED = OWNED_COLUMNS
_LOT_COLUMNS = (
    "id", *_OWNED, "code", "kind", "facility_id", "location", "quantity_kg", "remaining_kg",
    "other_quantity", "other_unit", "recycled", "produced_by_id",
)  # fmt: skip
_MOVEMENT_COLUMNS = (
    "id", *_OWNED, "lot_id", "kind", "quantity_kg", "facility_id", "location", "counterpart",
    "shipment_id", "event_id",
)  # fmt: skip
_EDGE_COLUMNS = (*_OWNED, "source_id", "target_id", "kind", "quantity_kg", "share", "event_id")


def _pk(value: Any) -> int | None:
    return None if value is None else value.pk


@dataclass
class Applier:
    """Applies one capture's new events to one organisation's custody records."""

    organisation: Organisation
    user: Any
    prefixes: dict[str, str]
    lots: dict[str, Any] = field(default_factory=dict)  # code -> Lot | NewLot
    dirty: set[str] = field(default_factory=set)
    places: dict[str, Facility | None] = field(default_factory=dict)
    unsourced: set[str] = field(default_factory=set)
    open_shipments: dict[str, list[Any]] = field(default_factory=dict)
    shipments: list[Movement] = field(default_factory=list)
    receipts: list[Movement] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    _shipping_places: set[str] | None = None  # where stored shipments left from (loaded once)

    # --- reading events ----------------------------------------------------------------------

    def _amounts(self, body: dict[str, Any], epc_key: str, quantity_key: str) -> list[_Amount]:
        found = [_Amount(epc, LotKind.EPC_INSTANCE, None) for epc in body.get(epc_key) or []]
        for element in body.get(quantity_key) or []:
            quantity = Decimal(str(element.get("quantity", 0)))
            uom = element.get("uom", "")
            factor = KG_PER_UNIT.get(uom)
            found.append(
                _Amount(element["epcClass"], LotKind.EPC_CLASS, quantity * factor, None, uom)
                if factor is not None
                else _Amount(element["epcClass"], LotKind.EPC_CLASS, None, quantity, uom)
            )
        return found

    def _ot(self, body: dict[str, Any], name: str) -> Any:
        """An oretrace vocabulary extension (``ot:process`` with ot declared in @context)."""
        for key, value in body.items():
            prefix, _sep, local = key.partition(":")
            if local == name and self.prefixes.get(prefix) == OT_VOCABULARY:
                return value
            if key == OT_VOCABULARY + name:
                return value
        return None

    def locate(self, locations: set[str]) -> None:
        """Find the registry facilities of all the locations at once (see ``facilities_at``)."""
        found = facilities_at(locations, self.organisation.pk)
        self.places.update({loc: found.get(loc) for loc in locations})

    def place(self, location: str) -> Facility | None:
        """The registry facility a location URI names (by GLN, or as an 'other' identifier)."""
        if not location:
            return None
        if location not in self.places:
            self.locate({location})
        return self.places[location]

    # --- lots --------------------------------------------------------------------------------

    def preload(self, codes: Iterable[str]) -> None:
        """Load the organisation's stored lots among ``codes``."""
        wanted = sorted(set(codes) - set(self.lots))
        table = connection.ops.quote_name(Lot._meta.db_table)
        for condition, params in bulk.where_in("code", wanted):
            for lot in Lot.objects.raw(
                f"SELECT * FROM {table} WHERE organisation_id = %s AND {condition}",  # noqa: S608
                [self.organisation.pk, *params],
            ):
                self.lots[lot.code] = lot

    def load_open_shipments(self) -> None:
        """The stored shipments of the loaded lots that no receipt has matched yet, in order."""
        stored = {lot.pk: code for code, lot in self.lots.items() if not isinstance(lot, NewLot)}
        table = connection.ops.quote_name(LotMovement._meta.db_table)
        for condition, params in bulk.where_in("m.lot_id", sorted(stored)):
            for movement in LotMovement.objects.raw(
                f"SELECT m.* FROM {table} m WHERE m.kind = %s AND {condition} "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.shipment_id = m.id) "
                "ORDER BY m.id",
                [MovementKind.SHIPPING, *params],
            ):
                self.open_shipments.setdefault(stored[movement.lot_id], []).append(movement)

    def lot(self, amount: _Amount, *, location: str, event: EpcisEvent | None) -> Any:
        lot = self.lots.get(amount.code)
        if lot is None:
            lot = NewLot(
                code=amount.code,
                kind=amount.kind,
                facility=self.place(location),
                location=location,
                produced_by=event,
            )
            self.lots[amount.code] = lot
            if event is None:
                self.unsourced.add(amount.code)
        return lot

    def first_seen(self, lot: Any, amount: _Amount) -> None:
        """A lot first met as an input or a shipment: an origin of unknown provenance."""
        if lot.code in self.unsourced and lot.quantity_kg == 0 and amount.kg is not None:
            self.add(lot, amount)
        self.unsourced.discard(lot.code)

    def add(self, lot: Any, amount: _Amount, *, recycled: bool = False) -> None:
        if amount.kg is not None:
            lot.quantity_kg += amount.kg
            lot.remaining_kg += amount.kg
        elif amount.other is not None:
            lot.other_quantity = (lot.other_quantity or _ZERO) + amount.other
            lot.other_unit = amount.unit
        lot.recycled = lot.recycled or recycled
        self.dirty.add(lot.code)

    def take(self, lot: Any, kg: Decimal, *, kind: str, event: EpcisEvent, where: str) -> None:
        """Take ``kg`` from the lot, flagging a quantity beyond what it holds."""
        message = over_consumption(where, lot.code, kg, lot.remaining_kg)
        if message is not None:
            self.flag(kind, lot, event, expected=lot.remaining_kg, actual=kg, message=message)
        lot.remaining_kg = max(_ZERO, lot.remaining_kg - kg)
        self.dirty.add(lot.code)

    def flag(
        self,
        kind: str,
        lot: Any,
        event: EpcisEvent,
        *,
        expected: Decimal,
        actual: Decimal,
        message: str,
    ) -> None:
        self.flags.append(
            Flag(
                kind=kind,
                lot=lot,
                facility=lot.facility
                if kind == FlagKind.OVER_YIELD
                else self.place(event.biz_location or event.read_point),
                event=event,
                expected_kg=expected,
                actual_kg=actual,
                message=message,
            )
        )

    # --- events ------------------------------------------------------------------------------

    def apply(self, events: list[EpcisEvent]) -> None:
        codes: set[str] = set()
        for event in events:
            body = event.body
            for key in ("epcList", "inputEPCList", "outputEPCList", "childEPCs"):
                codes.update(body.get(key) or [])
            for key in (
                "quantityList",
                "inputQuantityList",
                "outputQuantityList",
                "childQuantityList",
            ):
                codes.update(q.get("epcClass", "") for q in body.get(key) or [])
            if "parentID" in body:
                codes.add(body["parentID"])
        self.preload(codes)
        self.locate({e.biz_location or e.read_point for e in events} - {""})
        self.load_open_shipments()
        for event in sorted(events, key=lambda e: (e.event_time, e.pk)):
            handler = {
                "ObjectEvent": self._object,
                "TransformationEvent": self._transformation,
                "AggregationEvent": self._aggregation,
            }.get(event.event_type)
            if handler is not None:
                handler(event)
        self.save()

    def save(self) -> None:
        """Write the batch's lots, movements, edges and flags (a few statements each)."""
        now = bulk.timestamp(timezone.now())
        owned = (self.organisation.pk, _pk(self.user), now, now)
        fresh = [lot for lot in self.lots.values() if lot.pk is None]
        for lot, pk in zip(fresh, bulk.reserve_ids(Lot, len(fresh)), strict=True):
            lot.pk = pk
        bulk.insert_rows(
            Lot,
            _LOT_COLUMNS,
            (
                (
                    lot.pk,
                    *owned,
                    lot.code,
                    lot.kind,
                    _pk(lot.facility),
                    lot.location,
                    lot.quantity_kg,
                    lot.remaining_kg,
                    lot.other_quantity,
                    lot.other_unit,
                    lot.recycled,
                    _pk(lot.produced_by),
                )
                for lot in fresh
            ),
        )
        stored = [self.lots[c] for c in self.dirty if not isinstance(self.lots[c], NewLot)]
        Lot.objects.bulk_update(
            stored,
            ["quantity_kg", "remaining_kg", "other_quantity", "other_unit", "recycled"],
            batch_size=500,
        )
        movements = self.shipments + self.receipts
        for movement, pk in zip(
            movements, bulk.reserve_ids(LotMovement, len(movements)), strict=True
        ):
            movement.pk = pk
        bulk.insert_rows(
            LotMovement,
            _MOVEMENT_COLUMNS,
            (
                (
                    m.pk,
                    *owned,
                    m.lot.pk,
                    m.kind,
                    m.quantity_kg,
                    _pk(m.facility),
                    m.location,
                    m.counterpart,
                    _pk(m.shipment),
                    m.event.pk,
                )
                for m in movements
            ),
        )
        bulk.insert_rows(
            CustodyEdge,
            _EDGE_COLUMNS,
            (
                (*owned, e.source.pk, e.target.pk, e.kind, e.quantity_kg, e.share, e.event.pk)
                for e in self.edges
            ),
        )
        bulk.insert_rows(CustodyFlag, FLAG_COLUMNS, flag_rows(self.flags, owned))

    def _location(self, event: EpcisEvent) -> str:
        return event.biz_location or event.read_point

    def _object(self, event: EpcisEvent) -> None:
        body, location = event.body, self._location(event)
        amounts = self._amounts(body, "epcList", "quantityList")
        if event.action == "ADD":
            recycled = bool(self._ot(body, "recycled"))
            for amount in amounts:
                self.add(
                    self.lot(amount, location=location, event=event), amount, recycled=recycled
                )
        elif event.biz_step in SHIPPING_STEPS:
            destination = next(
                (
                    d.get("destination", "")
                    for d in body.get("destinationList") or []
                    if voc.canonical(d.get("type", ""), voc.SOURCE_DEST_TYPE) == "location"
                ),
                "",
            )
            for amount in amounts:
                self._ship(event, amount, location, destination)
        elif event.biz_step in RECEIVING_STEPS:
            for amount in amounts:
                self._receive(event, amount, location)

    def _ship(self, event: EpcisEvent, amount: _Amount, location: str, destination: str) -> None:
        lot = self.lot(amount, location=location, event=None)
        self.first_seen(lot, amount)
        kg = amount.kg if amount.kg is not None else lot.remaining_kg
        self.take(lot, kg, kind=FlagKind.OVER_SHIPMENT, event=event, where="shipment")
        shipment = Movement(
            lot=lot,
            kind=MovementKind.SHIPPING,
            quantity_kg=kg,
            facility=self.place(location),
            location=location,
            counterpart=destination,
            event=event,
        )
        self.shipments.append(shipment)
        self.open_shipments.setdefault(lot.code, []).append(shipment)

    def _receive(self, event: EpcisEvent, amount: _Amount, location: str) -> None:
        known = amount.code in self.lots
        lot = self.lot(amount, location=location, event=None)
        self.unsourced.discard(lot.code)
        waiting = self.open_shipments.get(lot.code) or []
        shipment = waiting.pop() if waiting else None
        kg = amount.kg if amount.kg is not None else (shipment.quantity_kg if shipment else None)
        if shipment is not None and kg is not None and shipment.quantity_kg is not None:
            tolerance = settings.ORETRACE_CUSTODY_RECEIPT_TOLERANCE
            mismatch = receipt_mismatch(lot.code, kg, shipment.quantity_kg, tolerance)
            if mismatch is not None:
                self.flag(
                    FlagKind.RECEIPT_MISMATCH,
                    lot,
                    event,
                    expected=shipment.quantity_kg,
                    actual=kg,
                    message=mismatch,
                )
        self._check_source(event, lot, amount, shipment, known, kg)
        if kg is not None:
            if known or shipment is not None:
                lot.remaining_kg += kg
                self.dirty.add(lot.code)
            else:  # first seen here: an origin of unknown provenance at the receiving site
                self.add(lot, _Amount(amount.code, amount.kind, kg))
        receipt = Movement(
            lot=lot,
            kind=MovementKind.RECEIVING,
            quantity_kg=kg,
            facility=self.place(location),
            location=location,
            counterpart=next((s.get("source", "") for s in event.body.get("sourceList") or []), ""),
            shipment=shipment,
            event=event,
        )
        self.receipts.append(receipt)

    def _check_source(
        self,
        event: EpcisEvent,
        lot: Any,
        amount: _Amount,
        shipment: Any,
        known: bool,
        kg: Decimal | None,
    ) -> None:
        """Flag a phantom receipt (``custody_flags.phantom_receipt``)."""
        message = phantom_receipt(
            lot.code, event, shipment, known=known, ships_from=self._ships_from
        )
        if message is None:
            return
        received = kg if kg is not None else _ZERO
        self.flag(
            FlagKind.PHANTOM_RECEIPT, lot, event, expected=_ZERO, actual=received, message=message
        )

    def _ships_from(self, places: set[str]) -> bool:
        """Whether the organisation's records hold a shipment from one of the places."""
        if not places:
            return False
        if any(place_key(m.location) in places for m in self.shipments):
            return True
        if self._shipping_places is None:
            shipped = LotMovement.objects.filter(kind=MovementKind.SHIPPING)
            self._shipping_places = {
                place_key(location)
                for location in owned_by(shipped, self.organisation.pk)
                .values_list("location", flat=True)
                .distinct()
            }
        return bool(places & self._shipping_places)

    def _link(
        self,
        event: EpcisEvent,
        kind: str,
        inputs: list[tuple[Any, Decimal | None]],
        outputs: list[tuple[Any, Decimal | None]],
    ) -> None:
        total_in = sum((kg for _lot, kg in inputs if kg is not None), _ZERO)
        total_out = sum((kg for _lot, kg in outputs if kg is not None), _ZERO)
        for source, in_kg in inputs:
            share = float(in_kg / total_in) if in_kg is not None and total_in else 1 / len(inputs)
            for target, out_kg in outputs:
                part = (
                    in_kg * out_kg / total_out
                    if in_kg is not None and out_kg is not None and total_out
                    else None
                )
                self.edges.append(
                    Edge(
                        source=source,
                        target=target,
                        kind=kind,
                        quantity_kg=part,
                        share=share,
                        event=event,
                    )
                )

    def _consume(self, event: EpcisEvent, amounts: list[_Amount], location: str):  # type: ignore[no-untyped-def]
        consumed = []
        for amount in amounts:
            lot = self.lot(amount, location=location, event=None)
            self.first_seen(lot, amount)
            kg = amount.kg if amount.kg is not None else (lot.remaining_kg or None)
            if kg is not None:
                self.take(lot, kg, kind=FlagKind.OVER_CONSUMPTION, event=event, where="processing")
            consumed.append((lot, kg))
        return consumed

    def _transformation(self, event: EpcisEvent) -> None:
        body, location = event.body, self._location(event)
        inputs = self._consume(
            event, self._amounts(body, "inputEPCList", "inputQuantityList"), location
        )
        outputs = []
        for amount in self._amounts(body, "outputEPCList", "outputQuantityList"):
            lot = self.lot(amount, location=location, event=event)
            self.add(lot, amount, recycled=bool(self._ot(body, "recycled")))
            outputs.append((lot, amount.kg))
        if not inputs or not outputs:
            return
        self._link(event, EdgeKind.TRANSFORMATION, inputs, outputs)
        total_in = sum((kg for _l, kg in inputs if kg is not None), _ZERO)
        total_out = sum((kg for _l, kg in outputs if kg is not None), _ZERO)
        process = str(self._ot(body, "process") or event.biz_step or "")
        max_yield = Decimal(str(settings.ORETRACE_CUSTODY_MAX_YIELDS.get(process, 1.0)))
        if not exceeds_yield(total_in, total_out, max_yield):
            return
        place = self.place(location)
        where = place.name if place is not None else location or "an unknown place"
        message = over_yield(process, where, total_in, total_out, max_yield)
        for lot, _kg in outputs:
            self.flag(
                FlagKind.OVER_YIELD,
                lot,
                event,
                expected=total_in * max_yield,
                actual=total_out,
                message=message,
            )

    def _aggregation(self, event: EpcisEvent) -> None:
        body, location = event.body, self._location(event)
        if event.action != "ADD" or "parentID" not in body:
            return
        children = self._consume(
            event, self._amounts(body, "childEPCs", "childQuantityList"), location
        )
        parent = self.lot(
            _Amount(body["parentID"], LotKind.EPC_INSTANCE, None), location=location, event=event
        )
        total = sum((kg for _l, kg in children if kg is not None), _ZERO)
        self.add(parent, _Amount(parent.code, LotKind.EPC_INSTANCE, total))
        if children:
            self._link(event, EdgeKind.AGGREGATION, children, [(parent, total)])


def apply_events(
    events: list[EpcisEvent], *, organisation: Organisation, user: Any, context: Any
) -> list[Flag]:
    """Turn the new events of one capture into custody records; return the flags raised."""
    prefixes: dict[str, str] = {}
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict):
            prefixes.update({k: str(v) for k, v in item.items() if isinstance(v, str)})
    applier = Applier(organisation, user, prefixes)
    applier.apply(events)
    return applier.flags
