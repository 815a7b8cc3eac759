"""The mass-balance flag rules of custody: when a receipt, a processing step or a
transformation is flagged, and what the flag says.

``custody.Applier`` walks a capture's events and asks these rules about each quantity that
moves; a rule answers with the message of a flag, or ``None`` when the movement is in balance.
Flags never stop a capture (the events did happen and are evidence): each becomes a
`CustodyFlag` on the lot and the facility.

- **receipt mismatch**: a receipt's quantity differs from the shipment it answers by more than
  ``ORETRACE_CUSTODY_RECEIPT_TOLERANCE`` per cent;
- **phantom receipt**: a receipt names where it came from (``sourceList``) and that place or
  party did not ship the lot;
- **over-consumption**: more is taken from a lot than it holds (``Applier.take``);
- **over-yield**: a transformation makes more than its inputs times the process's maximum
  yield (``ORETRACE_CUSTODY_MAX_YIELDS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from oretrace.registry.models import Facility
from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.locations import gln_of
from oretrace.traceability.models import EpcisEvent

# The columns every custody row starts with, and a flag's own (written in bulk by the Applier).
OWNED_COLUMNS = ("organisation_id", "created_by_id", "created_at", "updated_at")
FLAG_COLUMNS = (
    *OWNED_COLUMNS, "kind", "lot_id", "facility_id", "event_id", "expected_kg", "actual_kg",
    "message",
)  # fmt: skip


@dataclass(eq=False, slots=True)
class Flag:
    kind: str
    lot: Any
    facility: Facility | None
    event: EpcisEvent
    expected_kg: Decimal
    actual_kg: Decimal
    message: str


def flag_rows(flags: list[Flag], owned: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The flags as rows of ``FLAG_COLUMNS``, ``owned`` giving the first four values."""
    for f in flags:
        facility = None if f.facility is None else f.facility.pk
        yield (
            *owned,
            f.kind,
            f.lot.pk,
            facility,
            f.event.pk,
            f.expected_kg,
            f.actual_kg,
            f.message,
        )


def place_key(uri: str) -> str:
    """A location or party as compared between a receipt and a shipment: its GLN when it has
    one (an SGLN's extension, a Digital Link's path do not matter), else the URI."""
    return gln_of(uri) or uri


def sources_of(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    """An event's ``sourceList`` by kind (location, owning_party, possessing_party): the
    compared key of each source (``place_key``) and the URI as written."""
    found: dict[str, dict[str, str]] = {}
    for item in body.get("sourceList") or []:
        kind = voc.canonical(str(item.get("type", "")), voc.SOURCE_DEST_TYPE)
        uri = str(item.get("source", "")).strip()
        if kind and uri:
            found.setdefault(kind, {})[place_key(uri)] = uri
    return found


def receipt_mismatch(lot_code: str, kg: Decimal, shipped_kg: Decimal, tolerance: Any) -> str | None:
    """The flag's message when ``kg`` received differs from ``shipped_kg`` by more than
    ``tolerance`` per cent of the shipment."""
    if abs(kg - shipped_kg) <= shipped_kg * tolerance / 100:
        return None
    return (
        f"receipt of lot {lot_code}: {kg.normalize():f} kg received, "
        f"{shipped_kg.normalize():f} kg shipped (tolerance {tolerance} %)"
    )


def phantom_receipt(
    lot_code: str,
    event: EpcisEvent,
    shipment: Any,
    *,
    known: bool,
    ships_from: Callable[[set[str]], bool],
) -> str | None:
    """The flag's message when the lot is received "from" a place or party (the receipt's
    ``sourceList``) that did not ship it. With a shipment waiting, a source of a kind the
    shipment also states (its location, its own sources) must be among them; without one,
    a lot already in the records (``known``), or a place that ships other lots
    (``ships_from``), did not ship this."""
    named = sources_of(event.body)
    if not named:
        return None
    if shipment is not None:
        shipped = sources_of(shipment.event.body)
        if shipment.location:
            shipped.setdefault("location", {})[place_key(shipment.location)] = ""
        wrong = {
            uri
            for kind, uris in named.items()
            if shipped.get(kind)
            for key, uri in uris.items()
            if key not in shipped[kind]
        }
        if not wrong:
            return None
        where = shipment.location or "an unnamed place"
        return (
            f"receipt of lot {lot_code} from {', '.join(sorted(wrong))}: the shipment it "
            f"answers left from {where}, not from there"
        )
    if known or ships_from(set(named.get("location", {}))):
        return (
            f"receipt of lot {lot_code} from "
            f"{', '.join(sorted(u for uris in named.values() for u in uris.values()))}: "
            "no shipment "
            "of this lot from there was recorded"
        )
    return None  # an unknown lot from a party that ships nothing here: unknown provenance


def over_consumption(where: str, lot_code: str, kg: Decimal, remaining: Decimal) -> str | None:
    """The flag's message when ``kg`` is taken from a lot that holds only ``remaining``."""
    if kg <= remaining:
        return None
    return (
        f"{where}: {kg.normalize():f} kg taken from lot {lot_code}, which holds "
        f"{remaining.normalize():f} kg"
    )


def exceeds_yield(total_in: Decimal, total_out: Decimal, max_yield: Decimal) -> bool:
    """Whether a transformation made more than its inputs times the maximum yield."""
    return bool(total_in) and total_out > total_in * max_yield


def over_yield(
    process: str, where: str, total_in: Decimal, total_out: Decimal, max_yield: Decimal
) -> str:
    """The flag's message when a transformation made more than its inputs allow."""
    return (
        f"{process or 'processing'} at {where}: "
        f"{total_out.normalize():f} kg out of {total_in.normalize():f} kg in, above "
        f"the maximum yield of {(max_yield * 100).normalize():f} %"
    )
