"""API authentication: personal bearer tokens, or the web session with its CSRF check.

Both resolve to a ``Membership``: ``request.auth`` (and ``request.member``) is the acting member
for every route, which handlers read through ``core.requests.AuthenticatedRequest``.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from oretrace.core.models import Membership
from oretrace.core.requests import OretraceRequest
from oretrace.core.services import authenticate_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ot_…``; an unknown, revoked or expired token says which."""

    openapi_description = "A personal API token, created on the 'API tokens' page."

    def authenticate(self, request: HttpRequest, token: str) -> Membership:
        member = authenticate_token(token)
        cast(OretraceRequest, request).member = member  # the token's member acts, not the session's
        return member


class SessionMemberAuth(APIKeyCookie):
    """The logged-in web session, acting as the organisation chosen in the switcher."""

    param_name = "sessionid"
    openapi_description = "The web session cookie (browser use; needs the CSRF token)."

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Membership | None:
        typed = cast(OretraceRequest, request)  # past the web middleware
        if typed.second_factor_pending:
            return None  # logged in with the password only: the code is still owed
        if request.user.is_authenticated and typed.member is not None:
            return typed.member
        return None


AUTH = [TokenAuth(), SessionMemberAuth()]
