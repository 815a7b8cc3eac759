"""Reads of the assessments app, shared by pages, API and CLI; all scoped to the member."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from oretrace.assessments import stdfile
from oretrace.assessments.choices import AssessmentStatus, Outcome
from oretrace.assessments.models import (
    Answer,
    Assessment,
    Criterion,
    Question,
    Standard,
    TrainingModule,
)
from oretrace.assessments.scoring import AnswerState, shown_questions
from oretrace.core.models import Membership
from oretrace.core.tenancy import visible
from oretrace.registry.models import Facility

RESULT_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED)


def assessments_for(member: Membership) -> QuerySet[Assessment]:
    """Assessments the member's organisation assigned or must answer, newest first."""
    return visible(
        Assessment.objects.select_related("standard", "supplier", "organisation", "facility"),
        member,
    )


def standards_for(member: Membership) -> QuerySet[Standard]:
    return visible(Standard.objects.annotate(n_questions=Count("questions")), member)


# --- export -------------------------------------------------------------------------------------


def _texts(value: dict[str, str]) -> dict[str, str]:
    return dict(value or {})


def standard_spec(standard: Standard) -> stdfile.StandardSpec:
    """The standard as its file format describes it (the inverse of ``import_standard``)."""
    questions: dict[int, list[Question]] = defaultdict(list)
    for q in standard.questions.select_related("shown_when").order_by("position"):
        questions[q.criterion_id].append(q)
    sections = []
    for section in standard.sections.prefetch_related("criteria").order_by("position"):
        criteria = []
        for c in section.criteria.order_by("position"):
            criteria.append(
                {
                    "code": c.code,
                    "severity": c.severity,
                    "requirement": _texts(c.requirement),
                    "guidance": _texts(c.guidance),
                    "improvement_steps": _texts(c.improvement_steps),
                    "ilo_conventions": list(c.ilo_conventions),
                    "oecd_annex_ii": list(c.oecd_annex_ii),
                    "rra_issue_areas": list(c.rra_issue_areas),
                    "questions": [_question_spec(q) for q in questions[c.pk]],
                }
            )
        sections.append(
            {"code": section.code, "title": _texts(section.title), "criteria": criteria}
        )
    return stdfile.StandardSpec.model_validate(
        {
            "oretrace_standard": stdfile.FORMAT_VERSION,
            "code": standard.code,
            "version": standard.version,
            "languages": list(standard.languages),
            "title": _texts(standard.title),
            "description": _texts(standard.description),
            "sections": sections,
        }
    )


def _question_spec(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": q.code,
        "type": q.answer_type,
        "text": _texts(q.text),
        "help": _texts(q.help),
        "required": q.required,
        "evidence_required": q.evidence_required,
        "allow_not_applicable": q.allow_not_applicable,
        "expected": q.expected or None,
        "minimum": q.minimum,
        "maximum": q.maximum,
        "unit": _texts(q.unit),
        "max_age_days": q.max_age_days,
        "choices": list(q.choices),
    }
    if q.shown_when is not None:
        data["shown_when"] = {"question": q.shown_when.code, "answer_in": q.shown_when_values}
    return data


def export_standard(standard: Standard) -> str:
    return stdfile.dump(standard_spec(standard))


# --- the questionnaire page ---------------------------------------------------------------------


@dataclass
class QuestionRow:
    question: Question
    answer: Answer | None
    shown: bool

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None


@dataclass
class SectionRows:
    section: Any
    criteria: list[tuple[Criterion, list[QuestionRow]]] = field(default_factory=list)


def questionnaire(assessment: Assessment) -> tuple[list[SectionRows], dict[str, int]]:
    """Sections → criteria → questions with their answers, and progress counts."""
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment)
        .prefetch_related("evidence", Prefetch("comments"))
        .annotate(files=Count("evidence"))
    }
    questions = list(assessment.standard.questions.order_by("position"))
    states = {qid: AnswerState(a.value, a.files) for qid, a in answers.items()}
    shown = shown_questions(questions, states)
    by_criterion: dict[int, list[QuestionRow]] = defaultdict(list)
    for q in questions:
        by_criterion[q.criterion_id].append(QuestionRow(q, answers.get(q.pk), q.pk in shown))
    sections = []
    for section in assessment.standard.sections.order_by("position"):
        rows = SectionRows(section)
        for c in section.criteria.order_by("position"):
            rows.criteria.append((c, by_criterion[c.pk]))
        sections.append(rows)
    return sections, progress(questions, states, shown)


def progress(
    questions: list[Question], states: dict[int, AnswerState], shown: set[int]
) -> dict[str, int]:
    required = [q for q in questions if q.pk in shown and q.required]
    done = sum(1 for q in required if states.get(q.pk, AnswerState()).is_answered)
    total = len(required)
    return {"done": done, "total": total, "percent": round(100 * done / total) if total else 100}


# --- results ------------------------------------------------------------------------------------


@dataclass
class Gap:
    criterion: Criterion
    outcome: str
    training: list[TrainingModule]


def gaps_of(assessment: Assessment, member: Membership) -> list[Gap]:
    """The submitted result's gaps, most serious first, with matching training modules."""
    codes = (assessment.result or {}).get("gaps", [])
    outcomes = (assessment.result or {}).get("criteria", {})
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(
            section__standard=assessment.standard, code__in=codes
        ).select_related("section")
    }
    modules = list(
        visible(TrainingModule.objects.filter(standard_code=assessment.standard.code), member)
    )
    return [
        Gap(criteria[code], outcomes[code], [m for m in modules if code in m.criterion_codes])
        for code in codes
        if code in criteria
    ]


def training_by_criterion(
    assessment: Assessment, member: Membership
) -> dict[str, list[TrainingModule]]:
    """Training modules the member may see for each criterion code of the assessment's
    standard (an assigner's library included, see ``TrainingModule``)."""
    found: dict[str, list[TrainingModule]] = defaultdict(list)
    modules = visible(TrainingModule.objects.filter(standard_code=assessment.standard.code), member)
    for module in modules:
        for code in module.criterion_codes:
            found[code].append(module)
    return found


def section_scores(assessment: Assessment) -> list[tuple[Any, Decimal | None, dict[str, int]]]:
    sections = (assessment.result or {}).get("sections", {})
    rows = []
    for section in assessment.standard.sections.order_by("position"):
        data = sections.get(section.code, {})
        value = data.get("score")
        counts = {o.value: int(data.get(o.value, 0)) for o in Outcome}
        rows.append((section, Decimal(value) if value is not None else None, counts))
    return rows


def history(assessment: Assessment, member: Membership) -> list[Assessment]:
    """Submitted assessments of the same supplier (and facility) on the same standard code,
    oldest first: progress over time, across versions."""
    return list(
        assessments_for(member)
        .filter(
            supplier_id=assessment.supplier_id,
            facility=assessment.facility,
            standard__code=assessment.standard.code,
            status__in=RESULT_STATUSES,
        )
        .order_by("submitted_at", "id")
    )


def latest_for_facility(facility: Facility, member: Membership) -> Assessment | None:
    """The member's most recent submitted assessment of ``facility``, if any."""
    return (
        assessments_for(member)
        .filter(facility=facility, status__in=RESULT_STATUSES)
        .order_by("-submitted_at", "-id")
        .first()
    )
