"""Reads of the core app that pages and the API share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from oretrace.core.choices import Approval, JobStatus, Role
from oretrace.core.models import (
    ApiToken,
    ChangeLogEntry,
    Country,
    Grant,
    Invitation,
    Job,
    Membership,
    Mineral,
    Organisation,
    Pseudonym,
    Subdivision,
    User,
)
from oretrace.core.models.pseudonyms import PREFIX
from oretrace.core.tenancy import owned, owned_by, visible

if TYPE_CHECKING:
    from oretrace.core.models import Notification


def dashboard_figures(member: Membership) -> dict[str, int]:
    """Counts shown on the dashboard; every one is computed from the database, never set."""
    since = timezone.now() - timedelta(days=30)
    jobs = visible(Job.objects.all(), member).aggregate(
        active=Count("id", filter=Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])),
        failed_30d=Count("id", filter=Q(status=JobStatus.FAILED, created_at__gte=since)),
        done_30d=Count("id", filter=Q(status=JobStatus.SUCCEEDED, created_at__gte=since)),
    )
    grants = Grant.objects.active()
    return {
        "members": owned(Membership.objects.active(), member).count(),
        "jobs_active": jobs["active"],
        "jobs_failed_30d": jobs["failed_30d"],
        "jobs_done_30d": jobs["done_30d"],
        "changes_30d": ChangeLogEntry.objects.for_member(member).filter(at__gte=since).count(),
        "shares_given": grants.filter(owner_id=member.organisation_id).count(),
        "shares_received": grants.filter(grantee_id=member.organisation_id).count(),
        "countries": Country.objects.count(),
        "subdivisions": Subdivision.objects.count(),
        "minerals": Mineral.objects.count(),
    }


def recent_changes(member: Membership, limit: int = 10) -> list[ChangeLogEntry]:
    entries = ChangeLogEntry.objects.for_member(member).select_related("content_type")[:limit]
    return with_actor_names(member, list(entries))


def actor_names(member: Membership, labels: Iterable[str]) -> dict[str, str]:
    """The names behind the pseudonyms among ``labels`` that ``member`` may see: those of the
    members of their own organisation. An erased user's pseudonym maps to nobody."""
    wanted = {label for label in labels if label.startswith(PREFIX)}
    if not wanted:
        return {}
    rows = Pseudonym.objects.filter(
        value__in=wanted, user__memberships__organisation_id=member.organisation_id
    ).select_related("user")
    return {row.value: str(row.user) for row in rows}


def with_actor_names[T](member: Membership, items: list[T]) -> list[T]:
    """Give each change-log entry or leaf an ``actor_name`` for pages: the name behind its
    ``actor_label`` (see ``actor_names``), else the label itself (a pseudonym, or "system")."""
    names = actor_names(member, (item.actor_label for item in items))  # type: ignore[attr-defined]
    for item in items:
        label: Any = item.actor_label  # type: ignore[attr-defined]
        item.actor_name = names.get(label) or _system_actor(label)  # type: ignore[attr-defined]
    return items


def tokens_for(member: Membership) -> QuerySet[ApiToken]:
    """The acting user's own API tokens, with the membership each answers for (one query)."""
    return visible(ApiToken.objects.select_related("membership"), member)


def jobs_for(member: Membership) -> QuerySet[Job]:
    """The jobs the member may see (newest first), with who started each (one query a page)."""
    return visible(Job.objects.select_related("created_by"), member)


# The labels of the system actors that write changes shown on pages (core.demo, the supplier
# upload link of a campaign, sign-up, the CLI, the red flags' and scores' recomputation,
# re-matching), in the catalogues so that they translate.
_SYSTEM_ACTORS = frozenset(
    {
        gettext_noop("system"),
        gettext_noop("demo"),
        gettext_noop("supplier upload link"),
        gettext_noop("registration"),
        gettext_noop("cli"),
        gettext_noop("red flags"),
        gettext_noop("methodology"),
        gettext_noop("re-matching"),
    }
)


def _system_actor(label: str) -> str:
    return gettext(label) if label in _SYSTEM_ACTORS else label


def pending_invitations(member: Membership) -> QuerySet[Invitation]:
    """The member's organisation's invitations that can still be accepted, newest first."""
    return Invitation.objects.for_member(member).pending().select_related("invited_by")


def operator_organisations(state: str = "") -> QuerySet[Organisation]:
    """Every organisation for the operator's page: waiting ones first, with member counts.

    ``state`` keeps one approval state (``pending``, ``approved``, ``rejected``); anything
    else shows all.
    """
    rows = Organisation.objects.select_related("country").annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True)),
        waiting=Case(
            When(approval=Approval.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )
    if state in Approval.values:
        rows = rows.filter(approval=state)
    return rows.order_by("waiting", "-created_at")


def first_administrator(org: Organisation) -> User | None:
    """The organisation's earliest administrator (who signed it up, or was first invited)."""
    for member in org.memberships.select_related("user").order_by("created_at", "pk"):
        if Role.ADMIN in member.roles:
            return member.user
    return None


# --- notifications -------------------------------------------------------------------------------
def notifications_for(member: Membership, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The member's own notifications in the organisation they act for, newest first."""
    from oretrace.core.models import Notification

    rows = Notification.objects.for_member(member)
    return rows.unread() if unread_only else rows


def unread_notification_count(member: Membership) -> int:
    """How many of the member's notifications (in the organisation acted for) are unread."""
    return notifications_for(member, unread_only=True).count()


def job_starter(job: Job) -> Membership | None:
    """The membership, in the job's organisation, of the user who started ``job`` (None when the
    system started it): the member a job that acts for a person runs as."""
    if job.created_by_id is None:
        return None
    members = Membership.objects.select_related("user", "organisation")
    member: Membership = owned_by(members, job.organisation_id).get(user_id=job.created_by_id)
    return member


def job_runs_as(job: Job, refusal: Exception) -> Membership:
    """The member who started ``job``, which a job that acts for a person runs as; ``refusal``
    (the app's own error, saying why the job needs one) when the system started it."""
    member = job_starter(job)
    if member is None:
        raise refusal
    return member
