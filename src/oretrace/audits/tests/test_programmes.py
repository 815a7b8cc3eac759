"""The shipped programmes' rules, one test per rule per programme: each fails if its rule changes.

Dates are chosen so that month arithmetic shows (a decision on 31 January, a report in March).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from oretrace.audits.programmes import (
    AuditType,
    Cycle,
    FindingGrade,
    Programme,
    closure_due_on,
    cycle_after,
    grade_for_score,
    outcome_of,
    plan_due_on,
    shipped,
    shipped_programme,
)

MAJOR, MINOR = FindingGrade.MAJOR, FindingGrade.MINOR
OBSERVATION, IMPROVEMENT = FindingGrade.OBSERVATION, FindingGrade.IMPROVEMENT
GOOD, ZERO = FindingGrade.GOOD_PRACTICE, FindingGrade.ZERO_TOLERANCE
DECIDED = date(2026, 1, 31)
REPORT = date(2026, 3, 10)
PLAN = date(2026, 4, 30)


def _result(
    p: Programme,
    grades: Sequence[FindingGrade],
    *,
    open_grades: Sequence[FindingGrade] = (),
    score: Decimal | None = None,
) -> tuple[str, bool, Cycle]:
    outcome = outcome_of(p, grades, score, open_grades=open_grades)
    return outcome.grade, outcome.conformant, cycle_after(p, outcome, DECIDED)


# --- the shipped set ------------------------------------------------------------------------------


def test_four_programmes_ship_with_their_texts_in_english_french_and_hindi() -> None:
    programmes = shipped()
    assert [p.code for p in programmes] == [
        "graded-social-audit",
        "jewellery-style-certification",
        "mica-processor-workplace",
        "rmap-style-smelter",
    ]
    for p in programmes:
        for texts in (p.title, p.description, *(g.title for g in p.grades)):
            assert set(texts) == {"en", "fr", "hi"}, p.key
            assert all(text.strip() for text in texts.values()), p.key
    assert len({p.fingerprint for p in programmes}) == 4


def test_shipped_programme_finds_by_code_and_refuses_an_unknown_one() -> None:
    assert shipped_programme("rmap-style-smelter", "2026.1").version == "2026.1"
    with pytest.raises(KeyError, match="no shipped programme nope"):
        shipped_programme("nope")


# --- RMAP-style smelter audit ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def rmap() -> Programme:
    return shipped_programme("rmap-style-smelter")


def test_rmap_plan_is_due_90_days_after_the_report(rmap: Programme) -> None:
    assert plan_due_on(rmap, REPORT) == date(2026, 6, 8)


def test_rmap_no_non_conformity_gives_a_three_year_cycle(rmap: Programme) -> None:
    grade, conformant, cycle = _result(rmap, [OBSERVATION, IMPROVEMENT, GOOD])
    assert (grade, conformant) == ("conformant-3y", True)
    assert cycle == Cycle(date(2029, 1, 31), date(2029, 1, 31), AuditType.REAUDIT)


def test_rmap_only_minor_non_conformities_give_a_two_year_cycle(rmap: Programme) -> None:
    grade, conformant, cycle = _result(rmap, [MINOR, MINOR, OBSERVATION])
    assert (grade, conformant) == ("conformant-2y", True)
    assert cycle == Cycle(date(2028, 1, 31), date(2028, 1, 31), AuditType.REAUDIT)


def test_rmap_a_closed_major_non_conformity_gives_a_one_year_cycle(rmap: Programme) -> None:
    outcome = outcome_of(rmap, [MAJOR, MINOR])
    assert outcome.grade == "conformant-1y"
    assert outcome.reasons == ("major-finding",)
    assert cycle_after(rmap, outcome, DECIDED) == Cycle(
        date(2027, 1, 31), date(2027, 1, 31), AuditType.REAUDIT
    )


@pytest.mark.parametrize("still_open", [MAJOR, MINOR])
def test_rmap_an_open_non_conformity_at_the_decision_is_not_conformant(
    rmap: Programme, still_open: FindingGrade
) -> None:
    outcome = outcome_of(rmap, [MAJOR, MINOR], open_grades=[still_open])
    assert (outcome.grade, outcome.conformant) == ("non-conformant", False)
    assert outcome.reasons == (f"open-{still_open}-finding",)
    assert cycle_after(rmap, outcome, DECIDED) == Cycle(None, date(2026, 5, 1), AuditType.FOLLOW_UP)


def test_rmap_closing_deadlines_by_finding_grade(rmap: Programme) -> None:
    assert closure_due_on(rmap, MAJOR, PLAN) == date(2026, 7, 29)
    assert closure_due_on(rmap, MINOR, PLAN) == date(2026, 10, 30)
    assert closure_due_on(rmap, OBSERVATION, PLAN) is None


# --- jewellery-style certification ----------------------------------------------------------------


@pytest.fixture(scope="module")
def rjc() -> Programme:
    return shipped_programme("jewellery-style-certification")


def test_rjc_a_major_non_conformity_gives_a_one_year_certificate(rjc: Programme) -> None:
    grade, conformant, cycle = _result(rjc, [MAJOR, MINOR])
    assert (grade, conformant) == ("certified-1y", True)
    # the certificate ends and the re-certification audit falls due 12 months after the decision
    assert cycle == Cycle(date(2027, 1, 31), date(2027, 1, 31), AuditType.REAUDIT)


def test_rjc_an_open_major_still_gives_the_one_year_certificate(rjc: Programme) -> None:
    assert _result(rjc, [], open_grades=[MAJOR])[:2] == ("certified-1y", True)


def test_rjc_only_minor_non_conformities_give_a_three_year_certificate(rjc: Programme) -> None:
    grade, conformant, cycle = _result(rjc, [MINOR, MINOR, OBSERVATION], open_grades=[MINOR])
    assert (grade, conformant) == ("certified-3y", True)
    assert cycle == Cycle(date(2029, 1, 31), date(2029, 1, 31), AuditType.REAUDIT)


def test_rjc_zero_tolerance_refuses_the_certificate(rjc: Programme) -> None:
    outcome = outcome_of(rjc, [ZERO, MAJOR])
    assert (outcome.grade, outcome.conformant, outcome.reasons) == (
        "not-certified",
        False,
        ("zero-tolerance-finding",),
    )
    assert cycle_after(rjc, outcome, DECIDED) == Cycle(None, date(2026, 7, 31), AuditType.FOLLOW_UP)


def test_rjc_plan_and_closing_deadlines(rjc: Programme) -> None:
    assert plan_due_on(rjc, REPORT) == date(2026, 5, 9)
    assert closure_due_on(rjc, ZERO, PLAN) == date(2026, 5, 30)
    assert closure_due_on(rjc, MAJOR, PLAN) == date(2026, 10, 30)
    assert closure_due_on(rjc, MINOR, PLAN) == date(2027, 4, 30)
    assert closure_due_on(rjc, GOOD, PLAN) is None


# --- graded social audit --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded() -> Programme:
    return shipped_programme("graded-social-audit")


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "A"), ("86", "A"), ("85.5", "A"), ("85.49", "B"), ("85", "B"), ("71", "B"),
        ("70", "C"), ("51", "C"), ("50", "D"), ("30", "D"), ("29", "E"), ("0", "E"),
    ],
)  # fmt: skip
def test_graded_bands_a_to_e(graded: Programme, score: str, grade: str) -> None:
    assert grade_for_score(graded, Decimal(score)) == grade


def test_graded_85_percent_is_b_valid_two_years(graded: Programme) -> None:
    grade, conformant, cycle = _result(graded, [MINOR], score=Decimal(85))
    assert (grade, conformant) == ("B", True)
    assert cycle == Cycle(date(2028, 1, 31), date(2028, 1, 31), AuditType.REAUDIT)


def test_graded_a_is_valid_two_years(graded: Programme) -> None:
    assert _result(graded, [], score=Decimal(92))[2] == Cycle(
        date(2028, 1, 31), date(2028, 1, 31), AuditType.REAUDIT
    )


def test_graded_60_percent_is_c_with_a_follow_up_within_12_months(graded: Programme) -> None:
    grade, conformant, cycle = _result(graded, [MAJOR, MINOR], score=Decimal(60))
    assert (grade, conformant) == ("C", True)
    assert cycle == Cycle(date(2027, 1, 31), date(2027, 1, 31), AuditType.FOLLOW_UP)


@pytest.mark.parametrize(("score", "grade"), [("45", "D"), ("12", "E")])
def test_graded_d_and_e_are_not_conformant_and_followed_up_within_12_months(
    graded: Programme, score: str, grade: str
) -> None:
    assert _result(graded, [MAJOR], score=Decimal(score)) == (
        grade,
        False,
        Cycle(None, date(2027, 1, 31), AuditType.FOLLOW_UP),
    )


def test_graded_zero_tolerance_overrides_the_score(graded: Programme) -> None:
    outcome = outcome_of(graded, [ZERO], Decimal(97))
    assert (outcome.grade, outcome.conformant, outcome.reasons) == (
        "ZT",
        False,
        ("zero-tolerance-finding",),
    )
    assert cycle_after(graded, outcome, DECIDED) == Cycle(
        None, date(2026, 4, 30), AuditType.UNANNOUNCED
    )


def test_graded_the_score_decides_without_zero_tolerance(graded: Programme) -> None:
    outcome = outcome_of(graded, [MAJOR, MAJOR], Decimal(90), open_grades=[MAJOR])
    assert (outcome.grade, outcome.reasons) == ("A", ("score-band",))


def test_graded_needs_a_score_within_0_to_100(graded: Programme) -> None:
    with pytest.raises(ValueError, match="grades by score"):
        outcome_of(graded, [MINOR])
    with pytest.raises(ValueError, match="outside 0-100"):
        grade_for_score(graded, Decimal("100.6"))


def test_graded_plan_and_closing_deadlines(graded: Programme) -> None:
    assert plan_due_on(graded, REPORT) == date(2026, 5, 9)
    assert closure_due_on(graded, ZERO, PLAN) == date(2026, 5, 30)
    assert closure_due_on(graded, MAJOR, PLAN) == date(2026, 7, 29)
    assert closure_due_on(graded, MINOR, PLAN) == date(2026, 10, 30)


# --- mica processing units ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mica() -> Programme:
    return shipped_programme("mica-processor-workplace")


def test_mica_audits_against_the_assessments_mica_standard(mica: Programme) -> None:
    standards = Path(__file__).resolve().parents[2] / "assessments" / "standards"
    text = (standards / "mica-processing-workplace.yaml").read_text(encoding="utf-8")
    assert mica.standard_code == yaml.safe_load(text)["code"] == "mica-processing-workplace"


def test_mica_two_closed_majors_give_conformance_for_one_year(mica: Programme) -> None:
    # the demo: two major findings, closed with support before the decision
    grade, conformant, cycle = _result(mica, [MAJOR, MAJOR, MINOR], open_grades=[MINOR])
    assert (grade, conformant) == ("conformant-1y", True)
    assert cycle == Cycle(date(2027, 1, 31), date(2027, 1, 31), AuditType.REAUDIT)


def test_mica_an_open_major_is_not_conformant(mica: Programme) -> None:
    assert _result(mica, [MAJOR, MAJOR], open_grades=[MAJOR]) == (
        "non-conformant",
        False,
        Cycle(None, date(2026, 7, 31), AuditType.FOLLOW_UP),
    )


def test_mica_only_minors_give_two_years_with_a_yearly_visit(mica: Programme) -> None:
    assert _result(mica, [MINOR, OBSERVATION], open_grades=[MINOR]) == (
        "conformant-2y",
        True,
        Cycle(date(2028, 1, 31), date(2027, 1, 31), AuditType.SURVEILLANCE),
    )


def test_mica_zero_tolerance_suspends_even_when_closed(mica: Programme) -> None:
    outcome = outcome_of(mica, [ZERO, MAJOR], open_grades=[MAJOR])
    assert (outcome.grade, outcome.conformant, outcome.reasons) == (
        "suspended",
        False,
        ("zero-tolerance-finding",),
    )
    assert cycle_after(mica, outcome, DECIDED) == Cycle(
        None, date(2026, 4, 30), AuditType.UNANNOUNCED
    )


def test_mica_plan_and_closing_deadlines(mica: Programme) -> None:
    assert plan_due_on(mica, REPORT) == date(2026, 4, 9)
    assert closure_due_on(mica, ZERO, PLAN) == date(2026, 5, 30)
    assert closure_due_on(mica, MAJOR, PLAN) == date(2026, 7, 29)
    assert closure_due_on(mica, MINOR, PLAN) == date(2026, 10, 30)
    assert closure_due_on(mica, IMPROVEMENT, PLAN) is None
