"""What is wrong with a document: each problem names the event and the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a document.

    ``event`` is the 1-based position of the event in ``epcisBody.eventList`` (``None`` for the
    document itself); ``field`` is the path inside the event (or the document), such as
    ``quantityList[0].quantity``.
    """

    event: int | None
    field: str
    message: str
    event_type: str = ""

    def where(self) -> str:
        if self.event is None:
            return f"document, {self.field}" if self.field else "document"
        kind = f" ({self.event_type})" if self.event_type else ""
        return (
            f"event {self.event}{kind}, {self.field}" if self.field else f"event {self.event}{kind}"
        )

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "event": self.event,
            "event_type": self.event_type,
            "field": self.field,
            "message": self.message,
        }


def path_text(parts: list[str | int]) -> str:
    """``["quantityList", 0, "quantity"]`` -> ``quantityList[0].quantity``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text
