"""What a list's download streams, read back as a spreadsheet program would read it."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl


def xlsx_rows(response: Any) -> list[tuple[object, ...]]:
    """The rows of the streamed workbook's first sheet, as values."""
    data = b"".join(response.streaming_content)
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of the streamed CSV (UTF-8 with its BOM)."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
