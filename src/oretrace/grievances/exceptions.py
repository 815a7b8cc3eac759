"""Errors of the grievance services; they carry no HTTP status."""

from oretrace.core.exceptions import FieldError, OretraceError


class GrievanceError(FieldError):
    """A grievance request that cannot be carried out as given; the message says why, ``field``
    names the input when there is one."""


class SealError(OretraceError):
    """Sealed content that cannot be sealed or opened (a missing or wrong key)."""


class IntakeThrottled(OretraceError):
    """Too many reports or receipt tries on a channel today; the message says to come back."""
