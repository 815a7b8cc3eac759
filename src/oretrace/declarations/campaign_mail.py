"""E-mails of campaigns: the request to a supplier and its reminders, sent by the worker.

The link's token is derived in the worker from the request's salt, so it never sits in the
task queue or the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from oretrace.declarations import services
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
        services.renew_link(request)
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


@task()
def send_campaign_mail_task(request_id: int, kind: str) -> None:
    """Send a campaign e-mail in the worker: a slow mail server never fails the request that
    opened the campaign or sent the reminders."""
    send_campaign_mail(request_id, kind)
