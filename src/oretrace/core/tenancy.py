"""The one scoping API every query that serves a user goes through.

A member sees the rows their organisation owns, plus rows another organisation shared with it
through an active ``Grant`` (one row, or every row of a type). Nothing else: another
organisation's row is indistinguishable from a row that does not exist (the API and pages answer
404, never 403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from oretrace.core.models import Membership


def scope_to_member[Q_T: QuerySet](queryset: Q_T, member: Membership) -> Q_T:
    """Restrict an organisation-owned queryset to what ``member`` may see."""
    from oretrace.core.models import Grant

    org_id = member.organisation_id
    content_type = ContentType.objects.get_for_model(queryset.model)
    grants = Grant.objects.active().filter(grantee_id=org_id, content_type=content_type)
    visible = (
        Q(organisation_id=org_id)
        | Q(pk__in=grants.filter(object_id__isnull=False).values("object_id"))
        | Q(organisation_id__in=grants.filter(object_id__isnull=True).values("owner_id"))
    )
    return queryset.filter(visible)


def visible[M_T: Model](queryset: QuerySet[M_T], member: Membership) -> QuerySet[M_T]:
    """Apply the model's own ``for_member`` scoping; refuse models that have none."""
    scoper = getattr(queryset, "for_member", None)
    if scoper is None:
        raise TypeError(f"{queryset.model.__name__} has no for_member() scoping")
    return scoper(member)


def get_for_member[M_T: Model](
    queryset: QuerySet[M_T], member: Membership, **lookup: object
) -> M_T:
    """Fetch one row the member may see, or raise ``Http404`` exactly as if it did not exist."""
    return get_object_or_404(visible(queryset, member), **lookup)


def can_see(obj: Model, member: Membership) -> bool:
    """True when ``obj`` is visible to ``member`` through its model's scoping."""
    return visible(type(obj)._default_manager.all(), member).filter(pk=obj.pk).exists()
