"""The company's own declaration for one template family and reporting year, rolled up from
the accepted, current declarations of its suppliers.

Rules (documented for users in docs/user-guide/declarations.md, "Roll-up"):

- **Declarations used**: accepted, not superseded, same template family, same reporting year.
- **Smelters**: the union of the rows of those declarations that name a registry facility
  (matched by the engine, or decided in the review queue), one line per facility and metal, with
  every supplier that named it and the facility's current assurance status. Rows naming no
  known facility are listed apart: they make question "all smelters identified" No.
- **Minerals**: CMRT always covers its four metals; the other templates cover every mineral a
  used declaration covers.
- **Per-mineral answers**, over the used declarations that cover the mineral:
  - *used in the product / remains in the product*: Yes if any supplier says Yes; No if every
    supplier answered No (or none covers the mineral); otherwise Unknown (CMRT: No/Yes only, so
    an unanswered question counts as Yes: the conservative reading).
  - *sourcing from covered countries / from conflict-affected and high-risk areas*: Yes if any
    supplier says Yes (or a "… only" variant); No only if every supplier says No; else Unknown.
  - *100 % recycled or scrap*: Yes only if every supplier says Yes; No if any says No; else
    Unknown.
  - *percentage of relevant suppliers that responded*: the response rate of the year's
    campaigns for this template (`queries.campaigns.year_response_rate`: suppliers that sent a
    declaration over suppliers asked); without a campaign, suppliers with an accepted
    declaration over all suppliers. In the template's buckets (100 %, greater than 90/75/50 %,
    50 % or less, none).
  - *all smelters identified*: Yes only if every supplier says Yes and every rolled-up row of
    the mineral names a known facility; else No.
  - *all smelter information reported*: Yes: the roll-up reports every row it received.
  - **Minerals out of scope** (the first questions answered No, or for EMRT/AMRT another
    "not concerned" answer): the questions after them are left empty, as the template's
    instructions ask ("mandatory … if the response to Question 1 and 2 is 'Yes'"), never
    "Unknown".
- **Conformant share**: facilities whose current status (any scheme) is conformant, over all
  rolled-up facilities, per mineral and overall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations.choices import DeclarationStatus
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.declarations.queries.campaigns import year_response_rate
from oretrace.declarations.rmi.maps import (
    CMRT_METALS,
    QUESTION_ROLES,
    TemplateMap,
    map_for,
)
from oretrace.declarations.rmi.values import mineral_label
from oretrace.registry.models import Facility, FacilityIdentifier
from oretrace.registry.queries import CONFORMANT, headline_statuses

LATEST = {"CMRT": "6.5", "EMRT": "2.1", "AMRT": "1.3", "CRT": "2.21"}
# The questions that decide whether a mineral is in scope, per family (the Checker's gates).
GATES = {"CMRT": 2, "EMRT": 2, "AMRT": 1, "CRT": 1}
BUCKETS = (
    (1.0, "100%"),
    (0.9, "Greater than 90%"),
    (0.75, "Greater than 75%"),
    (0.5, "Greater than 50%"),
)


@dataclass
class RolledSmelter:
    """One facility and metal in the roll-up, with the suppliers that named it."""

    facility: Facility
    metal: str
    cid: str
    status: str
    suppliers: list[str] = field(default_factory=list)

    @property
    def conformant(self) -> bool:
        return self.status.casefold() in CONFORMANT


@dataclass
class Unresolved:
    entry: SmelterEntry
    supplier: str


@dataclass
class Rollup:
    family: str
    year: int
    declarations: list[Declaration]
    suppliers_total: int  # suppliers asked: in this year's campaigns, else all suppliers
    responded: int  # suppliers that answered: per the campaigns, else with an accepted one
    response_source: str  # "campaigns" or "suppliers"
    minerals: list[str]
    answers: dict[tuple[str, str], str]
    smelters: list[RolledSmelter]
    unresolved: list[Unresolved]

    @property
    def template_map(self) -> TemplateMap:
        return map_for(self.family, LATEST[self.family], "")[0]

    @property
    def suppliers_accepted(self) -> int:
        return len({d.supplier_id for d in self.declarations})

    @property
    def response_rate(self) -> float:
        return self.responded / self.suppliers_total if self.suppliers_total else 0.0

    def conformant_share(self, metal: str = "") -> float | None:
        rows = [s for s in self.smelters if not metal or s.metal == metal]
        return sum(s.conformant for s in rows) / len(rows) if rows else None

    def by_metal(self) -> list[tuple[str, int, int]]:
        """(metal, smelters, conformant smelters) per mineral, for the charts."""
        counts: dict[str, list[int]] = {m: [0, 0] for m in self.minerals}
        for s in self.smelters:
            counts.setdefault(s.metal, [0, 0])
            counts[s.metal][0] += 1
            counts[s.metal][1] += s.conformant
        return [(m, c[0], c[1]) for m, c in counts.items()]

    def questions(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """[(question, [(mineral, answer)])] in template order, for the page."""
        keys = sorted({q for q, _m in self.answers}, key=lambda k: (len(k), k))
        return [(q, [(m, self.answers.get((q, m), "")) for m in self.minerals]) for q in keys]


def _bucket(rate: float) -> str:
    if rate <= 0:
        return "None"
    if rate >= 1.0:
        return "100%"
    for threshold, label in BUCKETS[1:]:
        if rate > threshold:  # "Greater than": strictly
            return label
    return "50% or less"


def _any_yes(values: list[str]) -> bool:
    return any(v.startswith(("Yes", "DRC", "India")) for v in values)


def _answer(role: str, family: str, values: list[str], rollup_identified: bool, rate: float) -> str:
    if role == "response":
        return _bucket(rate)
    if role == "reported":
        return "Yes"
    if role in ("used", "remains"):
        if _any_yes(values):
            return "Yes"
        if all(v == "No" for v in values):
            return "No"
        return "Yes" if family == "CMRT" else "Unknown"
    if role in ("covered", "cahra"):
        if _any_yes(values):
            return "Yes"
        return "No" if values and all(v == "No" for v in values) else "Unknown"
    if role == "recycled":
        if values and all(v == "Yes" for v in values):
            return "Yes"
        return "No" if any(v == "No" for v in values) else "Unknown"
    if role == "identified":
        return "Yes" if rollup_identified and values and all(v == "Yes" for v in values) else "No"
    return ""


def skip_out_of_scope(
    answers: dict[tuple[str, str], str], template_map: TemplateMap, minerals: list[str]
) -> None:
    """Empty the answers a mineral out of scope skips: every question after the first gate
    question (1, or 2 where the template has two) answered "not concerned"."""
    negative = {"1": template_map.q1_negative, "2": template_map.q2_negative}
    for mineral in minerals:
        for gate in range(1, GATES[template_map.family] + 1):
            if answers.get((str(gate), mineral), "") in negative[str(gate)]:
                for question, of in answers:
                    if of == mineral and question.isdigit() and int(question) > gate:
                        answers[(question, of)] = ""
                break


def used_declarations(member: Membership, family: str, year: int) -> list[Declaration]:
    return list(
        owned(Declaration.objects.all(), member)
        .filter(
            family=family,
            reporting_year=year,
            status=DeclarationStatus.ACCEPTED,
            superseded_by__isnull=True,
        )
        .select_related("supplier")
        .order_by("supplier__name", "id")
    )


def build_rollup(member: Membership, family: str, year: int) -> Rollup:
    family = family.upper()
    if family not in LATEST:
        raise DeclarationError(f"unknown template family {family!r}: CMRT, EMRT, AMRT or CRT")
    declarations = used_declarations(member, family, year)
    supplier_of = {d.pk: d.supplier.name for d in declarations}
    entries = list(
        SmelterEntry.objects.filter(declaration__in=declarations)
        .select_related("review")
        .order_by("declaration_id", "row")
    )
    facility_ids = {e.resolved_facility_id for e in entries} - {None}
    facilities = {f.pk: f for f in Facility.objects.for_member(member).filter(pk__in=facility_ids)}
    statuses = headline_statuses(facilities, member) if facilities else {}
    cids = dict(
        FacilityIdentifier.objects.filter(facility_id__in=facilities, scheme="rmi_cid")
        .order_by("facility_id", "id")
        .values_list("facility_id", "value")
    )
    rolled: dict[tuple[int, str], RolledSmelter] = {}
    unresolved: list[Unresolved] = []
    for entry in entries:
        fid = entry.resolved_facility_id
        if fid is None or fid not in facilities:
            unresolved.append(Unresolved(entry, supplier_of[entry.declaration_id]))
            continue
        key = (fid, entry.metal)
        if key not in rolled:
            rolled[key] = RolledSmelter(
                facilities[fid], entry.metal, cids.get(fid, ""), statuses.get(fid, "")
            )
        name = supplier_of[entry.declaration_id]
        if name not in rolled[key].suppliers:
            rolled[key].suppliers.append(name)
    if family == "CMRT":
        minerals = list(CMRT_METALS)
    else:
        seen: dict[str, None] = {}
        for d in declarations:
            for m in d.minerals:
                seen.setdefault(m, None)
        minerals = sorted(seen, key=lambda m: mineral_label(m).casefold())
    asked = year_response_rate(member, family, year)
    if asked is not None:
        total, responded, source = asked.requested, asked.responded, "campaigns"
    else:
        total = owned(Supplier.objects.all(), member).count()
        responded, source = len({d.supplier_id for d in declarations}), "suppliers"
    rate = responded / total if total else 0.0
    unidentified_metals = {u.entry.metal or u.entry.metal_text for u in unresolved}
    answers: dict[tuple[str, str], str] = {}
    for question, role in QUESTION_ROLES[family].items():
        for mineral in minerals:
            values = [
                a["answer"]
                for d in declarations
                if mineral in d.minerals
                for a in d.content["answers"]
                if a["question"] == question and a["mineral"] == mineral and a["answer"]
            ]
            identified = mineral not in unidentified_metals
            answers[(question, mineral)] = _answer(role, family, values, identified, rate)
    skip_out_of_scope(answers, map_for(family, LATEST[family], "")[0], minerals)
    smelters = sorted(
        rolled.values(), key=lambda s: (mineral_label(s.metal).casefold(), s.facility.name)
    )
    return Rollup(
        family,
        year,
        declarations,
        total,
        responded,
        source,
        minerals,
        answers,
        smelters,
        unresolved,
    )


def years_with_declarations(member: Membership) -> list[tuple[str, int]]:
    """(family, year) pairs that have at least one accepted declaration, newest first."""
    rows = (
        Declaration.objects.for_member(member)
        .filter(status=DeclarationStatus.ACCEPTED, reporting_year__isnull=False)
        .values_list("family", "reporting_year")
        .distinct()
    )
    return sorted({(f, y) for f, y in rows if y}, key=lambda p: (-p[1], p[0]))
