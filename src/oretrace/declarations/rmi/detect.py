"""Opening an uploaded file as a workbook, and telling which RMI template and version it is.

The family comes from the Declaration sheet's title (``… (CMRT)``, or the English title in
legacy files), the version from its "Revision 6.4 April 26, 2024" cell, or else from the
Revision sheet's history table. Both are read from the workbook itself; the file name is only a
hint for a template whose own cells are silent (CRT 2.21 still calls itself 2.2).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from python_calamine import CalamineError, CalamineWorkbook

from oretrace.core import bounds
from oretrace.declarations.rmi.maps import DECLARATION
from oretrace.declarations.rmi.model import Issue, TemplateError, gettext_noop
from oretrace.declarations.rmi.ooxml import Unsupported, XlsxBook
from oretrace.declarations.rmi.slim import slim_workbook
from oretrace.declarations.rmi.values import text

DEFAULT_PASSWORD = "VelvetSweatshop"  # noqa: S105 - Excel's own password for "encrypted" read-only files
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"

# The families by the title on a template's Declaration sheet, or by the code in its title
# (``registry.reference_files`` reads a template's Smelter Look-up sheet with them too).
TEMPLATE_TITLES = {
    "conflict minerals reporting template": "CMRT",
    "extended minerals reporting template": "EMRT",
    "extended mineral reporting template": "EMRT",
    "additional minerals reporting template": "AMRT",
    "pilot reporting template": "PRT",
    "cobalt reporting template": "CRT",
    "mica reporting template": "MRT",
}
TEMPLATE_CODE_RE = re.compile(r"\((CMRT|EMRT|AMRT|CRT|PRT|MRT)\)")
_REVISION_RE = re.compile(r"(?:Revision|Version)\s+(\d+(?:\.\d+)?)", re.IGNORECASE)
_NUMBER_RE = re.compile(r"'?(\d+(?:\.\d+)?)[a-z]?'?")
_FILENAME_RE = re.compile(r"(CMRT|EMRT|AMRT|CRT)[\s_\-]*v?(\d+\.\d+)", re.IGNORECASE)


class Book(Protocol):
    """A workbook as the reader sees it: sheet names, and a sheet's values by row from A1."""

    sheet_names: list[str]

    def rows(
        self, name: str, *, columns: int | None = None, keys: int | None = None
    ) -> Sequence[Sequence[Any]]:
        """Every row from A1. Hints the reader gives: it uses only the first ``columns``
        columns, and a row without a value in the first ``keys`` columns is of no use to it."""
        ...

    def first_rows(self, name: str, count: int) -> Sequence[Sequence[Any]]:
        """The first ``count`` rows of the used area (python-calamine's ``nrows``)."""
        ...


class CalamineBook:
    """Any workbook python-calamine opens (.xls, and .xlsx the fast path does not handle)."""

    def __init__(self, workbook: CalamineWorkbook, filename: str = "the workbook") -> None:
        self.workbook = workbook
        self.filename = filename
        self.sheet_names: list[str] = list(workbook.sheet_names)

    def rows(
        self, name: str, *, columns: int | None = None, keys: int | None = None
    ) -> list[list[Any]]:
        try:
            return self.workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            raise self._damaged(name, exc) from None

    def first_rows(self, name: str, count: int) -> list[list[Any]]:
        try:
            return self.workbook.get_sheet_by_name(name).to_python(nrows=count)
        except (CalamineError, ValueError) as exc:
            raise self._damaged(name, exc) from None

    def _damaged(self, name: str, exc: Exception) -> TemplateError:
        return TemplateError(
            "not-a-workbook", f"{self.filename}: the sheet {name!r} cannot be read: {exc}"
        )


def open_book(data: bytes, filename: str, *, fast: bool = True) -> Book:
    """The workbook in ``data``: an .xlsx read straight from its parts (`XlsxBook`) when
    ``fast`` and its package allows, else python-calamine. Raises `TemplateError` when it is not
    a workbook or needs a real password."""
    _refuse_other_files(data, filename)
    if data.startswith(_ZIP):
        _bounded(bounds.check_zip, data, filename)  # from the directory, nothing inflated yet
    if fast and data.startswith(_ZIP):
        try:
            return XlsxBook(data)
        except Unsupported:
            pass
    return CalamineBook(open_workbook(data, filename), filename)


def _bounded(check: Callable[[bytes, str], None], data: bytes, filename: str) -> None:
    """Run a check of `oretrace.core.bounds`, refusing the file as a `TemplateError`."""
    try:
        check(data, filename)
    except bounds.InputRefused as exc:
        if exc.code == "zip-damaged":
            raise TemplateError(
                "not-a-workbook", f"{filename}: could not be read as an Excel workbook: {exc}"
            ) from None
        raise TemplateError(exc.code, str(exc)) from None


def _refuse_other_files(data: bytes, filename: str) -> None:
    if data.startswith((_OLE, _ZIP)):
        return
    if not data.strip(b"\x00 \t\r\n"):
        raise TemplateError("not-a-workbook", f"{filename}: the file is empty")
    if what := bounds.foreign_kind(data):
        raise TemplateError(
            "not-a-workbook", f"{filename}: this is {what}, not an Excel workbook (.xlsx or .xls)"
        )
    raise TemplateError("not-a-workbook", f"{filename}: not an Excel workbook (.xlsx or .xls)")


def open_workbook(data: bytes, filename: str) -> CalamineWorkbook:
    """The workbook in ``data`` opened by python-calamine: .xlsx (slimmed first, see `slim`) or
    .xls, decrypted with Excel's default password if needed. Raises `TemplateError` when it is
    not a workbook or needs a real password."""
    _refuse_other_files(data, filename)
    if data.startswith(_OLE):
        data = _decrypt_if_needed(data, filename)
    if data.startswith(_ZIP):
        # python-calamine does not stop at the sizes the directory declares: every part is
        # inflated once, in steps and kept nowhere, to prove them before it opens the package
        _bounded(bounds.verify_zip, data, filename)
        data = slim_workbook(data)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise TemplateError(
            "not-a-workbook", f"{filename}: could not be read as an Excel workbook: {exc}"
        ) from exc


def _decrypt_if_needed(data: bytes, filename: str) -> bytes:
    """An OLE file is an .xls, or an encrypted .xlsx/.xls: try Excel's default password."""
    import msoffcrypto  # imported here: only encrypted uploads need it
    from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if not office.is_encrypted():
            return data
    except (FileFormatError, ValueError, OSError, AssertionError):
        return data  # not something msoffcrypto knows: let calamine try
    try:
        office.load_key(password=DEFAULT_PASSWORD, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    except (InvalidKeyError, DecryptionError, FileFormatError, ValueError, AssertionError):
        raise TemplateError(
            "encrypted",
            f"{filename}: the workbook is protected by a password; save it without a password "
            "(File > Info > Protect Workbook > Encrypt with Password, then clear it) and upload "
            "it again",
        ) from None
    return out.getvalue()


def sheet_lookup(book: Book) -> dict[str, str]:
    """Sheet name as compared (lower case, letters and digits) → sheet name as stored."""
    return {re.sub(r"[^a-z0-9]", "", s.casefold()): s for s in book.sheet_names}


def detect(book: Book, filename: str) -> tuple[str, str, Sequence[Sequence[Any]], list[Issue]]:
    """(family, version, Declaration rows, notes) of an RMI template.

    Raises `TemplateError` ``not-a-template`` when the workbook is no RMI reporting template.
    The notes (warnings) say where the version came from when that was not the workbook's own
    cells.
    """
    sheets = sheet_lookup(book)
    if "declaration" not in sheets:
        raise TemplateError(
            "not-a-template",
            f"{filename}: not an RMI reporting template: there is no 'Declaration' sheet "
            f"(the sheets are: {', '.join(book.sheet_names[:12])})",
        )
    rows = book.rows(sheets["declaration"])
    family, version = _from_heading(rows[:4])
    if "revision" in sheets and not (family and version):
        revision = book.first_rows(sheets["revision"], 80)
        family = family or _family_in(revision[:12])
        version = version or _last_revision(revision)
    if not family:
        raise TemplateError(
            "not-a-template",
            f"{filename}: not an RMI reporting template: the Declaration sheet names no CMRT, "
            "EMRT, AMRT or CRT in its title",
        )
    if family == "PRT":
        raise TemplateError(
            "unsupported-version",
            f"{filename}: PRT (Pilot Reporting Template) version {version} is not supported; "
            "oretrace reads its successor AMRT 1.2-1.3",
        )
    if family == "MRT":
        raise TemplateError(
            "unsupported-version",
            f"{filename}: the Mica Reporting Template is not supported; mica is declared on "
            "the EMRT (1.1-2.1)",
        )
    notes: list[Issue] = []
    named = _FILENAME_RE.search(filename)
    if named and named.group(1).upper() == family:
        # CRT 2.21 still says "Revision 2.2": a file name that refines the version is kept.
        hinted = named.group(2)
        if hinted != version and hinted.startswith(version) and version:
            notes.append(
                Issue.of(
                    "version-from-filename",
                    gettext_noop(
                        "the workbook says %(family)s %(version)s; the file name's %(hinted)s "
                        "is used"
                    ),
                    DECLARATION,
                    family=family,
                    version=version,
                    hinted=hinted,
                )
            )
            version = hinted
    if not version and "smelterandminelist" in sheets:
        version = "1.x"
    return family, version, rows, notes


def _from_heading(rows: Sequence[Sequence[Any]]) -> tuple[str, str]:
    family = version = ""
    for row in rows:
        for index, value in enumerate(row):
            cell = text(value)
            if not cell:
                continue
            if not family:
                if match := TEMPLATE_CODE_RE.search(cell):
                    family = match.group(1)
                else:
                    family = TEMPLATE_TITLES.get(cell.casefold(), "")
            if not version:
                if match := _REVISION_RE.search(cell):
                    version = match.group(1)
                elif (
                    cell.casefold() == "revision"
                    and index + 1 < len(row)
                    and (number := re.match(r"(\d+(?:\.\d+)?)", text(row[index + 1])))
                ):
                    # CMRT 1.0: "Revision" | "1. July 18th 2011"
                    version = number.group(1)
    return family, version


def _family_in(rows: Sequence[Sequence[Any]]) -> str:
    for row in rows:
        for value in row:
            if family := TEMPLATE_TITLES.get(text(value).casefold()):
                return family
    return ""


def _last_revision(rows: Sequence[Sequence[Any]]) -> str:
    """The last version number in the Revision sheet's history table (column A or B)."""
    found = ""
    for row in rows:
        for value in row[:2]:
            if isinstance(value, int | float) and not isinstance(value, bool):
                found = text(value) if value != int(value) else f"{int(value)}.0"
            elif match := _NUMBER_RE.fullmatch(text(value)):
                found = match.group(1)
    return found
