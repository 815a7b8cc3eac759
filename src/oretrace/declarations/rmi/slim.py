"""Make a large .xlsx template quick for python-calamine: keep only the rows and sheets read.

Used on the python-calamine path only, i.e. for the .xlsx packages the fast path (`ooxml`) steps
aside from. Every list sheet of an RMI template carries formulas down to row ~2,500, so a
Smelter List with four smelters is still a 5 MB XML part that takes python-calamine ~50 ms to
parse, and the reference sheets (Smelter Look-up, the translations, the subdivision list) are as
large. Before the workbook is opened, `slim_workbook` rewrites the package in memory:

* list sheets lose the rows after the last row with a value in their key columns (the columns
  the reader uses to decide that a row is an entry at all, so no entry can be lost);
* sheets the reader never opens become empty sheets;
* parts other than the workbook, its relationships, shared strings and styles are left out
  (drawings, themes, the calculation chain, comments).

Cell values, shared strings and styles are untouched, so calamine reads the same values. If the
package is not what is expected, the original bytes are returned and read as they are.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import unescape

# Sheet name as compared → the columns whose values make a row an entry (None: keep whole).
_KEEP: dict[str, str | None] = {
    "declaration": None,
    "revision": None,
    "mineralsscope": None,
    "smelterlist": "A-F",
    "minelist": "A-D",
    "productlist": "B-F",
}
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)
_SHEET_RE = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_RE = re.compile(rb"<Relationship\b[^>]*>")
_ATTR_RE = re.compile(rb'(\w+)="([^"]*)"')
_FORMULA = rb"(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?"
# The parts python-calamine needs besides the worksheets: drawings, themes, the calculation
# chain, comments and the like are left out.
_PACKAGE_PARTS = frozenset(
    {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
    }
)
_MIN_SIZE = 50_000  # smaller sheets are read as they are


def slim_workbook(data: bytes) -> bytes:
    """The same workbook with only what the template reader needs (see the module doc)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            sheets = _sheet_parts(package)
            if not sheets:
                return data
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as slim:
                for info in package.infolist():
                    if info.filename in sheets or info.filename in _PACKAGE_PARTS:
                        slim.writestr(info.filename, _part(package, info, sheets))
            return out.getvalue()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        return data


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part path → sheet name as compared."""
    workbook = package.read("xl/workbook.xml")
    rels = package.read("xl/_rels/workbook.xml.rels")
    targets: dict[bytes, bytes] = {}
    for element in _REL_RE.findall(rels):
        attributes = dict(_ATTR_RE.findall(element))
        if b"Id" in attributes and b"Target" in attributes:
            targets[attributes[b"Id"]] = attributes[b"Target"]
    parts: dict[str, str] = {}
    for name, rel_id in _SHEET_RE.findall(workbook):
        target = targets.get(rel_id, b"").decode()
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        key = re.sub(r"[^a-z0-9]", "", unescape(name.decode()).casefold())
        parts[path] = key
    return parts


def _part(package: zipfile.ZipFile, info: zipfile.ZipInfo, sheets: dict[str, str]) -> bytes:
    key = sheets.get(info.filename)
    if key is None:
        return package.read(info)
    if key not in _KEEP:
        return _EMPTY_SHEET
    columns = _KEEP[key]
    xml = package.read(info)
    if columns is None or len(xml) < _MIN_SIZE:
        return xml
    return _trim_rows(xml, columns)


def _trim_rows(xml: bytes, columns: str) -> bytes:
    """Drop the rows after the last one with a value in ``columns`` (e.g. ``A-F``)."""
    start, end = xml.find(b"<sheetData"), xml.find(b"</sheetData>")
    if start < 0 or end < 0:
        return xml
    first, last = columns.split("-")
    value_cell = re.compile(
        rb'<c r="['
        + first.encode()
        + b"-"
        + last.encode()
        + rb']\d+"[^>]*>'
        + _FORMULA
        + rb"(?:<v>[^<]|<is>)"
    )
    position = start
    for match in value_cell.finditer(xml, start, end):
        position = match.end()
    cut = xml.find(b"</row>", position, end)
    if cut < 0:
        return xml
    cut += len(b"</row>")
    return xml[:cut] + xml[end:]
