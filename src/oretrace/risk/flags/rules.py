"""The catalogue of red-flag rules: a stable code each, what it means, where the OECD Guidance
says so, and how serious a flag it raises.

The texts are English catalogue msgids (marked with ``gettext_noop``, no Django here): pages
translate them when they show a flag. A rule's ``detail`` is filled with a flag's ``params``.
Codes never change once released: stored flags name their rule by code.
"""

from __future__ import annotations

from dataclasses import dataclass

HIGH, MEDIUM, LOW = "high", "medium", "low"


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the message catalogues; it stays English here (no Django in this
    package). Pages translate a rule's texts when they show them."""
    return message


@dataclass(frozen=True)
class Rule:
    """One red-flag rule."""

    code: str
    title: str
    explanation: str
    detail: str  # a flag's own sentence: %(name)s placeholders filled from its params
    guidance: str  # the Guidance's passage, cited as written (not translated)
    severity: str
    list_kind: str = ""  # the reference list (risk.Edition kind) the rule reads, if any


_LOCATION = (
    "OECD Due Diligence Guidance for Responsible Supply Chains of Minerals from Conflict-"
    "Affected and High-Risk Areas (3rd ed., 2016), Step 2: red flag locations of mineral "
    "origin and transit"
)

CAHRA_ORIGIN = Rule(
    "cahra-origin",
    gettext_noop("Origin in a conflict-affected or high-risk area"),
    gettext_noop(
        "The minerals are declared or traced to a place on the list of conflict-affected and "
        "high-risk areas. The Guidance asks for enhanced due diligence on such an origin."
    ),
    gettext_noop("%(evidence)s names %(place)s as an origin; on the list: %(area)s, %(status)s."),
    _LOCATION + ": “the minerals originate from … a conflict-affected or high-risk area”.",
    HIGH,
    "cahra",
)
CAHRA_TRANSIT = Rule(
    "cahra-transit",
    gettext_noop("Transit through a conflict-affected or high-risk area"),
    gettext_noop(
        "The minerals passed through, or were processed at, a place on the list of "
        "conflict-affected and high-risk areas (a smelter or a depot there)."
    ),
    gettext_noop("%(evidence)s puts the material at %(place)s; on the list: %(area)s, %(status)s."),
    _LOCATION + ": “the minerals … have been transported via a conflict-affected or high-risk "
    "area”.",
    HIGH,
    "cahra",
)
SUPPLIER_CAHRA = Rule(
    "supplier-cahra-sourcing",
    gettext_noop("Supplier declares sourcing from a red flag location"),
    gettext_noop(
        "The supplier answered in its declaration that some of the mineral comes from the "
        "DRC or an adjoining country, or from a conflict-affected or high-risk area."
    ),
    gettext_noop("%(evidence)s: question %(question)s for %(mineral)s is answered “%(answer)s”."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Supplements on tin, tantalum, tungsten and on "
    "gold, Step 2, supplier red flags: suppliers “are known to have sourced minerals from a red "
    "flag location of mineral origin and transit in the last 12 months”.",
    HIGH,
)
SMELTER_NOT_CONFORMANT = Rule(
    "smelter-not-conformant",
    gettext_noop("Smelter or refiner not conformant"),
    gettext_noop(
        "A declared smelter or refiner failed its independent audit, or its assessment was "
        "suspended: its due diligence cannot be relied on."
    ),
    gettext_noop("%(evidence)s names %(facility)s, whose assurance status is “%(status)s”."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Step 2 (identify the smelters/refiners and "
    "assess their due diligence) and Step 4 (independent third-party audit of smelter/refiner "
    "due diligence).",
    HIGH,
)
SMELTER_NOT_AUDITED = Rule(
    "smelter-not-audited",
    gettext_noop("Smelter or refiner without a completed audit"),
    gettext_noop(
        "A declared smelter or refiner has no assurance status, or one that is not the outcome "
        "of a completed audit (active, in communication, outreach required)."
    ),
    gettext_noop("%(evidence)s names %(facility)s: %(status)s."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Step 4: smelters/refiners should have their "
    "due diligence practices audited by an independent third party.",
    MEDIUM,
)
LISTED_GOOD = Rule(
    "listed-good-origin",
    gettext_noop("Origin where the mineral is listed for child or forced labour"),
    gettext_noop(
        "The mineral comes from a country where the US Department of Labor lists it as "
        "produced with child labour or forced labour: a reasonable suspicion of OECD Annex II "
        "risks 2 and 3 that calls for enhanced due diligence."
    ),
    gettext_noop("%(evidence)s: %(mineral)s from %(place)s; the list has “%(good)s” (%(labour)s)."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Annex II risks 2 (forced or compulsory "
    "labour) and 3 (worst forms of child labour); OECD, Practical actions for companies to "
    "identify and address the worst forms of child labour in mineral supply chains (2017).",
    MEDIUM,
    "dol-goods",
)
ASSESSMENT_GAP = Rule(
    "assessment-annex-ii-gap",
    gettext_noop("Assessment gap on an OECD Annex II risk"),
    gettext_noop(
        "The facility's latest assessment does not meet, or only partly meets, a criterion "
        "tied to an OECD Annex II risk: a red flag circumstance that calls for enhanced due "
        "diligence."
    ),
    gettext_noop("%(evidence)s: criterion %(criterion)s is “%(outcome)s” (Annex II: %(risks)s)."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Step 2: red flag circumstances (information "
    "collected gives reasonable grounds to suspect an Annex II risk), and Annex II of the "
    "Guidance.",
    HIGH,  # a critical criterion, or one not met; medium when a criterion is partly met
)
CUSTODY_ANOMALY = Rule(
    "custody-anomaly",
    gettext_noop("Anomaly in the chain of custody"),
    gettext_noop(
        "The custody records of a lot do not balance (more out than in, a receipt that does not "
        "match its shipment, a receipt from a party that never shipped): material of unknown "
        "origin may have entered the chain."
    ),
    gettext_noop("%(evidence)s at %(place)s: %(anomaly)s."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Step 2: red flag circumstances (anomalies in "
    "the chain of custody information collected in Step 1), and Annex II risk 8 (fraudulent "
    "misrepresentation of the origin of minerals).",
    MEDIUM,
)

AUDIT_ACTION_OVERDUE = Rule(
    "audit-action-overdue",
    gettext_noop("Corrective action of an audit overdue"),
    gettext_noop(
        "A corrective action the facility agreed to close an audit finding is past its due "
        "date and not done: the risk the finding names is not being mitigated as planned."
    ),
    gettext_noop("%(evidence)s: the action on %(criterion)s (%(grade)s) was due on %(due)s."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Step 3: implement the risk management plan, "
    "monitor and track the performance of risk mitigation efforts; Step 4: independent "
    "third-party audit, whose recommendations the audited party follows up.",
    HIGH,  # a major or zero-tolerance finding; medium for a minor one
)

GRIEVANCE_LINKED = Rule(
    "grievance-linked",
    gettext_noop("Grievance linked to this part of the supply chain"),
    gettext_noop(
        "A grievance officer linked a worker's or community member's grievance to this "
        "facility, supplier or lot after triage. Only the category and severity are shared: "
        "the report and its reporter stay with the grievance mechanism."
    ),
    gettext_noop("%(evidence)s about %(grievance_category)s, of %(grievance_severity)s severity."),
    "OECD Due Diligence Guidance (3rd ed., 2016), Step 1.E: establish a company or industry-"
    "wide grievance mechanism as an early-warning risk-awareness system; Step 2: red flag "
    "circumstances (information collected gives reasonable grounds to suspect an Annex II risk).",
    HIGH,  # a high or critical case; medium for a low or medium one
)

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        CAHRA_ORIGIN,
        CAHRA_TRANSIT,
        SUPPLIER_CAHRA,
        SMELTER_NOT_CONFORMANT,
        SMELTER_NOT_AUDITED,
        LISTED_GOOD,
        ASSESSMENT_GAP,
        CUSTODY_ANOMALY,
        AUDIT_ACTION_OVERDUE,
        GRIEVANCE_LINKED,
    )
}
