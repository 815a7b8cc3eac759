"""API schemas of the risk register and its Step-3 plans."""

from datetime import date
from decimal import Decimal

from ninja import Field, ModelSchema, Schema

from oretrace.risk.models import (
    Escalation,
    Indicator,
    Measure,
    PlanDecision,
    RiskEntry,
    RiskPlan,
)


class EntryOut(ModelSchema):
    plan_id: int | None = Field(None, description="The risk's Step-3 plan, if it has one.")

    class Meta:
        model = RiskEntry
        fields = [
            "id",
            "title",
            "category",
            "level",
            "facility",
            "supplier",
            "lot",
            "country",
            "region_code",
            "origin",
            "origin_reference",
            "reason",
            "identified_on",
            "status",
            "created_at",
        ]

    @staticmethod
    def resolve_plan_id(entry: RiskEntry) -> int | None:
        plan = getattr(entry, "plan", None)
        return plan.pk if plan is not None else None


class EntryFilter(Schema):
    status: str = ""
    category: str = ""
    level: str = ""
    origin: str = ""
    facility: int | None = None
    supplier: int | None = None
    q: str = Field("", description="Text in the title.")


class EntryIn(Schema):
    title: str
    category: str = Field(..., description="An Annex II or labour category (RiskCategory).")
    level: str = "high"
    facility_id: int | None = None
    supplier_id: int | None = None
    lot_id: int | None = None
    region_code: str = ""
    origin: str = Field("manual", description="red_flag, score or manual.")
    origin_reference: str = ""
    reason: str = Field("", description="Required when entered by hand.")
    identified_on: date | None = None


class StatusIn(Schema):
    status: str
    note: str = ""


class MeasureIn(Schema):
    what: str
    owner_id: int = Field(..., description="A membership of the organisation.")
    due_on: date


class IndicatorIn(Schema):
    what: str
    target: Decimal
    unit: str = ""
    current: Decimal | None = None


class PlanIn(Schema):
    strategy: str = Field(..., description="mitigate, suspend or disengage.")
    decided_on: date
    review_on: date = Field(..., description="At most six months after decided_on.")
    summary: str = ""
    measures: list[MeasureIn] = []
    indicators: list[IndicatorIn] = []


class StrategyIn(Schema):
    strategy: str
    decided_on: date
    review_on: date
    outcome: str


class IndicatorValue(Schema):
    id: int
    current: Decimal | None


class ReviewIn(Schema):
    reviewed_on: date
    outcome: str
    next_review_on: date = Field(..., description="At most six months after reviewed_on.")
    indicators: list[IndicatorValue] = []


class CloseIn(Schema):
    closed_on: date
    outcome: str


class EscalationIn(Schema):
    escalated_to: str
    escalated_on: date
    decision: str


class LinksIn(Schema):
    assessment_ids: list[int] = []
    action_ids: list[int] = []


class MeasureOut(ModelSchema):
    class Meta:
        model = Measure
        fields = ["id", "what", "owner", "due_on", "status"]


class IndicatorOut(ModelSchema):
    class Meta:
        model = Indicator
        fields = ["id", "what", "unit", "target", "current"]


class DecisionOut(ModelSchema):
    class Meta:
        model = PlanDecision
        fields = [
            "id",
            "kind",
            "strategy",
            "previous_strategy",
            "decided_on",
            "next_review_on",
            "outcome",
        ]


class EscalationOut(ModelSchema):
    class Meta:
        model = Escalation
        fields = ["id", "escalated_to", "escalated_on", "decision"]


class PlanOut(ModelSchema):
    entry_id: int

    class Meta:
        model = RiskPlan
        fields = ["id", "strategy", "status", "summary", "decided_on", "review_on"]


class PlanDetail(PlanOut):
    measures: list[MeasureOut]
    indicators: list[IndicatorOut]
    decisions: list[DecisionOut]
    escalations: list[EscalationOut]
    assessment_ids: list[int]
    action_ids: list[int]
    corrective_actions: list[str]
