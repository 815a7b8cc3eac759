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

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from oretrace.traceability.epcis.document import DocumentError, ReadResult, read_document
from oretrace.traceability.epcis.problems import Problem
from oretrace.traceability.epcis.schema import Validate
from oretrace.traceability.epcis.xml_fields import EPCIS_NAMESPACES, OTHER_ROOTS
from oretrace.traceability.epcis.xml_reader import Reader, local_name
from oretrace.traceability.epcis.xsd import Xsd

_BARE_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[\w:.-]+\s*>")


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


def from_xml(raw: bytes) -> XmlDocument:
    """The EPCIS 2.0 JSON form of an XML ``EPCISDocument`` and the structural problems found.

    Raises :class:`XmlRefused` when ``raw`` is not well-formed, hostile (DTD, entities), or not
    an EPCIS capture document at all (a master data document, a capture job, a bare event).
    """
    root = parse(raw)
    namespace, name = local_name(root)
    if name != "EPCISDocument" or namespace not in EPCIS_NAMESPACES:
        what = OTHER_ROOTS.get(name, f"<{name}>")
        where = f" in namespace {namespace}" if namespace else " without a namespace"
        raise XmlRefused(
            f"not an EPCISDocument: the root element is <{name}>{where} ({what}); capture takes "
            "an <epcis:EPCISDocument> of urn:epcglobal:epcis:xsd:1 (EPCIS 1.2) or "
            "urn:epcglobal:epcis:xsd:2 (EPCIS 2.0)"
        )
    version = EPCIS_NAMESPACES[namespace]
    reader = Reader(root, version)
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
