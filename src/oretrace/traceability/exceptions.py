"""Errors of the traceability app. They carry no HTTP status: the API and views map them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oretrace.core.exceptions import OretraceError

if TYPE_CHECKING:
    from oretrace.traceability.epcis.problems import Problem


class TraceabilityError(OretraceError):
    """A traceability request that cannot be carried out as asked."""


class CaptureRejected(TraceabilityError):
    """An EPCIS document that was refused as a whole; ``problems`` names each event and field."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
