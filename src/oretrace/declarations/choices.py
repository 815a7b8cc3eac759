"""Choices of the declarations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    CMRT = "CMRT", _("CMRT: conflict minerals (tin, tantalum, tungsten, gold)")
    EMRT = "EMRT", _("EMRT: extended minerals (cobalt, mica, copper, …)")
    AMRT = "AMRT", _("AMRT: additional minerals")
    CRT = "CRT", _("CRT: cobalt")


class DeclarationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    NEEDS_CORRECTION = "needs_correction", _("Needs correction")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Severity(models.TextChoices):
    ERROR = "error", _("Checker error")
    WARNING = "warning", _("Warning")
    FLAG = "flag", _("Red flag")


class SmelterMatch(models.TextChoices):
    MATCHED = "matched", _("Matched")
    REVIEW = "review", _("Needs review")
    UNMATCHED = "unmatched", _("Not in the registry")
    NOT_IDENTIFIED = "not_identified", _("Not yet identified")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RequestStatus(models.TextChoices):
    """Where one supplier stands in a campaign, in the order a request usually moves."""

    REQUESTED = "requested", _("Requested")
    REMINDED = "reminded", _("Reminded")
    RECEIVED = "received", _("Received")
    NEEDS_CORRECTION = "needs_correction", _("Needs correction")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# The status a campaign request takes when the declaration that answered it is decided.
REQUEST_FOLLOWS = {
    DeclarationStatus.RECEIVED: RequestStatus.RECEIVED,
    DeclarationStatus.NEEDS_CORRECTION: RequestStatus.NEEDS_CORRECTION,
    DeclarationStatus.REJECTED: RequestStatus.NEEDS_CORRECTION,
    DeclarationStatus.ACCEPTED: RequestStatus.ACCEPTED,
}
