"""The change log's hash chain: each entry commits to the one before it."""

from __future__ import annotations

import importlib
import itertools

import pytest
from django.apps import apps

from oretrace.core import services
from oretrace.core.changelog import verify_chain
from oretrace.core.models import ChangeLogEntry, ChangeLogHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(member_a):
    """Five chained entries written through the services."""
    for n in range(4):
        services.create_organisation(
            legal_name=f"Chain Test {n}", kind="trader", country="IN", actor=member_a
        )
    rows = list(ChangeLogEntry.objects.order_by("id"))
    assert len(rows) >= 5
    return rows


def test_entries_are_chained_and_verify(entries):
    assert entries[0].prev_hash == ""
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    head = ChangeLogHead.objects.get()
    assert (head.count, head.hash) == (len(entries), entries[-1].hash)
    breaks, hashes = verify_chain()
    assert breaks == []
    assert hashes == [e.hash for e in entries]


def test_an_edited_entry_breaks_the_chain_at_that_entry(entries):
    target = entries[2]
    ChangeLogEntry.objects.filter(pk=target.pk).update(after={"legal_name": "Forged"})
    breaks, _ = verify_chain()
    assert [b.entry_id for b in breaks] == [target.pk]
    assert "was edited" in breaks[0].detail


def test_a_deleted_entry_is_found_at_the_next_one(entries):
    ChangeLogEntry.objects.filter(pk=entries[1].pk).delete()
    breaks, _ = verify_chain()
    assert breaks[0].entry_id == entries[2].pk
    assert f"after #{entries[0].pk}" in breaks[0].detail


def test_entries_deleted_at_the_end_leave_the_head_ahead(entries):
    ChangeLogEntry.objects.filter(pk=entries[-1].pk).delete()
    breaks, _ = verify_chain()
    assert [b.entry_id for b in breaks] == [None]
    assert "deleted or added" in breaks[0].detail


def test_a_forged_entry_inserted_is_found(entries):
    last = entries[-1]
    ChangeLogEntry.objects.create(
        organisation_id=last.organisation_id,
        actor_label="forger",
        content_type_id=last.content_type_id,
        object_id=last.object_id,
        object_repr="forged",
        action=last.action,
    )
    breaks, _ = verify_chain()
    assert breaks


def test_the_migration_chains_existing_entries(entries):
    # given entries written before the chain existed
    ChangeLogEntry.objects.update(prev_hash="", hash="")
    ChangeLogHead.objects.all().delete()
    # when the data migration runs
    migration = importlib.import_module("oretrace.core.migrations.0005_changelog_chain")
    migration.chain_existing(apps, None)
    # then they verify, with the same hashes as written through log_change
    breaks, hashes = verify_chain()
    assert breaks == []
    assert hashes == [e.hash for e in entries]


def _chained(entry: ChangeLogEntry) -> list[object]:
    """An entry's chained content and sealed data, but its time (two writes never share a
    microsecond) and its sealed data's salted digest (a salt is random)."""
    from oretrace.core.changelog import CHAIN_FIELDS, _content

    content = _content(entry)
    return [*content[: len(CHAIN_FIELDS) - 1], *content[len(CHAIN_FIELDS) + 1 :], entry.personal]


def test_log_changes_writes_what_log_change_writes_one_by_one(member_a):
    from django.db import transaction

    from oretrace.core.changelog import Change, log_change, log_changes, snapshot
    from oretrace.core.choices import ChangeAction

    user = member_a.user  # about a person: sealed apart, as log_change seals it
    org = member_a.organisation
    before = snapshot(org)
    changes = [
        Change(org, ChangeAction.UPDATE, before),
        Change(user, ChangeAction.UPDATE, snapshot(user)),
        Change(member_a, ChangeAction.CREATE, organisation=org, note={"why": "a test"}),
    ]
    start = ChangeLogEntry.objects.count()
    # one by one, in a transaction that is then undone
    with transaction.atomic():
        for change in changes:
            log_change(
                change.obj,
                action=change.action,
                actor=member_a,
                before=change.before,
                organisation=change.organisation,
                note=change.note,
            )
        one_by_one = list(ChangeLogEntry.objects.order_by("id")[start:])
        transaction.set_rollback(True)
    # in one call, after an entry of its own and before another
    with transaction.atomic():
        log_change(org, action=ChangeAction.UPDATE, actor=member_a, before=before)
        assert log_changes(changes, actor=member_a) == 3
        assert log_changes([], actor=member_a) == 0
        log_change(org, action=ChangeAction.UPDATE, actor=member_a, before=before)
    rows = list(ChangeLogEntry.objects.order_by("id")[start:])
    assert len(rows) == 5
    assert [_chained(r) for r in rows[1:4]] == [_chained(r) for r in one_by_one]
    assert [r.personal_digest != "" for r in rows[1:4]] == [False, True, True]
    for earlier, later in itertools.pairwise(rows):
        assert later.prev_hash == earlier.hash
    assert verify_chain()[0] == []
    head = ChangeLogHead.objects.get()
    assert (head.count, head.hash) == (start + 5, rows[-1].hash)
