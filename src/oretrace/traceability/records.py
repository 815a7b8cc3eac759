"""The traceability records committed to the transparency log, with their public facts."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from oretrace.ledger.records import register
from oretrace.traceability.models import EpcisEvent


def epcis_event_facts(event: EpcisEvent) -> dict[str, Any]:
    """An event's public facts: its hash ID, type, time and business step (no personal data)."""
    return {
        "hash_id": event.hash_id,
        "type": event.event_type,
        "event_time": event.event_time.astimezone(UTC).isoformat(timespec="microseconds"),
        "biz_step": event.biz_step,
    }


register(EpcisEvent, "traceability.epcisevent", facts=epcis_event_facts, label="EPCIS event")
