"""Validation against the official EPCIS 2.0 JSON Schema, compiled once per process.

The schema is GS1's artefact and is not shipped with oretrace: the operator points
``ORETRACE_EPCIS_SCHEMA`` at ``EPCIS-JSON-Schema.json`` from the GS1 EPCIS repository. The
semantic checks in :mod:`oretrace.traceability.epcis.checks` run whether or not a schema is set.

jsonschema-rs (Rust) validates a thousand-event document in about 3 ms, with format
assertions on (``uri`` and ``date-time`` matter: several invalid openEPCIS documents break only
those), and reports every violation, not only the first. A schema that refers to documents
outside itself is refused: nothing is fetched from the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import jsonschema_rs

from oretrace.traceability.epcis.artefacts import CompiledFiles
from oretrace.traceability.epcis.problems import Problem, path_text


class Validate(Protocol):
    """A compiled schema (one of jsonschema-rs's validators)."""

    def is_valid(self, instance: Any) -> bool: ...

    def iter_errors(self, instance: Any) -> Iterator[jsonschema_rs.ValidationError]: ...


MAX_PROBLEMS = 100  # a document broken everywhere is refused naming this many schema problems
_LONG_VALUE = 60  # longer values quoted at the start of a message are named, not repeated


class SchemaUnavailable(ValueError):
    """The configured schema file cannot be read or compiled."""


def _no_fetching(uri: str) -> Any:
    raise ValueError(f"the schema refers to {uri}, and oretrace does not fetch schemas")


def _read_and_compile(path: Path) -> Validate:
    return _compile(json.loads(path.read_text(encoding="utf-8")))


def _compile(schema: Any) -> Validate:
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=_no_fetching)
    except ValueError as exc:
        raise ValueError(str(exc).split("\n", 1)[0]) from None


COMPILED: CompiledFiles[Validate] = CompiledFiles(
    "EPCIS JSON Schema", _read_and_compile, SchemaUnavailable, (ValueError,)
)


def compiled(path: Path) -> Validate:
    """The compiled validator of the schema at ``path`` (recompiled when the file changes)."""
    return COMPILED.get(path)


def schema_problems(document: Any, validate: Validate) -> list[Problem]:
    """Every violation of the schema (up to ``MAX_PROBLEMS``), each placed on its event."""
    if validate.is_valid(document):
        return []
    problems: list[Problem] = []
    seen: set[tuple[int | None, str, str]] = set()
    for error in validate.iter_errors(document):
        problem = _problem(document, list(error.instance_path), _message(error.message))
        key = (problem.event, problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            problems.append(problem)
            if len(problems) == MAX_PROBLEMS:
                break
    return problems


def _message(text: str) -> str:
    """The validator's message, with a long value it starts by quoting named by its kind."""
    text = text.split("\n", 1)[0]
    value, sep, rest = text.partition(" is not ")
    if sep and len(value) > _LONG_VALUE and value[:1] in "{[":
        text = f"{'the object' if value[0] == '{' else 'the list'} is not {rest}"
    return f"does not follow the EPCIS 2.0 JSON Schema: {text}"


def _problem(document: Any, parts: list[str | int], message: str) -> Problem:
    if len(parts) >= 3 and parts[:2] == ["epcisBody", "eventList"] and isinstance(parts[2], int):
        index = parts[2]
        event = document["epcisBody"]["eventList"][index]
        kind = event.get("type", "") if isinstance(event, dict) else ""
        return Problem(index + 1, path_text(parts[3:]), message, str(kind))
    return Problem(None, path_text(parts), message)
