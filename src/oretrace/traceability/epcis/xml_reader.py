"""The XML → JSON reading of an EPCIS capture document's elements (see `epcis.xml`).

`Reader` walks a parsed ``EPCISDocument`` and builds its EPCIS 2.0 JSON form, checking the
structure the XSD fixes (unknown elements, order, repetition) as it goes.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.epcis.problems import Problem
from oretrace.traceability.epcis.xml_fields import (
    DECIMAL,
    DOUBLE,
    EPC_LISTS,
    EPCIS_CONTEXT,
    ORDER_12,
    ORDER_20,
    QUANTITY_LISTS,
    SENSOR_NUMBERS,
    TIME,
    TIME_WITHOUT_SECONDS,
    TIMES,
    WRAPPERS,
    XSI,
)

# Most EPCIS documents are well below this; the capture endpoint limits the upload anyway.
MAX_DEPTH = 64


def local_name(element: etree._Element) -> tuple[str | None, str]:
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


class Reader:
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
        local: str  # lxml's QName is untyped
        if isinstance(element, str):  # an attribute's Clark name {uri}local
            qname = etree.QName(element)
            namespace, local, wanted = qname.namespace, qname.localname, name
        else:
            namespace, local = local_name(element)
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
        namespace, _ = local_name(element)
        return namespace is None or namespace == self.epcis_ns

    def standard(self, element: etree._Element) -> str | None:
        """The local name of a standard element, ``None`` for a user extension."""
        return local_name(element)[1] if self.is_epcis(element) else None

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
            name = local_name(element)[1]
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
            if self.standard(child) in WRAPPERS:
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
            name = local_name(child)[1]
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
        if self.version == "1.2" and (short := TIME_WITHOUT_SECONDS.match(text)):
            text = f"{short.group(1)}:00{short.group(2)}"
        if not TIME.match(text):
            self.add(
                where,
                f"{text!r} is not an XML Schema date-time with seconds and a time zone "
                "(e.g. 2026-07-22T06:45:00+02:00)",
                element,
            )
        return text

    def _no_children(self, name: str, element: etree._Element) -> None:
        for child in _children(element):
            self.add(name, f"<{name}> holds text only, not <{local_name(child)[1]}>", child)

    def _only(self, where: str, element: etree._Element, allowed: str) -> list[etree._Element]:
        found = []
        for child in _children(element):
            if self.standard(child) == allowed:
                found.append(child)
            else:
                local = local_name(child)[1]
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
                part = local_name(child)[1]
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
                        entry[part] = _number(text, DECIMAL)
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
            part = local_name(child)[1]
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
            part = local_name(child)[1]
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
            part = local_name(child)[1]
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
                part = local_name(child)[1]
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
                    found[name] = _number(value, DOUBLE)
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
                part = local_name(child)[1]
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
