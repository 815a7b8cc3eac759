"""Writes of the ledger: appending leaves, signing checkpoints, cosignatures, erasure.

Other apps call, inside their own service's transaction::

    from oretrace.ledger import services as ledger

    ledger.append(event, actor=actor)            # one record, after it was written
    ledger.append_many(events, actor=actor)      # a batch (an import, an EPCIS document)
    ledger.record_deletion(event, actor=actor)   # before deleting a committed record
    ledger.erase(case, actor=actor)              # with the erasure of its personal data

Appends are serialised by locking the single ``LogState`` row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), so leaves get
consecutive indexes and the stored tree never forks, even with many web and worker processes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from oretrace.core.actors import SYSTEM, SystemActor, actor_label
from oretrace.core.models import Membership
from oretrace.ledger import keys, records
from oretrace.ledger.checkpoint import Checkpoint as CheckpointBody
from oretrace.ledger.checkpoint import parse_body
from oretrace.ledger.commitment import commit_record, commit_records, new_salts
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.merkle import HASH_SIZE, append_leaves, frontier_root, leaf_hash
from oretrace.ledger.models import Checkpoint, Cosignature, Leaf, LogState
from oretrace.ledger.note import cosignature_timestamp, parse_note
from oretrace.ledger.storage import store_nodes

Actor = Membership | SystemActor
TOMBSTONE = {"deleted": True}
_VERSION_BATCH = 5000
_INSERT_BATCH = 10_000

records.register_core()


def _locked_state() -> LogState:
    """The log state row, locked until the surrounding transaction ends."""
    state = LogState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        LogState.objects.get_or_create(pk=1)
        state = LogState.objects.select_for_update().get(pk=1)
    return state


def _split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


def _next_versions(pairs: Sequence[tuple[str, str]]) -> list[int]:
    """The version each (record type, id) gets, counting repeats within the batch."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for record_type, record_id in pairs:
        by_type[record_type].add(record_id)
    latest: dict[tuple[str, str], int] = {}
    for record_type, ids in by_type.items():
        id_list = sorted(ids)
        for start in range(0, len(id_list), _VERSION_BATCH):
            rows = (
                Leaf.objects.filter(
                    record_type=record_type, record_id__in=id_list[start : start + _VERSION_BATCH]
                )
                .values_list("record_id")
                .annotate(last=Max("version"))
            )
            latest.update({(record_type, rid): last for rid, last in rows})
    versions = []
    for pair in pairs:
        latest[pair] = latest.get(pair, 0) + 1
        versions.append(latest[pair])
    return versions


_LEAF_COLUMNS = (
    "index",
    "record_type",
    "record_id",
    "version",
    "organisation_id",
    "entry",
    "salt",
    "deleted",
    "actor_label",
    "created_at",
)


def _insert_leaves(rows: list[tuple[Any, ...]]) -> None:
    """Insert leaf rows with one prepared statement (SQLite) or ``COPY`` (PostgreSQL).

    Written out because ``bulk_create`` spent ~100 µs per leaf building model instances and
    SQL (benchmarks/ledger.py); this keeps appends with persistence above 50,000 leaves/s.
    """
    table = Leaf._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in _LEAF_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(_LEAF_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, len(rows), _INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + _INSERT_BATCH])


def _append(
    items: Sequence[tuple[models.Model, records.RecordType, bool]],
    actor: Actor,
    *,
    created: bool = False,
) -> list[tuple[Any, ...]]:
    """Commit each record's facts as the next leaf; return the inserted leaf rows."""
    if not items:
        return []
    pairs = [(spec.name, str(record.pk)) for record, spec, _d in items]
    if any(record_id == "None" for _t, record_id in pairs):
        raise LedgerError("a record must be saved before it is logged")
    versions = [1] * len(pairs) if created else _next_versions(pairs)
    state = _locked_state()
    label = actor_label(actor)[:300]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    salts = new_salts(len(items))
    facts = [TOMBSTONE if deleted else spec.facts(record) for record, spec, deleted in items]
    if len({record_type for record_type, _id in pairs}) == 1:  # a batch of one type: faster
        entries = commit_records(
            salts, pairs[0][0], [record_id for _t, record_id in pairs], versions, facts
        )
    else:
        entries = [
            commit_record(salt, record_type, record_id, version, record_facts)
            for salt, (record_type, record_id), version, record_facts in zip(
                salts, pairs, versions, facts, strict=True
            )
        ]
    start = state.size
    rows = [
        (
            start + n,
            record_type,
            record_id,
            version,
            spec.organisation_id(record),
            entry,
            salt,
            deleted,
            label,
            now,
        )
        for n, (
            (record, spec, deleted),
            (record_type, record_id),
            version,
            entry,
            salt,
        ) in enumerate(zip(items, pairs, versions, entries, salts, strict=True))
    ]
    hashes = [leaf_hash(entry) for entry in entries]
    frontier, nodes = append_leaves(start, _split_frontier(bytes(state.frontier)), hashes)
    _insert_leaves(rows)
    store_nodes(nodes)
    state.size = start + len(rows)
    state.frontier = b"".join(frontier)
    state.save(update_fields=["size", "frontier", "updated_at"])
    return rows


@transaction.atomic
def append(record: models.Model, *, actor: Actor) -> Leaf:
    """Append the record's current public facts as a new leaf (its next version)."""
    row = _append([(record, records.for_record(record), False)], actor)[0]
    return Leaf.objects.get(pk=row[0])


@transaction.atomic
def append_many(batch: Sequence[models.Model], *, actor: Actor, created: bool = False) -> range:
    """Append many records in one locked write (imports, batch capture); return the indexes.

    ``created=True`` says every record was created in this transaction, so each gets version 1
    without looking up earlier leaves (the unique version constraint still guards it).
    """
    rows = _append([(r, records.for_record(r), False) for r in batch], actor, created=created)
    return range(rows[0][0], rows[-1][0] + 1) if rows else range(0)


@transaction.atomic
def record_deletion(record: models.Model, *, actor: Actor) -> Leaf:
    """Append a tombstone for a record its service is about to delete."""
    row = _append([(record, records.for_record(record), True)], actor)[0]
    return Leaf.objects.get(pk=row[0])


@transaction.atomic
def erase(record: models.Model, *, actor: Actor) -> int:
    """Erase the salts of a record's leaves, with its personal data; the leaves stay valid.

    Without the salt nobody can open the commitments again, or test guesses against them; the
    entries, the tree and every checkpoint are unchanged. Returns how many leaves were erased.
    """
    spec = records.for_record(record)
    return Leaf.objects.filter(
        record_type=spec.name, record_id=str(record.pk), erased_at__isnull=True
    ).update(salt=None, erased_at=timezone.now())


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


@transaction.atomic
def sign_checkpoint(*, actor: Actor = SYSTEM) -> Checkpoint:
    """Sign a checkpoint of the current tree, unless the latest one already has its size."""
    state = _locked_state()
    latest = latest_checkpoint()
    if latest is not None and latest.size == state.size:
        return latest
    root = frontier_root(_split_frontier(bytes(state.frontier)))
    body = CheckpointBody(keys.log_signer().name, state.size, root)
    note = body.sign(keys.signers())
    return Checkpoint.objects.create(size=state.size, root=root, note=note)


def checkpoint_covering(index: int) -> Checkpoint:
    """The latest checkpoint that includes leaf ``index``, signing one if none does yet."""
    latest = latest_checkpoint()
    if latest is None or latest.size <= index:
        latest = sign_checkpoint()
    if latest.size <= index:
        raise LedgerError(f"leaf {index} is not in the log")
    return latest


@transaction.atomic
def add_cosignatures(signed: str) -> list[Cosignature]:
    """Keep the cosignatures of configured witnesses on one of this log's checkpoints.

    ``signed`` is the checkpoint as a witness returns it: the note text and signature lines
    (the log's own signature may be among them). A cosignature by a configured witness that
    does not verify rejects the whole submission.
    """
    try:
        note = parse_note(signed)
        body = parse_body(note.text)
    except ValueError as exc:
        raise LedgerError(f"not a signed checkpoint: {exc}") from None
    checkpoint = Checkpoint.objects.filter(size=body.size).first()
    if checkpoint is None or not checkpoint.note.startswith(note.text + "\n"):
        raise LedgerError(f"this log never issued that checkpoint (size {body.size})")
    witnesses = {(w.name, w.key_id): w for w in keys.witness_verifiers()}
    if not witnesses:
        raise LedgerError("no witnesses are configured (ORETRACE_LEDGER_WITNESSES)")
    kept = []
    for sig in note.signatures:
        witness = witnesses.get((sig.name, sig.key_id))
        if witness is None:
            continue
        if not witness.verify(note.text_bytes, sig.signature):
            raise LedgerError(f"the cosignature of witness {sig.name} does not verify")
        cosig, _created = Cosignature.objects.get_or_create(
            checkpoint=checkpoint,
            witness=sig.name,
            key_id=f"{sig.key_id:08x}",
            defaults={"timestamp": cosignature_timestamp(sig), "line": sig.line},
        )
        kept.append(cosig)
    if not kept:
        raise LedgerError("the checkpoint carries no cosignature of a configured witness")
    return kept


def facts_of(leaf: Leaf) -> dict[str, Any] | None:
    """The facts to open ``leaf`` with, recomputed from the database (None: record is gone)."""
    if leaf.deleted:
        return TOMBSTONE
    spec = records.get(leaf.record_type)
    record = spec.model._default_manager.filter(pk=leaf.record_id).first()
    return None if record is None else spec.facts(record)
