"""Admin site: for operators to look, not the way users change data (services do that)."""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.db import models

from oretrace.core.models import (
    ApiToken,
    ChangeLogEntry,
    Country,
    Grant,
    Job,
    Membership,
    Mineral,
    Organisation,
    Subdivision,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


def read_only(
    model: type[models.Model],
    list_display: Sequence[str],
    *,
    filters: Sequence[str] = (),
    search: Sequence[str] = (),
    hide: Sequence[str] = (),
) -> None:
    """Show ``model`` on the admin site, read-only: these columns (``list_display``), ``filters``
    (``list_filter``), ``search`` (``search_fields``) and the fields never shown, secrets above all
    (``hide``: ``exclude``)."""
    options = {
        "list_display": list_display,
        "list_filter": filters,
        "search_fields": search,
        "exclude": hide,
    }
    chosen = {name: list(value) for name, value in options.items() if value}
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), chosen))


read_only(
    Organisation,
    ["legal_name", "kind", "country", "lei", "is_active"],
    filters=["kind", "is_active"],
    search=["legal_name", "short_name", "lei", "duns"],
)
read_only(
    User,
    ["email", "full_name", "is_active", "is_staff", "last_login"],
    search=["email", "full_name"],
    hide=["password"],
)
read_only(Membership, ["user", "organisation", "roles", "is_active"], filters=["is_active"])
read_only(Grant, ["owner", "grantee", "content_type", "object_id", "expires_at", "revoked_at"])
read_only(
    ChangeLogEntry,
    ["at", "actor_label", "action", "content_type", "shown_repr"],
    filters=["action", "content_type"],
)
read_only(
    Job, ["created_at", "organisation", "kind", "status", "progress"], filters=["status", "kind"]
)
read_only(
    ApiToken,
    ["name", "prefix", "membership", "created_at", "last_used_at", "revoked_at"],
    hide=["token_hash"],
)
read_only(Country, ["code", "alpha3", "name"], search=["code", "name"])
read_only(Subdivision, ["code", "name", "type", "country"], search=["code", "name"])
read_only(Mineral, ["code", "name", "symbol", "template_family", "is_3tg"])
