"""What the declarations app tells people: answers received, decisions and send-backs, campaign
events (opened, its owner named, closed, closing soon) and campaigns past their due date with
suppliers who have not answered (the last two by a daily check).

The services call these inside their transaction, one line each;
``core.services.notifications.notify`` writes the rows after the commit. The audience is the
organisation's members who decide declarations (``can_decide_declarations``) or run campaigns
(``can_run_campaigns``); the person who did the thing is left out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.choices import NotificationKind
from oretrace.core.models import Membership, Notification
from oretrace.core.periodic import daily_check
from oretrace.core.services.notifications import notify
from oretrace.core.stored_text import plural_noop
from oretrace.declarations.choices import CampaignStatus, DeclarationStatus, RequestStatus
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration
from oretrace.declarations.permissions import can_decide_declarations, can_run_campaigns

Actor = Membership | SystemActor

# Days before its due date that an open campaign's members hear it is closing.
CLOSING_DAYS = 3
WAITING = (RequestStatus.REQUESTED, RequestStatus.REMINDED)


def _campaign_link(campaign: Campaign) -> str:
    return reverse("declarations:campaign", args=[campaign.pk])


def _declaration_link(declaration: Declaration) -> str:
    return reverse("declarations:detail", args=[declaration.pk])


# --- answers and decisions ------------------------------------------------------------------------
def answered(request: CampaignRequest, *, files: int) -> None:
    """A supplier sent files through its campaign link."""
    message, plural = plural_noop(
        "%(supplier)s answered the campaign %(campaign)s: %(count)s file.",
        "%(supplier)s answered the campaign %(campaign)s: %(count)s files.",
    )
    notify(
        request.organisation_id,
        kind=NotificationKind.RECEIVED,
        message=message,
        message_plural=plural,
        values={
            "supplier": str(request.supplier.name),
            "campaign": str(request.campaign),
            "count": files,
        },
        link=_campaign_link(request.campaign),
        permission=can_decide_declarations,
    )


def declined(request: CampaignRequest) -> None:
    """A supplier declined to answer through its campaign link."""
    notify(
        request.organisation_id,
        kind=NotificationKind.RECEIVED,
        message=gettext_noop("%(supplier)s declined the campaign %(campaign)s: %(reason)s"),
        values={
            "supplier": str(request.supplier.name),
            "campaign": str(request.campaign),
            "reason": request.decline_reason[:300],
        },
        link=_campaign_link(request.campaign),
        permission=can_run_campaigns,
    )


DECISIONS = {
    DeclarationStatus.ACCEPTED: (
        NotificationKind.DECISION,
        gettext_noop("The declaration of %(supplier)s (%(file)s) was accepted."),
    ),
    DeclarationStatus.REJECTED: (
        NotificationKind.DECISION,
        gettext_noop("The declaration of %(supplier)s (%(file)s) was rejected: %(note)s"),
    ),
    DeclarationStatus.NEEDS_CORRECTION: (
        NotificationKind.SEND_BACK,
        gettext_noop(
            "The declaration of %(supplier)s (%(file)s) was sent back for correction: %(note)s"
        ),
    ),
}


def decided(declaration: Declaration, *, note: str, actor: Actor) -> None:
    """Colleagues who decide declarations learn what one of them decided."""
    kind_message = DECISIONS.get(DeclarationStatus(declaration.status))
    if kind_message is None:
        return
    kind, message = kind_message
    notify(
        declaration.organisation_id,
        kind=kind,
        message=message,
        values={
            "supplier": str(declaration.supplier.name or declaration.company_name or "?"),
            "file": str(declaration.filename or f"#{declaration.pk}")[:200],
            "note": note.strip()[:300],
        },
        link=_declaration_link(declaration),
        permission=can_decide_declarations,
        exclude=actor_user(actor),
    )


# --- campaign events --------------------------------------------------------------------------
def opened(campaign: Campaign, *, asked: int, actor: Actor) -> None:
    """A campaign was opened (its requests sent); its owner hears they are its owner."""
    values: dict[str, str | int] = {"campaign": str(campaign), "count": asked}
    message, plural = plural_noop(
        "The campaign %(campaign)s is open: %(count)s supplier asked.",
        "The campaign %(campaign)s is open: %(count)s suppliers asked.",
    )
    notify(
        campaign.organisation_id,
        kind=NotificationKind.CAMPAIGN,
        message=message,
        message_plural=plural,
        values=values,
        link=_campaign_link(campaign),
        permission=can_run_campaigns,
        exclude=actor_user(actor),
    )
    owner = campaign.owner.user_id if campaign.owner_id else None
    if owner is not None and owner != getattr(actor_user(actor), "pk", None):
        notify(
            campaign.organisation_id,
            kind=NotificationKind.ASSIGNMENT,
            message=gettext_noop(
                "You are the owner of the campaign %(campaign)s: the files suppliers send "
                "through it are imported in your name."
            ),
            values={"campaign": str(campaign)},
            link=_campaign_link(campaign),
            users=[owner],
            key=f"campaign-owner:{campaign.pk}",
        )


def closed(campaign: Campaign, *, actor: Actor) -> None:
    notify(
        campaign.organisation_id,
        kind=NotificationKind.CAMPAIGN,
        message=gettext_noop("The campaign %(campaign)s was closed."),
        values={"campaign": str(campaign)},
        link=_campaign_link(campaign),
        permission=can_run_campaigns,
        exclude=actor_user(actor),
    )


def _open_with_waiting(due: Q) -> list[tuple[Campaign, int]]:
    campaigns = (
        Campaign.objects.filter(due, status=CampaignStatus.OPEN)
        .annotate(waiting=Count("requests", filter=Q(requests__status__in=WAITING)))
        .filter(waiting__gt=0)
        .order_by("pk")
    )
    return [(c, c.waiting) for c in campaigns]


@daily_check("declarations.campaigns")
def campaign_deadlines(now: datetime) -> int:
    """Once per campaign: it closes within ``CLOSING_DAYS`` days, or its due date passed,
    with suppliers who have not answered."""
    today = timezone.localdate(now)
    sent = 0
    checks = [
        (
            Q(due_date__gte=today, due_date__lte=today + timedelta(days=CLOSING_DAYS)),
            "campaign-closing",
            NotificationKind.CAMPAIGN,
            *plural_noop(
                "The campaign %(campaign)s is due on %(due)s: %(count)s supplier has not "
                "answered yet.",
                "The campaign %(campaign)s is due on %(due)s: %(count)s suppliers have not "
                "answered yet.",
            ),
        ),
        (
            Q(due_date__lt=today),
            "campaign-overdue",
            NotificationKind.OVERDUE,
            *plural_noop(
                "The campaign %(campaign)s was due on %(due)s: %(count)s supplier has not "
                "answered.",
                "The campaign %(campaign)s was due on %(due)s: %(count)s suppliers have not "
                "answered.",
            ),
        ),
    ]
    for due, prefix, kind, singular, plural in checks:
        for campaign, waiting in _open_with_waiting(due):
            key = f"{prefix}:{campaign.pk}"
            if Notification.objects.filter(key=key).exists():
                continue  # told on an earlier day
            notify(
                campaign.organisation_id,
                kind=kind,
                message=singular,
                message_plural=plural,
                values={
                    "campaign": str(campaign),
                    "due": campaign.due_date.isoformat() if campaign.due_date else "",
                    "count": waiting,
                },
                link=_campaign_link(campaign),
                permission=can_run_campaigns,
                key=key,
            )
            sent += 1
    return sent
