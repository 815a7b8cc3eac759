"""Writing the change log. Services call ``log_change`` inside their own transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from oretrace.core.actors import SystemActor, actor_label, actor_user
from oretrace.core.choices import ChangeAction
from oretrace.core.models import ChangeLogEntry, ChangeLogHead
from oretrace.core.models.base import locked_singleton
from oretrace.core.models.changelog import SEALED

if TYPE_CHECKING:
    from oretrace.core.models import Membership, Organisation

# Fields whose values must never be copied into the log.
SECRET_FIELDS = frozenset({"password", "token_hash", "token_salt"})


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's concrete field values as JSON-safe data (foreign keys by primary key).

    A model may name fields the log leaves out in ``changelog_exclude``: large content that is
    never edited after creation (a declaration's parsed file), whose identity another logged
    field already carries (the file's SHA-256).
    """
    skip = SECRET_FIELDS | frozenset(getattr(obj, "changelog_exclude", ()))
    data = {
        field.attname: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.attname not in skip
    }
    for name, value in data.items():
        if isinstance(value, FieldFile):  # a stored file is logged by its name
            data[name] = value.name or ""
    snapshot: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return snapshot


def log_change(
    obj: models.Model,
    *,
    action: str,
    actor: Membership | SystemActor,
    before: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
    note: dict[str, Any] | None = None,
) -> ChangeLogEntry:
    """Append one entry about ``obj``; must run inside the transaction that changed it.

    ``note`` adds keys to the ``after`` snapshot that are not the object's fields (an
    erasure's list of the entries it emptied)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_change() must run inside the service's transaction")
    entry = _new_entry(Change(obj, action, before, organisation, note), actor)
    head = _locked_head()
    _chain([entry], head)
    entry.save(force_insert=True)
    head.save(update_fields=["count", "hash"])
    return entry


@dataclass(frozen=True)
class Change:
    """One entry for ``log_changes``: what ``log_change`` takes about one object."""

    obj: models.Model
    action: str
    before: dict[str, Any] | None = None
    organisation: Organisation | None = None
    note: dict[str, Any] | None = None


# Entries inserted per statement by ``log_changes``.
BULK_BATCH = 500


def log_changes(changes: Iterable[Change], *, actor: Membership | SystemActor) -> int:
    """Append one entry per change, in order; returns how many. Must run inside the
    transaction that made the changes.

    The entries, and their chain, are exactly those of one ``log_change`` per change in the
    same order (each object is read when this runs, so log a change only once the object is
    saved and no longer changes); the head is locked once and the entries are inserted in
    batches: a bulk write (a reference list's thousands of rows) pays one lock, not one each.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_changes() must run inside the service's transaction")
    entries = [_new_entry(change, actor) for change in changes]
    if not entries:
        return 0
    head = _locked_head()
    _chain(entries, head)
    ChangeLogEntry.objects.bulk_create(entries, batch_size=BULK_BATCH)
    head.save(update_fields=["count", "hash"])
    return len(entries)


def _new_entry(change: Change, actor: Membership | SystemActor) -> ChangeLogEntry:
    """The entry about one change, sealed, not yet chained."""
    obj, action = change.obj, change.action
    organisation = change.organisation
    owner = organisation if organisation is not None else getattr(obj, "organisation", None)
    entry = ChangeLogEntry(
        organisation=owner,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        before=change.before,
        after=None if action == ChangeAction.DELETE else {**snapshot(obj), **(change.note or {})},
    )
    seal(entry, obj)
    return entry


def _chain(entries: list[ChangeLogEntry], head: ChangeLogHead) -> None:
    """Chain the entries after the (locked) head, in order, and move the head past them."""
    for entry in entries:
        entry.prev_hash = head.hash
        entry.hash = entry_hash(head.hash, _content(entry))
        head.count += 1
        head.hash = entry.hash


# --- personal data, sealed apart ------------------------------------------------------------------


def update_and_log[M: models.Model](
    obj: M,
    *,
    actor: Membership | SystemActor,
    organisation: Organisation | None = None,
    **changes: Any,
) -> M:
    """Set ``changes`` on ``obj``, save just those fields, and log the update with its before.

    ``updated_at`` is saved too where the model has one (``auto_now`` sets it only when saved).
    Like ``log_change``, it must run inside the service's transaction.
    """
    before = snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    fields = list(changes)
    if any(field.name == "updated_at" for field in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=fields)
    log_change(
        obj, action=ChangeAction.UPDATE, actor=actor, before=before, organisation=organisation
    )
    return obj


def status_change(status: str, *, done: str) -> dict[str, Any]:
    """The ``status`` and ``done_at`` changes (for ``update_and_log``) of a row that is done
    once at a time: stamped now when it becomes ``done``, emptied when it leaves it."""
    return {"status": status, "done_at": timezone.now() if status == done else None}


def seal(entry: ChangeLogEntry, obj: models.Model) -> None:
    """Move what the entry says about a person out of the chained content.

    A model about a person has ``changelog_subject_id`` (the user it is about) and may name
    its personal fields in ``changelog_personal``. Their values, and the object's name (which
    names the person), move to ``entry.personal``; ``before``/``after`` keep ``SEALED`` in
    their place and ``object_repr`` a neutral name. The chain commits to a salted digest of
    ``personal``, so erasing the person (``erase_personal``) empties it and the chain holds.
    """
    subject_id = getattr(obj, "changelog_subject_id", None)
    if subject_id is None:
        return
    fields = tuple(getattr(obj, "changelog_personal", ()))
    personal: dict[str, Any] = {"object_repr": entry.object_repr}
    for side in ("before", "after"):
        values = getattr(entry, side)
        if values is None:
            continue
        personal[side] = {name: values[name] for name in fields if name in values}
        setattr(entry, side, {k: SEALED if k in fields else v for k, v in values.items()})
    entry.object_repr = f"{obj._meta.verbose_name} #{obj.pk}"
    entry.subject_id = subject_id
    entry.personal = personal
    entry.personal_salt = secrets.token_hex(16)
    entry.personal_digest = personal_digest(entry.personal_salt, personal)


def personal_digest(salt: str, personal: Any) -> str:
    encoded = json.dumps(
        personal, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(f"{salt}\n{encoded}".encode()).hexdigest()


# The key of an erasure entry's ``after`` that lists the entries it emptied.
ERASED_ENTRIES = "erased_change_log_entries"


def erase_personal(subject_id: int) -> list[int]:
    """Empty the sealed personal data of every entry about the user; return the entries' ids.

    The caller logs the ids under ``ERASED_ENTRIES`` in the same transaction: an entry emptied
    without such a record is reported by ``verify_chain`` as a fake erasure.
    """
    entries = ChangeLogEntry.objects.filter(subject_id=subject_id, personal__isnull=False)
    ids = sorted(entries.values_list("id", flat=True))
    ChangeLogEntry.objects.filter(id__in=ids).update(personal=None, personal_salt="")
    return ids


def unsealed_mentions(subject_id: int, email: str) -> int:
    """Entries written before sealing existed that still hold the user's address in clear."""
    return (
        ChangeLogEntry.objects.filter(personal_digest="")
        .filter(models.Q(object_repr__contains=email) | models.Q(after__email=email))
        .count()
    )


# --- the hash chain -----------------------------------------------------------------------------

CHAIN_FIELDS = (
    "organisation_id",
    "actor_label",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "before",
    "after",
    "at",
)


def _locked_head() -> ChangeLogHead:
    """The chain's head row, locked until the transaction ends (entries are chained in turn)."""
    return locked_singleton(ChangeLogHead)


def _content(entry: Any) -> list[Any]:
    """The chained content of an entry (a model instance or a row with CHAIN_FIELDS).

    Not the acting user's key: it is emptied when the user is deleted; ``actor_label`` stays.
    An entry with sealed personal data adds its digest and subject (entries written before
    sealing existed chain as they were).
    """
    values = [getattr(entry, name) for name in CHAIN_FIELDS]
    at = values[-1]
    values[-1] = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else at
    digest = getattr(entry, "personal_digest", "")
    if digest:
        values += [digest, entry.subject_id]
    return values


def entry_hash(prev_hash: str, content: list[Any]) -> str:
    """SHA-256 of the previous hash, a newline and the content as sorted, compact JSON."""
    encoded = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(f"{prev_hash}\n{encoded}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where the stored chain differs from its recomputation: ``entry_id`` and what is wrong."""

    entry_id: int | None
    organisation_id: int | None
    detail: str


@dataclass
class _Row:
    id: int
    organisation_id: int | None
    actor_label: str
    content_type_id: int
    object_id: str
    object_repr: str
    action: str
    before: Any
    after: Any
    at: Any
    prev_hash: str
    hash: str
    personal_digest: str = ""
    subject_id: int | None = None
    personal: Any = None
    personal_salt: str = ""


PERSONAL_FIELDS = ("personal_digest", "subject_id", "personal", "personal_salt")


def chain_rows(chunk: int = 5000) -> Iterator[_Row]:
    rows = ChangeLogEntry.objects.order_by("id").values_list(
        "id", *CHAIN_FIELDS, "prev_hash", "hash", *PERSONAL_FIELDS
    )
    for values in rows.iterator(chunk):
        yield _Row(*values)


def verify_chain(rows: Iterable[Any] | None = None) -> tuple[list[ChainBreak], list[str]]:
    """Recompute the chain in id order; return the breaks, and the hash after each entry.

    An edited entry no longer hashes to its stored hash; a deleted one leaves the next
    entry's ``prev_hash`` pointing at nothing; entries deleted at the end leave the head
    ahead of the chain.
    """
    breaks: list[ChainBreak] = []
    hashes: list[str] = []
    emptied: dict[int, int | None] = {}  # entries whose sealed data is gone: id -> organisation
    erased: set[int] = set()  # entries the logged erasures emptied
    previous, previous_id = "", None
    for row in chain_rows() if rows is None else rows:
        if row.prev_hash != previous:
            where = f"after #{previous_id}" if previous_id is not None else "at the start"
            breaks.append(
                ChainBreak(
                    row.id,
                    row.organisation_id,
                    f"change-log entry #{row.id} does not follow the entry before it: "
                    f"entries {where} were deleted or edited",
                )
            )
        if entry_hash(row.prev_hash, _content(row)) != row.hash:
            breaks.append(
                ChainBreak(
                    row.id,
                    row.organisation_id,
                    f"change-log entry #{row.id} was edited: it no longer hashes to its chain",
                )
            )
        _check_seal(row, breaks, emptied, erased)
        previous, previous_id = row.hash, row.id
        hashes.append(row.hash)
    breaks.extend(
        ChainBreak(
            entry_id,
            organisation_id,
            f"change-log entry #{entry_id}'s personal data was removed without a logged erasure",
        )
        for entry_id, organisation_id in sorted(emptied.items())
        if entry_id not in erased
    )
    head = ChangeLogHead.objects.filter(pk=1).first()
    if head is None and hashes:
        breaks.append(ChainBreak(None, None, "the change log's head is gone"))
    if head is not None and (head.count, head.hash) != (len(hashes), previous):
        breaks.append(
            ChainBreak(
                None,
                None,
                f"the change log's head says {head.count} entries ending in {head.hash[:12]}…, "
                f"the chain has {len(hashes)}: entries were deleted or added",
            )
        )
    return breaks, hashes


def _check_seal(
    row: Any, breaks: list[ChainBreak], emptied: dict[int, int | None], erased: set[int]
) -> None:
    """The sealed personal data still matches its chained digest, or was erased on the record."""
    if isinstance(row.after, dict) and isinstance(row.after.get(ERASED_ENTRIES), list):
        erased.update(i for i in row.after[ERASED_ENTRIES] if isinstance(i, int))
    if not row.personal_digest:
        if row.personal is not None or row.personal_salt or row.subject_id is not None:
            breaks.append(
                ChainBreak(
                    row.id,
                    row.organisation_id,
                    f"change-log entry #{row.id} holds sealed personal data "
                    "it was not written with",
                )
            )
        return
    if row.personal is None:
        emptied[row.id] = row.organisation_id
        if row.personal_salt:
            breaks.append(
                ChainBreak(row.id, row.organisation_id, f"change-log entry #{row.id} was edited")
            )
    elif personal_digest(row.personal_salt, row.personal) != row.personal_digest:
        breaks.append(
            ChainBreak(
                row.id,
                row.organisation_id,
                f"change-log entry #{row.id}'s personal data was edited: it no longer matches "
                "its sealed digest",
            )
        )
