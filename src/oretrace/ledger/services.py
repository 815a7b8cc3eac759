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

import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from oretrace.core.actors import SYSTEM, SystemActor, actor_label
from oretrace.core.models import Membership
from oretrace.core.models.base import locked_singleton
from oretrace.ledger import keys, records
from oretrace.ledger.checkpoint import Checkpoint as CheckpointBody
from oretrace.ledger.checkpoint import parse_body
from oretrace.ledger.commitment import commit_record, commit_records, new_salts
from oretrace.ledger.exceptions import LedgerError
from oretrace.ledger.merkle import HASH_SIZE, append_levels, frontier_root, leaf_hashes
from oretrace.ledger.models import AuditRun, Checkpoint, Cosignature, Erasure, Leaf, LogState
from oretrace.ledger.note import NoteError, cosignature_timestamp, known_signatures, parse_note
from oretrace.ledger.permissions import can_sign_checkpoint
from oretrace.ledger.storage import store_levels

Actor = Membership | SystemActor
TOMBSTONE: dict[str, Any] = {"deleted": True}
_VERSION_BATCH = 5000

records.register_core()


def _locked_state() -> LogState:
    """The log state row, locked until the surrounding transaction ends."""
    return locked_singleton(LogState)


def _split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


def _next_versions(pairs: Sequence[tuple[str, str]]) -> list[int]:
    """The version each (record type, id) gets, counting repeats within the batch.

    One written-out query per record type and 5,000 ids, served by the unique index on
    (record_type, record_id, version): the ORM's ``IN`` of 5,000 parameters with its
    aggregate took ~10 µs per record to compose and run.
    """
    by_type: dict[str, set[str]] = defaultdict(set)
    for record_type, record_id in pairs:
        by_type[record_type].add(record_id)
    table = connection.ops.quote_name(Leaf._meta.db_table)
    latest: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        for record_type, ids in by_type.items():
            id_list = sorted(ids)
            for start in range(0, len(id_list), _VERSION_BATCH):
                part = id_list[start : start + _VERSION_BATCH]
                params: list[Any]
                if connection.vendor == "postgresql":
                    condition, params = "record_id = ANY(%s)", [record_type, part]
                else:
                    condition = f"record_id IN ({', '.join(['%s'] * len(part))})"
                    params = [record_type, *part]
                cursor.execute(
                    f"SELECT record_id, MAX(version) FROM {table} "  # noqa: S608
                    f"WHERE record_type = %s AND {condition} GROUP BY record_id",
                    params,
                )
                latest.update(((record_type, rid), last) for rid, last in cursor.fetchall())
    versions = []
    for pair in pairs:
        latest[pair] = latest.get(pair, 0) + 1
        versions.append(latest[pair])
    return versions


# A leaf's columns in the order the audit re-reads them; the append adds the last two.
LEAF_ROW_COLUMNS = (
    "index",
    "record_type",
    "record_id",
    "version",
    "organisation_id",
    "entry",
    "salt",
    "deleted",
)
_LEAF_COLUMNS = (*LEAF_ROW_COLUMNS, "actor_label", "created_at")
_CHUNK = 2000
_ROWS_PER_INSERT = 250  # SQLite: 1,753 parameters per statement
# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


@dataclass(frozen=True)
class _Chunk:
    """Consecutive leaf rows, column by column (no object per row)."""

    start: int
    record_types: Sequence[str]
    record_ids: Sequence[str]
    versions: Sequence[int]
    organisation_ids: Sequence[int]
    entries: Sequence[bytes]
    salts: Sequence[bytes]

    def rows(self) -> Iterator[tuple[int, str, str, int, int, bytes, bytes]]:
        """The chunk row by row: index, type, id, version, organisation, entry, salt."""
        return zip(
            range(self.start, self.start + len(self.entries)),
            self.record_types,
            self.record_ids,
            self.versions,
            self.organisation_ids,
            self.entries,
            self.salts,
            strict=True,
        )


def _copy_lines(chunk: _Chunk, tail: str) -> str:
    """A chunk's rows in ``COPY`` text format (``tail``: the columns every row shares)."""
    types = {t: _copy_text(t) for t in set(chunk.record_types)}
    rows = chunk.rows()
    return "".join(
        [
            f"{index}\t{types[kind]}\t{rid if rid.isalnum() else _copy_text(rid)}\t"
            f"{version}\t{org}\t"
            f"\\\\x{entry.hex()}\t\\\\x{salt.hex()}{tail}"
            for index, kind, rid, version, org, entry, salt in rows
        ]
    )


def _insert_leaves(
    chunks: Iterable[_Chunk], *, deleted: bool, actor_label: str, created_at: datetime
) -> None:
    """Insert leaf rows with multi-row INSERTs (SQLite) or one ``COPY`` (PostgreSQL).

    Written out because ``bulk_create`` spent ~100 µs per leaf building model instances and
    SQL (benchmarks/ledger.py). ``chunks`` is consumed lazily: on PostgreSQL each chunk goes
    down the ``COPY`` as soon as it is computed, so the server stores one chunk while the next
    one is hashed; the ``COPY`` text is written here, one string per row, instead of adapting
    ten values per row in psycopg's ``write_row``.
    """
    table = connection.ops.quote_name(Leaf._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _LEAF_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tail = (
                f"\t{'t' if deleted else 'f'}\t{_copy_text(actor_label)}"
                f"\t{created_at.isoformat()}\n"
            )
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for chunk in chunks:
                    copy.write(_copy_lines(chunk, tail))
            return
        shared: list[Any] = [
            deleted,
            actor_label,
            connection.ops.adapt_datetimefield_value(created_at),
        ]
        statements: dict[int, str] = {}
        for chunk in chunks:
            values: list[Any] = list(chain.from_iterable(chunk.rows()))
            step = _ROWS_PER_INSERT * 7
            for lo in range(0, len(values), step):
                part = values[lo : lo + step]
                rows = len(part) // 7
                if rows not in statements:
                    statements[rows] = _sqlite_insert(table, columns, rows)
                # sqlite3's own execute: Django's wrapper would rewrite the 1,753 "%s" of
                # each statement to "?" with a regular expression, costing as much time as
                # the insert itself.
                sqlite3.Cursor.execute(cursor.cursor, statements[rows], shared + part)


def _sqlite_insert(table: str, columns: str, rows: int) -> str:
    """An ``INSERT`` of ``rows`` leaves whose last three columns are the same for all of them.

    The shared values are bound once per statement instead of once per row, and the rows go
    in as one ``VALUES`` list: ~40 % faster than ``executemany`` of single-row inserts.
    Placeholders are sqlite3's own ``?``.
    """
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * rows)
    return (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        "SELECT column1, column2, column3, column4, column5, column6, column7, ?, ?, ? "
        f"FROM (VALUES {values})"
    )


def _commit_chunk(
    batch: Sequence[models.Model],
    specs: Sequence[records.RecordType],
    record_ids: Sequence[str],
    versions: Sequence[int],
    salts: Sequence[bytes],
    *,
    deleted: bool,
    one_type: bool,
) -> tuple[list[bytes], list[int]]:
    """The entries and owning organisations of some records (each with its spec)."""
    if one_type:  # its name is encoded once
        spec = specs[0]
        all_facts = [TOMBSTONE] * len(batch) if deleted else list(map(spec.facts, batch))
        return (
            commit_records(list(salts), spec.name, list(record_ids), list(versions), all_facts),
            list(map(spec.organisation_id, batch)),
        )
    entries: list[bytes] = []
    organisation_ids: list[int] = []
    for record, spec, record_id, version, salt in zip(
        batch, specs, record_ids, versions, salts, strict=True
    ):
        facts = TOMBSTONE if deleted else spec.facts(record)
        entries.append(commit_record(salt, spec.name, record_id, version, facts))
        organisation_ids.append(spec.organisation_id(record))
    return entries, organisation_ids


def _append(
    batch: Sequence[models.Model], actor: Actor, *, deleted: bool = False, created: bool = False
) -> range:
    """Commit each record's facts (or a tombstone) as the next leaf; return the new indexes.

    Works through the batch in chunks: canonical JSON, commitments and the leaf rows of one
    chunk are computed while the database stores the previous one (PostgreSQL's ``COPY``).
    """
    batch = list(batch)  # sliced per chunk below: a query set must not run again
    if not batch:
        return range(0)
    one_type = len(set(map(type, batch))) == 1
    if one_type:  # its spec is looked up once
        spec = records.for_record(batch[0])
        specs: Sequence[records.RecordType] = [spec] * len(batch)
        pk = attrgetter(spec.model._meta.pk.attname)
        record_ids = [str(pk(record)) for record in batch]
    else:
        specs = [records.for_record(record) for record in batch]
        record_ids = [str(record.pk) for record in batch]
    if "None" in record_ids:
        raise LedgerError("a record must be saved before it is logged")
    record_types = [spec.name for spec in specs]
    versions = (
        [1] * len(batch)
        if created
        else _next_versions(list(zip(record_types, record_ids, strict=True)))
    )
    state = _locked_state()
    start = state.size
    salts = new_salts(len(batch))
    hashes: list[bytes] = []  # the leaf hashes, computed chunk by chunk

    def chunks() -> Iterator[_Chunk]:
        for lo in range(0, len(batch), _CHUNK):
            part = slice(lo, lo + _CHUNK)
            chunk_entries, organisation_ids = _commit_chunk(
                batch[part],
                specs[part],
                record_ids[part],
                versions[part],
                salts[part],
                deleted=deleted,
                one_type=one_type,
            )
            hashes.extend(leaf_hashes(chunk_entries))
            yield _Chunk(
                start + lo,
                record_types[part],
                record_ids[part],
                versions[part],
                organisation_ids,
                chunk_entries,
                salts[part],
            )

    # Facts that query (a declaration's smelter rows) are all computed before the COPY opens:
    # it holds the connection until it ends (``RecordType.row_only``).
    streamable = deleted or all(spec.row_only for spec in (specs[:1] if one_type else specs))
    _insert_leaves(
        chunks() if streamable else list(chunks()),
        deleted=deleted,
        actor_label=actor_label(actor)[:300],
        created_at=timezone.now(),
    )
    frontier, levels = append_levels(start, _split_frontier(bytes(state.frontier)), hashes)
    store_levels(levels)
    state.size = start + len(hashes)
    state.frontier = b"".join(frontier)
    state.save(update_fields=["size", "frontier", "updated_at"])
    return range(start, state.size)


@transaction.atomic
def append(record: models.Model, *, actor: Actor) -> Leaf:
    """Append the record's current public facts as a new leaf (its next version)."""
    index = _append([record], actor)[0]
    return Leaf.objects.get(pk=index)


@transaction.atomic
def append_many(batch: Sequence[models.Model], *, actor: Actor, created: bool = False) -> range:
    """Append many records in one locked write (imports, batch capture); return the indexes.

    ``created=True`` says every record was created in this transaction, so each gets version 1
    without looking up earlier leaves (the unique version constraint still guards it).
    """
    return _append(batch, actor, created=created)


@transaction.atomic
def record_deletion(record: models.Model, *, actor: Actor) -> Leaf:
    """Append a tombstone for a record its service is about to delete."""
    index = _append([record], actor, deleted=True)[0]
    return Leaf.objects.get(pk=index)


@transaction.atomic
def erase(record: models.Model, *, actor: Actor) -> int:
    """Erase the salts of a record's leaves, with its personal data; the leaves stay valid.

    Without the salt nobody can open the commitments again, or test guesses against them; the
    entries, the tree and every checkpoint are unchanged. Returns how many leaves were erased.
    The erasure is itself logged: an ``Erasure`` record naming the erased leaves is appended as
    a leaf (``ledger.erasure``), so a salt removed without one is reported by the tamper audit.
    """
    spec = records.for_record(record)
    indexes = sorted(
        Leaf.objects.filter(
            record_type=spec.name, record_id=str(record.pk), erased_at__isnull=True
        ).values_list("index", flat=True)
    )
    if not indexes:
        return 0
    Leaf.objects.filter(index__in=indexes).update(salt=None, erased_at=timezone.now())
    erasure = Erasure.objects.create(
        record_type=spec.name,
        record_id=str(record.pk),
        organisation_id=spec.organisation_id(record),
        leaves=indexes,
    )
    _append([erasure], actor, created=True)
    return len(indexes)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


@transaction.atomic
def sign_checkpoint(*, actor: Actor = SYSTEM) -> Checkpoint:
    """Sign a checkpoint of the current tree, unless the latest one already has its size."""
    can_sign_checkpoint.require(actor)
    state = _locked_state()
    latest = latest_checkpoint()
    if latest is not None and latest.size == state.size:
        return latest
    root = frontier_root(_split_frontier(bytes(state.frontier)))
    body = CheckpointBody(keys.log_signer().name, state.size, root)
    note = body.sign(keys.signers())
    checkpoint = Checkpoint.objects.create(size=state.size, root=root, note=note)
    transaction.on_commit(lambda: publish_checkpoint(checkpoint.size, note))
    return checkpoint


def publish_dir() -> Path:
    """Where signed checkpoints are published outside the database."""
    configured: Path | None = settings.ORETRACE_LEDGER_PUBLISH_DIR
    return configured or Path(settings.ORETRACE_LEDGER_KEY_PATH).parent / "published"


def publish_checkpoint(size: int, note: str) -> Path:
    """Write a signed checkpoint to ``<publish dir>/<size>.checkpoint`` (atomically).

    Run once the checkpoint is committed: a copy the database cannot take back, against which
    the tamper audit checks the log (a truncated or rebuilt tree no longer has its root, and a
    deleted checkpoint row is missed), without needing the signing key.
    """
    folder = publish_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{size}.checkpoint"
    partial = path.with_suffix(".partial")
    partial.write_text(note, encoding="utf-8")
    os.replace(partial, path)
    return path


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
    witnesses = keys.witness_verifiers()
    if not witnesses:
        raise LedgerError("no witnesses are configured (ORETRACE_LEDGER_WITNESSES)")
    try:
        cosigned = known_signatures(note, witnesses)
    except NoteError as exc:
        raise LedgerError(f"a witness's cosignature: {exc}") from None
    kept = []
    for sig in cosigned:
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
    if record is None:
        return None
    if leaf.salt is not None:  # the shape the leaf was committed with (see legacy_facts)
        salt, entry = bytes(leaf.salt), bytes(leaf.entry)
        for facts in spec.facts_versions(record):
            if commit_record(salt, spec.name, leaf.record_id, leaf.version, facts) == entry:
                return facts
    return spec.facts(record)


def start_audit_run(trigger: str) -> AuditRun:
    """Record that a tamper audit started (`ledger.audit.run_audit`), so the page shows it."""
    return AuditRun.objects.create(trigger=trigger[:100])


def finish_audit_run(
    run: AuditRun, *, size: int, records: int, problems: list[dict[str, Any]]
) -> AuditRun:
    """Store what a tamper audit found: the log's size, the records checked, the problems."""
    run.size = size
    run.records = records
    run.problems = problems
    run.finished_at = timezone.now()
    run.save()
    return run


def note_scheduled_audit(run: AuditRun) -> None:
    """Remember when the scheduled audit last ran: the next one is due an interval later."""
    LogState.objects.filter(pk=1).update(last_audit_at=run.started_at)
