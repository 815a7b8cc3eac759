"""The tamper audit, bundle verification of tampered records, and erasure."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from oretrace.core import services as core_services
from oretrace.core.actors import SYSTEM
from oretrace.core.models import Job, Organisation
from oretrace.core.tests.factories import JobFactory
from oretrace.ledger import keys, queries, records
from oretrace.ledger import services as ledger
from oretrace.ledger.audit import run_audit
from oretrace.ledger.bundle import BundleError, verify_bundle
from oretrace.ledger.exceptions import ErasedRecord
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.models import Checkpoint, Erasure, HashTile, Leaf, LogState

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_org(member_a):
    """An organisation registered through the services, so it has a leaf."""
    return core_services.create_organisation(
        legal_name="Delta Mica Exports", kind="trader", country="IN", actor=member_a
    )


@pytest.fixture
def job_records():
    """Jobs as a committable record type, for records that can be deleted (tests only)."""
    records.register(Job, "test.job", facts=lambda job: {"kind": job.kind, "title": job.title})
    yield
    records._BY_NAME.pop("test.job")
    records._BY_MODEL.pop(Job)


def _problems(kind: str, record_id: str | None = None) -> list[dict[str, Any]]:
    run = run_audit()
    return [p for p in run.problems if p["kind"] == kind and record_id in (None, p["record_id"])]


def _org_problems(run, org) -> list[dict[str, Any]]:
    return [
        p
        for p in run.problems
        if (p["record_type"], p["record_id"]) == ("core.organisation", str(org.pk))
    ]


def _verify(text: str):
    return verify_bundle(text, [keys.log_verifier()])


def test_a_clean_log_has_no_problem_for_its_records(logged_org):
    ledger.sign_checkpoint()
    run = run_audit()
    assert _org_problems(run, logged_org) == []
    assert not [p for p in run.problems if not p["record_id"]]


def test_a_record_changed_in_the_database_is_caught_by_audit_and_bundle(logged_org):
    # given a logged record whose bundle verifies
    leaf = queries.latest_leaf("core.organisation", str(logged_org.pk))
    assert _verify(queries.bundle_for(leaf)).document["facts"]["legal_name"] == "Delta Mica Exports"
    # when its legal name is changed directly in the database, past the services
    Organisation.objects.filter(pk=logged_org.pk).update(legal_name="Someone Else Ltd")
    # then the audit reports it as modified
    problems = _problems("modified", str(logged_org.pk))
    assert len(problems) == 1
    assert "changed outside the services" in problems[0]["detail"]
    assert problems[0]["organisation"] == logged_org.pk
    # and the bundle built from the database no longer verifies
    with pytest.raises(BundleError) as caught:
        _verify(queries.bundle_for(leaf))
    assert caught.value.step == "inclusion"


def test_a_change_through_the_service_is_a_new_version_not_a_problem(logged_org, member_a):
    org = Organisation.objects.get(pk=logged_org.pk)
    core_services.update_organisation(org, website="https://delta.example", actor=SYSTEM)
    assert _problems("modified", str(org.pk)) == []
    leaf = queries.latest_leaf("core.organisation", str(org.pk))
    assert leaf.version == 2
    assert _verify(queries.bundle_for(leaf)).document["facts"]["website"] == "https://delta.example"


def test_a_record_deleted_outside_the_services_is_caught(member_a, job_records):
    job = JobFactory.create(organisation=member_a.organisation)
    ledger.append(job, actor=SYSTEM)
    Job.objects.filter(pk=job.pk).delete()
    assert [p["record_type"] for p in _problems("deleted", str(job.pk))] == ["test.job"]


def test_a_logged_deletion_is_not_a_problem(member_a, job_records):
    job = JobFactory.create(organisation=member_a.organisation)
    ledger.append(job, actor=SYSTEM)
    ledger.record_deletion(job, actor=SYSTEM)
    job_id = str(job.pk)
    job.delete()
    run = run_audit()
    assert [
        p for p in run.problems if (p["record_type"], p["record_id"]) == ("test.job", job_id)
    ] == []
    tombstone = queries.latest_leaf("test.job", job_id)
    assert _verify(queries.bundle_for(tombstone)).document["facts"] == {"deleted": True}


def test_a_record_created_outside_the_services_is_unlogged():
    org = Organisation.objects.create(
        legal_name="Sneaky", slug="sneaky", kind="brand", country_id="DE"
    )
    assert len(_problems("unlogged", str(org.pk))) == 1


def test_an_altered_leaf_or_stored_hash_is_caught(logged_org):
    ledger.sign_checkpoint()
    leaf = queries.latest_leaf("core.organisation", str(logged_org.pk))
    Leaf.objects.filter(pk=leaf.pk).update(entry=b"\x00" * 32)
    run = run_audit()
    kinds = {p["kind"] for p in run.problems if not p["record_id"]}
    # the stored tree no longer matches the leaf, nor does the signed root
    assert {"leaf-altered", "checkpoint-inconsistent"} <= kinds


def test_a_rewritten_tree_is_caught_against_the_signed_checkpoint(logged_org):
    ledger.sign_checkpoint()
    tile = HashTile.objects.get(level=0, index=0)
    HashTile.objects.filter(pk=tile.pk).update(hashes=b"\x01" * len(tile.hashes))
    Leaf.objects.filter(index=0).update(entry=b"\x02" * 32)
    assert _problems("checkpoint-inconsistent")


def test_erasure_keeps_the_leaf_and_every_proof_valid(logged_org, member_a):
    # given two logged records and a checkpoint
    other = core_services.create_organisation(
        legal_name="Epsilon Pigments", kind="manufacturer", country="DE", actor=member_a
    )
    before = ledger.sign_checkpoint()
    # when one record's salt is erased with its personal data
    assert ledger.erase(logged_org, actor=SYSTEM) == 1
    # then the leaves are unchanged: the tree grew by the logged erasure only, and the old
    # checkpoint is the new tree's root at its size
    after = ledger.sign_checkpoint()
    assert after.size == before.size + 1
    erasure = Leaf.objects.get(index=before.size)
    assert erasure.record_type == "ledger.erasure"
    assert Erasure.objects.get(pk=erasure.record_id).leaves == [
        queries.latest_leaf("core.organisation", str(logged_org.pk)).index
    ]
    tree = MemoryTree()
    for entry in Leaf.objects.order_by("index").values_list("entry", flat=True):
        tree.append(bytes(entry))
    assert tree.root(before.size) == bytes(before.root)
    # the other record's bundle still verifies, and the audit reports no problem for either
    _verify(queries.bundle_for(queries.latest_leaf("core.organisation", str(other.pk))))
    run = run_audit()
    assert _org_problems(run, logged_org) + _org_problems(run, other) == []
    assert not [p for p in run.problems if not p["record_id"]]
    # and the erased record can no longer be opened
    with pytest.raises(ErasedRecord):
        queries.bundle_for(queries.latest_leaf("core.organisation", str(logged_org.pk)))


def test_the_audit_command_fails_on_a_problem(logged_org):
    Organisation.objects.filter(pk=logged_org.pk).update(legal_name="Tampered")
    with pytest.raises(CommandError, match=r"problem\(s\) found"):
        call_command("ledger", "audit")


def test_a_salt_removed_without_a_logged_erasure_is_reported(logged_org):
    # given a record changed outside the services, whose leaf's salt is then removed to hide it
    leaf = queries.latest_leaf("core.organisation", str(logged_org.pk))
    Organisation.objects.filter(pk=logged_org.pk).update(legal_name="Tampered")
    Leaf.objects.filter(index=leaf.index).update(salt=None)
    # when / then: a fake erasure, naming the record
    problems = _problems("fake-erasure", str(logged_org.pk))
    assert [(p["record_type"], p["record_id"]) for p in problems] == [
        ("core.organisation", str(logged_org.pk))
    ]


def test_a_deleted_or_forged_erasure_record_is_reported(logged_org, member_a):
    ledger.erase(logged_org, actor=SYSTEM)
    erasure = Erasure.objects.get()
    # an erasure row forged without its leaf is unlogged
    forged = Erasure.objects.create(
        record_type="core.organisation",
        record_id="999",
        organisation=member_a.organisation,
        leaves=[0],
    )
    assert _problems("unlogged", str(forged.pk))
    forged.delete()
    # deleting the logged erasure makes the erased salt a fake erasure, and the erasure deleted
    Erasure.objects.filter(pk=erasure.pk).delete()
    assert _problems("fake-erasure", str(logged_org.pk))
    assert _problems("deleted", str(erasure.pk))


def test_published_checkpoints_catch_a_truncated_or_rebuilt_log(
    logged_org, member_a, django_capture_on_commit_callbacks, tmp_path
):
    # given a checkpoint signed and published outside the database
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = ledger.sign_checkpoint()
    published = ledger.publish_dir() / f"{checkpoint.size}.checkpoint"
    assert published.read_text() == checkpoint.note
    assert _problems("checkpoint-deleted") == []
    # when its row is deleted, the audit misses it
    Checkpoint.objects.all().delete()
    assert _problems("checkpoint-deleted")
    # when the leaves are removed and the log state rebuilt, the published size is beyond it
    Leaf.objects.all().delete()
    HashTile.objects.all().delete()
    LogState.objects.filter(pk=1).update(size=0, frontier=b"")
    assert _problems("tree-truncated")


def test_the_audit_compares_a_checkpoint_kept_elsewhere(logged_org, tmp_path):
    checkpoint = ledger.sign_checkpoint()
    copy = tmp_path / "witness.checkpoint"
    copy.write_text(checkpoint.note)
    assert not [p for p in run_audit(checkpoints=[copy]).problems if not p["record_id"]]
    # a rebuilt tree (one entry changed, hashes recomputed) no longer has the kept root
    Leaf.objects.filter(index=0).update(entry=b"\x07" * 32)
    run = run_audit(checkpoints=[copy])
    assert any(p["kind"] == "tree-altered" and str(copy) in p["detail"] for p in run.problems)
    # and a copy that does not verify is named
    copy.write_text("not a checkpoint\n")
    assert [
        p for p in run_audit(checkpoints=[copy]).problems if p["kind"] == "published-checkpoint"
    ]


def test_widened_facts_keep_old_leaves_valid(job_records, member_a):
    # given a record committed with the type's first facts
    job = JobFactory.create(organisation=member_a.organisation)
    ledger.append(job, actor=SYSTEM)
    first = records.get("test.job").facts

    def widened(record):
        return {**first(record), "schema": 2, "status": record.status}

    # when the facts are widened, with the first shape kept as legacy
    records.register(Job, "test.job", facts=widened, legacy_facts=(first,))
    leaf = queries.latest_leaf("test.job", str(job.pk))
    # then the old leaf still audits clean, opens with its old facts, and its bundle verifies
    assert _problems("modified", str(job.pk)) == []
    assert ledger.facts_of(leaf) == first(job)
    _verify(queries.bundle_for(leaf))
    # a new version commits to the new shape, and an edit is still found
    ledger.append(job, actor=SYSTEM)
    assert ledger.facts_of(queries.latest_leaf("test.job", str(job.pk))) == widened(job)
    Job.objects.filter(pk=job.pk).update(title="Tampered")
    assert _problems("modified", str(job.pk))
