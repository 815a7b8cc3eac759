"""factory_boy factories for the core models (tests only)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from oretrace.core import models
from oretrace.core.choices import NotificationKind, OrganisationKind, Role

TEST_PASSWORD = "a-long-test-password-1"


class OrganisationFactory(factory.django.DjangoModelFactory[models.Organisation]):
    class Meta:
        model = models.Organisation

    legal_name = factory.Sequence(lambda n: f"Test Organisation {n} Ltd")
    slug = factory.Sequence(lambda n: f"test-org-{n}")
    kind = OrganisationKind.BRAND
    country_id = "DE"


class UserFactory(factory.django.DjangoModelFactory[models.User]):
    class Meta:
        model = models.User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory[models.Membership]):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    roles = factory.LazyFunction(lambda: [Role.ADMIN])


class JobFactory(factory.django.DjangoModelFactory[models.Job]):
    class Meta:
        model = models.Job

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "reference.reload"
    title = "Reload reference catalogues"


class GrantFactory(factory.django.DjangoModelFactory[models.Grant]):
    class Meta:
        model = models.Grant

    owner = factory.SubFactory(OrganisationFactory)
    grantee = factory.SubFactory(OrganisationFactory)
    # What is shared: by default one of the owner's jobs.
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(models.Job))
    object_id = factory.LazyAttribute(
        lambda o: (
            models.Job.objects.create(organisation=o.owner, kind="reference.reload", title="x").pk
        )
    )


class ApiTokenFactory(factory.django.DjangoModelFactory[models.ApiToken]):
    class Meta:
        model = models.ApiToken

    membership = factory.SubFactory(MembershipFactory)
    name = "test token"
    prefix = factory.Sequence(lambda n: f"{n:08x}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


class PasswordResetRequestFactory(factory.django.DjangoModelFactory[models.PasswordResetRequest]):
    class Meta:
        model = "core.PasswordResetRequest"

    email_hash = factory.Sequence(lambda n: f"{n:064x}")
    sent = True


class InvitationFactory(factory.django.DjangoModelFactory[models.Invitation]):
    class Meta:
        model = "core.Invitation"

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    roles = factory.LazyFunction(lambda: [Role.VIEWER])
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class SignUpRequestFactory(factory.django.DjangoModelFactory[models.SignUpRequest]):
    class Meta:
        model = "core.SignUpRequest"

    email_hash = factory.Sequence(lambda n: f"{n:064x}")
    address = "192.0.2.1"
    allowed = True


class PseudonymFactory(factory.django.DjangoModelFactory[models.Pseudonym]):
    class Meta:
        model = "core.Pseudonym"

    user = factory.SubFactory(UserFactory)


class CountryFactory(factory.django.DjangoModelFactory[models.Country]):
    """A country outside ISO 3166 (the catalogue holds the real ones): codes from XA on."""

    class Meta:
        model = "core.Country"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"X{chr(65 + n % 26)}")
    alpha3 = factory.LazyAttribute(lambda o: f"{o.code}X")
    numeric = factory.Sequence(lambda n: f"{900 + n % 99:03d}")
    name = factory.LazyAttribute(lambda o: f"Testland {o.code}")


class SubdivisionFactory(factory.django.DjangoModelFactory[models.Subdivision]):
    class Meta:
        model = "core.Subdivision"

    code = factory.Sequence(lambda n: f"IN-Z{n}")
    country_id = "IN"
    name = factory.Sequence(lambda n: f"Test State {n}")
    type = "State"


class MineralFactory(factory.django.DjangoModelFactory[models.Mineral]):
    class Meta:
        model = "core.Mineral"

    code = factory.Sequence(lambda n: f"testmineral{n}")
    name = factory.Sequence(lambda n: f"Test mineral {n}")
    template_family = "CMRT"
    template_label = factory.LazyAttribute(lambda o: o.name)


class NotificationFactory(factory.django.DjangoModelFactory[models.Notification]):
    """A notice to a member of an organisation, stored as its English message id."""

    class Meta:
        model = "core.Notification"

    recipient = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = NotificationKind.ONBOARDING
    message = "Welcome to %(org)s."
    values = factory.LazyAttribute(lambda n: {"org": str(n.organisation)})


class PeriodicRunFactory(factory.django.DjangoModelFactory[models.PeriodicRun]):
    class Meta:
        model = "core.PeriodicRun"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"periodic-{n}")
    last_run_at = factory.LazyFunction(timezone.now)
