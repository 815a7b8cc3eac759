"""Standards with sections, criteria and questions; assessments, answers, evidence, review
comments; improvement plans with support requests; and the training library.

Every text of a standard is stored with the standard in each of its languages, as a JSON object
``{"en": …, "fr": …, "hi": …}`` (see ``texts.localise``), so that a standard travels as one YAML
file and a respondent can switch the language of the questions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

from oretrace.assessments.choices import (
    ActionStatus,
    AnswerType,
    AssessmentStatus,
    Severity,
    SupportKind,
    SupportStatus,
    TrainingFormat,
)
from oretrace.core.models import (
    FileVersion,
    FileVersionQuerySet,
    OptionalLink,
    OrgOwnedModel,
    OrgOwnedQuerySet,
    TimeStampedModel,
    file_version_constraints,
    optional_link,
    optional_organisation,
    optional_user,
)
from oretrace.core.tenancy import scope_to_member
from oretrace.registry.models import Facility

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class Standard(FileVersion):
    """One version of a workplace or due-diligence standard, with its questionnaire.

    A version never changes once imported: assessments point at it, and their scores mean
    something only against the exact criteria they were answered against.
    """

    organisation = optional_organisation(
        "Owner; empty for a standard shipped with oretrace (visible to everyone).",
        related_name="standards",
    )
    created_by = optional_user()
    description = models.JSONField(default=dict, blank=True)
    languages = models.JSONField(default=list, help_text="Language codes every text is in.")
    source_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the YAML file it was imported from."
    )

    objects = FileVersionQuerySet.as_manager()

    class Meta(FileVersion.Meta):
        constraints = file_version_constraints("standard")


class StandardPartQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: Membership) -> Self:
        """Parts of the standards the member may see."""
        return self.filter(standard__in=Standard.objects.for_member(member))


class Section(models.Model):
    """A chapter of a standard (environment, health and safety, labour, governance …)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    title = models.JSONField(default=dict)

    objects = StandardPartQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "position"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="section_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title.get('en', '')}"


class CriterionQuerySet(models.QuerySet["Criterion"]):
    def for_member(self, member: Membership) -> Self:
        return self.filter(section__standard__in=Standard.objects.for_member(member))


class Criterion(models.Model):
    """One requirement of a standard, with its guidance, severity and references."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    requirement = models.JSONField(default=dict)
    guidance = models.JSONField(default=dict, blank=True)
    improvement_steps = models.JSONField(
        default=dict,
        blank=True,
        help_text="Suggested steps to close a gap, one per line, by language code.",
    )
    ilo_conventions = models.JSONField(
        default=list, blank=True, help_text="ILO convention numbers, e.g. C138."
    )
    oecd_annex_ii = models.JSONField(
        default=list, blank=True, help_text="OECD Annex II risk numbers 1-10."
    )
    rra_issue_areas = models.JSONField(
        default=list, blank=True, help_text="RRA issue areas, as the RRA names them."
    )

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["section__position", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class Question(models.Model):
    """A question of a standard's questionnaire, linked to the criterion it gives evidence on.

    Scoring parameters depend on the answer type: ``expected`` (yes/no), ``minimum`` and
    ``maximum`` (number), ``max_age_days`` (date), and an outcome per choice (choice).
    A conditional question is shown only when ``shown_when`` got one of ``shown_when_values``.
    """

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="questions")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=50)
    position = models.PositiveIntegerField(help_text="Order within the whole questionnaire.")
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    text = models.JSONField(default=dict)
    help = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=True)
    evidence_required = models.BooleanField(default=False)
    allow_not_applicable = models.BooleanField(default=False)
    expected = models.CharField(max_length=3, blank=True, help_text="yes or no (yes/no questions).")
    minimum = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    maximum = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.JSONField(default=dict, blank=True)
    max_age_days = models.PositiveIntegerField(null=True, blank=True)
    choices = models.JSONField(
        default=list, blank=True, help_text="[{value, label: {lang: text}, outcome}] for choices."
    )
    shown_when: OptionalLink[Question] = optional_link(
        "self", related_name="dependants", on_delete=models.CASCADE
    )
    shown_when_values = models.JSONField(default=list, blank=True)

    objects = StandardPartQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "position"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="question_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class StandardDraft(OrgOwnedModel):
    """A standard version being written in the editor, before it is published.

    The draft is kept as the text of its YAML file, checked by the same rules as an import
    after every edit, so what is published is exactly what an export of it would hold.
    Publishing imports that text as an immutable ``Standard`` and closes the draft.
    """

    code = models.SlugField(max_length=80)
    base = optional_link(
        Standard,
        "The version it was copied from, if any.",
        related_name="drafts",
        on_delete=models.SET_NULL,
    )
    source = models.TextField(help_text="The draft as a standard YAML file, always valid.")
    published = models.OneToOneField(
        Standard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
        help_text="The version it was published as; a published draft is closed.",
    )

    class Meta:
        ordering = ["code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.code} (draft)"


class AssessmentQuerySet(OrgOwnedQuerySet["Assessment"]):
    def for_member(self, member: Membership) -> AssessmentQuerySet:
        """Assessments the member's organisation assigned or was assigned, and shared ones.

        The assessment names both parties on its own row; nobody else sees it.
        """
        return scope_to_member(self, member, public=Q(supplier_id=member.organisation_id))


class Assessment(OrgOwnedModel):
    """A self-assessment of one supplier against one standard version, assigned by
    ``organisation`` (a buyer, an initiative or an auditor) with a due date.

    The score and the outcome per criterion are stored when the supplier submits, so that the
    result committed to the ledger can be recomputed by the tamper audit.
    """

    supplier = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="assessments_received"
    )
    facility = optional_link(Facility, related_name="assessments")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="assessments")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.ASSIGNED
    )
    message = models.TextField(blank=True, help_text="A note from the assigning organisation.")
    review_note = models.TextField(
        blank=True, help_text="Why the reviewers sent it back, when they did."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Overall percentage at the last submission.",
    )
    result = models.JSONField(
        default=dict,
        blank=True,
        help_text="Outcome per criterion and section at the last submission.",
    )

    objects = AssessmentQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["supplier", "status"], name="assessment_supplier_idx")]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.standard.version} — {self.supplier}"


class AssessmentPartQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: Membership) -> Self:
        """Rows of the assessments the member may see."""
        return self.filter(assessment__in=Assessment.objects.for_member(member))


class Answer(TimeStampedModel):
    """The supplier's answer to one question of one assessment; saved as they go."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(
        null=True,
        blank=True,
        help_text="yes/no/partly/na, a number, an ISO date, text or a choice.",
    )
    note = models.TextField(blank=True, help_text="The supplier's explanation.")
    updated_by = optional_user()

    objects = AssessmentPartQuerySet.as_manager()

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.value}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def for_member(self, member: Membership) -> Self:
        return self.filter(answer__assessment__in=Assessment.objects.for_member(member))


class Evidence(TimeStampedModel):
    """A file a supplier uploaded to support one answer; checked by type and size first."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="assessments/evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = optional_user()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name


class ReviewCommentQuerySet(models.QuerySet["ReviewComment"]):
    def for_member(self, member: Membership) -> Self:
        return self.filter(answer__assessment__in=Assessment.objects.for_member(member))


class ReviewComment(TimeStampedModel):
    """A reviewer's comment on one answer (or the supplier's reply to it)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    author = optional_user()
    author_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()

    objects = ReviewCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ImprovementAction(TimeStampedModel):
    """One action of an assessment's improvement plan: closing the gap on one criterion."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="actions")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    steps = models.TextField(help_text="Suggested steps, one per line; the supplier may edit them.")
    steps_language = models.CharField(
        max_length=10,
        blank=True,
        help_text="The language of the standard's steps as copied (they may have none in the "
        "reader's language); empty once the supplier wrote them.",
    )
    owner_name = models.CharField(
        max_length=200, blank=True, help_text="Who at the supplier carries the action."
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentPartQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="action_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} ({self.get_status_display()})"


class ActionPartQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: Membership) -> Self:
        return self.filter(action__assessment__in=Assessment.objects.for_member(member))


class ProgressUpdate(TimeStampedModel):
    """A note on an action's progress, with an optional evidence file."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="updates")
    author = optional_user()
    text = models.TextField()
    file = models.FileField(upload_to="assessments/progress/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)

    objects = ActionPartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class SupportRequest(TimeStampedModel):
    """A supplier's request for help with an action, answered by the assigning organisation."""

    action = models.ForeignKey(
        ImprovementAction, on_delete=models.CASCADE, related_name="support_requests"
    )
    kind = models.CharField(max_length=12, choices=SupportKind.choices)
    message = models.TextField()
    status = models.CharField(
        max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    response = models.TextField(blank=True)
    requested_by = optional_user()
    answered_by = optional_user()

    objects = ActionPartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class TrainingModuleQuerySet(models.QuerySet["TrainingModule"]):
    def for_member(self, member: Membership) -> Self:
        """Shipped modules, the member's organisation's own, shared ones, and the libraries of
        the organisations that assigned it an assessment (they support their suppliers)."""
        assigners = Assessment.objects.filter(supplier_id=member.organisation_id).values(
            "organisation_id"
        )
        public = Q(organisation__isnull=True) | Q(organisation_id__in=assigners)
        return scope_to_member(self, member, public=public)


class TrainingModule(TimeStampedModel):
    """A training resource in the library, linked to the criteria it helps meet."""

    organisation = optional_organisation(
        "Owner; empty for a module shipped with oretrace.",
        related_name="training_modules",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=10, help_text="Language code of the material.")
    format = models.CharField(max_length=10, choices=TrainingFormat.choices)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to="assessments/training/", blank=True)
    standard_code = models.SlugField(max_length=80)
    criterion_codes = models.JSONField(
        default=list, help_text="Codes of the criteria covered, in any version."
    )

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        ordering = ["standard_code", "title", "language"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


ACTION_OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
OPEN_STATUSES = (AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED)
