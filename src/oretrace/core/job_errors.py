"""What a job's handler raises to end it other than by returning: cancelled by its user, lost
to another worker, failed for a reason the user can act on (``oretrace.core.jobs`` runs them)."""

from __future__ import annotations

from typing import Any

from oretrace.core.exceptions import OretraceError
from oretrace.core.stored_text import StoredText


class JobCancelled(Exception):
    """Raised inside a handler when the user cancelled its job."""


class JobLost(Exception):
    """Raised inside a handler whose job is no longer its own: the lease ran out while it was
    stalled, and the job was queued again or failed."""


class JobFailed(OretraceError):
    """Raised by a handler whose work came to nothing for a reason the user can act on (every
    file of an import refused): the job fails with this message alone, no traceback, and keeps
    the result and its link, so that the page shows what was refused and why. ``text``: the
    message as a catalogue template, for the job's page in the reader's language."""

    def __init__(
        self,
        message: str,
        *,
        data: dict[str, Any] | None = None,
        url: str = "",
        text: StoredText | None = None,
    ) -> None:
        super().__init__(message)
        self.data = data or {}
        self.url = url
        self.text = text
