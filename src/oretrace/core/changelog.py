"""Writing the change log. Services call ``log_change`` inside their own transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from oretrace.core.actors import SystemActor, actor_label
from oretrace.core.choices import ChangeAction
from oretrace.core.models import ChangeLogEntry, ChangeLogHead
from oretrace.core.models.base import locked_singleton

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
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def log_change(
    obj: models.Model,
    *,
    action: str,
    actor: Membership | SystemActor,
    before: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
) -> ChangeLogEntry:
    """Append one entry about ``obj``; must run inside the transaction that changed it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_change() must run inside the service's transaction")
    owner = organisation if organisation is not None else getattr(obj, "organisation", None)
    entry = ChangeLogEntry(
        organisation=owner,
        actor=None if isinstance(actor, SystemActor) else actor.user,
        actor_label=actor_label(actor),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        before=before,
        after=None if action == ChangeAction.DELETE else snapshot(obj),
    )
    head = _locked_head()
    entry.prev_hash = head.hash
    entry.hash = entry_hash(head.hash, _content(entry))
    entry.save(force_insert=True)
    head.count += 1
    head.hash = entry.hash
    head.save(update_fields=["count", "hash"])
    return entry


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
    """
    values = [getattr(entry, name) for name in CHAIN_FIELDS]
    at = values[-1]
    values[-1] = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else at
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


def chain_rows(chunk: int = 5000) -> Iterator[_Row]:
    rows = ChangeLogEntry.objects.order_by("id").values_list(
        "id", *CHAIN_FIELDS, "prev_hash", "hash"
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
        previous, previous_id = row.hash, row.id
        hashes.append(row.hash)
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
