"""EPCIS 2.0 JSON-LD documents that oretrace writes (query results)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


def query_document(
    events: list[dict[str, Any]], contexts: list[Any], *, created: datetime
) -> dict[str, Any]:
    """An EPCISQueryDocument holding ``events`` (SimpleEventQuery results).

    ``contexts`` are the capture documents' own contexts: their namespace objects are kept so
    that extension fields stay resolvable; the EPCIS context itself always comes first.
    """
    context: list[Any] = [EPCIS_CONTEXT]
    for item in contexts:
        if isinstance(item, dict) and item not in context:
            context.append(item)
    return {
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": created.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": events},
            }
        },
    }
