"""Errors of the programme services; they carry no HTTP status."""

from oretrace.core.exceptions import FieldError, OretraceError


class ProgrammeError(FieldError):
    """A programme request that cannot be carried out as given; the message says why, ``field``
    names the input when there is one."""


class SealError(OretraceError):
    """A child's sealed record that cannot be sealed or opened (a missing or wrong key)."""


class SyncConflict(ProgrammeError):
    """A form filled on a phone against a record that changed on the server since: nothing is
    written; ``server`` is what the server now holds (label, value pairs for the page to show
    beside the form's own), ``base`` the version to send again against."""

    def __init__(self, message: str, *, server: list[tuple[str, str]], base: int) -> None:
        super().__init__(message)
        self.server = server
        self.base = base
