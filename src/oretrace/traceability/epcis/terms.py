"""Bare CBV terms in an event and the URIs they stand for, as the event hash reads them.

A JSON-LD processor expands a bare term (``shipping``) by the field it sits in
(``https://ref.gs1.org/cbv/BizStep-shipping``); the canonical pre-hash string of the EPCIS
event hash (`hashing`) needs the same reading.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from oretrace.traceability.epcis import vocabulary as voc


def expanded_terms(event: dict[str, Any]) -> set[str]:
    """The CBV URIs that the bare terms of the event's vocabulary fields stand for."""
    found: set[str] = set()
    for name, vocabulary in (("bizStep", voc.BIZ_STEP), ("disposition", voc.DISPOSITION)):
        value = event.get(name)
        if isinstance(value, str) and value in vocabulary.terms:
            found.add(vocabulary.web_prefix + value)
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, dict):
        for values in persistent.values():
            for value in values if isinstance(values, list) else []:
                if value in voc.DISPOSITIONS:
                    found.add(voc.DISPOSITION.web_prefix + value)
    for name, vocabulary in (
        ("bizTransactionList", voc.BIZ_TRANSACTION_TYPE),
        ("sourceList", voc.SOURCE_DEST_TYPE),
        ("destinationList", voc.SOURCE_DEST_TYPE),
    ):
        for entry in event.get(name) or []:
            value = entry.get("type") if isinstance(entry, dict) else None
            if value in vocabulary.terms:
                found.add(vocabulary.web_prefix + value)
    reason = (event.get("errorDeclaration") or {}).get("reason")
    if reason in voc.ERROR_REASONS:
        found.add(voc.ERROR_REASON.web_prefix + reason)
    for element in event.get("sensorElementList") or []:
        for report in element.get("sensorReport") or [] if isinstance(element, dict) else []:
            if isinstance(report, dict):
                found |= _sensor_terms(report)
    return found


def _sensor_terms(report: dict[str, Any]) -> set[str]:
    """The GS1 and CBV URIs of a sensor report's bare type, exception and component."""
    found = set()
    for key in ("type", "exception"):
        value = report.get(key)
        if isinstance(value, str) and ":" not in value:
            found.add(voc.GS1_VOC + value)
    component = report.get("component")
    if isinstance(component, str) and ":" not in component:
        found.add(voc.CBV + "Comp-" + component)
    return found


def expansions(event: dict[str, Any]) -> dict[str, str]:
    """Bare string -> URI, for every string value of the event a bare term's URI ends with.

    A JSON-LD processor expands a bare term by the field it sits in; like the reference, the
    event's other string values equal to the term's tail (after a ``-`` or ``/``) are read as
    that URI too, unless two URIs end alike.
    """
    terms = expanded_terms(event)
    return _tails(frozenset(terms)) if terms else {}


@lru_cache(maxsize=1024)
def _tails(uris: frozenset[str]) -> dict[str, str]:
    candidates: dict[str, set[str]] = {}
    for uri in uris:
        for at, char in enumerate(uri):
            if char in "-/":
                candidates.setdefault(uri[at + 1 :], set()).add(uri)
    return {tail: next(iter(found)) for tail, found in candidates.items() if len(found) == 1}
