"""Every API error is an RFC 9457 problem document (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from oretrace.core.exceptions import InvalidTransition, OretraceError, PermissionDenied, TokenError

PROBLEM_TYPE_BASE = "https://oretrace.org/problems/"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
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
    import json

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


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "location": ".".join(str(p) for p in err.get("loc", [])),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors
    ]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors) or "invalid request"
    return problem(request, 422, detail, kind="validation", errors=errors)


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn exceptions into problem documents."""
    handlers: list[tuple[type[Exception], Any]] = [
        (ValidationError, _validation),
        (
            AuthenticationError,
            lambda r, e: problem(
                r,
                401,
                "Log in, or send a personal API token as 'Authorization: Bearer ot_…'.",
                kind="not-authenticated",
            ),
        ),
        (AuthorizationError, lambda r, e: problem(r, 403, str(e) or "forbidden", kind="forbidden")),
        (TokenError, lambda r, e: problem(r, 401, str(e), kind="invalid-token")),
        (PermissionDenied, lambda r, e: problem(r, 403, str(e), kind="forbidden")),
        (InvalidTransition, lambda r, e: problem(r, 409, str(e), kind="invalid-transition")),
        (OretraceError, lambda r, e: problem(r, 400, str(e), kind="rejected")),
        (
            Http404,
            lambda r, e: problem(
                r, 404, "No such object, or not visible to you.", kind="not-found"
            ),
        ),
        (
            ObjectDoesNotExist,
            lambda r, e: problem(
                r, 404, "No such object, or not visible to you.", kind="not-found"
            ),
        ),
        (HttpError, lambda r, e: problem(r, e.status_code, str(e))),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
