"""The programmes app's daily work, run by the notifications tick (``core.periodic``): delete
the offline forms' receipts past their keeping time. Thin: the service does the work."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from oretrace.core.periodic import daily_check
from oretrace.programmes.services import offline


@daily_check("programmes.sync_receipts")
def purge_sync_receipts(now: datetime) -> int:
    return offline.purge_receipts(today=timezone.localdate(now))
