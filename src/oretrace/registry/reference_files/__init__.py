"""Reading the reference files users supply: RMI Smelter Look-up sheets and facility-list exports.

Pure: bytes in, dataclasses and messages out; no ORM, no settings. The registry's import job
stages what `read_reference_file` returns and commits it through services.

What is recognised
------------------
* **An RMI reporting template** (CMRT, EMRT, AMRT, CRT, any 6.x/1.x/2.x version): its
  ``Smelter Look-up`` sheet. Templates are often saved in another language; then every label is a
  formula that reads back in that language (the blank templates we test against read back in
  Chinese), so the sheet is read by **column position** (A metal, B alias, C standard smelter
  name, D country, E smelter ID, F source of the ID, G street, H city, I state/province), and the
  header row is found from the data, not from its labels: it is the last non-empty row above the
  first row whose column A names a metal. Placeholder rows ("Smelter not listed", "Smelter not
  yet identified") are skipped. The template and its version come from the ``Declaration`` title
  ("… (CMRT)") and its "Revision 6.5" cell, or the ``Revision`` sheet.
  A legacy CMRT 2.x/3.x ``Standard Smelter Names`` sheet is read like a facility list.
* **An RMI facility-list export** (XLSX or CSV), such as the Conformant / Active / all-smelter
  lists: sheets whose header row (within the first 15 rows) names at least a metal or a smelter
  ID and a smelter name. Headers are matched case-insensitively against the RMI's English column
  names and a few synonyms (``_LIST_COLUMNS``). Every such sheet of a workbook is read, and rows
  for the same metal, ID and name are merged (the first sheet wins, later ones fill blanks);
  status and last audit date are then shared by all rows of the same smelter ID. Revision-history
  sheets are skipped with a warning.

Old CFSI smelter IDs (``1JPN072``) are translated to CIDs through a mapping loaded with
`load_id_translation`; the old ID is kept in ``extra["cfsi_id"]``.

Everything that is wrong with the file as a whole raises `ReferenceFileError`; everything wrong
with one row becomes an entry in ``errors`` (row not usable) or ``warnings`` (row kept), each
naming the file, sheet, row or cell, and what was expected.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from oretrace.core import bounds
from oretrace.registry.matching.normalise import CID_RE, OLD_SMELTER_ID_RE, normalise_identifier
from oretrace.registry.reference_files.lists import read_lists
from oretrace.registry.reference_files.lookup import (
    LOOKUP_SHEETS,
    TEMPLATE_ANSWER_SHEETS,
    detect_template,
    read_lookup,
    rows_of,
    sheet_key,
)
from oretrace.registry.reference_files.rows import ReferenceFile, ReferenceFileError, ReferenceRow

__all__ = [
    "ReferenceFile",
    "ReferenceFileError",
    "ReferenceRow",
    "load_id_translation",
    "read_reference_file",
]


# --- entry points -------------------------------------------------------------------------------


def read_reference_file(
    data: bytes, filename: str, *, id_translation: Mapping[str, str] | None = None
) -> ReferenceFile:
    """Read a Smelter Look-up sheet or a facility list from an uploaded file.

    ``id_translation`` maps old CFSI smelter IDs to CIDs (see `load_id_translation`).
    Raises `ReferenceFileError` when the file is not a workbook or CSV, or holds no sheet that
    can be read as a reference list.
    """
    translation = {normalise_identifier(k): v for k, v in (id_translation or {}).items()}
    kind = _sniff(data, filename)
    if kind == "csv":
        return _read_csv(data, filename, translation)
    workbook = _open_workbook(data, filename)
    return _read_workbook(workbook, filename, translation)


def load_id_translation(data: bytes) -> dict[str, str]:
    """Old CFSI smelter ID → CID, from a CSV such as the v2-to-v3 translation table.

    Columns are found by their content, not their headers: in each row, the first cell shaped
    like an old ID (``1JPN072``) is mapped to the first cell shaped like a CID. The first
    mapping of an old ID wins.
    """
    if not data.strip():
        raise ReferenceFileError("the ID translation file is empty")
    mapping: dict[str, str] = {}
    where = "the ID translation file"
    for cells in _csv_rows(_decode(data, where), csv.excel, where):
        ids = [normalise_identifier(c) for c in cells]
        old = next((i for i in ids if OLD_SMELTER_ID_RE.match(i)), "")
        cid = next((i for i in ids if CID_RE.match(i)), "")
        if old and cid:
            mapping.setdefault(old, cid)
    if not mapping:
        raise ReferenceFileError(
            "the ID translation file holds no row with an old smelter ID (like 1JPN072) "
            "and a CID (like CID000019)"
        )
    return mapping


# --- file kinds ---------------------------------------------------------------------------------


def _sniff(data: bytes, filename: str) -> str:
    if not data.strip():
        raise ReferenceFileError(f"{filename}: the file is empty")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "workbook"
    if what := bounds.foreign_kind(data):
        raise ReferenceFileError(
            f"{filename}: this is {what}, not an Excel workbook (.xlsx, .xls) or a CSV file"
        )
    if b"\x00" in data[:4096]:
        raise ReferenceFileError(
            f"{filename}: not an Excel workbook (.xlsx, .xls) or a CSV file (binary content)"
        )
    return "csv"


def _open_workbook(data: bytes, filename: str) -> CalamineWorkbook:
    if data.startswith(b"PK"):
        # python-calamine does not stop at the sizes a zip's directory declares: prove them
        try:
            bounds.verify_zip(data, filename)
        except bounds.InputRefused as exc:
            if exc.code == "zip-damaged":  # not a bomb: a file that is no workbook at all
                raise ReferenceFileError(
                    f"{filename}: could not be read as an Excel workbook ({exc})"
                ) from None
            raise ReferenceFileError(str(exc)) from None
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        hint = (
            " (an encrypted or password-protected workbook must be saved without a password)"
            if data.startswith(b"\xd0\xcf\x11\xe0")
            else ""
        )
        raise ReferenceFileError(
            f"{filename}: could not be read as an Excel workbook{hint}: {exc}"
        ) from exc


def _csv_rows(text: str, dialect: Any, where: str) -> list[list[Any]]:
    """The rows of CSV text; a bare carriage return ends a line (``newline=""``)."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ReferenceFileError(f"{where}: not a readable CSV file: {exc}") from None


def _decode(data: bytes, where: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReferenceFileError(f"{where}: the text is not valid UTF-16") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReferenceFileError(f"{where}: the text is neither UTF-8 nor Windows-1252")


def _read_workbook(
    workbook: CalamineWorkbook, filename: str, translation: Mapping[str, str]
) -> ReferenceFile:
    sheets = {sheet_key(s): s for s in workbook.sheet_names}
    template, version, notes = detect_template(workbook, sheets, filename)
    lookup = next((sheets[k] for k in LOOKUP_SHEETS if k in sheets), None)
    if lookup is not None:
        result = read_lookup(rows_of(workbook, lookup), filename, lookup, translation)
        result.template, result.version = template, version
        result.source = " ".join(p for p in (template, version, "Smelter Look-up") if p)
        result.warnings[:0] = notes
        return result
    is_template = "declaration" in sheets
    candidates = [
        s
        for s in workbook.sheet_names
        if not (is_template and sheet_key(s) in TEMPLATE_ANSWER_SHEETS)
    ]
    tables = [(s, rows_of(workbook, s)) for s in candidates]
    listed = read_lists(tables, filename, translation, workbook=True)
    if listed is None:
        if is_template and template:
            named = " ".join(p for p in (template, version) if p)
            raise ReferenceFileError(
                f"{filename}: this RMI {named} template has no 'Smelter Look-up' "
                "sheet (the AMRT has one from version 1.3); use a template version that has one "
                "or an RMI facility-list export"
            )
        raise ReferenceFileError(
            f"{filename}: no sheet to read: expected a 'Smelter Look-up' sheet or a sheet whose "
            "header row names at least a metal or smelter ID column and a smelter name column "
            f"(the sheets are: {', '.join(workbook.sheet_names)})"
        )
    listed.template, listed.version = template, version
    if is_template:
        listed.kind = "smelter-lookup"
        listed.source = " ".join(p for p in (template, version, listed.sheet) if p)
    listed.warnings[:0] = notes
    return listed


def _read_csv(data: bytes, filename: str, translation: Mapping[str, str]) -> ReferenceFile:
    text = _decode(data, filename)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = _csv_rows(text, dialect, filename)
    result = read_lists([(filename, rows)], filename, translation, workbook=False)
    if result is None:
        seen = next((r for r in rows if any(c.strip() for c in r)), [])
        raise ReferenceFileError(
            f"{filename}: no header row found in the first 15 rows (the first row names "
            f"{', '.join(repr(c) for c in seen[:8]) or 'nothing'}); expected columns such as "
            "Metal, Smelter ID, Standard Smelter Name, Country, RMI Status"
        )
    result.sheet = ""
    result.source = f"facility list {filename}"
    return result
