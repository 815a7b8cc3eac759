"""The one scoping API every query that serves a user goes through.

A member sees the rows their organisation owns, plus rows another organisation shared with it
through an active ``Grant`` (one row, or every row of a type). Nothing else: another
organisation's row is indistinguishable from a row that does not exist (the API and pages answer
404, never 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

if TYPE_CHECKING:
    from oretrace.core.models import Membership


def scope_to_member[Q_T: QuerySet[Any]](
    queryset: Q_T, member: Membership, *, public: Q | None = None
) -> Q_T:
    """Restrict an organisation-owned queryset to what ``member`` may see.

    ``public`` marks rows everyone may see as well (e.g. reference facilities).
    """
    return scope_to_organisation(queryset, member.organisation_id, public=public)


def scope_to_organisation[Q_T: QuerySet[Any]](
    queryset: Q_T, org_id: int, *, public: Q | None = None
) -> Q_T:
    """What any member of organisation ``org_id`` may see: for work done on the organisation's
    behalf without a member at hand (deriving custody records from captured events)."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    # One small read of the grants first: most organisations have none for a given type, and
    # then the filter stays a plain equality the database can serve from the owner index.
    grants = _active_grants(org_id, content_type.pk)
    own = Q(organisation_id=org_id) if public is None else Q(organisation_id=org_id) | public
    if not grants:
        return queryset.filter(own)
    rows = {object_id for object_id, _owner in grants if object_id is not None}
    owners = {owner for object_id, owner in grants if object_id is None}
    return queryset.filter(own | Q(pk__in=rows) | Q(organisation_id__in=owners))


def _active_grants(grantee_id: int, content_type_id: int) -> list[tuple[int | None, int]]:
    """(object id or None, owner id) of the grants an organisation holds for one model.

    Runs on every scoped read, so it is written out: the ORM spends ~0.3 ms composing it.
    """
    # By name from the app registry: the models' `for_member` calls this module, so importing
    # the models here would close an import cycle.
    grant = apps.get_model("core", "Grant")
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"SELECT object_id, owner_id FROM {grant._meta.db_table} "  # noqa: S608  (model table)
        "WHERE grantee_id = %s AND content_type_id = %s AND revoked_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [grantee_id, content_type_id, adapt(timezone.now())])
        rows: list[tuple[int | None, int]] = cursor.fetchall()
        return rows


def owned[Q_T: QuerySet[Any]](queryset: Q_T, member: Membership) -> Q_T:
    """Only the rows the member's organisation owns, not those shared with it: its own work
    lists and figures, and the rows it may act on (its open lots, its drafts)."""
    return owned_by(queryset, member.organisation_id)


def owned_by[Q_T: QuerySet[Any]](queryset: Q_T, organisation_id: int | None) -> Q_T:
    """Only the rows organisation ``organisation_id`` owns, for work done on its behalf with no
    member at hand: a job finding the member who started it, a re-count after re-matching, a
    write's own organisation. Never for what a user sees (that is ``visible`` or ``owned``)."""
    return queryset.filter(organisation_id=organisation_id)


def visible[M_T: Model](queryset: QuerySet[M_T], member: Membership) -> QuerySet[M_T]:
    """Apply the model's own ``for_member`` scoping; refuse models that have none."""
    scoper: Callable[[Membership], QuerySet[M_T]] | None = getattr(queryset, "for_member", None)
    if scoper is None:
        raise TypeError(f"{queryset.model.__name__} has no for_member() scoping")
    return scoper(member)


def get_for_member[M_T: Model](
    queryset: QuerySet[M_T], member: Membership, **lookup: object
) -> M_T:
    """Fetch one row the member may see, or raise ``Http404`` exactly as if it did not exist.

    A lookup value the column cannot hold (``"abc"`` for a numeric id) names no row either.
    """
    try:
        return get_object_or_404(visible(queryset, member), **lookup)
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None


def can_see(obj: Model, member: Membership) -> bool:
    """True when ``obj`` is visible to ``member`` through its model's scoping."""
    return visible(type(obj)._default_manager.all(), member).filter(pk=obj.pk).exists()
