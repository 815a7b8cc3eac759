"""factory_boy factories for the core models (tests only)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from oretrace.core.choices import NotificationKind, OrganisationKind, Role
from oretrace.core.models import (
    ApiToken,
    Country,
    Grant,
    Invitation,
    Job,
    Membership,
    Mineral,
    Notification,
    Organisation,
    PasswordResetRequest,
    PeriodicRun,
    Pseudonym,
    SignUpRequest,
    Subdivision,
    User,
)

TEST_PASSWORD = "a-long-test-password-1"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Test Organisation {n} Ltd")
    slug = factory.Sequence(lambda n: f"test-org-{n}")
    kind = OrganisationKind.BRAND
    country_id = "DE"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    roles = factory.LazyFunction(lambda: [Role.ADMIN])


class JobFactory(factory.django.DjangoModelFactory[Job]):
    class Meta:
        model = Job

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "reference.reload"
    title = "Reload reference catalogues"


class GrantFactory(factory.django.DjangoModelFactory[Grant]):
    class Meta:
        model = Grant

    owner = factory.SubFactory(OrganisationFactory)
    grantee = factory.SubFactory(OrganisationFactory)
    # What is shared: by default one of the owner's jobs.
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Job))
    object_id = factory.LazyAttribute(
        lambda o: Job.objects.create(organisation=o.owner, kind="reference.reload", title="x").pk
    )


class ApiTokenFactory(factory.django.DjangoModelFactory[ApiToken]):
    class Meta:
        model = ApiToken

    membership = factory.SubFactory(MembershipFactory)
    name = "test token"
    prefix = factory.Sequence(lambda n: f"{n:08x}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


class PasswordResetRequestFactory(factory.django.DjangoModelFactory[PasswordResetRequest]):
    class Meta:
        model = "core.PasswordResetRequest"

    email_hash = factory.Sequence(lambda n: f"{n:064x}")
    sent = True


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = "core.Invitation"

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    roles = factory.LazyFunction(lambda: [Role.VIEWER])
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class SignUpRequestFactory(factory.django.DjangoModelFactory[SignUpRequest]):
    class Meta:
        model = "core.SignUpRequest"

    email_hash = factory.Sequence(lambda n: f"{n:064x}")
    address = "192.0.2.1"
    allowed = True


class PseudonymFactory(factory.django.DjangoModelFactory[Pseudonym]):
    class Meta:
        model = "core.Pseudonym"

    user = factory.SubFactory(UserFactory)


class CountryFactory(factory.django.DjangoModelFactory[Country]):
    """A country outside ISO 3166 (the catalogue holds the real ones): codes from XA on."""

    class Meta:
        model = "core.Country"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"X{chr(65 + n % 26)}")
    alpha3 = factory.LazyAttribute(lambda o: f"{o.code}X")
    numeric = factory.Sequence(lambda n: f"{900 + n % 99:03d}")
    name = factory.LazyAttribute(lambda o: f"Testland {o.code}")


class SubdivisionFactory(factory.django.DjangoModelFactory[Subdivision]):
    class Meta:
        model = "core.Subdivision"

    code = factory.Sequence(lambda n: f"IN-Z{n}")
    country_id = "IN"
    name = factory.Sequence(lambda n: f"Test State {n}")
    type = "State"


class MineralFactory(factory.django.DjangoModelFactory[Mineral]):
    class Meta:
        model = "core.Mineral"

    code = factory.Sequence(lambda n: f"testmineral{n}")
    name = factory.Sequence(lambda n: f"Test mineral {n}")
    template_family = "CMRT"
    template_label = factory.LazyAttribute(lambda o: o.name)


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    """A notice to a member of an organisation, stored as its English message id."""

    class Meta:
        model = "core.Notification"

    recipient = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = NotificationKind.ONBOARDING
    message = "Welcome to %(org)s."
    values = factory.LazyAttribute(lambda n: {"org": str(n.organisation)})


class PeriodicRunFactory(factory.django.DjangoModelFactory[PeriodicRun]):
    class Meta:
        model = "core.PeriodicRun"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"periodic-{n}")
    last_run_at = factory.LazyFunction(timezone.now)
