"""The reference implementation of CBV 2.0 hash IDs (``epcis-event-hash-generator``), as an oracle.

Only the tests use the package: our own canonicaliser (epcis/hashing.py) must give the same IDs.
``end_to_end`` runs the package exactly as its users do (JSON-LD expansion included), which
works offline only for documents whose contexts are GS1's. ``pipeline`` runs the same package
without the network: bare CBV terms are turned into their URIs from the field each sits in
(``terms.expanded_terms``, the canonicaliser's own reading, which ``end_to_end`` checks
independently wherever it runs) and handed to the package's own replacement step; from there
the package runs unchanged (its JSON-to-tree conversion, its JSON/XML model correction, its
canonical pre-hash).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from epcis_event_hash_generator import dl_normaliser, hash_generator, json_to_py
from epcis_event_hash_generator import json_xml_model_mismatch_correction as correction

from oretrace.traceability.epcis.terms import expanded_terms as _expanded_terms

# The package logs through the root logger, at INFO once per event with the event's whole tree:
# at the root's INFO level that formatting costs more than the hashing. Its modules get a logger
# of their own instead, which passes on warnings and errors only.
PACKAGE_LOGGER = logging.getLogger("epcis_event_hash_generator")
PACKAGE_LOGGER.setLevel(logging.WARNING)
for _module in (hash_generator, json_to_py, dl_normaliser):
    _module.logging = PACKAGE_LOGGER

# The package keeps its namespace table and join string in module globals.
_LOCK = threading.Lock()


def _context_namespaces(context: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in context if isinstance(context, list) else []:  # as the package: lists only
        if isinstance(item, str):
            found[item] = "{" + item + "}"
        elif isinstance(item, dict):
            found.update({k: "{" + str(v) + "}" for k, v in item.items()})
    return found


def pipeline(events: list[dict[str, Any]], context: Any = None) -> list[str]:
    """The package's hash IDs of the events, without its JSON-LD expansion."""
    hashes: list[str] = hash_generator.calculate_hashes_from_pre_hashes(prehashes(events, context))
    return hashes


def prehashes(events: list[dict[str, Any]], context: Any = None) -> list[str]:
    """The package's pre-hash strings of the events (an event it cannot read is left out)."""
    trees = []
    with _LOCK:
        json_to_py._namespaces.clear()
        json_to_py._namespaces.update(_context_namespaces(context))
        for event in events:
            expanded = _expanded_terms(event)
            if expanded:
                event = json_to_py._replace_bare_string_values(_copy(event), expanded)
            event_context = event.get("@context")
            if event_context is not None:
                json_to_py._collect_namespaces_from_jsonld_context(event_context)
            tree = _pad_untyped_pairs(json_to_py._json_to_py(event))
            trees.append(correction.deep_structure_correction(tree))
        found: list[str] = hash_generator.derive_prehashes_from_events(("EventList", "", trees))
        return found


_PAIRED = ("bizTransactionList", "sourceList", "destinationList")


def _pad_untyped_pairs(tree: tuple[str, str, list[Any]]) -> tuple[str, str, list[Any]]:
    """Give an untyped business transaction an empty type, as the reference cannot hash it.

    The package (1.9.3) expects every ``bizTransactionList`` entry to be a (value, type) pair
    and fails with an IndexError, in JSON and in XML alike, when the optional type is absent.
    An empty element adds nothing to the pre-hash string, so the entry reads
    ``bizTransaction=<uri>``, and typed entries hash exactly as the reference hashes them.
    """
    children = [
        (name, text, [*grand, ("", "", [])])
        if name in _PAIRED and len(grand) == 1
        else (name, text, grand)
        for name, text, grand in tree[2]
    ]
    return tree[0], tree[1], children


def _copy(value: Any) -> Any:
    """A copy of plain JSON data (faster than copy.deepcopy)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def end_to_end(path: Path) -> list[str] | None:
    """The package's own end-to-end output for a document file, or None when it fails.

    It fails offline on contexts other than GS1's, and on some documents of its own.
    """
    with _LOCK:
        json_to_py._namespaces.clear()  # the package keeps them from one document to the next
        try:
            events = json_to_py.event_list_from_epcis_document_str(path.read_text("utf-8"))
            hashes: list[str] = hash_generator.epcis_hashes_from_events(events)
            return hashes
        except Exception:  # any failure of the oracle means "no opinion"
            return None
        finally:
            json_to_py._namespaces.clear()


def document_pipeline(document: dict[str, Any]) -> list[str]:
    return pipeline(document["epcisBody"]["eventList"], document.get("@context"))
