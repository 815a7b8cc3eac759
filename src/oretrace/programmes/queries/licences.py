"""Reads of the formalisation: a mine's or collection point's licence history, who may see and
record it, and the programme indicator computed from it.

Who sees a licence: the parties to it — the facility's owner and every organisation running a
programme with a village linked to the facility — see its whole history, each change with who
recorded it and its documents; an organisation the facility was shared with (a buyer with a
grant) sees only the entries shared with it by a grant on licence entries, or that it recorded
itself. Anyone else sees nothing, and a facility the member cannot see does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from oretrace.core.actors import SystemActor
from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import scope_to_member
from oretrace.programmes.licensing import Change, Formalisation, formalisation, status_on
from oretrace.programmes.models import (
    LicenceDocument,
    LicenceEntry,
    Programme,
    ReportingPeriod,
    Village,
)
from oretrace.programmes.permissions import can_record_licences
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility

# The facilities that hold a mining or trading licence.
LICENSED_KINDS = (FacilityKind.MINE, FacilityKind.ASM_SITE, FacilityKind.COLLECTION_POINT)


def licence_parties(facility: Facility) -> set[int]:
    """The organisations party to a facility's licence: its owner, and those running a
    programme with a village linked to it."""
    parties = set(
        Village.objects.filter(facilities=facility).values_list("organisation_id", flat=True)
    )
    if facility.organisation_id is not None:
        parties.add(facility.organisation_id)
    return parties


def is_party(member: Membership, facility: Facility) -> bool:
    return member.organisation_id in licence_parties(facility)


def may_record_licence(actor: Membership | SystemActor, facility: Facility) -> bool:
    """The roles (``can_record_licences``) held in an organisation party to the licence."""
    if isinstance(actor, SystemActor):
        return True
    return can_record_licences(actor) and is_party(actor, facility)


def facility_for(member: Membership, facility_id: int) -> Facility:
    """A mine or collection point the member sees in the registry; NotFound otherwise."""
    found = (
        Facility.objects.for_member(member)
        .filter(pk=facility_id, kind__in=LICENSED_KINDS)
        .select_related("organisation", "country")
        .first()
    )
    if found is None:
        raise NotFound(f"no mine or collection point {facility_id}")
    return found


def entries_for(member: Membership, facility: Facility) -> QuerySet[LicenceEntry]:
    """The facility's licence history the member may see, newest first."""
    entries = LicenceEntry.objects.filter(facility=facility)
    if not is_party(member, facility):
        entries = scope_to_member(entries, member)
    return entries.select_related("created_by", "organisation").prefetch_related("documents")


@dataclass(frozen=True)
class Current:
    """The status on a day, and the entry it comes from (None when nothing is recorded)."""

    status: str
    entry: LicenceEntry | None


def _change(entry: LicenceEntry) -> Change:
    # Two changes on the same day: the one recorded later (the higher key) holds.
    return Change(entry.facility_id, entry.status, entry.effective_on, entry.expires_on, entry.pk)


def current(entries: list[LicenceEntry], day: date | None = None) -> Current:
    """Where the licence stands on ``day`` (today): expired read from the dates."""
    day = day or timezone.localdate()
    in_effect = [e for e in entries if e.effective_on <= day]
    if not in_effect:
        return Current(status_on((), day), None)
    latest = max(in_effect, key=lambda e: (e.effective_on, e.pk))
    return Current(status_on([_change(e) for e in in_effect], day), latest)


def document_for(member: Membership, document_id: int) -> LicenceDocument:
    """A licence document, for the members who see its entry (and its facility)."""
    found = LicenceDocument.objects.select_related("entry__facility").filter(pk=document_id).first()
    if found is None:
        raise NotFound(f"no licence document {document_id}")
    facility = found.entry.facility
    if not Facility.objects.for_member(member).filter(pk=facility.pk).exists():
        raise NotFound(f"no licence document {document_id}")
    if not entries_for(member, facility).filter(pk=found.entry_id).exists():
        raise NotFound(f"no licence document {document_id}")
    return found


# --- the programme indicator --------------------------------------------------------------------
@dataclass(frozen=True)
class FormalisationRow:
    """One line of the formalisation indicator: a village (or the whole programme) on the last
    day of a period (or today)."""

    scope: str
    period: str
    day: date
    figures: Formalisation


def formalisation_rows(
    programme: Programme, *, today: date | None = None
) -> list[FormalisationRow]:
    """The share of the mines and collection points linked to the programme's villages that
    held a granted, unexpired licence: today, then on the last day of each reporting period
    that has begun (today for the period under way); for the programme, then each village."""
    today = today or timezone.localdate()
    links = list(
        Village.facilities.through.objects.filter(
            village__programme=programme, facility__kind__in=LICENSED_KINDS
        )
        .values_list("village__name", "facility_id")
        .order_by("village__name")
    )
    villages: dict[str, set[int]] = {}
    for name, facility_id in links:
        villages.setdefault(name, set()).add(facility_id)
    everyone = {fid for _name, fid in links}
    history = [
        _change(e) for e in LicenceEntry.objects.filter(facility_id__in=everyone).order_by("pk")
    ]
    days = [("", today)] + [
        (p.label, min(p.ends_on, today))
        for p in ReportingPeriod.objects.filter(programme=programme, starts_on__lte=today)
    ]
    rows: list[FormalisationRow] = []
    for label, day in days:
        rows.append(FormalisationRow("", label, day, formalisation(everyone, history, day)))
        rows.extend(
            FormalisationRow(name, label, day, formalisation(ids, history, day))
            for name, ids in villages.items()
        )
    return rows


@dataclass(frozen=True)
class FacilityLicence:
    facility: Facility
    villages: list[str]
    current: Current


def programme_facilities(
    programme: Programme, *, today: date | None = None
) -> list[FacilityLicence]:
    """Each mine and collection point linked to the programme's villages, with its licence today
    (the programme's owner is a party to each, so it sees every entry)."""
    facilities = (
        Facility.objects.filter(programme_villages__programme=programme, kind__in=LICENSED_KINDS)
        .distinct()
        .order_by("name")
        .prefetch_related("licence_entries")
    )
    names: dict[int, list[str]] = {}
    for facility_id, name in Village.facilities.through.objects.filter(
        village__programme=programme
    ).values_list("facility_id", "village__name"):
        names.setdefault(facility_id, []).append(name)
    return [
        FacilityLicence(
            f, sorted(names.get(f.pk, [])), current(list(f.licence_entries.all()), today)
        )
        for f in facilities
    ]
