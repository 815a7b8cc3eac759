from oretrace.assessments.models import (
    Assessment,
    ImprovementAction,
    Standard,
    StandardDraft,
    SupportRequest,
    TrainingModule,
)
from oretrace.core.admin import read_only

read_only(Standard, ["code", "version", "organisation", "created_at"], search=["code"])
read_only(StandardDraft, ["code", "organisation", "published", "created_at"], search=["code"])
read_only(
    Assessment,
    ["standard", "organisation", "supplier", "status", "score", "due_on"],
    filters=["status"],
)
read_only(
    ImprovementAction,
    ["criterion", "assessment", "severity", "status", "due_on"],
    filters=["status", "severity"],
)
read_only(SupportRequest, ["kind", "action", "status", "created_at"], filters=["kind", "status"])
read_only(TrainingModule, ["title", "language", "format", "standard_code", "organisation"])
