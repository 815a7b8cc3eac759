"""The second factor comes first: a logged-in session without its code sees nothing else.

After the password, a user with an authenticator app is sent to ``login_verify`` for a code;
a user who must have one (staff and organisation administrators while ``ORETRACE_REQUIRE_2FA``
is on) and has none is sent to enrolment. Until then every page, the admin site included,
redirects there, and the API refuses the session (``request.second_factor_pending``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from oretrace.core.accounts import has_second_factor, requires_second_factor
from oretrace.core.requests import OretraceRequest

VERIFY = "verify"
ENROL = "enrol"


def pending_step(user: object) -> str | None:
    """``"verify"``, ``"enrol"`` or ``None`` for a logged-in user (``request.user``)."""
    if user.is_verified():  # type: ignore[attr-defined]
        return None
    if has_second_factor(user):  # type: ignore[arg-type]
        return VERIFY
    if requires_second_factor(user):  # type: ignore[arg-type]
        return ENROL
    return None


class SecondFactorMiddleware:
    """Send a session that still owes its second factor to the one page that takes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: dict[str, tuple[str, ...]] | None = None

    def _open_paths(self) -> dict[str, tuple[str, ...]]:
        """Paths a pending session may still reach, per step (resolved once)."""
        if self._open is None:
            always = (
                "/static/",
                "/i18n/",
                "/api/",  # the API answers for itself: see api.auth.SessionMemberAuth
                reverse("logout"),
            )
            self._open = {
                VERIFY: (*always, reverse("login_verify")),
                ENROL: (*always, reverse("two_factor")),
            }
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        typed = cast(OretraceRequest, request)  # this middleware makes it one
        typed.second_factor_pending = None
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            step = pending_step(request.user)
            typed.second_factor_pending = step
            if step is not None and not request.path.startswith(self._open_paths()[step]):
                target = reverse("login_verify" if step == VERIFY else "two_factor")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)
