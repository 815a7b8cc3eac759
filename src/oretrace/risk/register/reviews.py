"""The six-month rule of Step 3, as plain dates: no Django, no database.

The OECD Guidance asks for progress on a risk management plan to be assessed at least every
six months: a plan's next review is due no later than six calendar months after the decision
that set it (the same day of the month, or the month's last day when it has no such day).
"""

from __future__ import annotations

import calendar
from datetime import date

REVIEW_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, kept within the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def latest_review(decided_on: date) -> date:
    """The last day a review may be set for after a decision on ``decided_on``."""
    return add_months(decided_on, REVIEW_MONTHS)


def review_problem(decided_on: date, review_on: date) -> str | None:
    """Why ``review_on`` cannot follow a decision on ``decided_on`` (None when it can)."""
    if review_on <= decided_on:
        return f"the review must come after the decision ({decided_on.isoformat()})"
    latest = latest_review(decided_on)
    if review_on > latest:
        return (
            f"the review must be at most six months after the decision: "
            f"{latest.isoformat()} at the latest, not {review_on.isoformat()}"
        )
    return None
