"""The real lists in ``../shared/data`` (never copied into the project): tests skip without."""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "reference"
DOL = REFERENCE / "dol_ilab" / "USDepartmentofLabor_Child-Labor-Android"
GOODS_2021 = DOL / "goods_2021.xml"
GOODS_2019 = DOL / "goods_2019.xml"
COUNTRIES_2021 = DOL / "countries_2021.xml"
CAHRA = REFERENCE / "cahra" / "Pangea-Intelligence_dpp-lint" / "data" / "cahra.json"
ISO3166 = REFERENCE / "iso3166" / "datasets_country-codes" / "data" / "country-codes.csv"


def read(path: Path) -> bytes:
    """The file's bytes, or a skip when ../shared/data is absent."""
    if not path.is_file():
        pytest.skip(f"{path.name} is not in ../shared/data")
    return path.read_bytes()
