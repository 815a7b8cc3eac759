"""API schemas of the core app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, ModelSchema, Schema

from oretrace.core import models


class OrganisationOut(ModelSchema):
    country: str = Field(..., alias="country_id")

    class Meta:
        model = models.Organisation
        fields = [
            "id",
            "slug",
            *(name for name in models.Organisation.EDITABLE if name != "country"),
            "created_at",
            "updated_at",
        ]


class OrganisationPatch(Schema):
    legal_name: str | None = None
    short_name: str | None = None
    kind: str | None = None
    country: str | None = None
    lei: str | None = None
    duns: str | None = None
    vat_number: str | None = None
    national_registration: str | None = None
    website: str | None = None


class MembershipOut(ModelSchema):
    organisation_id: int
    user_email: str = Field(..., alias="user.email")
    user_name: str = Field(..., alias="user.full_name")

    class Meta:
        model = models.Membership
        fields = ["id", "roles", "is_active", "created_at"]


class MembershipIn(Schema):
    email: str = Field(..., description="The person's e-mail; a login is created if none exists.")
    roles: list[str]
    full_name: str = ""


class MembershipPatch(Schema):
    roles: list[str]
    is_active: bool | None = None


class MeOut(Schema):
    email: str
    full_name: str
    current: MembershipOut
    memberships: list[MembershipOut]


class JobOut(ModelSchema):
    organisation_id: int

    class Meta:
        model = models.Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "params",
            "messages",
            "result",
            "result_url",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
        ]


class JobIn(Schema):
    kind: str
    params: dict[str, Any] = {}


class CountryOut(ModelSchema):
    class Meta:
        model = models.Country
        fields = ["code", "alpha3", "numeric", "name", "official_name"]


class SubdivisionOut(ModelSchema):
    country: str = Field(..., alias="country_id")
    parent: str | None = Field(None, alias="parent_id")

    class Meta:
        model = models.Subdivision
        fields = ["code", "name", "type"]


class MineralOut(ModelSchema):
    class Meta:
        model = models.Mineral
        fields = [
            "code",
            "name",
            "symbol",
            "template_family",
            "legacy_templates",
            "is_3tg",
            "template_label",
        ]


class ChangeOut(ModelSchema):
    object_type: str = ""
    changed_fields: list[str]

    @staticmethod
    def resolve_object_type(obj: models.ChangeLogEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    # Personal data sealed apart from the chain is shown while it exists (core.changelog.seal).
    @staticmethod
    def resolve_object_repr(obj: models.ChangeLogEntry) -> str:
        return obj.shown_repr

    @staticmethod
    def resolve_before(obj: models.ChangeLogEntry) -> dict[str, Any] | None:
        return obj.shown_before

    @staticmethod
    def resolve_after(obj: models.ChangeLogEntry) -> dict[str, Any] | None:
        return obj.shown_after

    class Meta:
        model = models.ChangeLogEntry
        fields = [
            "id",
            "at",
            "actor_label",
            "object_id",
            "object_repr",
            "action",
            "before",
            "after",
        ]


class TokenOut(ModelSchema):
    organisation_id: int = Field(..., alias="membership.organisation_id")

    class Meta:
        model = models.ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "parent",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenCreated(Schema):
    token: str = Field(..., description="The secret. Shown once: store it now.")
    details: TokenOut
