"""The values a reference file is read into, and the cell helpers every reader shares."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from oretrace.registry.matching.normalise import CID_RE, OLD_SMELTER_ID_RE, normalise_identifier


class ReferenceFileError(ValueError):
    """The file cannot be read as a reference file at all; the message says why and where."""


@dataclass(frozen=True)
class ReferenceRow:
    """One row of a Smelter Look-up sheet or of a facility-list export."""

    row: int
    name: str
    standard_name: str
    metal: str
    country: str
    country_text: str
    facility_id: str
    street: str
    city: str
    state: str
    status: str
    last_audit: date | None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ReferenceFile:
    """What one reference file holds, with the problems found while reading it."""

    kind: str
    source: str
    template: str
    version: str
    sheet: str
    rows: list[ReferenceRow]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value).replace("\xa0", " ").split())


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based column index (0 → ``A``, 27 → ``AB``)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(row: Sequence[Any], index: int) -> str:
    return cell_text(row[index]) if index < len(row) else ""


DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)


def parse_date(value: Any) -> date | None:
    """A date from a real date, an Excel serial number or text; RMI exports write M/D/YYYY."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 1 < value < 2958466:
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = cell_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return parse_date(float(text))
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def identifier(
    raw: str, where: str, translation: Mapping[str, str], result: ReferenceFile
) -> tuple[str, dict[str, str]]:
    """(CID or '', extra) for a smelter-ID cell; old CFSI IDs go through the translation."""
    value = normalise_identifier(raw)
    if not value:
        return "", {}
    if CID_RE.match(value):
        return value, {}
    if OLD_SMELTER_ID_RE.match(value):
        if value in translation:
            return translation[value], {"cfsi_id": value}
        result.warnings.append(
            f"{where}: old CFSI smelter ID '{raw}' has no CID in the ID translation table; "
            "kept as cfsi_id"
        )
        return "", {"cfsi_id": value}
    result.warnings.append(
        f"{where}: '{raw}' is not a smelter ID (expected CID000000); kept as other_id"
    )
    return "", {"other_id": raw}
