"""Properties every shipped programme keeps, whatever the findings: more or graver findings never
give a better outcome, closing a finding never gives a worse one, a conformant outcome has a
validity, and deadlines move forward with their start."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oretrace.audits.programmes import (
    FindingGrade,
    Programme,
    closure_due_on,
    cycle_after,
    duration,
    outcome_of,
    plan_due_on,
    shipped,
)

PROGRAMMES = st.sampled_from(shipped())
GRADES = st.lists(st.sampled_from(list(FindingGrade)), max_size=8)
SCORES = st.integers(min_value=0, max_value=1000).map(lambda n: Decimal(n) / 10)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def _usable(p: Programme, grades: list[FindingGrade]) -> list[FindingGrade]:
    return [g for g in grades if g in p.finding_grades]


def _rank(p: Programme, grade: str) -> int:
    return [g.code for g in p.grades].index(grade)


@given(PROGRAMMES, GRADES, GRADES, SCORES)
def test_more_findings_never_give_a_better_outcome(
    p: Programme, some: list[FindingGrade], more: list[FindingGrade], score: Decimal
) -> None:
    some, more = _usable(p, some), _usable(p, more)
    fewer = outcome_of(p, some, score)
    together = outcome_of(p, some + more, score)
    assert _rank(p, together.grade) >= _rank(p, fewer.grade)


@given(PROGRAMMES, GRADES, SCORES)
def test_closing_findings_never_gives_a_worse_outcome(
    p: Programme, raised: list[FindingGrade], score: Decimal
) -> None:
    raised = _usable(p, raised)
    still_open = outcome_of(p, raised, score, open_grades=raised)
    closed = outcome_of(p, raised, score)
    assert _rank(p, closed.grade) <= _rank(p, still_open.grade)
    assert closed.reasons


@given(PROGRAMMES, GRADES, SCORES, DAYS)
def test_an_outcome_is_valid_exactly_when_conformant_and_the_next_audit_comes_later(
    p: Programme, raised: list[FindingGrade], score: Decimal, decided: date
) -> None:
    outcome = outcome_of(p, _usable(p, raised), score)
    cycle = cycle_after(p, outcome, decided)
    assert (cycle.valid_until is not None) == outcome.conformant
    assert cycle.next_audit_due > decided
    assert cycle.next_audit_type in p.audit_types


@given(PROGRAMMES, DAYS, DAYS)
def test_deadlines_keep_the_order_of_their_starts(p: Programme, one: date, two: date) -> None:
    early, late = sorted((one, two))
    assert plan_due_on(p, early) <= plan_due_on(p, late)
    for grade in p.rules.closure_due:
        first, second = closure_due_on(p, grade, early), closure_due_on(p, grade, late)
        assert first is not None
        assert second is not None
        assert early < first <= second


@given(st.integers(min_value=1, max_value=120), DAYS)
def test_n_months_is_n_times_one_month_from_the_first_of_a_month(months: int, start: date) -> None:
    first = start.replace(day=1)
    stepped = first
    for _ in range(months):
        stepped = duration("1m").after(stepped)
    assert duration(f"{months}m").after(first) == stepped
    assert duration(f"{months}m").after(start).day <= start.day
