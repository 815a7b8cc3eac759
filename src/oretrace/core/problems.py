"""RFC 9457 problem documents (``application/problem+json``): how every API error is answered.

In core so that any app's API routes can answer a problem of their own without importing the
API assembly; `oretrace.api.errors` maps exceptions to these documents.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

PROBLEM_TYPE_BASE = "https://oretrace.org/problems/"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Server error",
}


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    **extra: Any,
) -> HttpResponse:
    """Build a problem+json response."""
    body = {
        "type": PROBLEM_TYPE_BASE + (kind or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, default=str), status=status, content_type="application/problem+json"
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="oretrace"'
    return response
