from django.contrib import admin

from oretrace.assessments.models import (
    Assessment,
    ImprovementAction,
    Standard,
    StandardDraft,
    SupportRequest,
    TrainingModule,
)
from oretrace.core.admin import ReadOnlyAdmin


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "organisation", "created_at"]
    search_fields = ["code"]


@admin.register(StandardDraft)
class StandardDraftAdmin(ReadOnlyAdmin):
    list_display = ["code", "organisation", "published", "created_at"]
    search_fields = ["code"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["standard", "organisation", "supplier", "status", "score", "due_on"]
    list_filter = ["status"]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ReadOnlyAdmin):
    list_display = ["criterion", "assessment", "severity", "status", "due_on"]
    list_filter = ["status", "severity"]


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = ["kind", "action", "status", "created_at"]
    list_filter = ["kind", "status"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(ReadOnlyAdmin):
    list_display = ["title", "language", "format", "standard_code", "organisation"]
