"""Red-flag rules as code (issue 18 §2): pure, no Django, no ORM.

``risk.gather`` reads an organisation's records into plain rows (``inputs``); ``evaluate``
applies every rule of ``RULES`` and returns ``Finding``s; ``risk.services.flags`` turns them
into ``RedFlag`` rows, opening new ones and closing those that no longer hold.
"""

from oretrace.risk.flags.evaluate import PARAM_WORDS, Finding, evaluate
from oretrace.risk.flags.inputs import (
    Area,
    AreaList,
    AssessmentGap,
    CustodyAnomaly,
    DeclaredAnswer,
    DeclaredMine,
    DeclaredSmelter,
    Evidence,
    GoodList,
    Inputs,
    LinkedGrievance,
    ListedGood,
    OverdueAction,
    TracedLot,
)
from oretrace.risk.flags.rules import RULES, Rule

__all__ = [
    "PARAM_WORDS",
    "RULES",
    "Area",
    "AreaList",
    "AssessmentGap",
    "CustodyAnomaly",
    "DeclaredAnswer",
    "DeclaredMine",
    "DeclaredSmelter",
    "Evidence",
    "Finding",
    "GoodList",
    "Inputs",
    "LinkedGrievance",
    "ListedGood",
    "OverdueAction",
    "Rule",
    "TracedLot",
    "evaluate",
]
