"""E-mails the core sends. Called after commit, so a rolled-back change sends nothing.

Notifications are written here too (``mail_notification``, ``mail_digest``): always in the
recipient's language, as plain text with an HTML alternative. Which rows go, and when, is
decided in ``core.services.notifications``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext

from oretrace.core.choices import Digest
from oretrace.core.models import Notification, Organisation, User

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


def _mail(template: str, context: dict[str, Any], *, to: list[str], language: str) -> None:
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


def mail_notification(notification: Notification) -> None:
    """Mail one notification to its recipient, in their language (text and HTML)."""
    user = notification.recipient
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


def mail_digest(user: User, rows: list[Notification]) -> None:
    """Mail a digest of ``rows`` to ``user``, grouped by organisation, in their language."""
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
