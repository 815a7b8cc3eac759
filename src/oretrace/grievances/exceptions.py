"""Errors of the grievance services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class GrievanceError(OretraceError):
    """A grievance request that cannot be carried out as given; the message says why.

    ``field`` names the input that is wrong (the form's field) when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SealError(OretraceError):
    """Sealed content that cannot be sealed or opened (a missing or wrong key)."""


class IntakeThrottled(OretraceError):
    """Too many reports or receipt tries on a channel today; the message says to come back."""
