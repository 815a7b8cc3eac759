"""The EU's indicative list of conflict-affected and high-risk areas (CAHRAs), as JSON.

The shape read is the one of ``Pangea-Intelligence/dpp-lint`` ``data/cahra.json`` (pulled
from the cahraslist.net API): ``meta`` (``version``, ``dataUpdated``, ``retrieved``) and
``entries``, one per country with ``iso2`` and either ``regions`` (each with an ISO 3166-2
``code``, ``conflictAffected`` and ``highRisk``) or ``wholeCountry: true`` and no regions.
One row per region, and one per whole-country designation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from oretrace.risk.sources.base import SourceEdition, SourceError, unique_rows

PUBLISHER = "European Commission (indicative CAHRA list, RAND Europe)"
WHAT = "a CAHRA list (JSON with 'meta' and 'entries')"
ALPHA2 = re.compile(r"[A-Z]{2}")
SUBDIVISION = re.compile(r"([A-Z]{2})-[A-Z0-9]{1,3}")


@dataclass(frozen=True)
class CahraRow:
    """One area on the list: an ISO 3166-2 region, or a whole country (no region code)."""

    country_code: str
    country_name: str
    region_code: str  # "" for a whole-country designation
    region_name: str
    conflict_affected: bool
    high_risk: bool
    whole_country: bool

    @property
    def key(self) -> str:
        return self.region_code or self.country_code

    def compared(self) -> Mapping[str, str]:
        return {
            "name": self.region_name or self.country_name,
            "conflict_affected": "yes" if self.conflict_affected else "no",
            "high_risk": "yes" if self.high_risk else "no",
            "whole_country": "yes" if self.whole_country else "no",
        }


def read_cahra(data: bytes, filename: str) -> SourceEdition:
    """Every region and whole country of the list, with the edition the file names."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(filename, f"byte {exc.start}", f"not UTF-8 text, so not {WHAT}") from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            filename, f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise SourceError(filename, "", "the JSON is nested too deeply to be a list") from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise SourceError(filename, "", f"no 'entries' list: this is not {WHAT}")
    meta: dict[str, Any] = document["meta"] if isinstance(document.get("meta"), dict) else {}
    rows = unique_rows(
        (
            (f"entries[{n}]", row)
            for n, entry in enumerate(document["entries"])
            for row in _entry_rows(entry, f"entries[{n}]", filename)
        ),
        filename,
        ("entries", "the list names no area"),
    )
    return SourceEdition(
        "cahra",
        PUBLISHER,
        rows,
        label=str(meta.get("version") or "")[:200],
        published=_date(meta.get("dataUpdated"), filename, "meta.dataUpdated"),
        retrieved=_date(meta.get("retrieved"), filename, "meta.retrieved"),
    )


def _entry_rows(entry: Any, at: str, filename: str) -> list[CahraRow]:
    if not isinstance(entry, dict):
        raise SourceError(filename, at, "an entry is not an object")
    code = entry.get("iso2")
    name = str(entry.get("countryName") or "").strip()
    if not isinstance(code, str) or not ALPHA2.fullmatch(code):
        raise SourceError(
            filename, f"{at}.iso2", f"{code!r} is not an ISO 3166-1 alpha-2 code (two capitals)"
        )
    regions = entry.get("regions")
    if regions is None:
        if entry.get("wholeCountry") is not True:
            raise SourceError(
                filename, at, f"{name or code} has no regions and is not marked wholeCountry"
            )
        return [CahraRow(code, name, "", "", False, False, True)]
    if not isinstance(regions, list) or not regions:
        raise SourceError(filename, f"{at}.regions", "expected a list of regions (or null)")
    return [
        _region(region, code, name, f"{at}.regions[{i}]", filename)
        for i, region in enumerate(regions)
    ]


def _region(region: Any, country: str, country_name: str, at: str, filename: str) -> CahraRow:
    if not isinstance(region, dict):
        raise SourceError(filename, at, "a region is not an object")
    code = region.get("code")
    match = SUBDIVISION.fullmatch(code) if isinstance(code, str) else None
    if match is None:
        raise SourceError(
            filename, f"{at}.code", f"{code!r} is not an ISO 3166-2 code such as 'CD-NK'"
        )
    if match.group(1) != country:
        raise SourceError(filename, f"{at}.code", f"{code} is not a region of {country}")
    flags = []
    for name in ("conflictAffected", "highRisk"):
        value = region.get(name)
        if not isinstance(value, bool):
            raise SourceError(filename, f"{at}.{name}", f"{value!r} is not true or false")
        flags.append(value)
    if not any(flags):
        raise SourceError(filename, at, f"{code} is neither conflict-affected nor high-risk")
    name = str(region.get("name") or "").strip()
    return CahraRow(country, country_name, match.group(0), name, flags[0], flags[1], False)


def _date(value: Any, filename: str, at: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise SourceError(filename, at, f"{value!r} is not a date (YYYY-MM-DD)") from None
