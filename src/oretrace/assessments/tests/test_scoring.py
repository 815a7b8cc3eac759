"""The scoring rules of docs/user-guide/assessments.md, one by one, for every answer type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from oretrace.assessments.choices import Outcome
from oretrace.assessments.exceptions import AssessmentError
from oretrace.assessments.scoring import (
    AnswerState,
    clean_value,
    criterion_outcome,
    gap_order,
    percentage,
    question_outcome,
    score,
    shown_questions,
)

ON = date(2026, 6, 30)


@dataclass
class Q:
    """A question as scoring sees it (the model's attribute names)."""

    code: str
    answer_type: str
    pk: int = 0
    criterion_id: int = 1
    expected: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_age_days: int | None = None
    choices: list[dict[str, Any]] = field(default_factory=list)
    required: bool = True
    evidence_required: bool = False
    allow_not_applicable: bool = False
    shown_when_id: int | None = None
    shown_when_values: list[str] = field(default_factory=list)


@dataclass
class Sec:
    code: str


@dataclass
class C:
    pk: int
    code: str
    severity: str
    section: Sec = field(default_factory=lambda: Sec("S1"))


def out(question: Q, value: Any = None, evidence: int = 0) -> str | None:
    return question_outcome(question, AnswerState(value, evidence), on=ON)


# rule 2: yes/no


@pytest.mark.parametrize(
    ("expected", "value", "outcome"),
    [
        ("yes", "yes", Outcome.MET),
        ("yes", "no", Outcome.NOT_MET),
        ("yes", "partly", Outcome.PARTLY),
        ("yes", "na", Outcome.NOT_APPLICABLE),
        ("no", "no", Outcome.MET),  # a question where "no" is the good answer
        ("no", "yes", Outcome.NOT_MET),
        ("no", "partly", Outcome.PARTLY),
    ],
)
def test_yes_no(expected, value, outcome):
    assert out(Q("q", "yes_no", expected=expected), value) == outcome


def test_not_applicable_is_refused_unless_the_question_offers_it():
    with pytest.raises(AssessmentError, match="answer one of yes, no, partly"):
        clean_value(Q("q", "yes_no", expected="yes"), "na")
    assert clean_value(Q("q", "yes_no", expected="yes", allow_not_applicable=True), "na") == "na"


# rule 2: number


def test_number_within_limits_meets_outside_does_not():
    question = Q("q", "number", minimum=Decimal(0), maximum=Decimal(48))
    assert out(question, "48") == Outcome.MET
    assert out(question, "0") == Outcome.MET
    assert out(question, "48.5") == Outcome.NOT_MET
    assert out(question, "-1") == Outcome.NOT_MET
    assert out(Q("q", "number", minimum=Decimal(1)), "1000") == Outcome.MET


def test_number_without_limits_only_informs():
    assert out(Q("q", "number"), "12") is None


def test_number_is_cleaned_and_checked():
    question = Q("q", "number")
    assert clean_value(question, " 12,5 ") == "12.5"
    for bad in ("twelve", "nan", "inf"):
        with pytest.raises(AssessmentError, match="is not a number"):
            clean_value(question, bad)


# rule 2: date


def test_date_recent_meets_old_partly_future_does_not():
    question = Q("q", "date", max_age_days=365)
    assert out(question, "2025-06-30") == Outcome.MET  # exactly 365 days
    assert out(question, "2025-06-29") == Outcome.PARTLY
    assert out(question, "2026-07-01") == Outcome.NOT_MET
    assert out(Q("q", "date"), "2020-01-01") is None


def test_date_must_be_iso():
    with pytest.raises(AssessmentError, match="is not a date"):
        clean_value(Q("q", "date"), "30/06/2026")


# rule 2: choice, text, evidence


def test_choice_takes_the_outcome_of_the_chosen_option():
    question = Q(
        "q",
        "choice",
        choices=[
            {"value": "a", "outcome": "met"},
            {"value": "b", "outcome": "partly"},
            {"value": "c", "outcome": "not_met"},
            {"value": "d"},
        ],
    )
    assert [out(question, v) for v in "abcd"] == [
        Outcome.MET,
        Outcome.PARTLY,
        Outcome.NOT_MET,
        None,
    ]
    with pytest.raises(AssessmentError, match="answer one of a, b, c, d"):
        clean_value(question, "e")


def test_text_only_informs():
    assert out(Q("q", "text"), "we sweep it wet") is None


def test_evidence_question_meets_with_a_file():
    question = Q("q", "evidence")
    assert out(question, None, evidence=1) == Outcome.MET
    assert out(question, None, evidence=0) == Outcome.NOT_MET
    with pytest.raises(AssessmentError, match="uploading a file"):
        clean_value(question, "x")


# rule 3


def test_missing_evidence_lowers_meets_to_partly():
    question = Q("q", "yes_no", expected="yes", evidence_required=True)
    assert out(question, "yes", evidence=0) == Outcome.PARTLY
    assert out(question, "yes", evidence=1) == Outcome.MET
    assert out(question, "no", evidence=0) == Outcome.NOT_MET


# rule 1


def test_conditional_question_is_shown_only_for_the_listed_answers():
    parent = Q("p", "yes_no", pk=1, expected="no")
    child = Q(
        "c", "yes_no", pk=2, expected="yes", shown_when_id=1, shown_when_values=["yes", "partly"]
    )
    grandchild = Q("g", "text", pk=3, shown_when_id=2, shown_when_values=["no"])
    qs = [parent, child, grandchild]
    assert shown_questions(qs, {}) == {1}
    assert shown_questions(qs, {1: AnswerState("no")}) == {1}
    assert shown_questions(qs, {1: AnswerState("partly")}) == {1, 2}
    # a hidden question hides its own dependants, whatever they were answered
    assert shown_questions(qs, {1: AnswerState("no"), 2: AnswerState("no")}) == {1}
    assert shown_questions(qs, {1: AnswerState("yes"), 2: AnswerState("no")}) == {1, 2, 3}


def test_hidden_questions_are_neither_required_nor_scored():
    parent = Q("p", "yes_no", pk=1, expected="no")
    child = Q("c", "yes_no", pk=2, expected="yes", shown_when_id=1, shown_when_values=["yes"])
    criteria = [C(1, "K1", "critical")]
    hidden = score([parent, child], criteria, {1: AnswerState("no"), 2: AnswerState("no")}, on=ON)
    assert hidden.missing == []
    assert hidden.hidden == {"c"}
    assert hidden.criteria == {"K1": Outcome.MET}  # the stale answer to c is ignored
    shown = score([parent, child], criteria, {1: AnswerState("yes")}, on=ON)
    assert shown.missing == ["c"]


# rule 4


@pytest.mark.parametrize(
    ("outcomes", "combined"),
    [
        (["met", "met"], Outcome.MET),
        (["not_met", "not_met"], Outcome.NOT_MET),
        (["met", "not_met"], Outcome.PARTLY),
        (["partly"], Outcome.PARTLY),
        (["met", "na"], Outcome.MET),
        (["na", "na"], Outcome.NOT_APPLICABLE),
        ([None, None], Outcome.NOT_APPLICABLE),  # only informative questions
        ([], Outcome.NOT_APPLICABLE),
        (["not_met", None, "na"], Outcome.NOT_MET),
    ],
)
def test_criterion_outcome(outcomes, combined):
    assert criterion_outcome(outcomes) == combined


# rule 5


def test_percentage_counts_partly_as_half_and_skips_not_applicable():
    assert percentage(["met", "partly", "not_met", "na"]) == Decimal("50.0")
    assert percentage(["met", "met", "partly"]) == Decimal("83.3")
    assert percentage(["na"]) is None


# rule 6


def test_gaps_by_severity_then_not_met_first_then_order():
    criteria = [
        C(1, "A", "low"),
        C(2, "B", "high"),
        C(3, "C", "high"),
        C(4, "D", "critical"),
        C(5, "E", "medium"),
    ]
    outcomes = {"A": "not_met", "B": "partly", "C": "not_met", "D": "partly", "E": "met"}
    assert gap_order(criteria, outcomes) == ["D", "C", "B", "A"]


def test_score_of_a_whole_questionnaire_with_sections():
    q1 = Q("a", "yes_no", pk=1, criterion_id=1, expected="yes")
    q2 = Q("b", "number", pk=2, criterion_id=2, maximum=Decimal(48))
    q3 = Q("c", "text", pk=3, criterion_id=2, required=False)
    q4 = Q("d", "yes_no", pk=4, criterion_id=3, expected="yes", allow_not_applicable=True)
    criteria = [
        C(1, "K1", "high", Sec("S1")),
        C(2, "K2", "medium", Sec("S1")),
        C(3, "K3", "low", Sec("S2")),
    ]
    answers = {1: AnswerState("yes"), 2: AnswerState("60"), 4: AnswerState("na")}
    result = score([q1, q2, q3, q4], criteria, answers, on=ON)
    assert result.criteria == {"K1": "met", "K2": "not_met", "K3": "na"}
    assert [(s.code, s.score) for s in result.sections] == [("S1", Decimal("50.0")), ("S2", None)]
    assert result.sections[0].counts == {"met": 1, "partly": 0, "not_met": 1, "na": 0}
    assert result.score == Decimal("50.0")
    assert result.gaps == ["K2"]
    assert result.missing == []
    assert result.as_json()["sections"]["S1"]["score"] == "50.0"
