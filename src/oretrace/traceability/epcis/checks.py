"""Semantic checks of an EPCIS 2.0 JSON document, always on (with or without the JSON Schema).

They catch what the schema lets through (a bare business step that is no CBV term, ILMD fields
without a namespace) and repeat the schema's essentials, so that a deployment without the schema
file still refuses bad documents with an error naming the event and the field.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.epcis.problems import Problem

EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})
# Prefixes the EPCIS JSON-LD context itself defines; a document may declare more.
KNOWN_PREFIXES = frozenset(
    {"epcis", "cbv", "cbvmda", "gs1", "rdf", "rdfs", "owl", "xsd", "dcterms"}
)
EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
COMMON_FIELDS = frozenset(
    {
        "type",
        "@context",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "recordTime",
        "errorDeclaration",
        "certificationInfo",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
    }
)
FIELDS_BY_TYPE = {
    "ObjectEvent": {"action", "epcList", "quantityList", "ilmd"},
    "AggregationEvent": {"action", "parentID", "childEPCs", "childQuantityList"},
    "TransactionEvent": {"action", "parentID", "epcList", "quantityList"},
    "TransformationEvent": {
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "ilmd",
    },
    "AssociationEvent": {"action", "parentID", "childEPCs", "childQuantityList"},
}
_OFFSET = re.compile(r"^[+-](?:0\d|1[0-4]):[0-5]\d$")
_QUANTITY_KEYS = frozenset({"epcClass", "quantity", "uom"})
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time with a time zone, or ``None``."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def namespaces(context: Any) -> set[str]:
    """The prefixes a JSON-LD ``@context`` (string, object or list of them) declares."""
    found: set[str] = set()
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, dict):
            found.update(k for k in item if isinstance(k, str) and not k.startswith("@"))
    return found


def is_namespaced(key: str, prefixes: set[str]) -> bool:
    """True for ``prefix:name`` with a declared prefix, or for a key that is an absolute URI."""
    if key.startswith(("http://", "https://", "urn:")):
        return True
    prefix, sep, local = key.partition(":")
    return bool(sep and local) and (prefix in prefixes or prefix in KNOWN_PREFIXES)


class _Event:
    """Collects the problems of one event."""

    def __init__(self, index: int, event: dict[str, Any], prefixes: set[str]) -> None:
        self.index = index
        self.event = event
        self.kind = str(event.get("type", ""))
        self.prefixes = prefixes | namespaces(event.get("@context"))
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.index, field, message, self.kind))

    def run(self) -> list[Problem]:
        if self.kind not in EVENT_TYPES:
            self.add("type", f"{self.kind or 'nothing'!r} is not an EPCIS 2.0 event type")
            return self.problems
        self._times()
        self._action_and_identifiers()
        self._vocabularies()
        self._locations_and_lists()
        self._fields()
        return self.problems

    def _times(self) -> None:
        event = self.event
        if "eventTime" not in event:
            self.add("eventTime", "is required")
        elif parse_time(event["eventTime"]) is None:
            self.add(
                "eventTime",
                f"{event['eventTime']!r} is not a date-time with a time zone "
                "(expected e.g. 2026-07-22T06:45:00+02:00)",
            )
        offset = event.get("eventTimeZoneOffset")
        if offset is None:
            self.add("eventTimeZoneOffset", "is required (e.g. +02:00)")
        elif not isinstance(offset, str) or not _OFFSET.match(offset):
            self.add("eventTimeZoneOffset", f"{offset!r} is not an offset such as +02:00")
        for path, value in (
            ("errorDeclaration.declarationTime", (event.get("errorDeclaration") or {})),
        ):
            if isinstance(value, dict) and "declarationTime" in value:
                if parse_time(value["declarationTime"]) is None:
                    self.add(path, f"{value['declarationTime']!r} is not a date-time")
            elif "errorDeclaration" in event:
                self.add(path, "is required in an error declaration")

    def _action_and_identifiers(self) -> None:
        event, kind = self.event, self.kind
        if kind != "TransformationEvent":
            action = event.get("action")
            if action is None:
                self.add("action", "is required (ADD, OBSERVE or DELETE)")
            elif action not in ACTIONS:
                self.add("action", f"{action!r} is not one of ADD, OBSERVE, DELETE")
        for name in EPC_LISTS:
            if name in event:
                self._epcs(name, event[name])
        for name in QUANTITY_LISTS:
            if name in event:
                self._quantities(name, event[name])
        for name in ("parentID", "transformationID", "eventID"):
            if name in event and not voc.is_uri(event[name]):
                self.add(name, f"{event[name]!r} is not a URI")
        self._required_by_kind()

    def _required_by_kind(self) -> None:
        """What each kind of event cannot do without (its identifiers, its parent, its inputs)."""
        event, kind = self.event, self.kind

        def has(*names: str) -> bool:
            return any(isinstance(event.get(n), list) and event[n] for n in names)

        if kind == "ObjectEvent" and not (
            isinstance(event.get("epcList"), list)
            or has("quantityList")
            or (has("sensorElementList") and "readPoint" in event)
        ):
            self.add(
                "epcList",
                "an ObjectEvent needs an epcList, a quantityList, or sensor data at a readPoint",
            )
        elif kind == "AggregationEvent":
            if event.get("action") in ("ADD", "DELETE") and "parentID" not in event:
                self.add("parentID", f"is required for an AggregationEvent {event['action']}")
            if event.get("action") == "ADD" and not has("childEPCs", "childQuantityList"):
                self.add("childEPCs", "an AggregationEvent ADD needs children")
        elif kind == "AssociationEvent" and "parentID" not in event:
            self.add("parentID", "is required for an AssociationEvent")
        elif kind == "TransactionEvent" and not has("bizTransactionList"):
            self.add("bizTransactionList", "a TransactionEvent needs a business transaction")
        elif kind == "TransformationEvent" and not has(
            "inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList"
        ):
            self.add("inputEPCList", "a TransformationEvent needs inputs or outputs")

    def _epcs(self, name: str, value: Any) -> None:
        if not isinstance(value, list):
            self.add(name, "must be a list of EPC URIs")
            return
        for i, epc in enumerate(value):
            if not voc.is_uri(epc):
                self.add(f"{name}[{i}]", f"{epc!r} is not an EPC URI")

    def _quantities(self, name: str, value: Any) -> None:
        if not isinstance(value, list):
            self.add(name, "must be a list of quantity elements")
            return
        for i, element in enumerate(value):
            where = f"{name}[{i}]"
            if not isinstance(element, dict):
                self.add(where, "must be an object with epcClass, quantity and uom")
                continue
            for key in sorted(set(element) - _QUANTITY_KEYS):
                self.add(f"{where}.{key}", "is not a field of a quantity element")
            if not voc.is_uri(element.get("epcClass")):
                self.add(f"{where}.epcClass", f"{element.get('epcClass')!r} is not a class URI")
            if "quantity" in element:
                quantity = element["quantity"]
                if isinstance(quantity, bool) or not isinstance(quantity, int | float):
                    self.add(f"{where}.quantity", f"{quantity!r} is not a number")
                elif quantity < 0:
                    self.add(f"{where}.quantity", f"{quantity} is negative")
            elif "uom" in element:
                self.add(f"{where}.quantity", "is required when a unit of measure is given")
            if "uom" in element and not (
                isinstance(element["uom"], str) and _UOM.match(element["uom"])
            ):
                self.add(f"{where}.uom", f"{element['uom']!r} is not a UN/CEFACT unit code")

    def _vocabularies(self) -> None:
        event = self.event
        for name, vocabulary in (("bizStep", voc.BIZ_STEP), ("disposition", voc.DISPOSITION)):
            if name in event and (why := voc.problem_with(event[name], vocabulary)):
                self.add(name, why)
        persistent = event.get("persistentDisposition")
        if persistent is not None:
            if not isinstance(persistent, dict):
                self.add("persistentDisposition", "must be an object with set and/or unset")
            else:
                for key, values in persistent.items():
                    if key not in ("set", "unset") or not isinstance(values, list):
                        self.add(f"persistentDisposition.{key}", "is not a list under set/unset")
                        continue
                    for i, value in enumerate(values):
                        if why := voc.problem_with(value, voc.DISPOSITION):
                            self.add(f"persistentDisposition.{key}[{i}]", why)
        reason = (event.get("errorDeclaration") or {}).get("reason")
        if reason is not None and (why := voc.problem_with(reason, voc.ERROR_REASON)):
            self.add("errorDeclaration.reason", why)

    def _locations_and_lists(self) -> None:
        event = self.event
        for name in ("readPoint", "bizLocation"):
            if name in event:
                place = event[name]
                if not isinstance(place, dict) or not voc.is_uri(place.get("id")):
                    self.add(f"{name}.id", "is required and must be a location URI")
        certification = event.get("certificationInfo")
        if certification is not None:
            items = certification if isinstance(certification, list) else [certification]
            if not all(voc.is_uri(c) for c in items):
                self.add("certificationInfo", "must be a certificate URI or a list of them")
        for name, key, vocabulary in (
            ("bizTransactionList", "bizTransaction", voc.BIZ_TRANSACTION_TYPE),
            ("sourceList", "source", voc.SOURCE_DEST_TYPE),
            ("destinationList", "destination", voc.SOURCE_DEST_TYPE),
        ):
            if name not in event:
                continue
            entries = event[name]
            if not isinstance(entries, list):
                self.add(name, "must be a list")
                continue
            for i, entry in enumerate(entries):
                where = f"{name}[{i}]"
                if not isinstance(entry, dict) or not voc.is_uri(entry.get(key)):
                    self.add(f"{where}.{key}", "is required and must be a URI")
                    continue
                if "type" in entry and (why := voc.problem_with(entry["type"], vocabulary)):
                    self.add(f"{where}.type", why)
                elif "type" not in entry and name != "bizTransactionList":
                    self.add(f"{where}.type", "is required")
        sensors = event.get("sensorElementList")
        if sensors is not None and not (
            isinstance(sensors, list)
            and all(
                isinstance(s, dict) and isinstance(s.get("sensorReport"), list) for s in sensors
            )
        ):
            self.add("sensorElementList", "each sensor element needs a list of sensorReport")

    def _fields(self) -> None:
        allowed = COMMON_FIELDS | FIELDS_BY_TYPE[self.kind]
        for key in self.event:
            if key not in allowed and not is_namespaced(key, self.prefixes):
                self.add(
                    key,
                    f"is not a field of an {self.kind} and not a namespaced extension "
                    "(write prefix:name with the prefix declared in @context)",
                )
        ilmd = self.event.get("ilmd")
        if ilmd is not None:
            if not isinstance(ilmd, dict):
                self.add("ilmd", "must be an object")
                return
            for key in ilmd:
                if not is_namespaced(key, self.prefixes):
                    self.add(
                        f"ilmd.{key}",
                        "instance/lot master data must be namespaced (prefix:name with the "
                        "prefix declared in @context)",
                    )


def document_problems(document: Any) -> list[Problem]:
    """Every semantic problem of an EPCIS 2.0 JSON document (empty when it may be captured)."""
    if not isinstance(document, dict):
        return [Problem(None, "", "an EPCIS document must be a JSON object")]
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(None, field, message))

    if document.get("type") != "EPCISDocument":
        add("type", f"must be 'EPCISDocument', not {document.get('type')!r}")
    if "@context" not in document:
        add("@context", "is required (the EPCIS 2.0 JSON-LD context)")
    version = document.get("schemaVersion")
    if not isinstance(version, str) or not version.startswith("2.0"):
        add("schemaVersion", f"must be '2.0', not {version!r}")
    if parse_time(document.get("creationDate")) is None:
        add("creationDate", f"{document.get('creationDate')!r} is not a date-time with a time zone")
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        add("epcisBody.eventList", "must be a non-empty list of events")
        return problems
    prefixes = namespaces(document.get("@context"))
    for index, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            problems.append(Problem(index, "", "an event must be a JSON object"))
            continue
        problems.extend(_Event(index, event, prefixes).run())
    return problems
