"""Validation against the official EPCIS 2.0 JSON Schema, compiled once per process.

The schema is GS1's artefact and is not shipped with oretrace: the operator points
``ORETRACE_EPCIS_SCHEMA`` at ``EPCIS-JSON-Schema.json`` from the GS1 EPCIS repository. The
semantic checks in :mod:`oretrace.traceability.epcis.checks` run whether or not a schema is set.
fastjsonschema compiles the schema to Python code (checking ``format: uri`` and ``date-time``,
which the six schema-valid invalid openEPCIS documents rely on), so validation costs tens of
microseconds per event.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema

from oretrace.traceability.epcis.problems import Problem, path_text

Validate = Callable[[Any], Any]

_LOCK = threading.Lock()
_COMPILED: dict[tuple[str, float], Validate] = {}


class SchemaUnavailable(ValueError):
    """The configured schema file cannot be read or compiled."""


def compiled(path: Path) -> Validate:
    """The compiled validator of the schema at ``path`` (recompiled when the file changes)."""
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise SchemaUnavailable(f"EPCIS JSON Schema {path} cannot be read: {exc}") from None
    with _LOCK:
        validate = _COMPILED.get(key)
        if validate is None:
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
                validate = fastjsonschema.compile(schema)
            except (OSError, ValueError, fastjsonschema.JsonSchemaDefinitionException) as exc:
                raise SchemaUnavailable(f"EPCIS JSON Schema {path} is not usable: {exc}") from None
            _COMPILED[key] = validate
        return validate


def schema_problems(document: Any, validate: Validate) -> list[Problem]:
    """The schema's verdict as problems (fastjsonschema reports the first violation)."""
    try:
        validate(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        return [_problem(document, list(exc.path or []), exc.message)]
    return []


def _problem(document: Any, path: list[Any], message: str) -> Problem:
    parts: list[Any] = [int(p) if str(p).isdigit() else p for p in path if p != "data"]
    message = message.replace("data.", "", 1) if message.startswith("data.") else message
    message = f"does not follow the EPCIS 2.0 JSON Schema: {message}"
    if len(parts) >= 3 and parts[:2] == ["epcisBody", "eventList"] and isinstance(parts[2], int):
        index = parts[2]
        events = document.get("epcisBody", {}).get("eventList", [])
        kind = events[index].get("type", "") if isinstance(events[index], dict) else ""
        return Problem(index + 1, path_text(parts[3:]), message, str(kind))
    return Problem(None, path_text(parts), message)
