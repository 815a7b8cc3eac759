"""A campaign opened the way a member opens one (the service, its e-mails sent), and the token
of the upload link each supplier was mailed: for tests that answer through a link."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.utils import timezone

from oretrace.core.models import Membership
from oretrace.declarations import services
from oretrace.declarations.models import Campaign, Supplier

LINK_TOKEN = re.compile(r"/respond/([A-Za-z0-9_-]+)/")


def open_campaign(
    member: Membership,
    suppliers: Iterable[Supplier],
    *,
    on_commit: Callable[..., Any],
    mailoutbox: list[EmailMessage],
    message: str = "",
) -> tuple[Campaign, dict[str, str]]:
    """A CMRT 2024 campaign of ``member``'s organisation asking ``suppliers``, due in 30 days;
    with ``{e-mail address: token}`` read from the mails sent (``on_commit`` is pytest-django's
    ``django_capture_on_commit_callbacks``: the mails go once the campaign is committed)."""
    with on_commit(execute=True):
        campaign = services.create_campaign(
            actor=member,
            name="CMRT 2024",
            family="CMRT",
            reporting_year=2024,
            due_date=timezone.now().date() + timedelta(days=30),
            message=message,
            suppliers=list(suppliers),
        )
    tokens = {}
    for mail in mailoutbox:
        (token,) = LINK_TOKEN.findall(str(mail.body))
        tokens[mail.to[0]] = token
    return campaign, tokens
