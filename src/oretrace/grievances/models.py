"""Grievance channels, cases, their conversation and the officers' notes.

A ``Channel`` is one organisation's door for reports (``/voice/<slug>/``). A report makes a
``Case``, which keeps only what the officers need to act and what the statistics count: its
status, triage, dates by the day (never a time of day: timing can identify a reporter), the
statutory deadlines, and a slow keyed hash of the receipt. Every text (the report, the replies
both ways, the outcome, the internal notes) is a ``Message`` or a ``Note`` sealed with a key
kept outside the database (``sealing``). Each read of the texts is a ``ContentRead``; each step
of a case is a ``CaseEvent``, committed to the transparency log without any content.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from oretrace.core.models import OrgOwnedModel, SealedRead, SealedRow
from oretrace.core.models.base import owning_organisation
from oretrace.grievances.choices import (
    AuditActionKind,
    Author,
    CaseStatus,
    Category,
    EventKind,
    Intake,
    LinkTarget,
    OutboundStatus,
    Severity,
    SurveyStatus,
    Urgency,
)

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from oretrace.core.models import Membership


def _member(
    related_name: str = "+",
) -> models.ForeignKey[Membership | Combinable | None, Membership | None]:
    return models.ForeignKey(
        "core.Membership",
        on_delete=models.PROTECT,
        related_name=related_name,
        null=True,
        blank=True,
    )


class Channel(OrgOwnedModel):
    """One organisation's door for grievances, reached at ``/voice/<slug>/`` with no account."""

    slug = models.SlugField(max_length=60, unique=True, help_text="The channel's address.")
    name = models.CharField(max_length=200)
    welcome = models.TextField(
        blank=True, help_text="Shown above the form: who reads the reports and what they do."
    )
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ChannelDay(models.Model):
    """How many reports and wrong receipts a channel had on one day: the flood limits count
    these, never who sent them."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    reports = models.PositiveIntegerField(default=0)
    wrong_receipts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("channel", "day"), name="grievance_channel_day"),
        )

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day}"


class Case(models.Model):
    """One grievance: its state, triage and deadlines; its texts are sealed messages."""

    # The receipt's hash stays out of the change log, which is kept for ever: a hash that
    # stays in the case row alone is gone with the case.
    changelog_exclude = ("receipt_digest",)

    organisation = owning_organisation(db_index=False)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="cases")
    receipt_digest = models.CharField(max_length=64, unique=True, editable=False)
    intake = models.CharField(max_length=12, choices=Intake.choices)
    language = models.CharField(max_length=12, blank=True)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.NEW)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, blank=True)
    assigned_to = _member("assigned_grievances")
    received_on = models.DateField(help_text="The day the report arrived (no time of day).")
    acknowledge_by = models.DateField(help_text="The reporter must hear back by this day.")
    feedback_by = models.DateField(help_text="The reporter must have feedback by this day.")
    acknowledged_on = models.DateField(null=True, blank=True)
    feedback_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    escalated_to = models.CharField(max_length=200, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    purged_on = models.DateField(null=True, blank=True)
    # The reporter's messages on their latest day: the per-receipt limit counts these.
    reporter_day = models.DateField(null=True, blank=True)
    reporter_day_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-received_on", "-pk")
        indexes = (models.Index(fields=("organisation", "status"), name="grievance_org_status"),)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The case's number as officers say it: ``G-42``."""
        return f"G-{self.pk}"

    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    def acknowledgement_overdue(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.acknowledged_on is None and self.is_open() and self.acknowledge_by < day

    def feedback_overdue(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.feedback_on is None and self.is_open() and self.feedback_by < day


class Message(SealedRow):
    """One message of a case's conversation with the reporter, sealed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    officer = _member()
    is_outcome = models.BooleanField(
        default=False, help_text="The outcome the reporter reads when the case is closed."
    )
    sent_on = models.DateField()
    purged = models.BooleanField(default=False)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"message {self.pk} of case G-{self.case_id}"


class Note(SealedRow):
    """An officer's internal note on a case: never shown to the reporter; sealed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = _member()
    created_at = models.DateTimeField(default=timezone.now)
    purged = models.BooleanField(default=False)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"note {self.pk} of case G-{self.case_id}"


class ContentRead(SealedRead):
    """Who read a case's texts, and when: every opening of the sealed content is one row."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reads")

    def __str__(self) -> str:
        return f"read of case G-{self.case_id}"


class CaseEvent(models.Model):
    """A step of a case (received, acknowledged, closed, …): never changed, no content.

    Committed to the transparency log by the daily commit (``records``), so the log's own time
    of a leaf is the commit's, not the report's: a buried case stays visible, and the log does
    not tell when in the day someone reported.
    """

    organisation = owning_organisation()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    on = models.DateField()
    committed = models.BooleanField(default=False)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"G-{self.case_id} {self.kind} {self.on}"


class SmsMessage(models.Model):
    """One SMS received through a gateway: what makes each message count once, whatever the
    gateway's retries, and threads a sender's messages into one case without their number.

    ``sender_hash`` is a keyed HMAC of the number (``sealing.phone_digest``), emptied when the
    case's content is purged; the number itself is never stored.
    """

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="sms")
    # None: an inbound hook took the message (a survey's answer); it still counts once.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="sms", null=True, blank=True
    )
    gateway = models.CharField(max_length=20)
    external_id = models.CharField(max_length=200)
    sender_hash = models.CharField(max_length=64, blank=True)
    received_on = models.DateField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("gateway", "external_id"), name="grievance_sms_once"),
        )
        # a sender's latest message on a channel: how the next one finds its case
        indexes = (
            models.Index(fields=("channel", "sender_hash", "case"), name="grievance_sms_sender"),
        )

    def __str__(self) -> str:
        return f"SMS {self.gateway}:{self.external_id}"


class CaseLink(models.Model):
    """A case tied by a grievance officer to a facility, a supplier, a lot or an audit of the
    supply chain: the risk app raises a red flag on it (``risk.flags``: rule
    ``grievance-linked``) that names only the case's category and severity.

    ``token`` names the link in the flag's key instead of its id, so nothing the flag carries
    (its key, its evidence) points back to the case. A link is removed, never deleted
    (``removed_on``): its flag is then closed.
    """

    changelog_exclude = ("token",)  # the token stays with the link and its flag's key alone

    organisation = owning_organisation()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    target = models.CharField(max_length=10, choices=LinkTarget.choices)
    facility = models.ForeignKey(
        "registry.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supplier = models.ForeignKey(
        "declarations.Supplier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lot = models.ForeignKey(
        "traceability.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    linked_on = models.DateField()
    linked_by = _member()
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"link of case G-{self.case_id} to {self.target}"

    @property
    def subject(self) -> object:
        """The linked facility, supplier, lot or audit."""
        return getattr(self, self.target)


class CaseAuditAction(models.Model):
    """A finding or an unannounced audit a grievance officer opened in the audits app from a
    case, so the officer can follow it up and tell the reporter.

    The tie is kept here, on the grievance side, and nowhere else: the audit and its finding
    hold no trace of the case (their texts are the officer's own words), and the audited
    organisation cannot tell them from its auditors' (docs/user-guide/grievances.md).
    """

    organisation = owning_organisation()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="audit_actions")
    kind = models.CharField(max_length=10, choices=AuditActionKind.choices)
    audit = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="+")
    # None once the auditors withdrew the finding during the fieldwork
    finding = models.ForeignKey(
        "audits.Finding", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_on = models.DateField()
    opened_by = _member()

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.kind} opened from case G-{self.case_id}"


class OutboundSms(models.Model):
    """One SMS to send through the channel's gateway, once per ``reference``.

    The number and the text are sealed (``sealing``, bound to the channel and the reference);
    both are emptied as soon as the gateway accepted the message or it was given up, so no
    number (and no receipt, which a receipt's SMS holds) outlives its sending. ``attempts``
    and ``next_attempt_at`` drive the retries.
    """

    changelog_exclude = ("sealed_to", "sealed_text")

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="outbound_sms")
    reference = models.CharField(
        max_length=100, help_text="What the SMS is for (``receipt:42``): each is sent once."
    )
    gateway = models.CharField(max_length=20)
    key_id = models.CharField(max_length=40)
    sealed_to = models.BinaryField(blank=True)
    sealed_text = models.BinaryField(blank=True)
    parts = models.PositiveSmallIntegerField(default=1, help_text="SMS parts on the air.")
    status = models.CharField(
        max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    gateway_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_on = models.DateField()
    sent_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("channel", "reference"), name="grievance_outbound_sms_once"
            ),
        )
        indexes = (models.Index(fields=("status", "next_attempt_at"), name="grievance_sms_due"),)

    def __str__(self) -> str:
        return f"SMS out {self.channel_id}:{self.reference}"


class Survey(OrgOwnedModel):
    """A short multiple-choice pulse survey an organisation (a programme, an initiative) sends
    by SMS, through one of its channels, to the workers of a facility who opted in by texting
    its keyword. ``questions`` holds ``pulse.Question``s as JSON."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="surveys")
    facility = models.ForeignKey("registry.Facility", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    keyword = models.CharField(
        max_length=20, help_text="What a worker texts to the channel's number to take part."
    )
    language = models.CharField(
        max_length=8, default="en", help_text="The SMS language when the worker names none."
    )
    questions = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    created_on = models.DateField()
    sent_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-created_on", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("channel", "keyword"),
                condition=models.Q(status="open"),
                name="grievance_survey_keyword_open_once",
            ),
        )

    def __str__(self) -> str:
        return self.title


class SurveyOptIn(models.Model):
    """A worker who texted a survey's keyword: their number sealed (to send the questions)
    and its keyed hash (to know their answers and their STOP), both erased on STOP."""

    changelog_exclude = ("number_hash", "sealed_number")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="opt_ins")
    number_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=40, blank=True)
    sealed_number = models.BinaryField(blank=True)
    language = models.CharField(max_length=8, default="en")
    next_question = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The question waiting for an answer, if any."
    )
    opted_in_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("survey", "number_hash"),
                condition=~models.Q(number_hash=""),
                name="grievance_survey_opt_in_once",
            ),
        )

    def __str__(self) -> str:
        return f"opt-in {self.pk} to survey {self.survey_id}"


class SurveyAnswer(models.Model):
    """One answer to one question: the option chosen and the day, under a keyed hash of the
    respondent (one answer per question each; a later one replaces it), never a number."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.PositiveSmallIntegerField()
    option = models.PositiveSmallIntegerField()
    respondent = models.CharField(max_length=64)
    answered_on = models.DateField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("survey", "question", "respondent"), name="grievance_survey_answer_once"
            ),
        )

    def __str__(self) -> str:
        return f"answer to survey {self.survey_id} question {self.question}"


class SmsInbox(models.Model):
    """A received SMS waiting to be filed: what a webhook keeps when it answers at once.

    One row per (gateway, id of the message): a retry or a duplicate delivery inserts nothing
    (``ON CONFLICT DO NOTHING``). The sender's number and the text are sealed together, bound to
    that id; a worker files the rows into cases in batches and deletes them. No time is kept.
    """

    changelog_exclude = ("sealed",)

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    gateway = models.CharField(max_length=20)
    external_id = models.CharField(max_length=200)
    key_id = models.CharField(max_length=40)
    sealed = models.BinaryField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("gateway", "external_id"), name="grievance_inbox_once"),
        )

    def __str__(self) -> str:
        return f"SMS inbox {self.gateway}:{self.external_id}"
