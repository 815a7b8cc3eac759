"""EPCIS 2.0 documents the tests build themselves: a small mica chain of custody."""

from __future__ import annotations

import copy
import json
from typing import Any

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    {"ot": "https://oretrace.example/voc/"},
]
MINE = "urn:epc:id:sgln:8901234.00001.0"
DEPOT = "urn:epc:id:sgln:8901234.00002.0"
MILL = "urn:epc:id:sgln:8901234.00003.0"
RAW = "urn:epc:class:lgtin:8901234.000001.LOT-A"
FLAKE = "urn:epc:class:lgtin:8901234.000002.LOT-B"
BAG = "urn:epc:id:sscc:8901234.0000000001"


def collection(kg: float = 120.0, *, when: str = "2026-03-01T08:00:00+05:30") -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": when,
        "eventTimeZoneOffset": "+05:30",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": {"id": MINE},
        "bizLocation": {"id": MINE},
        "quantityList": [{"epcClass": RAW, "quantity": kg, "uom": "KGM"}],
        "ilmd": {"ot:village": "Koderma"},
    }


def shipping() -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2026-03-02T09:30:00+05:30",
        "eventTimeZoneOffset": "+05:30",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": DEPOT},
        "epcList": [BAG],
        "quantityList": [{"epcClass": RAW, "quantity": 100, "uom": "KGM"}],
        "bizTransactionList": [{"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:x:1"}],
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:8901234.00001"}],
        "destinationList": [
            {"type": "owning_party", "destination": "urn:epc:id:pgln:8901234.00003"}
        ],
    }


def milling() -> dict[str, Any]:
    return {
        "type": "TransformationEvent",
        "eventTime": "2026-03-05T10:00:00+05:30",
        "eventTimeZoneOffset": "+05:30",
        "bizStep": "https://ref.gs1.org/cbv/BizStep-commissioning",
        "readPoint": {"id": MILL},
        "bizLocation": {"id": MILL},
        "inputQuantityList": [{"epcClass": RAW, "quantity": 100, "uom": "KGM"}],
        "outputQuantityList": [{"epcClass": FLAKE, "quantity": 62.5, "uom": "KGM"}],
    }


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": copy.deepcopy(CONTEXT),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-06T00:00:00Z",
        "epcisBody": {"eventList": list(events or (collection(), shipping(), milling()))},
    }


def as_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()
