"""SMS intake: each message a gateway reports is processed exactly once.

The gateway's id of the message is unique (``SmsMessage``): a retry or a duplicate delivery,
in any order, finds the row and changes nothing. A sender's messages thread into their open
case on the channel by a keyed hash of the number; a sender with none opens a new case (intake
SMS) with its own receipt, which is returned once so a reply can carry it. SMS is confidential,
not anonymous: the carrier and the gateway see the number; oretrace keeps only the hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from oretrace.grievances import sealing
from oretrace.grievances.choices import Author, CaseStatus, EventKind, Intake
from oretrace.grievances.models import Case, Channel, SmsMessage
from oretrace.grievances.services.common import add_message, clean_text, record_event
from oretrace.grievances.services.intake import new_case
from oretrace.grievances.sms import InboundSms


@dataclass(frozen=True)
class SmsOutcome:
    """What one webhook did: ``duplicate`` (seen before: nothing changed), or the case it went
    to, and the new case's receipt (empty when the message joined an open case)."""

    case_id: int
    duplicate: bool = False
    receipt: str = ""


def _open_case_of(channel: Channel, sender_hash: str) -> Case | None:
    """The sender's latest case on the channel, if it is still open (a closed case's sender
    starts a new one). Read from the (channel, sender hash, case) index alone."""
    latest = (
        SmsMessage.objects.filter(channel=channel, sender_hash=sender_hash)
        .order_by("-case_id")
        .values_list("case_id", flat=True)[:1]
    )
    case_id = next(iter(latest), None)
    if case_id is None:
        return None
    case: Case | None = Case.objects.exclude(status=CaseStatus.CLOSED).filter(pk=case_id).first()
    return case


def receive_sms(channel: Channel, sms: InboundSms) -> SmsOutcome:
    """File one received SMS on ``channel``, once."""
    seen = SmsMessage.objects.filter(gateway=sms.gateway, external_id=sms.message_id).first()
    if seen is not None:
        return SmsOutcome(seen.case_id, duplicate=True)
    text = clean_text(sms.text, field="text", what="SMS")
    sender_hash = sealing.phone_digest(sms.sender)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            case = _open_case_of(channel, sender_hash)
            receipt = ""
            if case is None:
                case, receipt = new_case(channel, intake=Intake.SMS, language="", on=today)
                record_event(case, EventKind.RECEIVED, on=today)
            SmsMessage.objects.create(
                channel=channel,
                case=case,
                gateway=sms.gateway,
                external_id=sms.message_id,
                sender_hash=sender_hash,
                received_on=today,
            )
            add_message(case, text, author=Author.REPORTER, on=today)
    except IntegrityError:
        # The same message, delivered twice at once: the other delivery won the insert.
        seen = SmsMessage.objects.get(gateway=sms.gateway, external_id=sms.message_id)
        return SmsOutcome(seen.case_id, duplicate=True)
    return SmsOutcome(case.pk, receipt=receipt)
