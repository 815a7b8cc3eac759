"""What the rules read: plain rows that ``risk.gather`` makes from the database.

Nothing here knows the ORM; ids are the primary keys of the records a flag will cite.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Area:
    """One entry of a list of conflict-affected and high-risk areas."""

    country: str  # ISO 3166-1 alpha-2
    region: str  # ISO 3166-2; "" for a whole-country designation
    name: str
    conflict_affected: bool
    high_risk: bool


@dataclass(frozen=True)
class ListedGood:
    """A good the DOL List of Goods names for a country."""

    good: str
    country: str
    child_labour: bool
    forced_labour: bool


@dataclass(frozen=True)
class CountryList[E: (Area, ListedGood)]:
    """An edition of a reference list as the rules read it: its entries, looked up by country
    (once per origin, not by a scan)."""

    edition_id: int
    label: str
    entries: tuple[E, ...]
    _by_country: dict[str, list[E]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_country.setdefault(entry.country, []).append(entry)

    def of_country(self, country: str) -> list[E]:
        return self._by_country.get(country, [])


@dataclass(frozen=True)
class AreaList(CountryList[Area]):
    """A CAHRA edition: its areas, by country."""

    def matching(self, country: str, region: str = "") -> tuple[Area | None, bool]:
        """The entry that covers ``country``/``region`` (the whole country, or the region
        itself), and True; or, when the region is not known and the list has regions of the
        country, the first of them and False: the place cannot be shown to lie outside them."""
        of_country = self.of_country(country)
        for area in of_country:
            if not area.region or (region and area.region == region):
                return area, True
        if not region and of_country:
            return of_country[0], False
        return None, False


@dataclass(frozen=True)
class GoodList(CountryList[ListedGood]):
    """A DOL List of Goods edition: its goods, by country."""


@dataclass(frozen=True)
class Evidence:
    """The record a flag cites: its kind (``risk.choices.EvidenceKind``), id and label."""

    kind: str
    id: int | None
    label: str
    part: str = ""  # which part of the record, when it has several (a Mine List row)
    page: int | None = None  # the record whose page shows it (a row's declaration), if another


@dataclass(frozen=True)
class DeclaredSmelter:
    """A Smelter List row of a current declaration, with the facility it was matched to."""

    evidence: Evidence  # the row
    supplier_id: int
    metal: str
    facility_id: int | None
    facility_name: str
    country: str  # the facility's country, else the row's
    region: str  # the facility's ISO 3166-2 subdivision, if known
    status: str  # the facility's headline assurance status; "" when it has none
    mine_countries: tuple[str, ...] = ()  # ISO codes read from the row's mine countries


@dataclass(frozen=True)
class DeclaredMine:
    """A Mine List row of a current declaration."""

    evidence: Evidence
    supplier_id: int
    metal: str
    name: str
    country: str


@dataclass(frozen=True)
class DeclaredAnswer:
    """A per-mineral answer to a location question (``covered``: DRC or adjoining countries;
    ``cahra``: conflict-affected or high-risk areas)."""

    evidence: Evidence  # the declaration
    supplier_id: int
    question: str  # the template's number, e.g. "3"
    role: str  # "covered" or "cahra"
    mineral: str
    answer: str


@dataclass(frozen=True)
class TracedLot:
    """A lot of the organisation's custody records at a registry facility."""

    evidence: Evidence
    facility_id: int
    facility_name: str
    country: str
    region: str
    minerals: tuple[str, ...]  # the facility's minerals
    origin: bool  # no input lot: material entered the chain here
    recycled: bool


@dataclass(frozen=True)
class CustodyAnomaly:
    """A mass-balance flag of the custody records."""

    evidence: Evidence
    lot_id: int
    facility_id: int | None
    place: str
    anomaly: str  # the custody flag's kind


@dataclass(frozen=True)
class AssessmentGap:
    """A criterion of a facility's latest submitted assessment that is not fully met."""

    evidence: Evidence  # the assessment
    facility_id: int | None
    criterion: str
    outcome: str  # "not_met" or "partly"
    critical: bool
    annex_ii: tuple[int, ...]


@dataclass(frozen=True)
class OverdueAction:
    """An open corrective action of a running audit, past its due date."""

    evidence: Evidence  # the audit finding (its page: the audit)
    facility_id: int
    criterion: str
    grade: str  # the finding's grade: "major", "minor", "zero-tolerance" …
    due: str  # ISO date


@dataclass(frozen=True)
class LinkedGrievance:
    """A grievance case a grievance officer linked to a facility, supplier or lot: only what
    its flag may say (the case's category and severity), never its number or its text."""

    evidence: Evidence  # no id: the link's opaque token is its ``part``
    facility_id: int | None
    supplier_id: int | None
    lot_id: int | None
    category: str  # grievances.choices.Category
    severity: str  # the case's: low, medium, high, critical
    share_with: tuple[int, ...] = ()  # the organisations the link concerns


@dataclass
class Inputs:
    """Everything the rules read for one organisation."""

    smelters: list[DeclaredSmelter] = field(default_factory=list)
    mines: list[DeclaredMine] = field(default_factory=list)
    answers: list[DeclaredAnswer] = field(default_factory=list)
    lots: list[TracedLot] = field(default_factory=list)
    anomalies: list[CustodyAnomaly] = field(default_factory=list)
    gaps: list[AssessmentGap] = field(default_factory=list)
    overdue_actions: list[OverdueAction] = field(default_factory=list)
    grievances: list[LinkedGrievance] = field(default_factory=list)
    areas: AreaList | None = None
    goods: GoodList | None = None
    country_names: dict[str, str] = field(default_factory=dict)  # code -> English name
