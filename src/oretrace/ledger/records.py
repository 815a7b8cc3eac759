"""The record types the ledger commits to: each app registers its models and their public facts.

A canonicaliser turns a record into a JSON-able dict of *public facts*: never personal data.
The dict must be the same for the same facts (use codes and strings, not objects), because the
tamper audit recomputes it from the database and compares commitments.

    from oretrace.ledger.records import register

    register(CustodyEvent, "traceability.custodyevent", facts=lambda e: {...})
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
) -> RecordType:
    """Make ``model`` committable under ``name`` (``app_label.model``, stable forever).

    ``logged`` says which records the log must hold from the start (the tamper audit reports
    one of those without a leaf); a record that has leaves is checked whatever it says.
    """
    spec = RecordType(
        name, model, facts, organisation_id, label or str(model._meta.verbose_name), logged
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


def register_core() -> None:
    from oretrace.core.models import Organisation

    register(
        Organisation,
        "core.organisation",
        facts=organisation_facts,
        organisation_id=lambda org: org.pk,
        label="organisation registration",
    )
