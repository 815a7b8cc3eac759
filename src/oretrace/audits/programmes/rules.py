"""The programme's rules applied: an audit's outcome from its findings (and score), the cycle
that follows, and the corrective action deadlines. Pure functions of a ``Programme``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from oretrace.audits.programmes.model import Cycle, FindingGrade, Outcome, Programme

SCORE_BAND = "score-band"  # a graded programme's outcome is its score's band
NO_LIMITING_FINDING = "no-limiting-finding"  # the best grade: no finding held it back


def grade_for_score(p: Programme, score: Decimal) -> str:
    """The banded grade a score (percent) falls in, once rounded half up to the programme's
    precision (85.5 % is 86 % in whole percent). ``ValueError`` for a programme without
    scoring or a score outside 0-100."""
    if p.scoring is None:
        raise ValueError(f"{p.key} does not grade by score")
    rounded = Decimal(score).quantize(Decimal(1).scaleb(-p.scoring.decimals), ROUND_HALF_UP)
    for grade in p.grades:
        low, high = grade.min_score, grade.max_score
        if low is not None and high is not None and low <= rounded <= high:
            return grade.code
    raise ValueError(f"a score of {score} % is outside 0-100")


def outcome_of(
    p: Programme,
    grades: Sequence[FindingGrade],
    score: Decimal | None = None,
    *,
    open_grades: Sequence[FindingGrade] = (),
) -> Outcome:
    """The outcome of an audit that raised findings of ``grades`` (``open_grades``: those still
    open when the outcome is decided; they count as raised too).

    The start is the best grade, or the score's band in a graded programme (which needs a
    score; an ungraded one ignores it). Each rule that fires (``when_raised`` for a raised grade,
    ``when_open`` for an open one) caps the outcome at its grade; the worst cap wins. The reasons
    name the rules that set the final grade (``major-finding``, ``open-minor-finding``), else
    ``score-band`` or ``no-limiting-finding``."""
    order = [g.code for g in p.grades]
    if p.scoring is not None:
        if score is None:
            raise ValueError(f"{p.key} grades by score: give the audit's score")
        start, start_reason = grade_for_score(p, score), SCORE_BAND
    else:
        start, start_reason = order[0], NO_LIMITING_FINDING
    caps: list[tuple[str, str]] = []
    for grade in FindingGrade:  # a fixed order, so that the reasons come in a stable order
        raised = grade in grades or grade in open_grades
        if raised and grade in p.rules.when_raised:
            caps.append((p.rules.when_raised[grade], f"{grade}-finding"))
        if grade in open_grades and grade in p.rules.when_open:
            caps.append((p.rules.when_open[grade], f"open-{grade}-finding"))
    final = max([start, *(cap for cap, _ in caps)], key=order.index)
    reasons = tuple(reason for cap, reason in caps if cap == final)
    if final == start and not reasons:
        reasons = (start_reason,)
    return Outcome(grade=final, conformant=p.grade(final).conformant, reasons=reasons)


def cycle_after(p: Programme, outcome: Outcome, decided_on: date) -> Cycle:
    """The status's validity and the next audit that follow an outcome decided on a day."""
    rule = p.rules.cycles[outcome.grade]
    return Cycle(
        valid_until=None if rule.valid_for is None else rule.valid_for.after(decided_on),
        next_audit_due=rule.next_audit.after(decided_on),
        next_audit_type=rule.next_audit_type,
    )


def plan_due_on(p: Programme, report_on: date) -> date:
    """The day the corrective action plan is due, counted from the report."""
    return p.rules.plan_due.after(report_on)


def closure_due_on(p: Programme, grade: FindingGrade, plan_agreed_on: date) -> date | None:
    """The day a finding of this grade must be closed, counted from the agreed plan; None when
    the programme sets no closing deadline for the grade (observations, good practice …)."""
    due = p.rules.closure_due.get(FindingGrade(grade))
    return None if due is None else due.after(plan_agreed_on)
