"""Cell values as suppliers leave them: dates in three shapes, numbers for percentages, stray
whitespace, formula leftovers, and "(Delete X)" mineral slots."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from oretrace.registry.matching.normalise import metal_code

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%Y%m%d",
)
_CJK_DATE_RE = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?")


def text(value: Any) -> str:
    """A cell as text: whitespace (incl. no-break spaces and line breaks) collapsed to one space;
    whole numbers without ``.0``; dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).replace("\xa0", " ").split())


def entry(value: Any) -> str:
    """Text a supplier entered; the ``0`` that a template formula shows for an empty source
    cell is no entry."""
    result = text(value)
    return "" if result == "0" else result


def parse_date(value: Any) -> date | None:
    """A date from a real date, an Excel serial number or text such as ``02-May-2024``.

    Raises ValueError (with the text) when there is something that is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(text(value))
    raw = text(value)
    if not raw:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return parse_date(float(raw))
    if match := _CJK_DATE_RE.fullmatch(raw):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(raw)


def percent_answer(value: Any) -> str:
    """The survey-response answer: CMRT ≤ 6.22 (and the AMRT/EMRT 1.x lists) store "100%" as
    the number 1 formatted as a percentage."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 1:
        return "100%"
    result = text(value)
    return "100%" if result in {"1", "100 %", "1.0"} else result


_DELETE_RE = re.compile(r"^\(\s*delete\b.*\)$", re.IGNORECASE)
OTHER_MINERAL = "other [specify below]"


def mineral_slot(value: Any) -> str:
    """A mineral-selection slot: ``""`` when empty or ``(Delete Cobalt)``, else the text."""
    result = text(value)
    return "" if not result or _DELETE_RE.match(result) else result


def mineral_of(label: str) -> str:
    """A mineral code from a label such as ``Cobalt(*)`` or ``钴(*)``; ``""`` if unknown."""
    return metal_code(label.replace("(*)", "").strip())


SCOPES = {"a": "A", "b": "B", "c": "C"}


def scope_letter(answer: str) -> str:
    """``"B. Product (or List of Products)"`` → ``"B"``; ``""`` when not a scope answer."""
    match = re.match(r"^\s*([ABCabc])\s*[.)]", answer)
    return SCOPES[match.group(1).lower()] if match else ""


# The English names the templates use for each mineral code (kept in step with
# oretrace.core.reference.MINERALS by a test: this module must not import the ORM).
MINERAL_LABELS = {
    "tin": "Tin",
    "tantalum": "Tantalum",
    "tungsten": "Tungsten",
    "gold": "Gold",
    "cobalt": "Cobalt",
    "mica": "Mica",
    "copper": "Copper",
    "graphite": "Graphite",
    "lithium": "Lithium",
    "nickel": "Nickel",
    "aluminium": "Aluminum",
    "iridium": "Iridium",
    "lime": "Lime",
    "manganese": "Manganese",
    "palladium": "Palladium",
    "platinum": "Platinum",
    "rare-earth-elements": "Rare Earth Elements",
    "rhodium": "Rhodium",
    "ruthenium": "Ruthenium",
    "silver": "Silver",
    "soda-ash": "Soda Ash",
    "zinc": "Zinc",
}


def mineral_label(mineral: str) -> str:
    """The template's English name for a mineral code; other text is returned as it is."""
    return MINERAL_LABELS.get(mineral, mineral)
