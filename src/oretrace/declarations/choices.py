"""Choices of the declarations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


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
# Statuses that count as a response (question 6 of the organisation's own declaration), and
# those a reminder goes to.
RESPONDED = (RequestStatus.RECEIVED, RequestStatus.NEEDS_CORRECTION, RequestStatus.ACCEPTED)
AWAITING = (RequestStatus.REQUESTED, RequestStatus.REMINDED)


# What each numbered per-mineral question asks, by its meaning (``rmi.maps.QUESTION_ROLES``
# gives each family's number for it), in our words: the page shows it beside the number.
QUESTION_TEXTS = {
    "used": _("Is the mineral intentionally added to or used in the products or their making?"),
    "remains": _("Does any of it remain in the products?"),
    "covered": _("Does any of it come from the DRC or an adjoining country?"),
    "cahra": _("Does any of it come from a conflict-affected or high-risk area?"),
    "recycled": _("Does all of it come from recycled or scrap sources?"),
    "response": _("What share of relevant suppliers has answered?"),
    "identified": _("Have all the smelters or refiners supplying it been identified?"),
    "reported": _("Is every smelter or refiner the company was told of listed here?"),
}

# The CMRT company-level questions (A to H), in our words.
CMRT_COMPANY_QUESTION_TEXTS = {
    "A": _("Does the company have a responsible minerals sourcing policy?"),
    "B": _("Is the policy published on the company's website?"),
    "C": _(
        "Does the company require its direct suppliers to source from smelters validated by an "
        "independent third-party audit?"
    ),
    "D": _("Has the company put due diligence measures for responsible sourcing in place?"),
    "E": _("Does the company survey its relevant suppliers?"),
    "F": _("Does the company review its suppliers' due diligence against its expectations?"),
    "G": _("Does that review include managing corrective actions?"),
    "H": _("Must the company file a yearly conflict minerals disclosure?"),
}


# The answers the RMI templates offer in their lists, written in English in every language of
# the template: shown to a reader in their language (anything else as the supplier wrote it).
ANSWER_TEXTS = {
    value: value
    for value in (
        gettext_noop("Yes"),
        gettext_noop("No"),
        gettext_noop("Unknown"),
        gettext_noop("None"),
        gettext_noop("Not declaring"),
        gettext_noop("Not applicable for this declaration"),
        gettext_noop("DRC only"),
        gettext_noop("DRC or adjoining countries only"),
        gettext_noop("India and/or Madagascar only"),
        gettext_noop("Greater than 90%"),
        gettext_noop("Greater than 75%"),
        gettext_noop("Greater than 50%"),
        # xgettext:no-python-format
        gettext_noop("50% or less"),
        gettext_noop("Did not survey"),
    )
}
