"""`parse_template`: one uploaded RMI template → one `ParsedDeclaration`.

Pure: bytes in, dataclasses and issues out; no ORM, no settings. Reading goes by cell address
through the layout in `maps` for the detected family and version, never by label text.

An .xlsx is read straight from its parts by `ooxml.XlsxBook` (the fast path); an .xls, and an
.xlsx in which the fast path meets something it does not read exactly as python-calamine does
(it raises `Unsupported`), is read with python-calamine. Both give the same values.

Errors come in two kinds. A file that cannot be read as a supported template at all (not a
workbook, password-protected, not an RMI template, a version oretrace does not read) raises
`TemplateError`, whose ``code`` and message say which. Everything else — a missing mandatory
field, a metal declared without smelters, a date that is not a date — is an `Issue` in the
result's ``errors`` (the template's own Checker rules) or ``warnings`` (the instructions' rules
and review flags), each naming the sheet and cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from oretrace.declarations.rmi.checks import check
from oretrace.declarations.rmi.detect import Book, detect, open_book, sheet_lookup
from oretrace.declarations.rmi.maps import (
    DECLARATION,
    SMELTER_LIST,
    TemplateMap,
    map_for,
)
from oretrace.declarations.rmi.model import (
    Answer,
    Company,
    Issue,
    MineRow,
    ParsedDeclaration,
    ProductRow,
    ScopeReason,
    SmelterRow,
    gettext_noop,
)
from oretrace.declarations.rmi.ooxml import Unsupported
from oretrace.declarations.rmi.values import (
    OTHER_MINERAL,
    entry,
    mineral_label,
    mineral_of,
    mineral_slot,
    parse_date,
    percent_answer,
    scope_letter,
    text,
)
from oretrace.registry.matching.normalise import country_code, metal_code

Rows = Sequence[Sequence[Any]]
_ADDRESS_RE = re.compile(r"([A-Z]+)(\d+)")


def parse_template(data: bytes, filename: str, *, today: date | None = None) -> ParsedDeclaration:
    """Read an RMI CMRT, EMRT, AMRT or CRT and run the template's checks on it.

    ``today`` is the date the effective date is compared with (defaults to the UTC date).
    Raises `TemplateError` for a file that is not a supported template (see the module doc).
    """
    try:
        result, template_map = read_book(open_book(data, filename), filename)
    except Unsupported:
        # the .xlsx fast path met something it does not read as python-calamine does
        result, template_map = read_book(open_book(data, filename, fast=False), filename)
    check(result, template_map, today=today)
    return result


def read_book(book: Book, filename: str) -> tuple[ParsedDeclaration, TemplateMap]:
    """Detect and read an opened workbook (no checks): the declaration and its layout.

    Raises `TemplateError` for a workbook that is no supported template, and `Unsupported`
    when an `XlsxBook` meets something only python-calamine reads.
    """
    family, version, declaration_rows, notes = detect(book, filename)
    template_map, newer = map_for(family, version, filename)
    result = read_declaration(book, template_map, family, version, declaration_rows, filename)
    result.warnings.extend(notes)
    if newer:
        result.warnings.append(
            Issue.of(
                "newer-version",
                gettext_noop(
                    "%(family)s %(version)s is newer than the versions oretrace knows; it was "
                    "read with the %(family)s %(known)s layout"
                ),
                DECLARATION,
                family=family,
                version=version,
                known=template_map.versions[-1],
            )
        )
    return result, template_map


def read_declaration(
    book: Book,
    template_map: TemplateMap,
    family: str,
    version: str,
    rows: Rows,
    filename: str,
) -> ParsedDeclaration:
    """Read every part of a detected template into the canonical declaration (no checks)."""
    warnings: list[Issue] = []
    company = _company(rows, template_map, warnings)
    minerals, others = _minerals(rows, template_map)
    answers, company_answers = _answers(rows, template_map, minerals + others)
    sheets = sheet_lookup(book)
    smelters: tuple[SmelterRow, ...] = ()
    if template_map.smelter_columns and "smelterlist" in sheets:
        smelter_rows = _sheet(
            book, sheets["smelterlist"], template_map.smelter_columns, _SMELTER_KEYS
        )
        smelters = _smelters(smelter_rows, template_map, warnings)
    mines: tuple[MineRow, ...] = ()
    if template_map.mine_columns and "minelist" in sheets:
        mine_rows = _sheet(book, sheets["minelist"], template_map.mine_columns, _MINE_KEYS)
        mines = _mines(mine_rows, template_map)
    products: tuple[ProductRow, ...] = ()
    if template_map.product_columns and "productlist" in sheets:
        product_columns = template_map.product_columns
        product_rows = _sheet(book, sheets["productlist"], product_columns, tuple(product_columns))
        products = _products(product_rows, template_map)
    reasons: tuple[ScopeReason, ...] = ()
    if "mineralsscope" in sheets:
        reasons = _scope_reasons(book.rows(sheets["mineralsscope"], columns=3, keys=3))
    return ParsedDeclaration(
        family=family,
        version=version,
        filename=filename,
        language=text(value_at(rows, "D3")),
        company=company,
        minerals=minerals,
        other_minerals=others,
        answers=answers,
        company_answers=company_answers,
        smelters=smelters,
        mines=mines,
        products=products,
        scope_reasons=reasons,
        warnings=warnings,
    )


def _sheet(book: Book, name: str, columns: dict[str, int], keys: Sequence[str]) -> Rows:
    """A list sheet's rows, as far as the last column the reader uses; a row without a value
    in the columns of ``keys`` (and those before them) may come back empty: it is no entry."""
    return book.rows(
        name,
        columns=max(columns.values()) + 1,
        keys=max(columns[k] for k in keys if k in columns) + 1,
    )


def value_at(rows: Rows, address: str) -> Any:
    """The raw value at an A1 address in rows read from A1 (``None`` when outside)."""
    match = _ADDRESS_RE.fullmatch(address)
    if match is None:
        raise ValueError(address)
    letters, number = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    row_index, column_index = int(number) - 1, column - 1
    if row_index >= len(rows) or column_index >= len(rows[row_index]):
        return None
    return rows[row_index][column_index]


# --- Declaration sheet ------------------------------------------------------------------------


def _company(rows: Rows, template_map: TemplateMap, warnings: list[Issue]) -> Company:
    cells = template_map.company
    values = {name: text(value_at(rows, address)) for name, address in cells.items()}
    raw_date = value_at(rows, cells["effective_date"])
    effective: date | None = None
    date_text = ""
    try:
        effective = parse_date(raw_date)
    except ValueError:
        date_text = values["effective_date"]
        warnings.append(
            Issue.of(
                "date-unreadable",
                gettext_noop(
                    "the effective date '%(value)s' is not a date (expected DD-MMM-YYYY, "
                    "e.g. 02-May-2024)"
                ),
                DECLARATION,
                cells["effective_date"],
                value=date_text,
            )
        )
    if isinstance(raw_date, str) and effective is not None:
        date_text = values["effective_date"]
    del values["effective_date"]
    return Company(
        **values,
        scope=scope_letter(values["scope_text"]),
        effective_date=effective,
        effective_date_text=date_text,
    )


def _minerals(rows: Rows, template_map: TemplateMap) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(known mineral codes, other minerals as written) the declaration covers."""
    if not template_map.mineral_slots:
        fixed = template_map.questions[0].minerals
        return fixed, ()
    codes: list[str] = []
    others: list[str] = []
    for address in template_map.mineral_slots:
        chosen = mineral_slot(value_at(rows, address))
        if not chosen:
            continue
        if chosen.casefold() == OTHER_MINERAL and template_map.other_mineral_cells:
            for other_address in template_map.other_mineral_cells:
                if (other := text(value_at(rows, other_address))) and other not in others:
                    others.append(other)
            continue
        code = metal_code(chosen)
        if code and code not in codes:
            codes.append(code)
        elif not code and chosen not in others:
            others.append(chosen)
    return tuple(codes), tuple(others)


def mineral_rows(
    rows: Rows, template_map: TemplateMap, first_row: int, count: int, selected: Sequence[str]
) -> list[str]:
    """The mineral each answer row is for, on templates whose rows follow the selection.

    The template sorts the selection into the rows with formulas; their cached labels
    (``Cobalt(*)``) say which mineral a row holds. A file written by a program that does not
    compute formulas has no labels: the rows then follow the selection sorted by name, as the
    template's formulas sort it.
    """
    ordered = sorted(selected, key=_sort_key)
    result: list[str] = []
    for offset in range(count):
        label = entry(value_at(rows, f"B{first_row + offset}"))
        if label:
            bare = label.replace("(*)", "").strip()
            result.append(mineral_of(label) or bare)
        else:
            result.append(ordered[offset] if offset < len(ordered) else "")
    return result


def _sort_key(mineral: str) -> str:
    return mineral_label(mineral).casefold()


def _answers(
    rows: Rows, template_map: TemplateMap, selected: tuple[str, ...]
) -> tuple[tuple[Answer, ...], tuple[Answer, ...]]:
    answer_column, comment_column = template_map.answer_column, template_map.comment_column
    answers: list[Answer] = []
    for question in template_map.questions + template_map.per_mineral_company_questions:
        rows_range = question.rows()
        order = list(question.minerals) or mineral_rows(
            rows, template_map, rows_range.start, len(rows_range), selected
        )
        for mineral, row in zip(order, rows_range, strict=False):
            raw = value_at(rows, f"{answer_column}{row}")
            value = percent_answer(raw) if question.percent else text(raw)
            comment = text(value_at(rows, f"{comment_column}{row}"))
            if not mineral:
                continue
            answers.append(Answer(question.key, mineral, value, comment, f"{answer_column}{row}"))
    company_answers = tuple(
        Answer(
            letter,
            "",
            text(value_at(rows, f"{answer_column}{row}")),
            text(value_at(rows, f"{comment_column}{row}")),
            f"{answer_column}{row}",
        )
        for letter, row in template_map.company_questions
    )
    return tuple(answers), company_answers


# --- list sheets ------------------------------------------------------------------------------

# The columns whose values make a list row an entry (a row empty in all of them is skipped).
_SMELTER_KEYS = ("metal_text", "lookup_name", "smelter_name", "smelter_id", "id_input")
_MINE_KEYS = ("mine_name", "mine_id", "smelter_name")


def _field(row: Sequence[Any], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return entry(row[index])


def _smelters(
    rows: Rows, template_map: TemplateMap, warnings: list[Issue]
) -> tuple[SmelterRow, ...]:
    columns = template_map.smelter_columns or {}
    key_fields = _SMELTER_KEYS
    keys = [columns[k] for k in key_fields if k in columns]
    result: list[SmelterRow] = []
    start = template_map.first_smelter_row - 1
    for index in range(start, min(len(rows), template_map.last_list_row)):
        row = rows[index]
        if not row or not _has_entry(row, keys):
            continue  # most of the 2,500 rows are empty: skip them without converting
        values = {name: _field(row, columns, name) for name in columns}
        if not any(values.get(k) for k in key_fields):
            continue
        metal = metal_code(values["metal_text"])
        country = country_code(values["country_text"])
        if values["country_text"] and not country and values["country_text"] != "Unknown":
            warnings.append(
                Issue.of(
                    "country-unknown",
                    gettext_noop("'%(value)s' is not a country oretrace recognises"),
                    SMELTER_LIST,
                    f"{_letter(columns['country_text'])}{index + 1}",
                    value=values["country_text"],
                )
            )
        values.setdefault("id_input", "")
        values.setdefault("lookup_name", "")
        result.append(SmelterRow(row=index + 1, metal=metal, country=country, **values))
    return tuple(result)


_BLANK: tuple[Any, ...] = ("", None, 0.0, "0")


def _has_entry(row: Sequence[Any], indexes: Sequence[int]) -> bool:
    width = len(row)
    return any(i < width and row[i] not in _BLANK for i in indexes)


def _letter(index: int) -> str:
    return chr(65 + index)


def _mines(rows: Rows, template_map: TemplateMap) -> tuple[MineRow, ...]:
    columns = template_map.mine_columns or {}
    result: list[MineRow] = []
    keys = [columns[k] for k in _MINE_KEYS]
    for index in range(template_map.first_mine_row - 1, len(rows)):
        row = rows[index]
        if not row or not _has_entry(row, keys):
            continue
        values = {name: _field(row, columns, name) for name in columns}
        if not (values["mine_name"] or values["mine_id"] or values["smelter_name"]):
            continue
        result.append(
            MineRow(
                row=index + 1,
                metal=metal_code(values["metal_text"]),
                country=country_code(values["country_text"]),
                **values,
            )
        )
    return tuple(result)


def _products(rows: Rows, template_map: TemplateMap) -> tuple[ProductRow, ...]:
    columns = template_map.product_columns or {}
    result: list[ProductRow] = []
    keys = list(columns.values())
    for index in range(template_map.first_product_row - 1, len(rows)):
        row = rows[index]
        if not row or not _has_entry(row, keys):
            continue
        values = {name: _field(row, columns, name) for name in columns}
        if any(v.startswith("\N{COPYRIGHT SIGN}") for v in values.values()):
            break  # the template's footer
        if values["number"] or values["name"]:
            result.append(ProductRow(row=index + 1, **values))
    return tuple(result)


def _scope_reasons(rows: Rows) -> tuple[ScopeReason, ...]:
    """AMRT Minerals Scope: mineral in B, reason in C, below the header in row 7."""
    result: list[ScopeReason] = []
    for index in range(7, len(rows)):
        row = rows[index]
        mineral_text = entry(row[1]) if len(row) > 1 else ""
        reason = entry(row[2]) if len(row) > 2 else ""
        if mineral_text or reason:
            result.append(ScopeReason(index + 1, metal_code(mineral_text), mineral_text, reason))
    return tuple(result)
