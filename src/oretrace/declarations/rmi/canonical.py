"""A declaration as JSON, and its fingerprint.

``canonical`` turns a `ParsedDeclaration` into the JSON stored with the declaration (every
field the supplier wrote, dates as ISO strings). ``public`` drops the fields that name or reach
a person; ``fingerprint`` is the SHA-256 of the public part in a fixed encoding, so the same
declaration always has the same fingerprint, and that is what goes to the transparency log.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from oretrace.declarations.rmi import MineRow, ParsedDeclaration, SmelterRow
from oretrace.declarations.rmi.model import PERSONAL_COMPANY_FIELDS

_ROW_PERSONAL = frozenset(SmelterRow.PERSONAL_FIELDS) | frozenset(MineRow.PERSONAL_FIELDS)
_PARTS = (
    "answers",
    "company_answers",
    "smelters",
    "mines",
    "products",
    "scope_reasons",
)


def _row(item: Any) -> dict[str, Any]:
    """A flat dataclass row as a dict (rows hold text and numbers only)."""
    return dict(vars(item))


def canonical(parsed: ParsedDeclaration) -> dict[str, Any]:
    """Everything the file said, JSON-able; the checks' findings are stored beside it."""
    company = dict(vars(parsed.company))
    effective = company["effective_date"]
    company["effective_date"] = effective.isoformat() if isinstance(effective, date) else None
    return {
        "family": parsed.family,
        "version": parsed.version,
        "language": parsed.language,
        "company": company,
        "minerals": list(parsed.minerals),
        "other_minerals": list(parsed.other_minerals),
        **{part: [_row(x) for x in getattr(parsed, part)] for part in _PARTS},
    }


def public(content: dict[str, Any]) -> dict[str, Any]:
    """The content without personal data (contact and authoriser names, e-mails, phones)."""
    result = dict(content)
    result["company"] = {
        k: v for k, v in content["company"].items() if k not in PERSONAL_COMPANY_FIELDS
    }
    for part in ("smelters", "mines"):
        result[part] = [
            {k: v for k, v in row.items() if k not in _ROW_PERSONAL} for row in content[part]
        ]
    return result


def fingerprint(content: dict[str, Any]) -> str:
    encoded = json.dumps(
        public(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    return hashlib.sha256(encoded).hexdigest()
