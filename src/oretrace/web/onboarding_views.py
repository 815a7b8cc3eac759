"""Onboarding pages: sign-up, invitation links, and the operator's organisation pages.

Thin: the rules live in ``core.services.onboarding``; reads of the operator pages in
``core.queries``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.models import Invitation, Membership, Organisation, User
from oretrace.core.permissions import can_manage_organisation
from oretrace.core.queries import operator_organisations as organisations_for_operator
from oretrace.core.requests import user_of
from oretrace.core.services import onboarding
from oretrace.core.tenancy import get_for_member
from oretrace.web.auth import client_address
from oretrace.web.exports import Column, ListExport
from oretrace.web.forms import AcceptInvitationForm, OrganisationInviteForm, SignUpForm
from oretrace.web.views import attempt, errors_as_messages, member_required, requires


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; anyone but the platform's operator (a staff user) gets 403 and why."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            reason = _("Only the platform's operator (a staff user) may open this page.")
            return render(request, "web/refused.html", {"reason": reason}, status=403)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "web/refused.html", {"reason": str(exc)}, status=403)

    return wrapper


# --- sign-up ---------------------------------------------------------------------------------
@never_cache
def sign_up(request: HttpRequest) -> HttpResponse:
    """The public sign-up form; the organisation then waits for the operator's approval."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            onboarding.sign_up(
                legal_name=data["legal_name"],
                country=data["country"],
                kind=data["kind"],
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
                language=get_language() or "",
                address=client_address(request),
            )
        except OretraceError as exc:
            form.add_error(_field_of(str(exc)), str(exc))
        else:
            return redirect("sign_up_done")
    status = 200 if request.method != "POST" or not form.errors else 400
    return render(request, "web/sign_up.html", {"form": form}, status=status)


def _field_of(message: str) -> str | None:
    """The form field a service's message names ('password: …'), or None for the whole form."""
    prefixes = {
        "organisation name:": "legal_name",
        "e-mail address:": "email",
        "password:": "password",
        "name:": "full_name",
        "kind:": "kind",
    }
    for prefix, field in prefixes.items():
        if message.startswith(prefix):
            return field
    return None


def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sign_up_done.html")


# --- invitations -----------------------------------------------------------------------------
@never_cache
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """An invitation link: set a name and password (a new person), or join (logged in)."""
    try:
        invite = onboarding.invitation_for(secret)
    except OretraceError as exc:
        return render(request, "web/invitation_invalid.html", {"reason": str(exc)}, status=404)
    user = user_of(request) if request.user.is_authenticated else None
    has_account = user is not None or User.objects.filter(email=invite.email).exists()
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invite.full_name})
    if request.method == "POST":
        try:
            if user is not None:
                onboarding.accept_invitation(secret, user=user)
            elif has_account:
                raise OretraceError(
                    _("%(email)s already has an account: log in with it, then open the link.")
                    % {"email": invite.email}
                )
            elif form.is_valid():
                onboarding.accept_invitation(
                    secret,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password"],
                )
            else:
                raise OretraceError("")
        except OretraceError as exc:
            if str(exc):
                form.add_error(_field_of(str(exc)), str(exc))
        else:
            messages.success(
                request,
                _("You joined %(org)s.") % {"org": invite.organisation},
            )
            return redirect("web:dashboard" if user is not None else "login")
    return render(
        request,
        "web/invitation.html",
        {"invitation": invite, "form": form, "has_account": has_account, "user_here": user},
        status=400 if form.errors else 200,
    )


@member_required
@require_POST
@requires(can_manage_organisation)
def invitation_revoke(request: HttpRequest, member: Membership, invitation_id: int) -> HttpResponse:
    invite = get_for_member(Invitation.objects.all(), member, pk=invitation_id)
    with errors_as_messages(request):
        onboarding.revoke_invitation(invite, actor=member)
        messages.success(
            request, _("The invitation of %(email)s is withdrawn.") % {"email": invite.email}
        )
    return redirect("web:organisation")


# --- the operator's pages --------------------------------------------------------------------
@operator_required
def operator_organisations(request: HttpRequest) -> HttpResponse:
    """Organisations (pending first) with their member counts; approve, reject, invite."""
    state = request.GET.get("state", "")
    form = OrganisationInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with attempt(lambda error: form.add_error(_field_of(error), error)):
            org, _invite = onboarding.invite_organisation(
                legal_name=data["legal_name"],
                country=data["country"],
                kind=data["kind"],
                email=data["email"],
                full_name=data["full_name"],
                operator=user_of(request),
                language=get_language() or "",
            )
            messages.success(
                request,
                _("%(org)s is registered; an e-mail invites %(email)s as its administrator.")
                % {"org": org, "email": data["email"]},
            )
            return redirect("web:operator_organisations")
    found = organisations_for_operator(state)
    if request.method == "GET" and (download := ORGANISATIONS_EXPORT.response(request, found)):
        return download
    return render(
        request,
        "web/operator_organisations.html",
        {
            "organisations": found,
            "state": state,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


ORGANISATIONS_EXPORT = ListExport(
    "organisations",
    (
        Column(gettext_lazy("Organisation"), lambda o: o.legal_name),
        Column(gettext_lazy("Country"), lambda o: o.country_id),
        Column(gettext_lazy("Kind"), lambda o: o.get_kind_display()),
        Column(gettext_lazy("Signed up"), lambda o: o.created_at),
        Column(gettext_lazy("Members"), lambda o: o.member_count),
        Column(gettext_lazy("Sign-up"), lambda o: o.get_approval_display()),
    ),
)


@operator_required
@require_POST
def operator_decide(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=organisation_id)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "reject"}:
        messages.error(request, _("Choose to approve or to reject."))
        return redirect("web:operator_organisations")
    with errors_as_messages(request):
        if decision == "approve":
            onboarding.approve_organisation(org, operator=user_of(request))
            messages.success(request, _("%(org)s is approved.") % {"org": org})
        else:
            onboarding.reject_organisation(org, operator=user_of(request))
            messages.success(request, _("The sign-up of %(org)s is rejected.") % {"org": org})
    return redirect("web:operator_organisations")
