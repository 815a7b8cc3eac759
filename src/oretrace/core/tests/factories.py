"""factory_boy factories for the core models (tests only)."""

from __future__ import annotations

import factory

from oretrace.core.choices import OrganisationKind, Role
from oretrace.core.models import ApiToken, Grant, Job, Membership, Organisation, User

TEST_PASSWORD = "a-long-test-password-1"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Test Organisation {n} Ltd")
    slug = factory.Sequence(lambda n: f"test-org-{n}")
    kind = OrganisationKind.BRAND
    country_id = "DE"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    roles = factory.LazyFunction(lambda: [Role.ADMIN])


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "reference.reload"
    title = "Reload reference catalogues"


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    owner = factory.SubFactory(OrganisationFactory)
    grantee = factory.SubFactory(OrganisationFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    membership = factory.SubFactory(MembershipFactory)
    name = "test token"
    prefix = factory.Sequence(lambda n: f"{n:08x}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
