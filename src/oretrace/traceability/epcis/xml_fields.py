"""What an EPCIS XML document may hold: namespaces, element orders of 1.2 and 2.0, the lists,
numbers and times that the XML → JSON reading (`xml_reader`) converts."""

from __future__ import annotations

import re

EPCIS_NAMESPACES = {"urn:epcglobal:epcis:xsd:1": "1.2", "urn:epcglobal:epcis:xsd:2": "2.0"}
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Other root elements found in EPCIS XML exchanges, named in the refusal.
OTHER_ROOTS = {
    "EPCISMasterDataDocument": "a master data document",
    "EPCISQueryDocument": "a query result",
    "EPCISCaptureJob": "a capture job status",
    "EPCISException": "an error response",
    "ObjectEvent": "a single event without its document",
    "AggregationEvent": "a single event without its document",
    "TransactionEvent": "a single event without its document",
    "TransformationEvent": "a single event without its document",
    "AssociationEvent": "a single event without its document",
}

_BASE = ("eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration")
_WHAT_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
_TAIL = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
# The order of an event's elements once the extension wrappers are unwrapped (EPCIS 2.0 XSD).
ORDER_20: dict[str, tuple[str, ...]] = {
    "ObjectEvent": (
        *_BASE,
        "certificationInfo",
        "epcList",
        "action",
        *_WHAT_WHERE,
        "bizTransactionList",
        "quantityList",
        *_TAIL,
        "ilmd",
    ),
    "AggregationEvent": (
        *_BASE,
        "certificationInfo",
        "parentID",
        "childEPCs",
        "action",
        *_WHAT_WHERE,
        "bizTransactionList",
        "childQuantityList",
        *_TAIL,
    ),
    "TransactionEvent": (
        *_BASE,
        "certificationInfo",
        "bizTransactionList",
        "parentID",
        "epcList",
        "action",
        *_WHAT_WHERE,
        "quantityList",
        *_TAIL,
    ),
    "TransformationEvent": (
        *_BASE,
        "certificationInfo",
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        *_WHAT_WHERE,
        "bizTransactionList",
        *_TAIL,
        "ilmd",
    ),
    "AssociationEvent": (
        *_BASE,
        "certificationInfo",
        "parentID",
        "childEPCs",
        "childQuantityList",
        "action",
        *_WHAT_WHERE,
        "bizTransactionList",
        *_TAIL,
    ),
}


def _order_12(kind: str) -> tuple[str, ...]:
    """EPCIS 1.2 puts the 2.0 additions in the innermost extension, after ILMD."""
    order = [n for n in ORDER_20[kind] if n not in ("sensorElementList", "persistentDisposition")]
    return (*order, "sensorElementList", "persistentDisposition")


ORDER_12 = {kind: _order_12(kind) for kind in ORDER_20}
EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
SENSOR_NUMBERS = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
WRAPPERS = frozenset({"extension", "baseExtension"})
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DOUBLE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# epcis:DateTimeStamp of the XSD: seconds and a time zone are required.
# EPCIS 1.2 documents are read as leniently as openEPCIS's own 1.2 reader: elements in any
# order (the JSON form has no order) and date-times without seconds.
TIME_WITHOUT_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$")
TIME = re.compile(
    r"^\d{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12]\d)T(2[0-3]|[01]\d):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)
TIMES = frozenset({"eventTime", "recordTime", "declarationTime"})
