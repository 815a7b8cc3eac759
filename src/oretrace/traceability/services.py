"""Writes of the traceability app: every captured EPCIS event goes through here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction, Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Membership, Organisation
from oretrace.ledger import services as ledger
from oretrace.traceability.custody import apply_events
from oretrace.traceability.epcis import schema as epcis_schema
from oretrace.traceability.epcis import xml as epcis_xml
from oretrace.traceability.epcis import xsd as epcis_xsd
from oretrace.traceability.epcis.document import DocumentError, load_json, read_document
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.models import EpcisCapture, EpcisEvent, EpcisIdentifier

Actor = Membership | SystemActor


@dataclass(frozen=True)
class Captured:
    """What a capture stored, with the CBV hash ID of each event of the document, in order."""

    capture: EpcisCapture
    event_ids: list[str]


CAPTURE_ROLES = (Role.SUPPLIER_CONTRIBUTOR, Role.COMPLIANCE_OFFICER)


def _require_capturer(actor: Actor, organisation: Organisation) -> None:
    if isinstance(actor, SystemActor):
        return
    if actor.organisation_id != organisation.pk or not any(
        actor.has_role(role) for role in CAPTURE_ROLES
    ):
        raise PermissionDenied(
            f"only a supplier contributor or compliance officer of {organisation} can capture "
            "EPCIS events"
        )


def configured_schema() -> epcis_schema.Validate | None:
    """The compiled EPCIS JSON Schema of ``ORETRACE_EPCIS_SCHEMA``, or None when unset."""
    path: Path | None = settings.ORETRACE_EPCIS_SCHEMA
    if path is None:
        return None
    try:
        return epcis_schema.compiled(path)
    except epcis_schema.SchemaUnavailable as exc:
        raise TraceabilityError(str(exc)) from None


def configured_xsd() -> epcis_xsd.Xsd | None:
    """The compiled EPCIS XSD of ``ORETRACE_EPCIS_XSD``, or None when unset."""
    path: Path | None = settings.ORETRACE_EPCIS_XSD
    if path is None:
        return None
    try:
        return epcis_xsd.compiled(path)
    except epcis_xsd.XsdUnavailable as exc:
        raise TraceabilityError(str(exc)) from None


@transaction.atomic
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
    capture = _store(document, data, result.events, organisation, actor, validate is not None)
    return Captured(capture, [e.hash_id for e in result.events])


def _store(document, data, events, organisation, actor, schema_checked) -> EpcisCapture:  # type: ignore[no-untyped-def]
    digest = hashlib.sha256(data if data is not None else repr(document).encode()).hexdigest()
    unique = {e.hash_id: e for e in events}  # the same event twice in one document: stored once
    known = set(
        EpcisEvent.objects.filter(organisation=organisation, hash_id__in=list(unique)).values_list(
            "hash_id", flat=True
        )
    )
    capture = EpcisCapture.objects.create(
        organisation=organisation,
        created_by=actor_user(actor),
        sha256=digest,
        context=document.get("@context", []),
        event_count=len(events),
        new_count=len(unique) - len(known),
        known_count=len(known),
        schema_checked=schema_checked,
    )
    now = timezone.now()
    user = actor_user(actor)
    fresh = [e for h, e in unique.items() if h not in known]
    rows = EpcisEvent.objects.bulk_create(
        [
            EpcisEvent(
                organisation=organisation,
                created_by=user,
                capture=capture,
                hash_id=e.hash_id,
                declared_id=e.declared_id[:300],
                event_type=e.event_type,
                action=e.action,
                event_time=e.event_time,
                time_zone_offset=e.time_zone_offset,
                record_time=now,
                biz_step=e.biz_step[:300],
                disposition=e.disposition[:300],
                read_point=e.read_point[:300],
                biz_location=e.biz_location[:300],
                body=e.body,
                created_at=now,
                updated_at=now,
            )
            for e in fresh
        ],
        batch_size=500,
    )
    if rows and rows[0].pk is None:  # backends without RETURNING: read the ids back
        ids = dict(
            EpcisEvent.objects.filter(organisation=organisation, capture=capture).values_list(
                "hash_id", "pk"
            )
        )
        for row in rows:
            row.pk = ids[row.hash_id]
    EpcisIdentifier.objects.bulk_create(
        [
            EpcisIdentifier(
                event_id=row.pk,
                role=i.role,
                value=i.value[:300],
                is_class=i.is_class,
                quantity=i.quantity,
                uom=i.uom[:3],
            )
            for row, e in zip(rows, fresh, strict=True)
            for i in e.identifiers
        ],
        batch_size=1000,
    )
    log_change(capture, action=ChangeAction.CREATE, actor=actor)
    if rows:
        ledger.append_many(rows, actor=actor, created=True)
        apply_events(rows, organisation=organisation, user=user, context=capture.context)
    return capture
