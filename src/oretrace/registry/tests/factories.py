"""factory_boy factories for the registry (tests only)."""

import factory

from oretrace.core.tests.factories import OrganisationFactory
from oretrace.registry.choices import FacilityKind, NameKind
from oretrace.registry.matching import normalise
from oretrace.registry.models import Facility, FacilityIdentifier, FacilityName, MatchReview


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    organisation = factory.SubFactory(OrganisationFactory)
    kind = FacilityKind.COLLECTION_POINT
    name = factory.Sequence(lambda n: f"Test Facility {n}")
    country_id = "IN"

    @factory.post_generation
    def primary_name(obj, create, extracted, **kwargs):
        if create:
            FacilityName.objects.create(
                facility=obj,
                name=obj.name,
                kind=NameKind.PRIMARY,
                normalised=normalise(obj.name),
                source="factory",
            )


class FacilityIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilityIdentifier

    facility = factory.SubFactory(FacilityFactory)
    scheme = "rmi_cid"
    value = factory.Sequence(lambda n: f"CID{900000 + n:06d}")
    source = "factory"


class MatchReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchReview

    organisation = factory.SubFactory(OrganisationFactory)
    query = factory.Sequence(lambda n: f"Unclear Smelter {n}")
    metal = "tin"
