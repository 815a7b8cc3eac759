"""Vocabularies of the core app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    BRAND = "brand", _("Brand")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    COMPONENT_MAKER = "component_maker", _("Component maker")
    TRADER = "trader", _("Trader / exporter")
    PROCESSOR = "processor", _("Processor")
    SMELTER = "smelter", _("Smelter / refiner")
    MINING = "mining", _("Mining company or cooperative")
    INITIATIVE = "initiative", _("Initiative")
    AUDIT_BODY = "audit_body", _("Audit body")
    NGO = "ngo", _("NGO")
    GOVERNMENT = "government", _("Government")


class Approval(models.TextChoices):
    """Where an organisation's sign-up stands: the operator approves or rejects it."""

    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    SUPPLIER_CONTRIBUTOR = "supplier_contributor", _("Supplier contributor")
    AUDITOR = "auditor", _("Auditor")
    GRIEVANCE_OFFICER = "grievance_officer", _("Grievance officer")
    VIEWER = "viewer", _("Viewer")
    CASE_WORKER = "case_worker", _("Case worker")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class TemplateFamily(models.TextChoices):
    """The RMI reporting template a mineral is declared in."""

    CMRT = "CMRT", _("Conflict Minerals Reporting Template")
    EMRT = "EMRT", _("Extended Minerals Reporting Template")
    AMRT = "AMRT", _("Additional Minerals Reporting Template")


class GrantAccess(models.TextChoices):
    VIEW = "view", _("View")


class NotificationKind(models.TextChoices):
    """What a notification is about: the notifications page filters and labels by it."""

    ASSIGNMENT = "assignment", _("Assignment")
    RECEIVED = "received", _("Received")
    DECISION = "decision", _("Decision")
    SEND_BACK = "send_back", _("Sent back")
    SUPPORT = "support", _("Support request")
    CAMPAIGN = "campaign", _("Campaign")
    OVERDUE = "overdue", _("Overdue")
    REMINDER = "reminder", _("Due soon")
    ONBOARDING = "onboarding", _("Organisation and members")


class Digest(models.TextChoices):
    """How a person's notifications reach them by e-mail (they always show in the app)."""

    IMMEDIATE = "immediate", _("Each one by e-mail at once")
    DAILY = "daily", _("A daily digest by e-mail")
    WEEKLY = "weekly", _("A weekly digest by e-mail")
    NONE = "none", _("In the app only, no e-mail")
