"""Demo assessments: the shipped standards, and the demo mica processor assessed twice a year
apart by its initiative, improving in between, with an improvement plan partly done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oretrace.assessments import services
from oretrace.assessments.choices import ActionStatus, SupportKind
from oretrace.assessments.models import Assessment, ImprovementAction, Standard
from oretrace.assessments.services import authoring, plans
from oretrace.assessments.shipped import install_shipped
from oretrace.core.demo import ACTOR, demo_step
from oretrace.core.models import Membership, Organisation
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility

# A minimal valid PDF: the demo's evidence files.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (question code -> answer) the year before, and now.
FIRST = {
    "ENV.1.a": "no",
    "ENV.2.a": "partly",
    "OHS.1.a": "yes",
    "OHS.1.b": "shared",
    "OHS.2.a": "yes",
    "OHS.2.b": "partly",
    "OHS.2.c": "days:500",
    "OHS.3.a": "partly",
    "OHS.3.b": "60",
    "OHS.4.a": "yes",
    "OHS.4.b": "0",
    "OHS.5.a": "no",
    "LAB.1.a": "partly",
    "LAB.1.b": "no",
    "LAB.2.a": "54",
    "LAB.2.b": "partly",
    "LAB.3.a": "yes",
    "LAB.3.b": "cash_only",
    "LAB.4.a": "no",
    "LAB.4.b": "days:700",
    "LAB.5.a": "yes",
    "LAB.6.a": "partly",
    "LAB.6.b": "no",
    "GOV.1.a": "partly",
    "GOV.1.b": "most",
    "GOV.3.a": "yes",
}
SECOND = {
    **FIRST,
    "ENV.1.a": "yes",
    "ENV.2.a": "yes",
    "OHS.1.b": "separate",
    "OHS.2.b": "yes",
    "OHS.3.a": "yes",
    "OHS.3.b": "95",
    "OHS.4.b": "3",
    "OHS.5.a": "yes",
    "LAB.1.a": "yes",
    "LAB.2.a": "48",
    "LAB.2.b": "yes",
    "LAB.3.b": "bank",
    "LAB.4.a": "yes",
    "OHS.2.c": "days:200",
    "LAB.4.b": "days:90",
    "LAB.6.a": "yes",
    "LAB.6.b": "partly",
    "GOV.1.a": "yes",
}
EVIDENCE = ("ENV.1.a", "OHS.2.b", "LAB.1.a", "LAB.3.a", "GOV.1.a", "GOV.2.a", "GOV.3.a")


def _answer(
    assessment: Assessment, answers: dict[str, str], on: date, *, missing_papers: tuple[str, ...]
) -> None:
    questions = {q.code: q for q in assessment.standard.questions.all()}
    for code, value in answers.items():
        if value.startswith("days:"):  # a date so many days before the assessment
            value = (on - timedelta(days=int(value[5:]))).isoformat()
        services.save_answer(assessment, questions[code], value=value, actor=ACTOR)
    for code in EVIDENCE:
        if code in missing_papers:
            continue
        upload = SimpleUploadedFile(f"{code}.pdf", DEMO_PDF, content_type="application/pdf")
        services.add_evidence(assessment, questions[code], upload=upload, actor=ACTOR)


# The initiative's training library (demo entries: the links are placeholders).
TRAINING = (
    ("Checking workers' ages at the gate", "hi", "video", ["LAB.1"]),
    ("Planning shifts within 48 hours", "hi", "slides", ["LAB.2"]),
    ("Paying piece-rate workers the minimum wage", "en", "document", ["LAB.3"]),
    ("Toilets, water and a clean canteen", "hi", "poster", ["OHS.1", "OHS.5"]),
    ("First aid at a mica unit", "hi", "course", ["OHS.4"]),
    ("Mica dust and your lungs", "hi", "audio", ["OHS.3"]),
    ("Recording where every bag of mica comes from", "en", "document", ["GOV.1"]),
)


def _training_library(initiative: Organisation) -> None:
    for title, language, kind, codes in TRAINING:
        slug = "-".join(title.lower().replace("'", "").split())
        plans.add_training_module(
            organisation=initiative,
            title=title,
            language=language,
            format=kind,
            standard_code="mica-processing-workplace",
            criterion_codes=codes,
            # Documents are uploaded as files, as an initiative would share a handout.
            url="" if kind == "document" else f"https://training.example.org/mica/{slug}",
            upload=_pdf(f"{slug}.pdf") if kind == "document" else None,
            actor=ACTOR,
        )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _step(action: ImprovementAction, status: str, text: str, filename: str) -> None:
    """The unit manager moves ``action`` to ``status`` and records why, with a PDF."""
    plans.update_action(action, status=status, owner_name="Unit manager", actor=ACTOR)
    plans.add_progress(action, text=text, actor=ACTOR, upload=_pdf(filename))


@demo_step("assessments: standards and the mica processor's self-assessments")
def build_assessments(say: Callable[[str], None]) -> None:
    installed = install_shipped(ACTOR)
    initiative = Organisation.objects.get(slug="mica-initiative")
    processor = Organisation.objects.get(slug="giridih-mica")
    unit = Facility.objects.get(organisation=processor, kind=FacilityKind.PROCESSING_UNIT)
    standard = Standard.objects.get(organisation__isnull=True, code="mica-processing-workplace")
    if Assessment.objects.filter(organisation=initiative, supplier=processor).exists():
        say(f"{len(installed)} standards installed; demo assessments already there")
        return
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    results = []
    rounds = (
        (FIRST, year_ago, ("ENV.1.a", "OHS.2.b", "GOV.1.a")),
        (SECOND, now - timedelta(days=3), ()),
    )
    for answers, when, missing_papers in rounds:
        assessment = services.assign_assessment(
            standard=standard,
            supplier=processor,
            facility=unit,
            organisation=initiative,
            due_on=(when + timedelta(days=30)).date(),
            actor=ACTOR,
            message="Yearly workplace self-assessment of the members' processing units.",
        )
        _answer(assessment, answers, when.date(), missing_papers=missing_papers)
        services.submit(assessment, actor=ACTOR, submitted_at=when)
        results.append(assessment)
    first, second = results
    _training_library(initiative)
    services.accept(first, actor=ACTOR)
    actions = plans.generate_plan(first, actor=ACTOR, today=year_ago.date())
    closed = {code for code, value in SECOND.items() if FIRST.get(code) != value}
    for action in actions:
        codes = set(action.criterion.questions.values_list("code", flat=True))
        if codes & closed:
            _step(
                action,
                ActionStatus.DONE,
                "Done and checked at the re-assessment.",
                f"{action.criterion.code}-done.pdf",
            )
    plans.generate_plan(second, actor=ACTOR, today=now.date())
    open_action = second.actions.order_by("due_on").first()
    if open_action is not None:
        _step(
            open_action,
            ActionStatus.IN_PROGRESS,
            "First session booked with the supervisors.",
            "session-booking.pdf",
        )
        plans.request_support(
            open_action,
            kind=SupportKind.TRAINING,
            actor=ACTOR,
            message="A session for supervisors on this topic, in Hindi.",
        )
    # An audit body drafting its own version of the standard, in the standard editor.
    auditor = Membership.objects.get(
        organisation__slug="thirdline-audit", user__email="auditor@thirdline.example"
    )
    authoring.start_draft(actor=auditor, version="2.0-draft", base=standard)
    say(
        f"{len(installed)} standards installed; 2 assessments of {unit}: "
        f"{first.score}% then {second.score}%"
    )
