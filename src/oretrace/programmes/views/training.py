"""Pages of training and local staff: an organisation's training sessions, one session (its
attendance, materials and requests to join), asking to join one offered on an improvement
action or an audit finding, and a programme's training indicators.

A session is seen by its organiser and by the organisations that asked to join it; to anyone
else it does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import owned
from oretrace.programmes import forms, queries
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.list_exports import TRAINED_EXPORT, TRAININGS_EXPORT
from oretrace.programmes.models import TrainingSession
from oretrace.programmes.permissions import can_ask_to_join_training, can_run_trainings
from oretrace.programmes.queries import training as training_queries
from oretrace.programmes.services import training
from oretrace.web.files import kept_file_response
from oretrace.web.views import errors_as_messages, errors_on_form, member_required, requires


def _session_form(member: Membership, data: Any) -> forms.TrainingForm:
    programmes = owned(queries.programmes_for(member), member)
    villages = [
        (v.pk, f"{v.name} ({v.programme.name})")
        for p in programmes.prefetch_related("villages__programme")
        for v in p.villages.all()
    ]
    return forms.TrainingForm(
        data,
        programmes=[(p.pk, p.name) for p in programmes],
        villages=villages,
        facilities=[
            (f.pk, f.name_latin or f.name) for f in training_queries.training_places(member)[:200]
        ],
    )


@member_required
@requires(can_run_trainings)
def trainings(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """The organisation's training sessions; organising a new one."""
    found = training_queries.sessions_for(member).order_by("-held_on", "-pk")
    if (download := TRAININGS_EXPORT.response(request, found)) is not None:
        return download
    form = _session_form(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        programme_id, village_id = data.pop("programme"), data.pop("village")
        facility_id = data.pop("facility")
        programmes = owned(queries.programmes_for(member), member)
        programme = programmes.filter(pk=programme_id).first() if programme_id else None
        village = queries.village_for(member, village_id) if village_id else None
        with errors_on_form(form) as tried:
            session = training.create_session(
                actor=member,
                programme=programme,
                village=village,
                facility=(
                    training_queries.training_places(member).filter(pk=facility_id).first()
                    if facility_id
                    else None
                ),
                **data,
            )
        if not tried.error:
            return redirect("programmes:training", training_id=session.pk)
    return render(
        request,
        "programmes/trainings.html",
        {"sessions": found[:200], "form": form, "may_run": can_run_trainings(member)},
    )


def _act(request: AuthenticatedRequest, member: Membership, session: TrainingSession) -> bool:
    """The session page's forms; True when one went through."""
    do = request.POST.get("do", "")
    with errors_as_messages(request) as tried:
        if do == "attendance":
            form: Any = forms.AttendanceForm(request.POST)
            if not form.is_valid():
                raise ProgrammeError(str(form.errors.as_text()))
            training.record_attendance(
                session, actor=member, counts=form.counts(), staff=form.staff_list()
            )
        elif do == "material":
            form = forms.MaterialForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ProgrammeError(str(form.errors.as_text()))
            training.add_material(
                session,
                upload=form.cleaned_data["file"],
                language=form.cleaned_data["language"],
                actor=member,
            )
        elif do == "answer":
            wanted = request.POST.get("request", "")
            join = (
                session.join_requests.filter(pk=int(wanted)).first() if wanted.isdigit() else None
            )
            if join is None:
                raise Http404
            training.answer_join(join, actor=member, status=request.POST.get("status", ""))
        else:
            raise Http404
    return not tried.error


@member_required
@requires(can_run_trainings)
def training_detail(
    request: AuthenticatedRequest, member: Membership, training_id: int
) -> HttpResponse:
    """One session: attendance by role and gender, staff by name, materials, requests."""
    session = training_queries.session_for(member, training_id)
    organiser = training_queries.is_organiser(member, session)
    if request.method == "POST":
        if not organiser:
            raise Http404
        if _act(request, member, session):
            return redirect("programmes:training", training_id=session.pk)
    initial: dict[str, object] = {f"{c.role}_{c.gender}": c.people for c in session.counts.all()}
    initial["staff"] = "\n".join(f"{s.name}, {s.gender}" for s in session.staff.all())
    return render(
        request,
        "programmes/training.html",
        {
            "session": session,
            "organiser": organiser,
            "held": session.held_on <= timezone.localdate(),
            "counts": session.counts.all(),
            "staff": session.staff.all() if organiser else [],
            "materials": session.materials.all(),
            "requests": training_queries.requests_for(member, session),
            "attendance_form": forms.AttendanceForm(initial=initial),
            "material_form": forms.MaterialForm(),
        },
    )


@member_required
def training_material(
    request: AuthenticatedRequest, member: Membership, training_material_id: int
) -> FileResponse:
    item = training_queries.material_for(member, training_material_id)
    return kept_file_response(item)


@require_POST
@member_required
@requires(can_ask_to_join_training)
def training_join(
    request: AuthenticatedRequest, member: Membership, training_id: int
) -> HttpResponse:
    """A supplier asks to join a session offered on its improvement action or audit finding;
    a session not offered there does not exist for it (404)."""
    form = forms.JoinForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    link: dict[str, Any] = {}
    if data["action"]:
        action = training_queries.action_for(member, data["action"])
        offer = training_queries.offer_for_action(member, action)
        link = {"improvement_action": action, "criterion_code": action.criterion.code}
    elif data["finding"]:
        finding = training_queries.finding_for(member, data["finding"])
        offer = training_queries.offer_for_finding(member, finding)
        link = {"finding": finding, "criterion_code": finding.criterion.code}
    else:
        raise Http404
    session = next((s for s in offer.sessions if s.pk == training_id), None)
    if session is None or not offer.may_ask:
        raise Http404
    with errors_as_messages(request):
        training.request_to_join(
            session, actor=member, people=data["people"], message=data["message"], **link
        )
    return redirect("programmes:training", training_id=session.pk)


@member_required
def training_indicators(
    request: AuthenticatedRequest, member: Membership, programme_id: int
) -> HttpResponse:
    """People trained under the programme by role, gender and period; sessions by topic."""
    programme = queries.programme_for(member, programme_id)
    rows = training_queries.trained_rows(programme)
    if (download := TRAINED_EXPORT.response(request, rows)) is not None:
        return download
    return render(
        request,
        "programmes/training_indicators.html",
        {
            "programme": programme,
            "rows": rows,
            "topics": training_queries.topic_rows(programme),
            "roles": training_queries.ROLES,
            "genders": training_queries.GENDERS,
        },
    )
