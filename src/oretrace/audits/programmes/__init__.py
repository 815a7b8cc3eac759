"""Audit programmes as versioned data, pure: no Django, no settings, no ORM.

A programme file (YAML, one version each) names its standard, audit types, outcome grades (with
score bands if it is graded) and its rules: what a finding of each grade does to the outcome, the
cycle (validity, next audit) that follows each grade, and the deadlines of the corrective action
plan and of closing each finding grade. ``parse`` checks a file and names the file, line and field
of the first problem; ``shipped`` gives the programmes oretrace ships; the rule functions apply a
programme. An audit pins a programme version by its ``fingerprint``, which changes exactly when
the rules do (not with a title, a translation or the version label).
"""

from oretrace.audits.programmes.library import shipped, shipped_programme
from oretrace.audits.programmes.model import (
    AuditType,
    Cycle,
    CycleRule,
    Duration,
    FindingGrade,
    Grade,
    Outcome,
    Programme,
    ProgrammeError,
    Rules,
    Scoring,
)
from oretrace.audits.programmes.parse import canonical_rules, duration, parse
from oretrace.audits.programmes.rules import (
    NO_LIMITING_FINDING,
    SCORE_BAND,
    closure_due_on,
    cycle_after,
    grade_for_score,
    outcome_of,
    plan_due_on,
)

__all__ = [
    "NO_LIMITING_FINDING",
    "SCORE_BAND",
    "AuditType",
    "Cycle",
    "CycleRule",
    "Duration",
    "FindingGrade",
    "Grade",
    "Outcome",
    "Programme",
    "ProgrammeError",
    "Rules",
    "Scoring",
    "canonical_rules",
    "closure_due_on",
    "cycle_after",
    "duration",
    "grade_for_score",
    "outcome_of",
    "parse",
    "plan_due_on",
    "shipped",
    "shipped_programme",
]
