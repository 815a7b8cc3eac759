"""The readers of the reference risk lists: real files read with their counts, bad files
refused with the file, the place and what is wrong."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from oretrace.risk.sources import MAX_BYTES, SourceError, diff_rows, read_edition
from oretrace.risk.tests.shared_data import (
    CAHRA,
    COUNTRIES_2021,
    GOODS_2019,
    GOODS_2021,
    ISO3166,
    read,
)

GOOD = b"""<Goods>
  <Good>
    <Good_Name>Mica</Good_Name>
    <Good_Sector>Mining</Good_Sector>
    <Countries>
      <Country>
        <Country_Name>Madagascar</Country_Name>
        <Country_Region>Sub-Saharan Africa</Country_Region>
        <Child_Labor>Yes</Child_Labor>
        <Forced_Labor>No</Forced_Labor>
        <Forced_Child_Labor>No</Forced_Child_Labor>
      </Country>
    </Countries>
  </Good>
</Goods>
"""


def test_dol_goods_2021_holds_169_goods_in_467_rows():
    edition = read_edition("dol-goods", read(GOODS_2021), "goods_2021.xml")
    assert len(edition.rows) == 467
    assert len({row.good for row in edition.rows}) == 169  # type: ignore[attr-defined]
    gold_drc = {r.key: r for r in edition.rows}["Gold / Congo, Democratic Republic of the"]
    assert gold_drc.child_labour  # type: ignore[attr-defined]
    assert gold_drc.forced_labour  # type: ignore[attr-defined]


def test_dol_goods_2019_holds_157_goods_in_438_rows():
    edition = read_edition("dol-goods", read(GOODS_2019), "goods_2019.xml")
    assert len(edition.rows) == 438
    assert len({row.good for row in edition.rows}) == 157  # type: ignore[attr-defined]


def _independent(path) -> dict[str, tuple[str, ...]]:
    """The rows of a List of Goods read with the standard library, not the reader."""
    root = ET.fromstring(read(path))  # noqa: S314 (our own reference file, read in a test)
    return {
        f"{good.findtext('Good_Name')} / {c.findtext('Country_Name')}": (
            good.findtext("Good_Sector") or "",
            c.findtext("Child_Labor") or "",
            c.findtext("Forced_Labor") or "",
            c.findtext("Forced_Child_Labor") or "No",
        )
        for good in root.iter("Good")
        for c in good.iter("Country")
    }


def test_the_2019_to_2021_diff_matches_an_independent_reading():
    old, new = _independent(GOODS_2019), _independent(GOODS_2021)
    before = {r.key: r.compared() for r in read_edition("dol-goods", read(GOODS_2019), "g").rows}
    after = {r.key: r.compared() for r in read_edition("dol-goods", read(GOODS_2021), "g").rows}
    diff = diff_rows(before, after)
    assert diff.added == sorted(new.keys() - old.keys())
    assert diff.removed == sorted(old.keys() - new.keys())
    assert [c.key for c in diff.changed] == sorted(
        k for k in old.keys() & new.keys() if old[k] != new[k]
    )
    assert len(diff.added) - len(diff.removed) == 467 - 438


def test_dol_country_profiles_hold_143_countries():
    edition = read_edition("dol-countries", read(COUNTRIES_2021), "countries_2021.xml")
    assert len(edition.rows) == 143
    afghanistan = edition.rows[0]
    assert afghanistan.key == "Afghanistan"
    assert str(afghanistan.working_children) == "0.12"  # type: ignore[attr-defined]
    assert afghanistan.goods == 5  # type: ignore[attr-defined]


def test_cahra_reads_countries_regions_and_whole_countries():
    edition = read_edition("cahra", read(CAHRA), "cahra.json")
    regions = [r for r in edition.rows if r.region_code]  # type: ignore[attr-defined]
    whole = [r for r in edition.rows if r.whole_country]  # type: ignore[attr-defined]
    assert len(regions) == 234
    assert sum(r.conflict_affected for r in regions) == 137  # type: ignore[attr-defined]
    assert sum(r.high_risk for r in regions) == 97  # type: ignore[attr-defined]
    assert sorted(r.country_code for r in whole) == ["BI", "ER", "LY", "VE", "ZW"]  # type: ignore[attr-defined]
    assert len({r.country_code for r in edition.rows}) == 29  # type: ignore[attr-defined]
    assert edition.label == "Report: June 2026 - For publication"
    assert edition.published == date(2026, 3, 28)
    assert edition.retrieved == date(2026, 7, 14)


def test_iso3166_reads_every_country():
    edition = read_edition("iso3166", read(ISO3166), "country-codes.csv")
    assert len(edition.rows) == 249
    namibia = {r.key: r for r in edition.rows}["NA"]  # "NA" is a code, not a missing value
    assert namibia.alpha3 == "NAM"  # type: ignore[attr-defined]


# --- bad files ---------------------------------------------------------------------------


def _refused(kind: str, data: bytes, filename: str = "list.xml") -> str:
    with pytest.raises(SourceError) as caught:
        read_edition(kind, data, filename)
    assert str(caught.value).startswith(filename)
    return str(caught.value)


def test_a_small_list_of_goods_reads():
    (row,) = read_edition("dol-goods", GOOD, "g.xml").rows
    assert row.key == "Mica / Madagascar"
    assert row.compared()["child_labour"] == "yes"


def test_a_truncated_xml_is_refused_with_its_line():
    message = _refused("dol-goods", GOOD[:300])
    assert "broken or cut short" in message
    assert "line " in message


def test_the_wrong_list_is_refused_by_its_root():
    message = _refused("dol-countries", GOOD)
    assert "root element is <Goods>, expected <Countries>" in message


def test_json_is_not_a_list_of_goods():
    assert "not XML" in _refused("dol-goods", b'{"entries": []}')


def test_a_bad_flag_names_its_line():
    message = _refused("dol-goods", GOOD.replace(b"<Child_Labor>Yes", b"<Child_Labor>Maybe"))
    assert "line 9" in message
    assert "'Maybe', expected Yes or No" in message


def test_a_good_without_a_name_is_refused():
    message = _refused("dol-goods", GOOD.replace(b"<Good_Name>Mica</Good_Name>", b""))
    assert "<Good> has no <Good_Name>" in message


def test_entities_are_refused_before_parsing():
    bomb = b'<?xml version="1.0"?><!DOCTYPE Goods [<!ENTITY a "aaaa">]><Goods>&a;</Goods>'
    assert "DTD or entities" in _refused("dol-goods", bomb)


def test_too_large_a_file_is_refused_unread():
    assert "at most" in _refused("dol-goods", b"<" + b" " * MAX_BYTES)


def test_an_empty_file_is_refused():
    assert "empty" in _refused("cahra", b"", "c.json")


def _cahra(**entry) -> bytes:
    base = {"countryName": "Congo", "iso2": "CD", "regions": None, "wholeCountry": True}
    return json.dumps({"meta": {}, "entries": [{**base, **entry}]}).encode()


def test_cahra_a_bad_country_code_is_named():
    message = _refused("cahra", _cahra(iso2="Congo"), "c.json")
    assert "entries[0].iso2" in message
    assert "'Congo' is not an ISO 3166-1 alpha-2 code" in message


def test_cahra_a_region_of_another_country_is_refused():
    region = {"name": "Kivu", "code": "RW-NK", "conflictAffected": True, "highRisk": False}
    message = _refused("cahra", _cahra(regions=[region], wholeCountry=False), "c.json")
    assert "entries[0].regions[0].code: RW-NK is not a region of CD" in message


def test_cahra_broken_json_names_line_and_column():
    message = _refused("cahra", b'{"entries": [\n{"iso2": }', "c.json")
    assert "line 2 column" in message


def test_cahra_an_xml_file_is_not_a_cahra_list():
    assert "not valid JSON" in _refused("cahra", GOOD, "c.json")


def test_iso3166_a_bad_code_names_its_line():
    csv = (
        b"ISO3166-1-Alpha-2,ISO3166-1-Alpha-3,ISO3166-1-numeric,official_name_en\n"
        b"FR,FRA,250,France\nD1,DEU,276,Germany\n"
    )
    message = _refused("iso3166", csv, "codes.csv")
    assert "line 3" in message
    assert "'D1'" in message


def test_iso3166_a_csv_of_something_else_is_refused():
    assert "header lacks" in _refused("iso3166", b"name,email\nA,a@b\n", "codes.csv")


def test_an_unknown_kind_is_refused():
    assert "unknown kind" in _refused("tvpra", GOOD)


def test_cahra_deeply_nested_json_is_refused_not_a_crash():
    assert "nested too deeply" in _refused("cahra", b"[" * 200_000 + b"]" * 200_000, "d.json")


def test_deeply_nested_xml_is_refused_not_a_crash():
    deep = b"<Goods>" + b"<a>" * 300_000 + b"</a>" * 300_000 + b"</Goods>"
    assert "broken or cut short" in _refused("dol-goods", deep, "deep.xml")


_ISO_HEADER = b"ISO3166-1-Alpha-2,ISO3166-1-Alpha-3,ISO3166-1-numeric,official_name_en\n"
_COUNTRY = b"<Country><Name>Peru</Name></Country>"
_MADAGASCAR = GOOD[GOOD.index(b"      <Country>") : GOOD.index(b"</Countries>")]


@pytest.mark.parametrize(
    ("kind", "data", "where", "key"),
    [
        (
            "dol-goods",
            GOOD.replace(b"</Countries>", _MADAGASCAR + b"</Countries>"),
            "line 13",
            "Mica / Madagascar",
        ),
        (
            "dol-countries",
            b"<Countries>" + _COUNTRY + b"\n" + _COUNTRY + b"</Countries>",
            "line 2",
            "Peru",
        ),
        (
            "cahra",
            json.dumps({"meta": {}, "entries": [json.loads(_cahra())["entries"][0]] * 2}).encode(),
            "entries[1]",
            "CD",
        ),
        ("iso3166", _ISO_HEADER + b"FR,FRA,250,France\nFR,FRA,250,France\n", "line 3", "FR"),
    ],
)
def test_a_row_listed_twice_is_refused_where_it_stands_again(kind, data, where, key):
    message = _refused(kind, data)
    assert f"{where}: " in message
    assert f"{key}' is listed twice" in message
