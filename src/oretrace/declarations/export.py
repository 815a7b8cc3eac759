"""Writing declarations out: into the user's own blank RMI template, and as CSV/XLSX reports.

oretrace ships no RMI template: the user uploads the blank they want filled (any supported
version of the family). ``write_into_blank`` writes a canonical declaration (see
`canonical`) into it by cell address, through the same maps the reader uses, so reading the
written file gives back the same declaration. Values are written as values: the template's own
formulas in the cells written over are replaced, the rest of the workbook is left as it was.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any

import openpyxl
from django.conf import settings

from oretrace.core import bounds
from oretrace.core.models import Country, Organisation
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.rmi import TemplateError
from oretrace.declarations.rmi.detect import detect, open_book
from oretrace.declarations.rmi.maps import (
    DECLARATION,
    MINE_LIST,
    MINERALS_SCOPE,
    PRODUCT_LIST,
    SMELTER_LIST,
    TemplateMap,
    answer_cells,
    company_cells,
    map_for,
    smelter_cell,
)
from oretrace.declarations.rmi.values import mineral_label
from oretrace.declarations.rollup import Rollup

MAX_BLANK_BYTES = 30 * 1024 * 1024  # a blank RMI template is ~1.5 MB
OTHER = "Other [specify below]"
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
        family, version, _rows, _notes = detect(open_book(blank, filename, fast=False), filename)
        template_map, _newer = map_for(family, version, filename)
    except TemplateError as exc:
        raise DeclarationError(str(exc)) from None
    return template_map


def write_into_blank(blank: bytes, filename: str, content: dict[str, Any]) -> bytes:
    """The blank with ``content`` written into it, as the bytes of an .xlsx workbook."""
    template_map = blank_map(blank, filename)
    if template_map.family != content["family"]:
        raise DeclarationError(
            f"{filename} is a {template_map.family} template; this declaration is a "
            f"{content['family']}: upload a blank {content['family']}"
        )
    keep_vba = filename.lower().endswith(".xlsm")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(blank), keep_vba=keep_vba)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise DeclarationError(
            f"{filename}: the workbook cannot be opened for writing: {exc}"
        ) from None
    _company(workbook[DECLARATION], template_map, content)
    minerals = _selection(workbook[DECLARATION], template_map, content)
    _answers(workbook[DECLARATION], template_map, content, minerals)
    _rows(
        workbook,
        SMELTER_LIST,
        template_map.smelter_columns,
        content["smelters"],
        lambda field, i: smelter_cell(template_map, field, i),
    )
    if template_map.mine_columns and MINE_LIST in workbook.sheetnames:
        columns = template_map.mine_columns
        _rows(
            workbook,
            MINE_LIST,
            columns,
            content["mines"],
            lambda field, i: f"{chr(65 + columns[field])}{template_map.first_mine_row + i}",
        )
    if template_map.product_columns and PRODUCT_LIST in workbook.sheetnames:
        pcols = template_map.product_columns
        _rows(
            workbook,
            PRODUCT_LIST,
            pcols,
            content["products"],
            lambda field, i: f"{chr(65 + pcols[field])}{template_map.first_product_row + i}",
        )
    if content.get("scope_reasons") and MINERALS_SCOPE in workbook.sheetnames:
        sheet = workbook[MINERALS_SCOPE]
        for reason in content["scope_reasons"]:
            sheet[f"B{reason['row']}"] = reason["mineral_text"] or None
            sheet[f"C{reason['row']}"] = reason["reason"] or None
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


def _rows(
    workbook: Any, sheet_name: str, columns: dict[str, int] | None, rows: list[dict], cell: Any
) -> None:
    if not columns or sheet_name not in workbook.sheetnames:
        return
    sheet = workbook[sheet_name]
    for index, row in enumerate(rows):
        for field in columns:
            sheet[cell(field, index)] = row.get(field) or None


# --- the roll-up as a declaration ------------------------------------------------------------


def _country_text(code: str) -> str:
    if not code:
        return ""
    name = Country.objects.filter(pk=code).values_list("name", flat=True).first()
    return (name or code).upper()


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
    smelters: list[dict[str, Any]] = []
    for s in rollup.smelters:
        smelters.append(
            {
                "metal_text": mineral_label(s.metal),
                "lookup_name": "Smelter not listed",
                "smelter_name": s.facility.name,
                "country_text": _country_text(s.facility.country_id),
                "smelter_id": s.cid,
                "id_source": "RMI" if s.cid else "",
                "city": s.facility.city,
                "comments": "reported by " + "; ".join(s.suppliers),
            }
        )
    for u in rollup.unresolved:
        e = u.entry
        named = e.match != "not_identified"
        smelters.append(
            {
                "metal_text": e.metal_text or mineral_label(e.metal),
                "lookup_name": "Smelter not listed" if named else "Smelter not yet identified",
                "smelter_name": e.name if named else "",
                "country_text": e.country_text if named else "",
                "comments": f"reported by {u.supplier}",
            }
        )
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


def as_csv(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        # A cell starting with a formula sign would run as a formula in a spreadsheet.
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
