"""What keeps grievance content safe over time, run by the daily check and the CLI:

- ``purge_expired``: a case closed ``ORETRACE_GRIEVANCE_RETENTION_DAYS`` ago loses its texts
  (report, replies, outcome, notes): the rows stay, emptied, so the thread's shape (who wrote,
  on which day), the case's states, dates and triage, and every statistic remain.
- ``reseal``: every text sealed with an older key is sealed again with the current one, after
  which the old key files may be archived (rotation).
- ``commit_events``: the case events not yet in the transparency log go in, in one batch.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oretrace.core.actors import SYSTEM, SystemActor
from oretrace.core.changelog import update_and_log
from oretrace.grievances import sealing
from oretrace.grievances.choices import CaseStatus, EventKind
from oretrace.grievances.models import Case, CaseEvent, Message, Note, SmsMessage
from oretrace.grievances.services.common import record_event
from oretrace.ledger import services as ledger

BATCH = 500


def purge_expired(*, today: date | None = None, actor: SystemActor = SYSTEM) -> int:
    """Empty the texts of every case closed longer ago than the retention; how many cases."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ORETRACE_GRIEVANCE_RETENTION_DAYS)
    due = Case.objects.filter(
        status=CaseStatus.CLOSED, closed_on__lte=cutoff, purged_on__isnull=True
    ).values_list("pk", flat=True)
    count = 0
    for case_id in list(due):
        _purge(case_id, today=today, actor=actor)
        count += 1
    return count


@transaction.atomic
def _purge(case_id: int, *, today: date, actor: SystemActor) -> None:
    case = Case.objects.select_for_update().get(pk=case_id)
    Message.objects.filter(case=case).update(sealed=b"", purged=True)
    Note.objects.filter(case=case).update(sealed=b"", purged=True)
    SmsMessage.objects.filter(case=case).update(sender_hash="")  # the number's hash too
    update_and_log(case, actor=actor, purged_on=today)
    record_event(case, EventKind.PURGED, on=today)


def reseal(*, batch: int = BATCH) -> int:
    """Seal again with the current key every text an older key sealed; how many texts."""
    current = sealing.current_key_id()
    count = 0
    for model in (Message, Note):
        while True:
            done = _reseal_batch(model, current, batch)
            count += done
            if done < batch:
                break
    return count


@transaction.atomic
def _reseal_batch(model: type[Message] | type[Note], current: str, batch: int) -> int:
    rows: list[Message | Note] = list(
        model.objects.select_for_update().filter(purged=False).exclude(key_id=current)[:batch]
    )
    for row in rows:
        text = sealing.unseal(row.sealed_text(), case_id=row.case_id)
        sealed = sealing.seal(text, case_id=row.case_id)
        model.objects.filter(pk=row.pk).update(key_id=sealed.key_id, sealed=sealed.data)
    return len(rows)


@transaction.atomic
def commit_events(*, actor: SystemActor = SYSTEM) -> int:
    """Append the case events not yet in the transparency log; how many."""
    pending = list(
        CaseEvent.objects.select_for_update().filter(committed=False).order_by("pk")[:10_000]
    )
    if not pending:
        return 0
    ledger.append_many(pending, actor=actor, created=True)
    CaseEvent.objects.filter(pk__in=[e.pk for e in pending]).update(committed=True)
    return len(pending)
