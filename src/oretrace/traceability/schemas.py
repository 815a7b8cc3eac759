"""API schemas of the traceability app."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, ModelSchema, Schema

from oretrace.traceability.models import EpcisCapture, Lot


class CaptureOut(ModelSchema):
    organisation_id: int

    class Meta:
        model = EpcisCapture
        fields = [
            "id",
            "sha256",
            "event_count",
            "new_count",
            "known_count",
            "schema_checked",
            "created_at",
        ]


class CaptureResult(CaptureOut):
    event_ids: list[str] = Field(..., description="The CBV 2.0 hash ID of each event, in order.")


class EventQueryParams(Schema):
    """The EPCIS 2.0 query parameters (several values of one parameter: comma-separated)."""

    eventType: str | None = Field(None, description="ObjectEvent, AggregationEvent, …")
    GE_eventTime: str | None = Field(None, description="Date-time with a time zone (ISO 8601).")
    LT_eventTime: str | None = Field(None, description="Date-time with a time zone (ISO 8601).")
    GE_recordTime: str | None = Field(None, description="Date-time with a time zone (ISO 8601).")
    LT_recordTime: str | None = Field(None, description="Date-time with a time zone (ISO 8601).")
    EQ_action: str | None = None
    EQ_bizStep: str | None = Field(None, description="CBV term (shipping) or URI.")
    EQ_disposition: str | None = None
    EQ_readPoint: str | None = None
    EQ_bizLocation: str | None = None
    EQ_eventID: str | None = None
    MATCH_epc: str | None = Field(None, description="EPC URI or pattern ending in '*'.")
    MATCH_parentID: str | None = None
    MATCH_inputEPC: str | None = None
    MATCH_outputEPC: str | None = None
    MATCH_anyEPC: str | None = None
    MATCH_epcClass: str | None = None
    MATCH_inputEPCClass: str | None = None
    MATCH_outputEPCClass: str | None = None
    MATCH_anyEPCClass: str | None = None
    EQ_quantity: float | None = None
    GT_quantity: float | None = None
    GE_quantity: float | None = None
    LT_quantity: float | None = None
    LE_quantity: float | None = None
    perPage: int | None = Field(None, ge=1, description="Events per page.")
    nextPageToken: str | None = Field(None, description="From the previous page's Link header.")


class LotOut(Schema):
    id: int
    organisation_id: int
    code: str
    kind: str
    facility_id: int | None
    facility: str = Field("", description="The facility's name, when the location is known.")
    location: str
    quantity_kg: Decimal
    remaining_kg: Decimal
    other_quantity: Decimal | None
    other_unit: str
    recycled: bool
    flags: int = Field(0, description="How many mass-balance flags the lot carries.")

    @staticmethod
    def resolve_facility(obj: Lot) -> str:
        return obj.facility.name if obj.facility is not None else ""

    @staticmethod
    def resolve_flags(obj: Lot) -> int:
        counted = getattr(obj, "flag_count", None)  # annotated by queries.lots_for
        return counted if counted is not None else obj.flags.count()


class FlagOut(Schema):
    id: int
    kind: str
    lot_id: int
    lot: str = Field(..., alias="lot.code")
    facility_id: int | None
    event_id: int
    event_hash: str = Field(..., alias="event.hash_id")
    expected_kg: Decimal
    actual_kg: Decimal
    message: str
    created_at: datetime


class MovementOut(Schema):
    id: int
    kind: str
    quantity_kg: Decimal | None
    facility_id: int | None
    location: str
    counterpart: str
    shipment_id: int | None
    event_id: int


class LotDetail(LotOut):
    flag_list: list[FlagOut]
    movements: list[MovementOut] = Field(..., alias="movements_list")


class ShareOut(Schema):
    lot_id: int
    code: str
    facility_id: int | None
    facility: str
    country: str | None
    origin_type: str = Field(..., description="artisanal, industrial, collection_point, …")
    fraction: float = Field(..., description="Share of the traced lot's mass (0 to 1).")
    kg: Decimal | None


class TraceOut(Schema):
    lot_id: int | None
    shares: list[ShareOut]
    by_country: dict[str, float]
    by_type: dict[str, float]


class ChainNodeOut(Schema):
    lot_id: int
    code: str
    facility_id: int | None
    facility: str
    country: str | None
    kind: str = Field(
        ..., description="lot (the one asked for), intermediate, or the origin's type."
    )
    flagged: bool = Field(..., description="The lot carries a mass-balance flag.")
    fraction: float = Field(..., description="Share of the asked lot that passed here (0-1).")
    layer: int = Field(..., description="Longest path, in edges, to the asked lot.")


class ChainEdgeOut(Schema):
    source: int
    target: int
    share: float = Field(..., description="Share of the target's inputs from the source.")
    fraction: float = Field(..., description="Share of the asked lot along this edge (0-1).")


class ChainOut(Schema):
    lot_id: int
    truncated: bool = Field(..., description="The chain has more lots than ``limit``.")
    limit: int
    nodes: list[ChainNodeOut]
    edges: list[ChainEdgeOut]
    cycle_edges: list[list[int]] = Field(
        ..., description="Edges closing a cycle (bad data), left out of the fractions."
    )
