"""SMS intake: each message a gateway reports is processed exactly once.

The gateway's id of the message is unique (``SmsMessage``): a retry or a duplicate delivery,
in any order, finds the row and changes nothing. A sender's messages thread into their open
case on the channel by a keyed hash of the number; a sender with none opens a new case (intake
SMS) with its own receipt, which is returned once so a reply can carry it. SMS is confidential,
not anonymous: the carrier and the gateway see the number; oretrace keeps only the hash.

Before a message is filed, each of ``INBOUND_HOOKS`` may take it (a survey's answer, STOP): a
hook that returns True has handled it, and it is not a grievance.

Answers by SMS: a new case's receipt is sent to the sender at once; officers' replies are sent
when the reporter next writes, with the number the gateway hands over then, each once (its
reference ``reply:<message>``). The number is never kept for later, not even sealed: a case
stays open for months, and a sealed number at rest that long is what a stolen key folder and a
database copy together would reveal; the reporter can read the replies on the web meanwhile.

Sending (``send_sms``) queues one ``OutboundSms`` per reference with the number and the text
sealed; ``outbound.deliver_outbound`` (the task ``send_sms_task``) hands it to the
channel's gateway, retrying with a doubling wait, and empties the sealed number once the
gateway accepted it or the SMS was given up: no number stays at rest beyond its sending.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oretrace.grievances import gateways, receipts, sealing
from oretrace.grievances.choices import Author, CaseStatus, EventKind, Intake
from oretrace.grievances.exceptions import GrievanceError
from oretrace.grievances.models import Case, Channel, OutboundSms, SmsMessage
from oretrace.grievances.services import outbound
from oretrace.grievances.services.common import add_message, clean_text, record_event
from oretrace.grievances.services.intake import new_case
from oretrace.grievances.sms import InboundSms, encoding
from oretrace.grievances.sms import language as language_of

# Hooks that may take an inbound SMS before it is filed as a grievance (surveys): each gets
# the channel and the message and returns True when it handled it. Append, never replace.
INBOUND_HOOKS: list[Callable[[Channel, InboundSms], bool]] = []


@dataclass(frozen=True)
class SmsOutcome:
    """What one webhook did: ``duplicate`` (seen before: nothing changed), or the case it went
    to, and the new case's receipt (empty when the message joined an open case)."""

    case_id: int
    duplicate: bool = False
    receipt: str = ""
    taken: bool = False  # an inbound hook handled it (a survey's answer): no case


def _open_case_of(channel: Channel, sender_hash: str) -> Case | None:
    """The sender's latest case on the channel, if it is still open (a closed case's sender
    starts a new one). Read from the (channel, sender hash, case) index alone."""
    latest = (
        SmsMessage.objects.filter(channel=channel, sender_hash=sender_hash, case__isnull=False)
        .order_by("-case_id")
        .values_list("case_id", flat=True)[:1]
    )
    case_id = next(iter(latest), None)
    if case_id is None:
        return None
    case: Case | None = Case.objects.exclude(status=CaseStatus.CLOSED).filter(pk=case_id).first()
    return case


def receive_sms(channel: Channel, sms: InboundSms) -> SmsOutcome:
    """File one received SMS on ``channel``, once (an inbound hook may take it instead)."""
    seen = SmsMessage.objects.filter(gateway=sms.gateway, external_id=sms.message_id).first()
    if seen is not None:
        return SmsOutcome(seen.case_id or 0, duplicate=True, taken=seen.case_id is None)
    sender_hash = sealing.phone_digest(sms.sender)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            if any(hook(channel, sms) for hook in INBOUND_HOOKS):
                _record(channel, None, sms, sender_hash="", today=today)
                return SmsOutcome(0, taken=True)
            text = clean_text(sms.text, field="text", what="SMS")
            # One filing at a time per channel (a row lock on PostgreSQL): two messages of one
            # new sender filed at once must not each open a case. FOR NO KEY UPDATE: a filing
            # waits for another, but a row that only refers to the channel (a webhook's inbox
            # row, a web report's case: their foreign key takes FOR KEY SHARE) does not wait
            # for a batch of filings to commit.
            list(
                Channel.objects.select_for_update(no_key=True)
                .filter(pk=channel.pk)
                .values_list("pk")
            )
            case = _open_case_of(channel, sender_hash)
            receipt = ""
            if case is None:
                language = language_of.guess(text)
                case, receipt = new_case(channel, intake=Intake.SMS, language=language, on=today)
                record_event(case, EventKind.RECEIVED, on=today)
            _record(channel, case, sms, sender_hash=sender_hash, today=today)
            add_message(case, text, author=Author.REPORTER, on=today)
            _answer(channel, case, sms.sender, receipt)
    except IntegrityError:
        # The same message, delivered twice at once: the other delivery won the insert.
        seen = SmsMessage.objects.get(gateway=sms.gateway, external_id=sms.message_id)
        return SmsOutcome(seen.case_id or 0, duplicate=True, taken=seen.case_id is None)
    return SmsOutcome(case.pk, receipt=receipt)


def _answer(channel: Channel, case: Case, number: str, receipt: str) -> None:
    """While the sender's number is in hand: the new case's receipt, then every officer's
    message the reporter has not had by SMS yet (each once: its reference names it). Nothing
    when the channel has no gateway to send with."""
    if not gateways.gateway_for(channel):
        return
    with translation.override(case.language or settings.LANGUAGE_CODE):
        if receipt:
            send_sms(
                channel,
                to=number,
                text=receipt_text(channel, receipt),
                reference=f"receipt:{case.pk}",
            )
        replies = {
            f"reply:{message.pk}": message
            for message in case.messages.filter(author=Author.OFFICER, purged=False)
        }
        sent = OutboundSms.objects.filter(channel=channel, reference__in=replies)
        done = set(sent.values_list("reference", flat=True))
        for reference, message in replies.items():
            if reference in done:
                continue
            text = sealing.unseal(message.sealed_text(), case_id=case.pk)
            send_sms(
                channel,
                to=number,
                text=_("Grievance officer: %(text)s") % {"text": text},
                reference=reference,
            )


def receipt_text(channel: Channel, receipt: str) -> str:
    """The receipt SMS, in the active language: the receipt, how to add to the report, where
    to read the answers on the web."""
    address = f"{settings.ORETRACE_BASE_URL}/voice/{channel.slug}/follow/"
    return _(
        "Your report was received. Receipt: %(receipt)s. Keep it secret. Write to this number "
        "to add to it and to get the answers, or read them at %(address)s with the receipt."
    ) % {"receipt": receipts.grouped(receipt), "address": address}


def _record(
    channel: Channel, case: Case | None, sms: InboundSms, *, sender_hash: str, today: date
) -> SmsMessage:
    """The row that makes the message count once (its case: None when a hook took it)."""
    return SmsMessage.objects.create(
        channel=channel,
        case=case,
        gateway=sms.gateway,
        external_id=sms.message_id,
        sender_hash=sender_hash,
        received_on=today,
    )


# --- sending ------------------------------------------------------------------------------------
_NUMBER = re.compile(r"^\+?[0-9]{3,15}$")


def _number(to: str) -> str:
    """``to`` with spaces, dashes, dots and brackets dropped; refused unless E.164-like (an
    optional +, then 3 to 15 digits: short codes included)."""
    kept = re.sub(r"[\s\-.()]", "", to or "")
    if not _NUMBER.match(kept):
        raise GrievanceError("to: expected a phone number in E.164 form (+ and digits)", field="to")
    return kept


def send_sms(channel: Channel, *, to: str, text: str, reference: str) -> OutboundSms:
    """Queue one SMS to ``to`` (E.164) on ``channel``'s configured gateway, once per
    ``reference`` (a second call with the same reference returns the first row, sends nothing).
    The number is kept sealed (core.sealing key ring, never in clear) only until the gateway
    accepted it, then erased; the text is sealed too. A task sends it (retries with backoff)."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise GrievanceError("reference: expected 1 to 100 characters", field="reference")
    existing = OutboundSms.objects.filter(channel=channel, reference=reference).first()
    if existing is not None:
        return existing
    number = _number(to)
    text = (text or "").strip()
    if not text:
        raise GrievanceError("text: an SMS needs some text", field="text")
    gateway = gateways.gateway_for(channel)
    if not gateway:
        raise GrievanceError("no SMS gateway is configured for sending (ORETRACE_GRIEVANCE_SMS_*)")
    context = outbound.context(channel.pk, reference)
    sealed_to = sealing.RING.seal(number, context=context)
    sealed_text = sealing.RING.seal(text, context=context)
    try:
        with transaction.atomic():
            row = OutboundSms.objects.create(
                channel=channel,
                reference=reference,
                gateway=gateway,
                key_id=sealed_to.key_id,
                sealed_to=sealed_to.data,
                sealed_text=sealed_text.data,
                parts=encoding.segments(text).parts,
                created_on=timezone.localdate(),
            )
    except IntegrityError:  # the same reference queued at the same moment: theirs stands
        return OutboundSms.objects.get(channel=channel, reference=reference)
    transaction.on_commit(lambda: outbound.start_sending(row.pk))
    return row
