"""Resolve the acting membership (the organisation chosen in the switcher) for each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from oretrace.core.models import Membership

SESSION_KEY = "oretrace_membership_id"


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
