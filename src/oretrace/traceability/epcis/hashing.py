"""CBV 2.0 event hash IDs: the canonical pre-hash string of an event, and its SHA-256.

CBV 2.0 §8.9 names an event by a hash of its content, so that the same event captured twice —
or by two repositories — gets the same ID whatever its JSON looks like: key order, bare CBV
terms or their URIs, EPC URNs or Digital Links, local times or UTC. The pre-hash string is

    eventType=<type>  then the standard fields in a fixed order  then everything else, sorted

where every value is canonicalised (times to UTC with milliseconds, CBV URNs to web URIs,
numbers without padding, GS1 keys to canonical Digital Links — see ``gs1_keys``), lists are
sorted, and user extensions are written with their namespace URI instead of their prefix.

The ID must agree with other EPCIS repositories, whose reference is the CBV working group's
implementation (``epcis-event-hash-generator``). That package is slow (a generic tree, a deep
copy, logging and a dozen regular expressions per value: ~40 % of a capture) and fetches JSON-LD
contexts over the network, so we compute the same string here directly from the JSON. Where the
reference has peculiarities — the business transaction, source and destination lists come with
the "everything else" part, an extension element of a nested field is kept inside it only when
its namespace ends with ``/`` — we follow it, since agreeing IDs matter more than neatness.
The tests compare our IDs with the package's, which is a test-only dependency.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from oretrace.traceability.epcis import vocabulary as voc
from oretrace.traceability.epcis.gs1_keys import canonical_link
from oretrace.traceability.epcis.terms import expansions as _expansions

# A node of the event as the pre-hash sees it: (name, text, children). A business transaction,
# source or destination is a pair of nodes (its first two fields, in the order given).
Node = tuple[Any, str, list[Any]]

# Field order of the pre-hash, with the order of each field's own children (None: a leaf).
# The three typed lists are listed by CBV but never match a node here: like the reference,
# their entries are written in the trailing part.
_QUANTITY = [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]
_EPCS = [("epc", None)]
_SENSOR_METADATA = [
    (name, None)
    for name in (
        "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
        "dataProcessingMethod", "bizRules",
    )
]  # fmt: skip
_SENSOR_REPORT = [
    (name, None)
    for name in (
        "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
        "time", "microorganism", "chemicalSubstance", "value", "component", "stringValue",
        "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue",
        "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
    )
]  # fmt: skip
FIELD_ORDER: list[tuple[str, Any]] = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", _EPCS),
    ("inputEPCList", _EPCS),
    ("childEPCs", _EPCS),
    ("quantityList", _QUANTITY),
    ("childQuantityList", _QUANTITY),
    ("inputQuantityList", _QUANTITY),
    ("outputEPCList", _EPCS),
    ("outputQuantityList", _QUANTITY),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    (
        "sensorElementList",
        [
            (
                "sensorElement",
                [("sensorMetadata", _SENSOR_METADATA), ("sensorReport", _SENSOR_REPORT)],
            )
        ],
    ),
]
# Never part of the hash: the repository's own record time and ID, and an error declaration
# (a corrected event keeps the ID of the event it corrects).
_LEFT_OUT = frozenset(["recordTime", "eventID", "type", "errorDeclaration"])
_UNORDERED_IF = ("bizTransaction", "source", "destination")
_PAIRED = frozenset(["bizTransactionList", "sourceList", "destinationList"])
_COMMENTS = frozenset(["#text", "rdfs:comment", "comment"])
_QUANTITY_NAMES = frozenset(["inputQuantity", "outputQuantity", "childQuantity"])
_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", voc.CBV + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", voc.CBV + "Disp-"),
    ("urn:epcglobal:cbv:btt:", voc.CBV + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", voc.CBV + "SDT-"),
    ("urn:epcglobal:cbv:er:", voc.CBV + "ER-"),
)


# --- values ---------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def canonical_value(text: str) -> str:
    """A value as the pre-hash writes it: CBV URNs as web URIs, numbers plain, GS1 keys as links."""
    if "urn:epcglobal:cbv:" in text:
        for urn, uri in _CBV_URNS:
            text = text.replace(urn, uri)
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(number):
            text = str(int(number)) if number.is_integer() else str(number)
    return canonical_link(text) or text


@lru_cache(maxsize=4096)
def canonical_time(text: str) -> str:
    """An ISO 8601 time in UTC at millisecond precision (``2026-03-01T02:30:00.000Z``)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # not a time: hashed as written
    moment = moment.astimezone(UTC)
    # Rounded to the millisecond, half to even (as the reference rounds).
    milliseconds = round(moment.microsecond, -3)
    if milliseconds == 1_000_000:
        moment = moment.replace(microsecond=0) + _ONE_SECOND
    else:
        moment = moment.replace(microsecond=milliseconds)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


_ONE_SECOND = timedelta(seconds=1)


# --- from JSON to nodes ---------------------------------------------------------------------


class _Reader:
    """Turns one event's JSON into nodes, resolving namespace prefixes and bare CBV terms."""

    def __init__(self, namespaces: dict[str, str], expansions: dict[str, str]) -> None:
        self.namespaces = namespaces  # prefix -> namespace URI
        self.expansions = expansions  # bare term -> the CBV URI it stands for in this event

    def key(self, key: str) -> str:
        prefix, colon, local = key.partition(":")
        if colon and prefix in self.namespaces:
            return "{" + self.namespaces[prefix] + "}" + local
        return key

    def scalar(self, value: Any) -> str:
        if isinstance(value, str):
            text = self.expansions.get(value, value) if self.expansions else value
            prefix = text.split(":", 1)[0]
            if prefix in self.namespaces and prefix != text:
                return self.namespaces[prefix] + text[len(prefix) + 1 :]
            return text
        return str(value)  # Python's spelling of numbers and booleans ("True"), as the reference

    def node(self, value: Any) -> Node:
        if isinstance(value, dict):
            return self.dict_node(value)
        if isinstance(value, list):
            children = [self.node(item) for item in value]
            if not any(k in value for k in _UNORDERED_IF):
                children.sort()
            return ("", "", children)
        return ("", self.scalar(value), [])

    def dict_node(self, value: dict[str, Any]) -> Node:
        name = value.get("type", "")
        text = value.get("#text", "")
        children: list[Node] = []
        for key, item in value.items():
            if key in _COMMENTS:
                continue
            if key.startswith("@xmlns"):
                self.namespaces[key[7:]] = str(item)
                name = self.key(name) if isinstance(name, str) else name
                continue
            child = self.node(item)
            key = self.key(key)
            if isinstance(item, list):
                children.extend((key, grand[1], grand[2]) for grand in child[2])
            else:
                children.append((key, child[1], child[2]))
        if not any(k in value for k in _UNORDERED_IF):
            children.sort()
        return (name, text, children)


def _regroup(node: Node) -> Node:
    """Give the JSON nodes the XML shape the field order speaks of.

    JSON writes ``"epcList": [a, b]`` where XML writes ``<epcList><epc>a</epc>…``: list
    entries named ``xList`` become ``x`` children of one ``xList`` node (a business transaction,
    source or destination becomes the pair of its first two fields); ``childEPCs`` entries
    become ``epc`` children; input/output EPCs are ``epc`` and quantity entries
    ``quantityElement``.
    """
    name, text, children = node
    kept: list[Any] = []
    lists: dict[str, list[Any]] = {}
    child_epcs: list[Node] = []
    for child in children:
        child_name = child[0]
        if isinstance(child_name, str) and child_name.endswith("List"):
            lists.setdefault(child_name, []).append((child_name[:-4], child[1], child[2]))
        elif child_name == "childEPCs":
            child_epcs.append(("epc", child[1], []))
        else:
            kept.append(child)
    regrouped: list[Any] = [_regroup(child) for child in kept]
    for list_name, entries in lists.items():
        if list_name in _PAIRED:
            regrouped.append((list_name, "", [_pair(entry[2]) for entry in entries]))
        else:
            regrouped.append(_regroup((list_name, "", entries)))
    if child_epcs:
        regrouped.append(("childEPCs", "", child_epcs))
    if name in ("inputEPC", "outputEPC"):
        name = "epc"
    elif name in _QUANTITY_NAMES or (name == "quantity" and regrouped):
        name = "quantityElement"
    return (name, text, regrouped)


_EMPTY: Node = ("", "", [])


def _pair(fields: list[Node]) -> tuple[Node, Node]:
    """A typed entry as (first field, second field); an untyped one gets an empty second.

    The reference fails on an entry without its optional type; an empty node adds nothing to
    the string, so the entry hashes as ``bizTransaction=<uri>``.
    """
    return (fields[0], fields[1] if len(fields) > 1 else _EMPTY)


# --- from nodes to the pre-hash string ------------------------------------------------------


def _is_pair(item: Any) -> bool:
    return len(item) == 2


def _extensions(children: list[Any]) -> list[Any]:
    """Take out the namespaced children of a nested field (written after its standard ones)."""
    for child in children:
        if len(child) == 3 and ("eventTime" in child[0] or "action" in child[0]):
            return []  # the event itself: its extensions go with everything else
    found = [c for c in children if len(c) == 3 and "{" in c[0] and "/}" in c[0]]
    if found:
        for child in found:
            children.remove(child)
    return found


Order = dict[str, tuple[int, Any]]


def _order(fields: list[tuple[str, Any]]) -> Order:
    """A field order as name -> (rank, order of the field's children or None)."""
    return {name: (rank, _order(sub) if sub else None) for rank, (name, sub) in enumerate(fields)}


_FIELD_ORDER = _order(FIELD_ORDER)


def _ordered(children: list[Any], order: Order) -> str:
    """The children named in ``order``, in that order; consumes those fully written.

    A nested field's namespaced children are written after its standard ones.
    """
    extensions = _extensions(children) if len(children) > 1 else []
    named: dict[str, list[Node]] = {}
    for child in children:
        if len(child) == 3 and child[0] in order:
            named.setdefault(child[0], []).append(child)
    if not named:
        return _rest(extensions) if extensions else ""
    parts: list[str] = []
    consumed = False
    for name in sorted(named, key=lambda n: order[n][0]) if len(named) > 1 else named:
        sub_order = order[name][1]
        values = []
        for child in named[name]:
            written = _field(child, sub_order)
            if written:
                values.append(written)
            consumed = consumed or not child[2]
        if len(values) > 1:
            values.sort()
        parts.extend(values)
    if consumed:
        children[:] = [c for c in children if len(c) == 2 or c[2] or c[0] not in order]
    if extensions:
        parts.append(_rest(extensions))
    return "".join(parts)


def _field(node: Node, sub_order: Any) -> str:
    name, text, children = node
    inner = _ordered(children, sub_order) if sub_order else ""
    if text:
        text = text.strip()
        lowered = name.lower()
        if "time" in lowered and "offset" not in lowered:
            text = canonical_time(text)
        else:
            text = canonical_value(text)
        if text:
            text = "=" + text
    return name + text + inner if text or inner else ""


def _rest(children: list[Any]) -> str:
    """Whatever the field order did not consume, each written fully, sorted."""
    parts = []
    ordered = True
    for child in children:
        if _is_pair(child):
            parts.append(_rest(list(child)))
            continue
        name, text, grand = child
        if name in _UNORDERED_IF:
            ordered = False
        text = text.strip()
        if text:
            text = "=" + canonical_value(text)
        parts.append(name + text + _rest(grand))
    if ordered and len(parts) > 1:
        parts.sort()
    return "".join(parts)


def generic_prehash(event: dict[str, Any], namespaces: dict[str, str]) -> str:
    """The pre-hash string through the node tree: any event, whatever its fields hold."""
    reader = _Reader(namespaces, _expansions(event))
    root = _regroup(reader.dict_node(event))
    children = root[2]
    head = "eventType=" + str(root[0]) + _ordered(children, _FIELD_ORDER)
    remaining = [c for c in children if _is_pair(c) or c[0] not in _LEFT_OUT]
    return head + (_rest(remaining) if remaining else "")


# --- the direct path ------------------------------------------------------------------------
#
# Almost every event holds its standard fields in their plain JSON shapes (strings, lists of
# EPC strings, quantity elements of epcClass/quantity/uom, a readPoint with just an id). For
# those the string is written straight from the JSON, a few times faster than through the tree;
# anything else (an extension inside a standard field, a value of an unexpected type, sensor
# data) sends the whole event down the tree. The tests hold both paths to the same strings.


class _Unusual(Exception):
    """A standard field not in its plain shape: the event goes through the tree."""


def _leaf(reader: _Reader, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _Unusual
    return _written(name, reader.scalar(value))


@lru_cache(maxsize=16384)
def _written(name: str, text: str) -> str:
    """``name=<canonical value>`` (empty for an empty value); repeated values are common."""
    text = text.strip()
    if not text:
        return ""
    text = canonical_time(text) if name == "eventTime" else canonical_value(text)
    return name + "=" + text if text else ""


def _epcs(reader: _Reader, name: str, value: Any) -> str:
    if not isinstance(value, list):
        raise _Unusual
    values = [_leaf(reader, "epc", epc) for epc in value]
    values.sort()
    inner = "".join(values)
    return name + inner if inner else ""


_QUANTITY_FIELDS = ("epcClass", "quantity", "uom")


def _quantities(reader: _Reader, name: str, value: Any) -> str:
    if not isinstance(value, list):
        raise _Unusual
    values = []
    for element in value:
        if not isinstance(element, dict) or not element or not element.keys() <= _PLAIN_QUANTITY:
            raise _Unusual
        inner = ""
        for field in _QUANTITY_FIELDS:
            if field in element:
                item = element[field]
                if isinstance(item, str):
                    inner += _leaf(reader, field, item)
                elif isinstance(item, int | float) and not isinstance(item, bool):
                    inner += field + "=" + canonical_value(str(item))
                else:
                    raise _Unusual
        if inner:
            values.append("quantityElement" + inner)
    values.sort()
    inner = "".join(values)
    return name + inner if inner else ""


_PLAIN_QUANTITY = frozenset(_QUANTITY_FIELDS)


def _place(reader: _Reader, name: str, value: Any) -> str:
    if not isinstance(value, dict) or value.keys() != {"id"}:
        raise _Unusual
    inner = _leaf(reader, "id", value["id"])
    return name + inner if inner else ""


def _persistent(reader: _Reader, name: str, value: Any) -> str:
    if not isinstance(value, dict) or not value.keys() <= {"set", "unset"}:
        raise _Unusual
    inner = ""
    for part in ("set", "unset"):
        if part in value:
            if not isinstance(value[part], list):
                raise _Unusual
            values = [_leaf(reader, part, item) for item in value[part]]
            values.sort()
            inner += "".join(values)
    return name + inner if inner else ""


_DIRECT = {
    "eventTime": _leaf,
    "eventTimeZoneOffset": _leaf,
    "certificationInfo": _leaf,
    "parentID": _leaf,
    "epcList": _epcs,
    "inputEPCList": _epcs,
    "childEPCs": _epcs,
    "quantityList": _quantities,
    "childQuantityList": _quantities,
    "inputQuantityList": _quantities,
    "outputEPCList": _epcs,
    "outputQuantityList": _quantities,
    "action": _leaf,
    "transformationID": _leaf,
    "bizStep": _leaf,
    "disposition": _leaf,
    "persistentDisposition": _persistent,
    "readPoint": _place,
    "bizLocation": _place,
}
_RANK = {name: rank for name, (rank, _sub) in _FIELD_ORDER.items()}
_TREE_ONLY = frozenset(["sensorElementList", "#text"])


def _typed_list(reader: _Reader, name: str, value: Any) -> str:
    """A business transaction, source or destination list, written as the trailing part does.

    Each entry is its first two fields in the order given (``type=…bizTransaction=…``), values
    canonical but times as written; the entries are sorted.
    """
    if not isinstance(value, list):
        raise _Unusual
    entries = []
    for entry in value:
        if not isinstance(entry, dict) or "#text" in entry:
            raise _Unusual
        if not any(k in entry for k in _UNORDERED_IF):
            raise _Unusual  # the tree sorts such an entry's fields before pairing them
        written = ""
        for key, item in list(entry.items())[:2]:
            if not isinstance(item, str) or ":" in key or key in _COMMENTS:
                raise _Unusual
            text = reader.scalar(item).strip()
            written += key + "=" + canonical_value(text) if text else key
        entries.append(written)
    if not entries:
        return ""
    entries.sort()
    return name + "".join(entries)


_TYPED_LISTS = frozenset(["bizTransactionList", "sourceList", "destinationList"])


def _direct_prehash(event: dict[str, Any], namespaces: dict[str, str]) -> str:
    if "eventTime" not in event and "action" not in event:
        raise _Unusual  # the tree treats the extensions of such an "event" as a nested field's
    reader = _Reader(namespaces, _expansions(event))
    standard: list[tuple[int, str]] = []
    others: list[str] = []
    for key, value in event.items():
        write = _DIRECT.get(key)
        if write is not None:
            written = write(reader, key, value)
            if written:
                standard.append((_RANK[key], written))
            continue
        if key in _TYPED_LISTS:
            written = _typed_list(reader, key, value)
            if written:
                others.append(written)
            continue
        if key in _TREE_ONLY or key in _UNORDERED_IF or key.startswith("@xmlns"):
            raise _Unusual
        if key in _LEFT_OUT or key in _COMMENTS:
            continue
        # Everything else, as the tree writes it: one node per field (per entry of a list).
        child = reader.node(value)
        name = reader.key(key)
        if isinstance(value, list):
            nodes = [(name, grand[1], grand[2]) for grand in child[2]]
        else:
            nodes = [(name, child[1], child[2])]
        others.extend(_rest([node]) for node in _regroup(("", "", nodes))[2])
    standard.sort()
    head = "eventType=" + str(event.get("type", "")) + "".join(text for _rank, text in standard)
    if len(others) > 1:
        others.sort()
    return head + "".join(others)


def prehash(event: dict[str, Any], namespaces: dict[str, str]) -> str:
    """The CBV 2.0 pre-hash string of one event (JSON, as captured)."""
    try:
        return _direct_prehash(event, namespaces)
    except _Unusual:
        return generic_prehash(event, namespaces)


# --- the IDs --------------------------------------------------------------------------------


def context_namespaces(context: Any) -> dict[str, str]:
    """Prefix -> namespace URI declared by a JSON-LD ``@context`` list."""
    found: dict[str, str] = {}
    if isinstance(context, list):
        for item in context:
            if isinstance(item, str):
                found[item] = item
            elif isinstance(item, dict):
                found.update({k: v for k, v in item.items() if isinstance(v, str)})
    return found


def hash_id(prehash_string: str) -> str:
    return "ni:///sha-256;" + hashlib.sha256(prehash_string.encode()).hexdigest() + "?ver=CBV2.0"


def event_hashes(events: list[dict[str, Any]], context: Any = None) -> list[str]:
    """The ``ni:///sha-256;…?ver=CBV2.0`` hash ID of each event, in order.

    ``context`` is the document's ``@context``; an event's own ``@context`` adds to it for that
    event and those after it.
    """
    namespaces = context_namespaces(context)
    hashes = []
    for event in events:
        own = event.get("@context")
        if own is not None:
            namespaces.update(context_namespaces(own))
        hashes.append(hash_id(prehash(event, namespaces)))
    return hashes
