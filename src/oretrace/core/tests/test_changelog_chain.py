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
