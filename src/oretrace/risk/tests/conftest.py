"""Fixtures of the risk app's tests."""

import datetime

import pytest

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.risk.tests.score_objects import scored_objects


@pytest.fixture
def operator(org_a):
    """The platform's operator (a staff user), acting through a membership of A."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER], user__is_staff=True)


@pytest.fixture
def objects_of_a(org_a, member_a):
    """A's objects the tenancy declarations reach: a red flag, its scores with what they are
    of, a risk on its register and a Step-3 plan (editions belong to no organisation)."""
    from oretrace.declarations.tests.factories import SupplierFactory
    from oretrace.risk.register.reviews import latest_review
    from oretrace.risk.register.services import entries, plans
    from oretrace.risk.tests.factories import RedFlagFactory

    entry = entries.record_risk(
        actor=member_a,
        title="A's risk",
        category="bribery",
        subject=entries.Subject(supplier=SupplierFactory.create(organisation=org_a)),
        reason="tenancy",
    )
    other = entries.record_risk(
        actor=member_a,
        title="A's managed risk",
        category="bribery",
        subject=entries.Subject(supplier=entry.supplier),
        reason="tenancy",
    )
    today = datetime.date.today()  # noqa: DTZ011
    plan = plans.adopt_plan(
        other, actor=member_a, strategy="mitigate", decided_on=today, review_on=latest_review(today)
    )
    return {
        "flag": RedFlagFactory.create(organisation=org_a).pk,
        **scored_objects(org_a, member_a),
        "entry": entry.pk,
        "plan": plan.pk,
    }
