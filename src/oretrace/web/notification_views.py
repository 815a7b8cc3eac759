"""Notification pages: the list under the bell, marking read, and a person's preferences.

Thin: reads come from ``core.queries``, writes from ``core.services.notifications``. A member
sees only their own notifications in the organisation they act for; another's is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Membership, Notification
from oretrace.core.notifications import render_message
from oretrace.core.queries import notifications_for
from oretrace.core.services import notifications as notices
from oretrace.core.tenancy import get_for_member
from oretrace.web.account_views import with_language
from oretrace.web.forms import PreferencesForm
from oretrace.web.views import member_required

PAGE_SIZE = 25


@member_required
def notifications(request: HttpRequest, member: Membership) -> HttpResponse:
    """The member's notifications, newest first, 25 a page; ``?unread=1`` the unread only."""
    unread_only = request.GET.get("unread") == "1"
    rows = notifications_for(member, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(n, render_message(n)) for n in page.object_list]
    return render(
        request,
        "web/notifications.html",
        {"page": page, "items": items, "unread_only": unread_only},
    )


@member_required
@require_POST
def notification_read(
    request: HttpRequest, member: Membership, notification_id: int
) -> HttpResponse:
    """Mark one notification read; with ``open`` go on to what it is about."""
    notification = get_for_member(Notification.objects.all(), member, pk=notification_id)
    notices.mark_read(notification, member=member)
    if request.POST.get("open") and notification.link:
        return HttpResponseRedirect(notification.link)
    return _back(request)


@member_required
@require_POST
def notifications_read_all(request: HttpRequest, member: Membership) -> HttpResponse:
    count = notices.mark_all_read(member)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked read.", "%(count)s notifications marked read.", count
        )
        % {"count": count},
    )
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(nxt)
    return redirect("web:notifications")


@member_required
def account(request: HttpRequest, member: Membership) -> HttpResponse:
    """The person's preferences: language and notification e-mails."""
    user = member.user
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language, "digest": user.digest}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = notices.set_preferences(
                user,
                language=form.cleaned_data["language"],
                digest=form.cleaned_data["digest"],
                actor=member,
            )
        except OretraceError as exc:
            form.add_error(None, str(exc))
        else:
            if user.language:
                translation.activate(user.language)
            messages.success(request, _("Your preferences are saved."))
            return with_language(redirect("web:account"), user.language)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/account.html",
        {"form": form, "notifications_url": reverse("web:notifications")},
        status=status,
    )
