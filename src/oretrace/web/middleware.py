"""Resolve the acting membership (the organisation chosen in the switcher) for each request;
answer a value the database cannot take as the request's fault."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from oretrace.core.models import Membership

SESSION_KEY = "oretrace_membership_id"
logger = logging.getLogger("oretrace.web")


def memberships_of(user: object) -> list[Membership]:
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
        request.member = None  # type: ignore[attr-defined]
        if not request.path.startswith("/static/") and request.user.is_authenticated:
            request.member = self._resolve(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _resolve(request: HttpRequest) -> Membership | None:
        chosen = request.session.get(SESSION_KEY)
        base = (
            Membership.objects.active()
            .filter(user=request.user)
            .select_related("organisation", "user")
        )
        member = base.filter(pk=chosen).first() if chosen else None
        if member is None:
            member = base.order_by("organisation__legal_name").first()
            if member is not None:
                request.session[SESSION_KEY] = member.pk
        return member


class BadInputMiddleware:
    """A value the database cannot store or compare is bad input: 400 naming it, never a 500.

    PostgreSQL refuses a NUL character in text and numbers out of a column's range, in a search
    as in a write, wherever a form or query string carries them; SQLite takes them. One place
    answers them all (the API the same way, as a problem document, in ``api.errors``). The page
    is built without the database: the failed statement may have ended the transaction.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
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
