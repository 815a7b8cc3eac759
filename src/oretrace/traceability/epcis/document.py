"""Bytes in, captured events out: the whole pure path of an EPCIS 2.0 JSON capture.

``read_document`` parses, validates (JSON Schema when given, semantic checks always), hashes and
extracts the indexed fields of every event. It touches neither the database nor the settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from oretrace.core import bounds
from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.epcis.checks import document_problems, parse_time
from oretrace.traceability.epcis.hashing import event_hashes
from oretrace.traceability.epcis.problems import Problem
from oretrace.traceability.epcis.schema import Validate, schema_problems

# Where an EPC sits in an event; the query's MATCH_epc looks at the first group, MATCH_anyEPC
# also at the parent.
EPC_ROLES = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
QUANTITY_ROLES = {
    "quantityList": "epc",
    "childQuantityList": "child",
    "inputQuantityList": "input",
    "outputQuantityList": "output",
}


@dataclass(frozen=True)
class Identifier:
    """One EPC, or one EPC class with a quantity, named by an event."""

    role: str  # epc | child | input | output | parent
    value: str
    is_class: bool = False
    quantity: Decimal | None = None
    uom: str = ""


@dataclass
class CapturedEvent:
    """One valid event with its hash ID and the fields the query filters on."""

    hash_id: str
    event_type: str
    action: str
    event_time: datetime
    time_zone_offset: str
    biz_step: str
    disposition: str
    read_point: str
    biz_location: str
    declared_id: str
    body: dict[str, Any]
    identifiers: list[Identifier] = field(default_factory=list)


@dataclass
class ReadResult:
    events: list[CapturedEvent]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


class DocumentError(ValueError):
    """The bytes are not a JSON document at all."""


def load_json(raw: bytes | str) -> Any:
    """The JSON value in ``raw``, or a DocumentError naming the line and column.

    orjson reads a large document ~3x faster than the json module; whatever it refuses
    (invalid text, NaN, integers beyond 64 bits) is read again by the json module, which
    accepts the same documents as before and names the line and column of a real error.
    """
    try:
        return orjson.loads(raw)  # refuses more than 1,024 levels itself, without recursing
    except orjson.JSONDecodeError:
        pass
    try:
        bounds.check_json_depth(raw, "the document")  # before the json module recurses
    except bounds.InputRefused as exc:
        raise DocumentError(str(exc)) from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise DocumentError("the document is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"the document is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def read_document(document: Any, *, schema: Validate | None = None) -> ReadResult:
    """Validate ``document`` (already parsed JSON) and turn its events into CapturedEvents.

    Nothing is returned as an event unless the whole document is valid: capture is all or
    nothing.
    """
    problems = schema_problems(document, schema) if schema is not None else []
    semantic = document_problems(document)
    seen = {(p.event, p.field) for p in problems}
    problems += [p for p in semantic if (p.event, p.field) not in seen]
    if problems:
        problems.sort(key=lambda p: (p.event or 0, p.field))
        return ReadResult([], problems)
    events: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    hashes = event_hashes(events, document.get("@context"))
    return ReadResult([_captured(e, h) for e, h in zip(events, hashes, strict=True)], [])


def _captured(event: dict[str, Any], hash_id: str) -> CapturedEvent:
    moment = parse_time(event["eventTime"])
    assert moment is not None  # noqa: S101 - the checks refused events without one
    return CapturedEvent(
        hash_id=hash_id,
        event_type=event["type"],
        action=event.get("action", ""),
        event_time=moment.astimezone(UTC),
        time_zone_offset=event["eventTimeZoneOffset"],
        biz_step=voc.canonical(event["bizStep"], voc.BIZ_STEP) if "bizStep" in event else "",
        disposition=(
            voc.canonical(event["disposition"], voc.DISPOSITION) if "disposition" in event else ""
        ),
        read_point=(event.get("readPoint") or {}).get("id", ""),
        biz_location=(event.get("bizLocation") or {}).get("id", ""),
        declared_id=event.get("eventID", ""),
        body=event,
        identifiers=list(_identifiers(event)),
    )


def read_event(event: dict[str, Any], hash_id: str) -> CapturedEvent:
    """An event of a valid document as capture stores it (the tamper audit reads it again)."""
    return _captured(event, hash_id)


def _identifiers(event: dict[str, Any]) -> list[Identifier]:
    found: list[Identifier] = []
    if "parentID" in event:
        found.append(Identifier("parent", event["parentID"]))
    for name, role in EPC_ROLES.items():
        found.extend(Identifier(role, epc) for epc in event.get(name) or [])
    for name, role in QUANTITY_ROLES.items():
        for element in event.get(name) or []:
            quantity = element.get("quantity")
            try:
                amount = None if quantity is None else Decimal(str(quantity))
            except InvalidOperation:  # pragma: no cover - the checks refused non-numbers
                amount = None
            found.append(
                Identifier(role, element["epcClass"], True, amount, element.get("uom", ""))
            )
    return found
