"""Reads of the core app that pages and the API share."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from oretrace.core.choices import JobStatus
from oretrace.core.models import (
    ChangeLogEntry,
    Country,
    Grant,
    Job,
    Membership,
    Mineral,
    Subdivision,
)
from oretrace.core.tenancy import visible


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
        "members": Membership.objects.active()
        .filter(organisation_id=member.organisation_id)
        .count(),
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
    return list(ChangeLogEntry.objects.for_member(member).select_related("content_type")[:limit])
