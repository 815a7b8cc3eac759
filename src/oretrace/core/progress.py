"""How long work says how far it is: a job passes its ``ctx.progress``; run outside a job (a
test, the CLI, a service called directly) the work reports to ``no_progress``."""

from __future__ import annotations

from collections.abc import Callable

from oretrace.core.stored_text import StoredText

# Percent done (0-100) and, when there is news, a line saying what is being done (stored to read
# in any language); ``None`` reports the percent alone.
Progress = Callable[[float, str | StoredText | None], None]


def no_progress(_percent: float, _message: str | StoredText | None = None) -> None:
    """Tell nobody: the progress of work no job watches."""
    return
