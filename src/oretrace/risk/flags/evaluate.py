"""The rules themselves: ``evaluate(inputs)`` returns every finding, each naming its rule, its
evidence and its subject, with a ``key`` that stays the same while the condition holds.

Each rule is one function over the inputs; none reads anything else, so the same inputs give
the same findings, in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from oretrace.risk.flags.inputs import Area, AreaList, Evidence, Inputs, ListedGood, TracedLot
from oretrace.risk.flags.rules import (
    ASSESSMENT_GAP,
    AUDIT_ACTION_OVERDUE,
    CAHRA_ORIGIN,
    CAHRA_TRANSIT,
    CUSTODY_ANOMALY,
    GRIEVANCE_LINKED,
    LISTED_GOOD,
    RULES,
    SMELTER_NOT_AUDITED,
    SMELTER_NOT_CONFORMANT,
    SUPPLIER_CAHRA,
    gettext_noop,
)

# Assurance statuses, compared in a normal form (lower case, one space for - _ and blanks).
CONFORMANT = frozenset({"conformant", "cross recognized", "cross recognised"})
FAILED_PREFIXES = ("non conformant", "nonconformant", "not conformant", "suspended")
FAILED_WORDS = ("communication suspended", "unable to proceed")
# Answers to a location question that say "none of it": anything else says "some of it".
NO_ANSWERS = frozenset(
    {"", "no", "unknown", "none", "not declaring", "not applicable for this declaration", "n/a"}
)
# Words of a DOL good's name that name a mineral, besides the mineral's own code.
MINERAL_WORDS = {
    "tantalum": ("tantalum", "coltan", "columbite", "tantalite"),
    "tin": ("tin", "cassiterite"),
    "tungsten": ("tungsten", "wolframite"),
    "cobalt": ("cobalt", "heterogenite"),
}
UNKNOWN_REGION = "some regions listed, region not known"
# Values of a flag's params that pages translate (the rest are names and codes).
PARAM_WORDS = {
    "conflict-affected": gettext_noop("conflict-affected"),
    "high-risk": gettext_noop("high-risk"),
    "conflict-affected and high-risk": gettext_noop("conflict-affected and high-risk"),
    "whole country": gettext_noop("whole country"),
    "some regions listed, region not known": gettext_noop(
        "some of its regions are listed; the region is not known"
    ),
    "child labour": gettext_noop("child labour"),
    "forced labour": gettext_noop("forced labour"),
    "child labour and forced labour": gettext_noop("child labour and forced labour"),
    "no assurance status": gettext_noop("no assurance status"),
    "not_met": gettext_noop("does not meet"),
    "partly": gettext_noop("partly meets"),
    "major": gettext_noop("major non-conformity"),
    "minor": gettext_noop("minor non-conformity"),
    "zero-tolerance": gettext_noop("zero-tolerance issue"),
}
# Finding grades whose overdue action raises a high flag (a minor one: medium).
GRAVE_GRADES = frozenset({"major", "zero-tolerance"})


def _normal(text: str) -> str:
    return re.sub(r"[\s\-_]+", " ", text.casefold()).strip()


@dataclass(frozen=True)
class Finding:
    """A rule's finding on one piece of evidence: what a red flag records."""

    rule: str
    key: str
    evidence: Evidence
    facility_id: int | None = None
    supplier_id: int | None = None
    lot_id: int | None = None
    country: str = ""
    region: str = ""
    params: dict[str, str] = field(default_factory=dict, hash=False)
    edition_id: int | None = None
    graver: bool | None = None  # None: the rule's severity; False: one step lower
    share_with: tuple[int, ...] = ()  # organisations the flag is shared with (a grant each)

    @property
    def severity(self) -> str:
        severity = RULES[self.rule].severity
        if self.graver is False:
            return {"high": "medium", "medium": "low"}.get(severity, severity)
        return severity


def _key(rule: str, evidence: Evidence, *parts: object) -> str:
    tail = "|".join(str(p) for p in parts if p not in (None, ""))
    head = f"{rule}|{evidence.kind}:{evidence.id}" + (f"#{evidence.part}" if evidence.part else "")
    return head + (f"|{tail}" if tail else "")


def _place(inputs: Inputs, country: str, region: str = "") -> str:
    name = inputs.country_names.get(country, country)
    return f"{name} ({region or country})"


def _area(inputs: Inputs, area: Area, exact: bool) -> dict[str, str]:
    """The ``area`` and ``status`` params: the listed area and how the list has it."""
    if not exact:
        name = inputs.country_names.get(area.country, area.country)
        return {"area": f"{name} ({area.country})", "status": UNKNOWN_REGION}
    if area.conflict_affected and area.high_risk:
        status = "conflict-affected and high-risk"
    else:
        status = "conflict-affected" if area.conflict_affected else "high-risk"
    where = f"{area.name} ({area.region})" if area.region else f"{area.name} ({area.country})"
    return {"area": where, "status": status}


def _cahra(
    inputs: Inputs,
    rule: str,
    evidence: Evidence,
    country: str,
    region: str,
    *,
    facility_id: int | None = None,
    supplier_id: int | None = None,
    lot_id: int | None = None,
) -> Finding | None:
    areas: AreaList | None = inputs.areas
    if areas is None or not country:
        return None
    area, exact = areas.matching(country, region)
    if area is None:
        return None
    return Finding(
        rule,
        _key(rule, evidence, country, region),
        evidence,
        country=country,
        region=region or area.region,
        params={
            "evidence": evidence.label,
            "place": _place(inputs, country, region),
            **_area(inputs, area, exact),
        },
        edition_id=areas.edition_id,
        facility_id=facility_id,
        supplier_id=supplier_id,
        lot_id=lot_id,
    )


def _cahra_lot(inputs: Inputs, rule: str, lot: TracedLot) -> Finding | None:
    """A custody lot at a place in a CAHRA (its facility's country and region)."""
    return _cahra(
        inputs,
        rule,
        lot.evidence,
        lot.country,
        lot.region,
        facility_id=lot.facility_id,
        lot_id=lot.evidence.id,
    )


def cahra_origin(inputs: Inputs) -> Iterator[Finding | None]:
    """Declared mine countries (Smelter List, Mine List) and traced origin lots in a CAHRA."""
    for smelter in inputs.smelters:
        for country in smelter.mine_countries:
            yield _cahra(
                inputs,
                CAHRA_ORIGIN.code,
                smelter.evidence,
                country,
                "",
                facility_id=smelter.facility_id,
                supplier_id=smelter.supplier_id,
            )
    for mine in inputs.mines:
        yield _cahra(
            inputs, CAHRA_ORIGIN.code, mine.evidence, mine.country, "", supplier_id=mine.supplier_id
        )
    for lot in inputs.lots:
        if lot.origin and not lot.recycled:
            yield _cahra_lot(inputs, CAHRA_ORIGIN.code, lot)


def cahra_transit(inputs: Inputs) -> Iterator[Finding | None]:
    """Declared smelters, and custody lots past their origin, located in a CAHRA."""
    for smelter in inputs.smelters:
        yield _cahra(
            inputs,
            CAHRA_TRANSIT.code,
            smelter.evidence,
            smelter.country,
            smelter.region,
            facility_id=smelter.facility_id,
            supplier_id=smelter.supplier_id,
        )
    for lot in inputs.lots:
        if not lot.origin:
            yield _cahra_lot(inputs, CAHRA_TRANSIT.code, lot)


def supplier_cahra_sourcing(inputs: Inputs) -> Iterator[Finding | None]:
    """A location question answered with anything but "no" (or "unknown", left empty)."""
    for answer in inputs.answers:
        if _normal(answer.answer) in NO_ANSWERS:
            continue
        yield Finding(
            SUPPLIER_CAHRA.code,
            _key(SUPPLIER_CAHRA.code, answer.evidence, answer.question, answer.mineral),
            answer.evidence,
            supplier_id=answer.supplier_id,
            params={
                "evidence": answer.evidence.label,
                "question": answer.question,
                "mineral": answer.mineral,
                "answer": answer.answer,
            },
        )


def _failed(status: str) -> bool:
    normal = _normal(status)
    return normal.startswith(FAILED_PREFIXES) or any(w in normal for w in FAILED_WORDS)


def smelter_status(inputs: Inputs) -> Iterator[Finding | None]:
    """Matched smelters whose assurance status is failed (not conformant), or not the outcome
    of a completed audit (not audited). A row matched to no facility is not judged here: the
    declaration's own review queue deals with it."""
    for smelter in inputs.smelters:
        if smelter.facility_id is None or _normal(smelter.status) in CONFORMANT:
            continue
        rule = SMELTER_NOT_CONFORMANT if _failed(smelter.status) else SMELTER_NOT_AUDITED
        yield Finding(
            rule.code,
            _key(rule.code, smelter.evidence, smelter.facility_id),
            smelter.evidence,
            facility_id=smelter.facility_id,
            supplier_id=smelter.supplier_id,
            country=smelter.country,
            params={
                "evidence": smelter.evidence.label,
                "facility": smelter.facility_name,
                "status": smelter.status or "no assurance status",
            },
        )


def _names_mineral(good: str, mineral: str) -> bool:
    words = set(re.findall(r"[a-z]+", good.casefold()))
    return any(word in words for word in MINERAL_WORDS.get(mineral, (mineral,)))


def _labour(good: ListedGood) -> str:
    if good.child_labour and good.forced_labour:
        return "child labour and forced labour"
    return "child labour" if good.child_labour else "forced labour"


def listed_good_origin(inputs: Inputs) -> Iterator[Finding | None]:
    """Origins (declared mines, traced origin lots) of a mineral the DOL List of Goods names for
    their country with child or forced labour."""
    if inputs.goods is None:
        return
    # (evidence, country, mineral, (facility, supplier, lot))
    origins: list[tuple[Evidence, str, str, tuple[int | None, int | None, int | None]]] = []
    for mine in inputs.mines:
        origins.append((mine.evidence, mine.country, mine.metal, (None, mine.supplier_id, None)))
    for lot in inputs.lots:
        if lot.origin and not lot.recycled:
            subject = (lot.facility_id, None, lot.evidence.id)
            origins.extend((lot.evidence, lot.country, m, subject) for m in lot.minerals)
    for evidence, country, mineral, (facility_id, supplier_id, lot_id) in origins:
        good = next(
            (
                g
                for g in inputs.goods.of_country(country)
                if (g.child_labour or g.forced_labour) and _names_mineral(g.good, mineral)
            ),
            None,
        )
        if good is None:
            continue
        yield Finding(
            LISTED_GOOD.code,
            _key(LISTED_GOOD.code, evidence, country, mineral),
            evidence,
            country=country,
            params={
                "evidence": evidence.label,
                "mineral": mineral,
                "place": _place(inputs, country),
                "good": good.good,
                "labour": _labour(good),
            },
            edition_id=inputs.goods.edition_id,
            facility_id=facility_id,
            supplier_id=supplier_id,
            lot_id=lot_id,
        )


def assessment_gap(inputs: Inputs) -> Iterator[Finding | None]:
    """Criteria tied to an Annex II risk that the latest assessment does not fully meet."""
    for gap in inputs.gaps:
        if not gap.annex_ii or gap.outcome not in ("not_met", "partly"):
            continue
        yield Finding(
            ASSESSMENT_GAP.code,
            _key(ASSESSMENT_GAP.code, gap.evidence, gap.criterion),
            gap.evidence,
            facility_id=gap.facility_id,
            graver=gap.critical or gap.outcome == "not_met",
            params={
                "evidence": gap.evidence.label,
                "criterion": gap.criterion,
                "outcome": gap.outcome,
                "risks": ", ".join(str(r) for r in gap.annex_ii),
            },
        )


def custody_anomaly(inputs: Inputs) -> Iterator[Finding | None]:
    for anomaly in inputs.anomalies:
        yield Finding(
            CUSTODY_ANOMALY.code,
            _key(CUSTODY_ANOMALY.code, anomaly.evidence),
            anomaly.evidence,
            facility_id=anomaly.facility_id,
            lot_id=anomaly.lot_id,
            params={
                "evidence": anomaly.evidence.label,
                "place": anomaly.place,
                "anomaly": anomaly.anomaly,
            },
        )


def audit_action_overdue(inputs: Inputs) -> Iterator[Finding | None]:
    """One flag per audit finding with an open corrective action past its due date (the
    earliest due one is named), on the audited facility."""
    seen: set[str] = set()
    for late in sorted(inputs.overdue_actions, key=lambda a: a.due):
        key = _key(AUDIT_ACTION_OVERDUE.code, late.evidence)
        if key in seen:
            continue
        seen.add(key)
        yield Finding(
            AUDIT_ACTION_OVERDUE.code,
            key,
            late.evidence,
            facility_id=late.facility_id,
            graver=late.grade in GRAVE_GRADES,
            params={
                "evidence": late.evidence.label,
                "criterion": late.criterion,
                "grade": late.grade,
                "due": late.due,
            },
        )


GRAVE_CASES = frozenset({"high", "critical"})


def grievance_linked(inputs: Inputs) -> Iterator[Finding | None]:
    """One flag per standing link of an open, triaged grievance case, on what it is linked
    to; shared with the organisations the link concerns. Its params are the case's category
    and severity alone."""
    for linked in inputs.grievances:
        yield Finding(
            GRIEVANCE_LINKED.code,
            _key(GRIEVANCE_LINKED.code, linked.evidence),
            linked.evidence,
            facility_id=linked.facility_id,
            supplier_id=linked.supplier_id,
            lot_id=linked.lot_id,
            graver=linked.severity in GRAVE_CASES,
            params={
                "evidence": linked.evidence.label,
                "grievance_category": linked.category,
                "grievance_severity": linked.severity,
            },
            share_with=linked.share_with,
        )


CHECKS: tuple[Callable[[Inputs], Iterator[Finding | None]], ...] = (
    cahra_origin,
    cahra_transit,
    supplier_cahra_sourcing,
    smelter_status,
    listed_good_origin,
    assessment_gap,
    custody_anomaly,
    audit_action_overdue,
    grievance_linked,
)


def evaluate(inputs: Inputs) -> list[Finding]:
    """Every rule's findings on ``inputs``, one per key (the first wins), in rule order."""
    found: dict[str, Finding] = {}
    for check in CHECKS:
        for finding in check(inputs):
            if finding is not None:
                found.setdefault(finding.key, finding)
    for finding in found.values():
        if finding.evidence.page is not None:  # where a page links the evidence to
            finding.params.setdefault("page", str(finding.evidence.page))
    return list(found.values())
