"""Reads of the grievance app that serve a member, scoped to their organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.grievances.choices import OPEN_STATUSES, CaseStatus
from oretrace.grievances.models import Case, Channel, ContentRead
from oretrace.grievances.permissions import can_handle_grievances


def channel_by_slug(slug: str) -> Channel:
    """A channel by its public address (anyone may reach an open channel)."""
    channel = Channel.objects.filter(slug=slug, is_open=True).first()
    if channel is None:
        raise NotFound(f"no open grievance channel at {slug!r}")
    return channel


def channels_for(member: Membership) -> QuerySet[Channel]:
    return owned(Channel.objects.all(), member)


def cases_for(member: Membership, *, status: str = "", overdue: bool = False) -> QuerySet[Case]:
    """The organisation's cases, for its grievance officers only (nobody else sees any)."""
    if not can_handle_grievances(member):
        return Case.objects.none()
    found = owned(Case.objects.select_related("channel", "assigned_to__user"), member)
    if status:
        found = found.filter(status=status)
    if overdue:
        found = found.filter(overdue_q())
    return found


def overdue_q(today: date | None = None) -> Q:
    """Open cases past a statutory deadline: not acknowledged, or without feedback, in time."""
    day = today or timezone.localdate()
    late_ack = Q(acknowledged_on__isnull=True, acknowledge_by__lt=day)
    late_feedback = Q(feedback_on__isnull=True, feedback_by__lt=day)
    return Q(status__in=OPEN_STATUSES) & (late_ack | late_feedback)


def case_for(member: Membership, case_id: int) -> Case:
    """One case of the member's organisation; ``NotFound`` for any other (or a non-officer)."""
    case = cases_for(member).filter(pk=case_id).first()
    if case is None:
        raise NotFound(f"no grievance case {case_id}")
    return case


def officers(member: Membership) -> list[Membership]:
    """The organisation's grievance officers (those a case may be assigned to)."""
    members = owned(Membership.objects.select_related("user"), member).order_by("user__email")
    return [m for m in members if Role.GRIEVANCE_OFFICER in m.roles]


def reads_of(case: Case) -> list[ContentRead]:
    """The latest readings of the case's texts, newest first."""
    return list(case.reads.select_related("member__user")[:20])


@dataclass(frozen=True)
class Counts:
    """The organisation's cases by status and how many are overdue: for the dashboard."""

    by_status: dict[str, int]
    overdue: int

    @property
    def open(self) -> int:
        return sum(n for s, n in self.by_status.items() if s != CaseStatus.CLOSED)


def counts(member: Membership) -> Counts:
    found = cases_for(member)
    rows = found.values("status").annotate(n=Count("pk")).order_by()
    return Counts({r["status"]: r["n"] for r in rows}, found.filter(overdue_q()).count())
