"""``update_and_log``: the one "snapshot, set, save those fields, log" step services share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from oretrace.core.changelog import update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.models import ChangeLogEntry, Membership
from oretrace.core.tests.factories import ApiTokenFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_saves_only_the_named_fields_and_logs_before_and_after(member_a):
    # given: a membership, and a change to another of its fields made in memory, not asked for
    member = MembershipFactory.create(organisation=member_a.organisation)
    Membership.objects.filter(pk=member.pk).update(updated_at=timezone.now() - timedelta(days=1))
    member.refresh_from_db()
    old_stamp = member.updated_at
    member.roles = ["viewer", "admin"]
    # when
    with transaction.atomic():
        update_and_log(member, actor=member_a, is_active=False)
    # then: is_active and updated_at are stored, the unasked change is not
    stored = Membership.objects.get(pk=member.pk)
    assert stored.is_active is False
    assert stored.updated_at > old_stamp
    assert stored.roles != ["viewer", "admin"]
    entry = ChangeLogEntry.objects.for_object(member).get()
    assert entry.action == ChangeAction.UPDATE
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["is_active"] is True
    assert entry.after["is_active"] is False
    assert entry.organisation_id == member.organisation_id


def test_a_model_without_updated_at_and_another_owner(member_a, org_b):
    # given: API tokens have no updated_at; the entry is filed under the organisation given
    token = ApiTokenFactory.create(membership=member_a)
    moment = timezone.now()
    # when
    with transaction.atomic():
        update_and_log(token, actor=member_a, organisation=org_b, revoked_at=moment)
    # then
    token.refresh_from_db()
    assert token.revoked_at == moment
    assert ChangeLogEntry.objects.for_object(token).get().organisation_id == org_b.pk
