"""The append service: leaves, versions, stored subtree hashes, proofs from the database."""

from __future__ import annotations

import stat

import pytest
from django.db import transaction

from oretrace.core import services as core_services
from oretrace.core.actors import SYSTEM
from oretrace.core.models import Organisation
from oretrace.core.tests.factories import OrganisationFactory
from oretrace.ledger import keys, merkle
from oretrace.ledger import services as ledger
from oretrace.ledger.commitment import commit, record_document
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.models import HashTile, Leaf, LogState
from oretrace.ledger.records import organisation_facts
from oretrace.ledger.storage import DatabaseHashStore

pytestmark = pytest.mark.django_db


def _tree_of_leaves() -> MemoryTree:
    tree = MemoryTree()
    for entry in Leaf.objects.order_by("index").values_list("entry", flat=True):
        tree.append(bytes(entry))
    return tree


def test_creating_an_organisation_appends_its_registration_facts(member_a):
    # when an organisation is registered through the core service
    org = core_services.create_organisation(
        legal_name="Gamma Mica Traders", kind="trader", country="IN", actor=member_a
    )
    # then its facts are the first version of a leaf, committed with a salt
    leaf = Leaf.objects.get(record_type="core.organisation", record_id=str(org.pk))
    assert leaf.version == 1
    assert leaf.organisation_id == org.pk
    document = record_document("core.organisation", str(org.pk), 1, organisation_facts(org))
    assert leaf.entry is not None
    assert leaf.salt is not None
    assert bytes(leaf.entry) == commit(bytes(leaf.salt), document)
    assert organisation_facts(org)["country"] == "IN"


def test_an_update_through_the_service_appends_a_new_version(member_a):
    org = member_a.organisation
    ledger.append(org, actor=member_a)
    # when
    core_services.update_organisation(org, website="https://alpha.example", actor=member_a)
    # then
    versions = list(
        Leaf.objects.filter(record_id=str(org.pk))
        .order_by("index")
        .values_list("version", flat=True)
    )
    assert versions[-2:] == [versions[-2], versions[-2] + 1]


def test_the_stored_tree_equals_an_in_memory_tree_across_tile_boundaries():
    # given 600 records appended in three batches (tiles of 256 are filled and extended)
    orgs = OrganisationFactory.create_batch(600)
    with transaction.atomic():
        ledger.append_many(orgs[:100], actor=SYSTEM, created=True)
        ledger.append_many(orgs[100:300], actor=SYSTEM, created=True)
    for org in orgs[300:310]:
        ledger.append(org, actor=SYSTEM)
    ledger.append_many(orgs[310:], actor=SYSTEM)
    # when the tree is rebuilt in memory from the leaf entries
    tree = _tree_of_leaves()
    store = DatabaseHashStore()
    size = LogState.objects.get().size
    # then the stored root and every kind of proof are the in-memory tree's
    assert size == tree.size
    assert merkle.root(size, store) == tree.root()
    for index in (0, 255, 256, 257, 511, size - 1):
        proof = merkle.inclusion_proof(index, size, store)
        assert proof == tree.inclusion_proof(index)
        merkle.verify_inclusion(index, size, tree.levels[0][index], proof, tree.root())
    for old in (1, 256, 300, size - 1):
        assert merkle.consistency_proof(old, size, store) == tree.consistency_proof(old)
    assert HashTile.objects.filter(level=0).count() == (size + 255) // 256


def test_a_batch_records_versions_per_record():
    org = OrganisationFactory.create()
    indexes = ledger.append_many([org, org], actor=SYSTEM)
    versions = Leaf.objects.filter(index__in=indexes).order_by("index")
    assert [leaf.version for leaf in versions] == [1, 2]


def test_an_unsaved_record_is_refused():
    with pytest.raises(LedgerError, match="must be saved"):
        ledger.append(Organisation(legal_name="Unsaved", country_id="DE"), actor=SYSTEM)


def test_a_model_that_is_not_registered_is_refused(member_a):
    with pytest.raises(LedgerError, match="not a committable record type"):
        ledger.append(member_a, actor=SYSTEM)


def test_a_failed_service_leaves_no_leaf(member_a):
    before = Leaf.objects.count()
    with pytest.raises(Exception, match="not valid"):
        core_services.create_organisation(
            legal_name="Bad LEI", kind="brand", country="DE", lei="nope", actor=member_a
        )
    assert Leaf.objects.count() == before


def test_checkpoints_are_signed_with_a_key_generated_outside_the_database(ledger_keys):
    # given an empty key folder and a log with leaves
    ledger.append_many(OrganisationFactory.create_batch(3), actor=SYSTEM)
    # when a checkpoint is signed
    checkpoint = ledger.sign_checkpoint()
    # then the key was created with owner-only permissions, and the checkpoint verifies with it
    assert stat.S_IMODE(ledger_keys.stat().st_mode) == 0o600
    from oretrace.ledger.checkpoint import verify_checkpoint

    verified = verify_checkpoint(
        checkpoint.note, [keys.log_verifier()], origin="oretrace.test/ledger"
    )
    assert verified.checkpoint.size == LogState.objects.get().size
    assert verified.checkpoint.root == _tree_of_leaves().root()
    # and signing again without new leaves returns the same checkpoint
    assert ledger.sign_checkpoint().pk == checkpoint.pk


def test_a_lost_key_is_not_silently_replaced(ledger_keys):
    # given a log that signed a checkpoint
    ledger.sign_checkpoint()
    # when its key file is missing (a second node, a restore without the key folder)
    ledger_keys.unlink()
    ledger.append(OrganisationFactory.create(), actor=SYSTEM)
    # then no new key is made up
    from oretrace.ledger.exceptions import SigningKeyError

    with pytest.raises(SigningKeyError, match="copy the log's key folder"):
        ledger.sign_checkpoint()
    assert not ledger_keys.exists()


def test_facts_that_may_query_are_all_computed_before_the_leaves_are_stored(monkeypatch):
    # PostgreSQL's COPY of the leaves holds the connection: a query from a record's facts
    # inside it would wait for ever. Organisation facts are not declared row-only.
    orgs = OrganisationFactory.create_batch(3)
    received: list[bool] = []
    store = ledger._insert_leaves

    def spy(chunks, **options):
        received.append(isinstance(chunks, list))
        return store(chunks, **options)

    monkeypatch.setattr(ledger, "_insert_leaves", spy)
    with transaction.atomic():
        ledger.append_many(orgs, actor=SYSTEM)
        ledger.record_deletion(orgs[0], actor=SYSTEM)
    # then the facts were computed first; a tombstone, which queries nothing, streams
    assert received == [True, False]


def test_row_only_record_types_run_no_query():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from oretrace.ledger import records
    from oretrace.programmes.models import DonorReport
    from oretrace.traceability.models import EpcisEvent

    rows = {
        "traceability.epcisevent": EpcisEvent(
            hash_id="ni:///sha-256;00?ver=CBV2.0", event_time=timezone.now()
        ),
        "programmes.donorreport": DonorReport(
            programme_id=1,
            period_label="Year 1",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            created_at=timezone.now(),
            sha256="0" * 64,
        ),
    }
    row_only = [spec for spec in records.all_types() if spec.row_only]
    assert sorted(spec.name for spec in row_only) == sorted(rows)
    for spec in row_only:
        with CaptureQueriesContext(connection) as queries:
            spec.facts(rows[spec.name])
        assert len(queries) == 0, spec.name
