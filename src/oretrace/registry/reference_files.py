"""Reading the reference files users supply: RMI Smelter Look-up sheets and facility-list exports.

Pure: bytes in, dataclasses and messages out; no ORM, no settings. The registry's import job
stages what `read_reference_file` returns and commits it through services.

What is recognised
------------------
* **An RMI reporting template** (CMRT, EMRT, AMRT, CRT, any 6.x/1.x/2.x version): its
  ``Smelter Look-up`` sheet. Templates are often saved in another language; then every label is a
  formula that reads back in that language (the blank templates we test against read back in
  Chinese), so the sheet is read by **column position** (A metal, B alias, C standard smelter
  name, D country, E smelter ID, F source of the ID, G street, H city, I state/province), and the
  header row is found from the data, not from its labels: it is the last non-empty row above the
  first row whose column A names a metal. Placeholder rows ("Smelter not listed", "Smelter not
  yet identified") are skipped. The template and its version come from the ``Declaration`` title
  ("… (CMRT)") and its "Revision 6.5" cell, or the ``Revision`` sheet.
  A legacy CMRT 2.x/3.x ``Standard Smelter Names`` sheet is read like a facility list.
* **An RMI facility-list export** (XLSX or CSV), such as the Conformant / Active / all-smelter
  lists: sheets whose header row (within the first 15 rows) names at least a metal or a smelter
  ID and a smelter name. Headers are matched case-insensitively against the RMI's English column
  names and a few synonyms (``_LIST_COLUMNS``). Every such sheet of a workbook is read, and rows
  for the same metal, ID and name are merged (the first sheet wins, later ones fill blanks);
  status and last audit date are then shared by all rows of the same smelter ID. Revision-history
  sheets are skipped with a warning.

Old CFSI smelter IDs (``1JPN072``) are translated to CIDs through a mapping loaded with
`load_id_translation`; the old ID is kept in ``extra["cfsi_id"]``.

Everything that is wrong with the file as a whole raises `ReferenceFileError`; everything wrong
with one row becomes an entry in ``errors`` (row not usable) or ``warnings`` (row kept), each
naming the file, sheet, row or cell, and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from oretrace.registry.matching.normalise import (
    CID_RE,
    OLD_SMELTER_ID_RE,
    country_code,
    metal_code,
    normalise_identifier,
)

__all__ = [
    "ReferenceFile",
    "ReferenceFileError",
    "ReferenceRow",
    "load_id_translation",
    "read_reference_file",
]


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


LOOKUP_SHEETS = ("smelterlookup", "smelterreferencelist")
PLACEHOLDERS = frozenset({"smelter not listed", "smelter not yet identified", "unknown"})
_TEMPLATE_TITLES = {
    "conflict minerals reporting template": "CMRT",
    "extended mineral reporting template": "EMRT",
    "extended minerals reporting template": "EMRT",
    "additional minerals reporting template": "AMRT",
    "cobalt reporting template": "CRT",
    "pilot reporting template": "PRT",
    "mica reporting template": "MRT",
}
_TEMPLATE_CODE_RE = re.compile(r"\((CMRT|EMRT|AMRT|CRT|PRT|MRT)\)")
_REVISION_RE = re.compile(r"Revision\s+(\d+(?:\.\d+)*[a-z]?)", re.IGNORECASE)
_FILENAME_RE = re.compile(r"(CMRT|EMRT|AMRT|CRT|PRT|MRT)[\s_\-]*v?(\d+(?:\.\d+)*)", re.IGNORECASE)
# Sheets of a reporting template that hold a supplier's answers, not reference data.
_TEMPLATE_ANSWER_SHEETS = frozenset(
    {
        "smelterlist",
        "smelterandminelist",
        "minelist",
        "productlist",
        "declaration",
        "checker",
        "mineralsscope",
    }
)
# Expected look-up columns, by position; the English and Chinese labels are only used to tell a
# user which column is misplaced when a label is recognised in the wrong place.
_LOOKUP_COLUMNS = (
    ("Metal", ("metal", "金属")),
    ("Smelter Look-up", ("smelter look-up (*)", "smelter look-up", "冶炼厂查找 (*)")),
    (
        "Standard Smelter Names",
        ("standard smelter names", "standard smelter name", "标准冶炼厂名称"),
    ),
    ("Country", ("smelter facility location: country", "冶炼厂地址：国家或地区")),  # noqa: RUF001
    ("Smelter ID", ("smelter id", "smelter identification number", "冶炼厂 id")),
)


# --- cells ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
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


def _cell(row: Sequence[Any], index: int) -> str:
    return _text(row[index]) if index < len(row) else ""


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)


def _parse_date(value: Any) -> date | None:
    """A date from a real date, an Excel serial number or text; RMI exports write M/D/YYYY."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 1 < value < 2958466:
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = _text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return _parse_date(float(text))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


# --- entry points -------------------------------------------------------------------------------


def read_reference_file(
    data: bytes, filename: str, *, id_translation: Mapping[str, str] | None = None
) -> ReferenceFile:
    """Read a Smelter Look-up sheet or a facility list from an uploaded file.

    ``id_translation`` maps old CFSI smelter IDs to CIDs (see `load_id_translation`).
    Raises `ReferenceFileError` when the file is not a workbook or CSV, or holds no sheet that
    can be read as a reference list.
    """
    translation = {normalise_identifier(k): v for k, v in (id_translation or {}).items()}
    kind = _sniff(data, filename)
    if kind == "csv":
        return _read_csv(data, filename, translation)
    workbook = _open_workbook(data, filename)
    return _read_workbook(workbook, filename, translation)


def load_id_translation(data: bytes) -> dict[str, str]:
    """Old CFSI smelter ID → CID, from a CSV such as the v2-to-v3 translation table.

    Columns are found by their content, not their headers: in each row, the first cell shaped
    like an old ID (``1JPN072``) is mapped to the first cell shaped like a CID. The first
    mapping of an old ID wins.
    """
    if not data.strip():
        raise ReferenceFileError("the ID translation file is empty")
    mapping: dict[str, str] = {}
    for cells in csv.reader(io.StringIO(_decode(data, "the ID translation file"))):
        ids = [normalise_identifier(c) for c in cells]
        old = next((i for i in ids if OLD_SMELTER_ID_RE.match(i)), "")
        cid = next((i for i in ids if CID_RE.match(i)), "")
        if old and cid:
            mapping.setdefault(old, cid)
    if not mapping:
        raise ReferenceFileError(
            "the ID translation file holds no row with an old smelter ID (like 1JPN072) "
            "and a CID (like CID000019)"
        )
    return mapping


# --- file kinds ---------------------------------------------------------------------------------

_SIGNATURES = {
    b"\xff\xd8\xff": "a JPEG image",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
}


def _sniff(data: bytes, filename: str) -> str:
    if not data.strip():
        raise ReferenceFileError(f"{filename}: the file is empty")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "workbook"
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            raise ReferenceFileError(
                f"{filename}: this is {what}, not an Excel workbook (.xlsx, .xls) or a CSV file"
            )
    if b"\x00" in data[:4096]:
        raise ReferenceFileError(
            f"{filename}: not an Excel workbook (.xlsx, .xls) or a CSV file (binary content)"
        )
    return "csv"


def _open_workbook(data: bytes, filename: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        hint = (
            " (an encrypted or password-protected workbook must be saved without a password)"
            if data.startswith(b"\xd0\xcf\x11\xe0")
            else ""
        )
        raise ReferenceFileError(
            f"{filename}: could not be read as an Excel workbook{hint}: {exc}"
        ) from exc


def _decode(data: bytes, where: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReferenceFileError(f"{where}: the text is neither UTF-8 nor Windows-1252")


def _sheet_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def _rows(workbook: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _read_workbook(
    workbook: CalamineWorkbook, filename: str, translation: Mapping[str, str]
) -> ReferenceFile:
    sheets = {_sheet_key(s): s for s in workbook.sheet_names}
    template, version, notes = _detect_template(workbook, sheets, filename)
    lookup = next((sheets[k] for k in LOOKUP_SHEETS if k in sheets), None)
    if lookup is not None:
        result = _read_lookup(_rows(workbook, lookup), filename, lookup, translation)
        result.template, result.version = template, version
        result.source = " ".join(p for p in (template, version, "Smelter Look-up") if p)
        result.warnings[:0] = notes
        return result
    is_template = "declaration" in sheets
    candidates = [
        s
        for s in workbook.sheet_names
        if not (is_template and _sheet_key(s) in _TEMPLATE_ANSWER_SHEETS)
    ]
    tables = [(s, _rows(workbook, s)) for s in candidates]
    listed = _read_lists(tables, filename, translation, workbook=True)
    if listed is None:
        if is_template and template:
            named = " ".join(p for p in (template, version) if p)
            raise ReferenceFileError(
                f"{filename}: this RMI {named} template has no 'Smelter Look-up' "
                "sheet (the AMRT has one from version 1.3); use a template version that has one "
                "or an RMI facility-list export"
            )
        raise ReferenceFileError(
            f"{filename}: no sheet to read: expected a 'Smelter Look-up' sheet or a sheet whose "
            "header row names at least a metal or smelter ID column and a smelter name column "
            f"(the sheets are: {', '.join(workbook.sheet_names)})"
        )
    listed.template, listed.version = template, version
    if is_template:
        listed.kind = "smelter-lookup"
        listed.source = " ".join(p for p in (template, version, listed.sheet) if p)
    listed.warnings[:0] = notes
    return listed


def _detect_template(
    workbook: CalamineWorkbook, sheets: Mapping[str, str], filename: str
) -> tuple[str, str, list[str]]:
    """Template family and version from the workbook itself, whatever its language."""
    template = version = ""
    if "declaration" in sheets:
        for row in workbook.get_sheet_by_name(sheets["declaration"]).to_python(nrows=4):
            for value in row:
                text = _text(value)
                if not template and (m := _TEMPLATE_CODE_RE.search(text)):
                    template = m.group(1)
                template = template or _TEMPLATE_TITLES.get(text.casefold(), "")
                if not version and (m := _REVISION_RE.search(str(value))):
                    version = m.group(1)
    if "revision" in sheets and not (template and version):
        revision = _rows(workbook, sheets["revision"])
        for row in revision[:4]:
            for value in row:
                template = template or _TEMPLATE_TITLES.get(_text(value).casefold(), "")
        numbers = [
            _cell(r, 0).strip("'") for r in revision if re.fullmatch(r"'?\d+\.\d+'?", _cell(r, 0))
        ]
        version = version or (numbers[-1] if numbers else "")
    notes: list[str] = []
    named = _FILENAME_RE.search(filename)
    if named and template and version:
        name_template, name_version = named.group(1).upper(), named.group(2)
        if (name_template, name_version) != (template, version):
            notes.append(
                f"{filename}: the file name says {name_template} {name_version} but the "
                f"workbook identifies itself as {template} {version}; using {template} {version}"
            )
    elif named and not template:
        template, version = named.group(1).upper(), named.group(2)
    return template, version, notes


# --- Smelter Look-up ----------------------------------------------------------------------------


def _read_lookup(
    rows: list[list[Any]], filename: str, sheet: str, translation: Mapping[str, str]
) -> ReferenceFile:
    where = f"{filename}, sheet '{sheet}'"
    first = next(
        (i for i, r in enumerate(rows[:40]) if metal_code(_cell(r, 0)) and _cell(r, 1)), None
    )
    if first is None:
        raise ReferenceFileError(
            f"{where}: no smelter rows found in the first 40 rows: expected a header row, then "
            "rows with a metal in column A, a smelter name in column B and a smelter ID in "
            "column E"
        )
    header = next(
        (i for i in range(first - 1, -1, -1) if any(_cell(rows[i], j) for j in range(9))), None
    )
    header_at = f"{where}, header row {header + 1}" if header is not None else where
    if header is not None:
        _check_lookup_labels(rows[header], header_at)
    result = ReferenceFile("smelter-lookup", "", "", "", sheet, [])
    ids_seen = 0
    data_rows = 0
    for index in range(first, len(rows)):
        row = rows[index]
        number = index + 1
        alias, metal_text = _cell(row, 1), _cell(row, 0)
        if not alias or alias.casefold() in PLACEHOLDERS:
            continue
        data_rows += 1
        metal = metal_code(metal_text)
        if not metal:
            result.errors.append(
                f"{where}, cell A{number}: '{metal_text}' is not a metal or mineral "
                "(expected e.g. Tin, Gold, Cobalt, Mica)"
            )
            continue
        facility_id, extra = _identifier(
            _cell(row, 4), f"{where}, cell E{number}", translation, result
        )
        ids_seen += bool(facility_id or extra)
        country_text = _cell(row, 3)
        country = country_code(country_text)
        if country_text and not country and country_text.casefold() != "unknown":
            result.warnings.append(
                f"{where}, cell D{number}: country '{country_text}' is not an ISO 3166 country"
            )
        if source := _cell(row, 5):
            extra["id_source"] = source
        result.rows.append(
            ReferenceRow(
                row=number,
                name=alias,
                standard_name=_cell(row, 2),
                metal=metal,
                country=country,
                country_text=country_text,
                facility_id=facility_id,
                street=_cell(row, 6),
                city=_cell(row, 7),
                state=_cell(row, 8),
                status="",
                last_audit=None,
                extra=extra,
            )
        )
    if data_rows and ids_seen < data_rows / 2:
        raise ReferenceFileError(
            f"{header_at}: column E should hold smelter IDs (CID followed by six digits) but "
            f"{data_rows - ids_seen} of {data_rows} rows have none; the columns must be A Metal, "
            "B Smelter Look-up, C Standard Smelter Names, D Country, E Smelter ID, F Source of "
            "the ID, G Street, H City, I State/Province"
        )
    return result


def _check_lookup_labels(header: Sequence[Any], where: str) -> None:
    """A recognised label in the wrong column means the sheet's columns were moved."""
    for index, value in enumerate(header[:9]):
        label = _text(value).casefold()
        for expected_index, (_expected, labels) in enumerate(_LOOKUP_COLUMNS):
            if label in labels and index != expected_index:
                raise ReferenceFileError(
                    f"{where}: column {column_letter(index)} is headed '{_text(value)}', which "
                    f"belongs in column {column_letter(expected_index)}; expected the columns "
                    "A Metal, B Smelter Look-up, C Standard Smelter Names, D Country, "
                    "E Smelter ID, F Source, G Street, H City, I State/Province"
                )


def _identifier(
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


# --- facility lists -----------------------------------------------------------------------------

# Normalised header → field. Headers are case-folded, every non-alphanumeric run becomes one space.
_LIST_COLUMNS: dict[str, str] = {
    "metal": "metal",
    "metal type": "metal",
    "mineral": "metal",
    "smelter id": "facility_id",
    "smelter identification": "facility_id",
    "smelter identification number": "facility_id",
    "facility id": "facility_id",
    "new smelter id": "facility_id",
    "v3 smelter id": "facility_id",
    "rmi id": "facility_id",
    "cid": "facility_id",
    "old smelter id": "cfsi_id",
    "v2 smelter id": "cfsi_id",
    "smelter reference": "name",
    "smelter reference list": "name",
    "smelter look up": "name",
    "smelter lookup": "name",
    "alias": "name",
    "smelter name": "name",
    "facility name": "name",
    "name": "name",
    "standard smelter name": "standard_name",
    "standard smelter names": "standard_name",
    "standard facility name": "standard_name",
    "country": "country",
    "country location": "country",
    "location": "country",
    "smelter country": "country",
    "smelter facility location": "country",
    "smelter facility location country": "country",
    "facility location country": "country",
    "state province region": "state",
    "state province": "state",
    "state": "state",
    "province": "state",
    "smelter facility location state province": "state",
    "city": "city",
    "smelter city": "city",
    "street": "street",
    "smelter street": "street",
    "address": "street",
    "rmi status": "status",
    "rmap status": "status",
    "status": "status",
    "assessment status": "status",
    "conformance status": "status",
    "audit status": "status",
    "type": "type",
    "last audit date": "last_audit",
    "last assessment date": "last_audit",
    "date of last audit": "last_audit",
    "audit date": "last_audit",
}
_COUNTER_COLUMNS = frozenset({"sl", "sl #", "sl#", "sl no", "no", "s no", "#", ""})
_HISTORY_COLUMNS = frozenset({"basis for revision", "revision date"})
# RMAP status vocabulary, lower case, to decide whether a "Type" column holds statuses.
_STATUS_WORDS = (
    "conformant",
    "active",
    "non conformant",
    "non-conformant",
    "cross-recognized",
    "cross recognized",
    "suspended",
    "in communication",
    "outreach required",
    "communication suspended",
    "rmi due diligence review",
    "unable to proceed",
    "not sure",
    "compliant",
)


def _header_key(value: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", _text(value).casefold()).split())


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int], list[str]] | None:
    """(row index, field → column, header keys) of the first row that looks like a list header."""
    for index, row in enumerate(rows[:15]):
        keys = [_header_key(v) for v in row]
        columns: dict[str, int] = {}
        for column, key in enumerate(keys):
            target = _LIST_COLUMNS.get(key)
            if target and target not in columns:
                columns[target] = column
        has_name = "name" in columns or "standard_name" in columns
        if has_name and ("metal" in columns or "facility_id" in columns):
            return index, columns, keys
    return None


def _read_lists(
    tables: Iterable[tuple[str, list[list[Any]]]],
    filename: str,
    translation: Mapping[str, str],
    *,
    workbook: bool,
) -> ReferenceFile | None:
    result = ReferenceFile("facility-list", "", "", "", "", [])
    used: list[str] = []
    merged: dict[tuple[str, str, str], ReferenceRow] = {}
    statuses: dict[str, tuple[str, str]] = {}
    for sheet, rows in tables:
        where = f"{filename}, sheet '{sheet}'" if workbook else filename
        found = _find_header(rows)
        if found is None:
            continue
        header, columns, keys = found
        if _HISTORY_COLUMNS & set(keys):
            result.warnings.append(f"{where}: skipped, it is a revision history, not a list")
            continue
        used.append(sheet)
        status_column = columns.get("status")
        if status_column is None and "type" in columns:
            status_column = _status_like(rows[header + 1 :], columns["type"])
        for index in range(header + 1, len(rows)):
            row = _list_row(
                rows[index], index + 1, columns, keys, status_column, where, translation, result
            )
            if row is None:
                continue
            if workbook:
                row.extra["sheet"] = sheet
            _check_status(row, f"{where}, row {row.row}", statuses, result)
            key = (row.metal, row.facility_id, row.name.casefold())
            if key in merged:
                merged[key] = _fill(merged[key], row)
            else:
                merged[key] = row
    if not used:
        return None
    result.rows = _share_facility_facts(list(merged.values()))
    result.sheet = ", ".join(used)
    result.source = "RMI facility list export"
    return result


def _check_status(
    row: ReferenceRow, where: str, seen: dict[str, tuple[str, str]], result: ReferenceFile
) -> None:
    """Warn when two rows give one smelter ID different statuses (the first one is kept)."""
    if not (row.facility_id and row.status):
        return
    first = seen.setdefault(row.facility_id, (row.status, where))
    if first[0].casefold() != row.status.casefold():
        result.warnings.append(
            f"{where}: {row.facility_id} has status '{row.status}' here but '{first[0]}' in "
            f"{first[1]}; keeping '{first[0]}'"
        )


def _status_like(rows: Sequence[Sequence[Any]], column: int) -> int | None:
    values = {_cell(r, column).casefold() for r in rows[:500]} - {""}
    if values and all(v.startswith(_STATUS_WORDS) for v in values):
        return column
    return None


def _list_row(
    row: Sequence[Any],
    number: int,
    columns: Mapping[str, int],
    keys: Sequence[str],
    status_column: int | None,
    where: str,
    translation: Mapping[str, str],
    result: ReferenceFile,
) -> ReferenceRow | None:
    def get(name: str) -> str:
        return _cell(row, columns[name]) if name in columns else ""

    standard = get("standard_name")
    name = get("name") or standard
    if not name or name.casefold() in PLACEHOLDERS:
        if any(_cell(row, c) for c in columns.values()) and not name:
            result.warnings.append(f"{where}, row {number}: no smelter name; row skipped")
        return None
    metal_text = get("metal")
    metal = metal_code(metal_text)
    if metal_text and not metal:
        result.errors.append(
            f"{where}, cell {column_letter(columns['metal'])}{number}: '{metal_text}' is not a "
            "metal or mineral (expected e.g. Tin, Gold, Cobalt, Mica)"
        )
        return None
    id_cell = f"{where}, cell {column_letter(columns.get('facility_id', 0))}{number}"
    facility_id, extra = _identifier(get("facility_id"), id_cell, translation, result)
    if old := normalise_identifier(get("cfsi_id")):
        extra["cfsi_id"] = old
        facility_id = facility_id or translation.get(old, "")
    country_text = get("country")
    country = country_code(country_text)
    if country_text and not country and country_text.casefold() != "unknown":
        result.warnings.append(
            f"{where}, cell {column_letter(columns['country'])}{number}: country "
            f"'{country_text}' is not an ISO 3166 country"
        )
    city, state = get("city"), get("state")
    if not city and "city" not in columns and state.count(",") == 1:
        # Conformant-list exports write "City, Province" in one column.
        city, state = (part.strip() for part in state.split(","))
    last_audit = None
    if "last_audit" in columns:
        raw = row[columns["last_audit"]] if columns["last_audit"] < len(row) else None
        try:
            last_audit = _parse_date(raw)
        except ValueError:
            result.warnings.append(
                f"{where}, cell {column_letter(columns['last_audit'])}{number}: "
                f"'{_text(raw)}' is not a date (expected e.g. 2024-05-02 or 5/2/2024); "
                "last audit date left empty"
            )
    used_columns = {c for name, c in columns.items() if name != "type"}
    if status_column is not None:
        used_columns.add(status_column)
    for column, key in enumerate(keys):
        if (
            column not in used_columns
            and key not in _COUNTER_COLUMNS
            and (value := _cell(row, column))
        ):
            extra[key] = value
    return ReferenceRow(
        row=number,
        name=name,
        standard_name=standard,
        metal=metal,
        country=country,
        country_text=country_text,
        facility_id=facility_id,
        street=get("street"),
        city=city,
        state=state,
        status=_cell(row, status_column) if status_column is not None else "",
        last_audit=last_audit,
        extra=extra,
    )


def _fill(first: ReferenceRow, later: ReferenceRow) -> ReferenceRow:
    """``first`` with its blank fields filled from ``later`` (the same metal, ID and name)."""
    changes: dict[str, Any] = {
        name: getattr(later, name)
        for name in (
            "standard_name",
            "country",
            "country_text",
            "street",
            "city",
            "state",
            "status",
            "last_audit",
        )
        if not getattr(first, name) and getattr(later, name)
    }
    extra = {**later.extra, **first.extra}
    return replace(first, **changes, extra=extra)


def _share_facility_facts(rows: list[ReferenceRow]) -> list[ReferenceRow]:
    """Status and last audit belong to the smelter, not to one of its names: share them."""
    # Rows are in reading order, so setdefault keeps the first sheet's value.
    facts: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.facility_id:
            known = facts.setdefault(row.facility_id, {})
            if row.status:
                known.setdefault("status", row.status)
            if row.last_audit:
                known.setdefault("last_audit", row.last_audit)
    shared = []
    for row in rows:
        known = facts.get(row.facility_id, {})
        # The first status given for a smelter wins everywhere (conflicts were warned about);
        # a last audit date only fills a blank.
        changes = {k: v for k, v in known.items() if k == "status" or not getattr(row, k)}
        changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
        shared.append(replace(row, **changes) if changes else row)
    return shared


def _read_csv(data: bytes, filename: str, translation: Mapping[str, str]) -> ReferenceFile:
    text = _decode(data, filename)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    rows: list[list[Any]] = list(csv.reader(io.StringIO(text), dialect))
    result = _read_lists([(filename, rows)], filename, translation, workbook=False)
    if result is None:
        seen = next((r for r in rows if any(c.strip() for c in r)), [])
        raise ReferenceFileError(
            f"{filename}: no header row found in the first 15 rows (the first row names "
            f"{', '.join(repr(c) for c in seen[:8]) or 'nothing'}); expected columns such as "
            "Metal, Smelter ID, Standard Smelter Name, Country, RMI Status"
        )
    result.sheet = ""
    result.source = f"facility list {filename}"
    return result
