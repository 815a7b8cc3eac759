"""Every API error is an RFC 9457 problem document (``application/problem+json``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from oretrace.core.exceptions import (
    InvalidTransition,
    NotFound,
    OretraceError,
    PermissionDenied,
    TokenError,
)
from oretrace.core.problems import TITLES, problem

logger = logging.getLogger("oretrace.api")


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


def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """PostgreSQL refused a value (a NUL character, a number out of range): the input's fault."""
    why = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid value"
    logger.warning("refused a value on %s %s: %s", request.method, request.path, why)
    return problem(
        request,
        400,
        f"The request holds a value that cannot be stored: {why}",
        kind="invalid-value",
    )


def _rejected(request: HttpRequest, exc: OretraceError) -> HttpResponse:
    """A domain error: 400 with its message, and the input it names (``field``) when the
    error carries one (the risk register's errors do)."""
    field = getattr(exc, "field", None)
    extra = {"field": field} if isinstance(field, str) else {}
    return problem(request, 400, str(exc), kind="rejected", **extra)


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback, answered as a problem document all the same."""
    logger.exception("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return problem(
        request, 500, "Something went wrong on the server; it has been logged.", kind="server-error"
    )


def _as_problem(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An error the API answers outside its handlers (405 for a method the path does not take,
    Django's own 4xx) becomes a problem document too."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        status = response.status_code
        if status < 400 or response.get("Content-Type", "").startswith("application/problem"):
            return response
        if status == 405:
            allowed = response.get("Allow", "")
            answer = problem(
                request, 405, f"{request.method} is not allowed here; use {allowed}.", kind="405"
            )
            answer["Allow"] = allowed
            return answer
        return problem(request, status, TITLES.get(status, "Error"))

    return wrapper


def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(request, 404, f"There is no API operation at {request.path}.", kind="not-found")


def urls(api: NinjaAPI) -> tuple[list[Any], str, str]:
    """``api.urls`` with every error a problem document, an unknown path included."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _as_problem(pattern.callback)
    return [*patterns, re_path(r"^(?P<rest>.*)$", _unknown_path)], app_name, namespace


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
        (NotFound, lambda r, e: problem(r, 404, str(e), kind="not-found")),
        (OretraceError, _rejected),
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
        (DataError, _data_error),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
