"""The worker's side of the SMS inbox (``services.inbox``): file its rows into cases in batches,
each exactly once (``sms.receive_sms``), and delete them in the same transaction."""

from __future__ import annotations

import json
import logging
import time

from django.db import connection, transaction

from oretrace.core.exceptions import OretraceError
from oretrace.grievances import sealing
from oretrace.grievances.models import SmsInbox
from oretrace.grievances.services import sms as sms_services
from oretrace.grievances.sms import InboundSms

logger = logging.getLogger(__name__)
BATCH = 200
LINGER = 3.0
POLL = 0.2


def context(gateway: str, external_id: str) -> str:
    """What an inbox row's sender and text are sealed for."""
    return f"inbox:{gateway}:{external_id}"


def _opened(row: SmsInbox) -> InboundSms:
    text = sealing.RING.unseal(
        sealing.Sealed(row.key_id, bytes(row.sealed)),
        context=context(row.gateway, row.external_id),
    )
    document = json.loads(text)
    return InboundSms(row.gateway, row.external_id, document["sender"], document["text"])


def file_batch(limit: int = BATCH) -> int:
    """File up to ``limit`` inbox rows, oldest first, in one transaction, and delete them; how
    many were taken. Rows another worker holds are skipped (PostgreSQL's SKIP LOCKED; SQLite
    has one writer at a time). A message that cannot be filed is logged and dropped, never
    retried for ever."""
    with transaction.atomic():
        rows = SmsInbox.objects.select_related("channel").order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        batch = list(rows[:limit])
        for row in batch:
            try:
                with transaction.atomic():
                    sms_services.receive_sms(row.channel, _opened(row))
            except (OretraceError, ValueError, KeyError) as exc:
                logger.warning("SMS %s:%s not filed: %s", row.gateway, row.external_id, exc)
        SmsInbox.objects.filter(pk__in=[row.pk for row in batch]).delete()
    return len(batch)


def file_all(*, linger: float = 0.0) -> int:
    """File the inbox until it is empty and stays so for ``linger`` seconds (looked at every
    ``POLL`` seconds); how many messages were taken."""
    total = 0
    quiet_since = time.monotonic()
    while True:
        taken = file_batch()
        total += taken
        if taken:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= linger:
            return total
        else:
            time.sleep(POLL)
