"""Writes of the traceability app: every captured EPCIS event goes through here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Membership, Organisation
from oretrace.ledger import services as ledger
from oretrace.traceability import bulk
from oretrace.traceability.custody import apply_events
from oretrace.traceability.epcis import schema as epcis_schema
from oretrace.traceability.epcis import xml as epcis_xml
from oretrace.traceability.epcis import xsd as epcis_xsd
from oretrace.traceability.epcis.document import (
    CapturedEvent,
    DocumentError,
    load_json,
    read_document,
)
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.models import EpcisCapture, EpcisEvent, EpcisIdentifier
from oretrace.traceability.permissions import can_capture_events

Actor = Membership | SystemActor


@dataclass(frozen=True)
class Captured:
    """What a capture stored, with the CBV hash ID of each event of the document, in order."""

    capture: EpcisCapture
    event_ids: list[str]


_CUSTODY_LOCK = 0x6F75  # first key of the advisory lock taken while deriving custody
_ATTEMPTS = 3  # a capture that lost a race to a concurrent one runs again, this many times in all
_UNIQUE_VIOLATION = "23505"
_DEADLOCK = "40P01"
_EVENT_KEY = "epcis_event_hash_unique_per_org"


def _require_capturer(actor: Actor, organisation: Organisation) -> None:
    can_capture_events.require(actor, organisation_id=organisation.pk)


def configured_schema() -> epcis_schema.Validate | None:
    """The compiled EPCIS JSON Schema of ``ORETRACE_EPCIS_SCHEMA``, or None when unset."""
    return _configured(
        settings.ORETRACE_EPCIS_SCHEMA, epcis_schema.compiled, epcis_schema.SchemaUnavailable
    )


def configured_xsd() -> epcis_xsd.Xsd | None:
    """The compiled EPCIS XSD of ``ORETRACE_EPCIS_XSD``, or None when unset."""
    return _configured(settings.ORETRACE_EPCIS_XSD, epcis_xsd.compiled, epcis_xsd.XsdUnavailable)


def _configured[T](
    path: Path | None, compiled: Callable[[Path], T], unavailable: type[Exception]
) -> T | None:
    """A validator compiled from the file a setting names (None when unset); a file that
    cannot be compiled is the capture's error."""
    if path is None:
        return None
    try:
        return compiled(path)
    except unavailable as exc:
        raise TraceabilityError(str(exc)) from None


def capture_document(
    raw: bytes | str | dict[str, Any],
    *,
    organisation: Organisation,
    actor: Actor,
    xml: bool | None = None,
) -> Captured:
    """Capture an EPCIS document: validate, hash, store new events, commit to the ledger.

    ``raw`` is EPCIS 2.0 JSON/JSON-LD, or EPCIS 1.2/2.0 XML (read into the JSON form first):
    ``xml`` says which (from the request's content type); ``None`` looks at the first byte.
    All or nothing: one invalid event refuses the whole document with every problem named
    (``CaptureRejected.problems``). An event the organisation already holds (same hash ID) is
    not stored again; the capture counts it as known.

    The document is read and checked before any transaction starts. Two captures running at
    once (two web workers) that bring the same new event cannot both store it: the second
    waits for the first at the event's unique key and is then run again, finding the event
    known (see ``_lost_race``).
    """
    _require_capturer(actor, organisation)
    validate = configured_schema()
    if isinstance(raw, dict):
        document, data = raw, None
        result = read_document(document, schema=validate)
    else:
        data = raw.encode() if isinstance(raw, str) else raw
        try:
            if xml or (xml is None and epcis_xml.looks_like_xml(data)):
                document, result = epcis_xml.read_xml(data, schema=validate, xsd=configured_xsd())
            else:
                document = load_json(data)
                result = read_document(document, schema=validate)
        except DocumentError as exc:
            raise CaptureRejected(str(exc)) from None
    if not result.ok:
        count = len(result.problems)
        first = result.problems[0]
        raise CaptureRejected(
            f"the EPCIS document was not captured: {count} problem{'s' if count > 1 else ''}, "
            f"first {first}",
            result.problems,
        )
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic():
                capture = _store(
                    document, data, result.events, organisation, actor, validate is not None
                )
            break
        except (IntegrityError, OperationalError) as exc:
            if attempt == _ATTEMPTS or not _lost_race(exc):
                raise
    return Captured(capture, [e.hash_id for e in result.events])


def _lost_race(exc: Exception) -> bool:
    """Whether a capture failed only because another capture stored the same events first.

    On PostgreSQL the other capture's new event blocks this one's at the unique key
    (organisation, hash ID) until it commits, then refuses it; two captures waiting for each
    other's events are a deadlock that PostgreSQL breaks by refusing one. Run again, the
    capture finds those events known. (SQLite runs one writing transaction at a time.)
    """
    diag = getattr(exc.__cause__, "diag", None)
    if diag is None:
        return False
    return bool(
        diag.sqlstate == _DEADLOCK
        or (diag.sqlstate == _UNIQUE_VIOLATION and diag.constraint_name == _EVENT_KEY)
    )


_EVENT_COLUMNS = (
    "id",
    "organisation_id",
    "created_by_id",
    "created_at",
    "updated_at",
    "capture_id",
    "hash_id",
    "declared_id",
    "event_type",
    "action",
    "event_time",
    "time_zone_offset",
    "record_time",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "body",
)
_IDENTIFIER_COLUMNS = ("event_id", "role", "value", "is_class", "quantity", "uom")


def _known(organisation: Organisation, hash_ids: list[str]) -> set[str]:
    """The hash IDs among ``hash_ids`` the organisation already holds."""
    known: set[str] = set()
    table = connection.ops.quote_name(EpcisEvent._meta.db_table)
    with connection.cursor() as cursor:
        for condition, params in bulk.where_in("hash_id", hash_ids):
            cursor.execute(
                f"SELECT hash_id FROM {table} WHERE organisation_id = %s AND {condition}",  # noqa: S608
                [organisation.pk, *params],
            )
            known.update(row[0] for row in cursor.fetchall())
    return known


def _event_record(
    row_id: int, e: CapturedEvent, capture: EpcisCapture, user_id: int | None, now: datetime
) -> EpcisEvent:
    """The stored event as a model instance (for the ledger and custody), without a query."""
    record = EpcisEvent.__new__(EpcisEvent)
    record.__dict__.update(
        id=row_id,
        organisation_id=capture.organisation_id,
        created_by_id=user_id,
        created_at=now,
        updated_at=now,
        record_time=now,
        capture_id=capture.pk,
        hash_id=e.hash_id,
        declared_id=e.declared_id[:300],
        event_type=e.event_type,
        action=e.action,
        event_time=e.event_time,
        time_zone_offset=e.time_zone_offset,
        biz_step=e.biz_step[:300],
        disposition=e.disposition[:300],
        read_point=e.read_point[:300],
        biz_location=e.biz_location[:300],
        body=e.body,
    )
    record._state = ModelState()
    record._state.adding = False
    record._state.db = connection.alias
    return record


def _store(
    document: dict[str, Any],
    data: bytes | None,
    events: list[CapturedEvent],
    organisation: Organisation,
    actor: Actor,
    schema_checked: bool,
) -> EpcisCapture:
    """Write the capture, its new events and their identifiers; ledger leaves; custody.

    Events and identifiers go straight to the driver (``bulk``): at thousands of events per
    document, ``bulk_create`` cost more than the database's own work.
    """
    digest = hashlib.sha256(data if data is not None else repr(document).encode()).hexdigest()
    unique = {e.hash_id: e for e in events}  # the same event twice in one document: stored once
    known = _known(organisation, list(unique))
    user = actor_user(actor)
    capture = EpcisCapture.objects.create(
        organisation=organisation,
        created_by=user,
        sha256=digest,
        context=document.get("@context", []),
        event_count=len(events),
        new_count=len(unique) - len(known),
        known_count=len(known),
        schema_checked=schema_checked,
    )
    fresh = [e for h, e in unique.items() if h not in known]
    ids = bulk.reserve_ids(EpcisEvent, len(fresh))
    now = timezone.now()
    stamp = bulk.timestamp(now)
    user_id = user.pk if user is not None else None
    bulk.insert_rows(
        EpcisEvent,
        _EVENT_COLUMNS,
        (
            (
                row_id,
                organisation.pk,
                user_id,
                stamp,
                stamp,
                capture.pk,
                e.hash_id,
                e.declared_id[:300],
                e.event_type,
                e.action,
                bulk.timestamp(e.event_time),
                e.time_zone_offset,
                stamp,
                e.biz_step[:300],
                e.disposition[:300],
                e.read_point[:300],
                e.biz_location[:300],
                bulk.json_text(e.body),
            )
            for row_id, e in zip(ids, fresh, strict=True)
        ),
    )
    bulk.insert_rows(
        EpcisIdentifier,
        _IDENTIFIER_COLUMNS,
        (
            (row_id, i.role, i.value[:300], i.is_class, i.quantity, i.uom[:3])
            for row_id, e in zip(ids, fresh, strict=True)
            for i in e.identifiers
        ),
    )
    if fresh:
        rows = [
            _event_record(row_id, e, capture, user_id, now)
            for row_id, e in zip(ids, fresh, strict=True)
        ]
        _check_constraints()  # the events' and identifiers', before waiting for the lock
        _lock_custody(organisation)
        apply_events(rows, organisation=organisation, user=user, context=capture.context)
        _check_constraints()  # the custody rows'
    # Last, the change log and the ledger: each is one chain for everybody, whose lock is held
    # until the commit (captures of other organisations wait only for this part).
    log_change(capture, action=ChangeAction.CREATE, actor=actor)
    if fresh:
        ledger.append_many(rows, actor=actor, created=True)
    return capture


def _lock_custody(organisation: Organisation) -> None:
    """Serialise custody derivation within an organisation until the transaction ends.

    Two captures of one organisation may name the same lots: each reads their quantities and
    writes them back, so the second must read after the first has committed. Captures of
    different organisations never wait for each other here. SQLite runs one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CUSTODY_LOCK, organisation.pk])


def _check_constraints() -> None:
    """Check the foreign keys of the rows written so far now, not at the commit.

    On PostgreSQL the checks of thousands of rows cost a third as much as writing them. Run at
    the commit, they would lengthen the time other captures wait for the custody and ledger
    locks; so the events' are checked before the custody lock is taken, and the custody
    rows' before the ledger's.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
