"""factory_boy factories for the registry (tests only)."""

import datetime

import factory

from oretrace.core.tests.factories import OrganisationFactory
from oretrace.registry.choices import FacilityKind, NameKind
from oretrace.registry.matching import normalise
from oretrace.registry.models import (
    AssuranceStatus,
    Facility,
    FacilityIdentifier,
    FacilityListing,
    FacilityName,
    MatchReview,
    ReferenceImport,
)


def _primary_name(obj: Facility, create: bool, extracted: object, **kwargs: object) -> None:
    """Every facility has its primary name among its names, as the services make it."""
    if create:
        FacilityName.objects.create(
            facility=obj,
            name=obj.name,
            kind=NameKind.PRIMARY,
            normalised=normalise(obj.name),
            source="factory",
        )


class FacilityFactory(factory.django.DjangoModelFactory[Facility]):
    class Meta:
        model = Facility
        # the hook writes the primary name's own row; the facility needs no second save
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = FacilityKind.COLLECTION_POINT
    name = factory.Sequence(lambda n: f"Test Facility {n}")
    country_id = "IN"
    # a plain function wrapped (not @factory.post_generation, which would untype it)
    primary_name = factory.PostGeneration(_primary_name)


class FacilityIdentifierFactory(factory.django.DjangoModelFactory[FacilityIdentifier]):
    class Meta:
        model = FacilityIdentifier

    facility = factory.SubFactory(FacilityFactory)
    scheme = "rmi_cid"
    value = factory.Sequence(lambda n: f"CID{900000 + n:06d}")
    source = "factory"


class MatchReviewFactory(factory.django.DjangoModelFactory[MatchReview]):
    class Meta:
        model = MatchReview

    organisation = factory.SubFactory(OrganisationFactory)
    query = factory.Sequence(lambda n: f"Unclear Smelter {n}")
    metal = "tin"


class AssuranceStatusFactory(factory.django.DjangoModelFactory[AssuranceStatus]):
    class Meta:
        model = AssuranceStatus

    facility = factory.SubFactory(FacilityFactory)
    scheme = "rmap"
    status = "Conformant"
    effective_on = factory.LazyFunction(lambda: datetime.date(2024, 1, 1))
    source = "factory"


class ReferenceImportFactory(factory.django.DjangoModelFactory[ReferenceImport]):
    class Meta:
        model = ReferenceImport

    organisation = factory.SubFactory(OrganisationFactory)
    filename = factory.Sequence(lambda n: f"list-{n}.xlsx")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    list_key = "rmi-smelters"
    source = "factory"


class FacilityListingFactory(factory.django.DjangoModelFactory[FacilityListing]):
    class Meta:
        model = FacilityListing

    facility = factory.SubFactory(FacilityFactory)
    list_key = "rmi-smelters"
    first_seen = factory.SubFactory(ReferenceImportFactory)
    last_seen = factory.SelfAttribute("first_seen")


class FacilityNameFactory(factory.django.DjangoModelFactory[FacilityName]):
    """An alias (FacilityFactory makes each facility's primary name itself)."""

    class Meta:
        model = FacilityName

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"Test Alias {n}")
    kind = NameKind.ALIAS
    normalised = factory.LazyAttribute(lambda o: normalise(o.name))
    source = "factory"
