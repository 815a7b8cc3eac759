"""Plan decisions as ledger records: ids, codes and dates only, never personal data.

A decision's facts are the plan's and the risk's ids, the kind of decision, the strategy it
set (and the one before it), its date and the next review date. Who decided and what was
written about it (the outcome, which may name people) stay in the database: the log proves
that the organisation took this decision on this date, and that it was not changed since.
Decisions are never edited, so the tamper audit recomputes the same facts from the row.
"""

from __future__ import annotations

from typing import Any

from oretrace.ledger.records import register
from oretrace.risk.models import PlanDecision

RECORD = "risk.plandecision"


def decision_facts(decision: PlanDecision) -> dict[str, Any]:
    return {
        "plan": decision.plan_id,
        "risk": decision.plan.entry_id,
        "kind": decision.kind,
        "strategy": decision.strategy,
        "previous_strategy": decision.previous_strategy,
        "decided_on": decision.decided_on.isoformat(),
        "next_review_on": (
            decision.next_review_on.isoformat() if decision.next_review_on else None
        ),
    }


register(
    PlanDecision,
    RECORD,
    facts=decision_facts,
    organisation_id=lambda decision: decision.plan.organisation_id,
    label="Step-3 plan decision",
)
