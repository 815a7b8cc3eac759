"""Optional validation of EPCIS XML against GS1's XSD, compiled once per process.

Like the JSON Schema (:mod:`oretrace.traceability.epcis.schema`), the XSD is GS1's artefact and
is not shipped: ``ORETRACE_EPCIS_XSD`` points at ``EPCglobal-epcis-2_0.xsd`` with the schemas it
imports beside it. oretrace's own structure checks (:mod:`oretrace.traceability.epcis.xml`)
refuse what the XSD refuses in the shared test documents without it; the XSD adds the last word
on types and order for operators who want it. libxml2 reports errors by line, so each is placed
on the event that starts at or before that line.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from oretrace.traceability.epcis.artefacts import CompiledFiles
from oretrace.traceability.epcis.problems import Problem

_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'")


class XsdUnavailable(ValueError):
    """The configured XSD cannot be read or compiled."""


@dataclass(frozen=True)
class Xsd:
    """A compiled EPCIS XSD and the namespace of the documents it validates."""

    schema: etree.XMLSchema
    namespace: str
    # one validation at a time: the schema object keeps its error log between calls
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def problems(
        self, root: etree._Element, event_lines: list[int], event_kinds: list[str]
    ) -> list[Problem]:
        """The XSD's verdict on a document of its namespace, each error placed on its event.

        ``event_lines`` holds the line each event starts on, in document order. A document of
        the other EPCIS version (1.2 against the 2.0 XSD) is left to oretrace's own checks.
        """
        if etree.QName(root).namespace != self.namespace:
            return []
        with self.lock:
            if self.schema.validate(root.getroottree()):
                return []
            errors = [(e.line, e.message) for e in self.schema.error_log]
        problems = []
        for line, message in errors:
            index = bisect.bisect_right(event_lines, line)
            match = _ELEMENT.match(message)
            problems.append(
                Problem(
                    index or None,
                    (match.group(1) if match else "") if index else "",
                    f"does not follow the EPCIS XSD: {message} (line {line})",
                    event_kinds[index - 1] if index else "",
                )
            )
        return problems


def _read_and_compile(path: Path) -> Xsd:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(path), parser)
    return Xsd(etree.XMLSchema(tree), tree.getroot().get("targetNamespace", ""))


COMPILED: CompiledFiles[Xsd] = CompiledFiles(
    "EPCIS XSD",
    _read_and_compile,
    XsdUnavailable,
    (etree.XMLSyntaxError, etree.XMLSchemaParseError),
)


def compiled(path: Path) -> Xsd:
    """GS1's EPCIS XSD at ``path`` (recompiled when the file changes).

    The schemas it imports are read from beside it; the parser never uses the network.
    """
    return COMPILED.get(path)
