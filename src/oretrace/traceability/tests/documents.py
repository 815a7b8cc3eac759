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


# The same three events as document(), written as EPCIS 2.0 XML and as EPCIS 1.2 XML (extension
# wrappers, CBV URNs, the TransformationEvent inside EventList/extension).
XML_20 = f"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ot="https://oretrace.example/voc/"
    schemaVersion="2.0" creationDate="2026-03-06T00:00:00Z">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-03-01T08:00:00+05:30</eventTime>
        <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>urn:epcglobal:cbv:disp:active</disposition>
        <readPoint><id>{MINE}</id></readPoint>
        <bizLocation><id>{MINE}</id></bizLocation>
        <quantityList>
          <quantityElement><epcClass>{RAW}</epcClass>
            <quantity>120.0</quantity><uom>KGM</uom></quantityElement>
        </quantityList>
        <ilmd><ot:village>Koderma</ot:village></ilmd>
      </ObjectEvent>
      <ObjectEvent>
        <eventTime>2026-03-02T09:30:00+05:30</eventTime>
        <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>
        <epcList><epc>{BAG}</epc></epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
        <readPoint><id>{DEPOT}</id></readPoint>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:desadv">
            urn:epcglobal:cbv:bt:x:1
          </bizTransaction>
        </bizTransactionList>
        <quantityList>
          <quantityElement><epcClass>{RAW}</epcClass>
            <quantity>100</quantity><uom>KGM</uom></quantityElement>
        </quantityList>
        <sourceList>
          <source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:8901234.00001</source>
        </sourceList>
        <destinationList>
          <destination
              type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:8901234.00003</destination>
        </destinationList>
      </ObjectEvent>
      <TransformationEvent>
        <eventTime>2026-03-05T10:00:00+05:30</eventTime>
        <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>
        <inputQuantityList>
          <quantityElement><epcClass>{RAW}</epcClass>
            <quantity>100</quantity><uom>KGM</uom></quantityElement>
        </inputQuantityList>
        <outputQuantityList>
          <quantityElement><epcClass>{FLAKE}</epcClass>
            <quantity>62.5</quantity><uom>KGM</uom></quantityElement>
        </outputQuantityList>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <readPoint><id>{MILL}</id></readPoint>
        <bizLocation><id>{MILL}</id></bizLocation>
      </TransformationEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>
"""

XML_12 = f"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"
    creationDate="2026-03-06T00:00:00Z">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-03-01T08:00:00+05:30</eventTime>
        <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>
        <epcList/>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>urn:epcglobal:cbv:disp:active</disposition>
        <readPoint><id>{MINE}</id></readPoint>
        <bizLocation><id>{MINE}</id></bizLocation>
        <extension>
          <quantityList>
            <quantityElement><epcClass>{RAW}</epcClass>
              <quantity>120.0</quantity><uom>KGM</uom></quantityElement>
          </quantityList>
          <ilmd><village xmlns="https://oretrace.example/voc/">Koderma</village></ilmd>
        </extension>
      </ObjectEvent>
      <ObjectEvent>
        <eventTime>2026-03-02T09:30:00+05:30</eventTime>
        <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>
        <epcList><epc>{BAG}</epc></epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
        <readPoint><id>{DEPOT}</id></readPoint>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:desadv">
            urn:epcglobal:cbv:bt:x:1
          </bizTransaction>
        </bizTransactionList>
        <extension>
          <quantityList>
            <quantityElement><epcClass>{RAW}</epcClass>
              <quantity>100</quantity><uom>KGM</uom></quantityElement>
          </quantityList>
          <sourceList>
            <source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:8901234.00001</source>
          </sourceList>
          <destinationList>
            <destination
                type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:8901234.00003</destination>
          </destinationList>
        </extension>
      </ObjectEvent>
      <extension>
        <TransformationEvent>
          <eventTime>2026-03-05T10:00:00+05:30</eventTime>
          <eventTimeZoneOffset>+05:30</eventTimeZoneOffset>
          <inputQuantityList>
            <quantityElement><epcClass>{RAW}</epcClass>
              <quantity>100</quantity><uom>KGM</uom></quantityElement>
          </inputQuantityList>
          <outputQuantityList>
            <quantityElement><epcClass>{FLAKE}</epcClass>
              <quantity>62.5</quantity><uom>KGM</uom></quantityElement>
          </outputQuantityList>
          <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
          <readPoint><id>{MILL}</id></readPoint>
          <bizLocation><id>{MILL}</id></bizLocation>
        </TransformationEvent>
      </extension>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>
"""


def xml_document(version: str = "2.0", *changes: tuple[str, str]) -> bytes:
    """The XML form of document(); each change (old, new) swaps text to make it invalid."""
    text = XML_20 if version == "2.0" else XML_12
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text.encode()
