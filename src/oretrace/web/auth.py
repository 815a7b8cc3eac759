"""Login throttling with django-axes: who is trying, from where, and what a locked-out person sees.

Axes records every failed login (``AccessAttempt`` counts them, ``AccessFailureLog`` keeps one row
per failure, both in the database so that every web node sees them) and refuses further attempts
per account and per address once ``ORETRACE_LOGIN_FAILURE_LIMIT`` is reached, for
``ORETRACE_LOGIN_COOLOFF_MINUTES``. The web login and the admin site (whose login is the web
login) go through Django's ``authenticate``, so both are covered; the API accepts only tokens.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger("oretrace.accounts")


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes has no types
    """Axes' check, for logins that come with a request.

    Every login from the network does (Django's login form and the admin pass theirs). A call
    without one comes from code running on the server (a shell, the test client's ``login``),
    where there is no address to count and nobody to throttle, so the check steps aside and the
    next backend decides.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return
        super().authenticate(request, username, password, **kwargs)  # raises when locked out
        return


def attempted_email(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt is counted against: the e-mail address, case folded.

    Without this, ``Alice@Example.org`` and ``alice@example.org`` would each get their own count.
    """
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None and request is not None and request.method == "POST":
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if isinstance(username, str) else None


def client_address(request: HttpRequest) -> str | None:
    """The address a request comes from.

    Behind a reverse proxy (``ORETRACE_BEHIND_PROXY``) every request arrives from the proxy, so
    the client is the address the proxy appended last to ``X-Forwarded-For``: earlier entries
    are whatever the client chose to send and cannot be trusted.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page shown instead of the login form while an account or address is locked out."""
    logger.warning(
        "login refused: too many failed attempts for %r from %s",
        attempted_email(request, credentials if isinstance(credentials, dict) else None),
        client_address(request),
    )
    return render(
        request,
        "web/locked_out.html",
        {
            "minutes": settings.ORETRACE_LOGIN_COOLOFF_MINUTES,
            "limit": settings.ORETRACE_LOGIN_FAILURE_LIMIT,
        },
        status=429,
    )
