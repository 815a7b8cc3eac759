"""Writing values into an .xlsx template in place: only the cells written change.

A blank RMI template is a 1.5 MB package of a dozen sheets, thousands of formulas, data
validations and conditional formats. Loading it with openpyxl and saving it again takes 10-15
seconds of CPU and loses what openpyxl does not model (conditional-formatting extensions, for
one). `XlsxPackage` instead rewrites only the parts that must change:

* the worksheets written to: each cell written keeps its address and style, loses its formula
  and its value, and gets the new value (text in the shared-string table, numbers and dates as
  numbers); cells and rows that do not exist yet are inserted in order;
* the shared-string table, with the new texts appended;
* the workbook, told to recalculate every formula when it is opened (``fullCalcOnLoad``), and
  the calculation chain, left out (it lists cells that may no longer hold a formula; Excel
  rebuilds it);
* in every worksheet, the results cached with the formulas are dropped, as openpyxl drops them:
  a formula that depends on a cell written here would otherwise show the blank's result.

Every other part (the other sheets, drawings, macros, external links) is copied as it is.
Whatever this writer does not handle — a shared or array formula in a cell written, a date into
a cell without a date format, the 1904 date system, text XML cannot hold, a package laid out
otherwise — raises `Unsupported`, and the caller writes the workbook another way. Pure: no ORM,
no settings.
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

from lxml import etree

from oretrace.declarations.rmi.ooxml import DATETIME, Unsupported, format_kind

__all__ = ["CellEdits", "Unsupported", "XlsxPackage"]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CALC_CHAIN = "xl/calcChain.xml"
_STRINGS = "xl/sharedStrings.xml"
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's serial dates have no time zone
_ADDRESS_RE = re.compile(r"([A-Z]{1,3})([1-9]\d{0,6})")
# The workbook's elements that come after calcPr (ECMA-376 CT_Workbook), to insert it before.
_AFTER_CALC = (
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)
# A cell holding a formula, with the result cached after it (dropped: see the module doc).
_CACHED_RESULT_RE = re.compile(
    rb"<c\b([^>]*)>(<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)(?:<v>[^<]*</v>|<v/>)</c>"
)
_RESULT_TYPE_RE = re.compile(rb'\s(?:t|cm|vm)="[^"]*"')
CellEdits = dict[str, dict[str, Any]]  # sheet name → cell address → value (None empties it)


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _parse(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Unsupported(f"a part is not well-formed XML: {exc}") from None


def _serialise(root: Any) -> bytes:
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return xml


def _split(address: str) -> tuple[int, int]:
    """``"B12"`` → (row 12, column 2)."""
    match = _ADDRESS_RE.fullmatch(address)
    if match is None:
        raise Unsupported(f"not a cell address: {address!r}")
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


class XlsxPackage:
    """An .xlsx package to write cells into (see the module doc)."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._names = set(self._zip.namelist())
            self._workbook = _parse(self._zip.read("xl/workbook.xml"))
            self._paths = self._sheet_paths()
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise Unsupported(f"not read: {exc}") from None
        if self._workbook.tag != _q("workbook"):
            raise Unsupported("the workbook part is not a SpreadsheetML workbook")
        properties = self._workbook.find(_q("workbookPr"))
        if properties is not None and properties.get("date1904") in ("1", "true"):
            raise Unsupported("the 1904 date system")
        self.sheet_names = list(self._paths)
        self._date_styles: set[int] | None = None

    def _sheet_paths(self) -> dict[str, str]:
        relationships = _parse(self._zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in relationships}
        paths = {}
        sheets = self._workbook.find(_q("sheets"))
        for sheet in sheets if sheets is not None else ():
            target = targets.get(sheet.get(f"{{{_REL}}}id"), "")
            path = target[1:] if target.startswith("/") else f"xl/{target}"
            if not path.startswith("xl/worksheets/") or path not in self._names:
                raise Unsupported(f"sheet {sheet.get('name')!r} is not a worksheet part")
            paths[sheet.get("name")] = path
        return paths

    def write(self, edits: CellEdits) -> bytes:
        """The package with ``edits`` written (see the module doc), as bytes."""
        table = _StringTable(_parse(self._zip.read(_STRINGS)) if _STRINGS in self._names else None)
        parts: dict[str, bytes] = {}
        for sheet_name, cells in edits.items():
            if sheet_name not in self._paths:
                raise Unsupported(f"no sheet {sheet_name!r}")
            if cells:
                path = self._paths[sheet_name]
                parts[path] = self._write_sheet(self._zip.read(path), cells, table)
        for path in self._paths.values():
            xml = parts.get(path) or self._zip.read(path)
            parts[path] = _CACHED_RESULT_RE.sub(_without_result, xml)
        if table.root is not None:
            parts[_STRINGS] = table.serialised()
        parts["xl/workbook.xml"] = self._recalculated()
        if _CALC_CHAIN in self._names:
            parts.update(self._without_calc_chain())
        return self._package(parts, left_out={_CALC_CHAIN})

    # worksheets

    def _write_sheet(self, xml: bytes, cells: dict[str, Any], table: _StringTable) -> bytes:
        root = _parse(xml)
        data = root.find(_q("sheetData"))
        if root.tag != _q("worksheet") or data is None:
            raise Unsupported("a worksheet without sheet data")
        rows = _Rows(data)
        for address, value in cells.items():
            row, column = _split(address)
            cell = rows.cell(row, column, address)
            self._set(cell, value, table)
        _widen_dimension(root, cells)
        try:
            return _serialise(root)
        except ValueError as exc:  # text XML cannot hold (control characters)
            raise Unsupported(str(exc)) from None

    def _set(self, cell: Any, value: Any, table: _StringTable) -> None:
        formula = cell.find(_q("f"))
        if formula is not None and formula.get("t") in ("shared", "array", "dataTable"):
            raise Unsupported(f"a shared or array formula in {cell.get('r')}")
        for child in list(cell):
            cell.remove(child)
        for attribute in ("t", "cm", "vm"):
            cell.attrib.pop(attribute, None)
        if value is None:
            return
        if isinstance(value, str) and table.root is None:  # a package without the table
            cell.set("t", "inlineStr")
            _text(etree.SubElement(cell, _q("is")), value)
        elif isinstance(value, str):
            cell.set("t", "s")
            etree.SubElement(cell, _q("v")).text = str(table.index(value))
        elif isinstance(value, bool):
            cell.set("t", "b")
            etree.SubElement(cell, _q("v")).text = "1" if value else "0"
        elif isinstance(value, int | float):
            etree.SubElement(cell, _q("v")).text = repr(value)
        elif isinstance(value, date):
            if not self._is_date_style(cell.get("s")):
                raise Unsupported(f"a date into {cell.get('r')}, which has no date format")
            etree.SubElement(cell, _q("v")).text = _serial(value)
        else:
            raise Unsupported(f"a value of type {type(value).__name__}")

    def _is_date_style(self, style: str | None) -> bool:
        if self._date_styles is None:
            self._date_styles = self._read_date_styles()
        return style is not None and style.isdigit() and int(style) in self._date_styles

    def _read_date_styles(self) -> set[int]:
        """The cell formats (``s`` indexes) that show a number as a date."""
        if "xl/styles.xml" not in self._names:
            return set()
        styles = _parse(self._zip.read("xl/styles.xml"))
        dates = set(_BUILTIN_DATE_FORMATS)
        for number_format in styles.iter(_q("numFmt")):
            if format_kind(number_format.get("formatCode", "")) == DATETIME:
                dates.add(int(number_format.get("numFmtId", "-1")))
        formats = styles.find(_q("cellXfs"))
        return {
            index
            for index, xf in enumerate(formats if formats is not None else ())
            if int(xf.get("numFmtId", "0")) in dates
        }

    # the workbook and the package

    def _recalculated(self) -> bytes:
        calc = self._workbook.find(_q("calcPr"))
        if calc is None:
            calc = etree.Element(_q("calcPr"))
            later = [
                i for i, e in enumerate(self._workbook) if etree.QName(e).localname in _AFTER_CALC
            ]
            self._workbook.insert(later[0] if later else len(self._workbook), calc)
        calc.set("fullCalcOnLoad", "1")
        return _serialise(self._workbook)

    def _without_calc_chain(self) -> dict[str, bytes]:
        """The workbook's relationships and the content types, without the calculation chain."""
        changed = {}
        for path, tag, attribute in (
            ("xl/_rels/workbook.xml.rels", f"{{{_PACKAGE_REL}}}Relationship", "Target"),
            ("[Content_Types].xml", f"{{{_CONTENT_TYPES}}}Override", "PartName"),
        ):
            root = _parse(self._zip.read(path))
            for element in list(root.iter(tag)):
                if element.get(attribute, "").lstrip("/").removeprefix("xl/") == "calcChain.xml":
                    root.remove(element)
            changed[path] = _serialise(root)
        return changed

    def _package(self, parts: dict[str, bytes], *, left_out: set[str]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for info in self._zip.infolist():
                if info.filename in left_out:
                    continue
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                copy.external_attr = info.external_attr
                data = parts.get(info.filename)
                package.writestr(copy, data if data is not None else self._zip.read(info))
        return out.getvalue()


def _without_result(match: re.Match[bytes]) -> bytes:
    return b"<c%s>%s</c>" % (_RESULT_TYPE_RE.sub(b"", match.group(1)), match.group(2))


def _serial(value: date) -> str:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a calendar day
    days = (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400
    if days < 61:  # Excel's calendar counts a 29 February 1900 that did not exist
        raise Unsupported("a date before March 1900")
    return repr(int(days)) if days.is_integer() else repr(days)


def _widen_dimension(root: Any, cells: dict[str, Any]) -> None:
    """The sheet's ``dimension`` (its used range) grown to cover the cells written."""
    dimension = root.find(_q("dimension"))
    if dimension is None:
        return
    corners = [_split(part) for part in dimension.get("ref", "A1").replace("$", "").split(":")]
    written = [_split(address) for address in cells]
    rows = [r for r, _c in corners + written]
    columns = [c for _r, c in corners + written]
    dimension.set("ref", f"{_letters(min(columns))}{min(rows)}:{_letters(max(columns))}{max(rows)}")


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _Rows:
    """A sheet's rows by number, to find a cell or insert it (and its row) in order."""

    def __init__(self, data: Any) -> None:
        self._data = data
        self._numbers: list[int] = []
        self._rows: dict[int, Any] = {}
        for row in data.iterchildren(_q("row")):
            number = row.get("r")
            if number is None or not number.isdigit():
                raise Unsupported("a row without its number")
            if self._numbers and int(number) <= self._numbers[-1]:
                raise Unsupported("rows out of order")
            self._numbers.append(int(number))
            self._rows[int(number)] = row

    def cell(self, number: int, column: int, address: str) -> Any:
        row = self._rows.get(number)
        if row is None:
            row = etree.Element(_q("row"), r=str(number))
            at = bisect.bisect(self._numbers, number)
            if at < len(self._numbers):
                self._rows[self._numbers[at]].addprevious(row)
            else:
                self._data.append(row)
            self._numbers.insert(at, number)
            self._rows[number] = row
        return _cell_in(row, column, address)


def _cell_in(row: Any, column: int, address: str) -> Any:
    for cell in row.iterchildren(_q("c")):
        name = cell.get("r")
        if name is None:
            raise Unsupported("a cell without its address")
        _row, found = _split(name)
        if found == column:
            return cell
        if found > column:
            new = etree.Element(_q("c"), r=address)
            cell.addprevious(new)
            return new
    return etree.SubElement(row, _q("c"), r=address)


class _StringTable:
    """The shared-string table (``root`` None: the package has none), with the texts written
    appended once each."""

    def __init__(self, root: Any) -> None:
        if root is not None and root.tag != _q("sst"):
            raise Unsupported("the shared-string table is not SpreadsheetML")
        self.root = root
        self._count = 0 if root is None else len(root.findall(_q("si")))
        self._added: dict[str, int] = {}
        self._references = 0

    def index(self, text: str) -> int:
        self._references += 1
        if text not in self._added:
            _text(etree.SubElement(self.root, _q("si")), text)
            self._added[text] = self._count
            self._count += 1
        return self._added[text]

    def serialised(self) -> bytes:
        self.root.set("uniqueCount", str(self._count))
        if self.root.get("count") is not None:
            self.root.set("count", str(int(self.root.get("count")) + self._references))
        return _serialise(self.root)


def _text(parent: Any, text: str) -> None:
    """``<t>text</t>`` in a shared-string item or an inline string, spaces kept."""
    element = etree.SubElement(parent, _q("t"))
    try:
        element.text = text
    except ValueError as exc:  # control characters XML cannot hold
        raise Unsupported(str(exc)) from None
    if text != text.strip():
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
