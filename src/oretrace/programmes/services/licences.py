"""Formalisation: recording a mine's or collection point's licence, one change at a time.

Each change is a new ``LicenceEntry`` (the history is never rewritten) with its documents, in
the change log under the recording organisation. ``expired`` is not something anybody records:
it is read from a granted licence's expiry date (``licensing.status_on``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.audits.services.sides import store_file
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import Membership, Organisation
from oretrace.programmes.choices import RECORDED_LICENCE_STATUSES, LicenceStatus
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import LicenceDocument, LicenceEntry
from oretrace.programmes.permissions import can_record_licences
from oretrace.programmes.queries.licences import LICENSED_KINDS, licence_parties, may_record_licence
from oretrace.registry.models import Facility

Actor = Membership | SystemActor


def _require_recorder(actor: Actor, facility: Facility) -> None:
    if isinstance(actor, SystemActor) or may_record_licence(actor, facility):
        return
    if not can_record_licences(actor):
        raise PermissionDenied(
            f"to {can_record_licences.action} you need {can_record_licences.needs}"
        )
    raise PermissionDenied(
        f"only {facility}'s owner and the organisations running a programme around it "
        "record its licence"
    )


def _check_dates(status: str, effective_on: date, expires_on: date | None) -> None:
    if status == LicenceStatus.EXPIRED:
        raise ProgrammeError(
            _("Expired is not recorded: record the licence as granted with its expiry date."),
            field="status",
        )
    if status not in RECORDED_LICENCE_STATUSES:
        raise ProgrammeError(
            _("%(status)s is not a licence status.") % {"status": status}, field="status"
        )
    if effective_on > timezone.localdate():
        raise ProgrammeError(
            _("A licence change cannot be recorded for a day still to come."),
            field="effective_on",
        )
    if expires_on is not None and status != LicenceStatus.GRANTED:
        raise ProgrammeError(_("Only a granted licence has an expiry date."), field="expires_on")
    if expires_on is not None and expires_on <= effective_on:
        raise ProgrammeError(
            _("The licence cannot expire on or before the day it was granted."),
            field="expires_on",
        )


def _check_details(status: str, authority: str, number: str) -> None:
    if status in (LicenceStatus.APPLIED, LicenceStatus.GRANTED) and not authority.strip():
        raise ProgrammeError(
            _("Name the authority the licence was applied for at or granted by."),
            field="authority",
        )
    if status == LicenceStatus.GRANTED and not number.strip():
        raise ProgrammeError(_("Give the number of the granted licence."), field="number")


@transaction.atomic
def record_licence(
    facility: Facility,
    *,
    actor: Actor,
    status: str,
    effective_on: date,
    expires_on: date | None = None,
    authority: str = "",
    number: str = "",
    note: str = "",
    documents: Sequence[Any] = (),
    organisation_id: int | None = None,
) -> LicenceEntry:
    """Record a change of the facility's licence (with its documents, checked and stored);
    a system actor names the recording organisation, one of the licence's parties."""
    _require_recorder(actor, facility)
    if facility.kind not in LICENSED_KINDS:
        raise ProgrammeError(
            _("%(facility)s is a %(kind)s: licences are recorded for mines and collection points.")
            % {"facility": facility.name, "kind": facility.get_kind_display().lower()}
        )
    _check_dates(status, effective_on, expires_on)
    _check_details(status, authority, number)
    owner = actor.organisation_id if isinstance(actor, Membership) else organisation_id
    if owner is None or owner not in licence_parties(facility):
        raise ProgrammeError(_("The recording organisation is not party to this licence."))
    entry = LicenceEntry.objects.create(
        organisation_id=owner,
        created_by=actor_user(actor),
        facility=facility,
        status=status,
        effective_on=effective_on,
        expires_on=expires_on,
        authority=authority.strip()[:200],
        number=number.strip()[:100],
        note=note.strip(),
    )
    log_change(entry, action=ChangeAction.CREATE, actor=actor)
    for upload in documents:
        _store(entry, upload, actor)
    return entry


def _store(entry: LicenceEntry, upload: Any, actor: Actor) -> LicenceDocument:
    organisation = Organisation.objects.get(pk=entry.organisation_id)
    return store_file(LicenceDocument(entry=entry), upload, actor=actor, organisation=organisation)


@transaction.atomic
def add_licence_document(entry: LicenceEntry, *, upload: Any, actor: Actor) -> LicenceDocument:
    """Keep one more document as evidence of an entry (a scan of the licence, a receipt)."""
    _require_recorder(actor, entry.facility)
    return _store(entry, upload, actor)
