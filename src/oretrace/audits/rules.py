"""The one place the audits app reads a programme's rules (``audits.programmes``, pure).

A stored ``ProgrammeVersion`` keeps the text of its programme file; this module parses it back
(once per fingerprint) and answers the questions the services ask: which audit types and
finding grades the programme knows, when the corrective action plan is due, when a finding's
actions must be closed, and what a closed audit's outcome and cycle are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from oretrace.audits import programmes as programmes_package
from oretrace.audits.models import ProgrammeVersion
from oretrace.audits.programmes import (
    FindingGrade,
    Programme,
    ProgrammeError,
    closure_due_on,
    cycle_after,
    outcome_of,
    parse,
    plan_due_on,
)

__all__ = ["Decision", "Programme", "ProgrammeError", "decide", "programme_of", "read"]


def shipped_files() -> list[tuple[str, str]]:
    """(file name, text) of every programme file shipped with oretrace, in name order."""
    folder = Path(programmes_package.__file__).parent / "shipped"
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))]


def read(text: str, name: str) -> Programme:
    """Parse a programme file (``ProgrammeError`` names the file, the line and the field)."""
    return parse(text, name)


@lru_cache(maxsize=64)
def _parsed(fingerprint: str, source: str, name: str) -> Programme:
    return parse(source, name)


def programme_of(version: ProgrammeVersion) -> Programme:
    """The programme a stored version holds, exactly as installed."""
    return _parsed(version.fingerprint, version.source, f"{version.code}@{version.version}")


def audit_types(version: ProgrammeVersion) -> tuple[str, ...]:
    return tuple(str(t) for t in programme_of(version).audit_types)


def finding_grades(version: ProgrammeVersion) -> tuple[str, ...]:
    return tuple(str(g) for g in programme_of(version).finding_grades)


def plan_due(version: ProgrammeVersion, report_on: date) -> date:
    return plan_due_on(programme_of(version), report_on)


def closure_due(version: ProgrammeVersion, grade: str, agreed_on: date) -> date | None:
    return closure_due_on(programme_of(version), FindingGrade(grade), agreed_on)


def grade_title(version: ProgrammeVersion, code: str, language: str) -> str:
    try:
        titles = programme_of(version).grade(code).title
    except KeyError:
        return code
    return titles.get(language) or titles.get("en") or code


@dataclass(frozen=True)
class Decision:
    """A closed audit's result: the programme's grade and what it means for the facility."""

    grade: str
    conformant: bool
    reasons: tuple[str, ...]
    valid_until: date | None
    next_audit_due: date
    next_audit_type: str


def graded(version: ProgrammeVersion) -> bool:
    """Whether the programme grades audits by their score (A-E bands)."""
    return programme_of(version).scoring is not None


def decide(
    version: ProgrammeVersion,
    grades: Sequence[str],
    decided_on: date,
    *,
    score: Decimal | None = None,
    open_grades: Sequence[str] = (),
) -> Decision:
    """The outcome of an audit whose findings have ``grades`` (``open_grades``: those not
    closed at the decision), decided on ``decided_on``; a graded programme needs the score."""
    programme = programme_of(version)
    outcome = outcome_of(
        programme,
        [FindingGrade(g) for g in grades],
        score,
        open_grades=[FindingGrade(g) for g in open_grades],
    )
    cycle = cycle_after(programme, outcome, decided_on)
    return Decision(
        outcome.grade,
        outcome.conformant,
        tuple(outcome.reasons),
        cycle.valid_until,
        cycle.next_audit_due,
        str(cycle.next_audit_type),
    )
