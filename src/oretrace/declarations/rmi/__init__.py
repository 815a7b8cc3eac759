"""Pure readers for the RMI reporting templates: bytes in, a `ParsedDeclaration` out.

No ORM and no settings: the import pipeline stages what `parse_template` returns. See
`read` for the error contract and `maps` for the cell addresses per family and version.
"""

from oretrace.declarations.rmi.model import (
    Answer,
    Company,
    Issue,
    MineRow,
    ParsedDeclaration,
    ProductRow,
    ScopeReason,
    SmelterRow,
    TemplateError,
)
from oretrace.declarations.rmi.read import parse_template

__all__ = [
    "Answer",
    "Company",
    "Issue",
    "MineRow",
    "ParsedDeclaration",
    "ProductRow",
    "ScopeReason",
    "SmelterRow",
    "TemplateError",
    "parse_template",
]
