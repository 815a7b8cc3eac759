"""What an audit programme is, as frozen dataclasses: its vocabulary, grades and rules.

Nothing here reads a file or a database: ``parse`` builds these from YAML, the rule functions
in ``rules`` read them, and the audits app stores a programme version's fingerprint with each
audit so that the audit keeps the rules it started under.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum


class FindingGrade(StrEnum):
    """The grade of one finding (stable codes: stored on findings, named in programme files)."""

    MAJOR = "major"  # major non-conformity
    MINOR = "minor"  # minor non-conformity
    OBSERVATION = "observation"
    IMPROVEMENT = "improvement"  # opportunity for improvement
    GOOD_PRACTICE = "good-practice"
    ZERO_TOLERANCE = "zero-tolerance"


class AuditType(StrEnum):
    """The kinds of audit a programme runs (stable codes)."""

    INITIAL = "initial"
    SURVEILLANCE = "surveillance"
    REAUDIT = "re-audit"
    FOLLOW_UP = "follow-up"
    UNANNOUNCED = "unannounced"


class ProgrammeError(ValueError):
    """A programme file that cannot be used. The message names the file, the line and the field
    (``rjc.yaml:41: rules.cycles.certified-1y.valid_for: ...``); the parts are attributes too."""

    def __init__(
        self, problem: str, *, source: str = "<text>", path: str = "", line: int | None = None
    ) -> None:
        self.problem, self.source, self.path, self.line = problem, source, path, line
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {path}: {problem}" if path else f"{where}: {problem}")


UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


@dataclass(frozen=True)
class Duration:
    """A span written ``90d``, ``2w``, ``12m`` or ``1y``. Months and years count calendar
    months and land on the same day of the month, or on the month's last day when it is shorter
    (31 January + 1m = 28 or 29 February)."""

    amount: int
    unit: str  # one of UNITS

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def after(self, start: date) -> date:
        if self.unit == "d":
            return start + timedelta(days=self.amount)
        if self.unit == "w":
            return start + timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        index = start.year * 12 + start.month - 1 + months
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(start.day, last))


Texts = Mapping[str, str]


@dataclass(frozen=True)
class Grade:
    """An outcome grade of the programme. ``min_score``/``max_score`` bound its score band (in
    percent, both included) in a graded programme; a grade without a band is reached only through
    a finding rule (the graded social audit's zero tolerance)."""

    code: str
    title: Texts
    conformant: bool
    min_score: Decimal | None = None
    max_score: Decimal | None = None

    @property
    def banded(self) -> bool:
        return self.min_score is not None


@dataclass(frozen=True)
class CycleRule:
    """What follows an outcome grade: how long the status is valid (conformant grades only) and
    when, and as what type, the next audit is due."""

    valid_for: Duration | None
    next_audit: Duration
    next_audit_type: AuditType


@dataclass(frozen=True)
class Scoring:
    """A graded programme scores audits in percent, rounded half up to ``decimals`` places
    before the score is placed in a band."""

    decimals: int


@dataclass(frozen=True)
class Rules:
    """The programme's rules as data.

    ``when_raised[g]`` is the best outcome grade an audit can get once it raised a finding of
    grade ``g`` (closed since or not); ``when_open[g]`` the best it can get while such a finding
    is still open at the decision. ``plan_due`` runs from the report, ``closure_due[g]`` from the
    day the corrective action plan was agreed (a grade not listed has no closing deadline)."""

    cycles: Mapping[str, CycleRule]
    plan_due: Duration
    closure_due: Mapping[FindingGrade, Duration]
    when_raised: Mapping[FindingGrade, str]
    when_open: Mapping[FindingGrade, str]


@dataclass(frozen=True)
class Programme:
    """One version of an audit programme (a rule change is a new version)."""

    code: str  # stable across versions
    version: str
    title: Texts
    standard_code: str | None  # an assessments Standard's code, or None
    audit_types: tuple[AuditType, ...]
    grades: tuple[Grade, ...]  # best first
    rules: Rules
    fingerprint: str  # SHA-256 (hex) of the canonical rules: what an audit pins
    description: Texts
    languages: tuple[str, ...]
    finding_grades: tuple[FindingGrade, ...]  # the finding grades this programme uses
    scoring: Scoring | None  # None: not graded by score
    source: str = "<text>"

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def grade(self, code: str) -> Grade:
        """The outcome grade with this code (``KeyError`` if the programme has none)."""
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise KeyError(f"{self.key} has no grade {code!r}")


@dataclass(frozen=True)
class Outcome:
    """An audit's result under a programme: the grade and the stable reason codes behind it
    (``score-band``, ``no-limiting-finding``, ``major-finding``, ``open-major-finding`` …)."""

    grade: str
    conformant: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Cycle:
    """What an outcome decided on a day means: status valid until (None: not conformant), and
    the next audit's due date and type."""

    valid_until: date | None
    next_audit_due: date
    next_audit_type: AuditType
