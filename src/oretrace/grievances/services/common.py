"""Pieces the grievance services share: deadlines, texts, events."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.models import Membership
from oretrace.grievances import sealing
from oretrace.grievances.choices import Author
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, CaseEvent, Message


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadlines(received_on: date) -> tuple[date, date]:
    """When the reporter must hear back (acknowledgement) and have feedback: 7 days and 3
    months by default, as the EU Whistleblowing Directive (2019/1937, art. 9) sets them."""
    acknowledge = received_on + timedelta(days=settings.ORETRACE_GRIEVANCE_ACKNOWLEDGE_DAYS)
    return acknowledge, add_months(received_on, settings.ORETRACE_GRIEVANCE_FEEDBACK_MONTHS)


def clean_text(text: str, *, field: str, what: str) -> str:
    """The text with its ends trimmed; refused when empty or longer than the limit."""
    text = (text or "").strip()
    if not text:
        raise GrievanceError(_("%(what)s: write something first.") % {"what": what}, field=field)
    limit = settings.ORETRACE_GRIEVANCE_MAX_CHARS
    if len(text) > limit:
        message = ngettext(
            "%(what)s: %(count)d characters, at most %(limit)d are kept; shorten it.",
            "%(what)s: %(count)d characters, at most %(limit)d are kept; shorten it.",
            len(text),
        )
        raise GrievanceError(
            message % {"what": what, "count": len(text), "limit": limit}, field=field
        )
    return text


def add_message(
    case: Case,
    text: str,
    *,
    author: str,
    on: date,
    officer: Membership | None = None,
    outcome: bool = False,
) -> Message:
    """Seal ``text`` for the case and add it to the conversation."""
    sealed = sealing.seal(text, case_id=case.pk)
    return Message.objects.create(
        case=case,
        author=author,
        officer=officer if author == Author.OFFICER else None,
        is_outcome=outcome,
        sent_on=on,
        key_id=sealed.key_id,
        sealed=sealed.data,
    )


def record_event(case: Case, kind: str, *, on: date) -> CaseEvent:
    """Keep a step of the case; the daily commit puts it in the transparency log."""
    return CaseEvent.objects.create(
        organisation_id=case.organisation_id, case=case, kind=kind, status=case.status, on=on
    )
