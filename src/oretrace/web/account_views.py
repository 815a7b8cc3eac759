"""Account pages: log in (with the second factor), two-factor set-up, and rate-limited resets.

Thin: the rules live in ``core.accounts``; these views read forms and show results.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice

from oretrace.core import accounts
from oretrace.core.exceptions import OretraceError
from oretrace.core.requests import OretraceRequest, user_of
from oretrace.web.auth import client_address
from oretrace.web.forms import EmailAuthenticationForm, SecondFactorForm
from oretrace.web.sessions import ENDED
from oretrace.web.twofactor import ENROL, VERIFY

LOW_ON_BACKUP_CODES = 3


def trial_without_2fa() -> bool:
    """A site where nobody must use a second factor (a local trial, by default)."""
    return not settings.ORETRACE_REQUIRE_2FA


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Django's login, saying why the last session ended and whether 2FA is optional here."""

    template_name = "web/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_ended"] = self.request.session.pop(ENDED, None)
        context["trial_without_2fa"] = trial_without_2fa()
        context["sign_up_open"] = settings.ORETRACE_SIGNUP_OPEN
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        """Log in, and show the pages in the person's own language from now on (if set)."""
        response = super().form_valid(form)
        return with_language(response, form.get_user().language)


def with_language(response: HttpResponse, language: str) -> HttpResponse:
    """Make ``language`` the one the pages are shown in (Django's language cookie)."""
    if language and language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@never_cache
@login_required
def login_verify(request: OretraceRequest) -> HttpResponse:
    """The second step of a login: a code from the app, or a backup code."""
    if request.second_factor_pending != VERIFY:
        return HttpResponseRedirect(_next_url(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.verify_second_factor(user_of(request), form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            left = accounts.backup_codes_left(user_of(request))
            if isinstance(device, StaticDevice) and left < LOW_ON_BACKUP_CODES:
                messages.warning(
                    request,
                    ngettext(
                        "Only %(count)s backup code is left: make new ones on the Security page.",
                        "Only %(count)s backup codes are left: make new ones on the Security page.",
                        left,
                    )
                    % {"count": left},
                )
            return HttpResponseRedirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "That code is not valid. Enter the 6 digits your app shows now, or an unused "
                "backup code. After several wrong codes, wait a little before the next try."
            ),
        )
    return render(request, "web/login_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def two_factor(request: OretraceRequest) -> HttpResponse:
    """Set up, renew or turn off the second factor."""
    user = user_of(request)
    if request.second_factor_pending == VERIFY:
        return redirect("login_verify")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = SecondFactorForm(request.POST if action in {"confirm", "codes", "disable"} else None)
    backup_codes: list[str] | None = None
    try:
        if action == "start":
            accounts.start_totp_enrolment(user)
        elif action in {"confirm", "codes", "disable"} and form.is_valid():
            code = form.cleaned_data["code"]
            device = accounts.pending_totp_device(user)
            if action == "confirm" and device is None:
                form.add_error(None, _("Start the set-up again: no app is waiting for a code."))
            elif action == "confirm" and device is not None:
                backup_codes = accounts.confirm_totp_enrolment(user, device, code)
                django_otp.login(request, device)
                request.second_factor_pending = None
                messages.success(request, _("Your second factor is on."))
                form = SecondFactorForm()
            elif action == "codes":
                backup_codes = accounts.new_backup_codes(user, code)
                form = SecondFactorForm()
            else:
                accounts.disable_second_factor(user, code)
                messages.success(request, _("Your second factor is off."))
                return redirect("two_factor")
    except OretraceError as exc:
        form.add_error("code", _translated_refusal(str(exc)))
    return render(request, "web/two_factor.html", _two_factor_context(request, form, backup_codes))


def _translated_refusal(message: str) -> str:
    """The user-facing wording of the service's refusals (the services speak English)."""
    if message.startswith("administrators must keep"):
        return _(
            "Administrators must keep a second factor. To move to a new phone, set up the app "
            "again: the new one replaces the old."
        )
    return _("That code is not valid. Enter the 6 digits your app shows now, or a backup code.")


def _two_factor_context(
    request: OretraceRequest, form: SecondFactorForm, backup_codes: list[str] | None
) -> dict[str, Any]:
    user = user_of(request)
    enrolled = accounts.has_second_factor(user)
    device = accounts.pending_totp_device(user)
    qr = secret = None
    if device is not None:
        qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)
        secret = _spaced(device)
    return {
        "form": form,
        "enrolled": enrolled,
        "device": device,
        "qr": qr,
        "secret": secret,
        "backup_codes": backup_codes,
        "codes_left": accounts.backup_codes_left(user) if enrolled else 0,
        "required": accounts.requires_second_factor(user),
        "must_enrol": request.second_factor_pending == ENROL,
        "trial_without_2fa": trial_without_2fa(),
        "is_administrator": accounts.is_administrator(user),
    }


def _spaced(device: Any) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, sending at most one mail per account and window (same answer always)."""

    template_name = "web/password_reset.html"
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        if accounts.allow_password_reset(email, address=client_address(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the mailed link also lifts a lockout of the account."""

    template_name = "web/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        reset_login_failures(username=self.user.email.lower())  # type: ignore[union-attr]
        return response


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site's login is the site's login (throttled, with the second factor).

    Someone already logged in who is not staff is told so, rather than sent round in a loop.
    """
    if request.user.is_authenticated:
        return render(request, "web/admin_refused.html", status=403)
    target = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': target})}")
