"""The assessment result as a ledger record: public facts only, never personal data.

The facts are the standard's code and version, the supplier and facility ids, the submission
time and the stored scores, so the tamper audit can recompute them from the database. Since
answers are committed too, the result stored at submission carries ``answers``: the SHA-256 of
the answers it was scored from (``answers_digest``), which the facts include; the audit checks
that a submitted or accepted assessment's answers still have that digest. A leaf of an
assessment submitted before has no ``answers`` in its facts, as its stored result has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from oretrace.assessments.choices import AssessmentStatus
from oretrace.assessments.models import Answer, Assessment, Evidence
from oretrace.ledger.records import Finding, content_digest, register, register_check

_RECORD = "assessments.assessment"


def answers_digest(assessment_id: int) -> str:
    """SHA-256 of an assessment's answers: each question's code, value, note and the SHA-256
    of every evidence file, in question-code order. Only the digest leaves the database: the
    answers and notes may name people."""
    return content_digest(
        Answer.objects.filter(assessment_id=assessment_id).values_list(
            "pk", "question__code", "value", "note"
        ),
        Evidence.objects.filter(answer__assessment_id=assessment_id).values_list(
            "answer_id", "sha256"
        ),
    )


def assessment_facts(assessment: Assessment) -> dict[str, Any]:
    result = assessment.result or {}
    facts = {
        "standard": assessment.standard.code,
        "standard_version": assessment.standard.version,
        "assigned_by": assessment.organisation_id,
        "supplier": assessment.supplier_id,
        "facility": assessment.facility_id,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "score": str(assessment.score) if assessment.score is not None else None,
        "sections": {code: s.get("score") for code, s in result.get("sections", {}).items()},
        "criteria": result.get("criteria", {}),
    }
    if "answers" in result:
        facts["answers"] = result["answers"]
    return facts


def check_answers() -> Iterator[Finding]:
    """A submitted or accepted assessment's answers are those its committed result was scored
    from (an assessment sent back takes new answers until it is submitted again)."""
    frozen = Assessment.objects.filter(
        status__in=[AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED]
    ).values_list("pk", "organisation_id", "result")
    for pk, organisation_id, result in frozen.iterator(2000):
        committed = (result or {}).get("answers")
        if committed is not None and answers_digest(pk) != committed:
            yield Finding(
                _RECORD,
                str(pk),
                organisation_id,
                "the stored answers (values, notes or evidence files) are not those the "
                "committed result was scored from",
            )


register(
    Assessment,
    _RECORD,
    facts=assessment_facts,
    label="assessment result",
    # committed at its first submission: an assessment still being answered has no leaf
    logged=lambda assessment: assessment.submitted_at is not None,
)
register_check("assessment answers", check_answers)
