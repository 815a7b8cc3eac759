"""factory_boy factories for the declarations (tests only): rows, not imports (the pipeline's
tests import real files through ``imports.import_declaration``)."""

from __future__ import annotations

import factory

from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.declarations.models import (
    Campaign,
    CampaignRequest,
    Declaration,
    ImportBatch,
    SmelterEntry,
    Supplier,
)


class SupplierFactory(factory.django.DjangoModelFactory[Supplier]):
    class Meta:
        model = Supplier

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test Supplier {n}")


class ImportBatchFactory(factory.django.DjangoModelFactory[ImportBatch]):
    class Meta:
        model = ImportBatch

    organisation = factory.SubFactory(OrganisationFactory)


class DeclarationFactory(factory.django.DjangoModelFactory[Declaration]):
    class Meta:
        model = Declaration

    organisation = factory.SubFactory(OrganisationFactory)
    supplier = factory.SubFactory(
        SupplierFactory, organisation=factory.SelfAttribute("..organisation")
    )
    family = "CMRT"
    version = "6.4"
    filename = factory.Sequence(lambda n: f"cmrt-{n}.xlsx")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    content = factory.LazyFunction(lambda: {"smelters": []})
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")


class SmelterEntryFactory(factory.django.DjangoModelFactory[SmelterEntry]):
    class Meta:
        model = SmelterEntry

    declaration = factory.SubFactory(DeclarationFactory)
    row = factory.Sequence(lambda n: n + 1)
    match = "unmatched"


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    family = "CMRT"
    reporting_year = 2026
    owner = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..organisation")
    )


class CampaignRequestFactory(factory.django.DjangoModelFactory[CampaignRequest]):
    class Meta:
        model = CampaignRequest

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SelfAttribute("campaign.organisation")
    supplier = factory.SubFactory(
        SupplierFactory, organisation=factory.SelfAttribute("..organisation")
    )
    email = factory.Sequence(lambda n: f"supplier{n}@example.com")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    token_salt = factory.Sequence(lambda n: f"{n:032x}")
