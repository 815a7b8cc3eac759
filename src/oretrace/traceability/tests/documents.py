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


def _object_event(
    when: str, action: str, step: str, disposition: str, read_point: str, **more: Any
) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": when,
        "eventTimeZoneOffset": "+05:30",
        "action": action,
        "bizStep": step,
        "disposition": disposition,
        "readPoint": {"id": read_point},
        **more,
    }


def collection(kg: float = 120.0, *, when: str = "2026-03-01T08:00:00+05:30") -> dict[str, Any]:
    return _object_event(
        when,
        "ADD",
        "commissioning",
        "active",
        MINE,
        bizLocation={"id": MINE},
        quantityList=[{"epcClass": RAW, "quantity": kg, "uom": "KGM"}],
        ilmd={"ot:village": "Koderma"},
    )


def shipping() -> dict[str, Any]:
    return _object_event(
        "2026-03-02T09:30:00+05:30",
        "OBSERVE",
        "shipping",
        "in_transit",
        DEPOT,
        epcList=[BAG],
        quantityList=[{"epcClass": RAW, "quantity": 100, "uom": "KGM"}],
        bizTransactionList=[{"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:x:1"}],
        sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:8901234.00001"}],
        destinationList=[{"type": "owning_party", "destination": "urn:epc:id:pgln:8901234.00003"}],
    )


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


def _in(element: str, lines: list[str]) -> list[str]:
    """``lines`` inside ``<element>``, two spaces in."""
    return [f"<{element}>", *(f"  {line}" for line in lines), f"</{element}>"]


def _when(day_and_time: str) -> list[str]:
    return [
        f"<eventTime>2026-03-{day_and_time}+05:30</eventTime>",
        "<eventTimeZoneOffset>+05:30</eventTimeZoneOffset>",
    ]


def _quantities(element: str, epc_class: str, quantity: str) -> list[str]:
    return _in(
        element,
        [
            f"<quantityElement><epcClass>{epc_class}</epcClass>",
            f"  <quantity>{quantity}</quantity><uom>KGM</uom></quantityElement>",
        ],
    )


def _xml(version: str) -> str:
    """document()'s three events as EPCIS XML: 2.0, or 1.2 with its extension wrappers."""
    v12 = version == "1.2"

    def extension(lines: list[str]) -> list[str]:  # where 1.2 puts what 2.0 added
        return _in("extension", lines) if v12 else lines

    village = (
        '<village xmlns="https://oretrace.example/voc/">Koderma</village>'
        if v12
        else "<ot:village>Koderma</ot:village>"
    )
    collection = [
        *_when("01T08:00:00"),
        *(["<epcList/>"] if v12 else []),
        "<action>ADD</action>",
        "<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>",
        "<disposition>urn:epcglobal:cbv:disp:active</disposition>",
        f"<readPoint><id>{MINE}</id></readPoint>",
        f"<bizLocation><id>{MINE}</id></bizLocation>",
        *extension([*_quantities("quantityList", RAW, "120.0"), f"<ilmd>{village}</ilmd>"]),
    ]
    party = 'type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:8901234'
    shipping = [
        *_when("02T09:30:00"),
        f"<epcList><epc>{BAG}</epc></epcList>",
        "<action>OBSERVE</action>",
        "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>",
        "<disposition>urn:epcglobal:cbv:disp:in_transit</disposition>",
        f"<readPoint><id>{DEPOT}</id></readPoint>",
        "<bizTransactionList>",
        '  <bizTransaction type="urn:epcglobal:cbv:btt:desadv">',
        "    urn:epcglobal:cbv:bt:x:1",
        "  </bizTransaction>",
        "</bizTransactionList>",
        *extension(
            [
                *_quantities("quantityList", RAW, "100"),
                *_in("sourceList", [f"<source {party}.00001</source>"]),
                *_in("destinationList", ["<destination", f"    {party}.00003</destination>"]),
            ]
        ),
    ]
    milling = [
        *_when("05T10:00:00"),
        *_quantities("inputQuantityList", RAW, "100"),
        *_quantities("outputQuantityList", FLAKE, "62.5"),
        "<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>",
        f"<readPoint><id>{MILL}</id></readPoint>",
        f"<bizLocation><id>{MILL}</id></bizLocation>",
    ]
    events = [
        *_in("ObjectEvent", collection),
        *_in("ObjectEvent", shipping),
        *extension(_in("TransformationEvent", milling)),
    ]
    if v12:
        opening = [
            '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"',
            '    creationDate="2026-03-06T00:00:00Z">',
        ]
    else:
        opening = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" '
            'xmlns:ot="https://oretrace.example/voc/"',
            '    schemaVersion="2.0" creationDate="2026-03-06T00:00:00Z">',
        ]
    body = _in("EPCISBody", _in("EventList", events))
    return "\n".join([*opening, *(f"  {line}" for line in body), "</epcis:EPCISDocument>", ""])


# The same three events as document(), written as EPCIS 2.0 XML and as EPCIS 1.2 XML (extension
# wrappers, CBV URNs, the TransformationEvent inside EventList/extension).
XML_20 = _xml("2.0")
XML_12 = _xml("1.2")


def xml_document(version: str = "2.0", *changes: tuple[str, str]) -> bytes:
    """The XML form of document(); each change (old, new) swaps text to make it invalid."""
    text = XML_20 if version == "2.0" else XML_12
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text.encode()


def refused_capture(
    client: Any, response: Any, fields: list[tuple[int, str, str]]
) -> list[dict[str, Any]]:
    """Check that a capture was refused whole, naming ``fields`` as (event number, event type,
    field), and that nothing was stored; the problem document's errors, for their messages."""
    assert response.status_code == 400, response.content
    problem = response.json()
    assert problem["type"].endswith("epcis-capture-rejected")
    errors: list[dict[str, Any]] = problem["errors"]
    assert [(e["event"], e["event_type"], e["field"]) for e in errors] == fields
    assert client.get("/api/v1/epcis/captures").json()["count"] == 0
    return errors
