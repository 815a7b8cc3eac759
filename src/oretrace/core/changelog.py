"""Writing the change log. Services call ``log_change`` inside their own transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from oretrace.core.actors import SystemActor, actor_label
from oretrace.core.choices import ChangeAction
from oretrace.core.models import ChangeLogEntry

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
    return ChangeLogEntry.objects.create(
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
