"""Accepted declarations in the transparency log: their canonical fingerprint, never contacts.

Facts, second shape (``"schema": 2``): the first shape's without the uploaded file's SHA-256,
plus ``smelter_rows``, the SHA-256 of the declaration's smelter rows as stored (what each row says
and the registry facility it is linked to, or the review that will link it). A leaf appended
before that keeps the first shape (``legacy_facts``), and still opens with it; migration
``declarations.0003`` appends a new leaf for every declaration whose latest leaf has the first
shape, so no new bundle carries the file's hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings

from oretrace.declarations.choices import DeclarationStatus
from oretrace.declarations.models import Declaration, SmelterEntry
from oretrace.declarations.rmi.canonical import fingerprint
from oretrace.ledger.models import Leaf
from oretrace.ledger.records import Finding, register, register_check

_RECORD = "declarations.declaration"

_ROW_FIELDS = (
    "row",
    "metal",
    "metal_text",
    "lookup_name",
    "smelter_name",
    "country",
    "country_text",
    "smelter_id",
    "recycled_scrap",
    "match",
    "score",
    "facility_id",
    "review_id",
)


def smelter_rows_digest(declaration: Any) -> str:
    """SHA-256 of the declaration's stored smelter rows and their registry links, in row order.

    Each row is a JSON array of ``_ROW_FIELDS`` (the score as text with two decimals: a float's
    text is not the same in every language).
    """
    rows = SmelterEntry.objects.filter(declaration_id=declaration.pk).order_by("row", "pk")
    encoded = [
        [
            *values[:10],
            None if values[10] is None else f"{values[10]:.2f}",
            *values[11:],
        ]
        for values in rows.values_list(*_ROW_FIELDS)
    ]
    return hashlib.sha256(orjson.dumps(encoded)).hexdigest()


def declaration_facts_v1(declaration: Any) -> dict[str, Any]:
    """The first shape: recomputed from the stored content and the decision."""
    return {
        "fingerprint": fingerprint(declaration.content),
        "family": declaration.family,
        "version": declaration.version,
        "status": declaration.status,
        "file_sha256": declaration.sha256,
    }


def declaration_facts(declaration: Any) -> dict[str, Any]:
    """Recomputed from the stored content and rows, so a changed row no longer matches its leaf.

    The fingerprint is of the declaration's public content (``canonical.public``): a verifier
    holding the declaration recomputes it. Never the uploaded file's SHA-256: the file holds the
    supplier's contacts, and its hash would let anyone holding a copy confirm who filled it in.
    """
    return {
        "fingerprint": fingerprint(declaration.content),
        "family": declaration.family,
        "version": declaration.version,
        "status": declaration.status,
        "schema": 2,
        "smelter_rows": smelter_rows_digest(declaration),
    }


register(
    Declaration,
    _RECORD,
    facts=declaration_facts,
    label="supplier declaration",
    # committed when accepted (and at every later decision): one still waiting for a decision,
    # or rejected without ever being accepted, has no leaf
    logged=lambda declaration: declaration.status == DeclarationStatus.ACCEPTED,
    legacy_facts=(declaration_facts_v1,),
)


def _read_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """The columns the import read from the content (the committed fingerprint covers it)."""
    company = content.get("company") or {}
    effective = company.get("effective_date")
    return {
        "fingerprint": fingerprint(content),
        "language": str(content.get("language", ""))[:20],
        "company_name": str(company.get("name", ""))[:300],
        "scope": company.get("scope", ""),
        "scope_description": company.get("scope_description", ""),
        "effective_date": date.fromisoformat(effective) if effective else None,
        "minerals": list(content.get("minerals") or []),
    }


def _file_differs(declaration: Any) -> str:
    """Why the kept upload no longer vouches for the stored SHA-256 (empty when it does).

    The facts leave the file's SHA-256 out (the file holds the supplier's contacts, and a
    public bundle must not let a holder of a copy confirm who filled it in), so the audit
    checks the column against the evidence itself: the file kept as received.
    """
    if not declaration.stored_file:
        return ""
    path = Path(settings.MEDIA_ROOT) / declaration.stored_file
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "the uploaded file kept as evidence is missing"
    except OSError as exc:
        return f"the uploaded file kept as evidence cannot be read ({exc.strerror})"
    if digest != declaration.sha256:
        return "the stored SHA-256 is not the kept file's"
    return ""


def check_declarations() -> Iterator[Finding]:
    """A committed declaration's columns read from its content, and its file's SHA-256 as kept,
    still say what it says."""
    committed = Leaf.objects.filter(record_type=_RECORD).values_list("record_id", flat=True)
    ids = sorted({int(rid) for rid in committed.distinct() if rid.isdigit()})
    columns = ("fingerprint", "language", "company_name", "scope", "scope_description")
    rows = Declaration.objects.filter(pk__in=ids)
    for declaration in rows.only(
        "pk",
        "organisation_id",
        "content",
        *columns,
        "effective_date",
        "minerals",
        "sha256",
        "stored_file",
    ).iterator(500):
        try:
            expected = _read_from_content(declaration.content)
        except (AttributeError, TypeError, ValueError):
            expected = {}
        changed = [
            name for name, value in expected.items() if getattr(declaration, name) != value
        ] or ([] if expected else ["content"])
        if changed:
            yield Finding(
                _RECORD,
                str(declaration.pk),
                declaration.organisation_id,
                f"stored {', '.join(changed)} no longer agree with the committed content",
            )
        file_problem = _file_differs(declaration)
        if file_problem:
            yield Finding(_RECORD, str(declaration.pk), declaration.organisation_id, file_problem)


register_check("declaration columns read from the content", check_declarations)
