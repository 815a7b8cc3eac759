"""Template helpers of the grievance app: a facility's aggregated worker voice, beside its
risk on the facility page (``{% load voice %}{% worker_voice facility=facility %}``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("grievances/_worker_voice.html", takes_context=True)
def worker_voice(context: dict[str, Any], facility: Any) -> dict[str, Any]:
    """The facility's linked grievances by category and quarter, for a buyer whose supply
    chain includes it (every count under five reads "<5"); nothing for anyone else."""
    from oretrace.grievances import cells, queries

    member = context.get("member")
    shown = queries.facility_statistics(member, facility) if member is not None else None
    if shown is None:
        return {"grievances": None}
    return {"grievances": as_rows(shown), "minimum": cells.MIN_CELL}


def as_rows(shown: Any) -> dict[str, Any]:
    """A ``cells.Table`` as a template walks it: rows of (label, cells, total)."""
    return {
        "columns": shown.columns,
        "rows": [(r, shown.row(r), shown.row_totals[r]) for r in shown.rows],
        "column_totals": [shown.column_totals[c] for c in shown.columns],
        "total": shown.total,
    }
