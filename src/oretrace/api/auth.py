"""API authentication: personal bearer tokens, or the web session with its CSRF check.

Both resolve to a ``Membership``: ``request.auth`` is the acting member for every route.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from oretrace.core.models import Membership
from oretrace.core.services import authenticate_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ot_…``; an unknown, revoked or expired token says which."""

    openapi_description = "A personal API token, created on the 'API tokens' page."

    def authenticate(self, request: HttpRequest, token: str) -> Membership:
        member = authenticate_token(token)
        request.member = member  # type: ignore[attr-defined]
        return member


class SessionMemberAuth(APIKeyCookie):
    """The logged-in web session, acting as the organisation chosen in the switcher."""

    param_name = "sessionid"
    openapi_description = "The web session cookie (browser use; needs the CSRF token)."

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Membership | None:
        member = getattr(request, "member", None)
        if getattr(request, "second_factor_pending", None):
            return None  # logged in with the password only: the code is still owed
        if request.user.is_authenticated and member is not None:
            return member
        return None


AUTH = [TokenAuth(), SessionMemberAuth()]
