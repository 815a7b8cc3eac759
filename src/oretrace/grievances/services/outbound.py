"""Handing queued SMS to their gateway: one attempt at a time, retried with a doubling wait.

``sms.send_sms`` queues an ``OutboundSms``; the task ``send_sms_task`` calls
``deliver_outbound``. The number and the text are sealed for the channel and the reference
(``context``); the number is emptied once the gateway accepted the SMS or it was given up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from oretrace.grievances import gateways, sealing
from oretrace.grievances.choices import OutboundStatus
from oretrace.grievances.models import OutboundSms
from oretrace.grievances.sms import SendFailed, SendRefused

FIRST_WAIT = 30
LONGEST_WAIT = 3600

# What the services start in the worker; GrievancesConfig.ready() installs them (the app's tasks
# import these services, so these services do not import the tasks).
_started: dict[str, Callable[..., Any]] = {}


def install(*, send: Callable[[int], Any], file_inbox: Callable[[], Any]) -> None:
    """Make ``send(outbound_id)`` queue one SMS's sending and ``file_inbox()`` the filing of
    the SMS inbox."""
    _started.update(send=send, file_inbox=file_inbox)


def start_sending(outbound_id: int) -> None:
    """Queue the sending of one SMS (after the commit that queued it)."""
    _started["send"](outbound_id)


def start_filing() -> None:
    """Queue a filing of the SMS inbox unless one waits to start."""
    _started["file_inbox"]()


def context(channel_id: int, reference: str) -> str:
    """What an outgoing SMS's number and text are sealed for: a copy moved to another row
    does not open."""
    return f"sms:{channel_id}:{reference}"


def _finish(row: OutboundSms, **changes: object) -> None:
    """Write the outcome of an attempt; a sent or given-up SMS loses its number and its text
    (a receipt's SMS holds the receipt itself, which the database otherwise keeps only as a
    slow hash)."""
    if changes.get("status") in (OutboundStatus.SENT, OutboundStatus.FAILED):
        changes.update(sealed_to=b"", sealed_text=b"", next_attempt_at=None)
    OutboundSms.objects.filter(pk=row.pk).update(**changes)


def deliver_outbound(outbound_id: int, *, now: datetime | None = None) -> float | None:
    """Try to hand one queued SMS to its gateway; the seconds to wait before the next try when
    it failed for a while, else None (sent, given up, not due, or taken by another worker).

    The attempt is claimed first (a conditional update that only one worker wins, with a lease
    as long as the call may take), so two workers never send the same SMS at once, and the
    HTTP call holds no database lock."""
    now = now or timezone.now()
    timeout = settings.ORETRACE_GRIEVANCE_SMS_SEND_TIMEOUT_SECONDS
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        OutboundSms.objects.filter(due, pk=outbound_id, status=OutboundStatus.QUEUED)
        .exclude(sealed_to=b"")
        .update(attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=2 * timeout))
    )
    if not claimed:
        return None
    row = OutboundSms.objects.select_related("channel").get(pk=outbound_id)
    sealed_for = context(row.channel_id, row.reference)
    key_id = row.key_id
    try:
        to = sealing.RING.unseal(sealing.Sealed(key_id, bytes(row.sealed_to)), context=sealed_for)
        text = sealing.RING.unseal(
            sealing.Sealed(key_id, bytes(row.sealed_text)), context=sealed_for
        )
        tag = f"oretrace-{row.pk}"  # the gateway's idempotency id, where it has one
        request = gateways.build_request(row.gateway, to=to, text=text, reference=tag)
        status, body = gateways.post(request)
        gateway_id = gateways.read_answer(row.gateway, status, body, tag)
    except SendRefused as exc:
        _finish(row, status=OutboundStatus.FAILED, last_error=str(exc)[:300])
        return None
    except SendFailed as exc:
        if row.attempts >= settings.ORETRACE_GRIEVANCE_SMS_SEND_ATTEMPTS:
            _finish(row, status=OutboundStatus.FAILED, last_error=str(exc)[:300])
            return None
        wait = min(FIRST_WAIT * 2 ** (row.attempts - 1), LONGEST_WAIT)
        _finish(row, next_attempt_at=now + timedelta(seconds=wait), last_error=str(exc)[:300])
        return float(wait)
    _finish(
        row,
        status=OutboundStatus.SENT,
        gateway_id=gateway_id[:100],
        sent_on=timezone.localdate(now),
        last_error="",
    )
    return None


def due(now: datetime | None = None) -> list[int]:
    """The queued SMS whose next try is due (a worker lost in the middle of a send, a queue
    emptied by a restart): at most a thousand ids."""
    now = now or timezone.now()
    rows = OutboundSms.objects.filter(status=OutboundStatus.QUEUED, next_attempt_at__lte=now)
    return list(rows.values_list("pk", flat=True)[:1000])
