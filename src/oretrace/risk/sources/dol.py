"""The US DOL ILAB lists, as DOL's own app ships them: the List of Goods and the country
profiles (``goods_*.xml``, ``countries_*.xml`` of ``USDepartmentofLabor/Child-Labor-Android``).

Neither file says which edition it is (``goods_2021.xml`` holds the 2022 List): the importer
gives the edition's date."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from oretrace.risk.sources.base import SourceEdition, SourceError, unique_rows, yes_no
from oretrace.risk.sources.xml import parse_xml, text_of, where

PUBLISHER = "US Department of Labor, Bureau of International Labor Affairs (ILAB)"
GOODS = "a DOL List of Goods (<Goods><Good>…)"
PROFILES = "a DOL country profiles file (<Countries><Country>…)"


@dataclass(frozen=True)
class GoodRow:
    """One good produced in one country with child labour, forced labour, or both."""

    good: str
    sector: str
    country_name: str
    region: str
    child_labour: bool
    forced_labour: bool
    forced_child_labour: bool

    @property
    def key(self) -> str:
        return f"{self.good} / {self.country_name}"

    def compared(self) -> Mapping[str, str]:
        return {
            "sector": self.sector,
            "child_labour": _yn(self.child_labour),
            "forced_labour": _yn(self.forced_labour),
            "forced_child_labour": _yn(self.forced_child_labour),
        }


@dataclass(frozen=True)
class CountryProfileRow:
    """DOL's profile of one country: its advancement and the share of children working."""

    country_name: str
    region: str
    advancement: str
    working_children: Decimal | None  # a fraction (0.12 = 12 %), None when DOL has no figure
    age_range: str
    goods: int  # goods of the List produced in the country
    webpage: str

    @property
    def key(self) -> str:
        return self.country_name

    def compared(self) -> Mapping[str, str]:
        return {
            "region": self.region,
            "advancement": self.advancement,
            "working_children": "" if self.working_children is None else str(self.working_children),
            "goods": str(self.goods),
        }


def _yn(value: bool) -> str:
    return "yes" if value else "no"


def read_dol_goods(data: bytes, filename: str) -> SourceEdition:
    """Every (good, country) row of a List of Goods."""
    root = parse_xml(data, filename, "Goods", GOODS)
    rows = unique_rows(
        _goods(root, filename), filename, ("", f"no <Good> with a country: this is not {GOODS}")
    )
    return SourceEdition("dol-goods", PUBLISHER, rows)


def _goods(root: etree._Element, filename: str) -> Iterator[tuple[str, GoodRow]]:
    """Each (good, country) row with where it stands."""
    for good in root.iterchildren("Good"):
        name = text_of(good, "Good_Name", filename)
        sector = text_of(good, "Good_Sector", filename, required=False)
        countries = good.find("Countries")
        if countries is None or not len(countries):
            raise SourceError(filename, where(good), f"the good {name!r} names no <Country>")
        for country in countries.iterchildren("Country"):
            yield where(country), _good_row(name, sector, country, filename)


def _good_row(good: str, sector: str, country: etree._Element, filename: str) -> GoodRow:
    def flag(name: str) -> bool:
        child = country.find(name)
        if child is None:  # Forced_Child_Labor is missing from no edition seen; be lenient
            return False
        return yes_no(child.text or "", filename, where(child), name)

    return GoodRow(
        good=good,
        sector=sector,
        country_name=text_of(country, "Country_Name", filename),
        region=text_of(country, "Country_Region", filename, required=False),
        child_labour=flag("Child_Labor"),
        forced_labour=flag("Forced_Labor"),
        forced_child_labour=flag("Forced_Child_Labor"),
    )


def read_dol_countries(data: bytes, filename: str) -> SourceEdition:
    """One row per country profile."""
    root = parse_xml(data, filename, "Countries", PROFILES)
    rows = unique_rows(
        ((where(c), _profile_row(c, filename)) for c in root.iterchildren("Country")),
        filename,
        ("", f"no <Country>: this is not {PROFILES}"),
    )
    return SourceEdition("dol-countries", PUBLISHER, rows)


def _profile_row(country: etree._Element, filename: str) -> CountryProfileRow:
    stats = country.find("Country_Statistics/Children_Work_Statistics")
    share: Decimal | None = None
    age_range = ""
    if stats is not None:
        age_range = text_of(stats, "Age_Range", filename, required=False)
        share = _fraction(stats.find("Total_Percentage_of_Working_Children"), filename)
    goods = country.find("Goods")
    return CountryProfileRow(
        country_name=text_of(country, "Name", filename),
        region=text_of(country, "Region", filename, required=False),
        advancement=text_of(country, "Advancement_Level", filename, required=False),
        working_children=share,
        age_range=age_range,
        goods=0 if goods is None else len(goods.findall("Good")),
        webpage=text_of(country, "Webpage", filename, required=False),
    )


def _fraction(element: etree._Element | None, filename: str) -> Decimal | None:
    """A share between 0 and 1; DOL writes ``Unavailable`` (or nothing) when it has none."""
    if element is None:
        return None
    text = (element.text or "").strip()
    if not text or text.lower() in ("unavailable", "n/a", "na"):
        return None
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise SourceError(
            filename, where(element), f"<{element.tag}> is {text!r}, expected a share such as 0.12"
        ) from None
    if text.endswith("%"):
        value /= 100
    if not Decimal(0) <= value <= 1:
        raise SourceError(
            filename, where(element), f"<{element.tag}> is {text}, expected a share from 0 to 1"
        )
    return value
