"""The record types the ledger commits to: each app registers its models and their public facts.

A canonicaliser turns a record into a JSON-able dict of *public facts*: never personal data.
The dict must be the same for the same facts (use codes and strings, not objects), because the
tamper audit recomputes it from the database and compares commitments.

    from oretrace.ledger.records import register

    register(CustodyEvent, "traceability.custodyevent", facts=lambda e: {...})
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import models

from oretrace.ledger.exceptions import LedgerError

Facts = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class RecordType:
    name: str
    model: type[models.Model]
    facts: Facts
    organisation_id: Callable[[Any], int]
    label: str = ""
    # Whether the log must hold this record even when it has no leaf yet: every record of most
    # types; only some for a type committed at a moment of its life (an accepted declaration).
    logged: Callable[[Any], bool] = lambda record: True
    # The facts of earlier versions of the type's commitment, newest first: a leaf appended
    # before the facts were widened still opens with the facts it was committed with (see
    # ``facts_matching``), so widening the facts never makes existing leaves "modified".
    legacy_facts: tuple[Facts, ...] = ()
    # Whether ``facts`` reads only the record's own row (no query): only then are the facts of a
    # large batch computed while PostgreSQL's ``COPY`` of the leaves is open, which takes the
    # connection, so a query from ``facts`` there would wait for it for ever.
    row_only: bool = False
    # How pages name some facts' values: a fact's key to a function giving the readable name of
    # a value, or "" when it has none (an EPCIS event type's label). The facts themselves are
    # what was signed, so pages show the value as code beside its name.
    value_labels: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)

    def facts_versions(self, record: Any) -> Iterable[dict[str, Any]]:
        """The record's facts in the current shape, then in each earlier one (lazily)."""
        yield self.facts(record)
        for facts in self.legacy_facts:
            yield facts(record)


@dataclass(frozen=True)
class Finding:
    """What a content check found: a record whose stored data its leaf does not vouch for."""

    record_type: str
    record_id: str
    organisation: int | None
    detail: str
    kind: str = "content-altered"


# A check of stored data the facts do not carry but the committed facts determine (an EPCIS
# event's body and its derived rows, a declaration's smelter rows, an assessment's answers):
# called by the tamper audit once per run, it yields every finding.
ContentCheck = Callable[[], Iterable[Finding]]
_CHECKS: dict[str, ContentCheck] = {}


def register_check(name: str, check: ContentCheck) -> None:
    """Add a content check to the tamper audit under ``name`` (stable, for messages)."""
    _CHECKS[name] = check


def all_checks() -> list[tuple[str, ContentCheck]]:
    return list(_CHECKS.items())


ERASURE = "ledger.erasure"
_BY_NAME: dict[str, RecordType] = {}
_BY_MODEL: dict[type[models.Model], RecordType] = {}


def register(
    model: type[models.Model],
    name: str,
    *,
    facts: Facts,
    organisation_id: Callable[[Any], int] = lambda record: record.organisation_id,
    label: str = "",
    logged: Callable[[Any], bool] = lambda record: True,
    legacy_facts: tuple[Facts, ...] = (),
    row_only: bool = False,
    value_labels: Mapping[str, Callable[[Any], str]] | None = None,
) -> RecordType:
    """Make ``model`` committable under ``name`` (``app_label.model``, stable forever).

    ``logged`` says which records the log must hold from the start (the tamper audit reports
    one of those without a leaf); a record that has leaves is checked whatever it says.
    ``legacy_facts`` are the earlier shapes of ``facts``, newest first: never change what
    ``facts`` returns for an existing record without moving its old form here. ``row_only``
    promises that ``facts`` runs no query (reads only the record's own columns), which lets a
    large append compute them while the database stores the previous rows.
    """
    spec = RecordType(
        name,
        model,
        facts,
        organisation_id,
        label or str(model._meta.verbose_name),
        logged,
        legacy_facts,
        row_only,
        dict(value_labels or {}),
    )
    existing = _BY_NAME.get(name)
    if existing is not None and existing.model is not model:
        raise LedgerError(f"record type {name} is already registered for {existing.model}")
    _BY_NAME[name] = spec
    _BY_MODEL[model] = spec
    return spec


def for_record(record: models.Model) -> RecordType:
    spec = _BY_MODEL.get(type(record))
    if spec is None:
        raise LedgerError(
            f"{type(record).__name__} is not a committable record type; register it with "
            "oretrace.ledger.records.register"
        )
    return spec


def get(name: str) -> RecordType:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise LedgerError(f"unknown record type {name!r}") from None


def all_types() -> list[RecordType]:
    return list(_BY_NAME.values())


# --- the record types of the core app ---------------------------------------------------------


def organisation_facts(org: Any) -> dict[str, Any]:
    """An organisation's registration facts: names, kind, country and public identifiers."""
    return {
        "legal_name": org.legal_name,
        "short_name": org.short_name,
        "kind": org.kind,
        "country": org.country_id,
        "lei": org.lei,
        "duns": org.duns,
        "vat_number": org.vat_number,
        "national_registration": org.national_registration,
        "website": org.website,
        "is_active": org.is_active,
    }


def erasure_facts(erasure: Any) -> dict[str, Any]:
    """Which record's salts were erased, and at which leaves (no personal data)."""
    return {
        "record_type": erasure.record_type,
        "record_id": erasure.record_id,
        "leaves": sorted(int(index) for index in erasure.leaves),
    }


def register_core() -> None:
    from oretrace.core.models import Organisation
    from oretrace.ledger.models import Erasure

    register(
        Organisation,
        "core.organisation",
        facts=organisation_facts,
        organisation_id=lambda org: org.pk,
        label="organisation registration",
    )
    register(Erasure, ERASURE, facts=erasure_facts, label="erasure")


def fact_rows(document: Any) -> list[tuple[str, Any, str]]:
    """A verified document's facts as (key, value, label) rows: the label names the value in
    the reader's language when its record type knows it, else it is ""."""
    if not isinstance(document, Mapping) or not isinstance(document.get("facts"), Mapping):
        return []
    spec = _BY_NAME.get(str(document.get("type", "")))
    labels = spec.value_labels if spec is not None else {}
    rows = []
    for key, value in document["facts"].items():
        name = labels.get(key)
        rows.append((str(key), value, str(name(value)) if name and value else ""))
    return rows


def content_digest(rows: Iterable[Iterable[Any]], files: Iterable[tuple[int, str]]) -> str:
    """SHA-256 of what a record's rows say, with the SHA-256 of every file attached to them.

    ``rows`` are (primary key, then the values recorded) and ``files`` (row's primary key, file's
    SHA-256); each row counts as its values and its files' digests, sorted, and the rows are
    sorted by their values. Only the digest leaves the database: the rows may name people.
    """
    by_row: dict[int, list[str]] = {}
    for row_id, sha256 in files:
        by_row.setdefault(row_id, []).append(sha256)
    content = sorted([*values, sorted(by_row.get(pk, []))] for pk, *values in rows)
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
