"""Reports (CSV and XLSX): empty cells stay empty, only text that would start a formula is
guarded, and any character survives (NUL and other controls are replaced visibly in XLSX,
which cannot carry them)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from oretrace.core.models import ChangeLogEntry
from oretrace.declarations import services
from oretrace.declarations.services.export import as_csv, as_xlsx

NASTY = [
    "",
    "plain",
    '=HYPERLINK("http://evil.example","x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
    "a\x00NUL inside",
    "\x01\x07\x1b\x1f controls",
    'line\nbreak and "quotes", commas; semicolons',
    "日本語の会社 · Société · कंपनी · 🧪",
    "unpaired \ud800 surrogate",
    "not XML \uffff",
    "'already quoted",
    " leading space",
]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_keeps_empty_cells_empty_and_guards_only_formula_starts():
    rows = _csv_rows(as_csv(("a", "b", "c"), [("", None, 0), *[(v, "", 1) for v in NASTY]]))
    assert rows[1] == ["", "", "0"]
    for value, row in zip(NASTY, rows[2:], strict=True):
        assert row[1] == "", "an empty cell stays empty"
        expected = value.replace("\ud800", "\ufffd")
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            expected = "'" + expected
        assert row[0] == expected, value


def test_xlsx_survives_any_character_and_stores_text_as_text():
    data = as_xlsx("report", ("a", "b"), [(v, "") for v in NASTY] + [(3, None)])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    for value, (first, second) in zip(NASTY, cells, strict=False):
        assert second is None, "an empty cell stays empty"
        if not value:
            assert first is None
            continue
        expected = (
            value.replace("\x00", "\ufffd")
            .replace("\ud800", "\ufffd")
            .replace("\uffff", "\ufffd")
            .replace("\x01", "\ufffd")
            .replace("\x07", "\ufffd")
            .replace("\x1b", "\ufffd")
            .replace("\x1f", "\ufffd")
        )
        assert first == expected, value
    assert cells[-1] == (3, None)
    formula = sheet.cell(row=NASTY.index("+1") + 2, column=1)
    assert formula.data_type == "s", "text that starts with a sign is text, not a formula"
    # A second reader (the one the importer uses) sees the same text, no formula.
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[NASTY.index('=HYPERLINK("http://evil.example","x")') + 1][0].startswith(
        "=HYPERLINK"
    )
    assert rows[NASTY.index("a\x00NUL inside") + 1][0] == "a\ufffdNUL inside"


@pytest.mark.django_db
def test_supplier_reports_with_a_nul_in_a_name(member_a, web_a):
    # a NUL cannot be stored in PostgreSQL text: it is stored as U+FFFD on every database
    services.create_supplier(actor=member_a, name="Bad\x00Name =1", reference="")
    # another control character is stored, and the XLSX (which cannot hold it) replaces it
    services.create_supplier(actor=member_a, name="Ctrl\x01Name", reference="")
    services.create_supplier(actor=member_a, name="=cmd|' /C calc'!A0", reference="")
    xlsx = web_a.get(reverse("declarations:supplier_xlsx"))
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    names = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Bad\ufffdName =1" in names
    assert "Ctrl\ufffdName" in names
    assert "=cmd|' /C calc'!A0" in names
    # a supplier without declarations: every cell but name and status is empty, not "'"
    assert set(names["Bad\ufffdName =1"][2:]) <= {None, "no declaration"}
    rows = _csv_rows(web_a.get(reverse("declarations:supplier_csv")).content)
    bad = next(r for r in rows if r[0].startswith("Bad"))
    assert bad[0] == "Bad\ufffdName =1"
    assert next(r for r in rows if r[0].startswith("Ctrl"))[0] == "Ctrl\x01Name"
    assert [c for c in bad[2:] if c not in ("", "no declaration")] == []
    assert [r[0] for r in rows if "calc" in r[0]] == ["'=cmd|' /C calc'!A0"]


@pytest.mark.django_db(transaction=True)
def test_a_supplier_is_created_in_its_own_transaction(member_a):
    # called outside any transaction (as the demo and the CLI call it), it still logs its change
    supplier = services.create_supplier(actor=member_a, name="Nul\x00Free Metals")
    assert supplier.name == "Nul\ufffdFree Metals"
    assert ChangeLogEntry.objects.for_object(supplier).exists()
