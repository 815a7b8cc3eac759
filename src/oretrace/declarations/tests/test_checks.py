"""The Checker rules (errors) and instruction rules (warnings) on small generated CMRTs."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from oretrace.declarations.rmi import ParsedDeclaration, parse_template

openpyxl = pytest.importorskip("openpyxl")

TODAY = date(2024, 8, 1)
METAL_ROWS = {"tantalum": 0, "tin": 1, "gold": 2, "tungsten": 3}
COMPLETE_COMPANY = {
    "D8": "Example Co.",
    "D9": "A. Company",
    "D15": "Contact Person",
    "D16": "contact@example.org",
    "D17": "+1 000",
    "D18": "Authorizing Person",
    "D20": "authorizer@example.org",
    "D22": "2024-05-02",
}


def answers(metal: str, values: dict[int, Any]) -> dict[str, Any]:
    """CMRT answer cells for one metal: question number → answer."""
    return {f"D{25 + 6 * (q - 1) + 1 + METAL_ROWS[metal]}": v for q, v in values.items()}


def declared(metal: str) -> dict[str, Any]:
    """A metal answered Yes to everything, with 100% response."""
    return answers(metal, {1: "Yes", 2: "Yes", 3: "No", 4: "No", 5: "No", 6: 1, 7: "Yes", 8: "Yes"})


def company_questions(**overrides: str) -> dict[str, str]:
    cells = {f"D{row}": "Yes" for row in range(75, 90, 2)}
    cells["D83"] = "Yes, in conformance with IPC1755 (e.g., CMRT)"
    cells["D89"] = "No"
    cells["G77"] = "https://example.org/policy"
    return {**cells, **overrides}


def none_declared() -> dict[str, str]:
    cells: dict[str, str] = {}
    for metal in METAL_ROWS:
        cells.update(answers(metal, {1: "No"}))
    return cells


def parse(
    declaration: dict[str, Any], smelters: list[list[Any]] | None = None
) -> ParsedDeclaration:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Declaration"
    sheet["D2"] = "Conflict Minerals Reporting Template (CMRT)"
    sheet["J3"] = "Revision 6.4 April 26, 2024"
    for address, value in declaration.items():
        sheet[address] = value
    smelter_sheet = workbook.create_sheet("Smelter List")
    for offset, row in enumerate(smelters or []):
        for column, value in enumerate(row):
            smelter_sheet.cell(row=5 + offset, column=1 + column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return parse_template(out.getvalue(), "generated.xlsx", today=TODAY)


def issues(found, code: str) -> list[str]:
    return [i.cell for i in found if i.code == code]


def test_a_complete_declaration_without_minerals_passes():
    result = parse({**COMPLETE_COMPANY, **none_declared()})
    assert result.errors == []
    assert result.warnings == []


def test_mandatory_company_fields_and_email_shape():
    result = parse(
        {**COMPLETE_COMPANY, "D8": "  ", "D16": "contact at example.org", **none_declared()}
    )
    assert issues(result.errors, "missing-field") == ["D8"]
    assert issues(result.errors, "email-invalid") == ["D16"]
    assert result.company.name == ""  # whitespace only is empty


def test_scope_c_needs_a_description():
    scope_c = "C. User defined [Specify in 'Description of scope']"
    result = parse({**COMPLETE_COMPANY, "D9": scope_c, **none_declared()})
    assert issues(result.errors, "missing-field") == ["D10"]
    assert result.company.scope == "C"


def test_question_2_is_required_unless_question_1_is_no():
    cells = {**COMPLETE_COMPANY, **none_declared(), **answers("tin", {1: "Yes"})}
    result = parse(cells)
    # as in the template's Checker, a blank question 2 does not lift questions 3-8
    missing = issues(result.errors, "missing-answer")
    assert missing[:3] == ["D33", "D39", "D45"]
    assert "D75" in missing


def test_questions_3_to_8_and_company_questions_follow_the_gates():
    cells = {**COMPLETE_COMPANY, **none_declared(), **answers("gold", {1: "Yes", 2: "Yes"})}
    result = parse(cells)
    gold_rows = [f"D{25 + 6 * (q - 1) + 3}" for q in range(3, 9)]
    company_rows = [f"D{row}" for row in range(75, 90, 2)]
    assert issues(result.errors, "missing-answer") == gold_rows + company_rows


def test_q2_no_lifts_the_later_questions():
    cells = {**COMPLETE_COMPANY, **none_declared(), **answers("gold", {1: "Yes", 2: "No"})}
    assert parse(cells).errors == []


def test_declared_metal_needs_smelter_rows_and_policy_url():
    cells = {
        **COMPLETE_COMPANY,
        **none_declared(),
        **declared("tin"),
        **company_questions(G77=""),
    }
    result = parse(cells)
    assert [(i.code, i.sheet, i.cell) for i in result.errors] == [
        ("policy-url-missing", "Declaration", "G77"),
        ("no-smelters", "Smelter List", "B5:B2504"),
    ]
    assert result.answer("6", "tin") == "100%"  # stored as the number 1


def test_smelter_rows_rules_and_flags():
    cells = {**COMPLETE_COMPANY, **none_declared(), **declared("tin"), **company_questions()}
    cells.update(answers("tin", {5: "Yes"}))  # declared 100% recycled
    rows = [
        ["", "Tin", "Smelter not listed", "", "", "", "", "", "", "", "", "", "", "", "", "No"],
        ["CID000292", "Tin", "Alpha", "", "UNITED STATES OF AMERICA", "CID000292", "RMI"],
        ["CID000292", "Tin ", " Alpha", "", "UNITED STATES OF AMERICA", "CID000292", "RMI"],
        ["", "Tin", "Smelter not yet identified", "Unknown", "Unknown"],
        ["", "Gold", "Some Refiner", "", "JAPAN"],
    ]
    result = parse(cells, rows)
    assert [(i.code, i.cell) for i in result.errors] == [
        ("smelter-incomplete", "D5"),
        ("smelter-incomplete", "E5"),
    ]
    flags = [(i.code, i.cell) for i in result.warnings]
    assert ("recycled-inconsistent", "P5") in flags
    assert ("identified-inconsistent", "C8") in flags
    assert ("smelter-not-identified", "C8") in flags
    assert ("metal-not-declared", "B9") in flags
    assert ("duplicate-smelter", "A7") in flags
    assert result.smelters[2].metal_text == "Tin"  # stray whitespace removed
    assert result.smelters[1].country == "US"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("02-May-2024", date(2024, 5, 2)),
        ("2024/05/02", date(2024, 5, 2)),
        ("2024年5月2日", date(2024, 5, 2)),
        (45414, date(2024, 5, 2)),
        ("45414", date(2024, 5, 2)),
    ],
)
def test_effective_date_shapes(value, expected):
    result = parse({**COMPLETE_COMPANY, "D22": value, **none_declared()})
    assert result.company.effective_date == expected
    assert result.errors == []


@pytest.mark.parametrize(
    ("value", "code", "kind"),
    [
        ("soon", "date-unreadable", "warnings"),
        ("2024-12-01", "date-future", "warnings"),
        ("2023-01-31", "date-old", "warnings"),
        ("2005-01-01", "date-invalid", "errors"),
    ],
)
def test_effective_date_rules(value, code, kind):
    result = parse({**COMPLETE_COMPANY, "D22": value, **none_declared()})
    assert issues(getattr(result, kind), code) == ["D22"]


def test_instruction_rules_are_warnings():
    cells = {
        **COMPLETE_COMPANY,
        "D18": "Same",
        "D14": "#12 Example Road",
        **none_declared(),
        **answers("tin", {1: "否"}),
    }
    result = parse(cells)
    assert issues(result.warnings, "authorizer-same") == ["D18"]
    assert issues(result.warnings, "answer-not-in-list") == ["D27"]
    assert issues(result.warnings, "starts-with-formula-sign") == ["D14"]


def test_template_mineral_labels_follow_the_reference_catalogue():
    # the pure reader keeps its own copy of the labels (it must not import the ORM)
    from oretrace.core.reference import MINERALS
    from oretrace.declarations.rmi.values import MINERAL_LABELS

    assert {m.code: m.template_label for m in MINERALS} == MINERAL_LABELS


def test_the_reader_is_pure():
    # importing the template reader loads neither Django nor any settings
    code = (
        "import sys, oretrace.declarations.rmi; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
