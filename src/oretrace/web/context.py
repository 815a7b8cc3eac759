"""Template context every page of the shell gets: the acting member, the switcher, navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace import __version__
from oretrace.core.requests import user_of

# (url name, label). Only modules that exist appear: later apps add their entries here.
NAVIGATION = [
    ("web:dashboard", _("Dashboard")),
    ("web:organisation", _("Organisation")),
    ("registry:facilities", _("Facilities")),
    ("declarations:list", _("Declarations")),
    ("assessments:list", _("Assessments")),
    ("audits:list", _("Audits")),
    ("traceability:events", _("Custody")),
    ("risk:editions", _("Risk data")),
    ("risk:register", _("Risk register")),
    ("grievances:cases", _("Grievances")),
    ("programmes:programmes", _("Programmes")),
    ("ledger:ledger", _("Ledger")),
    ("web:jobs", _("Jobs")),
    ("web:reference", _("Reference data")),
    ("web:tokens", _("API tokens")),
]


# Entries that cover only some pages of their app (the app's other entry covers the rest).
NAV_PAGES = {
    "risk:register": {
        "risk:register",
        "risk:register_new",
        "risk:entry",
        "risk:plan_new",
        "risk:plans",
        "risk:plan",
        "risk:map",
    },
}


def _is_current(entry: str, view_name: str) -> bool:
    """The shell's own pages match by name; another app's entry covers all its pages (but
    those an entry of ``NAV_PAGES`` covers)."""
    if entry in NAV_PAGES:
        return view_name in NAV_PAGES[entry]
    namespace = entry.partition(":")[0]
    if namespace != "web":
        claimed = any(view_name in pages for pages in NAV_PAGES.values())
        return view_name.partition(":")[0] == namespace and not claimed
    return view_name == entry or view_name.startswith(entry + "_")


def nav_pending(request: HttpRequest) -> bool:
    return bool(getattr(request, "second_factor_pending", None))


def shell(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "member", None)
    if getattr(request, "second_factor_pending", None):
        member = None  # no navigation until the second factor is given
    nav = []
    if member is not None:
        current = request.resolver_match.view_name if request.resolver_match else ""
        nav = [
            {
                "url": reverse(name),
                "label": label,
                "current": _is_current(name, current),
            }
            for name, label in NAVIGATION
        ]
    if request.user.is_authenticated and request.user.is_staff and not nav_pending(request):
        current = request.resolver_match.view_name if request.resolver_match else ""
        nav.append(
            {
                "url": reverse("web:operator_organisations"),
                "label": _("Operator"),
                "current": current.startswith("web:operator_"),
            }
        )
    switcher = []
    unread = 0
    if member is not None:
        from oretrace.core.queries import unread_notification_count
        from oretrace.web.middleware import memberships_of

        switcher = memberships_of(user_of(request))
        unread = unread_notification_count(member)
    return {
        "member": member,
        "navigation": nav,
        "switcher": switcher,
        "unread_notifications": unread,
        "oretrace_version": __version__,
    }
