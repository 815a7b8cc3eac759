"""Writing declarations out: into the user's own blank RMI template, and as CSV/XLSX reports.

oretrace ships no RMI template: the user uploads the blank they want filled (any supported
version of the family). ``write_into_blank`` writes a canonical declaration (see
`canonical`) into it by cell address, through the same maps the reader uses, so reading the
written file gives back the same declaration. Values are written as values: the template's own
formulas in the cells written over are replaced, the rest of the workbook is left as it was.
The cells are written into the package in place (`rmi.write`, well under a second for a
blank of 1.5 MB); openpyxl, which takes 10-15 seconds to load and save one, writes only the
packages the in-place writer does not handle.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core import bounds
from oretrace.core.models import Country, Organisation
from oretrace.core.progress import Progress, no_progress
from oretrace.core.stored_text import StoredText
from oretrace.core.tabular import (  # noqa: F401  (the report writers moved to core: re-exported)
    FORMULA_SIGNS,
    as_csv,
    as_xlsx,
    csv_cell,
    xlsx_cell,
)
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.queries.rollup import Rollup
from oretrace.declarations.rmi import ParsedDeclaration, TemplateError
from oretrace.declarations.rmi.detect import open_book
from oretrace.declarations.rmi.maps import (
    DECLARATION,
    MINE_LIST,
    MINERALS_SCOPE,
    PRODUCT_LIST,
    SMELTER_LIST,
    TemplateMap,
    answer_cells,
    company_cells,
    smelter_cell,
)
from oretrace.declarations.rmi.read import read_book
from oretrace.declarations.rmi.values import mineral_label
from oretrace.declarations.rmi.write import CellEdits, Unsupported, XlsxPackage

MAX_BLANK_BYTES = 30 * 1024 * 1024  # a blank RMI template is ~1.5 MB
MAX_FILLED_SHOWN = 8
OTHER = "Other [specify below]"
CID = re.compile(r"CID\d{6}", re.IGNORECASE)
# The company-level answers a roll-up proposes; the person exporting confirms or changes them.
COMPANY_ANSWER_DEFAULTS = {
    "CMRT": {
        "A": "Yes",
        "B": "No",
        "C": "Yes",
        "D": "Yes",
        "E": "Yes, in conformance with IPC1755 (e.g., CMRT)",
        "F": "Yes",
        "G": "Yes",
        "H": "No",
    },
    "EMRT": {
        "A": "Yes",
        "B": "No",
        "C": "Yes",
        "D": "Yes",
        "E": "Yes, in conformance with IPC1755 (e.g. EMRT)",
        "F": "Yes",
        "G": "Yes",
    },
    "CRT": {
        "A": "Yes",
        "B": "Yes",
        "C": "Yes",
        "D": "Yes",
        "E": "Yes",
        "F": "Yes",
        "G": "Yes, in conformance with IPC1755 (e.g. CRT)",
        "H": "Yes",
        "I": "Yes",
    },
    "AMRT": {},
}


def blank_map(blank: bytes, filename: str) -> TemplateMap:
    """The layout of an uploaded blank; refuses what is not a supported template."""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        raise DeclarationError(
            f"{filename}: upload the blank template as .xlsx (the .xls format cannot be written)"
        )
    # openpyxl holds about ten times a workbook's inflated size: a tighter limit than reading
    limits = bounds.Limits(
        zip_max_inflated=int(settings.ORETRACE_BLANK_MAX_INFLATED_MB) * bounds.MIB,
        zip_max_entries=bounds.current().zip_max_entries,
    )
    if blank.startswith(b"PK"):
        try:
            bounds.check_zip(blank, filename, limits)
        except bounds.InputRefused as exc:
            raise DeclarationError(str(exc)) from None
    try:
        declaration, template_map = read_book(open_book(blank, filename, fast=False), filename)
    except TemplateError as exc:
        raise DeclarationError(str(exc)) from None
    filled = filled_cells(declaration, template_map)
    if filled:
        shown = ", ".join(filled[:MAX_FILLED_SHOWN])
        if len(filled) > MAX_FILLED_SHOWN:
            shown += ", …"
        raise DeclarationError(
            _(
                "%(file)s is not blank, it already holds a declaration: %(cells)s. Upload the "
                "empty template from the RMI website, or clear these cells first."
            )
            % {"file": filename, "cells": shown}
        )
    return template_map


def filled_cells(declaration: ParsedDeclaration, template_map: TemplateMap) -> list[str]:
    """Where a template someone already filled in has content a blank has not: the rows of
    its lists and the company block (the pre-selected scope aside), as rows or sheet!cell."""
    company = declaration.company
    found = []
    cells = []
    for name, cell in company_cells(template_map).items():
        value = getattr(company, name, None)
        if name == "effective_date":
            value = value or company.effective_date_text
        if value and name != "scope_text":
            cells.append(f"{DECLARATION}!{cell}")
    for sheet, rows in (
        (SMELTER_LIST, declaration.smelters),
        (MINE_LIST, declaration.mines),
        (PRODUCT_LIST, declaration.products),
    ):
        numbers = [r.row for r in rows]
        if numbers:
            span = f"{min(numbers)}" if len(numbers) == 1 else f"{min(numbers)}-{max(numbers)}"
            found.append(
                ngettext("%(sheet)s row %(rows)s", "%(sheet)s rows %(rows)s", len(numbers))
                % {"sheet": sheet, "rows": span}
            )
    return found + cells  # the lists first: a few words say much


def write_into_blank(
    blank: bytes, filename: str, content: dict[str, Any], *, progress: Progress = no_progress
) -> bytes:
    """The blank with ``content`` written into it, as the bytes of an .xlsx workbook.

    ``progress(percent, message)`` hears of each step (a job's progress, 0-100 here).
    """
    progress(0, StoredText.of("checking the blank template"))
    template_map = blank_map(blank, filename)
    if template_map.family != content["family"]:
        raise DeclarationError(
            f"{filename} is a {template_map.family} template; this declaration is a "
            f"{content['family']}: upload a blank {content['family']}"
        )
    rows = len(content["smelters"])
    progress(
        30,
        StoredText.of(
            "writing %(count)s smelter row and the answers",
            "writing %(count)s smelter rows and the answers",
            count=rows,
        ),
    )
    try:
        package: XlsxPackage | None = XlsxPackage(blank)
    except Unsupported:
        package = None
    sheet_names = package.sheet_names if package is not None else _sheet_names(blank, filename)
    edits = cell_edits(template_map, content, sheet_names)
    progress(70, StoredText.of("saving the workbook"))
    if package is not None:
        try:
            return package.write(edits)
        except Unsupported:
            pass  # a package laid out otherwise: openpyxl writes it
    return _write_with_openpyxl(blank, filename, edits)


def cell_edits(
    template_map: TemplateMap, content: dict[str, Any], sheet_names: list[str]
) -> CellEdits:
    """What to write where: sheet name → cell address → value (None empties the cell)."""
    edits: CellEdits = {name: {} for name in sheet_names}
    if DECLARATION not in edits:
        raise DeclarationError(f"the blank has no {DECLARATION} sheet")
    _company(edits[DECLARATION], template_map, content)
    minerals = _selection(edits[DECLARATION], template_map, content)
    _answers(edits[DECLARATION], template_map, content, minerals)
    _rows(
        edits,
        SMELTER_LIST,
        template_map.smelter_columns,
        content["smelters"],
        lambda field, i: smelter_cell(template_map, field, i),
    )
    for sheet_name, columns, part, first_row in (
        (MINE_LIST, template_map.mine_columns, "mines", template_map.first_mine_row),
        (PRODUCT_LIST, template_map.product_columns, "products", template_map.first_product_row),
    ):
        if columns:
            _rows(edits, sheet_name, columns, content[part], _list_cell(columns, first_row))
    if content.get("scope_reasons") and MINERALS_SCOPE in edits:
        sheet = edits[MINERALS_SCOPE]
        for reason in content["scope_reasons"]:
            sheet[f"B{reason['row']}"] = reason["mineral_text"] or None
            sheet[f"C{reason['row']}"] = reason["reason"] or None
    return {name: cells for name, cells in edits.items() if cells}


def _sheet_names(blank: bytes, filename: str) -> list[str]:
    return list(open_book(blank, filename, fast=False).sheet_names)


def _write_with_openpyxl(blank: bytes, filename: str, edits: CellEdits) -> bytes:
    """The slow way, for a package `XlsxPackage` does not handle: load, set, save."""
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(blank), keep_vba=filename.lower().endswith(".xlsm")
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise DeclarationError(
            f"{filename}: the workbook cannot be opened for writing: {exc}"
        ) from None
    for sheet_name, cells in edits.items():
        sheet = workbook[sheet_name]
        for address, value in cells.items():
            cell = sheet[address]
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text, as the fast writer writes it: never a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _company(sheet: Any, template_map: TemplateMap, content: dict[str, Any]) -> None:
    company = content["company"]
    for name, cell in company_cells(template_map).items():
        value = company.get(name) or None
        if name == "effective_date":
            value = (
                datetime.combine(date.fromisoformat(value), time())
                if value
                else company.get("effective_date_text") or None
            )
        sheet[cell] = value


def _selection(sheet: Any, template_map: TemplateMap, content: dict[str, Any]) -> tuple[str, ...]:
    """Fill the mineral selection (templates that have one); returns the answer-row order."""
    known, others = list(content["minerals"]), list(content["other_minerals"])
    if template_map.mineral_slots:
        labels = [mineral_label(m) for m in known]
        labels += [OTHER if template_map.other_mineral_cells else o for o in others]
        if len(labels) > len(template_map.mineral_slots):
            raise DeclarationError(
                f"{len(labels)} minerals do not fit the template's "
                f"{len(template_map.mineral_slots)} selection cells"
            )
        for index, address in enumerate(template_map.mineral_slots):
            sheet[address] = labels[index] if index < len(labels) else None
        for address, text in zip(template_map.other_mineral_cells, others, strict=False):
            sheet[address] = text
    return tuple(sorted([*known, *others], key=lambda m: mineral_label(m).casefold()))


def _answers(
    sheet: Any, template_map: TemplateMap, content: dict[str, Any], order: tuple[str, ...]
) -> None:
    given = {
        (a["question"], a["mineral"]): a for a in [*content["answers"], *content["company_answers"]]
    }
    for key, (answer_cell, comment_cell) in answer_cells(template_map, order).items():
        item = given.get(key)
        sheet[answer_cell] = (item["answer"] or None) if item else None
        sheet[comment_cell] = (item["comment"] or None) if item else None


def _list_cell(columns: dict[str, int], first_row: int) -> Callable[[str, int], str]:
    """Where a field of a list's ``i``-th row goes, on a list whose rows start at ``first_row``."""
    return lambda field, i: f"{chr(65 + columns[field])}{first_row + i}"


def _rows(
    edits: CellEdits,
    sheet_name: str,
    columns: dict[str, int] | None,
    rows: list[dict[str, Any]],
    cell: Any,
) -> None:
    if not columns or sheet_name not in edits:
        return
    sheet = edits[sheet_name]
    for index, row in enumerate(rows):
        for field in columns:
            sheet[cell(field, index)] = row.get(field) or None


# --- the roll-up as a declaration ------------------------------------------------------------


def _country_names() -> dict[str, str]:
    return {code: name.upper() for code, name in Country.objects.values_list("code", "name")}


def rollup_smelter_rows(rollup: Rollup) -> list[dict[str, Any]]:
    """The Smelter List rows of a roll-up: one row per smelter and metal, never two.

    Rolled-up facilities come first, with their RMI ID. A row that names no registry facility
    keeps what its suppliers declared (name, country, the smelter ID they gave); rows of
    several suppliers naming the same smelter (same metal and ID, else same metal, name and
    country), or a facility already listed, become one row naming every supplier. Rows "not
    yet identified" become one row per metal.
    """
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    countries = _country_names()

    def add(key: tuple[str, ...], row: dict[str, Any], supplier: str) -> None:
        found = rows.setdefault(key, {**row, "suppliers": []})
        if supplier not in found["suppliers"]:
            found["suppliers"].append(supplier)
        for name, value in row.items():  # a later supplier may give what an earlier one did not
            if value and not found.get(name):
                found[name] = value

    for s in rollup.smelters:
        row = {
            "metal_text": mineral_label(s.metal),
            "lookup_name": "Smelter not listed",
            "smelter_name": s.facility.name,
            "country_text": countries.get(s.facility.country_id, s.facility.country_id),
            "smelter_id": s.cid,
            "id_source": "RMI" if s.cid else "",
            "city": s.facility.city,
        }
        key = _row_key(s.metal, s.cid, s.facility.name, row["country_text"])
        for supplier in s.suppliers:
            add(key, row, supplier)
    for u in rollup.unresolved:
        e = u.entry
        metal = e.metal or e.metal_text.casefold()
        if e.match == "not_identified":
            key = ("not identified", metal)
            row = {
                "metal_text": e.metal_text or mineral_label(e.metal),
                "lookup_name": "Smelter not yet identified",
            }
        else:
            country = e.country_text or countries.get(e.country, e.country)
            smelter_id = e.smelter_id.strip()
            key = _row_key(metal, smelter_id, e.name, country)
            row = {
                "metal_text": e.metal_text or mineral_label(e.metal),
                "lookup_name": "Smelter not listed",
                "smelter_name": e.name,
                "country_text": country,
                "smelter_id": smelter_id,
                "id_source": _id_source(smelter_id),
            }
        add(key, row, u.supplier)
    result = []
    for row in rows.values():
        suppliers = row.pop("suppliers")
        row["comments"] = "reported by " + "; ".join(suppliers)
        result.append(row)
    return result


def _id_source(smelter_id: str) -> str:
    if not smelter_id:
        return ""
    return "RMI" if CID.fullmatch(smelter_id) else "as declared by the supplier"


def _row_key(metal: str, smelter_id: str, name: str, country: str) -> tuple[str, ...]:
    """What makes two Smelter List rows the same smelter: the template's own duplicate rule."""
    if smelter_id:
        return ("id", metal, smelter_id.upper())
    return ("name", metal, " ".join(name.casefold().split()), country.casefold())


def rollup_content(
    rollup: Rollup,
    organisation: Organisation,
    *,
    contact: dict[str, str],
    company_answers: dict[str, str],
    effective: date,
) -> dict[str, Any]:
    """The roll-up as a canonical declaration, ready for `write_into_blank`."""
    template_map = rollup.template_map
    company = {
        "name": organisation.legal_name,
        "scope": "A",
        "scope_text": "A. Company",
        "scope_description": "",
        "unique_id": organisation.lei or organisation.vat_number or organisation.duns,
        "unique_id_authority": "LEI"
        if organisation.lei
        else ("VAT" if organisation.vat_number else ("D-U-N-S" if organisation.duns else "")),
        "address": getattr(organisation, "address", "") or "",
        "contact_name": contact.get("contact_name", ""),
        "contact_email": contact.get("contact_email", ""),
        "contact_phone": contact.get("contact_phone", ""),
        "authorizer_name": contact.get("authorizer_name", ""),
        "authorizer_title": contact.get("authorizer_title", ""),
        "authorizer_email": contact.get("authorizer_email", ""),
        "authorizer_phone": contact.get("authorizer_phone", ""),
        "effective_date": effective.isoformat(),
        "effective_date_text": "",
    }
    answers = [
        {"question": q, "mineral": m, "answer": a, "comment": "", "cell": ""}
        for (q, m), a in rollup.answers.items()
    ]
    letters = [letter for letter, _row in template_map.company_questions]
    company_rows = [
        {
            "question": letter,
            "mineral": "",
            "answer": company_answers.get(letter, ""),
            "comment": "",
            "cell": "",
        }
        for letter in letters
    ]
    for question in template_map.per_mineral_company_questions:
        for mineral in rollup.minerals:
            answers.append(
                {
                    "question": question.key,
                    "mineral": mineral,
                    "answer": company_answers.get(question.key, ""),
                    "comment": "",
                    "cell": "",
                }
            )
    smelters = rollup_smelter_rows(rollup)
    return {
        "family": rollup.family,
        "version": "",
        "language": "",
        "company": company,
        "minerals": list(rollup.minerals),
        "other_minerals": [],
        "answers": answers,
        "company_answers": company_rows,
        "smelters": smelters,
        "mines": [],
        "products": [],
        "scope_reasons": [],
    }


# --- reports ----------------------------------------------------------------------------------

SMELTER_REPORT_HEADER = (
    "metal",
    "smelter",
    "smelter_id",
    "country",
    "assurance_status",
    "conformant",
    "named_by_suppliers",
)


def smelter_report_rows(rollup: Rollup) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [
        (
            mineral_label(s.metal),
            s.facility.name,
            s.cid,
            s.facility.country_id,
            s.status,
            "yes" if s.conformant else "no",
            "; ".join(s.suppliers),
        )
        for s in rollup.smelters
    ]
    rows += [
        (
            u.entry.metal_text or mineral_label(u.entry.metal),
            u.entry.name or "(not yet identified)",
            u.entry.smelter_id,
            u.entry.country or u.entry.country_text,
            "not in the registry" if u.entry.match != "not_identified" else "not identified",
            "no",
            u.supplier,
        )
        for u in rollup.unresolved
    ]
    return rows
