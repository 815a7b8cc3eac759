"""Writing cells into an .xlsx in place (`rmi.write`): only what is written changes, the
result opens in openpyxl and python-calamine, and what the writer does not handle goes to
openpyxl instead of being written wrong."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from oretrace.declarations.rmi import parse_template
from oretrace.declarations.rmi.canonical import canonical
from oretrace.declarations.rmi.maps import map_for
from oretrace.declarations.rmi.write import Unsupported, XlsxPackage
from oretrace.declarations.services.export import cell_edits, write_into_blank
from oretrace.declarations.tests.test_generated import EFFECTIVE, fill


def _workbook(build) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _small(workbook) -> None:
    sheet = workbook.active
    sheet.title = "Declaration"
    sheet["B2"] = "kept"
    sheet["C3"] = "=B2"
    sheet["D5"] = 7
    sheet["D5"].number_format = "0.00"
    sheet["E9"] = datetime(2024, 1, 1)  # noqa: DTZ001 - a date cell as Excel stores it
    workbook.create_sheet("Other")["A1"] = "untouched"


def test_cells_are_written_in_order_with_their_styles_and_the_rest_is_kept():
    blank = _workbook(_small)
    edits = {
        "Declaration": {
            "C3": "over the formula",
            "A3": "before",  # a new cell before existing ones, in an existing row
            "D5": 12.5,
            "B1": "=HYPERLINK(1)",  # a new row before the others; text, never a formula
            "E9": datetime(2025, 4, 25),  # noqa: DTZ001
            "B7": " spaced ",  # a new row between two
            "Z40": True,  # a new last row, beyond the used range
            "B2": None,
        }
    }
    written = XlsxPackage(blank).write(edits)
    sheet = openpyxl.load_workbook(io.BytesIO(written))["Declaration"]
    assert sheet["C3"].value == "over the formula"
    assert sheet["A3"].value == "before"
    assert sheet["D5"].value == 12.5
    assert sheet["D5"].number_format == "0.00"  # the cell's own style is kept
    assert sheet["B1"].value == "=HYPERLINK(1)"
    assert sheet["B1"].data_type == "s"
    assert sheet["E9"].value == datetime(2025, 4, 25)  # noqa: DTZ001
    assert sheet["B7"].value == " spaced "
    assert sheet["Z40"].value is True
    assert sheet["B2"].value is None
    assert sheet.dimensions == "A1:Z40"
    # python-calamine reads the same, in the same places
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(written))
        .get_sheet_by_name("Declaration")
        .to_python()
    )
    assert rows[2][:3] == ["before", "", "over the formula"]
    assert rows[6][1] == " spaced "
    # the other sheet's part is copied as it was
    assert _parts(written)["xl/worksheets/sheet2.xml"] == _parts(blank)["xl/worksheets/sheet2.xml"]


def test_the_workbook_recalculates_on_opening_and_loses_its_calculation_chain(
    shared_data: Path,
):
    # the CMRT 6.01 blank has a calculation chain, and formulas with cached results
    blank = (shared_data / "rmi-templates" / "blank" / "RMI_CMRT_6.01.xlsx").read_bytes()
    before = _parts(blank)
    assert "xl/calcChain.xml" in before
    written = _parts(XlsxPackage(blank).write({"Smelter List": {"B5": "Tin"}}))
    assert "xl/calcChain.xml" not in written
    assert b"calcChain" not in written["[Content_Types].xml"]
    assert b"calcChain" not in written["xl/_rels/workbook.xml.rels"]
    assert b'fullCalcOnLoad="1"' in written["xl/workbook.xml"]
    # no formula keeps a result computed from the blank's empty cells
    for name, xml in written.items():
        if name.startswith("xl/worksheets/sheet"):
            assert b"</f><v>" not in xml, name
    # drawings, styles, the other parts: as they were
    for name in ("xl/styles.xml", "xl/theme/theme1.xml", "docProps/app.xml"):
        if name in before:
            assert written[name] == before[name]


@pytest.mark.parametrize(
    ("build", "edits", "reason"),
    [
        (_small, {"Declaration": {"D5": datetime(2025, 1, 1)}}, "no date format"),  # noqa: DTZ001
        (_small, {"Declaration": {"B2": object()}}, "type object"),
        (_small, {"Declaration": {"B2": "bell \x07"}}, "XML compatible"),
        (_small, {"Nowhere": {"A1": "x"}}, "no sheet"),
        (_small, {"Declaration": {"1A": "x"}}, "not a cell address"),
    ],
)
def test_what_it_does_not_handle_is_refused_not_written_wrong(build, edits, reason):
    with pytest.raises(Unsupported, match=reason):
        XlsxPackage(_workbook(build)).write(edits)


def test_a_shared_formula_in_a_cell_written_is_left_to_openpyxl():
    blank = _workbook(_small)
    parts = _parts(blank)
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"<f>B2</f>", b'<f t="shared" ref="C3:C4" si="0">B2</f>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    with pytest.raises(Unsupported, match="shared or array formula in C3"):
        XlsxPackage(out.getvalue()).write({"Declaration": {"C3": "x"}})


def test_the_blank_writer_falls_back_to_openpyxl_with_the_same_result(
    shared_data: Path, monkeypatch
):
    name = "RMI_CRT_2.21.xlsx"
    path = shared_data / "rmi-templates" / "blank" / name
    template_map, _newer = map_for("CRT", "2.21", name)
    content = canonical(parse_template(fill(path, template_map), name, today=EFFECTIVE))
    content["smelters"][0]["smelter_name"] = "=1+2"  # a supplier's text, never a formula
    fast = write_into_blank(path.read_bytes(), name, content)

    def refuse(self, edits):
        raise Unsupported("as if the package were laid out otherwise")

    monkeypatch.setattr(XlsxPackage, "write", refuse)
    slow = write_into_blank(path.read_bytes(), name, content)
    assert fast != slow
    read = [canonical(parse_template(data, name, today=EFFECTIVE)) for data in (fast, slow)]
    assert read[0] == read[1] == content


def test_cell_edits_name_only_the_sheets_written(shared_data: Path):
    name = "RMI_CMRT_6.5.xlsx"
    path = shared_data / "rmi-templates" / "blank" / name
    template_map, _newer = map_for("CMRT", "6.5", name)
    content = canonical(parse_template(fill(path, template_map), name, today=EFFECTIVE))
    package = XlsxPackage(path.read_bytes())
    edits = cell_edits(template_map, content, package.sheet_names)
    assert set(edits) == {"Declaration", "Smelter List", "Product List"}
    assert edits["Smelter List"]["B5"] == content["smelters"][0]["metal_text"]
