"""Validation against the official EPCIS 2.0 JSON Schema, compiled once per process.

The schema is GS1's artefact and is not shipped with oretrace: the operator points
``ORETRACE_EPCIS_SCHEMA`` at ``EPCIS-JSON-Schema.json`` from the GS1 EPCIS repository. The
semantic checks in :mod:`oretrace.traceability.epcis.checks` run whether or not a schema is set.
fastjsonschema compiles the schema to Python code (checking ``format: uri`` and ``date-time``,
which the six schema-valid invalid openEPCIS documents rely on), so validation costs tens of
microseconds per event.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema

from oretrace.traceability.epcis.artefacts import CompiledFiles
from oretrace.traceability.epcis.problems import Problem, path_text

Validate = Callable[[Any], Any]


class SchemaUnavailable(ValueError):
    """The configured schema file cannot be read or compiled."""


def _read_and_compile(path: Path) -> Validate:
    return _compile(json.loads(path.read_text(encoding="utf-8")))


COMPILED: CompiledFiles[Validate] = CompiledFiles(
    "EPCIS JSON Schema",
    _read_and_compile,
    SchemaUnavailable,
    (ValueError, fastjsonschema.JsonSchemaDefinitionException),
)


def compiled(path: Path) -> Validate:
    """The compiled validator of the schema at ``path`` (recompiled when the file changes)."""
    return COMPILED.get(path)


def _compile(schema: dict[str, Any]) -> Validate:
    """Compile the schema, with each ``propertyNames`` constraint checked once per name, and
    each event's schema picked by its type (``_dispatch``).

    GS1's schema says which keys an event (or a header, a sensor report…) may have with a
    ``propertyNames`` ``anyOf``: a standard field, else a namespaced extension. Compiled as it
    is, every key of every event tries the alternatives in turn, failing by exception, which is
    half of the validation time. The verdict on a name depends on the name only, so each such
    constraint becomes a named format whose check is the constraint itself, compiled on its
    own and remembered per name. What is valid does not change (tested on every shared example
    and on documents that break each constraint).
    """
    schema = copy.deepcopy(schema)
    definitions = schema.get("definitions", {})
    formats: dict[str, Callable[[str], bool]] = {}

    def replace(node: Any, where: str) -> None:
        if isinstance(node, dict):
            names = node.get("propertyNames")
            if isinstance(names, dict):
                label = f"a property name the EPCIS JSON Schema allows in {where}"
                formats[label] = _name_check(names, schema.get("$id", ""), definitions)
                node["propertyNames"] = {"format": label}
            for key, value in node.items():
                if key != "propertyNames":
                    replace(value, key if key not in ("allOf", "then", "items") else where)
        elif isinstance(node, list):
            for item in node:
                replace(item, where)

    replace(schema, "the document")
    for definition in definitions.values():
        _dispatch(definition)
    return fastjsonschema.compile(schema, formats=formats)


def _dispatch(node: Any) -> None:
    """Turn "all of: if the type is X then X's schema" into "if X … else if Y … else …".

    GS1's schema gives an event's schema by its ``type`` as a list of conditions that all
    apply: for an ObjectEvent, the conditions of the four other types and of an extension
    type are each tried and fail, by exception. With ``type`` required, the conditions exclude
    each other (one value each, the last one none of them), so a chain that stops at the first
    that holds gives every document the same verdict and the same first violation. Left alone
    unless the node has exactly that shape.
    """
    if not isinstance(node, dict) or node.get("type") != "object":
        return
    branches = node.get("allOf")
    required = node.get("required") or []
    if not isinstance(branches, list) or not branches or not required:
        return
    key = required[0]
    chain: list[tuple[str, Any]] = []
    otherwise: Any = None
    for position, branch in enumerate(branches):
        if not isinstance(branch, dict) or set(branch) != {"if", "then"}:
            return
        condition = branch["if"]
        value = _one_value(condition, key)
        if value is not None:
            chain.append((value, branch["then"]))
            continue
        negated = condition.get("not") if set(condition) == {"not"} else None
        values = _values(negated, key)
        if position != len(branches) - 1 or values is None or set(values) != {v for v, _ in chain}:
            return
        otherwise = branch["then"]
    if len({v for v, _ in chain}) != len(chain):
        return
    tail: Any = otherwise if otherwise is not None else {}
    for value, then in reversed(chain):
        tail = {"if": {"properties": {key: {"const": value}}}, "then": then, "else": tail}
    node["allOf"] = [tail]  # in its place: the keywords are checked in the schema's order


def _values(condition: Any, key: str) -> list[str] | None:
    """The values ``condition`` allows for ``key``, when that is all it says (of an object)."""
    if not isinstance(condition, dict) or set(condition) - {"type", "properties"}:
        return None
    if condition.get("type", "object") != "object":
        return None
    properties = condition.get("properties")
    if not isinstance(properties, dict) or set(properties) != {key}:
        return None
    allowed = properties[key]
    if not isinstance(allowed, dict) or set(allowed) != {"enum"}:
        return None
    values = allowed["enum"]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    return values


def _one_value(condition: Any, key: str) -> str | None:
    values = _values(condition, key)
    return values[0] if values is not None and len(values) == 1 else None


def _name_check(
    constraint: dict[str, Any], schema_id: str, definitions: dict[str, Any]
) -> Callable[[str], bool]:
    validate = fastjsonschema.compile({"$id": schema_id, "definitions": definitions, **constraint})

    @functools.lru_cache(maxsize=4096)
    def allowed(name: str) -> bool:
        try:
            validate(name)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return allowed


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
