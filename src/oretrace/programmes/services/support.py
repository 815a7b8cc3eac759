"""Buyers' offers to fund or join a programme working where their material comes from, and the
programme's answers. Each side is told by a notification; nothing of a child is involved."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction, NotificationKind
from oretrace.core.models import Membership
from oretrace.core.services.notifications import notify
from oretrace.programmes.choices import OfferKind, OfferStatus
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import Programme, SupportOffer
from oretrace.programmes.permissions import can_offer_support, can_run_programmes

MESSAGE_MAX = 2000
ACCEPTED = gettext_noop("The programme %(programme)s accepted your offer of support.")
DECLINED = gettext_noop("The programme %(programme)s declined your offer of support.")


def _text(value: str, field: str) -> str:
    text = value.strip()
    if len(text) > MESSAGE_MAX:
        raise ProgrammeError(
            _("Write at most %(max)d characters.") % {"max": MESSAGE_MAX}, field=field
        )
    return text


@transaction.atomic
def offer_support(
    programme: Programme, *, actor: Membership, kind: str, message: str = ""
) -> SupportOffer:
    """A buyer offers to fund or join ``programme`` (one the caller found on its trace); the
    programme's organisation is told. An open offer of the same kind is not made twice."""
    can_offer_support.require(actor)
    if programme.organisation_id == actor.organisation_id:
        raise ProgrammeError(_("This is your own programme."))
    if kind not in OfferKind.values:
        raise ProgrammeError(_("Choose to fund or to join the programme."), field="kind")
    text = _text(message, "message")
    if SupportOffer.objects.filter(
        programme=programme,
        requester_id=actor.organisation_id,
        kind=kind,
        status=OfferStatus.OPEN,
    ).exists():
        raise ProgrammeError(
            _("Your organisation's offer is already waiting for the programme's answer."),
            field="kind",
        )
    offer = SupportOffer.objects.create(
        organisation_id=programme.organisation_id,
        created_by=actor.user,
        programme=programme,
        requester_id=actor.organisation_id,
        kind=kind,
        message=text,
    )
    log_change(offer, action=ChangeAction.CREATE, actor=actor)
    notify(
        programme.organisation_id,
        kind=NotificationKind.SUPPORT,
        message=gettext_noop("%(buyer)s offers support to the programme %(programme)s."),
        values={"buyer": str(actor.organisation), "programme": programme.name},
        link=reverse("programmes:programme", args=[programme.pk]),
        permission=can_run_programmes,
    )
    return offer


@transaction.atomic
def answer_offer(
    offer: SupportOffer, *, actor: Membership, accept: bool, answer: str = ""
) -> SupportOffer:
    """The programme's organisation accepts or declines an offer; the buyer is told."""
    can_run_programmes.require(actor, organisation_id=offer.organisation_id)
    locked = SupportOffer.objects.select_for_update().get(pk=offer.pk)
    if locked.status != OfferStatus.OPEN:
        raise ProgrammeError(_("This offer was already answered."))
    update_and_log(
        locked,
        actor=actor,
        status=OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED,
        answer=_text(answer, "answer"),
        answered_on=timezone.localdate(),
    )
    notify(
        locked.requester_id,
        kind=NotificationKind.DECISION,
        message=ACCEPTED if accept else DECLINED,
        values={"programme": locked.programme.name},
        link=reverse("programmes:offer", args=[locked.pk]),
        permission=can_offer_support,
    )
    return locked
