"""The demo holds what the operator and an invitee see: a sign-up waiting for approval, a
pending invitation, and the operator (a staff user) printed among the logins."""

from __future__ import annotations

import pytest

from oretrace.core.choices import Approval
from oretrace.core.demo import (
    OPERATOR,
    ORGANISATIONS,
    PENDING_INVITATION,
    WAITING_SIGN_UP,
    build_core,
    build_onboarding,
    logins,
)
from oretrace.core.models import Invitation, Organisation, User

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_operator_a_waiting_sign_up_and_a_pending_invitation(
    django_capture_on_commit_callbacks,
) -> None:
    said: list[str] = []
    build_core(said.append)
    with django_capture_on_commit_callbacks(execute=False) as mailed:
        build_onboarding(said.append)
    operator = User.objects.get(email=OPERATOR[0])
    assert operator.is_staff
    assert not operator.is_superuser
    waiting = Organisation.objects.get(legal_name=WAITING_SIGN_UP["legal_name"])
    assert waiting.approval == Approval.PENDING
    assert not waiting.is_active
    slug, email, _name, _role = PENDING_INVITATION
    invitation = Invitation.objects.get(organisation__slug=slug, email=email)
    assert invitation.is_pending
    assert mailed, "the invitation's link is mailed (the worker sends it)"
    assert OPERATOR[0] in [email for email, _orgs, _roles in logins()]
    # idempotent
    build_onboarding(said.append)
    assert Invitation.objects.filter(email=email).count() == 1
    assert Organisation.objects.filter(legal_name=WAITING_SIGN_UP["legal_name"]).count() == 1


def test_each_demo_organisation_is_stored_as_its_spec_says() -> None:
    build_core(lambda _line: None)
    for spec in ORGANISATIONS:
        org = Organisation.objects.get(slug=spec.slug)
        assert (org.legal_name, org.short_name, org.kind) == (
            spec.legal_name,
            spec.short_name,
            spec.kind,
        )
        assert (org.country_id, org.national_registration) == (
            spec.country.upper(),
            spec.national_registration,
        )
