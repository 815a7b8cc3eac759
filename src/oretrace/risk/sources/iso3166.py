"""ISO 3166-1 country codes, from the CSV of ``datasets/country-codes`` (or any CSV with its
column names: ``ISO3166-1-Alpha-2``, ``ISO3166-1-Alpha-3``, ``ISO3166-1-numeric`` and a name
in ``CLDR display name`` or ``official_name_en``)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from oretrace.risk.sources.base import SourceEdition, SourceError, unique_rows

PUBLISHER = "ISO 3166 Maintenance Agency (via datasets/country-codes)"
COLUMNS = ("ISO3166-1-Alpha-2", "ISO3166-1-Alpha-3", "ISO3166-1-numeric")
NAMES = ("CLDR display name", "official_name_en", "name")
FORMATS = {
    "ISO3166-1-Alpha-2": re.compile(r"[A-Z]{2}"),
    "ISO3166-1-Alpha-3": re.compile(r"[A-Z]{3}"),
    "ISO3166-1-numeric": re.compile(r"\d{1,3}"),
}


@dataclass(frozen=True)
class CountryCodeRow:
    """One country's ISO 3166-1 codes and English name."""

    alpha2: str
    alpha3: str
    numeric: str
    name: str

    @property
    def key(self) -> str:
        return self.alpha2

    def compared(self) -> Mapping[str, str]:
        return {"alpha3": self.alpha3, "numeric": self.numeric, "name": self.name}


def read_iso3166(data: bytes, filename: str) -> SourceEdition:
    """Every country of the CSV (each code checked for its form)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(filename, f"byte {exc.start}", "not UTF-8 text, so not a CSV") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    name_column = next((c for c in NAMES if c in header), None)
    if missing or name_column is None:
        raise SourceError(
            filename,
            "line 1",
            "not an ISO 3166 country-code CSV: the header lacks "
            + ", ".join(missing + ([] if name_column else [" or ".join(NAMES)])),
        )
    located = (
        (f"line {reader.line_num}", _row(record, name_column, f"line {reader.line_num}", filename))
        for record in reader
    )
    rows = unique_rows(located, filename, ("", "the CSV has a header and no country"))
    return SourceEdition("iso3166", PUBLISHER, rows)


def _row(record: dict[str, str | None], name_column: str, at: str, filename: str) -> CountryCodeRow:
    values = {}
    for column, form in FORMATS.items():
        value = (record.get(column) or "").strip()
        if not form.fullmatch(value):
            raise SourceError(filename, at, f"{column} is {value!r}, not a code of its form")
        values[column] = value
    name = (record.get(name_column) or "").strip()
    if not name:
        raise SourceError(filename, at, f"{values['ISO3166-1-Alpha-2']} has no {name_column}")
    return CountryCodeRow(
        values["ISO3166-1-Alpha-2"],
        values["ISO3166-1-Alpha-3"],
        values["ISO3166-1-numeric"].zfill(3),
        name,
    )
