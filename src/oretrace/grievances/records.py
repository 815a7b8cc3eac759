"""Case events as ledger records: ids, codes and days only, never content or a time of day.

An event's facts are its case's id and channel, the kind of step, the case's status after it,
and the day. The log then proves that a report was received on a day and what became of it,
so a case left without acknowledgement or closed without feedback is visible to anyone who
reads the log, while nothing in it says who reported or what.
"""

from __future__ import annotations

from typing import Any

from oretrace.grievances.models import CaseEvent
from oretrace.ledger.records import register

RECORD = "grievances.caseevent"


def event_facts(event: CaseEvent) -> dict[str, Any]:
    return {
        "case": event.case_id,
        "kind": event.kind,
        "status": event.status,
        "on": event.on.isoformat(),
    }


register(
    CaseEvent,
    RECORD,
    facts=event_facts,
    label="grievance case event",
    logged=lambda event: bool(event.committed),
)
