"""Campaigns: ask suppliers for their declarations, remind them, close, attach answers.

A campaign asks suppliers for one template family and reporting year. Each supplier gets a
`CampaignRequest` with a secret upload link (``declarations.links``); what comes through the
link is written by ``services.responses``. The e-mails go out from the worker
(``tasks.send_campaign_mail_task``) once the change is committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.core.actors import SystemActor, acting_member
from oretrace.core.changelog import log_change, snapshot
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition, PermissionDenied
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned
from oretrace.declarations import notices
from oretrace.declarations.choices import (
    AWAITING,
    REQUEST_FOLLOWS,
    CampaignStatus,
    DeclarationStatus,
    Family,
    RequestStatus,
)
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.links import hash_token, token_for
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration, Supplier
from oretrace.declarations.permissions import can_run_campaigns, require_campaigns, require_open


@transaction.atomic
def create_campaign(
    *,
    actor: Membership | SystemActor,
    name: str,
    family: str,
    reporting_year: int,
    due_date: date | None = None,
    message: str = "",
    suppliers: Sequence[Supplier] | None = None,
    owner: Membership | None = None,
    today: date | None = None,
) -> Campaign:
    """Open a campaign and send each supplier its request (all suppliers with an e-mail when
    ``suppliers`` is None). Files that come through the links are imported as ``owner``
    (the acting member by default)."""
    require_campaigns(actor)
    owner = owner or acting_member(actor)
    if owner is None:
        raise DeclarationError(_("a campaign needs an owner: the member its files are imported as"))
    if not can_run_campaigns(owner):
        raise PermissionDenied(
            _("the campaign's owner must be a compliance officer or an administrator")
        )
    name = " ".join(name.split())
    if not name:
        raise DeclarationError(_("a campaign needs a name"))
    family = (family or "").strip().upper()
    if family not in Family.values:
        raise DeclarationError(
            _("unknown template %(family)r; use one of %(families)s")
            % {"family": family, "families": ", ".join(Family.values)}
        )
    if not 2000 <= int(reporting_year) <= 2100:
        raise DeclarationError(
            _("the reporting year %(year)s is not a year between 2000 and 2100")
            % {"year": reporting_year}
        )
    today = today or timezone.now().date()
    if due_date is not None and due_date < today:
        raise DeclarationError(
            _("the due date %(date)s is already past") % {"date": due_date.isoformat()}
        )
    chosen = _suppliers_to_ask(owner, suppliers)
    campaign = Campaign.objects.create(
        organisation=owner.organisation,
        created_by=owner.user,
        owner=owner,
        name=name[:200],
        family=family,
        reporting_year=int(reporting_year),
        due_date=due_date,
        message=message.strip(),
    )
    log_change(campaign, action=ChangeAction.CREATE, actor=actor)
    _send_requests(campaign, chosen, actor=actor)
    notices.opened(campaign, asked=len(chosen), actor=actor)
    return campaign


def _suppliers_to_ask(owner: Membership, suppliers: Sequence[Supplier] | None) -> list[Supplier]:
    if suppliers is None:
        chosen = list(owned(Supplier.objects.exclude(email=""), owner))
        if not chosen:
            raise DeclarationError(
                _("no supplier has an e-mail address yet: import your supplier list first")
            )
        return chosen
    chosen = list(suppliers)
    if not chosen:
        raise DeclarationError(_("choose at least one supplier to ask"))
    if any(s.organisation_id != owner.organisation_id for s in chosen):
        raise DeclarationError(_("a chosen supplier belongs to another organisation"))
    without = [s.name for s in chosen if not s.email]
    if without:
        raise DeclarationError(
            _("these suppliers have no e-mail address: %(names)s") % {"names": ", ".join(without)}
        )
    return chosen


@transaction.atomic
def add_suppliers(
    campaign: Campaign, *, suppliers: Sequence[Supplier], actor: Membership | SystemActor
) -> list[CampaignRequest]:
    """Ask more suppliers in an open campaign; suppliers already asked are left alone."""
    require_campaigns(actor, campaign)
    require_open(campaign)
    asked = set(campaign.requests.values_list("supplier_id", flat=True))
    chosen = _suppliers_to_ask(campaign.owner, [s for s in suppliers if s.pk not in asked])
    return _send_requests(campaign, chosen, actor=actor)


def _enqueue_mail(ids: list[int], kind: str) -> None:
    """Hand the e-mails to the worker (after commit: a rolled-back change sends nothing)."""
    from oretrace.declarations.tasks import send_campaign_mail_task  # tasks call the services

    for pk in ids:
        send_campaign_mail_task.enqueue(pk, kind)


def _send_requests(
    campaign: Campaign, suppliers: list[Supplier], *, actor: Membership | SystemActor
) -> list[CampaignRequest]:
    now = timezone.now()
    created = []
    for supplier in suppliers:
        request = CampaignRequest(
            organisation_id=campaign.organisation_id,
            created_by=campaign.created_by,
            campaign=campaign,
            supplier=supplier,
            email=supplier.email,
            token_salt=secrets.token_urlsafe(32),
            sent_at=now,
        )
        request.token_hash = hash_token(token_for(request))
        request.save()
        log_change(request, action=ChangeAction.CREATE, actor=actor)
        created.append(request)
    ids = [r.pk for r in created]
    transaction.on_commit(lambda: _enqueue_mail(ids, "request"))
    return created


@transaction.atomic
def send_reminders(
    campaign: Campaign, *, actor: Membership | SystemActor, now: datetime | None = None
) -> int:
    """Remind every supplier that has not answered yet; returns how many were reminded."""
    require_campaigns(actor, campaign)
    require_open(campaign)
    now = now or timezone.now()
    ids = []
    awaiting = campaign.requests.select_for_update().filter(status__in=AWAITING)
    for request in awaiting.select_related("supplier"):
        before = snapshot(request)
        request.status = RequestStatus.REMINDED
        request.reminded_at = now
        request.reminder_count += 1
        # The supplier's address may have been corrected since the request went out.
        request.email = request.supplier.email or request.email
        request.save(
            update_fields=["status", "reminded_at", "reminder_count", "email", "updated_at"]
        )
        log_change(request, action=ChangeAction.UPDATE, actor=actor, before=before)
        ids.append(request.pk)
    transaction.on_commit(lambda: _enqueue_mail(ids, "reminder"))
    return len(ids)


@transaction.atomic
def close_campaign(campaign: Campaign, *, actor: Membership | SystemActor) -> Campaign:
    """Stop taking answers: the links then show that the campaign is closed."""
    require_campaigns(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise InvalidTransition(
            _("the campaign “%(name)s” is already closed") % {"name": campaign.name}
        )
    before = snapshot(campaign)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    log_change(campaign, action=ChangeAction.UPDATE, actor=actor, before=before)
    notices.closed(campaign, actor=actor)
    return campaign


@transaction.atomic
def attach_declaration(
    request: CampaignRequest, *, declaration: Declaration, actor: Membership | SystemActor
) -> CampaignRequest:
    """Record that a supplier answered with a declaration that came another way (by e-mail,
    imported by the team): the request then counts as a response."""
    campaign = request.campaign
    require_campaigns(actor, campaign)
    if declaration.organisation_id != campaign.organisation_id:
        raise PermissionDenied(_("this declaration belongs to another organisation"))
    if declaration.supplier_id != request.supplier_id:
        raise DeclarationError(
            _("declaration #%(id)s is from %(other)s, not from %(supplier)s")
            % {"id": declaration.pk, "other": declaration.supplier, "supplier": request.supplier}
        )
    if declaration.family != campaign.family:
        raise DeclarationError(
            _("declaration #%(id)s is a %(found)s; the campaign asks for a %(wanted)s")
            % {"id": declaration.pk, "found": declaration.family, "wanted": campaign.family}
        )
    request = CampaignRequest.objects.select_for_update().get(pk=request.pk)
    before = snapshot(request)
    request.declaration = declaration
    request.responded_at = request.responded_at or declaration.created_at
    request.decline_reason = ""
    request.status = REQUEST_FOLLOWS[DeclarationStatus(declaration.status)]
    request.save()
    log_change(request, action=ChangeAction.UPDATE, actor=actor, before=before)
    return request
