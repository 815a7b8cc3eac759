"""Idle and absolute session timeouts (OWASP ASVS 3.3).

Django's session lasts ``SESSION_COOKIE_AGE`` from its last save, whatever the user does. This
middleware ends a logged-in session after ``ORETRACE_SESSION_IDLE_MINUTES`` without a request and
``ORETRACE_SESSION_MAX_HOURS`` after its login, whichever comes first. Times are kept in the
session itself (so every web node agrees), and the last-seen time is written at most once a
minute, so that reading pages does not turn every request into a session write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "oretrace_login_at"
SEEN_AT = "oretrace_seen_at"
ENDED = "oretrace_session_ended"  # why the last session ended: "idle" or "absolute"
SEEN_RESOLUTION = 60  # seconds


def now() -> float:
    """The clock the timeouts read (tests move it)."""
    return time.time()


@receiver(user_logged_in, dispatch_uid="oretrace-session-start")
def _start(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        moment = now()
        request.session[LOGIN_AT] = moment
        request.session[SEEN_AT] = moment


def expiry_reason(session: Mapping[str, Any], moment: float) -> str | None:
    """``"idle"`` or ``"absolute"`` when a session with these times has run out, else ``None``."""
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT, login_at)
    if login_at is None or seen_at is None:
        return None
    if moment - float(login_at) > settings.ORETRACE_SESSION_MAX_HOURS * 3600:
        return "absolute"
    if moment - float(seen_at) > settings.ORETRACE_SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Log out a session that has been idle too long, or has lasted too long since its login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/static/") and request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        session = request.session
        moment = now()
        if LOGIN_AT not in session:  # a session from before timeouts existed: starts now
            session[LOGIN_AT] = moment
            session[SEEN_AT] = moment
            return
        reason = expiry_reason(session, moment)
        if reason is not None:
            logout(request)
            request.session[ENDED] = reason  # the login page says why
            return
        if moment - float(session.get(SEEN_AT, 0)) >= SEEN_RESOLUTION:
            session[SEEN_AT] = moment
