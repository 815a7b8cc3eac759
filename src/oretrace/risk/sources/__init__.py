"""Readers of the reference risk lists: bytes in, an edition's rows (dataclasses) out.

Pure: no Django, no settings, no database. Each reader refuses a file that is not what it
reads with a ``SourceError`` naming the file, the line or element, and what is wrong; a
file larger than ``MAX_BYTES`` is refused before it is parsed, so memory stays bounded.

- ``dol-goods``: the US DOL ILAB List of Goods Produced by Child Labor or Forced Labor (XML,
  as DOL's own app ships it: ``<Goods><Good>…<Countries><Country>``), one row per good and
  country;
- ``dol-countries``: DOL's country profiles (``<Countries><Country>``), one row per country;
- ``cahra``: the EU's indicative list of conflict-affected and high-risk areas (JSON, one entry
  per country with its ISO 3166-2 regions, or a whole-country designation), one row per region
  or whole country;
- ``iso3166``: ISO 3166-1 country codes (the ``datasets/country-codes`` CSV), one row per
  country.
"""

from __future__ import annotations

from oretrace.risk.sources.base import (
    KINDS,
    MAX_BYTES,
    SourceEdition,
    SourceError,
    SourceRow,
)
from oretrace.risk.sources.cahra import read_cahra
from oretrace.risk.sources.counts import count_rows
from oretrace.risk.sources.diff import Change, EditionDiff, diff_rows
from oretrace.risk.sources.dol import read_dol_countries, read_dol_goods
from oretrace.risk.sources.iso3166 import read_iso3166

READERS = {
    "dol-goods": read_dol_goods,
    "dol-countries": read_dol_countries,
    "cahra": read_cahra,
    "iso3166": read_iso3166,
}


def read_edition(kind: str, data: bytes, filename: str) -> SourceEdition:
    """The rows of ``data``, read as a list of ``kind``; a ``SourceError`` when it is not one."""
    reader = READERS.get(kind)
    if reader is None:
        raise SourceError(filename, "", f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    if not data:
        raise SourceError(filename, "", "the file is empty")
    if len(data) > MAX_BYTES:
        raise SourceError(
            filename,
            "",
            f"the file has {len(data):,} bytes; a reference list may have at most {MAX_BYTES:,}",
        )
    return reader(data, filename)


__all__ = [
    "KINDS",
    "MAX_BYTES",
    "READERS",
    "Change",
    "EditionDiff",
    "SourceEdition",
    "SourceError",
    "SourceRow",
    "count_rows",
    "diff_rows",
    "read_edition",
]
