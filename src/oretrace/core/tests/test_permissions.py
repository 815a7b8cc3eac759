"""The role model: one ``Permission`` per action, the same answer for services, pages and API."""

from __future__ import annotations

import pytest

from oretrace.core.actors import SystemActor
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.permissions import Permission
from oretrace.core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

can_test = Permission("run the test", (Role.AUDITOR, Role.COMPLIANCE_OFFICER))


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ([Role.AUDITOR], True),
        ([Role.COMPLIANCE_OFFICER], True),
        ([Role.ADMIN], True),  # an administrator holds every role
        ([Role.VIEWER], False),
        ([Role.SUPPLIER_CONTRIBUTOR, Role.GRIEVANCE_OFFICER], False),
        ([], False),
    ],
)
def test_a_permission_is_held_through_any_of_its_roles(org_a, roles, allowed):
    member = MembershipFactory.create(organisation=org_a, roles=roles)
    assert can_test(member) is allowed
    if allowed:
        can_test.require(member)
    else:
        with pytest.raises(
            PermissionDenied,
            match=r"to run the test you need the role auditor or compliance officer "
            r"\(or administrator\)",
        ):
            can_test.require(member)


def test_the_system_may_everything_and_nobody_nothing():
    assert can_test(SystemActor("cli"))
    can_test.require(SystemActor("cli"), organisation_id=123)
    assert not can_test(None)


def test_require_checks_the_owning_organisation(org_a, org_b):
    auditor = MembershipFactory.create(organisation=org_a, roles=[Role.AUDITOR])
    can_test.require(auditor, organisation_id=org_a.pk)
    with pytest.raises(PermissionDenied, match="only members of the owning organisation"):
        can_test.require(auditor, organisation_id=org_b.pk)


def test_an_extra_condition_is_named_in_the_refusal(org_a):
    staff_only = Permission(
        "curate", tuple(Role.values), also=lambda m: m.user.is_staff, also_needs="to be staff"
    )
    member = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    assert not staff_only(member)
    with pytest.raises(PermissionDenied, match="to curate you need to be staff"):
        staff_only.require(member)
    member.user.is_staff = True
    assert staff_only(member)


def test_allows_asks_what_require_refuses_on(org_a, org_b):
    auditor = MembershipFactory.create(organisation=org_a, roles=[Role.AUDITOR])
    viewer = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    assert can_test.allows(auditor, organisation_id=org_a.pk)
    assert not can_test.allows(auditor, organisation_id=org_b.pk)  # another organisation
    assert not can_test.allows(viewer, organisation_id=org_a.pk)  # lacks the role
    assert can_test.allows(SystemActor("cli"), organisation_id=org_b.pk)
