"""Tables written out as CSV or XLSX: every list's download and the roll-up reports.

One writer for both, so that every export keeps the same promises:

- an empty cell stays empty (no apostrophe, no "None");
- text that a spreadsheet would run as a formula is defused: in CSV with a leading apostrophe
  (OWASP's CSV-injection advice), in XLSX by storing it as a text cell, which runs nothing;
- any character survives: what XML cannot carry (NUL, the other C0 controls but tab, line feed
  and carriage return, U+FFFE/U+FFFF, unpaired surrogates) becomes U+FFFD, visibly;
- memory stays bounded whatever the length: rows are consumed from an iterator, CSV is
  produced in chunks and XLSX through openpyxl's write-only mode into a temporary file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A text cell starting with one of these runs as a formula when a spreadsheet opens a CSV file.
FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")
_UNPAIRED_SURROGATES = re.compile("[\ud800-\udfff]")
_NOT_XML = re.compile("[\ufffe\uffff]")  # not XML characters either
CSV_CHUNK_ROWS = 500  # rows per chunk of a streamed CSV
SPOOL_BYTES = 8 * 1024 * 1024  # an XLSX bigger than this is written to disk, not memory

Row = Sequence[Any]


def plain(value: Any) -> Any:
    """``value`` as a report cell holds it: dates in ISO 8601, decimals as numbers, booleans
    and None as they are; anything else as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.isoformat(timespec="seconds") + "Z"
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)  # a number the spreadsheet can sum
    return str(value)


def csv_cell(value: Any) -> Any:
    """``value`` as written to a CSV report: text that would start a formula gets a leading
    apostrophe; every other value, the empty text included, is written as it is."""
    value = plain(value)
    if isinstance(value, str):
        value = _UNPAIRED_SURROGATES.sub("\ufffd", value)  # UTF-8 cannot carry them
        return "'" + value if value.startswith(FORMULA_SIGNS) else value
    return value


def xlsx_cell(value: Any) -> Any:
    """``value`` as written to an XLSX report: characters XML cannot carry become U+FFFD."""
    value = plain(value)
    if isinstance(value, str):
        value = _UNPAIRED_SURROGATES.sub("\ufffd", value)
        return _NOT_XML.sub("\ufffd", ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    return value


class _Buffer:
    """What ``csv.writer`` writes into, emptied after each chunk."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        return data


def csv_chunks(header: Row, rows: Iterable[Row]) -> Iterator[bytes]:
    """A CSV report in chunks of bytes (UTF-8 with a BOM, so that Excel reads it as UTF-8)."""
    buffer = _Buffer()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(str(h)) for h in header])
    yield b"\xef\xbb\xbf" + buffer.take()
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v) for v in row])
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.take()
    rest = buffer.take()
    if rest:
        yield rest


def as_csv(header: Row, rows: Iterable[Row]) -> bytes:
    """A whole CSV report as bytes (for short ones; stream long ones with `csv_chunks`)."""
    return b"".join(csv_chunks(header, rows))


def write_xlsx(title: str, header: Row, rows: Iterable[Row], out: IO[bytes]) -> int:
    """Write an XLSX report of one sheet into ``out``; returns the number of rows written.

    Text is stored as text cells, never as formulas, so a name that starts with '=' shows as
    written and runs nothing; no apostrophe is added. openpyxl's write-only mode writes each
    row as it comes, so memory does not grow with the number of rows (only with the
    distinct texts of the shared-string table).
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(xlsx_cell(str(title))[:31] or "Sheet")
    count = -1
    sheet.append([_text_cell(sheet, str(h)) for h in header])
    count = 0
    for count, values in enumerate(rows, start=1):  # noqa: B007 (the count is the result)
        sheet.append([_text_cell(sheet, v) for v in values])
    workbook.save(out)
    return count


def _text_cell(sheet: Any, value: Any) -> Any:
    value = xlsx_cell(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl takes text starting with '=' for a formula
        return cell
    return value


def as_xlsx(title: str, header: Row, rows: Iterable[Row]) -> bytes:
    """A whole XLSX report as bytes."""
    out = io.BytesIO()
    write_xlsx(title, header, rows, out)
    return out.getvalue()


def spooled_xlsx(title: str, header: Row, rows: Iterable[Row]) -> IO[bytes]:
    """An XLSX report in a temporary file (in memory while small), positioned at its start."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (handed to the response)
    write_xlsx(title, header, rows, out)
    out.seek(0)
    return out
