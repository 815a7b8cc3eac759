"""Reads of the ledger: leaves a member may see, proof bundles, tiles and checkpoints."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet
from django.urls import reverse

from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member, visible
from oretrace.ledger import keys, merkle, records
from oretrace.ledger import services as ledger
from oretrace.ledger.bundle import Bundle
from oretrace.ledger.commitment import Opening, record_document
from oretrace.ledger.exceptions import ErasedRecord, LedgerError
from oretrace.ledger.models import Checkpoint, Leaf
from oretrace.ledger.storage import DatabaseHashStore, tile_bytes
from oretrace.ledger.tiles import TILE_HEIGHT, TileError, encode_entries, parse_tile_path


def public_url(record_type: str, record_id: str) -> str:
    """The record's public verification page: anyone with the link checks it, no account."""
    token = keys.link_token(record_type, record_id)
    path = reverse("ledger:public_record", args=[record_type, record_id, token])
    return str(settings.ORETRACE_BASE_URL) + path


def leaves_for(member: Membership) -> QuerySet[Leaf]:
    """Leaves of the records the member's organisation owns, newest first."""
    return visible(Leaf.objects.all(), member)


def record_for(member: Membership, record_type: str, record_id: str) -> Model:
    """The record if the member may see it through its own model's scoping, else `NotFound`."""
    try:
        spec = records.get(record_type)
    except LedgerError:
        raise NotFound("No such object, or not visible to you.") from None
    return get_for_member(spec.model._default_manager.all(), member, pk=record_id)


def latest_leaf(record_type: str, record_id: str) -> Leaf:
    leaf = Leaf.objects.filter(record_type=record_type, record_id=record_id).first()
    if leaf is None:
        raise NotFound("No such object, or not visible to you.")
    return leaf


def history(record_type: str, record_id: str) -> QuerySet[Leaf]:
    return Leaf.objects.filter(record_type=record_type, record_id=record_id)


def bundle_for(leaf: Leaf) -> str:
    """The tlog-proof bundle that opens ``leaf`` with the record's facts as stored now.

    The facts are recomputed from the database, so a record changed behind the services'
    back yields a bundle whose verification fails. Only a record's latest leaf has a bundle.
    """
    if leaf.salt is None:
        raise ErasedRecord(
            f"{leaf.record_type} {leaf.record_id} was erased: its leaves can no longer be opened"
        )
    if Leaf.objects.filter(
        record_type=leaf.record_type, record_id=leaf.record_id, index__gt=leaf.index
    ).exists():
        raise LedgerError(f"leaf {leaf.index} is not the latest version of its record")
    facts = ledger.facts_of(leaf)
    if facts is None:
        raise LedgerError(
            f"{leaf.record_type} {leaf.record_id} no longer exists, and its deletion was never "
            "logged"
        )
    document = record_document(leaf.record_type, leaf.record_id, leaf.version, facts)
    checkpoint = witnessed_checkpoint_covering(leaf.index) or ledger.checkpoint_covering(leaf.index)
    proof = merkle.inclusion_proof(leaf.index, checkpoint.size, DatabaseHashStore())
    opening = Opening(bytes(leaf.salt), document)
    return Bundle(
        leaf.index, tuple(proof), checkpoint.with_cosignatures(), opening.encode()
    ).encode()


def witnessed_checkpoint_covering(index: int) -> Checkpoint | None:
    """The latest checkpoint including leaf ``index`` that a quorum of the configured
    witnesses cosigned, or None (no witnesses configured, or none cosigned one yet).

    A bundle is built on it rather than on a newer checkpoint that no witness has seen yet, so
    that its verification can show the witnesses' cosignatures.
    """
    witnesses = keys.witness_verifiers()
    required = keys.witness_quorum(len(witnesses))
    if not required:
        return None
    by_configured = Q()
    for witness in witnesses:
        by_configured |= Q(cosignatures__witness=witness.name) & Q(
            cosignatures__key_id=f"{witness.key_id:08x}"
        )
    return (
        Checkpoint.objects.filter(size__gt=index)
        .annotate(witnessed=Count("cosignatures", filter=by_configured, distinct=True))
        .filter(witnessed__gte=required)
        .order_by("-size")
        .first()
    )


def tlog_file(path: str) -> bytes | None:
    """A file of the public tlog-tiles API (``checkpoint``, ``tile/…``), or None: what a
    witness fetches from ``/ledger/``, for a witness running in this process (the demo's)."""
    if path == "checkpoint":
        return current_checkpoint().with_cosignatures().encode()
    try:
        ref = parse_tile_path(path)
    except TileError:
        return None
    if ref.level is None:
        return entries(ref.index, ref.width)
    return tile(ref.level, ref.index, ref.width)


def bundle_filename(leaf: Leaf) -> str:
    return f"{leaf.record_type}-{leaf.record_id}-v{leaf.version}.tlog-proof"


def current_checkpoint() -> Checkpoint:
    """The latest checkpoint (signed now if the log has none yet)."""
    return ledger.latest_checkpoint() or ledger.sign_checkpoint()


def tile(level: int, index: int, width: int) -> bytes | None:
    """tlog-tiles tile ``level``/``index`` of ``width`` hashes, or None when it does not exist."""
    return tile_bytes(level * TILE_HEIGHT, index, width)


def entries(index: int, width: int) -> bytes | None:
    """The entry bundle ``index`` of ``width`` entries, or None when the log is shorter."""
    start = index * 256
    rows = list(
        Leaf.objects.filter(index__gte=start, index__lt=start + width)
        .order_by("index")
        .values_list("entry", flat=True)
    )
    if len(rows) != width:
        return None
    return encode_entries([bytes(e) for e in rows])


def label_leaves(leaves: list[Leaf]) -> list[Leaf]:
    """Give each leaf a ``label``: its record's name, read in one query per record type.

    A record that no longer exists keeps the plain ``type id`` form.
    """
    wanted: dict[str, set[str]] = {}
    for leaf in leaves:
        wanted.setdefault(leaf.record_type, set()).add(leaf.record_id)
    names: dict[tuple[str, str], str] = {}
    for type_name, ids in wanted.items():
        try:
            model = records.get(type_name).model
        except LedgerError:
            continue
        for obj in model._default_manager.filter(pk__in=list(ids)):
            names[(type_name, str(obj.pk))] = str(obj)
    for leaf in leaves:
        leaf.label = names.get(  # type: ignore[attr-defined]
            (leaf.record_type, leaf.record_id), f"{leaf.record_type} {leaf.record_id}"
        )
    return leaves
