"""The assessment result as a ledger record: public facts only, never personal data.

The facts are the standard's code and version, the supplier and facility ids, the submission
time and the stored scores, so the tamper audit can recompute them from the database.
"""

from __future__ import annotations

from typing import Any

from oretrace.assessments.models import Assessment
from oretrace.ledger.records import register


def assessment_facts(assessment: Assessment) -> dict[str, Any]:
    result = assessment.result or {}
    return {
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


register(Assessment, "assessments.assessment", facts=assessment_facts, label="assessment result")
