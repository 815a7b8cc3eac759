"""Writes of the assessments app: standards, assignments, answers, evidence, review, scoring.

Improvement plans and support live in ``plans.py``. Every function runs in one transaction,
takes the acting member (or a ``SystemActor``) as ``actor`` and writes the change log.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from oretrace.assessments import evidence as evidence_checks
from oretrace.assessments import notices, stdfile
from oretrace.assessments.choices import AssessmentStatus
from oretrace.assessments.exceptions import AssessmentError, StandardFileError
from oretrace.assessments.models import (
    OPEN_STATUSES,
    Answer,
    Assessment,
    Criterion,
    Evidence,
    Question,
    ReviewComment,
    Section,
    Standard,
)
from oretrace.assessments.permissions import (
    can_assign_assessments,
    can_author_standards,
    can_respond_to_assessments,
)
from oretrace.assessments.records import answers_digest
from oretrace.assessments.scoring import AnswerState, Result, score
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change, snapshot, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition, PermissionDenied
from oretrace.core.models import Membership, Organisation
from oretrace.core.permissions import Permission
from oretrace.ledger import services as ledger
from oretrace.registry.models import Facility

Actor = Membership | SystemActor


def _require(
    actor: Actor, organisation: Organisation | None, permission: Permission, what: str
) -> None:
    if isinstance(actor, SystemActor):
        return
    if organisation is None or actor.organisation_id != organisation.pk:
        raise PermissionDenied(f"only {organisation or 'the platform'} can {what}")
    permission.require(actor)


def require_author(actor: Actor, organisation: Organisation) -> None:
    """Standards of ``organisation`` are written by its compliance officers and auditors."""
    _require(actor, organisation, can_author_standards, "write a standard")


def is_assigner(actor: Actor, assessment: Assessment) -> bool:
    return can_assign_assessments.allows(actor, organisation_id=assessment.organisation_id)


def is_responder(actor: Actor, assessment: Assessment) -> bool:
    return can_respond_to_assessments.allows(actor, organisation_id=assessment.supplier_id)


# --- standards ----------------------------------------------------------------------------------


@transaction.atomic
def import_standard(
    text: str | bytes, *, organisation: Organisation | None, actor: Actor
) -> Standard:
    """Import one standard version from its YAML file; all of it or, on any error, nothing.

    ``organisation`` empty makes a shipped standard everyone sees (the platform only).
    """
    if organisation is None and not isinstance(actor, SystemActor):
        raise PermissionDenied("only the platform installs standards for everyone")
    _require(actor, organisation, can_author_standards, "import a standard")
    spec = stdfile.read(text)
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if Standard.objects.filter(
        organisation=organisation, code=spec.code, version=spec.version
    ).exists():
        raise StandardFileError(
            f"{spec.code} version {spec.version} is already installed; "
            "give a changed standard a new version",
            field="version",
        )
    standard = Standard.objects.create(
        organisation=organisation,
        created_by=actor_user(actor),
        code=spec.code,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        languages=spec.languages,
        source_sha256=hashlib.sha256(raw).hexdigest(),
    )
    _create_parts(standard, spec)
    log_change(standard, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    return standard


def _create_parts(standard: Standard, spec: stdfile.StandardSpec) -> None:
    by_code: dict[str, Question] = {}
    position = 0
    for s, section_spec in enumerate(spec.sections, start=1):
        section = Section.objects.create(
            standard=standard, code=section_spec.code, position=s, title=section_spec.title
        )
        for c, c_spec in enumerate(section_spec.criteria, start=1):
            # A criterion's fields are its spec's, by the same names (its questions apart).
            criterion = Criterion.objects.create(
                section=section, position=c, **c_spec.model_dump(exclude={"questions"})
            )
            for q_spec in c_spec.questions:
                position += 1
                condition = q_spec.shown_when
                by_code[q_spec.code] = Question.objects.create(
                    standard=standard,
                    criterion=criterion,
                    code=q_spec.code,
                    position=position,
                    answer_type=q_spec.type,
                    text=q_spec.text,
                    help=q_spec.help,
                    required=q_spec.required,
                    evidence_required=q_spec.evidence_required,
                    allow_not_applicable=q_spec.allow_not_applicable,
                    expected=q_spec.expected or "",
                    minimum=q_spec.minimum,
                    maximum=q_spec.maximum,
                    unit=q_spec.unit,
                    max_age_days=q_spec.max_age_days,
                    choices=[c.model_dump(exclude_defaults=True) for c in q_spec.choices],
                    shown_when=by_code[condition.question] if condition else None,
                    shown_when_values=condition.answer_in if condition else [],
                )


# --- assignment ---------------------------------------------------------------------------------


@transaction.atomic
def assign_assessment(
    *,
    standard: Standard,
    supplier: Organisation,
    due_on: date,
    actor: Actor,
    facility: Facility | None = None,
    message: str = "",
    organisation: Organisation | None = None,
) -> Assessment:
    """Ask ``supplier`` to assess itself (or one of its facilities) against ``standard``."""
    assigner = organisation or (actor.organisation if isinstance(actor, Membership) else None)
    if assigner is None:
        raise AssessmentError("an assessment needs the assigning organisation")
    _require(actor, assigner, can_assign_assessments, "assign an assessment")
    if supplier.pk == assigner.pk:
        raise AssessmentError("an organisation cannot assign an assessment to itself")
    if standard.organisation_id not in (None, assigner.pk):
        raise AssessmentError(f"{standard} is not a standard {assigner} may use")
    if facility is not None and supplier.pk not in (facility.organisation_id, facility.operator_id):
        raise AssessmentError(f"{facility} is neither recorded nor run by {supplier}")
    if due_on < timezone.localdate() and not isinstance(actor, SystemActor):
        raise AssessmentError(f"the due date {due_on.isoformat()} is in the past")
    assessment = Assessment.objects.create(
        organisation=assigner,
        created_by=actor_user(actor),
        supplier=supplier,
        facility=facility,
        standard=standard,
        due_on=due_on,
        message=message.strip(),
    )
    log_change(assessment, action=ChangeAction.CREATE, actor=actor)
    notices.assigned(assessment, actor=actor)
    return assessment


# --- answering ----------------------------------------------------------------------------------


def _require_open_for_answers(assessment: Assessment, actor: Actor) -> None:
    if not is_responder(actor, assessment):
        raise PermissionDenied(f"only contributors of {assessment.supplier} answer it")
    if assessment.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"the assessment is {assessment.get_status_display().lower()}; it takes no answers"
        )


def _question_of(assessment: Assessment, question: Question) -> None:
    if question.standard_id != assessment.standard_id:
        raise AssessmentError(f"{question.code} is not a question of {assessment.standard}")


def _answer_row(assessment: Assessment, question: Question, actor: Actor) -> Answer:
    answer, _created = Answer.objects.get_or_create(
        assessment=assessment, question=question, defaults={"updated_by": actor_user(actor)}
    )
    return answer


def _started(assessment: Assessment, actor: Actor) -> None:
    if assessment.status == AssessmentStatus.ASSIGNED:
        update_and_log(assessment, actor=actor, status=AssessmentStatus.IN_PROGRESS)


@transaction.atomic
def save_answer(
    assessment: Assessment, question: Question, *, value: str, actor: Actor, note: str | None = None
) -> Answer:
    """Save (or change) one answer as the supplier goes; an empty value clears it."""
    from oretrace.assessments.scoring import clean_value

    _require_open_for_answers(assessment, actor)
    _question_of(assessment, question)
    cleaned = clean_value(question, value) if question.answer_type != "evidence" else None
    answer = _answer_row(assessment, question, actor)
    changes: dict[str, object] = {"value": cleaned, "updated_by": actor_user(actor)}
    if note is not None:
        changes["note"] = note.strip()[:5000]
    update_and_log(answer, actor=actor, organisation=assessment.supplier, **changes)
    _started(assessment, actor)
    return answer


@transaction.atomic
def add_evidence(
    assessment: Assessment, question: Question, *, upload: UploadedFile[bytes], actor: Actor
) -> Evidence:
    """Attach a checked evidence file to an answer; a refused file leaves nothing behind."""
    _require_open_for_answers(assessment, actor)
    _question_of(assessment, question)
    checked = evidence_checks.check(upload.name or "", upload.size or 0, upload)
    answer = _answer_row(assessment, question, actor)
    item = Evidence(
        answer=answer,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor_user(actor),
    )
    item.file.save(f"{checked.sha256[:16]}.{checked.extension}", upload, save=False)
    try:
        item.save()
        log_change(item, action=ChangeAction.CREATE, actor=actor, organisation=assessment.supplier)
        _started(assessment, actor)
    except Exception:
        item.file.delete(save=False)  # nothing half-written: no file without its row
        raise
    return item


@transaction.atomic
def remove_evidence(item: Evidence, *, actor: Actor) -> None:
    """Remove an evidence file while the assessment is still open for answers."""
    assessment = item.answer.assessment
    _require_open_for_answers(assessment, actor)
    log_change(
        item,
        action=ChangeAction.DELETE,
        actor=actor,
        before=snapshot(item),
        organisation=assessment.supplier,
    )
    stored = item.file.name or ""
    storage = item.file.storage
    item.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def answer_states(assessment: Assessment) -> dict[int, AnswerState]:
    """The answers of an assessment as scoring sees them (by question id)."""
    from django.db.models import Count

    rows = Answer.objects.filter(assessment=assessment).annotate(files=Count("evidence"))
    return {a.question_id: AnswerState(a.value, a.files) for a in rows}


def compute(assessment: Assessment, *, on: date | None = None) -> Result:
    """Score the assessment's current answers (nothing is written)."""
    questions = list(assessment.standard.questions.order_by("position"))
    criteria = list(
        Criterion.objects.filter(section__standard=assessment.standard)
        .select_related("section")
        .order_by("section__position", "position")
    )
    when = on or (
        assessment.submitted_at.date() if assessment.submitted_at else timezone.localdate()
    )
    return score(questions, criteria, answer_states(assessment), on=when)


@transaction.atomic
def submit(
    assessment: Assessment, *, actor: Actor, submitted_at: datetime | None = None
) -> Assessment:
    """Submit the answers: score them, store the result, and commit it to the ledger.

    ``submitted_at`` records an assessment answered earlier on paper (the platform only).
    """
    _require_open_for_answers(assessment, actor)
    if submitted_at is not None and not isinstance(actor, SystemActor):
        raise PermissionDenied("only the platform records a past submission")
    now = submitted_at or timezone.now()
    result = compute(assessment, on=timezone.localdate(now))
    if result.missing:
        raise AssessmentError(
            f"{len(result.missing)} required question(s) have no answer yet: "
            + ", ".join(result.missing)
        )
    before = snapshot(assessment)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now
    assessment.score = result.score
    assessment.result = {**result.as_json(), "answers": answers_digest(assessment.pk)}
    assessment.save()
    log_change(assessment, action=ChangeAction.UPDATE, actor=actor, before=before)
    ledger.append(assessment, actor=actor)
    notices.submitted(assessment, actor=actor)
    return assessment


def _require_reviewer(assessment: Assessment, actor: Actor) -> None:
    if not is_assigner(actor, assessment):
        raise PermissionDenied(f"only reviewers of {assessment.organisation} can do this")


@transaction.atomic
def send_back(assessment: Assessment, *, note: str, actor: Actor) -> Assessment:
    """Return a submitted assessment to the supplier for clarification."""
    _require_reviewer(assessment, actor)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise InvalidTransition("only a submitted assessment can be sent back")
    if not note.strip():
        raise AssessmentError("say what needs clarifying")
    update_and_log(
        assessment, actor=actor, status=AssessmentStatus.RETURNED, review_note=note.strip()
    )
    notices.sent_back(assessment, actor=actor)
    return assessment


@transaction.atomic
def accept(assessment: Assessment, *, actor: Actor) -> Assessment:
    """Accept a submitted assessment as reviewed."""
    _require_reviewer(assessment, actor)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise InvalidTransition("only a submitted assessment can be accepted")
    update_and_log(assessment, actor=actor, status=AssessmentStatus.ACCEPTED)
    notices.accepted(assessment, actor=actor)
    return assessment


@transaction.atomic
def comment(
    assessment: Assessment, question: Question, *, text: str, actor: Membership
) -> ReviewComment:
    """A reviewer's comment on one answer, or the supplier's reply."""
    if not (is_assigner(actor, assessment) or is_responder(actor, assessment)):
        raise PermissionDenied(
            "only reviewers and contributors of the two organisations of an assessment "
            "comment on it"
        )
    _question_of(assessment, question)
    if not text.strip():
        raise AssessmentError("the comment is empty")
    answer = _answer_row(assessment, question, actor)
    note = ReviewComment.objects.create(
        answer=answer,
        author=actor.user,
        author_organisation=actor.organisation,
        text=text.strip()[:5000],
    )
    log_change(note, action=ChangeAction.CREATE, actor=actor, organisation=actor.organisation)
    return note
