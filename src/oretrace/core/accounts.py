"""Account security: the second factor (TOTP and backup codes) and the password-reset rate limit.

The writes of this module are services like those of ``core.services`` (which re-exports them);
the web pages and the middleware are thin. Security events go to the ``oretrace.accounts``
logger: a failed code, an enrolment, a disabled factor, a reset mail held back.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from oretrace.core.choices import Role
from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.models import Membership, PasswordResetRequest, User

logger = logging.getLogger("oretrace.accounts")

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator app"
BACKUP_DEVICE_NAME = "backup codes"


# --- who needs a second factor ---------------------------------------------------------------
def is_administrator(user: User) -> bool:
    """Staff (the admin site) or an administrator of any organisation the user is active in."""
    if user.is_staff or user.is_superuser:
        return True
    return any(
        Role.ADMIN in member.roles
        for member in Membership.objects.active().filter(user=user).only("roles")
    )


def requires_second_factor(user: User) -> bool:
    """True when this user must log in with a second factor (``ORETRACE_REQUIRE_2FA``)."""
    return bool(settings.ORETRACE_REQUIRE_2FA) and is_administrator(user)


def has_second_factor(user: User) -> bool:
    """True when the user has a confirmed authenticator app (backup codes alone do not count)."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())  # untyped otp


def has_any_device(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


# --- enrolment -------------------------------------------------------------------------------
@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed authenticator-app device with a fresh secret, replacing an earlier one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def pending_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def confirm_totp_enrolment(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code it shows; returns fresh backup codes (shown once).

    A confirmed app replaces any earlier one, so a person with a new phone enrols again.
    """
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("this enrolment does not belong to you or is already finished")
    if not device.verify_token(_digits(code)):
        logger.warning("second factor: wrong code while enrolling %s", user.email)
        raise OretraceError("that code is not the one the app shows now; try the next one")
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("second factor: %s enrolled an authenticator app", user.email)
    return _replace_backup_codes(user)


@transaction.atomic
def new_backup_codes(user: User, code: str) -> list[str]:
    """Replace the backup codes after checking a current code; returns the new ones."""
    if verify_second_factor(user, code) is None:
        raise OretraceError("that code is not valid; enter one from your app or a backup code")
    return _replace_backup_codes(user)


def _replace_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left  # django-otp's models are untyped


@transaction.atomic
def disable_second_factor(user: User, code: str) -> None:
    """Remove the app and the backup codes, after a current code; refused where it is required."""
    if requires_second_factor(user):
        raise PermissionDenied(
            "administrators must keep a second factor; enrol a new app to replace this one"
        )
    if verify_second_factor(user, code) is None:
        raise OretraceError("that code is not valid; enter one from your app or a backup code")
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    logger.info("second factor: %s removed their second factor", user.email)


def verify_second_factor(user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (an app's code or an unused backup code), or ``None``.

    django-otp slows down repeated failures per device (each failure doubles the wait).
    """
    code = code.strip().replace(" ", "").replace("-", "").lower()
    if not code or len(code) > 16:
        return None
    # An app's code is six digits; anything else can only be a backup code. Trying each code on
    # the device it can belong to keeps a backup code from counting as a failure of the app.
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(code):
                return device
    logger.warning("second factor: wrong code for %s", user.email)
    return None


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


# --- password-reset rate limit ---------------------------------------------------------------
def email_fingerprint(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@transaction.atomic
def allow_password_reset(email: str, *, address: str | None) -> bool:
    """Record a reset request; True when its mail may be sent.

    Within ``ORETRACE_PASSWORD_RESET_WINDOW_MINUTES``, one mail per account and
    ``ORETRACE_PASSWORD_RESET_PER_ADDRESS`` requests per address are let through. The caller
    answers the same either way, so that the page tells nobody whether an account exists.
    """
    now = timezone.now()
    window_start = now - timedelta(minutes=settings.ORETRACE_PASSWORD_RESET_WINDOW_MINUTES)
    PasswordResetRequest.objects.filter(requested_at__lt=now - timedelta(days=1)).delete()
    recent = PasswordResetRequest.objects.filter(requested_at__gte=window_start)
    fingerprint = email_fingerprint(email)
    account_mails = recent.filter(email_hash=fingerprint, sent=True).count()
    address_requests = recent.filter(address=address).count() if address else 0
    allowed = account_mails < 1 and address_requests < settings.ORETRACE_PASSWORD_RESET_PER_ADDRESS
    PasswordResetRequest.objects.create(
        requested_at=now, email_hash=fingerprint, address=address, sent=allowed
    )
    if not allowed:
        logger.warning(
            "password reset: mail held back (account mails in window %s, requests from %s: %s)",
            account_mails,
            address,
            address_requests,
        )
    return allowed
