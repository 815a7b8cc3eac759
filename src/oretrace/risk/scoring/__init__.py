"""Explainable risk scores, pure: a methodology (versioned YAML data) and a subject's inputs in,
a total and a breakdown out. No Django, no settings, no ORM: the caller gathers the inputs "as
of" a date and stores what comes out.

``methodology.read`` checks a methodology file and names the faulty field; ``compute.score``
is the scoring function. The same methodology and the same inputs give the same total bit for
bit (Decimal arithmetic in a fixed context), and the breakdown's contributions sum exactly to
the total (rounding is allocated by the largest remainders, ties by position).
"""

from oretrace.risk.scoring.compute import (
    Child,
    Contribution,
    Evidence,
    Observation,
    Score,
    Scorer,
    Stored,
    breakdown,
    contribution_row,
    fingerprint,
    score,
)
from oretrace.risk.scoring.methodology import (
    UNKNOWN,
    Category,
    Indicator,
    Methodology,
    MethodologyError,
    SubjectMethod,
    parse,
    read,
)

__all__ = [
    "UNKNOWN",
    "Category",
    "Child",
    "Contribution",
    "Evidence",
    "Indicator",
    "Methodology",
    "MethodologyError",
    "Observation",
    "Score",
    "Scorer",
    "Stored",
    "SubjectMethod",
    "breakdown",
    "contribution_row",
    "fingerprint",
    "parse",
    "read",
    "score",
]
