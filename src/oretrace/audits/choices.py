"""Vocabularies of the audits app.

The codes of audit types and finding grades are those of the programme files
(``audits.programmes``): a programme names them, an audit and a finding store them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditType(models.TextChoices):
    INITIAL = "initial", _("Initial audit")
    SURVEILLANCE = "surveillance", _("Surveillance audit")
    REAUDIT = "re-audit", _("Re-audit")
    FOLLOW_UP = "follow-up", _("Follow-up audit")
    UNANNOUNCED = "unannounced", _("Unannounced audit")


class AuditStatus(models.TextChoices):
    """An audit's life, in order (``services.audits`` holds the allowed moves)."""

    PLANNED = "planned", _("Planned")
    FIELDWORK = "fieldwork", _("Fieldwork")
    REPORT = "report", _("Report issued")
    CAP = "cap", _("Corrective action plan")
    VERIFICATION = "verification", _("Verification")
    CLOSED = "closed", _("Closed")


class FindingGrade(models.TextChoices):
    MAJOR = "major", _("Major non-conformity")
    MINOR = "minor", _("Minor non-conformity")
    OBSERVATION = "observation", _("Observation")
    IMPROVEMENT = "improvement", _("Opportunity for improvement")
    GOOD_PRACTICE = "good-practice", _("Good practice")
    ZERO_TOLERANCE = "zero-tolerance", _("Zero-tolerance issue")


# Grades the auditee must answer with corrective actions before the audit can close.
NEEDS_ACTION = frozenset({FindingGrade.MAJOR, FindingGrade.MINOR, FindingGrade.ZERO_TOLERANCE})


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done, awaiting verification")
    VERIFIED = "verified", _("Verified")


class ReviewDecision(models.TextChoices):
    SENT_BACK = "sent_back", _("Sent back")
    VERIFIED = "verified", _("Verified")


OPEN_STATUSES = (
    AuditStatus.PLANNED,
    AuditStatus.FIELDWORK,
    AuditStatus.REPORT,
    AuditStatus.CAP,
    AuditStatus.VERIFICATION,
)
