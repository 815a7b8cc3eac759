"""factory_boy factories for the assessments (tests only): rows, not the shipped standards
(``services.import_standard`` reads those)."""

from __future__ import annotations

from datetime import date

import factory

from oretrace.assessments.models import (
    Answer,
    Assessment,
    Criterion,
    Evidence,
    ImprovementAction,
    ProgressUpdate,
    Question,
    ReviewComment,
    Section,
    Standard,
    StandardDraft,
    SupportRequest,
    TrainingModule,
)
from oretrace.core.tests.factories import OrganisationFactory


class StandardFactory(factory.django.DjangoModelFactory[Standard]):
    class Meta:
        model = "assessments.Standard"

    code = factory.Sequence(lambda n: f"test-standard-{n}")
    version = "1.0"


class SectionFactory(factory.django.DjangoModelFactory[Section]):
    class Meta:
        model = "assessments.Section"

    standard = factory.SubFactory(StandardFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    position = factory.Sequence(lambda n: n)


class CriterionFactory(factory.django.DjangoModelFactory[Criterion]):
    class Meta:
        model = "assessments.Criterion"

    section = factory.SubFactory(SectionFactory)
    code = factory.Sequence(lambda n: f"C.{n}")
    position = factory.Sequence(lambda n: n)
    severity = "medium"


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = "assessments.Question"

    criterion = factory.SubFactory(CriterionFactory)
    standard = factory.SelfAttribute("criterion.section.standard")
    code = factory.Sequence(lambda n: f"Q.{n}.a")
    position = factory.Sequence(lambda n: n)
    answer_type = "yes_no"


class StandardDraftFactory(factory.django.DjangoModelFactory[StandardDraft]):
    class Meta:
        model = "assessments.StandardDraft"

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"draft-{n}")
    source = "code: draft\n"


class AssessmentFactory(factory.django.DjangoModelFactory[Assessment]):
    class Meta:
        model = "assessments.Assessment"

    organisation = factory.SubFactory(OrganisationFactory)
    supplier = factory.SubFactory(OrganisationFactory)
    standard = factory.SubFactory(StandardFactory)
    due_on = date(2027, 1, 31)


class AnswerFactory(factory.django.DjangoModelFactory[Answer]):
    class Meta:
        model = "assessments.Answer"

    assessment = factory.SubFactory(AssessmentFactory)
    question = factory.SubFactory(
        QuestionFactory,
        criterion__section__standard=factory.SelfAttribute("....assessment.standard"),
    )


class EvidenceFactory(factory.django.DjangoModelFactory[Evidence]):
    class Meta:
        model = "assessments.Evidence"

    answer = factory.SubFactory(AnswerFactory)
    file = factory.django.FileField(filename="evidence.pdf", data=b"%PDF-1.4\n")
    original_name = "evidence.pdf"
    content_type = "application/pdf"
    size = 9
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class ReviewCommentFactory(factory.django.DjangoModelFactory[ReviewComment]):
    class Meta:
        model = "assessments.ReviewComment"

    answer = factory.SubFactory(AnswerFactory)
    author_organisation = factory.SelfAttribute("answer.assessment.organisation")
    text = "Please add the register."


class ImprovementActionFactory(factory.django.DjangoModelFactory[ImprovementAction]):
    class Meta:
        model = "assessments.ImprovementAction"

    assessment = factory.SubFactory(AssessmentFactory)
    criterion = factory.SubFactory(
        CriterionFactory, section__standard=factory.SelfAttribute("...assessment.standard")
    )
    severity = "medium"
    steps = "Write the procedure."
    due_on = date(2027, 3, 31)


class ProgressUpdateFactory(factory.django.DjangoModelFactory[ProgressUpdate]):
    class Meta:
        model = "assessments.ProgressUpdate"

    action = factory.SubFactory(ImprovementActionFactory)
    text = "Half done."


class SupportRequestFactory(factory.django.DjangoModelFactory[SupportRequest]):
    class Meta:
        model = "assessments.SupportRequest"

    action = factory.SubFactory(ImprovementActionFactory)
    kind = "training"
    message = "We need a trainer."


class TrainingModuleFactory(factory.django.DjangoModelFactory[TrainingModule]):
    class Meta:
        model = "assessments.TrainingModule"

    title = factory.Sequence(lambda n: f"Module {n}")
    language = "en"
    format = "video"
    url = "https://training.example/m"
    standard_code = "mica-processing-workplace"
