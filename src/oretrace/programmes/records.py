"""What the programmes app commits to the transparency log: the fingerprint of each donor
report issued (the SHA-256 of the PDF, the programme and the period). Never a child, never who
issued it: the report itself names cases by pseudonymous references only, and only its hash
leaves the database."""

from __future__ import annotations

from typing import Any

from oretrace.ledger.records import register
from oretrace.programmes.models import DonorReport

RECORD = "programmes.donorreport"


def report_facts(row: DonorReport) -> dict[str, Any]:
    return {
        "programme": row.programme_id,
        "period": row.period_label,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "issued_on": row.created_at.date().isoformat(),
        "sha256": row.sha256,
    }


register(DonorReport, RECORD, facts=report_facts, label="donor report", row_only=True)
