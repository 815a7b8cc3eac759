"""API schemas of the traceability app."""

from ninja import Field, ModelSchema, Schema

from oretrace.traceability.models import EpcisCapture


class CaptureOut(ModelSchema):
    organisation_id: int
    known_count: int = Field(..., description="Events the organisation already held.")

    class Meta:
        model = EpcisCapture
        fields = ["id", "sha256", "event_count", "new_count", "schema_checked", "created_at"]

    @staticmethod
    def resolve_known_count(obj: EpcisCapture) -> int:
        return obj.event_count - obj.new_count


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
