"""Vocabularies of the grievance app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Intake(models.TextChoices):
    """How a report reached the organisation: the reporter's own channel, or an officer who
    wrote down what they heard or read."""

    WEB = "web", _("Web form")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    PAPER = "paper", _("On paper")


# What an officer may mark when they record a report themselves.
OPERATOR_INTAKES = (Intake.PHONE, Intake.IN_PERSON, Intake.PAPER)


class CaseStatus(models.TextChoices):
    """Where a case stands: received, acknowledged to the reporter, being looked into, being
    put right, or closed with an outcome the reporter can read."""

    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATION = "investigation", _("Under investigation")
    REMEDIATION = "remediation", _("Under remediation")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.ACKNOWLEDGED,
    CaseStatus.INVESTIGATION,
    CaseStatus.REMEDIATION,
)


class Category(models.TextChoices):
    """What a report is about: the ten risks of Annex II of the OECD Guidance, then the ILO's
    labour indicators a workplace standard covers beyond them."""

    TORTURE = "torture", _("Torture, cruel, inhuman and degrading treatment")
    FORCED_LABOUR = "forced_labour", _("Forced or compulsory labour")
    CHILD_LABOUR = "child_labour", _("Worst forms of child labour")
    HUMAN_RIGHTS = "human_rights", _("Other gross human-rights violations")
    WAR_CRIMES = "war_crimes", _("War crimes, crimes against humanity, genocide")
    ARMED_GROUPS = "armed_groups", _("Support to non-state armed groups")
    SECURITY_FORCES = "security_forces", _("Support to public or private security forces")
    BRIBERY = "bribery", _("Bribery and fraudulent misrepresentation of origin")
    MONEY_LAUNDERING = "money_laundering", _("Money laundering")
    TAXES = "taxes", _("Non-payment of taxes, fees and royalties")
    HEALTH_SAFETY = "health_safety", _("Labour: occupational health and safety")
    WAGES_HOURS = "wages_hours", _("Labour: wages and working hours")
    ASSOCIATION = "association", _("Labour: freedom of association")
    DISCRIMINATION = "discrimination", _("Labour: discrimination and harassment")
    ENVIRONMENT = "environment", _("Environment")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    IMMEDIATE = "immediate", _("Immediate danger")


class Author(models.TextChoices):
    """Who wrote a message of a case's conversation."""

    REPORTER = "reporter", _("Reporter")
    OFFICER = "officer", _("Grievance officer")


class EventKind(models.TextChoices):
    """A step of a case's life: each one is a record of the transparency log (no content)."""

    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    FEEDBACK = "feedback", _("Feedback given")
    REMEDIATION = "remediation", _("Remediation started")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    PURGED = "purged", _("Content purged")
    FINDING = "audit-finding", _("Finding added to an audit")
    AUDIT = "audit-requested", _("Unannounced audit planned")


class LinkTarget(models.TextChoices):
    """What of the supply chain a case is linked to."""

    FACILITY = "facility", _("Facility")
    SUPPLIER = "supplier", _("Supplier")
    LOT = "lot", _("Lot")
    AUDIT = "audit", _("Audit")


class AuditActionKind(models.TextChoices):
    """What a grievance officer opened in the audits app from a case."""

    FINDING = "finding", _("Finding with a corrective action")
    AUDIT = "audit", _("Unannounced audit")


class OutboundStatus(models.TextChoices):
    """Where an outgoing SMS stands: waiting for the gateway, accepted by it, or given up."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SurveyStatus(models.TextChoices):
    """A pulse survey takes opt-ins and answers while open; closed, its results remain."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
