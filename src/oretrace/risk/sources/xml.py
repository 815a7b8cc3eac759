"""A safe XML parse for the DOL files: no DTD, no entities, no network, bounded size."""

from __future__ import annotations

from lxml import etree

from oretrace.risk.sources.base import SourceError


def parse_xml(data: bytes, filename: str, root_tag: str, what: str) -> etree._Element:
    """The root element of ``data``, which must be ``<root_tag>``; ``what`` names the list."""
    stripped = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] != b"<":
        raise SourceError(filename, "line 1", f"this is not XML, so not {what}")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        line = data.count(b"\n", 0, max(data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY"))) + 1
        raise SourceError(
            filename,
            f"line {line}",
            "the XML declares a DTD or entities; they are refused so that none is expanded",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc).split(", line ")[0]
        raise SourceError(
            filename, f"line {exc.lineno}", f"the XML is broken or cut short: {message}"
        ) from None
    if root.tag != root_tag:
        raise SourceError(
            filename,
            f"line {root.sourceline}",
            f"the root element is <{root.tag}>, expected <{root_tag}>: this is not {what}",
        )
    return root


def where(element: etree._Element) -> str:
    return f"line {element.sourceline}"


def text_of(element: etree._Element, name: str, filename: str, *, required: bool = True) -> str:
    """The text of ``element``'s child ``<name>`` ("" when absent and not required)."""
    child = element.find(name)
    if child is None:
        if required:
            raise SourceError(filename, where(element), f"<{element.tag}> has no <{name}>")
        return ""
    text = (child.text or "").strip()
    if required and not text:
        raise SourceError(filename, where(child), f"<{name}> is empty")
    return text
