"""The supplier list from a file: name, reference, e-mail, country (and contact name).

The file is what users have: an Excel workbook (.xlsx, .xlsm or .xls: its first sheet) or a
CSV file in any common encoding (UTF-8 with or without BOM, UTF-16 with BOM, Windows code
pages such as cp1252, Shift-JIS …: detected with charset-normalizer). Header names are matched
loosely ("Supplier name", "E-mail address", "Country code" …), and a CSV's delimiter is found
from its header line (comma, semicolon or tab).

`read_suppliers` reads no database and writes nothing: bytes in, the rows and every error by
row and column out (`services.suppliers.import_suppliers` resolves the countries against the
reference list and writes, all or nothing). It is not in the pure ``rmi`` package because its
messages are translated with Django's gettext and e-mail addresses checked with Django's
validator.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from charset_normalizer import from_bytes
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core import bounds
from oretrace.declarations.exceptions import DeclarationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ERRORS = 20
FIELDS = ("name", "reference", "email", "country", "contact_name")
LIMITS = {"name": 300, "reference": 80, "email": 254, "contact_name": 200}
# Header spellings seen in supplier lists, compared in lower case with letters and digits only.
ALIASES = {
    "name": {
        "name",
        "supplier",
        "suppliername",
        "company",
        "companyname",
        "legalname",
        "vendor",
        "vendorname",
    },
    "reference": {
        "reference",
        "ref",
        "yourreference",
        "suppliercode",
        "supplierid",
        "suppliernumber",
        "vendorcode",
        "vendorid",
        "vendornumber",
        "code",
        "id",
    },
    "email": {
        "email",
        "emailaddress",
        "mail",
        "contactemail",
        "contactemailaddress",
        "courriel",
    },
    "country": {"country", "countrycode", "iso", "isocode", "iso2", "countryiso"},
    "contact_name": {"contact", "contactname", "contactperson"},
}


@dataclass
class SupplierList:
    """What `read_suppliers` found: the rows as (row number, {field: text}), every problem by
    row and column, and what a row number counts ("line" in a CSV file, "row" in a sheet)."""

    rows: list[tuple[int, dict[str, str]]]
    errors: list[str]
    unit: str = "line"


# A workbook's inflated size: a supplier list of the most rows allowed is a few megabytes.
MAX_INFLATED_MB = 25
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and encrypted workbooks)


def key_of(text: str) -> str:
    """Text compared loosely: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _decode(data: bytes) -> str:
    """The text of a CSV file: a BOM decides; else UTF-8 if it is valid; else the encoding
    charset-normalizer finds (Windows-1252 where it fits as well as its first guess)."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DeclarationError(
                    _("the file starts as %(encoding)s text but byte %(at)s is not: %(error)s")
                    % {"encoding": encoding.upper(), "at": exc.start, "error": exc.reason}
                ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise DeclarationError(
            _(
                "the file is not text in an encoding oretrace recognises: save it as CSV UTF-8 "
                "or as an Excel workbook"
            )
        )
    encoding = best.encoding
    for other in matches:  # equally likely Western single-byte pages: Windows-1252 is the usual
        if (
            other.encoding == "cp1252"
            and other.chaos <= best.chaos
            and other.coherence >= best.coherence
        ):
            encoding = "cp1252"
    return data.decode(encoding)


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = key_of(title)
        for name, spellings in ALIASES.items():
            if key in spellings:
                if name in found:
                    raise DeclarationError(
                        _("line 1: two columns mean %(field)s (%(a)r and %(b)r)")
                        % {"field": name, "a": header[found[name]], "b": title}
                    )
                found[name] = index
    if "name" not in found:
        raise DeclarationError(
            _(
                "line 1: no column for the supplier's name (expected a header such as "
                "'name', 'supplier' or 'company'; found %(found)s)"
            )
            % {"found": ", ".join(repr(h) for h in header) or _("nothing")}
        )
    return found


def _is_workbook(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(EXCEL_SUFFIXES) or data.startswith((b"PK\x03\x04", OLE))


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV file would hold: 1001.0 is "1001", a date ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _sheet_rows(data: bytes, filename: str) -> list[list[str]]:
    """The first sheet of a workbook as rows of text, within the size limits."""
    from python_calamine import CalamineWorkbook

    if data.startswith(b"PK"):
        limits = bounds.Limits(
            zip_max_inflated=min(MAX_INFLATED_MB * bounds.MIB, bounds.current().zip_max_inflated),
            zip_max_entries=bounds.current().zip_max_entries,
        )
        try:
            bounds.verify_zip(data, filename, limits)
        except bounds.InputRefused as exc:
            raise DeclarationError(str(exc)) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # python-calamine raises its own kinds for a damaged workbook
        raise DeclarationError(
            _("%(file)s cannot be read as an Excel workbook: %(error)s")
            % {"file": filename, "error": exc}
        ) from None
    return [[_cell_text(v) for v in row] for row in rows]


def _text_rows(data: bytes) -> list[list[str]]:
    text = _decode(data).replace("\x00", "")
    if not text.strip():
        raise DeclarationError(_("the file is empty"))
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:  # newline="": a bare carriage return ends a line, as in a file opened for csv
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DeclarationError(
            _("the file is not a readable CSV list: %(error)s") % {"error": exc}
        ) from None


def read_suppliers(data: bytes, filename: str = "suppliers.csv") -> SupplierList:
    """The rows of a supplier list (CSV or Excel) and every bad cell by row and column; raises
    `DeclarationError` for a file that is no list at all. Reads no database."""
    if len(data) > MAX_BYTES:
        raise DeclarationError(
            _("the file is larger than %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise DeclarationError(_("the file is empty"))
    workbook = _is_workbook(data, filename)
    rows = _sheet_rows(data, filename) if workbook else _text_rows(data)
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)  # a sheet may start lower down
    if not rows:
        raise DeclarationError(_("the file is empty"))
    columns = _columns([c.strip() for c in rows[0]])
    if len(rows) - 1 > MAX_ROWS:
        raise DeclarationError(
            ngettext(
                "%(count)s row; the limit is %(limit)s",
                "%(count)s rows; the limit is %(limit)s",
                len(rows) - 1,
            )
            % {"count": len(rows) - 1, "limit": MAX_ROWS}
        )
    result = SupplierList([], [], "row" if workbook else "line")
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {
            name: (row[index].strip() if index < len(row) else "")
            for name, index in columns.items()
        }
        result.errors.extend(_check(result.unit, line, values, seen))
        result.rows.append((line, values))
    if not result.rows and not result.errors:
        raise DeclarationError(_("the file has a header but no suppliers"))
    return result


def problem_at(unit: str, line: int, column: str, problem: str) -> str:
    """A problem of one cell, named by its row (or line) and column."""
    if unit == "row":
        return _("row %(line)s, column %(column)s: %(problem)s") % {
            "line": line,
            "column": column,
            "problem": problem,
        }
    return _("line %(line)s, column %(column)s: %(problem)s") % {
        "line": line,
        "column": column,
        "problem": problem,
    }


def _check(unit: str, line: int, values: dict[str, str], seen: dict[str, int]) -> list[str]:
    errors = []

    def bad(column: str, problem: str) -> None:
        errors.append(problem_at(unit, line, column, problem))

    values["name"] = " ".join(values["name"].split())
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            bad(name, _("longer than %(limit)s characters") % {"limit": limit})
    if not values["name"]:
        bad("name", _("the supplier's name is empty"))
    else:
        key = values["name"].casefold()
        if key in seen:
            bad(
                "name",
                _("%(name)r is already on line %(other)s")
                % {"name": values["name"], "other": seen[key]},
            )
        seen[key] = line
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            bad("email", _("%(value)r is not an e-mail address") % {"value": email})
    return errors
