"""Vocabularies of the assessments app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How serious a gap against a criterion is; orders gaps and sets improvement due dates."""

    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# Keyed by str: a model's severity is read back as a plain string.
SEVERITY_RANK: dict[str, int] = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
}
# Days from the plan's creation to an action's due date, by the gap's severity.
SEVERITY_DUE_DAYS: dict[str, int] = {
    Severity.CRITICAL: 30,
    Severity.HIGH: 90,
    Severity.MEDIUM: 180,
    Severity.LOW: 365,
}


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no / partly / not applicable")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    EVIDENCE = "evidence", _("Evidence file")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PARTLY = "partly", _("Partly")
    NOT_APPLICABLE = "na", _("Not applicable")


class Outcome(models.TextChoices):
    """The result of a question or a criterion (see docs/user-guide/assessments.md)."""

    MET = "met", _("Meets")
    PARTLY = "partly", _("Partly meets")
    NOT_MET = "not_met", _("Does not meet")
    NOT_APPLICABLE = "na", _("Not applicable")


class AssessmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for clarification")
    ACCEPTED = "accepted", _("Accepted")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class SupportKind(models.TextChoices):
    SITE_VISIT = "site_visit", _("Site visit")
    TRAINING = "training", _("Training session")
    EXPERT_CALL = "expert_call", _("Expert call")


class SupportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")


class TrainingFormat(models.TextChoices):
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")
    SLIDES = "slides", _("Slides")
    COURSE = "course", _("Course")
    AUDIO = "audio", _("Audio")
    POSTER = "poster", _("Poster")
