"""Scoring an assessment by the documented rules (docs/user-guide/assessments.md, "Scoring").

Works on questions and criteria as objects with the model's attribute names and on answers as
``AnswerState`` values, so it reads nothing from the database itself.

1. A conditional question is shown only when the question it depends on is shown and was given
   one of the listed answers; a hidden question is neither required nor scored.
2. Each shown, answered question gets an outcome by its answer type (``question_outcome``);
   text questions, and number/date/choice questions without a rule, only inform.
3. A question that asks for evidence but has none is lowered from *meets* to *partly meets*.
4. A criterion *meets* when all its scored questions meet, *does not meet* when all do not,
   is *not applicable* when none is scored (or all are not applicable), else *partly meets*.
5. Percentages count meets as 1, partly as ½ and does-not-meet as 0 over the applicable
   criteria of a section, or of the whole standard, each criterion weighing the same.
6. Gaps are the criteria that do not fully meet, by severity, then *does not meet* first, then
   in the standard's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from oretrace.assessments.choices import SEVERITY_RANK, AnswerType, Outcome
from oretrace.assessments.exceptions import AssessmentError

POINTS: dict[str, Decimal] = {
    Outcome.MET: Decimal(1),
    Outcome.PARTLY: Decimal("0.5"),
    Outcome.NOT_MET: Decimal(0),
}
YES_NO = ("yes", "no", "partly", "na")


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class _Part(_Coded, Protocol):
    """A part of a standard as scoring reads it: a row and its code."""

    @property
    def pk(self) -> int: ...


class ScoredQuestion(_Part, Protocol):
    """What scoring reads of a question: ``models.Question`` has it, and so may a plain object."""

    @property
    def criterion_id(self) -> int: ...
    @property
    def answer_type(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def evidence_required(self) -> bool: ...
    @property
    def allow_not_applicable(self) -> bool: ...
    @property
    def expected(self) -> str: ...
    @property
    def minimum(self) -> Decimal | None: ...
    @property
    def maximum(self) -> Decimal | None: ...
    @property
    def max_age_days(self) -> int | None: ...
    @property
    def choices(self) -> list[dict[str, Any]]: ...  # JSON: [{value, label, outcome}]
    @property
    def shown_when_id(self) -> int | None: ...
    @property
    def shown_when_values(self) -> list[str]: ...  # JSON


class ScoredCriterion(_Part, Protocol):
    """What scoring reads of a criterion (``models.Criterion``, or a plain object)."""

    @property
    def severity(self) -> str: ...
    @property
    def section(self) -> _Coded: ...


@dataclass(frozen=True)
class AnswerState:
    """What scoring needs of an answer: its value and how many evidence files it has."""

    value: Any = None
    evidence: int = 0

    @property
    def is_answered(self) -> bool:
        return self.value not in (None, "") or self.evidence > 0


@dataclass
class SectionResult:
    code: str
    score: Decimal | None
    counts: dict[str, int]


@dataclass
class Result:
    questions: dict[str, str | None] = field(default_factory=dict)  # code -> outcome / None
    hidden: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)  # required, shown, unanswered
    criteria: dict[str, str] = field(default_factory=dict)
    sections: list[SectionResult] = field(default_factory=list)
    score: Decimal | None = None
    gaps: list[str] = field(default_factory=list)  # criterion codes, most serious first

    def as_json(self) -> dict[str, Any]:
        return {
            "score": _text(self.score),
            "criteria": self.criteria,
            "sections": {s.code: {"score": _text(s.score), **s.counts} for s in self.sections},
            "gaps": self.gaps,
        }


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


# --- one answer ---------------------------------------------------------------------------------


def clean_value(question: ScoredQuestion, raw: str) -> Any:
    """The stored form of a typed answer, or ``AssessmentError`` saying what was expected."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    kind = question.answer_type
    if kind == AnswerType.YES_NO:
        allowed = YES_NO if question.allow_not_applicable else YES_NO[:3]
        if raw not in allowed:
            raise AssessmentError(f"{question.code}: answer one of {', '.join(allowed)}")
        return raw
    if kind == AnswerType.NUMBER:
        try:
            number = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise AssessmentError(f"{question.code}: {raw!r} is not a number") from None
        if not number.is_finite():
            raise AssessmentError(f"{question.code}: {raw!r} is not a number")
        return str(number)
    if kind == AnswerType.DATE:
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise AssessmentError(f"{question.code}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if kind == AnswerType.CHOICE:
        values = [c["value"] for c in question.choices]
        if raw not in values:
            raise AssessmentError(f"{question.code}: answer one of {', '.join(values)}")
        return raw
    if kind == AnswerType.EVIDENCE:
        raise AssessmentError(f"{question.code}: this question is answered by uploading a file")
    if len(raw) > 5000:
        raise AssessmentError(f"{question.code}: the text is longer than 5000 characters")
    return raw


def question_outcome(question: ScoredQuestion, answer: AnswerState, *, on: date) -> str | None:
    """The outcome of one shown, answered question, or None when it only informs (rules 2-3)."""
    outcome = _raw_outcome(question, answer, on=on)
    if (
        outcome == Outcome.MET
        and question.evidence_required
        and question.answer_type != AnswerType.EVIDENCE
        and answer.evidence == 0
    ):
        return Outcome.PARTLY
    return outcome


def _raw_outcome(question: ScoredQuestion, answer: AnswerState, *, on: date) -> str | None:
    kind, value = question.answer_type, answer.value
    if kind == AnswerType.EVIDENCE:
        return Outcome.MET if answer.evidence > 0 else Outcome.NOT_MET
    if value in (None, ""):
        return None
    if kind == AnswerType.YES_NO:
        if value == "na":
            return Outcome.NOT_APPLICABLE
        if value == "partly":
            return Outcome.PARTLY
        return Outcome.MET if value == question.expected else Outcome.NOT_MET
    if kind == AnswerType.NUMBER:
        return _number_outcome(question, Decimal(value))
    if kind == AnswerType.DATE:
        return _date_outcome(question, date.fromisoformat(value), on)
    if kind == AnswerType.CHOICE:
        outcome = next((c.get("outcome") for c in question.choices if c["value"] == value), None)
        return outcome or None
    return None  # text informs the reviewer; it is not scored


def _number_outcome(question: ScoredQuestion, number: Decimal) -> str | None:
    if question.minimum is None and question.maximum is None:
        return None
    too_low = question.minimum is not None and number < question.minimum
    too_high = question.maximum is not None and number > question.maximum
    return Outcome.NOT_MET if too_low or too_high else Outcome.MET


def _date_outcome(question: ScoredQuestion, when: date, on: date) -> str | None:
    if question.max_age_days is None:
        return None
    if when > on:
        return Outcome.NOT_MET  # a planned date is no evidence that it happened
    return Outcome.MET if (on - when).days <= question.max_age_days else Outcome.PARTLY


# --- a whole assessment -------------------------------------------------------------------------


def shown_questions(
    questions: Sequence[ScoredQuestion], answers: Mapping[int, AnswerState]
) -> set[int]:
    """Ids of the questions shown to the respondent, given the answers so far (rule 1)."""
    shown: set[int] = set()
    for question in questions:  # in questionnaire order: a condition refers to an earlier one
        parent = question.shown_when_id
        if parent is None:
            shown.add(question.pk)
            continue
        answer = answers.get(parent)
        if parent in shown and answer is not None and answer.value in question.shown_when_values:
            shown.add(question.pk)
    return shown


def criterion_outcome(outcomes: Iterable[str | None]) -> str:
    """Rule 4: combine the outcomes of a criterion's questions."""
    scored = [o for o in outcomes if o is not None]
    applicable = [o for o in scored if o != Outcome.NOT_APPLICABLE]
    if not applicable:
        return Outcome.NOT_APPLICABLE
    if all(o == Outcome.MET for o in applicable):
        return Outcome.MET
    if all(o == Outcome.NOT_MET for o in applicable):
        return Outcome.NOT_MET
    return Outcome.PARTLY


def percentage(outcomes: Iterable[str]) -> Decimal | None:
    """Rule 5: the share of points over applicable criteria, one decimal; None if none apply."""
    points = [POINTS[o] for o in outcomes if o in POINTS]
    if not points:
        return None
    return (sum(points, Decimal(0)) * 100 / len(points)).quantize(Decimal("0.1"))


def score(
    questions: Sequence[ScoredQuestion],
    criteria: Sequence[ScoredCriterion],
    answers: Mapping[int, AnswerState],
    *,
    on: date,
) -> Result:
    """Score a questionnaire: ``questions`` and ``criteria`` in the standard's order, each
    criterion with ``section`` (having ``code``), ``code`` and ``severity``."""
    result = Result()
    shown = shown_questions(questions, answers)
    by_criterion: dict[int, list[str | None]] = {c.pk: [] for c in criteria}
    for question in questions:
        if question.pk not in shown:
            result.hidden.add(question.code)
            continue
        answer = answers.get(question.pk, AnswerState())
        if not answer.is_answered:
            if question.required:
                result.missing.append(question.code)
            result.questions[question.code] = None
            continue
        outcome = question_outcome(question, answer, on=on)
        result.questions[question.code] = outcome
        by_criterion[question.criterion_id].append(outcome)
    sections: dict[str, list[str]] = {}
    for criterion in criteria:
        outcome = criterion_outcome(by_criterion[criterion.pk])
        result.criteria[criterion.code] = outcome
        sections.setdefault(criterion.section.code, []).append(outcome)
    for code, outcomes in sections.items():
        counts = {o.value: outcomes.count(o.value) for o in Outcome}
        result.sections.append(SectionResult(code, percentage(outcomes), counts))
    result.score = percentage(result.criteria.values())
    result.gaps = gap_order(criteria, result.criteria)
    return result


def gap_order(criteria: Sequence[ScoredCriterion], outcomes: Mapping[str, str]) -> list[str]:
    """Rule 6: codes of the criteria that do not fully meet, most serious first."""
    gaps = [
        (SEVERITY_RANK[c.severity], 0 if outcomes[c.code] == Outcome.NOT_MET else 1, i, c.code)
        for i, c in enumerate(criteria)
        if outcomes.get(c.code) in (Outcome.NOT_MET, Outcome.PARTLY)
    ]
    return [code for *_order, code in sorted(gaps)]
