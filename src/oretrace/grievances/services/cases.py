"""What grievance officers do with a case: read it (logged), acknowledge, triage, assign,
reply, note, escalate, start remediation, close with an outcome the reporter reads, reopen.

Each action checks ``can_handle_grievances`` for the case's organisation, writes the change
log (never the texts: messages and notes keep them out of their snapshots) and a ``CaseEvent``
for the transparency log when the case's state moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction, NotificationKind, Role
from oretrace.core.models import Membership
from oretrace.core.services.notifications import notify
from oretrace.grievances import sealing
from oretrace.grievances.choices import (
    Author,
    CaseStatus,
    Category,
    EventKind,
    Severity,
    Urgency,
)
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, ContentRead, Message, Note
from oretrace.grievances.permissions import can_handle_grievances
from oretrace.grievances.services.common import add_message, clean_text, record_event


@dataclass(frozen=True)
class Line:
    """One opened message or note: who, when, what."""

    author: str
    on: date
    text: str
    purged: bool = False
    is_outcome: bool = False
    officer: str = ""


@dataclass(frozen=True)
class CaseContent:
    """A case's texts, opened for a grievance officer (and the read logged)."""

    messages: list[Line]
    notes: list[Line]


def _lock(case: Case, actor: Membership) -> Case:
    can_handle_grievances.require(actor, organisation_id=case.organisation_id)
    return Case.objects.select_for_update().get(pk=case.pk)


def _open_message(message: Message, case_id: int) -> Line:
    text = "" if message.purged else sealing.unseal(message.sealed_text(), case_id=case_id)
    officer = message.officer.user.full_name if message.officer_id else ""  # type: ignore[union-attr]
    return Line(message.author, message.sent_on, text, message.purged, message.is_outcome, officer)


def thread(case: Case) -> list[Line]:
    """The conversation as the reporter reads it (their receipt opened the case)."""
    messages = case.messages.select_related("officer__user")
    return [_open_message(m, case.pk) for m in messages]


@transaction.atomic
def read_content(case: Case, *, actor: Membership, purpose: str = "case page") -> CaseContent:
    """Open a case's conversation and notes for an officer; the reading is logged."""
    can_handle_grievances.require(actor, organisation_id=case.organisation_id)
    ContentRead.objects.create(case=case, member=actor, purpose=purpose[:40])
    notes = [
        Line(
            Author.OFFICER,
            timezone.localdate(note.created_at),
            "" if note.purged else sealing.unseal(note.sealed_text(), case_id=case.pk),
            note.purged,
            officer=note.author.user.full_name if note.author_id else "",  # type: ignore[union-attr]
        )
        for note in case.notes.select_related("author__user")
    ]
    return CaseContent(thread(case), notes)


@transaction.atomic
def acknowledge(case: Case, *, actor: Membership, text: str) -> Case:
    """Tell the reporter the report was received (the 7-day duty), with a message."""
    case = _lock(case, actor)
    text = clean_text(text, field="text", what=_("Acknowledge receipt to the reporter"))
    if case.acknowledged_on is not None:
        raise GrievanceError(f"case {case.reference} was acknowledged on {case.acknowledged_on}")
    today = timezone.localdate()
    add_message(case, text, author=Author.OFFICER, on=today, officer=actor)
    status = CaseStatus.ACKNOWLEDGED if case.status == CaseStatus.NEW else case.status
    update_and_log(case, actor=actor, acknowledged_on=today, status=status)
    record_event(case, EventKind.ACKNOWLEDGED, on=today)
    return case


@transaction.atomic
def triage(case: Case, *, actor: Membership, category: str, severity: str, urgency: str) -> Case:
    """Set what the case is about, how serious and how urgent; it is then investigated."""
    case = _lock(case, actor)
    for value, choices, field in (
        (category, Category, "category"),
        (severity, Severity, "severity"),
        (urgency, Urgency, "urgency"),
    ):
        if value not in choices.values:
            raise GrievanceError(f"{field}: {value!r} is not one of the choices", field=field)
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(f"case {case.reference} is closed; reopen it first")
    status = case.status
    if status in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED):
        status = CaseStatus.INVESTIGATION
    update_and_log(
        case, actor=actor, category=category, severity=severity, urgency=urgency, status=status
    )
    record_event(case, EventKind.TRIAGED, on=timezone.localdate())
    return case


@transaction.atomic
def assign(case: Case, *, actor: Membership, to: Membership) -> Case:
    """Give the case to a grievance officer of the same organisation, who is told."""
    case = _lock(case, actor)
    if to.organisation_id != case.organisation_id or Role.GRIEVANCE_OFFICER not in to.roles:
        raise GrievanceError(
            "assigned to: only a grievance officer of the organisation", field="assigned_to"
        )
    update_and_log(case, actor=actor, assigned_to=to)
    record_event(case, EventKind.ASSIGNED, on=timezone.localdate())
    from django.urls import reverse

    notify(
        case.organisation_id,
        kind=NotificationKind.ASSIGNMENT,
        message=gettext_noop("The grievance %(case)s was assigned to you."),
        values={"case": case.reference},
        link=reverse("grievances:case", args=[case.pk]),
        users=[to.user],
        exclude=actor.user if to.pk != actor.pk else None,
    )
    return case


@transaction.atomic
def reply(case: Case, *, actor: Membership, text: str, feedback: bool = False) -> Message:
    """Write to the reporter; ``feedback`` marks it as the feedback on the action taken (the
    3-month duty). A first reply also acknowledges the report."""
    case = _lock(case, actor)
    if case.purged_on is not None:
        raise GrievanceError(f"case {case.reference}'s messages were purged")
    text = clean_text(text, field="text", what=_("Reply to the reporter"))
    today = timezone.localdate()
    message = add_message(case, text, author=Author.OFFICER, on=today, officer=actor)
    log_change(message, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    changes: dict[str, Any] = {}
    if case.acknowledged_on is None:
        changes["acknowledged_on"] = today
        if case.status == CaseStatus.NEW:
            changes["status"] = CaseStatus.ACKNOWLEDGED
    if feedback and case.feedback_on is None:
        changes["feedback_on"] = today
    if changes:
        update_and_log(case, actor=actor, **changes)
        if "acknowledged_on" in changes:
            record_event(case, EventKind.ACKNOWLEDGED, on=today)
        if "feedback_on" in changes:
            record_event(case, EventKind.FEEDBACK, on=today)
    return message


@transaction.atomic
def add_note(case: Case, *, actor: Membership, text: str) -> Note:
    """An internal note: for the officers only, never shown to the reporter."""
    case = _lock(case, actor)
    text = clean_text(text, field="note", what=_("Internal note"))
    sealed = sealing.seal(text, case_id=case.pk)
    note = Note.objects.create(case=case, author=actor, key_id=sealed.key_id, sealed=sealed.data)
    log_change(note, action=ChangeAction.CREATE, actor=actor, organisation=case.organisation)
    return note


@transaction.atomic
def escalate(case: Case, *, actor: Membership, to: str) -> Case:
    """Hand the case up (to senior management, an initiative's mechanism, the MGP)."""
    case = _lock(case, actor)
    to = (to or "").strip()
    if not to:
        raise GrievanceError("escalated to: say to whom", field="escalated_to")
    today = timezone.localdate()
    update_and_log(case, actor=actor, escalated_on=today, escalated_to=to[:200])
    record_event(case, EventKind.ESCALATED, on=today)
    return case


@transaction.atomic
def start_remediation(case: Case, *, actor: Membership) -> Case:
    """The complaint is founded and is being put right."""
    case = _lock(case, actor)
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(f"case {case.reference} is closed; reopen it first")
    update_and_log(case, actor=actor, status=CaseStatus.REMEDIATION)
    record_event(case, EventKind.REMEDIATION, on=timezone.localdate())
    return case


@transaction.atomic
def close(case: Case, *, actor: Membership, outcome: str) -> Case:
    """Close the case with the outcome the reporter reads with their receipt."""
    case = _lock(case, actor)
    if case.status == CaseStatus.CLOSED:
        raise GrievanceError(f"case {case.reference} is already closed")
    outcome = clean_text(outcome, field="outcome", what=_("Outcome"))
    today = timezone.localdate()
    add_message(case, outcome, author=Author.OFFICER, on=today, officer=actor, outcome=True)
    changes: dict[str, Any] = {"status": CaseStatus.CLOSED, "closed_on": today}
    if case.acknowledged_on is None:
        changes["acknowledged_on"] = today
    if case.feedback_on is None:
        changes["feedback_on"] = today
    update_and_log(case, actor=actor, **changes)
    record_event(case, EventKind.CLOSED, on=today)
    return case


@transaction.atomic
def reopen(case: Case, *, actor: Membership) -> Case:
    """Open a closed case again (its content must not have been purged)."""
    case = _lock(case, actor)
    if case.status != CaseStatus.CLOSED:
        raise GrievanceError(f"case {case.reference} is not closed")
    if case.purged_on is not None:
        raise GrievanceError(f"case {case.reference}'s content was purged; it cannot reopen")
    update_and_log(case, actor=actor, status=CaseStatus.INVESTIGATION, closed_on=None)
    record_event(case, EventKind.REOPENED, on=timezone.localdate())
    return case
