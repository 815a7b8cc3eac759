"""E-mails the core sends. Called after commit, so a rolled-back change sends nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from oretrace.core.models import Organisation, User


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
