"""factory_boy factories for the grievance app (tests only). Rows made by hand bypass the
services: they hold what the database accepts, not a life cycle the services would allow.

The texts (messages, notes) are sealed through ``sealing`` as the services seal them, and a
case's receipt is hashed with ``sealing.receipt_digest``: both use the keys in
``ORETRACE_GRIEVANCE_KEY_DIR`` (the first key and the pepper are made on first use; the app's
tests point it at a folder of the test's own, ``conftest.grievance_keys``).
"""

from __future__ import annotations

import datetime
import json

import factory
from django.db import models

from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.grievances import receipts, sealing
from oretrace.grievances.choices import Author, CaseStatus, EventKind, Intake
from oretrace.grievances.models import (
    Case,
    CaseAuditAction,
    CaseEvent,
    CaseLink,
    Channel,
    ChannelDay,
    ContentRead,
    Message,
    Note,
    OutboundSms,
    SmsInbox,
    SmsMessage,
    Survey,
    SurveyAnswer,
    SurveyOptIn,
)
from oretrace.grievances.services.common import deadlines
from oretrace.grievances.services.filing import context as inbox_context
from oretrace.grievances.services.outbound import context as outbound_context


def _receipt(n: int) -> str:
    """A valid receipt (15 digits and their check digit), a new one for each case."""
    body = f"{n:015d}"
    return body + receipts.check_digit(body)


class ChannelFactory(factory.django.DjangoModelFactory[Channel]):
    class Meta:
        model = Channel

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"test-voice-{n}")
    name = factory.Sequence(lambda n: f"Test workers' voice {n}")
    welcome = "The grievance officer reads every report within a week."


class ChannelDayFactory(factory.django.DjangoModelFactory[ChannelDay]):
    class Meta:
        model = ChannelDay

    channel = factory.SubFactory(ChannelFactory)
    day = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    reports = 1


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A case with its receipt hashed as the services hash it: ``CaseFactory(receipt=...)``
    chooses the receipt (the factory's own is ``_receipt`` of the sequence)."""

    class Meta:
        model = Case

    class Params:
        receipt = factory.Sequence(_receipt)

    channel = factory.SubFactory(ChannelFactory)
    organisation = factory.SelfAttribute("channel.organisation")
    receipt_digest = factory.LazyAttribute(lambda case: sealing.receipt_digest(case.receipt))
    intake = Intake.WEB
    language = "en"
    status = CaseStatus.NEW
    received_on = datetime.date(2026, 11, 2)
    acknowledge_by = factory.LazyAttribute(lambda case: deadlines(case.received_on)[0])
    feedback_by = factory.LazyAttribute(lambda case: deadlines(case.received_on)[1])


class SealedTextFactory[M: models.Model](factory.django.DjangoModelFactory[M]):
    """A text of a case (``text``), sealed for its case as the services seal it."""

    class Meta:
        abstract = True

    class Params:
        sealed_text = factory.LazyAttribute(lambda row: sealing.seal(row.text, case_id=row.case.pk))

    case = factory.SubFactory(CaseFactory)
    key_id = factory.SelfAttribute("sealed_text.key_id")
    sealed = factory.SelfAttribute("sealed_text.data")


class MessageFactory(SealedTextFactory[Message]):
    """A message of the conversation, from the reporter unless ``author`` says otherwise."""

    class Meta:
        model = Message

    class Params:
        text = "The dust mask stock ran out in May."

    author = Author.REPORTER
    sent_on = factory.SelfAttribute("case.received_on")


class NoteFactory(SealedTextFactory[Note]):
    """An officer's internal note."""

    class Meta:
        model = Note

    class Params:
        text = "Called the site manager; a visit is planned."

    author = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..case.organisation")
    )


class ContentReadFactory(factory.django.DjangoModelFactory[ContentRead]):
    class Meta:
        model = ContentRead

    case = factory.SubFactory(CaseFactory)
    member = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..case.organisation")
    )


class CaseEventFactory(factory.django.DjangoModelFactory[CaseEvent]):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SelfAttribute("case.organisation")
    kind = EventKind.RECEIVED
    status = factory.SelfAttribute("case.status")
    on = factory.SelfAttribute("case.received_on")


class SmsMessageFactory(factory.django.DjangoModelFactory[SmsMessage]):
    """An SMS of a case reported by SMS, its sender's number hashed as the services hash it."""

    class Meta:
        model = SmsMessage

    class Params:
        sender = "+254700000001"

    case = factory.SubFactory(CaseFactory, intake=Intake.SMS)
    channel = factory.SelfAttribute("case.channel")
    gateway = "test"
    external_id = factory.Sequence(lambda n: f"test-sms-{n}")
    sender_hash = factory.LazyAttribute(lambda sms: sealing.phone_digest(sms.sender))
    received_on = factory.SelfAttribute("case.received_on")


class CaseLinkFactory(factory.django.DjangoModelFactory[CaseLink]):
    """A case linked to a facility of its organisation's registry."""

    class Meta:
        model = CaseLink

    case = factory.SubFactory(CaseFactory, category="health_safety", severity="high")
    organisation = factory.SelfAttribute("case.organisation")
    target = "facility"
    facility = factory.SubFactory(
        "oretrace.registry.tests.factories.FacilityFactory",
        organisation=factory.SelfAttribute("..case.organisation"),
    )
    token = factory.Sequence(lambda n: f"{n:032x}")
    linked_on = factory.SelfAttribute("case.received_on")


class CaseAuditActionFactory(factory.django.DjangoModelFactory[CaseAuditAction]):
    """A finding opened from a case (on an audit of any body: the row needs no more)."""

    class Meta:
        model = CaseAuditAction

    case = factory.SubFactory(CaseFactory, category="health_safety", severity="high")
    organisation = factory.SelfAttribute("case.organisation")
    kind = "finding"
    finding = factory.SubFactory("oretrace.audits.tests.factories.FindingFactory")
    audit = factory.SelfAttribute("finding.audit")
    opened_on = factory.SelfAttribute("case.received_on")


QUESTIONS = [
    {"text": {"en": "Are you paid on time?"}, "options": [{"en": "Yes"}, {"en": "No"}]},
    {
        "text": {"en": "Is drinking water available?"},
        "options": [{"en": "Always"}, {"en": "Sometimes"}, {"en": "Never"}],
    },
]


class SurveyFactory(factory.django.DjangoModelFactory[Survey]):
    """An open pulse survey of two questions on a channel, about a facility of its owner."""

    class Meta:
        model = Survey

    channel = factory.SubFactory(ChannelFactory)
    organisation = factory.SelfAttribute("channel.organisation")
    facility = factory.SubFactory(
        "oretrace.registry.tests.factories.FacilityFactory",
        organisation=factory.SelfAttribute("..channel.organisation"),
    )
    title = factory.Sequence(lambda n: f"Pulse {n}")
    keyword = factory.Sequence(lambda n: f"PULSE{n}")
    questions = factory.LazyFunction(lambda: [dict(q) for q in QUESTIONS])
    created_on = datetime.date(2026, 11, 2)


class SurveyOptInFactory(factory.django.DjangoModelFactory[SurveyOptIn]):
    """A worker taking part, their number hashed (the sealed copy left empty)."""

    class Meta:
        model = SurveyOptIn

    class Params:
        sender = factory.Sequence(lambda n: f"+91980000{n:04d}")

    survey = factory.SubFactory(SurveyFactory)
    number_hash = factory.LazyAttribute(lambda o: sealing.phone_digest(o.sender))
    opted_in_on = datetime.date(2026, 11, 2)


class SurveyAnswerFactory(factory.django.DjangoModelFactory[SurveyAnswer]):
    class Meta:
        model = SurveyAnswer

    survey = factory.SubFactory(SurveyFactory)
    question = 0
    option = 0
    respondent = factory.Sequence(lambda n: f"{n:064x}")
    answered_on = datetime.date(2026, 11, 3)


# --- SMS sent and SMS waiting to be filed (sealed as the services seal them) ---------------------
def _sealed_for(context: str, text: str) -> sealing.Sealed:
    return sealing.RING.seal(text, context=context)


class OutboundSmsFactory(factory.django.DjangoModelFactory[OutboundSms]):
    """An SMS queued for sending: its number and text sealed for the channel and reference, as
    ``outbound.send_sms`` seals them (a sent one has both emptied: pass ``sealed_to=b""``)."""

    class Meta:
        model = OutboundSms

    class Params:
        to = "+254700000002"
        text = "Your receipt: 1234 5678 9012 3452"
        sealed_number = factory.LazyAttribute(
            lambda o: _sealed_for(outbound_context(o.channel.pk, o.reference), o.to)
        )
        sealed_body = factory.LazyAttribute(
            lambda o: _sealed_for(outbound_context(o.channel.pk, o.reference), o.text)
        )

    channel = factory.SubFactory(ChannelFactory)
    reference = factory.Sequence(lambda n: f"test:{n}")
    gateway = "android"
    key_id = factory.LazyAttribute(lambda o: o.sealed_number.key_id)
    sealed_to = factory.LazyAttribute(lambda o: o.sealed_number.data)
    sealed_text = factory.LazyAttribute(lambda o: o.sealed_body.data)
    created_on = factory.LazyFunction(datetime.date.today)


class SmsInboxFactory(factory.django.DjangoModelFactory[SmsInbox]):
    """A received SMS kept for the worker: sender and text sealed together, bound to the
    gateway's id of the message, as ``inbox.take_in`` keeps them."""

    class Meta:
        model = SmsInbox

    class Params:
        sender = "+254700000003"
        text = "Hakuna maji safi kazini"
        sealed_document = factory.LazyAttribute(
            lambda o: _sealed_for(
                inbox_context(o.gateway, o.external_id),
                json.dumps({"sender": o.sender, "text": o.text}, ensure_ascii=False),
            )
        )

    channel = factory.SubFactory(ChannelFactory)
    gateway = "android"
    external_id = factory.Sequence(lambda n: f"test-inbox-{n}")
    key_id = factory.LazyAttribute(lambda o: o.sealed_document.key_id)
    sealed = factory.LazyAttribute(lambda o: o.sealed_document.data)
