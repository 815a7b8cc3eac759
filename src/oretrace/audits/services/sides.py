"""Which side of an audit an actor is on: the audit body, the auditee, the programme's owner.

Each write checks a role (``audits.permissions``) and the side together: an auditor of another
audit body is refused like anyone else. The system (demo, CLI, jobs) is on every side.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import models

from oretrace.assessments import evidence as evidence_checks
from oretrace.audits.models import Audit
from oretrace.audits.models.files import StoredFile
from oretrace.audits.permissions import can_answer_audits, can_conduct_audits, can_support_audits
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Membership, Organisation

Actor = Membership | SystemActor


def is_auditor(actor: Actor, audit: Audit) -> bool:
    return can_conduct_audits.allows(actor, organisation_id=audit.organisation_id)


def is_auditee(actor: Actor, audit: Audit) -> bool:
    return can_answer_audits.allows(actor, organisation_id=audit.auditee_id)


def supporter_id(audit: Audit) -> int:
    """The organisation that answers support requests: the programme's owner, else the audit
    body itself."""
    return audit.programme_owner_id or audit.organisation_id


def is_supporter(actor: Actor, audit: Audit) -> bool:
    return can_support_audits.allows(actor, organisation_id=supporter_id(audit))


def current(audit: Audit) -> Audit:
    """Read the audit's life-cycle fields afresh (under a row lock on PostgreSQL), so that a
    check sees the status another write (through another copy of the row) left."""
    fresh = Audit.objects.select_for_update().filter(pk=audit.pk).values(*LIFE).first()
    for name, value in (fresh or {}).items():
        setattr(audit, name, value)
    return audit


LIFE = ("status", "cap_round", "report_on", "plan_due_on")


def require_auditor(actor: Actor, audit: Audit, what: str) -> None:
    current(audit)
    if not is_auditor(actor, audit):
        raise PermissionDenied(
            f"only the auditors of {audit.organisation} can {what} ({can_conduct_audits.needs})"
        )


def require_auditee(actor: Actor, audit: Audit, what: str) -> None:
    current(audit)
    if not is_auditee(actor, audit):
        raise PermissionDenied(f"only {audit.auditee} can {what} ({can_answer_audits.needs})")


def store_file[F: StoredFile](
    row: F, upload: UploadedFile[bytes], *, actor: Actor, organisation: Organisation
) -> F:
    """Check ``upload`` (type by content, size), store it under its digest and save ``row``
    with it; a refused or failed write leaves no file behind."""
    checked = evidence_checks.check(upload.name or "", upload.size or 0, upload)
    row.original_name = checked.name
    row.content_type = checked.content_type
    row.size = checked.size
    row.sha256 = checked.sha256
    row.uploaded_by = actor_user(actor)
    field: models.FileField = row._meta.get_field("file")  # type: ignore[assignment]
    stored = getattr(row, field.name)
    stored.save(f"{checked.sha256[:16]}.{checked.extension}", upload, save=False)
    try:
        row.save()
        log_change(row, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    except Exception:
        stored.delete(save=False)
        raise
    return row
