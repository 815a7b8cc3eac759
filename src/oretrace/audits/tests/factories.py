"""factory_boy factories for the audits app (tests only). Rows made by hand bypass the
services: they hold what the database accepts, not a life cycle the services would allow."""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from oretrace.assessments.tests.factories import CriterionFactory
from oretrace.audits.models import (
    ActionEvidence,
    Audit,
    AuditStep,
    CapReview,
    CorrectiveAction,
    Finding,
    FindingEvidence,
    ProgrammeVersion,
    SupportRequest,
)
from oretrace.audits.models.files import StoredFile
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.registry.tests.factories import FacilityFactory

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class StoredFileFactory[F: StoredFile](factory.django.DjangoModelFactory[F]):
    """The columns every ``StoredFile`` has (the file, its name, type, size and SHA-256), made
    of one ``content`` so that they agree: ``XFactory(content=b"...", original_name="a.pdf",
    content_type="application/pdf")``; a small JPEG called ``photo.jpg`` otherwise."""

    class Meta:
        abstract = True

    class Params:
        content = JPEG

    file = factory.LazyAttribute(lambda row: ContentFile(row.content, name=row.original_name))
    original_name = "photo.jpg"
    content_type = "image/jpeg"
    size = factory.LazyAttribute(lambda row: len(row.content))
    sha256 = factory.LazyAttribute(lambda row: hashlib.sha256(row.content).hexdigest())


class ProgrammeVersionFactory(factory.django.DjangoModelFactory[ProgrammeVersion]):
    class Meta:
        model = ProgrammeVersion

    code = factory.Sequence(lambda n: f"test-programme-{n}")
    version = "2026.1"
    title = factory.LazyFunction(lambda: {"en": "Test programme"})
    fingerprint = factory.Sequence(lambda n: hashlib.sha256(str(n).encode()).hexdigest())
    source = "oretrace_programme: 1\n"


class AuditFactory(factory.django.DjangoModelFactory[Audit]):
    class Meta:
        model = Audit

    lead_auditor = factory.SubFactory(MembershipFactory)
    organisation = factory.SelfAttribute("lead_auditor.organisation")
    programme = factory.SubFactory(ProgrammeVersionFactory)
    audit_type = "initial"
    auditee = factory.SubFactory(OrganisationFactory)
    facility = factory.SubFactory(FacilityFactory, organisation=factory.SelfAttribute("..auditee"))
    scope = "Test scope"
    planned_start = datetime.date(2026, 3, 2)
    planned_end = datetime.date(2026, 3, 3)


class AuditStepFactory(factory.django.DjangoModelFactory[AuditStep]):
    class Meta:
        model = AuditStep

    audit = factory.SubFactory(AuditFactory)
    status = "planned"
    at = factory.LazyFunction(timezone.now)


class CapReviewFactory(factory.django.DjangoModelFactory[CapReview]):
    class Meta:
        model = CapReview

    audit = factory.SubFactory(AuditFactory)
    round = 1
    decision = "sent_back"
    note = "Show the payslips."
    decided_at = factory.LazyFunction(timezone.now)


class FindingFactory(factory.django.DjangoModelFactory[Finding]):
    class Meta:
        model = Finding

    audit = factory.SubFactory(AuditFactory)
    criterion = factory.SubFactory(CriterionFactory)
    grade = "major"
    description = "Test finding"


class FindingEvidenceFactory(StoredFileFactory[FindingEvidence]):
    class Meta:
        model = FindingEvidence

    finding = factory.SubFactory(FindingFactory)


class CorrectiveActionFactory(factory.django.DjangoModelFactory[CorrectiveAction]):
    class Meta:
        model = CorrectiveAction

    finding = factory.SubFactory(FindingFactory)
    round = 1
    what = "Test action"
    owner_name = "Unit manager"
    due_on = datetime.date(2026, 4, 1)


class ActionEvidenceFactory(StoredFileFactory[ActionEvidence]):
    class Meta:
        model = ActionEvidence

    action = factory.SubFactory(CorrectiveActionFactory)
    original_name = "proof.jpg"


class SupportRequestFactory(factory.django.DjangoModelFactory[SupportRequest]):
    class Meta:
        model = SupportRequest

    finding = factory.SubFactory(FindingFactory)
    kind = "training"
    message = "Test request"
