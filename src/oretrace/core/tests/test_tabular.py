"""The report writers: empty cells stay empty, formulas never run, any character survives,
long tables stream in bounded chunks."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl

from oretrace.core.tabular import CSV_CHUNK_ROWS, as_csv, as_xlsx, csv_chunks

NASTY = [
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "Giri\x00dih",  # NUL
    "bell\x07",
    "\ufffe",
    "lone \ud800 surrogate",
    "गिरिडीह",
    "東京精錬",
    "Ünïcødé — “quotes”, commas",
]


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_keeps_empty_cells_empty_and_defuses_formulas():
    # given a table with empty cells, None and formula-like text
    rows = _csv(as_csv(("a", "b"), [("", None), ("=1+1", "plain"), ("-3", 0)]))
    # then empty stays empty, formulas get an apostrophe, the rest is as written
    assert rows == [["a", "b"], ["", ""], ["'=1+1", "plain"], ["'-3", "0"]]


def test_csv_survives_any_character_and_keeps_non_latin_text():
    rows = _csv(as_csv(("name",), [(v,) for v in NASTY]))
    written = [r[0] for r in rows[1:]]
    assert written[8:] == ["गिरिडीह", "東京精錬", "Ünïcødé — “quotes”, commas"]
    assert written[4] == "Giri\x00dih"  # CSV carries NUL as it is
    assert written[7] == "lone \ufffd surrogate"  # UTF-8 cannot carry a lone surrogate


def test_xlsx_reads_back_with_text_as_text_and_illegal_characters_replaced():
    data = as_xlsx("report", ("a", "b"), [(v, "") for v in NASTY] + [(3, None)])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("a", "b")
    assert values[1][0] == '=HYPERLINK("http://x")'  # a text cell, not a formula
    assert sheet["A2"].data_type == "s"
    assert values[5][0] == "Giri\ufffddih"
    assert values[6][0] == "bell\ufffd"
    assert values[9][0] == "गिरिडीह"
    assert values[1][1] is None  # the empty text stays an empty cell, never "'"
    assert values[-1] == (3, None)


def test_dates_in_iso_and_decimals_as_numbers():
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    rows = _csv(as_csv(("when", "day", "kg"), [(when, dt.date(2026, 3, 2), Decimal("12.5"))]))
    assert rows[1] == ["2026-03-01T09:30:00Z", "2026-03-02", "12.5"]


def test_csv_is_streamed_in_chunks_from_an_iterator():
    produced = 0

    def rows():
        nonlocal produced
        for i in range(CSV_CHUNK_ROWS * 3):
            produced += 1
            yield (i,)

    chunks = csv_chunks(("n",), rows())
    next(chunks)  # the header
    next(chunks)  # the first chunk of rows
    # only one chunk's rows were read so far: memory does not grow with the table
    assert produced == CSV_CHUNK_ROWS
    assert len(list(chunks)) == 2
