"""The request as oretrace's middleware and API authentication leave it, typed once.

Django's ``HttpRequest`` knows nothing of what the middleware adds: the acting membership
(``web.middleware.CurrentMembershipMiddleware``; an API token sets it too, ``api.auth``), the
second factor still owed (``web.twofactor``) and htmx's details (``django_htmx``). Views and
API handlers annotate their request with one of the two classes below instead of reaching
for those attributes through ``getattr`` or ``type: ignore``:

- ``OretraceRequest``: any request past the middleware; ``member`` may be ``None``.
- ``AuthenticatedRequest``: a request with an acting member, i.e. a view under
  ``web.views.member_required`` or an API route behind ``api.auth.AUTH``; ``member`` and
  django-ninja's ``auth`` are that membership.

These classes are never instantiated: they describe the ``HttpRequest`` Django passes in. Only
the middleware that sets the attributes turns a plain ``HttpRequest`` into one (``cast``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from oretrace.core.models import Membership, User


class OretraceRequest(HttpRequest):
    """Any request past oretrace's middleware."""

    member: Membership | None
    """The logged-in user's membership in the organisation chosen in the switcher."""
    second_factor_pending: str | None
    """``"verify"`` or ``"enrol"`` while a logged-in session still owes its second factor."""
    htmx: HtmxDetails


class AuthenticatedRequest(OretraceRequest):
    """A request acting as a member: behind ``member_required`` or the API's authentication."""

    member: Membership
    auth: Membership
    """django-ninja's name for what ``api.auth`` resolved: the same membership as ``member``."""


def user_of(request: HttpRequest) -> User:
    """The logged-in user of a request behind ``login_required`` (or ``member_required``).

    ``request.user`` is typed as a user or the anonymous one; behind the login check it is
    always a ``User``, and this says so once instead of at every call. An anonymous request
    that reaches it anyway is refused, never served as somebody.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("log in first")
    return user
