"""E-mails of campaigns: the request to a supplier and its reminders, sent by the worker
(``tasks.send_campaign_mail_task``).

The link's token is derived in the worker from the request's salt, so it never sits in the
task queue or the database; when the site's secret key changed since the request was made, the
link's stored hash is renewed first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from oretrace.declarations.links import hash_token, link_for, token_for
from oretrace.declarations.models import CampaignRequest

KINDS = ("request", "reminder")


def send_campaign_mail(request_id: int, kind: str) -> None:
    """Send one supplier its campaign request (``kind`` "request") or a reminder."""
    if kind not in KINDS:
        raise ValueError(f"unknown campaign mail {kind!r}; expected one of {', '.join(KINDS)}")
    request = CampaignRequest.objects.select_related(
        "campaign", "campaign__organisation", "supplier"
    ).get(pk=request_id)
    if hash_token(token_for(request)) != request.token_hash:
        # The site's secret key changed since the request was made: the link is renewed.
        renew_link(request)
    context = {
        "campaign": request.campaign,
        "organisation": request.campaign.organisation,
        "supplier": request.supplier,
        "link": link_for(request),
        "reminder": kind == "reminder",
    }
    # Written in the supplier's language, whoever opened the campaign and whatever the worker's.
    with translation.override(request.supplier.language or settings.LANGUAGE_CODE):
        subject = render_to_string("declarations/email/campaign_request_subject.txt", context)
        message = render_to_string("declarations/email/campaign_request.txt", context)
    send_mail(
        subject=subject.strip(), message=message, from_email=None, recipient_list=[request.email]
    )


@transaction.atomic
def renew_link(request: CampaignRequest) -> None:
    """Store the hash of the request's link again after the site's secret key changed.

    The token is derived from the secret key, so a new key makes a new link; the hash kept on
    the request must follow, or the new link would open nothing.
    """
    CampaignRequest.objects.filter(pk=request.pk).update(token_hash=hash_token(token_for(request)))
