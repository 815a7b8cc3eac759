"""E-mails the core sends. Called after commit, so a rolled-back change sends nothing.

Notifications (``core.services.notifications``) are mailed here too: each one at once, or
gathered in a daily or weekly digest, as the recipient chose; always in the recipient's
language, as plain text with an HTML alternative. ``run_tick`` is the worker's periodic pass:
due digests, then the daily checks (``core.periodic``) once a day.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext

from oretrace.core.choices import Digest
from oretrace.core.models import Notification, Organisation, PeriodicRun, User

logger = logging.getLogger("oretrace.notifications")


def send_invitation(user_id: int, organisation_id: int, *, invited_by: str) -> None:
    """Tell a person they were added to an organisation; a new login gets a set-password link."""
    user = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    link = None
    if not user.has_usable_password():
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        link = settings.ORETRACE_BASE_URL + path
    context = {
        "user": user,
        "organisation": organisation,
        "invited_by": invited_by,
        "link": link,
        "login_url": settings.ORETRACE_BASE_URL + reverse("login"),
    }
    send_mail(
        subject=render_to_string("web/email/invitation_subject.txt", context).strip(),
        message=render_to_string("web/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def _mail(template: str, context: dict, *, to: list[str], language: str) -> None:
    """Render ``web/email/<template>.txt`` and its subject in ``language`` and send it."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"web/email/{template}_subject.txt", context).strip()
        message = render_to_string(f"web/email/{template}.txt", context)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=to)


def send_invitation_link(invitation_id: int, secret: str) -> None:
    """Mail an invitation's single-use link, in the language it was made in."""
    from oretrace.core.models import Invitation

    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if not invitation.is_pending:
        return  # withdrawn or replaced before the worker got to it
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "invited_by": str(invitation.invited_by) if invitation.invited_by else "",
        "link": settings.ORETRACE_BASE_URL + reverse("invitation", kwargs={"secret": secret}),
    }
    _mail("join", context, to=[invitation.email], language=invitation.language)


def send_sign_up_decision(organisation_id: int) -> None:
    """Tell a signed-up organisation's first administrator the operator's decision."""
    from oretrace.core.queries import first_administrator

    organisation = Organisation.objects.get(pk=organisation_id)
    admin = first_administrator(organisation)
    if admin is None:
        return
    context = {
        "organisation": organisation,
        "approved": organisation.is_active,
        "user": admin,
        "login_url": settings.ORETRACE_BASE_URL + reverse("login"),
    }
    _mail("sign_up_decision", context, to=[admin.email], language=organisation.language)


def notify_operators(organisation_id: int) -> None:
    """Tell the platform's operators (active staff users) that a sign-up waits for them."""
    organisation = Organisation.objects.get(pk=organisation_id)
    operators = list(
        User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    )
    if not operators:
        return
    context = {
        "organisation": organisation,
        "url": settings.ORETRACE_BASE_URL + reverse("web:operator_organisations"),
    }
    _mail("sign_up_waiting", context, to=operators, language=settings.LANGUAGE_CODE)


# --- notifications -------------------------------------------------------------------------------
def render_message(notification: Notification) -> str:
    """The notification's text in the active language, its values put in."""
    values = dict(notification.values or {})
    if notification.message_plural:
        count = values.get("count", 0)
        number = count if isinstance(count, int) else 0
        text = ngettext(notification.message, notification.message_plural, number)
    else:
        text = gettext(notification.message)
    if not values:
        return text
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        # A translation that lost a placeholder: the English text is better than nothing.
        try:
            return notification.message % values
        except (KeyError, ValueError, TypeError):
            return notification.message


def _item(notification: Notification) -> dict[str, Any]:
    return {
        "text": render_message(notification),
        "kind": notification.get_kind_display(),
        "organisation": str(notification.organisation),
        "url": settings.ORETRACE_BASE_URL + notification.link if notification.link else "",
        "created_at": notification.created_at,
    }


def _mail_with_html(template: str, build: Any, *, to: str, language: str) -> None:
    """Render ``web/email/<template>`` (subject, text and HTML) in ``language`` and send it;
    ``build`` makes the context inside the language, so messages in it are translated."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = build()
        subject = render_to_string(f"web/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"web/email/{template}.txt", context)
        html = render_to_string(f"web/email/{template}.html", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=text,
        from_email=None,
        recipient_list=[to],
        html_message=html,
    )


def _settings_url() -> str:
    return settings.ORETRACE_BASE_URL + reverse("web:account")


def send_notification_email(notification_id: int) -> bool:
    """Mail one notification to its recipient, unless a digest or an earlier e-mail took it,
    or the person no longer wants each one at once. True when it was sent."""
    from oretrace.core.services.notifications import claim_for_email

    notification = (
        Notification.objects.select_related("recipient", "organisation")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return False
    user = notification.recipient
    if not user.is_active or user.digest != Digest.IMMEDIATE:
        return False  # a digest takes it (or nobody, in the app only)
    if not claim_for_email([notification.pk]):
        return False
    _mail_with_html(
        "notification",
        lambda: {
            "user": user,
            "item": _item(notification),
            "settings_url": _settings_url(),
            "all_url": settings.ORETRACE_BASE_URL + reverse("web:notifications"),
        },
        to=user.email,
        language=user.language,
    )
    return True


PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}


def _slack() -> timedelta:
    """A tick may come a little early: what is due within one tick's interval is due now."""
    return timedelta(seconds=settings.ORETRACE_NOTIFICATION_TICK_SECONDS)


def send_digest(user_id: int, *, now: datetime | None = None) -> int:
    """Mail a person's digest if it is due: what came since the last one, unread and not yet
    mailed. Returns the number of notifications it held (0: nothing sent)."""
    from oretrace.core.services.notifications import claim_for_email

    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        period = PERIODS.get(Digest(user.digest)) if user.digest in PERIODS else None
        if period is None or not user.is_active:
            return 0
        if user.last_digest_at is not None and now - user.last_digest_at < period - _slack():
            return 0
        pending = Notification.objects.filter(
            recipient=user, emailed_at__isnull=True, read_at__isnull=True, created_at__lte=now
        )
        if user.last_digest_at is not None:
            pending = pending.filter(created_at__gt=user.last_digest_at)
        taken = claim_for_email(list(pending.values_list("pk", flat=True)), now=now)
        User.objects.filter(pk=user.pk).update(last_digest_at=now)
    if not taken:
        return 0
    rows = list(
        Notification.objects.filter(pk__in=taken)
        .select_related("organisation")
        .order_by("organisation__legal_name", "created_at")
    )
    _mail_with_html(
        "digest",
        lambda: {
            "user": user,
            "items": [_item(n) for n in rows],
            "count": len(rows),
            "weekly": user.digest == Digest.WEEKLY,
            "settings_url": _settings_url(),
            "all_url": settings.ORETRACE_BASE_URL + reverse("web:notifications"),
        },
        to=user.email,
        language=user.language,
    )
    return len(rows)


def send_due_digests(now: datetime | None = None) -> int:
    """Mail every digest that is due; the number of digests sent."""
    now = now or timezone.now()
    sent = 0
    users = User.objects.filter(is_active=True, digest__in=list(PERIODS)).values_list(
        "pk", flat=True
    )
    for user_id in users:
        try:
            sent += bool(send_digest(user_id, now=now))
        except Exception:  # one bad address must not hold back everyone's digest
            logger.exception("digest of user %s failed", user_id)
    return sent


DAILY = "daily-checks"


def _daily_checks_due(now: datetime) -> bool:
    """True (and noted) when the daily checks last ran a day ago or never."""
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().filter(name=DAILY).first()
        if run is not None and now - run.last_run_at < timedelta(days=1) - _slack():
            return False
        PeriodicRun.objects.update_or_create(name=DAILY, defaults={"last_run_at": now})
    return True


def run_tick(now: datetime | None = None) -> dict[str, Any]:
    """One periodic pass: the due digests, and the daily checks when a day has passed."""
    from oretrace.core.periodic import run_daily_checks

    now = now or timezone.now()
    digests = send_due_digests(now)
    checks = run_daily_checks(now) if _daily_checks_due(now) else {}
    if digests or checks:
        logger.info("notifications: %s digest(s) sent; daily checks %s", digests, checks)
    return {"digests": digests, "checks": checks}
