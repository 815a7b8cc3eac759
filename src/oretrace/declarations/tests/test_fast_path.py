"""The .xlsx fast path (`XlsxBook`) reads what python-calamine reads, or steps aside.

Every template in ../shared/data/rmi-templates (all families and versions, Chinese- and
English-saved, filled by suppliers, legacy, .xls) is read both ways; generated workbooks cover
the value kinds the real files do not hold (dates in every shape, rich text, inline strings).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from oretrace.declarations.rmi import TemplateError, parse_template
from oretrace.declarations.rmi.checks import check
from oretrace.declarations.rmi.detect import CalamineBook, open_book, open_workbook
from oretrace.declarations.rmi.ooxml import Unsupported, XlsxBook, format_kind
from oretrace.declarations.rmi.read import read_book

openpyxl = pytest.importorskip("openpyxl")

# A non-empty cell as (row, column, value, type name): what both readers must agree on.
Cell = tuple[int, int, object, str]

TODAY = date(2024, 8, 1)  # after every real declaration's effective date (as in conftest)


def _files(templates_dir: Path) -> list[Path]:
    files = sorted(templates_dir.rglob("*.xls*"))
    assert len(files) >= 32
    return files


def _read(data: bytes, name: str, *, fast: bool):
    """(kind of book, declaration or refusal code) without the fallback of `parse_template`."""
    try:
        book = open_book(data, name, fast=fast)
        return type(book).__name__, read_book(book, name)[0]
    except TemplateError as error:
        return "refused", error.code
    except Unsupported:
        return "unsupported", None


def test_every_template_reads_the_same_through_the_fast_path(templates_dir: Path):
    fast_reads = 0
    for path in _files(templates_dir):
        data = path.read_bytes()
        slow_kind, slow = _read(data, path.name, fast=False)
        fast_kind, fast = _read(data, path.name, fast=True)
        if fast_kind == "XlsxBook":
            fast_reads += 1
            assert fast == slow, path.name
        elif fast_kind == "unsupported":
            # the legacy CMRTs hold times in their revision tables: python-calamine reads them
            assert path.parent.name == "legacy", path.name
        else:
            assert (fast_kind, fast) == (slow_kind, slow), path.name
        # and parse_template, with its fallback, gives python-calamine's answer either way
        if slow_kind == "refused":
            with pytest.raises(TemplateError) as refused:
                parse_template(data, path.name, today=TODAY)
            assert refused.value.code == slow
        else:
            assert slow_kind == "CalamineBook"
            result = parse_template(data, path.name, today=TODAY)
            book = CalamineBook(open_workbook(data, path.name))
            expected, template_map = read_book(book, path.name)
            check(expected, template_map, today=TODAY)
            assert result == expected, path.name
    # every supported .xlsx (16 blanks, the English one, 6 filled) went the fast way
    assert fast_reads >= 23


def test_the_real_declarations_take_the_fast_path(templates_dir: Path):
    for path in sorted((templates_dir / "filled").glob("*.xlsx")):
        assert isinstance(open_book(path.read_bytes(), path.name), XlsxBook)


# --- generated workbooks: every value kind ----------------------------------------------------


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _both(data: bytes, sheet: str = "Sheet") -> tuple[list[Cell], list[Cell]]:
    fast = XlsxBook(data).rows(sheet)
    slow = _calamine(data).rows(sheet)
    return _cells(fast), _cells(slow)


def _calamine(data: bytes) -> CalamineBook:
    """python-calamine on the package as it is (`open_workbook` would empty unknown sheets)."""
    return CalamineBook(CalamineWorkbook.from_filelike(io.BytesIO(data)))


def _cells(rows) -> list[Cell]:
    """Non-empty cells as (row, column, value, type): shapes differ, values must not."""
    return [
        (r, c, value, type(value).__name__)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value != ""
    ]


def test_values_of_every_kind_read_as_python_calamine_reads_them():
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    rows = [
        ("text", "  spaced\u00a0text  ", "line\r\nbreak", "a & b < c > d \"e\" 'f'", "钴 Cobalt"),
        ("numbers", 0, 1, -2.5, 12345678901234567890),
        ("more", 1e-9, 0.1 + 0.2, 3.0, True, False),
        ("formula", "=1+1", "=A1", '="x"&"y"', None),
    ]
    for row in rows:
        sheet.append(row)
    sheet["F1"] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold"), " end"])
    formats = ["dd-mmm-yyyy", "yyyy-mm-dd", "[$-409]d-mmm-yy;@", "0.00%", "#,##0*y", "@"]
    for column, number_format in enumerate(formats, start=1):
        for line, value in enumerate((45412, 59, 60, 61, 1, 2958465), start=6):
            cell = sheet.cell(line, column, value)
            cell.number_format = number_format
    sheet["A13"] = date(2024, 5, 2)
    sheet["B13"] = datetime(2024, 5, 2)  # noqa: DTZ001 - cells have no time zone
    fast, slow = _both(_save(workbook))
    assert fast == slow
    assert (12, 0, date(2024, 5, 2), "date") in fast
    # openpyxl writes the CR as is with its own XML writer and as "&#13;" when lxml is installed;
    # either way both readers must agree (above) and keep the line break.
    assert any(v in ("line\nbreak", "line\r\nbreak") for _, _, v, _ in fast)


@pytest.mark.parametrize(
    ("value", "number_format"),
    [
        (0.5, "h:mm"),
        (45412.25, "dd-mmm-yyyy hh:mm"),
        (1.5, "[h]:mm"),
        (0, "dd-mmm-yyyy"),
        (2958466, "dd-mmm-yyyy"),
    ],
)
def test_times_and_durations_are_left_to_python_calamine(value, number_format):
    workbook = openpyxl.Workbook()
    cell = workbook.active.cell(1, 1, value)
    cell.number_format = number_format
    with pytest.raises(Unsupported):
        XlsxBook(_save(workbook)).rows("Sheet")


def _package(sheet_xml: bytes, shared: bytes | None = None) -> bytes:
    """A minimal .xlsx with one sheet, as other programs than Excel write them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType="'
            'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
            'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package'
            '/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
            '/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        package.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
            '/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Data &amp; more" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package'
            '/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
            '/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        package.writestr(
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + sheet_xml + b"</sheetData></worksheet>",
        )
        if shared is not None:
            package.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def test_inline_strings_phonetic_guides_errors_and_empty_values():
    shared = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main" count="3" uniqueCount="3"><si><t xml:space="preserve"> kept </t></si>'
        b'<si><t>\xe6\x9d\xb1\xe4\xba\xac</t><rPh sb="0" eb="2"><t>\xe3\x83\x88\xe3\x82\xa6'
        b'</t></rPh><phoneticPr fontId="1"/></si>'
        b'<si><r><t xml:space="preserve">run </t></r><r><rPr><b/></rPr><t>two&#13;&#10;</t></r>'
        b"</si></sst>"
    )
    sheet = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>inline &amp; text</t></is></c>'
        b'<c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c>'
        b'<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F1" t="str"><f>""</f><v></v></c>'
        b'<c r="G1" t="b"><v>1</v></c><c r="H1"><v>7</v></c><c r="I1" s="0"/></row>'
        b'<row r="3">\n  <c r="B3" t="str">\n    <f>A1</f>\n    <v>x\r\ny</v>\n  </c>\n</row>'
    )
    data = _package(sheet, shared)
    book = XlsxBook(data)
    assert book.sheet_names == ["Data & more"]
    fast = _cells(book.rows("Data & more"))
    slow = _cells(_calamine(data).rows("Data & more"))
    assert fast == slow
    assert [v for _, _, v, _ in fast] == [
        "inline & text",
        " kept ",
        "東京",
        "run two",  # white space at the ends of a <t> kept only with xml:space="preserve"
        True,
        7.0,
        "x\ny",
    ]


@pytest.mark.parametrize(
    "sheet",
    [
        b'<row r="1"><c t="s" r="A1"><v>0</v></c></row>',  # the address not first
        b'<row r="1"><c><v>1</v></c></row>',  # no address
        b'<row r="1"><c r="A1" t="d"><v>2024-05-02</v></c></row>',  # an ISO date cell
        b'<row r="1"><c r="A1" t="str"><v>\xff\xfe</v></c></row>',  # not UTF-8
        b'<row r="1"><c r="A1" t="str"><v>&#1114112;</v></c></row>',  # no such character
        b'<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>',  # not an XML entity
        b'<row r="1"><c r="A1" t="s"><v>7</v></c></row>',  # no such shared string
    ],
)
def test_what_the_fast_path_does_not_read_goes_to_python_calamine(sheet):
    data = _package(sheet, b"<sst><si><t>x</t></si></sst>")
    with pytest.raises(Unsupported):
        XlsxBook(data).rows("Data & more")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("dd-mmm-yyyy", 1),
        ("[$-409]d-mmm-yy;@", 1),
        ("h:mm AM/PM", 1),
        ("[h]:mm:ss", 2),
        ("0.00%", 0),
        ("#,##0*y", 0),
        ('"Year "0', 0),
        ("\\d0", 0),
        ("General", 0),
        ("0;[Red]-0", 0),
    ],
)
def test_number_formats_that_show_dates(code, kind):
    assert format_kind(code) == kind


def test_a_damaged_package_is_read_by_python_calamine_and_refused_as_before():
    data = bytearray(_package(b'<row r="1"><c r="A1"><v>1</v></c></row>'))
    data[-30:] = b"\x00" * 30  # the end of the central directory is gone
    with pytest.raises(Unsupported):
        XlsxBook(bytes(data))
    with pytest.raises(TemplateError) as refused:
        parse_template(bytes(data), "damaged.xlsx")
    assert refused.value.code == "not-a-workbook"


def test_a_supported_template_the_fast_path_steps_aside_from_is_read_by_python_calamine(
    templates_dir: Path,
):
    # given a real declaration whose Declaration sheet gained an ISO date cell (t="d"), a cell
    # kind the fast path leaves to python-calamine
    path = templates_dir / "filled" / "RMI_WF6_CMRT_6.4_Apr2024_Merck.xlsx"
    original = path.read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        declaration_part = XlsxBook(original)._paths["Declaration"]
        for info in source.infolist():
            part = source.read(info)
            if info.filename == declaration_part:
                end_of_row_1 = part.index(b"</row>")
                cell = b'<c r="ZZ1" t="d"><v>2024-05-02T00:00:00</v></c>'
                part = part[:end_of_row_1] + cell + part[end_of_row_1:]
            target.writestr(info, part)
    data = out.getvalue()
    book = open_book(data, path.name)
    assert isinstance(book, XlsxBook)
    with pytest.raises(Unsupported):
        read_book(book, path.name)
    # when
    result = parse_template(data, path.name, today=TODAY)
    # then: python-calamine's reading, the same declaration as the untouched file's
    expected, template_map = read_book(open_book(data, path.name, fast=False), path.name)
    check(expected, template_map, today=TODAY)
    assert result == expected
    assert result.smelters == parse_template(original, path.name, today=TODAY).smelters
    assert result.company.name.startswith("EMD Electronics")
