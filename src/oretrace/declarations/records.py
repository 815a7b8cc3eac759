"""Accepted declarations in the transparency log: their canonical fingerprint, never contacts."""

from __future__ import annotations

from typing import Any

from oretrace.declarations.canonical import fingerprint
from oretrace.declarations.choices import DeclarationStatus
from oretrace.declarations.models import Declaration
from oretrace.ledger.records import register


def declaration_facts(declaration: Any) -> dict[str, Any]:
    """Recomputed from the stored content, so a changed row no longer matches its leaf.

    The fingerprint is of the declaration's public content (``canonical.public``): a verifier
    holding the declaration recomputes it. Never the uploaded file's SHA-256: the file holds the
    supplier's contacts, and its hash would let anyone holding a copy confirm who filled it in.
    """
    return {
        "fingerprint": fingerprint(declaration.content),
        "family": declaration.family,
        "version": declaration.version,
        "status": declaration.status,
    }


register(
    Declaration,
    "declarations.declaration",
    facts=declaration_facts,
    label="supplier declaration",
    # committed when accepted (and at every later decision): one still waiting for a decision,
    # or rejected without ever being accepted, has no leaf
    logged=lambda declaration: declaration.status == DeclarationStatus.ACCEPTED,
)
