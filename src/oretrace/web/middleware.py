"""Resolve the acting membership (the organisation chosen in the switcher) for each request;
answer a value the database cannot take as the request's fault."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership, User
from oretrace.core.requests import OretraceRequest, user_of

logger = logging.getLogger("oretrace.web")

SESSION_KEY = "oretrace_membership_id"


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "user")
        .order_by("organisation__legal_name")
    )


class CurrentMembershipMiddleware:
    """Set ``request.member`` to the logged-in user's current membership (or ``None``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        typed = cast(OretraceRequest, request)  # this middleware makes it one
        typed.member = None
        if not request.path.startswith("/static/") and request.user.is_authenticated:
            typed.member = self._resolve(request)
        return self.get_response(request)

    @staticmethod
    def _resolve(request: HttpRequest) -> Membership | None:
        chosen = request.session.get(SESSION_KEY)
        base = (
            Membership.objects.active()
            .filter(user=user_of(request))
            .select_related("organisation", "user")
        )
        member = base.filter(pk=chosen).first() if chosen else None
        if member is None:
            member = base.order_by("organisation__legal_name").first()
            if member is not None:
                request.session[SESSION_KEY] = member.pk
        return member


class BadInputMiddleware:
    """A value the database cannot store or compare is bad input: 400 naming it, never a 500;
    and a read that finds nothing the member may see is a 404.

    PostgreSQL refuses a NUL character in text and numbers out of a column's range, in a search
    as in a write, wherever a form or query string carries them; SQLite takes them. One place
    answers them all (the API the same way, as a problem document, in ``api.errors``). The page
    is built without the database: the failed statement may have ended the transaction.

    A view reads with the app's query (``queries.case_for(member, pk)``) and lets its
    ``NotFound`` go: this is the one place a page turns it into the 404 page, as ``api.errors``
    does for the API. A read inside ``web.views.attempt`` would be shown as a message instead:
    read first, then write in the block.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            # A service or query found nothing the member may see: the page is a 404.
            raise Http404(str(exception)) from exception
        if not isinstance(exception, DataError):
            return None
        logger.warning("refused a value on %s %s: %s", request.method, request.path, exception)
        message = _("The request holds a value that cannot be stored or searched for: %(why)s") % {
            "why": str(exception).strip().splitlines()[0] if str(exception).strip() else "?"
        }
        return HttpResponse(
            f"<!doctype html><title>400</title><h1>400</h1><p>{escape(message)}</p>",
            status=400,
            content_type="text/html; charset=utf-8",
        )


class RequestLimitMiddleware:
    """Refuse a request whose body is over the limits before any of it is read.

    A body with files may be ``ORETRACE_UPLOAD_MAX_MB``, any other ``ORETRACE_BODY_MAX_KB``
    (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``): larger, the answer is 413 — a problem document
    on the API, a page on the web. A JSON body on the API nested deeper than
    ``ORETRACE_JSON_MAX_DEPTH`` is refused with a 400 problem naming the depth before any
    parser recurses into it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from oretrace.core import bounds, uploads

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return _refusal(request, 400, "bad-length", _("the Content-Length header is invalid"))
        files = (request.content_type or "").startswith("multipart/")
        limit = uploads.request_limit() if files else uploads.body_limit()
        if length > limit:
            return _too_large(request, limit)
        if length and _is_api(request) and "json" in (request.content_type or ""):
            try:
                bounds.check_json_depth(request.body, what=_("the request body"))
            except bounds.InputRefused as exc:
                return _refusal(request, 400, exc.code, str(exc))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import RequestDataTooBig

        from oretrace.core import uploads

        if isinstance(exception, RequestDataTooBig):
            files = (request.content_type or "").startswith("multipart/")
            return _too_large(request, uploads.request_limit() if files else uploads.body_limit())
        return None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    from oretrace.core.uploads import _size_text

    detail = _("the request is larger than %(limit)s, the limit of this site") % {
        "limit": _size_text(limit)
    }
    return _refusal(request, 413, "request-too-large", detail)


def _refusal(request: HttpRequest, status: int, kind: str, detail: str) -> HttpResponse:
    if _is_api(request):
        from oretrace.core.problems import problem

        return problem(request, status, detail, kind=kind)
    from django.shortcuts import render

    context = {"status": status, "detail": detail}
    return render(request, "web/too_large.html", context, status=status)
