"""Admin site: for operators to look, not the way users change data (services do that)."""

from typing import Any

from django.contrib import admin

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


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "kind", "country", "lei", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["legal_name", "short_name", "lei", "duns"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "roles", "is_active"]
    list_filter = ["is_active"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["owner", "grantee", "content_type", "object_id", "expires_at", "revoked_at"]


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "content_type", "shown_repr"]
    list_filter = ["action", "content_type"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organisation", "kind", "status", "progress"]
    list_filter = ["status", "kind"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "membership", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = ["code", "alpha3", "name"]
    search_fields = ["code", "name"]


@admin.register(Subdivision)
class SubdivisionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "type", "country"]
    search_fields = ["code", "name"]


@admin.register(Mineral)
class MineralAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "symbol", "template_family", "is_3tg"]
