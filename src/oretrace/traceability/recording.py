"""Custody recorded from plain forms: collections, processing, shipments and receipts.

People at collection points and processors record what happened in their own terms (a place, a
lot number, kilograms); this module turns each record into one EPCIS 2.0 event and captures it
through ``services.capture_document``, so a form entry is checked, hashed, stored, committed to
the ledger and turned into custody records exactly like an event sent by a system.

Places become location URIs the custody derivation resolves back to the registry: the
facility's GLN as a GS1 Digital Link, else a URI identifier it already has, else our own
``urn:x-oretrace:facility:<id>``. Lots without a number of their own get an oretrace lot number,
``<YYYYMMDD>-<NNN>`` (see ``codes`` for the URIs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from oretrace.core.models import Membership, Organisation
from oretrace.core.tenancy import owned
from oretrace.registry.choices import IdentifierScheme
from oretrace.registry.models import Facility
from oretrace.traceability import codes, services
from oretrace.traceability.custody import OT_VOCABULARY
from oretrace.traceability.models import CustodyFlag, Lot, LotMovement

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
UNITS = {"kg": "KGM", "t": "TNE", "g": "GRM"}
_LOT_NUMBER_LOCK = 0x6F74  # first key of the advisory lock taken while numbering lots


@dataclass(frozen=True)
class Recorded:
    """What a form entry stored: the lot it is about and the flags its event raised."""

    lot: Lot
    flags: list[CustodyFlag]
    new: bool  # False when the same event had been recorded before (nothing stored twice)


# --- places and lot codes --------------------------------------------------------------------


def location_of(facility: Facility) -> str:
    """The location URI events at this facility carry (see the module docstring)."""
    identifiers: dict[str, str] = {i.scheme: i.value for i in facility.identifiers.all()}
    if gln := identifiers.get(IdentifierScheme.GLN):
        return f"https://id.gs1.org/414/{gln}"
    other = identifiers.get(IdentifierScheme.OTHER, "")
    if re.match(r"^(urn:|https?://)\S+$", other):
        return other
    return codes.facility_uri(facility.pk)


def lot_uri(organisation: Organisation, number: str) -> str:
    """The epcClass URI of a lot number typed on a form (or generated)."""
    return codes.lot_code(organisation.slug, number)


def next_lot_number(organisation: Organisation, day: datetime) -> str:
    """The next free oretrace lot number of the day: ``20261122-001``, ``20261122-002``…

    Call it inside the transaction that records the lot: on PostgreSQL it takes a
    transaction-scoped lock per organisation, so two people recording at the same moment get
    two numbers (SQLite runs one writer at a time anyway).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOT_NUMBER_LOCK, organisation.pk]
            )
    stem = f"{day:%Y%m%d}-"
    prefix = lot_uri(organisation, stem)
    taken = {
        codes.lot_number(code)
        for code in Lot.objects.filter(
            organisation=organisation, code__startswith=prefix
        ).values_list("code", flat=True)
    }
    number = len(taken) + 1
    while f"{stem}{number:03d}" in taken:
        number += 1
    return f"{stem}{number:03d}"


# --- events ----------------------------------------------------------------------------------


def _when(moment: datetime) -> dict[str, str]:
    moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return {
        "eventTime": moment.isoformat(timespec="seconds"),
        "eventTimeZoneOffset": f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
    }


def _quantity(code: str, amount: Decimal, unit: str) -> dict[str, Any]:
    return {"epcClass": code, "quantity": float(amount), "uom": UNITS.get(unit, unit)}


def _place(facility: Facility) -> dict[str, dict[str, str]]:
    where = location_of(facility)
    return {"readPoint": {"id": where}, "bizLocation": {"id": where}}


def _object_event(
    action: str,
    step: str,
    disposition: str,
    *,
    when: datetime,
    at: Facility,
    quantity: dict[str, Any],
) -> dict[str, Any]:
    """An ObjectEvent about one quantity of one lot at a facility (the parts every kind shares)."""
    return {
        "type": "ObjectEvent",
        **_when(when),
        "action": action,
        "bizStep": step,
        "disposition": disposition,
        **_place(at),
        "quantityList": [quantity],
    }


def collection_event(
    *, facility: Facility, when: datetime, lot: str, amount: Decimal, unit: str, recycled: bool
) -> dict[str, Any]:
    """Material collected (or, when recycled, taken back) at a mine or collection point."""
    event = _object_event(
        "ADD",
        "commissioning",
        "active",
        when=when,
        at=facility,
        quantity=_quantity(lot, amount, unit),
    )
    event["ot:process"] = "collection"
    if recycled:
        event["ot:recycled"] = True
    return event


def processing_event(
    *,
    facility: Facility,
    when: datetime,
    process: str,
    inputs: list[tuple[Lot, Decimal]],
    output: str,
    amount: Decimal,
    unit: str,
) -> dict[str, Any]:
    """Input lots (kg) turned into one output lot by a process (sorting, milling, …)."""
    return {
        "type": "TransformationEvent",
        **_when(when),
        "bizStep": "commissioning",
        "disposition": "active",
        **_place(facility),
        "inputQuantityList": [_quantity(lot.code, kg, "kg") for lot, kg in inputs],
        "outputQuantityList": [_quantity(output, amount, unit)],
        "ot:process": process,
    }


def shipment_event(
    *, lot: Lot, amount: Decimal, origin: Facility, destination: Facility, when: datetime
) -> dict[str, Any]:
    return {
        **_object_event(
            "OBSERVE",
            "shipping",
            "in_transit",
            when=when,
            at=origin,
            quantity=_quantity(lot.code, amount, "kg"),
        ),
        "sourceList": [{"type": "location", "source": location_of(origin)}],
        "destinationList": [{"type": "location", "destination": location_of(destination)}],
    }


def receipt_event(
    *, shipment: LotMovement, amount: Decimal, facility: Facility, when: datetime
) -> dict[str, Any]:
    event = _object_event(
        "OBSERVE",
        "receiving",
        "in_progress",
        when=when,
        at=facility,
        quantity=_quantity(shipment.lot.code, amount, "kg"),
    )
    event["destinationList"] = [{"type": "location", "destination": location_of(facility)}]
    if shipment.location:
        event["sourceList"] = [{"type": "location", "source": shipment.location}]
    return event


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    """An EPCISDocument around the events, declaring our ``ot:`` vocabulary."""
    return {
        "@context": [EPCIS_CONTEXT, {"ot": OT_VOCABULARY}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(timespec="seconds"),
        "epcisBody": {"eventList": events},
    }


@transaction.atomic
def record(event: dict[str, Any], *, lot_code: str, member: Membership) -> Recorded:
    """Capture one form-made event; return the lot it concerns and the flags it raised."""
    captured = services.capture_document(
        document([event]), organisation=member.organisation, actor=member
    )
    lot = owned(Lot.objects.all(), member).get(code=lot_code)
    flags = list(
        owned(CustodyFlag.objects.all(), member)
        .filter(event__capture=captured.capture)
        .select_related("lot")
    )
    return Recorded(lot, flags, captured.capture.new_count > 0)
