"""gunicorn's access log, minus what could identify a grievance reporter.

``oretrace serve`` logs one line per request. For the reporter's pages (``/voice/…``) the line
keeps the method, path, status and size, and the day: no network address, user agent, referrer,
header, query string or time of day, so the log holds no more about a reporter than the
database does (issue 20: nothing stored beyond the day).
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.glogging import Logger

PRIVATE_PREFIXES = ("/voice/",)


def is_private(path: str) -> bool:
    return path.startswith(PRIVATE_PREFIXES)


class PrivateAccessLogger(Logger):  # type: ignore[misc]  # gunicorn has no types
    """The access log, with a reporter's request reduced to what identifies nobody."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = str(environ.get("PATH_INFO") or "")
        if not is_private(path):
            return atoms
        method = environ.get("REQUEST_METHOD", "-")
        return {
            "r": f"{method} {path} {environ.get('SERVER_PROTOCOL', '-')}",
            "s": atoms.get("s", "-"),
            "m": method,
            "U": path,
            "H": atoms.get("H", "-"),
            "b": atoms.get("b", "-"),
            "B": atoms.get("B"),
            "t": time.strftime("[%d/%b/%Y]"),
        }
