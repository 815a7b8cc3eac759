"""The Smelter Look-up sheet of an RMI reporting template, read by column position."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from python_calamine import CalamineWorkbook

from oretrace.declarations.rmi.detect import TEMPLATE_CODE_RE, TEMPLATE_TITLES
from oretrace.registry.matching.normalise import country_code, metal_code
from oretrace.registry.reference_files.rows import (
    ReferenceFile,
    ReferenceFileError,
    ReferenceRow,
    cell,
    cell_text,
    column_letter,
    identifier,
)

LOOKUP_SHEETS = ("smelterlookup", "smelterreferencelist")
PLACEHOLDERS = frozenset({"smelter not listed", "smelter not yet identified", "unknown"})
_REVISION_RE = re.compile(r"Revision\s+(\d+(?:\.\d+)*[a-z]?)", re.IGNORECASE)
_FILENAME_RE = re.compile(r"(CMRT|EMRT|AMRT|CRT|PRT|MRT)[\s_\-]*v?(\d+(?:\.\d+)*)", re.IGNORECASE)
# Sheets of a reporting template that hold a supplier's answers, not reference data.
TEMPLATE_ANSWER_SHEETS = frozenset(
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


def sheet_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def rows_of(workbook: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def detect_template(
    workbook: CalamineWorkbook, sheets: Mapping[str, str], filename: str
) -> tuple[str, str, list[str]]:
    """Template family and version from the workbook itself, whatever its language."""
    template = version = ""
    if "declaration" in sheets:
        for row in workbook.get_sheet_by_name(sheets["declaration"]).to_python(nrows=4):
            for value in row:
                text = cell_text(value)
                if not template and (m := TEMPLATE_CODE_RE.search(text)):
                    template = m.group(1)
                template = template or TEMPLATE_TITLES.get(text.casefold(), "")
                if not version and (m := _REVISION_RE.search(str(value))):
                    version = m.group(1)
    if "revision" in sheets and not (template and version):
        revision = rows_of(workbook, sheets["revision"])
        for row in revision[:4]:
            for value in row:
                template = template or TEMPLATE_TITLES.get(cell_text(value).casefold(), "")
        numbers = [
            cell(r, 0).strip("'") for r in revision if re.fullmatch(r"'?\d+\.\d+'?", cell(r, 0))
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


def read_lookup(
    rows: list[list[Any]], filename: str, sheet: str, translation: Mapping[str, str]
) -> ReferenceFile:
    where = f"{filename}, sheet '{sheet}'"
    first = next(
        (i for i, r in enumerate(rows[:40]) if metal_code(cell(r, 0)) and cell(r, 1)), None
    )
    if first is None:
        raise ReferenceFileError(
            f"{where}: no smelter rows found in the first 40 rows: expected a header row, then "
            "rows with a metal in column A, a smelter name in column B and a smelter ID in "
            "column E"
        )
    header = next(
        (i for i in range(first - 1, -1, -1) if any(cell(rows[i], j) for j in range(9))), None
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
        alias, metal_text = cell(row, 1), cell(row, 0)
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
        facility_id, extra = identifier(
            cell(row, 4), f"{where}, cell E{number}", translation, result
        )
        ids_seen += bool(facility_id or extra)
        country_text = cell(row, 3)
        country = country_code(country_text)
        if country_text and not country and country_text.casefold() != "unknown":
            result.warnings.append(
                f"{where}, cell D{number}: country '{country_text}' is not an ISO 3166 country"
            )
        if source := cell(row, 5):
            extra["id_source"] = source
        result.rows.append(
            ReferenceRow(
                row=number,
                name=alias,
                standard_name=cell(row, 2),
                metal=metal,
                country=country,
                country_text=country_text,
                facility_id=facility_id,
                street=cell(row, 6),
                city=cell(row, 7),
                state=cell(row, 8),
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
        label = cell_text(value).casefold()
        for expected_index, (_expected, labels) in enumerate(_LOOKUP_COLUMNS):
            if label in labels and index != expected_index:
                raise ReferenceFileError(
                    f"{where}: column {column_letter(index)} is headed '{cell_text(value)}', which "
                    f"belongs in column {column_letter(expected_index)}; expected the columns "
                    "A Metal, B Smelter Look-up, C Standard Smelter Names, D Country, "
                    "E Smelter ID, F Source, G Street, H City, I State/Province"
                )
