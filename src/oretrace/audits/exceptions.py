"""Errors of the audits services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class AuditError(OretraceError):
    """An audit change that cannot be made as asked; the message names the field and why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class ProgrammeVersionError(OretraceError):
    """A programme version that cannot be installed (a changed rule under an old version)."""
