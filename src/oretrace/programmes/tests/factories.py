"""factory_boy factories for the community programmes app (tests only). Rows made by hand
bypass the services: they hold what the database accepts, not a life cycle the services would
allow.

A child's identity is sealed through ``sealing`` as ``services.cases.identify`` seals it, with
the keys in ``ORETRACE_PROGRAMME_KEY_DIR`` (the first key is made on first use; the app's tests
point it at a folder of the test's own, ``conftest.programme_keys``).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from decimal import Decimal
from typing import cast

import factory
from django.db import models

from oretrace.audits.models.files import StoredFile
from oretrace.audits.tests.factories import StoredFileFactory
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.programmes import sealing
from oretrace.programmes.choices import (
    AgeBand,
    CaseStatus,
    Gender,
    IloArea,
    LicenceStatus,
    OfferKind,
    Remediation,
    Source,
    Trainee,
)
from oretrace.programmes.models import (
    CaseRead,
    ChildCase,
    DonorReport,
    FollowUp,
    JoinRequest,
    LicenceDocument,
    LicenceEntry,
    MonitoringVisit,
    Programme,
    ReportingPeriod,
    Service,
    SupportOffer,
    SyncReceipt,
    Target,
    TrainingCount,
    TrainingMaterial,
    TrainingSession,
    TrainingStaff,
    Village,
    VisitValue,
)
from oretrace.programmes.services.cases import new_reference
from oretrace.registry.tests.factories import FacilityFactory

INDICATOR_SET = "child-labour-free-village"  # programmes/indicators/…v1.yaml

IDENTITY = sealing.Identity(name="Test Child", birth_date="2013-04-02", location="Ward 7")


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test programme {n}")
    donors = "Test Foundation"
    starts_on = datetime.date(2026, 1, 1)
    areas = factory.LazyFunction(lambda: [IloArea.EDUCATION.value])
    indicator_set = INDICATOR_SET


class ProgrammeRowFactory[M: models.Model](factory.django.DjangoModelFactory[M]):
    """A row of a programme, held by the programme's organisation."""

    class Meta:
        abstract = True

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")


class VillageFactory(ProgrammeRowFactory[Village]):
    class Meta:
        model = Village

    name = factory.Sequence(lambda n: f"Test village {n}")
    district = "Koderma"
    state = "Jharkhand"
    country_id = "IN"


class ReportingPeriodFactory(ProgrammeRowFactory[ReportingPeriod]):
    class Meta:
        model = ReportingPeriod

    label = "2026 Q1"
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 3, 31)


class TargetFactory(ProgrammeRowFactory[Target]):
    class Meta:
        model = Target

    indicator = "school_enrolment"
    baseline = Decimal("60.00")
    target = Decimal("95.00")
    by = datetime.date(2027, 12, 31)


class MonitoringVisitFactory(factory.django.DjangoModelFactory[MonitoringVisit]):
    class Meta:
        model = MonitoringVisit

    village = factory.SubFactory(VillageFactory)
    organisation = factory.SelfAttribute("village.organisation")
    visited_on = datetime.date(2026, 6, 1)
    indicator_set = INDICATOR_SET
    set_version = 1


class VisitValueFactory(factory.django.DjangoModelFactory[VisitValue]):
    class Meta:
        model = VisitValue

    visit = factory.SubFactory(MonitoringVisitFactory)
    indicator = "school_enrolment"
    value = Decimal("72.50")


def _seal_identity(case: ChildCase, create: bool, extracted: object, **kwargs: object) -> None:
    """Seal the child's identity for the saved case (its id binds the ciphertext), as the
    service does: ``ChildCaseFactory(identity={...})`` chooses it, ``IDENTITY`` otherwise."""
    if not create:
        return
    identity = cast(sealing.Identity, extracted) if extracted is not None else IDENTITY
    sealed = sealing.seal_identity(identity, case_id=case.pk)
    ChildCase.objects.filter(pk=case.pk).update(key_id=sealed.key_id, sealed=sealed.data)
    case.key_id, case.sealed = sealed.key_id, sealed.data


class ChildCaseFactory(factory.django.DjangoModelFactory[ChildCase]):
    class Meta:
        model = ChildCase
        # the hook writes the sealed identity itself; the case needs no second save
        skip_postgeneration_save = True

    village = factory.SubFactory(VillageFactory)
    programme = factory.SelfAttribute("village.programme")
    organisation = factory.SelfAttribute("village.organisation")
    reference = factory.LazyFunction(new_reference)
    age_band = AgeBand.TWELVE_TO_14
    source = Source.MONITORING
    identified_on = datetime.date(2026, 6, 1)
    consent_on = datetime.date(2026, 6, 1)
    consent_by = "mother"
    status = CaseStatus.IDENTIFIED
    key_id = ""  # until the hook seals the identity, as in services.cases.identify
    sealed = b""
    identity = factory.PostGeneration(_seal_identity)


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    case = factory.SubFactory(ChildCaseFactory)
    kind = Remediation.SCHOOL
    planned_on = datetime.date(2026, 6, 15)
    due_on = datetime.date(2026, 7, 15)


class FollowUpFactory(factory.django.DjangoModelFactory[FollowUp]):
    class Meta:
        model = FollowUp

    case = factory.SubFactory(ChildCaseFactory)
    due_on = datetime.date(2026, 9, 1)


class CaseReadFactory(factory.django.DjangoModelFactory[CaseRead]):
    class Meta:
        model = CaseRead

    case = factory.SubFactory(ChildCaseFactory)
    member = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..case.organisation")
    )


# --- formalisation and training (rows as the database holds them) -------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class PdfFileFactory[F: StoredFile](StoredFileFactory[F]):
    """A stored file that is a small PDF (a licence, a handout)."""

    class Meta:
        abstract = True

    class Params:
        content = PDF

    content_type = "application/pdf"


class LicenceEntryFactory(factory.django.DjangoModelFactory[LicenceEntry]):
    class Meta:
        model = LicenceEntry

    facility = factory.SubFactory(FacilityFactory)
    organisation = factory.SelfAttribute("facility.organisation")
    status = LicenceStatus.GRANTED
    effective_on = datetime.date(2026, 1, 15)
    expires_on = datetime.date(2029, 1, 14)
    authority = "District Mining Office, Koderma"
    number = factory.Sequence(lambda n: f"JH/KOD/{n}")


class LicenceDocumentFactory(PdfFileFactory[LicenceDocument]):
    class Meta:
        model = LicenceDocument

    entry = factory.SubFactory(LicenceEntryFactory)
    original_name = "licence.pdf"


class TrainingSessionFactory(factory.django.DjangoModelFactory[TrainingSession]):
    class Meta:
        model = TrainingSession

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Training {n}")
    criterion_codes = factory.LazyFunction(lambda: ["LAB.6"])
    audiences = factory.LazyFunction(lambda: [Trainee.WORKER.value])
    language = "hi"
    held_on = datetime.date(2026, 5, 4)
    trainer = "Test trainer"


class TrainingCountFactory(factory.django.DjangoModelFactory[TrainingCount]):
    class Meta:
        model = TrainingCount

    session = factory.SubFactory(TrainingSessionFactory)
    role = Trainee.WORKER
    gender = Gender.WOMEN
    people = 12


class TrainingStaffFactory(factory.django.DjangoModelFactory[TrainingStaff]):
    class Meta:
        model = TrainingStaff

    session = factory.SubFactory(TrainingSessionFactory)
    name = "Test Field Officer"
    gender = Gender.WOMEN


class TrainingMaterialFactory(PdfFileFactory[TrainingMaterial]):
    class Meta:
        model = TrainingMaterial

    session = factory.SubFactory(TrainingSessionFactory)
    language = "hi"
    original_name = "handout.pdf"


class JoinRequestFactory(factory.django.DjangoModelFactory[JoinRequest]):
    class Meta:
        model = JoinRequest

    session = factory.SubFactory(TrainingSessionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    criterion_code = "LAB.6"
    people = 2


class SupportOfferFactory(ProgrammeRowFactory[SupportOffer]):
    class Meta:
        model = SupportOffer

    requester = factory.SubFactory(OrganisationFactory)
    kind = OfferKind.FUND
    message = "We would co-fund the bridge schools."


class DonorReportFactory(ProgrammeRowFactory[DonorReport]):
    """A report row as issued; its PDF here is a stand-in (the service renders the real one)."""

    class Meta:
        model = DonorReport

    period_label = "Year 1"
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)
    document = b"%PDF-1.7\n%stand-in\n"
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.document).hexdigest())


class SyncReceiptFactory(factory.django.DjangoModelFactory[SyncReceipt]):
    """What a form sent from a phone became, under the phone's key (services.offline)."""

    class Meta:
        model = SyncReceipt

    member = factory.SubFactory(MembershipFactory)
    organisation = factory.SelfAttribute("member.organisation")
    key = factory.LazyFunction(uuid.uuid4)
    kind = "visit"
    result = factory.LazyFunction(lambda: {"status": "recorded"})
