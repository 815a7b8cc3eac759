"""Pure readers for the RMI reporting templates: bytes in, a `ParsedDeclaration` out.

No ORM and no settings: the import pipeline stages what `parse_template` returns. See
`read` for the error contract and `maps` for the cell addresses per family and version; the
other parts of a parsed declaration (`Answer`, `Company`, `Issue` …) are in `model`.
"""

from oretrace.declarations.rmi.model import MineRow, ParsedDeclaration, SmelterRow, TemplateError
from oretrace.declarations.rmi.read import parse_template

__all__ = ["MineRow", "ParsedDeclaration", "SmelterRow", "TemplateError", "parse_template"]
