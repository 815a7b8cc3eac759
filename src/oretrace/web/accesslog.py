"""gunicorn's access log, without the requests that could identify a grievance reporter.

``oretrace serve`` logs one line per request, but none for the reporter's pages (``/voice/…``)
nor for the files every page loads (``/static/…``, ``/favicon.ico``), which a reporter's
browser fetches right after: each line carries a network address, a user agent and a time to
the second, and even a line stripped of them would be dated by its neighbours. So the log holds
nothing about a reporter, as the database holds nothing beyond the day (issue 20).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

UNLOGGED_PREFIXES = ("/voice/", "/static/", "/favicon.ico")


def is_unlogged(path: str) -> bool:
    return path.startswith(UNLOGGED_PREFIXES)


class PrivateAccessLogger(Logger):  # type: ignore[misc]  # gunicorn has no types
    """The access log, leaving out the reporter's requests and the files pages load."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if is_unlogged(str(environ.get("PATH_INFO") or "")):
            return
        super().access(resp, req, environ, request_time)
