"""Round trip on every supported blank: fill it with openpyxl here, save, read it back.

The files written here have no cached formula results (openpyxl does not compute formulas), so
they also prove that reading never depends on a label or a formula's value: the answer rows of
the templates that sort the selected minerals are placed by the same rule the formulas use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from datetime import date, datetime, time
from pathlib import Path

import pytest

from oretrace.declarations.rmi import ParsedDeclaration, maps, parse_template
from oretrace.declarations.rmi.maps import (
    TemplateMap,
    answer_cells,
    company_cells,
    map_for,
    smelter_cell,
)
from oretrace.declarations.rmi.values import MINERAL_LABELS, mineral_label

openpyxl = pytest.importorskip("openpyxl")

COMPANY = {
    "name": "Example Components GmbH",
    "scope_text": "B. Product (or List of Products)",
    "scope_description": "",
    "unique_id": "DE123456789",
    "unique_id_authority": "VAT",
    "address": "Musterstrasse 1, 10115 Berlin",
    "contact_name": "Contact Person",
    "contact_email": "contact@example.org",
    "contact_phone": "+49 30 000000",
    "authorizer_name": "Authorizing Person",
    "authorizer_title": "Head of Compliance",
    "authorizer_email": "authorizer@example.org",
    "authorizer_phone": "+49 30 000001",
}
EFFECTIVE = date(2024, 5, 2)
MINE_ROW = {
    "metal_text": "Cobalt",
    "smelter_name": "Example Smelter 0",
    "mine_name": "Example Mine",
    "mine_id": "CID009999",
    "country_text": "CONGO, DEMOCRATIC REPUBLIC OF THE",
    "city": "Kolwezi",
    "comments": "mine comment",
}
# What each layout's selection holds in the filled file (slot templates only).
SELECTIONS = {
    "EMRT": ["Nickel", "(Delete Copper)", "Cobalt", "(Delete Graphite)", "Mica", ""],
    "AMRT": ["Zinc", "Aluminum", "Other [specify below]", "Silver"],
}
OTHER_TEXT = "Vanadium"
BLANKS = [
    "RMI_CMRT_6.01.xlsx",
    "RMI_CMRT_6.1.xlsx",
    "RMI_CMRT_6.22.xlsx",
    "RMI_CMRT_6.31.xlsx",
    "RMI_CMRT_6.4.xlsx",
    "RMI_CMRT_6.5.xlsx",
    "RMI_EMRT_1.1.xlsx",
    "RMI_EMRT_1.11.xlsx",
    "RMI_EMRT_1.2.xlsx",
    "RMI_EMRT_1.3.xlsx",
    "RMI_EMRT_2.0.xlsx",
    "RMI_EMRT_2.1.xlsx",
    "RMI_AMRT_1.2.xlsx",
    "RMI_AMRT_1.3.xlsx",
    "RMI_CRT_2.2.xlsx",
    "RMI_CRT_2.21.xlsx",
]


def _selected(template_map: TemplateMap) -> tuple[list[str], list[str]]:
    """(mineral codes expected, other minerals expected) for the filled selection."""
    if not template_map.mineral_slots:
        return list(template_map.questions[0].minerals), []
    codes = {label: code for code, label in MINERAL_LABELS.items()}
    chosen = [s for s in SELECTIONS[template_map.family] if s and not s.startswith("(")]
    known = [codes[s] for s in chosen if s in codes]
    others = [OTHER_TEXT] if "Other [specify below]" in chosen else []
    if template_map.family == "AMRT" and not template_map.other_mineral_cells:
        # AMRT 1.2 takes free text: "Other [specify below]" does not exist there
        known, others = [codes[s] for s in chosen if s in codes], ["Other [specify below]"]
    return known, others


# Each blank filled once per run: openpyxl takes seconds to load and save one, and
# test_export fills the same blanks (for the CMRT 6.5 twice). Under pytest-xdist the two modules
# run on different workers, so a filled blank is also kept as a file in the run's folder that
# every worker shares (``FILLED_FOLDER``, set by the package's conftest), named by the blank's
# content and the map, and written atomically (a worker that fills it at the same time writes
# the same bytes). The bytes are immutable: no test alters what another reads.
_FILLED: dict[tuple[Path, str], bytes] = {}
FILLED_FOLDER: list[Path] = []  # the run's shared folder, when there is one


def fill(path: Path, template_map: TemplateMap) -> bytes:
    """A blank template filled the way a supplier would, written by openpyxl."""
    key = (path, _stable_repr(template_map))
    if key not in _FILLED:
        _FILLED[key] = _shared_fill(path, template_map)
    return _FILLED[key]


def _shared_fill(path: Path, template_map: TemplateMap) -> bytes:
    if not FILLED_FOLDER:
        return _fill(path, template_map)
    digest = hashlib.sha256(path.read_bytes() + _stable_repr(template_map).encode()).hexdigest()
    kept = FILLED_FOLDER[0] / f"{digest}.xlsx"
    if kept.is_file():
        return kept.read_bytes()
    data = _fill(path, template_map)
    partial = kept.with_name(f".{digest}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(kept)  # atomic: another worker never reads half a file
    return data


def _stable_repr(value: object) -> str:
    """``repr`` with sets in sorted order: the same text in every process. (A map's
    ``frozenset({"No", "Unknown"})`` is listed in an order that depends on the process's string
    hashing, so with plain ``repr`` the two workers named 8 of the 16 filled blanks differently,
    and each filled those 8 itself.)"""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (
            f"{f.name}={_stable_repr(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({', '.join(fields)})"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_stable_repr(item) for item in value)) + "}"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_stable_repr(k)}: {_stable_repr(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_stable_repr(item) for item in value) + ")"
    return repr(value)


def _fill(path: Path, template_map: TemplateMap) -> bytes:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[maps.DECLARATION]
    cells = company_cells(template_map)
    for name, value in COMPANY.items():
        sheet[cells[name]] = value or None
    # a date cell as Excel stores it: a naive date-time at midnight
    sheet[cells["effective_date"]] = datetime.combine(EFFECTIVE, time())
    selection = SELECTIONS.get(template_map.family, [])
    for index, address in enumerate(template_map.mineral_slots):
        sheet[address] = selection[index] if index < len(selection) and selection[index] else None
    for address in template_map.other_mineral_cells[:1]:
        sheet[address] = OTHER_TEXT
    known, others = _selected(template_map)
    order = tuple(sorted([*known, *others], key=lambda m: mineral_label(m).casefold()))
    for (question, mineral), (answer, comment) in answer_cells(template_map, order).items():
        sheet[answer] = _answer_for(template_map, question, mineral)
        sheet[comment] = f"comment {question} {mineral}".strip()
    smelters = workbook[maps.SMELTER_LIST]
    columns = template_map.smelter_columns or {}
    for index, row in enumerate(_smelter_rows(known + others)):
        for field in columns:
            smelters[smelter_cell(template_map, field, index)] = row.get(field)
    if template_map.mine_columns:
        mines = workbook[maps.MINE_LIST]
        mine_row = template_map.first_mine_row
        for field, value in MINE_ROW.items():
            mines.cell(row=mine_row, column=1 + template_map.mine_columns[field], value=value)
    if maps.MINERALS_SCOPE in workbook.sheetnames:
        workbook[maps.MINERALS_SCOPE]["B8"] = "Aluminum"
        workbook[maps.MINERALS_SCOPE]["C8"] = "Regulatory requirement"
    products = workbook[maps.PRODUCT_LIST]
    products[f"B{template_map.first_product_row}"] = "P-100"
    products[f"C{template_map.first_product_row}"] = "Connector"
    for reference_sheet in ("Smelter Look-up", "SorP"):  # not read; saves time in the test
        if reference_sheet in workbook.sheetnames:
            del workbook[reference_sheet]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _answer_for(template_map: TemplateMap, question: str, mineral: str) -> str:
    if not mineral:
        return "Yes"
    percent = {q.key for q in template_map.questions if q.percent}
    if question in percent:
        return "Greater than 90%"
    return "Yes"


def _smelter_rows(minerals: list[str]) -> list[dict[str, str]]:
    rows = []
    for number, mineral in enumerate(minerals):
        rows.append(
            {
                "metal_text": mineral_label(mineral),
                "lookup_name": "Smelter not listed",
                "smelter_name": f"Example Smelter {number}",
                "country_text": "JAPAN",
                "id_input": "",
                "street": f"{number} Example Street",
                "city": "Osaka",
                "contact_email": "smelter@example.org",
                "mine_names": "recycled",
                "recycled_scrap": "Yes",
                "comments": f"row {number}",
            }
        )
    return rows


# From the last blank to the first: under pytest-xdist, test_export starts at the same time on
# the other worker (LONGEST_FIRST in conftest.py) and fills from the first, so each fills half
# and finds the other half in FILLED_FOLDER.
@pytest.mark.parametrize("name", BLANKS[::-1])
def test_filled_blank_round_trips(shared_data: Path, name: str):
    # given
    path = shared_data / "rmi-templates" / "blank" / name
    blank = parse_template(path.read_bytes(), name)
    template_map, _ = map_for(blank.family, blank.version, name)
    # when
    declaration = parse_template(fill(path, template_map), name, today=date(2024, 8, 1))
    # then
    assert (declaration.family, declaration.version) == (blank.family, blank.version)
    _assert_company(declaration)
    known, others = _selected(template_map)
    assert list(declaration.minerals) == known
    assert list(declaration.other_minerals) == others
    for item in declaration.answers:
        expected = _answer_for(template_map, item.question, item.mineral)
        assert (item.question, item.mineral, item.answer) == (
            item.question,
            item.mineral,
            expected,
        )
        assert item.comment == f"comment {item.question} {item.mineral}"
    answered = {(a.question, a.mineral) for a in declaration.answers}
    assert {("1", m) for m in known + others} <= answered
    assert [a.answer for a in declaration.company_answers] == ["Yes"] * len(
        template_map.company_questions
    )
    _assert_smelters(declaration, known + others, template_map)
    assert [(p.number, p.name) for p in declaration.products] == [("P-100", "Connector")]
    if template_map.mine_columns:
        (mine,) = declaration.mines
        assert (mine.metal, mine.mine_name, mine.mine_id) == ("cobalt", "Example Mine", "CID009999")
        assert (mine.country, mine.city, mine.comments) == ("CD", "Kolwezi", "mine comment")
    else:
        assert declaration.mines == ()
    if blank.family == "AMRT" and template_map.other_mineral_cells:
        (reason,) = declaration.scope_reasons
        assert (reason.row, reason.mineral, reason.reason) == (
            8,
            "aluminium",
            "Regulatory requirement",
        )
    assert declaration.errors == []


def _assert_company(declaration: ParsedDeclaration) -> None:
    company = declaration.company
    for name, value in COMPANY.items():
        assert getattr(company, name) == value, name
    assert company.scope == "B"
    assert company.effective_date == EFFECTIVE


def _assert_smelters(
    declaration: ParsedDeclaration, minerals: list[str], template_map: TemplateMap
) -> None:
    expected = _smelter_rows(minerals)
    assert len(declaration.smelters) == len(expected)
    has_lookup = "lookup_name" in (template_map.smelter_columns or {})
    for row, wanted in zip(declaration.smelters, expected, strict=True):
        assert row.metal_text == wanted["metal_text"]
        assert row.lookup_name == (wanted["lookup_name"] if has_lookup else "")
        assert (row.smelter_name, row.country, row.city) == (
            wanted["smelter_name"],
            "JP",
            "Osaka",
        )
        assert (row.recycled_scrap, row.comments) == ("Yes", wanted["comments"])
