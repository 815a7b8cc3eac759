"""Errors of the assessments services; they carry no HTTP status."""

from oretrace.core.exceptions import OretraceError


class AssessmentError(OretraceError):
    """An assessment change that cannot be made as asked; the message says why."""


class StandardFileError(OretraceError):
    """A standard file that cannot be read: the message names the line and the field."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "") -> None:
        self.line = line
        self.field = field
        where = ", ".join(part for part in (f"line {line}" if line else "", field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class EvidenceError(OretraceError):
    """An evidence file that is refused: the message says what was wrong with it."""
