"""Training sessions: organising one, recording who attended (counts by role and gender, names
only for the organiser's own field staff), its materials, and suppliers' requests to join."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.audits.services.sides import store_file
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Membership, Organisation
from oretrace.programmes.choices import Gender, IloArea, JoinStatus, Trainee
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import (
    JoinRequest,
    Programme,
    TrainingCount,
    TrainingMaterial,
    TrainingSession,
    TrainingStaff,
    Village,
)
from oretrace.programmes.permissions import can_ask_to_join_training, can_run_trainings
from oretrace.programmes.services.setup import organisation_for
from oretrace.registry.models import Facility

Actor = Membership | SystemActor
MAX_PEOPLE = 10_000  # in one count: more is a typing slip, not a session


def _codes(codes: Iterable[str]) -> list[str]:
    """Criterion codes as given, trimmed, once each, in order."""
    seen: list[str] = []
    for code in codes:
        clean = code.strip()
        if clean and clean not in seen:
            seen.append(clean[:40])
    return seen


def _check_choices(values: Sequence[str], allowed: Sequence[str], field: str, what: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ProgrammeError(
            _("Unknown %(what)s: %(values)s.") % {"what": what, "values": ", ".join(unknown)},
            field=field,
        )


def _check_place(owner: int, programme: Programme | None, village: Village | None) -> None:
    if programme is not None and programme.organisation_id != owner:
        raise ProgrammeError(_("The programme is run by another organisation."), field="programme")
    if village is not None and (
        village.organisation_id != owner
        or (programme is not None and village.programme_id != programme.pk)
    ):
        raise ProgrammeError(
            _("%(village)s is not a village of the programme.") % {"village": village.name},
            field="village",
        )


@transaction.atomic
def create_session(
    *,
    actor: Actor,
    title: str,
    held_on: date,
    trainer: str,
    language: str,
    audiences: Sequence[str],
    topic: str = "",
    standard_code: str = "",
    criterion_codes: Iterable[str] = (),
    areas: Sequence[str] = (),
    programme: Programme | None = None,
    village: Village | None = None,
    facility: Facility | None = None,
    place: str = "",
    organisation_id: int | None = None,
) -> TrainingSession:
    """A training session of the actor's organisation (a system actor names it)."""
    owner = organisation_for(actor, organisation_id, what="a training session")
    can_run_trainings.require(actor, organisation_id=owner)
    if not title.strip():
        raise ProgrammeError(_("Give the session a title."), field="title")
    if not trainer.strip():
        raise ProgrammeError(_("Say who gives the training."), field="trainer")
    if not language.strip():
        raise ProgrammeError(_("Say which language it is given in."), field="language")
    if not audiences:
        raise ProgrammeError(_("Say who the session is for."), field="audiences")
    _check_choices(audiences, Trainee.values, "audiences", _("trainee group"))
    _check_choices(areas, IloArea.values, "areas", _("ILO area of work"))
    _check_place(owner, programme, village)
    session = TrainingSession.objects.create(
        organisation_id=owner,
        created_by=actor_user(actor),
        programme=programme,
        title=title.strip()[:200],
        topic=topic.strip(),
        standard_code=standard_code.strip()[:80],
        criterion_codes=_codes(criterion_codes),
        areas=[a for a in IloArea.values if a in set(areas)],
        audiences=[a for a in Trainee.values if a in set(audiences)],
        language=language.strip()[:10],
        held_on=held_on,
        village=village,
        facility=facility,
        place=place.strip()[:200],
        trainer=trainer.strip()[:200],
    )
    log_change(session, action=ChangeAction.CREATE, actor=actor)
    return session


def _require_organiser(actor: Actor, session: TrainingSession) -> None:
    can_run_trainings.require(actor, organisation_id=session.organisation_id)


@transaction.atomic
def record_attendance(
    session: TrainingSession,
    *,
    actor: Actor,
    counts: Mapping[tuple[str, str], int],
    staff: Sequence[tuple[str, str]] = (),
) -> TrainingSession:
    """Who attended, replacing what was recorded before: people counted by role and gender
    (no names), and the organiser's field staff by name (counted from the names)."""
    _require_organiser(actor, session)
    if session.held_on > timezone.localdate():
        raise ProgrammeError(_("Attendance is recorded once the session has taken place."))
    kept: dict[tuple[str, str], int] = {}
    for (role, gender), people in counts.items():
        if role == Trainee.FIELD_STAFF:
            raise ProgrammeError(_("Field staff are named, not counted."), field=f"{role}_{gender}")
        _check_choices([role], Trainee.values, f"{role}_{gender}", _("trainee group"))
        _check_choices([gender], Gender.values, f"{role}_{gender}", _("gender"))
        if not 0 <= people <= MAX_PEOPLE:
            raise ProgrammeError(
                _("%(people)s is not a number of people.") % {"people": people},
                field=f"{role}_{gender}",
            )
        if people:
            kept[role, gender] = people
    for name, gender in staff:
        if not name.strip() or gender not in Gender.values:
            raise ProgrammeError(
                _("Give each staff member's name and gender: %(line)s")
                % {"line": f"{name}, {gender}"},
                field="staff",
            )
    before = {"counts": sum(c.people for c in session.counts.all()), "staff": session.staff.count()}
    session.counts.all().delete()
    session.staff.all().delete()
    TrainingCount.objects.bulk_create(
        TrainingCount(session=session, role=role, gender=gender, people=people)
        for (role, gender), people in kept.items()
    )
    TrainingStaff.objects.bulk_create(
        TrainingStaff(session=session, name=name.strip()[:200], gender=gender)
        for name, gender in staff
    )
    log_change(
        session,
        action=ChangeAction.UPDATE,
        actor=actor,
        before=before,
        note={"people": sum(kept.values()), "staff": len(staff)},
    )
    return session


@transaction.atomic
def add_material(
    session: TrainingSession, *, upload: Any, language: str, actor: Actor
) -> TrainingMaterial:
    """A handout or slides of the session, in the language it is written in."""
    _require_organiser(actor, session)
    if not language.strip():
        raise ProgrammeError(_("Say which language the material is in."), field="language")
    organisation = Organisation.objects.get(pk=session.organisation_id)
    return store_file(
        TrainingMaterial(session=session, language=language.strip()[:10]),
        upload,
        actor=actor,
        organisation=organisation,
    )


@transaction.atomic
def request_to_join(
    session: TrainingSession,
    *,
    actor: Membership,
    criterion_code: str,
    people: int,
    message: str = "",
    improvement_action: Any = None,
    finding: Any = None,
) -> JoinRequest:
    """A supplier asks to send ``people`` to a session offered on one of its improvement
    actions or audit findings (the caller found the offer: ``queries.training.offers_*``)."""
    can_ask_to_join_training.require(actor)
    if session.held_on < timezone.localdate():
        raise ProgrammeError(_("The session has already taken place."))
    if not 1 <= people <= 500:
        raise ProgrammeError(_("Say how many people you would send (1 to 500)."), field="people")
    if (improvement_action is None) == (finding is None):
        raise ProgrammeError("a request names one improvement action or one finding")
    request = JoinRequest.objects.create(
        organisation_id=actor.organisation_id,
        created_by=actor.user,
        session=session,
        improvement_action=improvement_action,
        finding=finding,
        criterion_code=criterion_code[:40],
        people=people,
        message=message.strip(),
    )
    log_change(request, action=ChangeAction.CREATE, actor=actor)
    return request


@transaction.atomic
def answer_join(request: JoinRequest, *, actor: Actor, status: str) -> JoinRequest:
    """The organiser accepts or declines a request to join one of its sessions."""
    if status not in (JoinStatus.ACCEPTED, JoinStatus.DECLINED):
        raise ProgrammeError(
            _("%(status)s is not an answer to a request.") % {"status": status}, field="status"
        )
    if isinstance(actor, Membership) and actor.organisation_id != request.session.organisation_id:
        raise PermissionDenied("only the session's organiser answers requests to join it")
    _require_organiser(actor, request.session)
    before = {"status": request.status}
    request.status = status
    request.answered_by = actor_user(actor)
    request.save(update_fields=["status", "answered_by", "updated_at"])
    log_change(request, action=ChangeAction.UPDATE, actor=actor, before=before)
    return request
