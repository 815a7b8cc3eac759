"""The inputs of risk scores, read "as of" a date in a few set-based queries (never one query
per facility): the editions of the reference lists in force then (``edition_as_of``), the
facilities' countries, regions and minerals, their assurance statuses as recorded by then, the
organisation's declarations received by then and the smelters they name.

What comes out is the pure package's ``Observation``s, each with its evidence (a list fact, the
edition it comes from and the record a page links to), ready for ``scoring.Scorer``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from oretrace.core.tenancy import scope_to_organisation
from oretrace.declarations.choices import DeclarationStatus, SmelterMatch
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.registry.models import AssuranceStatus, Facility
from oretrace.risk.choices import EditionKind
from oretrace.risk.models import ConflictArea, CountryProfile, Edition, GoodListing, RedFlag
from oretrace.risk.queries import edition_as_of
from oretrace.risk.scoring import Evidence, Methodology, Observation
from oretrace.traceability.models import Lot
from oretrace.traceability.trace import upstream

USED_KINDS = (EditionKind.CAHRA, EditionKind.DOL_GOODS, EditionKind.DOL_COUNTRIES)


def end_of(day: date) -> datetime:
    """The last instant of ``day`` (what was recorded on it counts)."""
    return timezone.make_aware(datetime.combine(day, time.max))


@dataclass
class References:
    """The reference lists in force on a date, indexed for lookups by country."""

    editions: dict[str, Edition | None]
    areas: dict[str, dict[str, tuple[bool, bool, str]]] = field(default_factory=dict)
    goods: dict[str, list[tuple[str, bool, bool, str]]] = field(default_factory=dict)
    profiles: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, int | None]:
        return {kind: (e.pk if e else None) for kind, e in sorted(self.editions.items())}


def references(as_of: date) -> References:
    """The editions in force on ``as_of`` and their rows (a few thousand at most)."""
    refs = References({kind: edition_as_of(kind, as_of) for kind in USED_KINDS})
    if cahra := refs.editions[EditionKind.CAHRA]:
        for area in ConflictArea.objects.filter(edition=cahra).values_list(
            "country_code", "region_code", "conflict_affected", "high_risk", "region_name"
        ):
            code, region, conflict, high, name = area
            refs.areas.setdefault(code, {})[region] = (conflict, high, name or region or code)
    if goods := refs.editions[EditionKind.DOL_GOODS]:
        for country, good, child, forced, fcl in GoodListing.objects.filter(
            edition=goods, country__isnull=False
        ).values_list("country_id", "good", "child_labour", "forced_labour", "forced_child_labour"):
            refs.goods.setdefault(country, []).append((good, child or fcl, forced or fcl, good))
    if profiles := refs.editions[EditionKind.DOL_COUNTRIES]:
        for country, share in CountryProfile.objects.filter(
            edition=profiles, country__isnull=False
        ).values_list("country_id", "working_children"):
            refs.profiles[country] = share
    return refs


@dataclass(frozen=True, slots=True)
class FacilityFacts:
    pk: int
    name: str
    country: str
    region: str  # ISO 3166-2 code, or ""
    minerals: tuple[str, ...]
    statuses: tuple[tuple[str, str, date, date | None], ...]  # scheme, status, from, until
    flags: tuple[tuple[str, str, int], ...] = ()  # open red flags: severity, rule, id


def facility_facts(
    facilities: QuerySet[Facility], organisation_id: int, as_of: date
) -> list[FacilityFacts]:
    """Each facility's place, minerals and assurance statuses recorded by ``as_of`` (reference
    statuses and the organisation's own), in three queries whatever the number of facilities."""
    minerals: dict[int, list[str]] = defaultdict(list)
    through = Facility.minerals.through.objects.filter(facility__in=facilities)
    for pk, code in _rows(through.values_list("facility_id", "mineral__code").order_by()):
        minerals[pk].append(code)
    statuses: dict[int, list[tuple[str, str, date, date | None]]] = defaultdict(list)
    recorded = scope_to_organisation(
        AssuranceStatus.objects.filter(
            facility__in=facilities, effective_on__lte=as_of, recorded_at__lte=end_of(as_of)
        ),
        organisation_id,
        public=Q(organisation__isnull=True),
    ).order_by("facility_id", "scheme", "-effective_on", "-id")
    for pk, scheme, status, since, until in _rows(
        recorded.values_list("facility_id", "scheme", "status", "effective_on", "valid_until")
    ):
        statuses[pk].append((scheme, status, _day(since), _day(until) if until else None))
    flags = open_flags(organisation_id, as_of, "facility_id", facility__in=facilities)
    rows = facilities.order_by("pk").values_list("pk", "name", "country_id", "subdivision_id")
    return [
        FacilityFacts(
            pk,
            name,
            country,
            region or "",
            tuple(sorted(minerals.get(pk, ()))),
            tuple(statuses.get(pk, ())),
            flags.get(pk, ()),
        )
        for pk, name, country, region in _rows(rows)
    ]


def open_flags(
    organisation_id: int, as_of: date, subject: str, **lookup: Any
) -> dict[int, tuple[tuple[str, str, int], ...]]:
    """The organisation's red flags open at the end of ``as_of``, by subject id (``subject`` is
    ``facility_id`` or ``supplier_id``): (severity, rule, id), in one query."""
    found: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    flags = scope_to_organisation(RedFlag.objects.open_on(as_of).filter(**lookup), organisation_id)
    for pk, severity, rule, flag in _rows(
        flags.order_by(subject, "pk").values_list(subject, "severity", "rule", "pk")
    ):
        if pk is not None:
            found[pk].append((severity, rule, flag))
    return {pk: tuple(sorted(rows)) for pk, rows in found.items()}


SEVERITIES = ("low", "medium", "high")


def red_flags(flags: tuple[tuple[str, str, int], ...]) -> Observation:
    """The highest severity among the open flags, each flag as evidence; ``none`` without."""
    if not flags:
        return Observation("none")
    worst = max(flags, key=lambda flag: SEVERITIES.index(flag[0]) if flag[0] in SEVERITIES else 0)
    evidence = tuple(
        Evidence(f"{rule} ({severity})", ref=f"flag:{pk}") for severity, rule, pk in flags
    )
    return Observation(worst[0] if worst[0] in SEVERITIES else "high", evidence=evidence)


def _rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query straight from the cursor: the ORM's per-value
    conversion costs more than the read itself at 100,000 rows (dates come back as text on
    SQLite; ``_day`` reads them)."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
    return found


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _edition_evidence(refs: References, kind: str, text: str) -> tuple[Evidence, ...]:
    edition = refs.editions[kind]
    if edition is None:
        return ()
    return (Evidence(text, edition.pk, f"edition:{edition.pk}"),)


def cahra(refs: References, facts: FacilityFacts) -> Observation:
    if refs.editions[EditionKind.CAHRA] is None:
        return Observation()
    listed = refs.areas.get(facts.country, {})
    area = listed.get(facts.region) if facts.region else None
    area = area or listed.get("")
    if area is not None:
        conflict, _high, name = area
        state = "conflict_affected" if conflict else "high_risk"
        return Observation(state, evidence=_edition_evidence(refs, EditionKind.CAHRA, name))
    if listed and not facts.region:
        names = ", ".join(sorted(name for _c, _h, name in listed.values()))
        return Observation(
            "region_unknown", evidence=_edition_evidence(refs, EditionKind.CAHRA, names[:300])
        )
    return Observation("not_listed", evidence=_edition_evidence(refs, EditionKind.CAHRA, "—"))


def _words(terms: Mapping[str, list[str]], minerals: Iterable[str]) -> set[str]:
    return {word.casefold() for mineral in minerals for word in terms.get(mineral, ())}


def dol_goods(
    refs: References, facts: FacilityFacts, terms: Mapping[str, list[str]]
) -> Observation:
    if refs.editions[EditionKind.DOL_GOODS] is None or not facts.minerals:
        return Observation()
    words = _words(terms, facts.minerals)
    child = forced = False
    named: list[str] = []
    for good, is_child, is_forced, label in refs.goods.get(facts.country, ()):
        first = good.split(maxsplit=1)[0].strip("(),").casefold() if good.strip() else ""
        if first in words:
            child, forced = child or is_child, forced or is_forced
            named.append(label)
    state = {
        (True, True): "forced_and_child",
        (False, True): "forced",
        (True, False): "child",
    }.get((child, forced), "not_listed")
    text = f"{'; '.join(sorted(named)) or '—'} ({facts.country})"
    return Observation(state, evidence=_edition_evidence(refs, EditionKind.DOL_GOODS, text))


def dol_country(refs: References, facts: FacilityFacts) -> Observation:
    share = refs.profiles.get(facts.country)
    if refs.editions[EditionKind.DOL_COUNTRIES] is None or share is None:
        return Observation()
    text = f"{facts.country}: {share * 100:.1f} %"
    return Observation(
        value=share, evidence=_edition_evidence(refs, EditionKind.DOL_COUNTRIES, text)
    )


def assurance(facts: FacilityFacts, as_of: date, terms: Mapping[str, list[str]]) -> Observation:
    """The best current status over the schemes (their latest entries still valid on the date)."""
    if not facts.statuses:
        return Observation()
    meaning = {word.casefold(): state for state, words in terms.items() for word in words}
    rank = {"conformant": 0, "active": 1, "none": 2}
    best, evidence, seen = "none", [], set()
    for scheme, status, since, until in facts.statuses:
        if scheme in seen:
            continue  # ordered newest first per scheme: the first entry is the current one
        seen.add(scheme)
        state = meaning.get(status.casefold(), "none")
        if until is not None and until < as_of:
            state = "none"
        if rank[state] < rank[best]:
            best = state
        evidence.append(Evidence(f"{scheme}: {status} ({since:%Y-%m-%d})"))
    return Observation(best, evidence=tuple(evidence))


def _indicator_terms(methodology: Methodology, source: str) -> dict[str, list[str]]:
    for category in methodology.subjects["facility"].categories:
        for indicator in category.indicators:
            if indicator.source == source:
                return indicator.terms
    return {}


def facility_inputs(
    methodology: Methodology, refs: References, facts: FacilityFacts, as_of: date
) -> dict[str, Observation]:
    """Every source's observation of one facility."""
    return Observer(methodology, refs, as_of).inputs(facts)


class Observer:
    """``facility_inputs`` for many facilities: an observation depends only on a few facts
    (country and region, country and minerals, the statuses), so each is made once and shared
    by every facility with the same facts; the same observations in the same order then let
    the caller reuse one score's arithmetic too (``key``)."""

    def __init__(self, methodology: Methodology, refs: References, as_of: date) -> None:
        self.refs, self.as_of = refs, as_of
        self.goods_terms = _indicator_terms(methodology, "dol-goods")
        self.status_terms = _indicator_terms(methodology, "assurance")
        self._cahra: dict[tuple[str, str], Observation] = {}
        self._goods: dict[tuple[str, tuple[str, ...]], Observation] = {}
        self._country: dict[str, Observation] = {}
        self._assurance: dict[tuple[tuple[str, str, date, date | None], ...], Observation] = {}
        self._flags: dict[tuple[tuple[str, str, int], ...], Observation] = {}
        self._same: dict[Observation, Observation] = {}  # equal observations, one object
        self._seen: dict[tuple[Any, ...], tuple[tuple[int, ...], dict[str, Observation]]] = {}

    def inputs(self, facts: FacilityFacts) -> dict[str, Observation]:
        return self.observe(facts)[1]

    def observe(self, facts: FacilityFacts) -> tuple[tuple[int, ...], dict[str, Observation]]:
        """A facility's observations and their key: equal keys, equal observations (they are
        the shared objects of this observer, which keeps them alive, so identities name them)."""
        facets = (facts.country, facts.region, facts.minerals, facts.statuses, facts.flags)
        if (known := self._seen.get(facets)) is None:
            inputs = {
                "cahra": self._cached(self._cahra, facets[:2], cahra, self.refs, facts),
                "dol-goods": self._cached(
                    self._goods,
                    (facts.country, facts.minerals),
                    dol_goods,
                    self.refs,
                    facts,
                    self.goods_terms,
                ),
                "dol-countries": self._cached(
                    self._country, facts.country, dol_country, self.refs, facts
                ),
                "assurance": self._cached(
                    self._assurance,
                    facts.statuses,
                    assurance,
                    facts,
                    self.as_of,
                    self.status_terms,
                ),
                "red-flags": self._cached(self._flags, facts.flags, red_flags, facts.flags),
            }
            known = self._seen[facets] = (tuple(map(id, inputs.values())), inputs)
        return known

    def _cached(self, memo: dict[Any, Observation], key: Any, make: Any, *args: Any) -> Observation:
        if (found := memo.get(key)) is None:
            made = make(*args)
            found = memo[key] = self._same.setdefault(made, made)
        return found


@dataclass
class SupplierFacts:
    pk: int
    name: str
    declarations: list[tuple[int, str, bool]] = field(default_factory=list)  # pk, family, flawed
    facilities: set[int] = field(default_factory=set)
    flags: tuple[tuple[str, str, int], ...] = ()


_UNRESOLVED = (SmelterMatch.UNMATCHED, SmelterMatch.NOT_IDENTIFIED, SmelterMatch.REVIEW)


def supplier_facts(
    suppliers: QuerySet[Supplier], organisation_id: int, as_of: date
) -> dict[int, SupplierFacts]:
    """Each supplier's latest declaration per template family received by ``as_of`` (rejected
    ones aside) and the facilities their smelter rows name: two queries."""
    found = {pk: SupplierFacts(pk, name) for pk, name in suppliers.values_list("pk", "name")}
    received = scope_to_organisation(
        Declaration.objects.filter(supplier__in=suppliers, created_at__lte=end_of(as_of)),
        organisation_id,
    ).exclude(status=DeclarationStatus.REJECTED)
    latest: dict[tuple[int, str], tuple[int, bool]] = {}
    for pk, supplier, family, status, errors in received.order_by("created_at", "pk").values_list(
        "pk", "supplier_id", "family", "status", "error_count"
    ):
        latest[(supplier, family)] = (
            pk,
            errors > 0 or status == DeclarationStatus.NEEDS_CORRECTION,
        )
    chosen = {pk: key for key, (pk, _flawed) in latest.items()}
    unresolved: set[int] = set()
    entries = SmelterEntry.objects.filter(declaration_id__in=list(chosen)).values_list(
        "declaration_id", "facility_id", "review__facility_id", "match"
    )
    for declaration, facility, reviewed, match in entries:
        supplier = chosen[declaration][0]
        pk = facility or reviewed
        if pk is not None:
            found[supplier].facilities.add(pk)
        elif match in _UNRESOLVED:
            unresolved.add(declaration)
    for (supplier, family), (pk, flawed) in sorted(latest.items()):
        found[supplier].declarations.append((pk, family, flawed or pk in unresolved))
    for supplier, flags in open_flags(
        organisation_id, as_of, "supplier_id", supplier__in=suppliers
    ).items():
        found[supplier].flags = flags
    return found


def declaration(facts: SupplierFacts) -> Observation:
    if not facts.declarations:
        return Observation("undisclosed", evidence=(Evidence("—", ref=f"supplier:{facts.pk}"),))
    flawed = any(bad for _pk, _family, bad in facts.declarations)
    evidence = tuple(
        Evidence(f"{family}{' ⚠' if bad else ''}", ref=f"declaration:{pk}")
        for pk, family, bad in facts.declarations
    )
    return Observation("incomplete" if flawed else "complete", evidence=evidence)


def supplier_inputs(facts: SupplierFacts) -> dict[str, Observation]:
    return {"declaration": declaration(facts), "red-flags": red_flags(facts.flags)}


@dataclass(frozen=True)
class LotFacts:
    pk: int
    code: str
    origins: tuple[tuple[int | None, str, Decimal], ...]  # facility id, name, share of the lot


def product_lots(organisation_id: int, as_of: date) -> list[LotFacts]:
    """The organisation's product lots recorded by ``as_of`` (lots made from others that went
    nowhere since), each with its traced origins: the share of the lot from each origin
    facility (one trace query per product lot)."""
    lots = (
        scope_to_organisation(
            Lot.objects.filter(
                incoming__isnull=False, outgoing__isnull=True, created_at__lte=end_of(as_of)
            ),
            organisation_id,
        )
        .distinct()
        .order_by("pk")
    )
    found = []
    for lot in lots:
        shares: dict[tuple[int | None, str], Decimal] = defaultdict(Decimal)
        for share in upstream(lot).shares:
            # six places: a float's share becomes the same Decimal on every machine
            shares[(share.facility_id, share.facility)] += Decimal(f"{share.fraction:.6f}")
        origins = tuple(sorted(((pk, name, part) for (pk, name), part in shares.items()), key=str))
        found.append(LotFacts(lot.pk, lot.code, origins))
    return found
