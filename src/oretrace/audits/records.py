"""A closed audit's result as a ledger record: public facts only, never personal data.

The facts are the programme's code, version and rules' fingerprint, the audit type, the ids of
the audit body, the auditee and the facility, the dates, the outcome grade and its reasons, the
validity and the next audit, the count of findings per grade, and ``findings``: the SHA-256 of
the findings the outcome was decided on (criterion code, grade, description, evidence digests),
stored on the row at closure (``result_sha256``). Only the digest leaves the database: the
descriptions may name people. The tamper audit checks the stored findings still have it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from oretrace.audits.choices import AuditStatus
from oretrace.audits.models import Audit, Finding, FindingEvidence
from oretrace.ledger.records import Finding as LedgerFinding
from oretrace.ledger.records import content_digest, register, register_check

RECORD = "audits.audit"


def findings_digest(audit_id: int) -> str:
    """SHA-256 of an audit's findings: criterion code, grade, description and the SHA-256 of
    every evidence file, in criterion-code order."""
    return content_digest(
        Finding.objects.filter(audit_id=audit_id).values_list(
            "pk", "criterion__code", "grade", "description"
        ),
        FindingEvidence.objects.filter(finding__audit_id=audit_id).values_list(
            "finding_id", "sha256"
        ),
    )


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def audit_facts(audit: Audit) -> dict[str, Any]:
    grades = Counter(audit.findings.values_list("grade", flat=True))
    programme = audit.programme
    return {
        "programme": programme.code,
        "programme_version": programme.version,
        "rules": programme.fingerprint,
        "audit_type": audit.audit_type,
        "audit_body": audit.organisation_id,
        "auditee": audit.auditee_id,
        "facility": audit.facility_id,
        "report_on": _day(audit.report_on),
        "decided_on": _day(audit.decided_on),
        "score": str(audit.score) if audit.score is not None else None,
        "outcome": audit.outcome,
        "conformant": audit.conformant,
        "reasons": list(audit.outcome_reasons or []),
        "valid_until": _day(audit.valid_until),
        "next_audit_due": _day(audit.next_audit_due),
        "next_audit_type": audit.next_audit_type,
        "grades": dict(sorted(grades.items())),
        "findings": audit.result_sha256,
    }


def check_findings() -> Iterator[LedgerFinding]:
    """A closed audit's findings are those its committed result was decided on."""
    closed = Audit.objects.filter(status=AuditStatus.CLOSED).values_list(
        "pk", "organisation_id", "result_sha256"
    )
    for pk, organisation_id, committed in closed.iterator(2000):
        if committed and findings_digest(pk) != committed:
            yield LedgerFinding(
                RECORD,
                str(pk),
                organisation_id,
                "the stored findings (grades, descriptions or evidence files) are not those the "
                "committed result was decided on",
            )


register(
    Audit,
    RECORD,
    facts=audit_facts,
    label="audit result",
    # committed at its closure: an audit still running has no leaf
    logged=lambda audit: audit.status == AuditStatus.CLOSED,
)
register_check("audit findings", check_findings)
