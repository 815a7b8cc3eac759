"""Errors of the risk services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class EditionError(OretraceError):
    """A reference edition that cannot be imported as given; the message says why."""


class ScoreError(OretraceError):
    """A risk score that cannot be computed as asked (a missing or changed methodology)."""


class FlagError(OretraceError):
    """A red-flag request that cannot be carried out as given; the message says why."""


class RegisterError(OretraceError):
    """A risk-register entry or a Step-3 plan that cannot be written as given. ``field`` names
    the input that is wrong (the API's and the forms' field), and the message starts with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
