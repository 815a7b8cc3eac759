"""Models of the risk app, one module per aggregate: reference editions and their rows
(``editions``); red flags, scores and the risk register each add their own module."""

from oretrace.risk.models.editions import (
    ROW_MODELS,
    ConflictArea,
    CountryCode,
    CountryProfile,
    Edition,
    EditionRow,
    GoodListing,
)
from oretrace.risk.models.flags import RedFlag
from oretrace.risk.models.scores import Methodology, Score

__all__ = [
    "ROW_MODELS",
    "ConflictArea",
    "CountryCode",
    "CountryProfile",
    "Edition",
    "EditionRow",
    "GoodListing",
    "Methodology",
    "RedFlag",
    "Score",
]


# --- the risk register and Step-3 plans ---
from oretrace.risk.models.register import (
    Escalation,
    Indicator,
    Measure,
    PlanDecision,
    RiskEntry,
    RiskPlan,
    RiskStatusChange,
)

__all__ += [
    "Escalation",
    "Indicator",
    "Measure",
    "PlanDecision",
    "RiskEntry",
    "RiskPlan",
    "RiskStatusChange",
]
