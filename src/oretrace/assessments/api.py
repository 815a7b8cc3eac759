"""API routes of the assessments app. Thin: reads through tenancy scoping, writes through
services."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from oretrace.assessments import queries, services
from oretrace.assessments.models import (
    Answer,
    Assessment,
    ImprovementAction,
    Standard,
    TrainingModule,
)
from oretrace.assessments.schemas import (
    ActionOut,
    AnswerIn,
    AnswerOut,
    AssessmentIn,
    AssessmentOut,
    GapOut,
    NoteIn,
    StandardIn,
    StandardOut,
    TrainingModuleIn,
    TrainingModuleOut,
)
from oretrace.assessments.services import plans
from oretrace.core.exceptions import OretraceError
from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member, visible
from oretrace.registry.models import Facility

router = Router(tags=["assessments"])


def _assessment(request: AuthenticatedRequest, assessment_id: int) -> Assessment:
    return get_for_member(
        Assessment.objects.select_related("standard"), request.auth, pk=assessment_id
    )


@router.get("/standards", response=list[StandardOut])
@paginate(Pagination)
def list_standards(request: AuthenticatedRequest) -> QuerySet[Standard]:
    """Shipped standards and the organisation's own."""
    return visible(Standard.objects.order_by("code", "version"), request.auth)


@router.post("/standards", response={201: StandardOut})
def import_standard(request: AuthenticatedRequest, payload: StandardIn) -> Status[Standard]:
    """Import a standard version from its YAML text (into the caller's organisation)."""
    member = request.auth
    standard = services.import_standard(
        payload.yaml, organisation=member.organisation, actor=member
    )
    return Status(201, standard)


@router.get("/standards/{standard_id}", response=StandardOut)
def get_standard(request: AuthenticatedRequest, standard_id: int) -> Standard:
    return get_for_member(Standard.objects.all(), request.auth, pk=standard_id)


@router.get("/standards/{standard_id}/yaml", response={200: None})
def export_standard(request: AuthenticatedRequest, standard_id: int) -> HttpResponse:
    """The standard as a YAML file (the import format)."""
    standard = get_for_member(Standard.objects.all(), request.auth, pk=standard_id)
    return HttpResponse(
        queries.export_standard(standard), content_type="application/yaml; charset=utf-8"
    )


@router.get("/assessments", response=list[AssessmentOut])
@paginate(Pagination)
def list_assessments(request: AuthenticatedRequest) -> QuerySet[Assessment]:
    """Assessments the organisation assigned or must answer."""
    return queries.assessments_for(request.auth)


@router.post("/assessments", response={201: AssessmentOut})
def assign(request: AuthenticatedRequest, payload: AssessmentIn) -> Status[Assessment]:
    """Assign an assessment to the organisation that records or runs a facility."""
    member = request.auth
    standard = get_for_member(Standard.objects.all(), member, pk=payload.standard_id)
    facility = get_for_member(Facility.objects.all(), member, pk=payload.facility_id)
    supplier = facility.operator or facility.organisation
    if supplier is None:
        raise OretraceError(f"{facility} is a reference facility: no supplier to assess")
    assessment = services.assign_assessment(
        standard=standard,
        supplier=supplier,
        facility=facility,
        due_on=payload.due_on,
        message=payload.message,
        actor=member,
    )
    return Status(201, assessment)


@router.get("/assessments/{assessment_id}", response=AssessmentOut)
def get_assessment(request: AuthenticatedRequest, assessment_id: int) -> Assessment:
    return _assessment(request, assessment_id)


@router.get("/assessments/{assessment_id}/answers", response=list[AnswerOut])
@paginate(Pagination)
def list_answers(request: AuthenticatedRequest, assessment_id: int) -> QuerySet[Answer]:
    assessment = _assessment(request, assessment_id)
    return Answer.objects.filter(assessment=assessment).select_related("question")


@router.put("/assessments/{assessment_id}/answers/{question_code}", response=AnswerOut)
def save_answer(
    request: AuthenticatedRequest, assessment_id: int, question_code: str, payload: AnswerIn
) -> Answer:
    """Save one answer (the supplier); an empty value clears it."""
    assessment = _assessment(request, assessment_id)
    question = get_object_or_404(assessment.standard.questions, code=question_code)
    return services.save_answer(
        assessment, question, value=payload.value, note=payload.note, actor=request.auth
    )


@router.post("/assessments/{assessment_id}/submit", response=AssessmentOut)
def submit(request: AuthenticatedRequest, assessment_id: int) -> Assessment:
    return services.submit(_assessment(request, assessment_id), actor=request.auth)


@router.post("/assessments/{assessment_id}/send-back", response=AssessmentOut)
def send_back(request: AuthenticatedRequest, assessment_id: int, payload: NoteIn) -> Assessment:
    return services.send_back(
        _assessment(request, assessment_id), note=payload.note, actor=request.auth
    )


@router.post("/assessments/{assessment_id}/accept", response=AssessmentOut)
def accept(request: AuthenticatedRequest, assessment_id: int) -> Assessment:
    return services.accept(_assessment(request, assessment_id), actor=request.auth)


@router.get("/assessments/{assessment_id}/gaps", response=list[GapOut])
def gaps(request: AuthenticatedRequest, assessment_id: int) -> list[GapOut]:
    """The submitted result's gaps, most serious first, with training module titles."""
    member = request.auth
    return [
        GapOut(
            criterion=g.criterion.code,
            severity=g.criterion.severity,
            outcome=g.outcome,
            training=[m.title for m in g.training],
        )
        for g in queries.gaps_of(_assessment(request, assessment_id), member)
    ]


@router.post("/assessments/{assessment_id}/plan", response=list[ActionOut])
def generate_plan(request: AuthenticatedRequest, assessment_id: int) -> list[ImprovementAction]:
    """Generate the improvement plan (one action per gap); returns the whole plan."""
    assessment = _assessment(request, assessment_id)
    plans.generate_plan(assessment, actor=request.auth)
    return list(assessment.actions.select_related("criterion"))


@router.get("/assessments/{assessment_id}/actions", response=list[ActionOut])
def list_actions(request: AuthenticatedRequest, assessment_id: int) -> list[ImprovementAction]:
    return list(_assessment(request, assessment_id).actions.select_related("criterion"))


@router.get("/training-modules", response=list[TrainingModuleOut])
@paginate(Pagination)
def list_training_modules(request: AuthenticatedRequest) -> QuerySet[TrainingModule]:
    """The training library: shipped modules and the organisation's own."""
    return visible(TrainingModule.objects.all(), request.auth)


@router.post("/training-modules", response={201: TrainingModuleOut})
def add_training_module(
    request: AuthenticatedRequest, payload: TrainingModuleIn
) -> Status[TrainingModule]:
    """Add a module to the organisation's library, linked to the criteria it covers."""
    member = request.auth
    module = plans.add_training_module(
        organisation=member.organisation, actor=member, **payload.model_dump()
    )
    return Status(201, module)
