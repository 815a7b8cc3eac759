"""Vocabularies of the community programmes app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IloArea(models.TextChoices):
    """The nine areas of work of the ILO's mapping of interventions against child labour in
    artisanal mineral supply chains (2020), in short words of our own."""

    AREA_BASED = "area_based", _("Area-based work (child-labour-free zones)")
    DIALOGUE = "dialogue", _("Social dialogue and information sharing")
    EDUCATION = "education", _("Education and awareness raising")
    STANDARDS = "standards", _("Laws, standards, formalisation and traceability")
    RIGHTS = "rights", _("Human rights, gender, community and family work")
    RESEARCH = "research", _("Research, monitoring and baseline studies")
    FUNDING = "funding", _("Investment and funding")
    ADVISORY = "advisory", _("Technical advice, advocacy and capacity building")
    DECENT_WORK = "decent_work", _("Decent work, social protection, nutrition and health")


class CaseStatus(models.TextChoices):
    """Where a child's case stands; derived from what was recorded, never set by hand."""

    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    CASE_PLAN = "case_plan", _("Case plan")
    SERVICES = "services", _("Remediation services")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class Remediation(models.TextChoices):
    SCHOOL = "school", _("School enrolment")
    BRIDGE_SCHOOL = "bridge_school", _("Bridge school")
    BIRTH_REGISTRATION = "birth_registration", _("Birth registration")
    HEALTH = "health", _("Health care")
    INCOME = "income", _("Household income support")
    VOCATIONAL = "vocational", _("Vocational training (youth of working age)")


class Source(models.TextChoices):
    """How a child came to the programme's notice."""

    MONITORING = "monitoring", _("Monitoring visit")
    GRIEVANCE = "grievance", _("Grievance")
    AUDIT = "audit", _("Audit")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community member")


class AgeBand(models.TextChoices):
    UNDER_6 = "0-5", _("Under 6")
    SIX_TO_11 = "6-11", _("6 to 11")
    TWELVE_TO_14 = "12-14", _("12 to 14")
    FIFTEEN_TO_17 = "15-17", _("15 to 17")


class LicenceStatus(models.TextChoices):
    """Where a mine's or collection point's licence stands. ``expired`` is never recorded: it
    is read from a granted licence's expiry date (``licensing.status_on``)."""

    NONE = "none", _("No licence")
    APPLIED = "applied", _("Applied for")
    GRANTED = "granted", _("Granted")
    EXPIRED = "expired", _("Expired")


# What a person records; ``expired`` comes from the dates.
RECORDED_LICENCE_STATUSES = (LicenceStatus.NONE, LicenceStatus.APPLIED, LicenceStatus.GRANTED)


class Trainee(models.TextChoices):
    """Who a training session is for, and how its attendance is counted."""

    PROCESSOR = "processor", _("Processors (owners and managers)")
    SUPERVISOR = "supervisor", _("Supervisors")
    WORKER = "worker", _("Workers")
    FIELD_STAFF = "field_staff", _("Field staff")


class Gender(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    OTHER = "other", _("Other or not said")


class JoinStatus(models.TextChoices):
    """A request to join a training session, as its organiser answered it."""

    OPEN = "open", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class OfferKind(models.TextChoices):
    """What a buyer offers a programme its material comes from."""

    FUND = "fund", _("Fund the programme")
    JOIN = "join", _("Join the programme as a partner")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
