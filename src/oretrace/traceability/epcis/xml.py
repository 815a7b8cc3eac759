"""EPCIS 1.2 and 2.0 XML capture documents, read into the EPCIS 2.0 JSON form.

Suppliers with older systems send XML. Rather than a second validation, hashing and storage path,
an XML ``EPCISDocument`` is turned into the JSON document dict that
:func:`oretrace.traceability.epcis.document.read_document` already handles, following the
XML/JSON mapping of the EPCIS 2.0 standard:

* the 1.2 ``<extension>`` and ``<baseExtension>`` wrappers are unwrapped (quantity lists, source
  and destination lists, ILMD, ``eventID``, ``errorDeclaration``, and the TransformationEvent and
  AssociationEvent that 1.2 documents carry inside ``EventList/extension``);
* CBV values written as ``urn:epcglobal:cbv:…`` URNs become the bare terms the JSON binding uses
  (``urn:epcglobal:cbv:bizstep:shipping`` → ``shipping``); any other URI is kept as given;
* the ``type`` attribute of business transactions, sources and destinations becomes a ``type``
  key, quantities and numeric sensor attributes become numbers;
* elements of other namespaces (user extensions, ILMD) become ``prefix:local`` keys with their
  namespaces added to the document's ``@context``; nested elements become nested objects,
  repeated ones a list, attributes keys of their own and text beside attributes ``#text``.

The XSD fixes what may appear where and in which order; the JSON checks cannot see order or
wrappers, so this module checks the structure itself (unknown elements, order, repetition) and
reports each problem with the event's position, the element and its line. The parser refuses any
DTD beyond a bare ``<!DOCTYPE name>``, never expands entities and never touches the network.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.epcis.document import DocumentError, ReadResult, read_document
from oretrace.traceability.epcis.problems import Problem
from oretrace.traceability.epcis.schema import Validate
from oretrace.traceability.epcis.xsd import Xsd

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
_WRAPPERS = frozenset({"extension", "baseExtension"})
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DOUBLE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# epcis:DateTimeStamp of the XSD: seconds and a time zone are required.
# EPCIS 1.2 documents are read as leniently as openEPCIS's own 1.2 reader: elements in any
# order (the JSON form has no order) and date-times without seconds.
_TIME_WITHOUT_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$")
_TIME = re.compile(
    r"^\d{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12]\d)T(2[0-3]|[01]\d):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)
TIMES = frozenset({"eventTime", "recordTime", "declarationTime"})
_BARE_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[\w:.-]+\s*>")
# Most EPCIS documents are well below this; the capture endpoint limits the upload anyway.
MAX_DEPTH = 64


class XmlRefused(DocumentError):
    """The bytes are not an EPCIS XML capture document, or are hostile XML."""


@dataclass
class XmlDocument:
    """An XML capture document in its EPCIS 2.0 JSON form, with the structural problems found."""

    document: dict[str, Any]
    version: str
    root: etree._Element
    problems: list[Problem] = field(default_factory=list)
    event_lines: list[int] = field(default_factory=list)  # the line each event starts on
    event_kinds: list[str] = field(default_factory=list)


def looks_like_xml(raw: bytes) -> bool:
    """True when the first non-blank byte is ``<`` (after an optional UTF-8 byte-order mark)."""
    return raw.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(raw: bytes) -> etree._Element:
    """The root element of ``raw``, refusing DTDs, entities and malformed XML with the line.

    Only a bare ``<!DOCTYPE name>`` (which some GS1 examples carry) is let through: an internal
    subset, even one lxml would ignore, or an external DTD is refused before parsing.
    """
    start = raw.find(b"<!DOCTYPE")
    if start >= 0 and not _BARE_DOCTYPE.match(raw, start):
        line = raw.count(b"\n", 0, start) + 1
        raise XmlRefused(
            f"the XML document declares a DTD (line {line}): EPCIS documents need none, and "
            "DTDs are refused so that no entity is ever expanded or fetched"
        )
    try:
        tree = etree.fromstring(raw, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc).split(", line ")[0]
        raise XmlRefused(
            f"the document is not well-formed XML: {message} (line {exc.lineno})"
        ) from None
    info = tree.docinfo
    dtd = info.internalDTD
    declares = dtd is not None and (list(dtd.iterelements()) or list(dtd.iterentities()))
    if info.system_url or info.public_id or declares or _has_entities(tree.getroot()):
        raise XmlRefused(
            "the XML document declares a DTD or entities: EPCIS documents need neither, and "
            "they are refused so that no entity is ever expanded or fetched"
        )
    if info.doctype and start < 0:  # a document type the byte scan could not see (UTF-16)
        raise XmlRefused(f"the XML document type declaration {info.doctype!r} is not allowed")
    return tree.getroot()


def _has_entities(root: etree._Element) -> bool:
    return any(isinstance(node, etree._Entity) for node in root.iter())


def _local(element: etree._Element) -> tuple[str | None, str]:
    """The namespace (``None`` when unqualified) and local name of an element."""
    return _split(element.tag)


@functools.lru_cache(maxsize=1024)
def _split(tag: str) -> tuple[str | None, str]:
    # lxml writes a qualified name as "{namespace}local"; QName() costs ~5x more per call
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str)]


class _Reader:
    """Turns one XML document into the JSON form, collecting structural problems."""

    def __init__(self, root: etree._Element, version: str) -> None:
        self.root = root
        self.version = version
        self.epcis_ns = etree.QName(root).namespace
        self.problems: list[Problem] = []
        self.prefix_of: dict[str, str] = {}  # namespace URI -> JSON prefix
        self.uri_of: dict[str, str] = {}  # JSON prefix -> namespace URI
        self.index: int | None = None
        self.kind = ""
        self.event_lines: list[int] = []  # the line each event starts on, in order
        self.event_kinds: list[str] = []

    # -- problems and names -------------------------------------------------------------------

    def add(self, where: str, message: str, element: etree._Element | None = None) -> None:
        line = f" (line {element.sourceline})" if element is not None and element.sourceline else ""
        self.problems.append(Problem(self.index, where, message + line, self.kind))

    def key(self, element: etree._Element | str, name: str | None = None) -> str:
        """``prefix:local`` for a namespaced element or attribute, registering its namespace."""
        if isinstance(element, str):  # an attribute's Clark name {uri}local
            qname = etree.QName(element)
            namespace, local, wanted = qname.namespace, qname.localname, name
        else:
            namespace, local = _local(element)
            wanted = element.prefix
        if not namespace:
            return local
        prefix = self.prefix_of.get(namespace)
        if prefix is None:
            base = wanted or "ns"
            prefix, number = base, 1
            while prefix in self.uri_of:
                number += 1
                prefix = f"{base}{number}"
            self.prefix_of[namespace] = prefix
            self.uri_of[prefix] = namespace
        return f"{prefix}:{local}"

    def _attribute_prefix(self, element: etree._Element, attribute: str) -> str | None:
        namespace = etree.QName(attribute).namespace
        for prefix, uri in (element.nsmap or {}).items():
            if uri == namespace and prefix:
                return str(prefix)
        return None

    def is_epcis(self, element: etree._Element) -> bool:
        """True for an element of the standard (unqualified, or in the document's EPCIS
        namespace, which some producers write although the XSD leaves them unqualified)."""
        namespace, _ = _local(element)
        return namespace is None or namespace == self.epcis_ns

    def standard(self, element: etree._Element) -> str | None:
        """The local name of a standard element, ``None`` for a user extension."""
        return _local(element)[1] if self.is_epcis(element) else None

    # -- the document ----------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        root = self.root
        document: dict[str, Any] = {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": root.get("creationDate"),
        }
        body = None
        for child in _children(root):
            name = self.standard(child)
            if name is None:
                continue  # a user extension of the document: not part of any event
            if name == "EPCISBody" and body is None:
                body = child
            elif name not in ("EPCISHeader", "extension"):
                self.add(name, f"<{name}> is not an element of an EPCISDocument", child)
        events: list[dict[str, Any]] = []
        if body is None:
            self.add("epcisBody", "the document has no <EPCISBody>", root)
        else:
            for child in _children(body):
                name = self.standard(child)
                if name == "EventList":
                    events = self.events(child)
                elif name is not None and name != "extension":
                    self.add(f"epcisBody.{name}", f"<{name}> is not an element of EPCISBody", child)
        self.index, self.kind = None, ""
        document["epcisBody"] = {"eventList": events}
        if self.uri_of:
            document["@context"] += [{p: uri} for p, uri in self.uri_of.items()]
        return document

    def _event_elements(self, event_list: etree._Element) -> Iterator[etree._Element]:
        for child in _children(event_list):
            if self.standard(child) == "extension":
                yield from self._event_elements(child)
            else:
                yield child

    def events(self, event_list: etree._Element) -> list[dict[str, Any]]:
        events = []
        for position, element in enumerate(self._event_elements(event_list), start=1):
            self.index = position
            self.event_lines.append(element.sourceline or 0)
            name = _local(element)[1]
            self.kind = name if self.standard(element) in ORDER_20 else ""
            self.event_kinds.append(self.kind)
            if not self.kind:
                why = (
                    "QuantityEvent was withdrawn in EPCIS 2.0; send an ObjectEvent with a "
                    "quantityList"
                    if name == "QuantityEvent"
                    else f"<{name}> is not an EPCIS event"
                )
                self.add("type", why, element)
                events.append({"type": name})
                continue
            events.append(self.event(element))
        return events

    # -- one event -------------------------------------------------------------------------------

    def _flatten(self, element: etree._Element) -> Iterator[etree._Element]:
        for child in _children(element):
            if self.standard(child) in _WRAPPERS:
                yield from self._flatten(child)
            else:
                yield child

    def event(self, element: etree._Element) -> dict[str, Any]:
        order = (ORDER_12 if self.version == "1.2" else ORDER_20)[self.kind]
        event: dict[str, Any] = {"type": self.kind}
        extensions: list[etree._Element] = []
        seen: dict[str, etree._Element] = {}
        last = -1
        for child in self._flatten(element):
            if not self.is_epcis(child):
                extensions.append(child)
                continue
            name = _local(child)[1]
            if extensions and self.version != "1.2":
                self.add(
                    name,
                    f"<{name}> comes after extension element <{self.key(extensions[0])}>: user "
                    "extensions follow the standard elements",
                    child,
                )
            if name not in order:
                self.add(name, f"<{name}> is not an element of an {self.kind}", child)
                continue
            if name in seen:
                self.add(name, f"<{name}> appears more than once", child)
                continue
            if self.version == "1.2" and name == "certificationInfo":
                # 1.2 has no place for it; producers put it in baseExtension or at the end
                seen[name] = child
                event[name] = self.value(name, child)
                continue
            rank = order.index(name)
            if rank < last and self.version != "1.2":
                after = order[last]
                self.add(name, f"<{name}> is out of order: it must come before <{after}>", child)
            last = max(last, rank)
            seen[name] = child
            event[name] = self.value(name, child)
        self._user_extensions(event, extensions)
        return event

    def value(self, name: str, element: etree._Element) -> Any:
        if name in EPC_LISTS:
            return self.epcs(name, element)
        if name in QUANTITY_LISTS:
            return self.quantities(name, element)
        if name in ("readPoint", "bizLocation"):
            return self.place(name, element)
        if name == "bizTransactionList":
            return self.typed(name, element, "bizTransaction", voc.BIZ_TRANSACTION_TYPE)
        if name in ("sourceList", "destinationList"):
            return self.typed(name, element, name[:-4], voc.SOURCE_DEST_TYPE)
        if name == "errorDeclaration":
            return self.error_declaration(element)
        if name == "persistentDisposition":
            return self.persistent_disposition(element)
        if name == "sensorElementList":
            return self.sensor_elements(element)
        if name == "ilmd":
            return self.ilmd(element)
        self._no_children(name, element)
        text = _text(element)
        if name in TIMES:
            text = self._time(name, text, element)
        if name == "bizStep":
            return voc.canonical(text, voc.BIZ_STEP)
        if name == "disposition":
            return voc.canonical(text, voc.DISPOSITION)
        return text

    def _time(self, where: str, text: str, element: etree._Element) -> str:
        """The date-time as the JSON form carries it; a 1.2 time without seconds gets ``:00``."""
        if self.version == "1.2" and (short := _TIME_WITHOUT_SECONDS.match(text)):
            text = f"{short.group(1)}:00{short.group(2)}"
        if not _TIME.match(text):
            self.add(
                where,
                f"{text!r} is not an XML Schema date-time with seconds and a time zone "
                "(e.g. 2026-07-22T06:45:00+02:00)",
                element,
            )
        return text

    def _no_children(self, name: str, element: etree._Element) -> None:
        for child in _children(element):
            self.add(name, f"<{name}> holds text only, not <{_local(child)[1]}>", child)

    def _only(self, where: str, element: etree._Element, allowed: str) -> list[etree._Element]:
        found = []
        for child in _children(element):
            if self.standard(child) == allowed:
                found.append(child)
            else:
                local = _local(child)[1]
                self.add(where, f"<{local}> is not allowed here (expected <{allowed}>)", child)
        return found

    def epcs(self, name: str, element: etree._Element) -> list[str]:
        return [_text(epc) for epc in self._only(name, element, "epc")]

    def quantities(self, name: str, element: etree._Element) -> list[dict[str, Any]]:
        found = []
        for i, item in enumerate(self._only(name, element, "quantityElement")):
            where = f"{name}[{i}]"
            entry: dict[str, Any] = {}
            last = -1
            for child in _children(item):
                part = _local(child)[1]
                order = ("epcClass", "quantity", "uom")
                if self.standard(child) not in order:
                    self.add(f"{where}.{part}", f"<{part}> is not part of a quantityElement", child)
                    continue
                if part in entry or order.index(part) < last:
                    self.add(f"{where}.{part}", f"<{part}> is repeated or out of order", child)
                    continue
                last = order.index(part)
                text = _text(child)
                if part == "quantity" and child.get(f"{{{XSI}}}nil") in ("true", "1"):
                    continue  # a nil quantity: the JSON form leaves it out
                if part == "quantity":
                    try:
                        entry[part] = _number(text, _DECIMAL)
                    except ValueError:
                        self.add(f"{where}.quantity", f"{text!r} is not a decimal number", child)
                else:
                    entry[part] = text
            if "epcClass" not in entry:
                self.add(f"{where}.epcClass", "is required", item)
            found.append(entry)
        return found

    def place(self, name: str, element: etree._Element) -> dict[str, Any]:
        place: dict[str, Any] = {}
        extensions = []
        for child in self._flatten(element):
            part = _local(child)[1]
            if self.standard(child) == "id" and "id" not in place:
                place["id"] = _text(child)
            elif self.is_epcis(child):
                self.add(f"{name}.{part}", f"<{part}> is not part of a {name}", child)
            else:
                extensions.append(child)
        self._user_extensions(place, extensions)
        return place

    def typed(
        self, name: str, element: etree._Element, item: str, vocabulary: voc.Vocabulary
    ) -> list[dict[str, str]]:
        found = []
        for i, child in enumerate(self._only(name, element, item)):
            entry = {}
            kind = child.get("type")
            if kind is not None:
                entry["type"] = voc.canonical(kind.strip(), vocabulary)
            entry[item] = _text(child)
            for attribute in child.attrib:
                if attribute != "type":
                    self.add(f"{name}[{i}].{attribute}", f"is not an attribute of <{item}>", child)
            found.append(entry)
        return found

    def error_declaration(self, element: etree._Element) -> dict[str, Any]:
        declaration: dict[str, Any] = {}
        order = ("declarationTime", "reason", "correctiveEventIDs")
        last = -1
        extensions = []
        for child in self._flatten(element):
            part = _local(child)[1]
            where = f"errorDeclaration.{part}"
            if not self.is_epcis(child):
                extensions.append(child)
            elif part not in order or part in declaration:
                self.add(where, f"<{part}> is not allowed in an errorDeclaration here", child)
            else:
                if order.index(part) < last:
                    self.add(where, f"<{part}> is out of order", child)
                last = max(last, order.index(part))
                if part == "correctiveEventIDs":
                    declaration[part] = [
                        _text(c) for c in self._only(where, child, "correctiveEventID")
                    ]
                elif part == "reason":
                    declaration[part] = voc.canonical(_text(child), voc.ERROR_REASON)
                else:
                    declaration[part] = self._time(where, _text(child), child)
        self._user_extensions(declaration, extensions)
        return declaration

    def persistent_disposition(self, element: etree._Element) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        last = -1
        for child in _children(element):
            part = _local(child)[1]
            if self.standard(child) not in ("unset", "set"):
                self.add(
                    f"persistentDisposition.{part}",
                    f"<{part}> is not part of a persistentDisposition (unset, set)",
                    child,
                )
                continue
            rank = ("unset", "set").index(part)
            if rank < last:
                self.add(f"persistentDisposition.{part}", "<unset> must come before <set>", child)
            last = max(last, rank)
            found.setdefault(part, []).append(voc.canonical(_text(child), voc.DISPOSITION))
        return found

    def sensor_elements(self, element: etree._Element) -> list[dict[str, Any]]:
        found = []
        for i, sensor in enumerate(self._only("sensorElementList", element, "sensorElement")):
            where = f"sensorElementList[{i}]"
            entry: dict[str, Any] = {}
            reports: list[dict[str, Any]] = []
            extensions = []
            for child in self._flatten(sensor):
                part = _local(child)[1]
                if not self.is_epcis(child):
                    extensions.append(child)
                elif part == "sensorMetadata" and not reports:
                    if "sensorMetadata" in entry:
                        self.add(f"{where}.sensorMetadata", "appears more than once", child)
                    entry["sensorMetadata"] = self.attributes(f"{where}.sensorMetadata", child)
                elif part == "sensorReport":
                    report_where = f"{where}.sensorReport[{len(reports)}]"
                    reports.append(self.attributes(report_where, child))
                else:
                    self.add(
                        f"{where}.{part}", f"<{part}> is not allowed in a sensorElement here", child
                    )
            if not reports:
                self.add(f"{where}.sensorReport", "a sensorElement needs a sensorReport", sensor)
            entry["sensorReport"] = reports
            self._user_extensions(entry, extensions)
            found.append(entry)
        return found

    def attributes(self, where: str, element: etree._Element) -> dict[str, Any]:
        """Sensor metadata or report attributes as JSON fields (numbers and booleans typed).

        The XSD lets any further attribute through (``anyAttribute``); it is kept as text.
        """
        found: dict[str, Any] = {}
        for attribute, raw in element.attrib.items():
            value = raw.strip()
            qname = etree.QName(attribute)
            if qname.namespace:
                if qname.namespace != XSI:
                    name = self._attribute_prefix(element, attribute)
                    found[self.key(attribute, name)] = value
                continue
            name = qname.localname
            if name in SENSOR_NUMBERS:
                try:
                    found[name] = _number(value, _DOUBLE)
                except ValueError:
                    self.add(f"{where}.{name}", f"{value!r} is not a number", element)
            elif name == "booleanValue":
                if value not in ("true", "false", "1", "0"):
                    self.add(f"{where}.{name}", f"{value!r} is not true or false", element)
                found[name] = value in ("true", "1")
            elif name in ("type", "exception") and value.startswith("gs1:"):
                found[name] = value.removeprefix("gs1:")
            else:
                found[name] = value
        return found

    def ilmd(self, element: etree._Element) -> dict[str, Any]:
        found: dict[str, Any] = {}
        extensions = []
        for child in self._flatten(element):
            if self.is_epcis(child):
                part = _local(child)[1]
                self.add(
                    f"ilmd.{part}",
                    f"<{part}> is not in a namespace of its own: instance/lot master data must "
                    "be namespaced",
                    child,
                )
            else:
                extensions.append(child)
        self._user_extensions(found, extensions)
        return found

    # -- user extensions -------------------------------------------------------------------------

    def _user_extensions(self, target: dict[str, Any], elements: list[etree._Element]) -> None:
        """Add extension elements to ``target``: one value per key, a list when repeated."""
        target.update(_grouped((self.key(e), self.extension_value(e, 1)) for e in elements))

    def extension_value(self, element: etree._Element, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.add(self.key(element), f"extension nested deeper than {MAX_DEPTH}", element)
            return None
        children = _children(element)
        attributes = {a: v for a, v in element.attrib.items() if etree.QName(a).namespace != XSI}
        if not children and not attributes:
            return _text(element)
        found: dict[str, Any] = {
            self.key(a, self._attribute_prefix(element, a)): v for a, v in attributes.items()
        }
        if _text(element) and not children:
            found["#text"] = _text(element)
        found.update(_grouped((self.key(c), self.extension_value(c, depth + 1)) for c in children))
        return found


def _grouped(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Key/value pairs as an object; a key given more than once gets the list of its values."""
    grouped: dict[str, list[Any]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in grouped.items()}


def _number(text: str, pattern: re.Pattern[str]) -> int | float:
    """``200`` → 200, ``25.0`` → 25.0: a JSON number, or ValueError.

    Infinities and NaN (which XML Schema's double allows) have no JSON form and are refused, as
    are integers too long for Python to convert.
    """
    if not pattern.match(text):
        raise ValueError(text)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)  # ValueError beyond 4,300 digits
    number = float(text)
    if math.isinf(number):
        raise ValueError(text)
    return number


def from_xml(raw: bytes) -> XmlDocument:
    """The EPCIS 2.0 JSON form of an XML ``EPCISDocument`` and the structural problems found.

    Raises :class:`XmlRefused` when ``raw`` is not well-formed, hostile (DTD, entities), or not
    an EPCIS capture document at all (a master data document, a capture job, a bare event).
    """
    root = parse(raw)
    namespace, name = _local(root)
    if name != "EPCISDocument" or namespace not in EPCIS_NAMESPACES:
        what = OTHER_ROOTS.get(name, f"<{name}>")
        where = f" in namespace {namespace}" if namespace else " without a namespace"
        raise XmlRefused(
            f"not an EPCISDocument: the root element is <{name}>{where} ({what}); capture takes "
            "an <epcis:EPCISDocument> of urn:epcglobal:epcis:xsd:1 (EPCIS 1.2) or "
            "urn:epcglobal:epcis:xsd:2 (EPCIS 2.0)"
        )
    version = EPCIS_NAMESPACES[namespace]
    reader = _Reader(root, version)
    document = reader.document()
    master_data = root.find("EPCISHeader//EPCISMasterData")
    if not document["epcisBody"]["eventList"] and master_data is not None:
        raise XmlRefused(
            "not a capture document: the EPCISDocument holds master data in its header "
            f"(line {master_data.sourceline}) and no events; master data is not captured here"
        )
    declared = root.get("schemaVersion")
    if declared is not None and not declared.startswith(version[0]):
        reader.add(
            "schemaVersion",
            f"schemaVersion {declared!r} does not match the namespace {namespace} ({version})",
            root,
        )
    return XmlDocument(
        document, version, root, reader.problems, reader.event_lines, reader.event_kinds
    )


def read_xml(
    raw: bytes, *, schema: Validate | None = None, xsd: Xsd | None = None
) -> tuple[dict[str, Any], ReadResult]:
    """Read an XML capture document: its JSON form, and the events or every problem found.

    ``xsd`` (GS1's EPCIS XSD, optional) validates documents of its own namespace first. The
    structural problems of the XML come next; the JSON checks (and the JSON Schema when given)
    then run on the JSON form, skipping what was already reported for the same event and field.
    """
    xml = from_xml(raw)
    problems = xsd.problems(xml.root, xml.event_lines, xml.event_kinds) if xsd is not None else []
    problems += _new(xml.problems, problems)
    result = read_document(xml.document, schema=schema)
    if not problems:
        return xml.document, result
    problems += _new(result.problems, problems)
    problems.sort(key=lambda p: (p.event or 0, p.field))
    return xml.document, ReadResult([], problems)


def _new(problems: list[Problem], known: list[Problem]) -> list[Problem]:
    """``problems`` except those on an event and field ``known`` already names."""
    seen = {(p.event, p.field) for p in known}
    return [p for p in problems if (p.event, p.field) not in seen]
