"""Community programmes, their villages, monitoring visits and children's cases.

A ``Programme`` (run by one organisation, typically an initiative) covers ``Village`` rows, each
linked to the registry's mines and collection points around it, with baselines and targets
(``Target``) and reporting periods. A ``MonitoringVisit`` records one indicator set's values
(``VisitValue``) for a village, under the set version it was recorded with. A ``ChildCase``
follows a child from identification to closure under a pseudonymous reference; what identifies
the child is sealed with keys outside the database (``sealing``), each opening is a
``CaseRead``. ``Service`` rows are remediation services and referrals, ``FollowUp`` rows the
visits due and made.
"""

from __future__ import annotations

from django.db import models

from oretrace.audits.models.files import StoredFile
from oretrace.core.models import OrgOwnedModel, SealedRead, SealedRow
from oretrace.programmes.choices import (
    AgeBand,
    CaseStatus,
    Gender,
    JoinStatus,
    LicenceStatus,
    OfferKind,
    OfferStatus,
    Remediation,
    Source,
    Trainee,
)


class Programme(OrgOwnedModel):
    """A community programme: who runs it, who takes part and pays, when, and what it works on."""

    name = models.CharField(max_length=200)
    partners = models.TextField(blank=True, help_text="Implementing partners, one per line.")
    donors = models.TextField(blank=True, help_text="Donors and funders, one per line.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    areas = models.JSONField(default=list, help_text="ILO areas of work (choices.IloArea).")
    indicator_set = models.CharField(
        max_length=60, help_text="The indicator set its villages are monitored with."
    )
    follow_ups_to_close = models.PositiveSmallIntegerField(
        default=2, help_text="Follow-up visits finding the child out of work before closing."
    )
    follow_up_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days between a case's follow-up visits."
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def partner_list(self) -> list[str]:
        return [line.strip() for line in self.partners.splitlines() if line.strip()]

    def donor_list(self) -> list[str]:
        return [line.strip() for line in self.donors.splitlines() if line.strip()]


class Village(OrgOwnedModel):
    """A village or community a programme works in, and the mines and depots around it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="villages")
    name = models.CharField(max_length=200)
    district = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=120, blank=True)
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    facilities = models.ManyToManyField(
        "registry.Facility", related_name="programme_villages", blank=True
    )

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("programme", "name"), name="programme_village_name"),
        )

    def __str__(self) -> str:
        return self.name


class ReportingPeriod(OrgOwnedModel):
    """A period the programme reports on (a quarter, a donor's year)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ("starts_on",)

    def __str__(self) -> str:
        return self.label


class Target(OrgOwnedModel):
    """Where an indicator stood at the baseline and where the programme means it to be."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(max_length=60)
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    by = models.DateField(help_text="When the target should be met.")

    class Meta:
        ordering = ("indicator",)
        constraints = (
            models.UniqueConstraint(fields=("programme", "indicator"), name="programme_target"),
        )

    def __str__(self) -> str:
        return f"{self.indicator}: {self.baseline} → {self.target}"


class MonitoringVisit(OrgOwnedModel):
    """One visit to a village recording an indicator set, under the version it was made with."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    indicator_set = models.CharField(max_length=60)
    set_version = models.PositiveIntegerField()
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    evidence = models.TextField(
        blank=True, help_text="What was seen and where it is kept (photos, registers, lists)."
    )

    class Meta:
        ordering = ("-visited_on", "-pk")

    def __str__(self) -> str:
        return f"{self.village} {self.visited_on}"


class VisitValue(models.Model):
    """One indicator's value found on a visit."""

    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ("pk",)
        constraints = (
            models.UniqueConstraint(fields=("visit", "indicator"), name="programme_visit_value"),
        )

    def __str__(self) -> str:
        return f"{self.indicator}={self.value}"


class ChildCase(SealedRow, OrgOwnedModel):
    """A child's remediation case, known by its pseudonymous reference everywhere; who the
    child is (name, birth date, location) is sealed in ``sealed``."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cases")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=16, unique=True, editable=False)
    age_band = models.CharField(max_length=5, choices=AgeBand.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    identified_on = models.DateField()
    found_working = models.BooleanField(
        default=True, help_text="Found in child labour (hazardous work) when identified."
    )
    consent_on = models.DateField(null=True, blank=True)
    consent_by = models.CharField(
        max_length=60, blank=True, help_text="Who consented: 'parent', 'guardian', 'child'."
    )
    assessed_on = models.DateField(null=True, blank=True)
    plan_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=CaseStatus.choices, default=CaseStatus.IDENTIFIED
    )
    version = models.PositiveIntegerField(
        default=0,
        help_text="Raised by every change to the case; a form sent from a phone names the "
        "version it was filled against, and a later change is shown as a conflict.",
    )

    class Meta:
        ordering = ("-identified_on", "-pk")

    def __str__(self) -> str:
        return self.reference


class Service(models.Model):
    """A remediation service for a case: given by the programme or referred to a partner."""

    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(max_length=20, choices=Remediation.choices)
    referred_to = models.CharField(
        max_length=200, blank=True, help_text="The partner organisation it was referred to."
    )
    planned_on = models.DateField()
    due_on = models.DateField()
    delivered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("planned_on", "pk")

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class FollowUp(models.Model):
    """A follow-up visit to a child: due on a day, made (or not) on another."""

    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    still_working = models.BooleanField(
        null=True, help_text="Found in child labour at this visit (unknown until made)."
    )

    class Meta:
        ordering = ("due_on", "pk")

    def __str__(self) -> str:
        return f"{self.case} due {self.due_on}"

    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


class CaseRead(SealedRead):
    """Who opened a child's identity, and when: every opening is one row."""

    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="reads")

    def __str__(self) -> str:
        return f"read of {self.case_id}"


class LicenceEntry(OrgOwnedModel):
    """One change of a mine's or collection point's licence (formalisation): entries are only
    added, the current status is the latest by effective date, and a granted licence past its
    expiry date reads as expired (never recorded as such). ``organisation`` is who recorded it:
    the facility's owner or an organisation running a programme that covers it."""

    facility = models.ForeignKey(
        "registry.Facility", on_delete=models.CASCADE, related_name="licence_entries"
    )
    status = models.CharField(max_length=10, choices=LicenceStatus.choices)
    effective_on = models.DateField(
        help_text="When it took effect: the day applied for, granted, or found unlicensed."
    )
    expires_on = models.DateField(null=True, blank=True, help_text="A granted licence's end.")
    authority = models.CharField(max_length=200, blank=True, help_text="Who issues the licence.")
    number = models.CharField(max_length=100, blank=True, help_text="The licence's number.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-effective_on", "-created_at", "-pk")
        indexes = (models.Index(fields=("facility", "effective_on"), name="licence_history_idx"),)

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.effective_on}"


class LicenceDocument(StoredFile):
    """A licence, an application's receipt or an authority's letter kept as evidence of an
    entry: checked by type and size, stored under its digest."""

    entry = models.ForeignKey(LicenceEntry, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="programmes/licences/%Y/%m/")

    class Meta:
        ordering = ("created_at", "pk")


class TrainingSession(OrgOwnedModel):
    """A training session run by an organisation — a programme's owner, an initiative, a buyer —
    for processors, supervisors, workers or its own field staff. Its topic is linked to the
    workplace standard's criteria (by code, as training modules are) and to the ILO areas of
    work, so that an improvement action or a finding on one of those criteria offers it."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        help_text="The programme it is part of, if any.",
    )
    title = models.CharField(max_length=200)
    topic = models.TextField(blank=True, help_text="What it teaches, in a few lines.")
    standard_code = models.SlugField(max_length=80, blank=True)
    criterion_codes = models.JSONField(
        default=list, blank=True, help_text="Codes of the standard's criteria it helps meet."
    )
    areas = models.JSONField(default=list, blank=True, help_text="ILO areas of work.")
    audiences = models.JSONField(default=list, help_text="Who it is for (choices.Trainee).")
    language = models.CharField(max_length=10, help_text="The language it is given in.")
    held_on = models.DateField()
    village = models.ForeignKey(
        Village, on_delete=models.SET_NULL, null=True, blank=True, related_name="trainings"
    )
    facility = models.ForeignKey(
        "registry.Facility",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings",
    )
    place = models.CharField(max_length=200, blank=True, help_text="Where, in words.")
    trainer = models.CharField(max_length=200)

    class Meta:
        ordering = ("-held_on", "-pk")

    def __str__(self) -> str:
        return f"{self.title} {self.held_on}"


class TrainingCount(models.Model):
    """How many people of one role and gender attended: counts only, never names."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="counts")
    role = models.CharField(max_length=12, choices=Trainee.choices)
    gender = models.CharField(max_length=6, choices=Gender.choices)
    people = models.PositiveIntegerField()

    class Meta:
        ordering = ("role", "gender")
        constraints = (
            models.UniqueConstraint(fields=("session", "role", "gender"), name="training_count"),
        )

    def __str__(self) -> str:
        return f"{self.role}/{self.gender}: {self.people}"


class TrainingStaff(models.Model):
    """One of the organiser's own field staff who attended, by name (staff only)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(max_length=200)
    gender = models.CharField(max_length=6, choices=Gender.choices)

    class Meta:
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class TrainingMaterial(StoredFile):
    """A handout, a poster or slides of a session, in the language it was made in."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    language = models.CharField(max_length=10)
    file = models.FileField(upload_to="programmes/training/%Y/%m/")

    class Meta:
        ordering = ("created_at", "pk")


class JoinRequest(OrgOwnedModel):
    """A supplier's request to send people to a training session offered on one of its
    improvement actions or audit findings; ``organisation`` is the requesting organisation,
    the session's organiser answers it."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="join_requests"
    )
    improvement_action = models.ForeignKey(
        "assessments.ImprovementAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_requests",
    )
    finding = models.ForeignKey(
        "audits.Finding",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_requests",
    )
    criterion_code = models.CharField(max_length=40)
    people = models.PositiveSmallIntegerField()
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=JoinStatus.choices, default=JoinStatus.OPEN)
    answered_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.session_id} ({self.status})"


class SupportOffer(OrgOwnedModel):
    """A buyer's offer to fund or join a programme its material comes from, and the answer.

    Owned by the programme's organisation (it answers); ``requester`` is the buyer that asked,
    which sees its own offers. Nothing of a child is in it.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="support_offers"
    )
    requester = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="programme_offers"
    )
    kind = models.CharField(max_length=8, choices=OfferKind.choices)
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    answer = models.TextField(blank=True, max_length=2000)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.programme_id} by {self.requester_id}"


class DonorReport(OrgOwnedModel):
    """A programme's indicator report for a period as issued (the PDF itself), with its SHA-256;
    the fingerprint is committed to the transparency log (``records``)."""

    changelog_exclude = ("document",)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reports")
    period_label = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()
    sha256 = models.CharField(max_length=64)
    document = models.BinaryField(help_text="The PDF as issued, byte for byte.")

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.programme} {self.period_label}"


class SyncReceipt(OrgOwnedModel):
    """What a form queued on a phone (working offline) became, under the key the phone gave
    it: a replay of the same key answers this result again and writes nothing."""

    key = models.UUIDField(help_text="The idempotency key the phone generated for the form.")
    member = models.ForeignKey("core.Membership", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.UniqueConstraint(fields=("organisation", "key"), name="programme_sync_key"),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
