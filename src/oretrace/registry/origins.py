"""Where a name in the review queue came from, in the reader's language.

``MatchReview.origin`` is stored in English, in one of the shapes oretrace writes itself
(`declaration_row`, `MATCH_PAGE`), or as a caller of the API wrote it. Shapes oretrace knows
are translated when shown; any other text is shown as it was written. Rows written before
this existed have the same English shapes, so they translate too.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

MATCH_PAGE = gettext_noop("matched on the Match page")
_DECLARATION_ROW = re.compile(
    r"declaration #(?P<declaration>\d+) \((?P<filename>.*)\), Smelter List row (?P<row>\d+)"
)


def declaration_row(declaration_id: int, filename: str, row: int) -> str:
    """The origin of a name read from a declaration's Smelter List (stored in English)."""
    return f"declaration #{declaration_id} ({filename[:200]}), Smelter List row {row}"


def origin_text(origin: str) -> str:
    """``origin`` in the active language when oretrace wrote it, else as written."""
    found = _DECLARATION_ROW.fullmatch(origin)
    if found:
        return (
            gettext("declaration #%(declaration)s (%(filename)s), Smelter List row %(row)s")
            % found.groupdict()
        )
    if origin == MATCH_PAGE:
        return gettext(MATCH_PAGE)
    return origin
