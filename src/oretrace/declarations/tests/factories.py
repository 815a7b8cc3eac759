"""factory_boy factories for the declarations (tests only): rows, not imports (the pipeline's
tests import real files through ``imports.import_declaration``)."""

from __future__ import annotations

import factory

from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.declarations import models


class SupplierFactory(factory.django.DjangoModelFactory[models.Supplier]):
    class Meta:
        model = models.Supplier

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test Supplier {n}")


class ImportBatchFactory(factory.django.DjangoModelFactory[models.ImportBatch]):
    class Meta:
        model = models.ImportBatch

    organisation = factory.SubFactory(OrganisationFactory)


class DeclarationFactory(factory.django.DjangoModelFactory[models.Declaration]):
    class Meta:
        model = models.Declaration

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


class SmelterEntryFactory(factory.django.DjangoModelFactory[models.SmelterEntry]):
    class Meta:
        model = models.SmelterEntry

    declaration = factory.SubFactory(DeclarationFactory)
    row = factory.Sequence(lambda n: n + 1)
    match = "unmatched"


class CampaignFactory(factory.django.DjangoModelFactory[models.Campaign]):
    class Meta:
        model = models.Campaign

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    family = "CMRT"
    reporting_year = 2026
    owner = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..organisation")
    )


class CampaignRequestFactory(factory.django.DjangoModelFactory[models.CampaignRequest]):
    class Meta:
        model = models.CampaignRequest

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SelfAttribute("campaign.organisation")
    supplier = factory.SubFactory(
        SupplierFactory, organisation=factory.SelfAttribute("..organisation")
    )
    email = factory.Sequence(lambda n: f"supplier{n}@example.com")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    token_salt = factory.Sequence(lambda n: f"{n:032x}")
