"""The tamper audit: recompute every leaf and the whole tree from the database.

It reports, each as a problem with a ``kind``:

- ``modified``: a record whose facts no longer match its latest commitment (changed outside the
  services, which would have appended a new version);
- ``deleted``: a committed record that is gone without a logged deletion;
- ``reappeared``: a record whose latest leaf is a tombstone but that exists;
- ``unlogged``: a record of a committable type that has no leaf at all (and that its type says
  the log must hold: see ``records.register(logged=…)``);
- ``leaf-altered``: a leaf row whose entry no longer hashes to the stored tree;
- ``tree-altered``: stored subtree hashes or the log state that differ from the recomputation;
- ``checkpoint-signature`` and ``checkpoint-inconsistent``: a stored checkpoint that does not
  verify with the log's keys, or whose root is not the recomputed tree's at its size;
- against every checkpoint that left the database (the published folder, files given):
  ``tree-truncated`` (the log is shorter), ``tree-altered`` (its root differs),
  ``checkpoint-deleted`` (no row of that size), ``published-checkpoint`` (does not verify);
- ``content-altered``: stored data that the committed facts determine but do not carry, which no
  longer agrees with them (an EPCIS event's body and the columns and identifiers read from it,
  a declaration's smelter rows, a submitted assessment's answers): each app's content check,
  ``records.register_check``;
- ``derived-altered``: derived state (lots and their quantities, movements, custody edges and
  their shares, mass-balance flags) that differs from its re-derivation from the committed
  events.

- ``fake-erasure``: a leaf whose salt is gone without a logged erasure naming it;
- ``changelog-altered``: a change-log entry that no longer hashes to its place in the chain
  (edited), or does not follow the entry before it (entries deleted), or a head that is not
  the chain's end (entries deleted at the end).

Erased leaves (salt removed with personal data by ``ledger.erase``, which logs the erasure)
are counted, not reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from oretrace.core.changelog import verify_chain
from oretrace.core.progress import Progress
from oretrace.core.stored_text import StoredText
from oretrace.ledger import keys, records
from oretrace.ledger import services as ledger_services
from oretrace.ledger.checkpoint import CheckpointError, verify_checkpoint
from oretrace.ledger.commitment import commit, record_document
from oretrace.ledger.merkle import HASH_SIZE, MemoryTree, range_nodes
from oretrace.ledger.models import AuditRun, Checkpoint, Erasure, HashTile, Leaf, LogState
from oretrace.ledger.tiles import TILE_WIDTH

CHUNK = 5000


@dataclass(frozen=True)
class Problem:
    kind: str
    detail: str
    record_type: str = ""
    record_id: str = ""
    organisation: int | None = None


@dataclass
class _Latest:
    index: int
    version: int
    organisation: int
    entry: bytes
    salt: bytes | None
    deleted: bool


def _read_leaves(
    tree: MemoryTree, problems: list[Problem], erased: dict[int, tuple[str, str, int]]
) -> dict[tuple[str, str], _Latest]:
    """Rebuild the tree from the leaf entries; keep each record's latest leaf, and note every
    leaf whose salt is gone in ``erased``."""
    latest: dict[tuple[str, str], _Latest] = {}
    rows = Leaf.objects.order_by("index").values_list(*ledger_services.LEAF_ROW_COLUMNS)
    for index, rtype, rid, version, org, entry, salt, deleted in rows.iterator(CHUNK):
        if index != tree.size:
            problems.append(Problem("tree-altered", f"leaf {tree.size} is missing"))
            return latest
        tree.append(bytes(entry))
        if salt is None:
            erased[index] = (rtype, rid, org)
        latest[(rtype, rid)] = _Latest(
            index, version, org, bytes(entry), None if salt is None else bytes(salt), deleted
        )
    return latest


def _check_tree(tree: MemoryTree, problems: list[Problem]) -> None:
    """Compare every stored hash and the log state with the recomputed tree."""
    for tile in HashTile.objects.order_by("level", "index").iterator(CHUNK):
        stored = bytes(tile.hashes)
        level = tree.levels[tile.level] if tile.level < len(tree.levels) else []
        start = tile.index * TILE_WIDTH
        expected = b"".join(level[start : start + TILE_WIDTH])
        if stored != expected[: len(stored)] or len(stored) not in (len(expected), 0):
            kind = "leaf-altered" if tile.level == 0 else "tree-altered"
            first = next(
                (
                    i
                    for i in range(0, len(stored), HASH_SIZE)
                    if stored[i : i + HASH_SIZE] != expected[i : i + HASH_SIZE]
                ),
                0,
            )
            node = start + first // HASH_SIZE
            problems.append(
                Problem(kind, f"stored hash of node {tile.level}/{node} differs from the leaves")
            )
    present = set(HashTile.objects.values_list("level", "index"))
    for height in range(len(tree.levels)):
        complete = tree.size >> height
        for number in range((complete + TILE_WIDTH - 1) // TILE_WIDTH):
            if (height, number) not in present:
                problems.append(
                    Problem("tree-altered", f"the stored hashes of tile {height}/{number} are gone")
                )
    state = LogState.objects.filter(pk=1).first()
    if state is None and tree.size:
        problems.append(Problem("tree-altered", f"the log state of {tree.size} leaves is gone"))
    if state is not None:
        frontier = b"".join(tree.hashes(range_nodes(0, tree.size)))
        if state.size != tree.size or bytes(state.frontier) != frontier:
            problems.append(
                Problem("tree-altered", f"the log state (size {state.size}) is not the leaves'")
            )


def _check_checkpoints(tree: MemoryTree, problems: list[Problem]) -> None:
    verifiers = keys.log_verifiers()
    for cp in Checkpoint.objects.order_by("size"):
        try:
            verified = verify_checkpoint(cp.note, verifiers)
        except CheckpointError as exc:
            problems.append(Problem("checkpoint-signature", f"size {cp.size}: {exc}"))
            continue
        size = verified.checkpoint.size
        if (cp.size, bytes(cp.root)) != (size, verified.checkpoint.root):
            problems.append(
                Problem(
                    "checkpoint-inconsistent",
                    f"the stored size or root of checkpoint {cp.pk} (size {cp.size}) is not "
                    f"what its signed note says (size {size})",
                )
            )
        if size > tree.size or verified.checkpoint.root != tree.root(size):
            problems.append(
                Problem(
                    "checkpoint-inconsistent",
                    f"the signed root of size {size} is not the root of the stored leaves",
                )
            )


def published_checkpoints(extra: Sequence[Path] = ()) -> list[tuple[str, str]]:
    """The checkpoints that left the database: (where, note text), the published folder's
    files and any ``extra`` file (a witness's or a monitor's copy) given to the audit."""
    folder = ledger_services.publish_dir()
    files = sorted(folder.glob("*.checkpoint")) if folder.is_dir() else []
    found = []
    for path in [*files, *extra]:
        try:
            found.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            found.append((str(path), f"unreadable: {exc}"))
    return found


def _check_published(
    tree: MemoryTree, problems: list[Problem], published: list[tuple[str, str]]
) -> None:
    """Compare the log with every checkpoint that left the database.

    Only the log's public keys are needed: a tree truncated or rebuilt by someone without the
    signing key no longer has a published root; a checkpoint row deleted is missed.
    """
    verifiers = keys.log_verifiers()
    stored = dict(Checkpoint.objects.values_list("size", "note"))
    for where, text in published:
        try:
            verified = verify_checkpoint(text, verifiers)
        except CheckpointError as exc:
            problems.append(Problem("published-checkpoint", f"{where}: {exc}"))
            continue
        size, root = verified.checkpoint.size, verified.checkpoint.root
        if size > tree.size:
            problems.append(
                Problem(
                    "tree-truncated",
                    f"the checkpoint of size {size} published at {where} is beyond the log, "
                    f"which has {tree.size} leaves: leaves were removed",
                )
            )
        elif tree.root(size) != root:
            problems.append(
                Problem(
                    "tree-altered",
                    f"the root of the first {size} leaves is not the one published at {where}: "
                    "the tree was rebuilt",
                )
            )
        note = stored.get(size)
        if note is None:
            problems.append(
                Problem(
                    "checkpoint-deleted",
                    f"the checkpoint of size {size} published at {where} is not in the database",
                )
            )
        elif not note.startswith(verified.checkpoint.body() + "\n"):
            problems.append(
                Problem(
                    "checkpoint-inconsistent",
                    f"the stored checkpoint of size {size} is not the one published at {where}",
                )
            )


def _check_records(
    latest: dict[tuple[str, str], _Latest], problems: list[Problem], progress: Progress
) -> tuple[int, int]:
    by_type: dict[str, dict[str, _Latest]] = {}
    for (rtype, rid), leaf in latest.items():
        by_type.setdefault(rtype, {})[rid] = leaf
    checked = erased = 0
    for n, spec in enumerate(records.all_types()):
        logged = by_type.get(spec.name, {})
        seen: set[str] = set()
        for record in spec.model._default_manager.all().iterator(CHUNK):
            rid = str(record.pk)
            seen.add(rid)
            found = logged.get(rid)
            if found is None and not spec.logged(record):
                continue  # not committed yet, and not due to be (a declaration not accepted)
            if found is None:
                problems.append(
                    Problem(
                        "unlogged",
                        "the record has no leaf: it was created outside the services",
                        spec.name,
                        rid,
                        spec.organisation_id(record),
                    )
                )
                continue
            leaf = found
            checked += 1
            if leaf.salt is None:
                erased += 1
                continue
            if leaf.deleted:
                problems.append(
                    Problem(
                        "reappeared",
                        f"deleted at leaf {leaf.index} but present",
                        spec.name,
                        rid,
                        leaf.organisation,
                    )
                )
                continue
            owner = spec.organisation_id(record)
            if owner != leaf.organisation:
                problems.append(
                    Problem(
                        "modified",
                        f"the record belongs to organisation {owner}, its leaf {leaf.index} "
                        f"to {leaf.organisation}: it was moved outside the services",
                        spec.name,
                        rid,
                        leaf.organisation,
                    )
                )
            if not any(
                commit(leaf.salt, record_document(spec.name, rid, leaf.version, facts))
                == leaf.entry
                for facts in spec.facts_versions(record)
            ):
                problems.append(
                    Problem(
                        "modified",
                        f"the record no longer matches its leaf {leaf.index} "
                        f"(version {leaf.version}): it was changed outside the services",
                        spec.name,
                        rid,
                        leaf.organisation,
                    )
                )
        for rid, leaf in logged.items():
            if rid in seen or leaf.deleted:
                continue
            checked += 1
            if leaf.salt is None:
                erased += 1
                continue
            problems.append(
                Problem(
                    "deleted",
                    f"the record of leaf {leaf.index} was deleted outside the services",
                    spec.name,
                    rid,
                    leaf.organisation,
                )
            )
        progress(
            60 + 20 * (n + 1) / max(1, len(records.all_types())),
            StoredText.of("checked %(what)s", what=spec.name),
        )
    return checked, erased


def _check_erasures(erased: dict[int, tuple[str, str, int]], problems: list[Problem]) -> None:
    """Every leaf without a salt must be named by a logged erasure of its record (the erasure
    records are themselves checked against their leaves with the other records)."""
    if not erased:
        return
    logged: set[tuple[int, str, str]] = set()
    for rtype, rid, leaves in Erasure.objects.values_list("record_type", "record_id", "leaves"):
        logged.update((int(index), rtype, rid) for index in leaves or [])
    for index, (rtype, rid, org) in sorted(erased.items()):
        if (index, rtype, rid) not in logged:
            problems.append(
                Problem(
                    "fake-erasure",
                    f"the salt of leaf {index} was removed without a logged erasure",
                    rtype,
                    rid,
                    org,
                )
            )


def _check_changelog(problems: list[Problem]) -> None:
    """The change log's hash chain, recomputed: edited and deleted entries break it."""
    breaks, _hashes = verify_chain()
    problems.extend(
        Problem(
            "changelog-altered",
            b.detail,
            "core.changelogentry",
            "" if b.entry_id is None else str(b.entry_id),
            b.organisation_id,
        )
        for b in breaks
    )


def _check_contents(problems: list[Problem], progress: Progress) -> None:
    """Run every app's content checks: what the leaves vouch for, recomputed from the rows."""
    checks = records.all_checks()
    for n, (name, check) in enumerate(checks):
        problems.extend(
            Problem(f.kind, f.detail, f.record_type, f.record_id, f.organisation) for f in check()
        )
        progress(
            80 + 20 * (n + 1) / max(1, len(checks)),
            StoredText.of("checked %(what)s", what=name),
        )


def run_audit(
    *,
    trigger: str = "",
    progress: Progress | None = None,
    checkpoints: Sequence[Path] = (),
) -> AuditRun:
    """Recompute the log from the database, store the run, and return it.

    ``checkpoints`` are files of checkpoints kept outside the database (a witness's, a
    monitor's), compared with the log beside those of the published folder.
    """
    say = progress or (lambda _percent, _message: None)
    run = ledger_services.start_audit_run(trigger)
    problems: list[Problem] = []
    tree = MemoryTree()
    say(5, StoredText.of("Recomputing every leaf and the tree"))
    erased_leaves: dict[int, tuple[str, str, int]] = {}
    latest = _read_leaves(tree, problems, erased_leaves)
    say(
        30,
        StoredText.of(
            "Comparing the stored tree of %(count)s leaf",
            "Comparing the stored tree of %(count)s leaves",
            count=tree.size,
        ),
    )
    _check_tree(tree, problems)
    say(50, StoredText.of("Checking the checkpoints"))
    _check_checkpoints(tree, problems)
    _check_published(tree, problems, published_checkpoints(checkpoints))
    checked, erased = _check_records(latest, problems, say)
    _check_erasures(erased_leaves, problems)
    say(80, StoredText.of("Checking the change log's chain"))
    _check_changelog(problems)
    _check_contents(problems, say)
    ledger_services.finish_audit_run(
        run, size=tree.size, records=checked, problems=[asdict(p) for p in problems]
    )
    run.erased = erased  # type: ignore[attr-defined]
    return run
