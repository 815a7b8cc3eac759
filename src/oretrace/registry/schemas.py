"""API schemas of the facility registry."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, ModelSchema, Schema

from oretrace.registry import models


class IdentifierOut(ModelSchema):
    class Meta:
        model = models.FacilityIdentifier
        fields = ["id", "scheme", "value", "source"]


class NameOut(ModelSchema):
    private: bool = False

    class Meta:
        model = models.FacilityName
        fields = ["id", "name", "kind", "language", "source"]

    @staticmethod
    def resolve_private(obj: models.FacilityName) -> bool:
        return obj.organisation_id is not None


class StatusOut(ModelSchema):
    recorded_by_organisation_id: int | None = Field(None, alias="organisation_id")

    class Meta:
        model = models.AssuranceStatus
        fields = [
            "id",
            "scheme",
            "status",
            "effective_on",
            "last_audit_on",
            "valid_until",
            "cycle",
            "source",
            "recorded_at",
        ]


class FacilityOut(ModelSchema):
    country: str = Field(..., alias="country_id")
    subdivision: str | None = Field(None, alias="subdivision_id")
    organisation_id: int | None = None
    is_reference: bool
    minerals: list[str] = []
    identifiers: list[IdentifierOut] = []
    merged_into_id: int | None = None

    class Meta:
        model = models.Facility
        fields = ["id", "kind", "name", "name_latin", "updated_at"]

    @staticmethod
    def resolve_minerals(obj: models.Facility) -> list[str]:
        return [m.code for m in obj.minerals.all()]

    @staticmethod
    def resolve_identifiers(obj: models.Facility) -> list[models.FacilityIdentifier]:
        return list(obj.identifiers.all())


class ListingOut(Schema):
    list: str = Field(..., alias="list_key")
    first_seen: datetime = Field(..., alias="first_seen.created_at")
    last_seen: datetime = Field(..., alias="last_seen.created_at")
    delisted: datetime | None = None

    @staticmethod
    def resolve_delisted(obj: Any) -> datetime | None:
        return obj.delisted_by.created_at if obj.delisted_by_id else None


def _member(context: dict[str, Any]) -> Any:
    return context["request"].auth


class FacilityDetail(FacilityOut):
    """One facility with everything the acting member may see of it."""

    street: str
    city: str
    region: str
    latitude: Decimal | None
    longitude: Decimal | None
    coordinate_precision: str
    operator_id: int | None
    names: list[NameOut] = []
    current_statuses: list[StatusOut] = []
    status_history: list[StatusOut] = []
    listings: list[ListingOut] = []

    @staticmethod
    def resolve_names(obj: models.Facility, context: dict[str, Any]) -> list[models.FacilityName]:
        return list(obj.names.for_member(_member(context)))

    @staticmethod
    def resolve_current_statuses(
        obj: models.Facility, context: dict[str, Any]
    ) -> list[models.AssuranceStatus]:
        from oretrace.registry.queries import current_statuses

        return current_statuses(obj, _member(context))

    @staticmethod
    def resolve_status_history(
        obj: models.Facility, context: dict[str, Any]
    ) -> list[models.AssuranceStatus]:
        from oretrace.registry.queries import status_history

        return list(status_history(obj, _member(context)))

    @staticmethod
    def resolve_listings(obj: models.Facility) -> list[Any]:
        return list(obj.listings.select_related("first_seen", "last_seen", "delisted_by"))


class FacilityIn(Schema):
    kind: str
    name: str = Field(..., min_length=1, max_length=300)
    country: str = Field(..., min_length=2, max_length=2)
    name_latin: str = ""
    subdivision: str | None = None
    street: str = ""
    city: str = ""
    region: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    coordinate_precision: str = ""
    minerals: list[str] = []
    reference: bool = Field(False, description="Create a reference facility (curators only).")


class FacilityPatch(Schema):
    kind: str | None = None
    name: str | None = None
    name_latin: str | None = None
    country: str | None = None
    subdivision: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    coordinate_precision: str | None = None
    minerals: list[str] | None = None


class NameIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    kind: str = "alias"
    language: str = ""
    source: str = "entered through the API"


class IdentifierIn(Schema):
    scheme: str
    value: str
    source: str = "entered through the API"


class StatusIn(Schema):
    scheme: str
    status: str
    effective_on: date
    source: str
    last_audit_on: date | None = None
    valid_until: date | None = None
    cycle: str = ""
    reference: bool = False


class MergeIn(Schema):
    duplicate_id: int


class SplitIn(Schema):
    name: str
    names: list[int] = []
    identifiers: list[int] = []


class MatchQueryIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    metal: str = ""
    country: str = ""
    identifier: str = ""


class MatchIn(Schema):
    names: list[MatchQueryIn] = Field(..., max_length=5000)
    queue_reviews: bool = Field(False, description="Put 'review' outcomes in the review queue.")
    origin: str = ""


class ScoredOut(Schema):
    facility_id: int
    score: float
    matched_name: str
    other_metal: bool = Field(
        False,
        description="The facility is recorded for other metals than the name's: a suggestion "
        "only, never matched automatically.",
    )


class MatchResultOut(Schema):
    query: str
    outcome: str
    candidates: list[ScoredOut]


class ReviewOut(ModelSchema):
    facility_id: int | None = None

    class Meta:
        model = models.MatchReview
        fields = [
            "id",
            "query",
            "metal",
            "country",
            "identifier",
            "candidates",
            "best_score",
            "origin",
            "status",
            "created_at",
            "decided_at",
        ]


class ConfirmIn(Schema):
    facility_id: int


class CreateFromReviewIn(Schema):
    kind: str
    country: str
    subdivision: str | None = None


class ImportOut(ModelSchema):
    job_id: int | None = None

    class Meta:
        model = models.ReferenceImport
        fields = [
            "id",
            "filename",
            "sha256",
            "list_key",
            "source",
            "shared",
            "counts",
            "warnings",
            "created_at",
        ]


class JobStarted(Schema):
    job_id: int
    status: str
    created_at: datetime
