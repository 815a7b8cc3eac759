"""The SMS gateways' webhooks, served by a Django handler of their own (ADR 0009).

A gateway posts hundreds of signed webhooks a second to ``/voice/<channel>/sms/<gateway>/``; no
person is behind them, so the session, authentication, CSRF, locale, two-factor, lockout,
membership, messages, CSP and htmx middleware of the site have nothing to do for them, and cost
more than the webhook's own work. ``wsgi.application`` hands these paths (and only these) to
``WebhookHandler``: Django's WSGI handler with ``WEBHOOK_MIDDLEWARE`` (security headers, host
check, bad input as 400, framing refused) and this module as its URLconf, which routes to the
same views as the site (``grievances.urls.sms_webhook_urlpatterns``: the same adapters,
signature checks and inbox). A body over ``MAX_BODY`` is refused from its ``Content-Length``
before it is read. Answers are JSON, errors included: a gateway reads no HTML page.

``ORETRACE_SMS_WEBHOOK_HANDLER=full`` serves them through the site's own handler instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from oretrace.grievances.urls import sms_webhook_urlpatterns

# The middleware a webhook goes through, outermost first: each of the site's that still has work
# to do for a machine's signed POST.
WEBHOOK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",  # HTTPS redirect, HSTS, nosniff, COOP
    "oretrace.webhooks.WebhookOnly",  # these URLs only, bodies up to MAX_BODY
    "django.middleware.common.CommonMiddleware",  # ALLOWED_HOSTS, refused user agents
    "oretrace.web.middleware.BadInputMiddleware",  # a value the database refuses: 400
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The largest webhook body taken (the adapters refuse larger ones too, once read).
MAX_BODY = 64 * 1024
# The paths this handler serves: a channel's slug, then a gateway's name.
PATH = re.compile(r"/voice/[-a-zA-Z0-9_]+/sms/[a-z]+/\Z")

urlpatterns = [path("voice/", include((sms_webhook_urlpatterns, "voice")))]


def is_webhook(path_info: str) -> bool:
    """Whether a request's path is an SMS gateway's webhook."""
    return PATH.match(path_info) is not None


def _answer(status: int, detail: str) -> HttpResponse:
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(400, "the request could not be understood")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(403, "forbidden")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(404, "no webhook at this address, or SMS intake is not configured")


def server_error(request: HttpRequest) -> HttpResponse:
    return _answer(500, "server error")


handler400 = bad_request
handler403 = forbidden
handler404 = not_found
handler500 = server_error


class WebhookHandler(WSGIHandler):
    """Django's WSGI handler with ``WEBHOOK_MIDDLEWARE`` and this module's URLs."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE: give it ours while it does (once,
        # when the worker loads, before any request), then put the site's back.
        site = settings.MIDDLEWARE
        settings.MIDDLEWARE = WEBHOOK_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = site


class WebhookOnly:
    """This module's URLs, nothing else; a body over ``MAX_BODY`` refused before it is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = __name__  # Django resolves the request with it
        if not is_webhook(request.path_info):
            return not_found(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request)
        if length > MAX_BODY:
            return _answer(413, f"the body is over {MAX_BODY // 1024} KB")
        _no_health_check()
        return self.get_response(request)


def _no_health_check() -> None:
    """Skip Django's per-request check of a kept database connection (a ``SELECT 1`` round
    trip, a fifth of a webhook's time in the database). A webhook that meets a broken
    connection fails unanswered (500), which the gateway retries, and Django drops that
    connection after the error; the site's pages keep the check."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            connection.health_check_done = True  # type: ignore[attr-defined]  # not in the stubs


def dispatching(site: Any, webhooks: Any) -> Any:
    """A WSGI application that hands the webhooks' paths to ``webhooks``, the rest to ``site``."""

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        if is_webhook(str(environ.get("PATH_INFO") or "")):
            return webhooks(environ, start_response)
        return site(environ, start_response)

    return application
