"""Errors of the risk services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class EditionError(OretraceError):
    """A reference edition that cannot be imported as given; the message says why."""


class FlagError(OretraceError):
    """A red-flag request that cannot be carried out as given; the message says why."""
