"""Every write to the facility registry: facilities, names, identifiers, statuses, merges.

Each function validates, writes and appends the change log in one transaction; the actor is
passed explicitly. Reference facilities (from reference lists) are changed by curators only.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from anyascii import anyascii
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change, snapshot, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Country, Membership, Mineral, Organisation, Subdivision
from oretrace.registry.choices import (
    AssuranceScheme,
    CoordinatePrecision,
    FacilityKind,
    IdentifierScheme,
    NameKind,
)
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.matching import normalise
from oretrace.registry.models import (
    AssuranceStatus,
    Facility,
    FacilityIdentifier,
    FacilityName,
    MatchReview,
)
from oretrace.registry.permissions import require_curator, require_editor
from oretrace.registry.validators import clean_identifier

Actor = Membership | SystemActor

LOCATION_FIELDS = frozenset({"street", "city", "region"})
EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "name",
        "name_latin",
        "country",
        "subdivision",
        "latitude",
        "longitude",
        "coordinate_precision",
        "operator",
        *LOCATION_FIELDS,
    }
)


def _country(value: Country | str) -> Country:
    if isinstance(value, Country):
        return value
    country: Country | None = Country.objects.filter(code=str(value).strip().upper()).first()
    if country is None:
        raise RegistryError(f"unknown country code {value!r} (expected ISO 3166-1 alpha-2)")
    return country


def _subdivision(value: Subdivision | str | None, country: Country) -> Subdivision | None:
    if value in (None, ""):
        return None
    sub = (
        value
        if isinstance(value, Subdivision)
        else Subdivision.objects.filter(code=str(value).strip().upper()).first()
    )
    if sub is None:
        raise RegistryError(f"unknown subdivision {value!r} (expected ISO 3166-2, e.g. IN-JH)")
    if sub.country_id != country.code:
        raise RegistryError(f"subdivision {sub.code} is not in {country.name}")
    return sub


def _coordinate(value: Any, name: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise RegistryError(f"{name} {value!r} is not a number") from None
    if not -limit <= number <= limit:
        raise RegistryError(f"{name} {number} is outside -{limit}…{limit}")
    return number


def _check_location(facility: Facility) -> None:
    if (facility.latitude is None) != (facility.longitude is None):
        raise RegistryError("give both latitude and longitude, or neither")
    if facility.has_coordinates and not facility.coordinate_precision:
        raise RegistryError("coordinates need their precision (exact, site, locality, district)")
    precision = facility.coordinate_precision
    if precision and precision not in CoordinatePrecision.values:
        raise RegistryError(f"unknown coordinate precision {facility.coordinate_precision!r}")
    if facility.kind not in FacilityKind.values:
        raise RegistryError(f"unknown facility kind {facility.kind!r}")
    if not facility.name.strip():
        raise RegistryError("a facility needs a name")


def _apply(facility: Facility, changes: dict[str, Any]) -> None:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RegistryError(f"unknown facility fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        if field == "country":
            facility.country = _country(value)
        elif field == "subdivision":
            facility.subdivision = _subdivision(value, facility.country)
        elif field in ("latitude", "longitude"):
            setattr(facility, field, _coordinate(value, field, 90 if field == "latitude" else 180))
        elif field == "operator":
            facility.operator = (
                value
                if value is None or isinstance(value, Organisation)
                else (Organisation.objects.get(pk=value))
            )
        else:
            setattr(facility, field, (value or "").strip() if isinstance(value, str) else value)
    moved_country = "country" in changes and "subdivision" not in changes
    if (
        moved_country
        and facility.subdivision_id
        and (
            facility.subdivision.country_id != facility.country_id  # type: ignore[union-attr]
        )
    ):
        facility.subdivision = None
    if facility.name and not facility.name_latin and _needs_transliteration(facility.name):
        facility.name_latin = anyascii(facility.name).strip()
    _check_location(facility)


def _needs_transliteration(name: str) -> bool:
    """True when the name has letters outside the Latin script (accents and dashes do not count)."""
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in name)


def _minerals(codes: list[str] | tuple[str, ...]) -> list[Mineral]:
    found = {m.code: m for m in Mineral.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise RegistryError(f"unknown mineral(s): {', '.join(missing)}")
    return [found[c] for c in codes]


def _writer(actor: Actor, *, reference: bool, needs_member: str) -> Membership | None:
    """Who writes a new row: None for reference data (curators only); else the acting member,
    an editor, whose organisation the row belongs to (a system actor has none: ``needs_member``
    says why it is refused)."""
    if reference:
        require_curator(actor)
        return None
    require_editor(actor)
    if isinstance(actor, SystemActor):
        raise RegistryError(needs_member)
    return actor


@transaction.atomic
def create_facility(
    *,
    actor: Actor,
    kind: str,
    name: str,
    country: Country | str,
    reference: bool = False,
    minerals: list[str] | tuple[str, ...] = (),
    source: str = "entered by a user",
    **details: Any,
) -> Facility:
    """Record a facility: private to the actor's organisation, or a reference one (curators)."""
    member = _writer(
        actor,
        reference=reference,
        needs_member="a private facility needs the member whose organisation owns it",
    )
    facility = Facility(
        organisation=None if member is None else member.organisation,
        created_by=actor_user(actor),
        kind=kind,
        name=name.strip(),
        country=_country(country),
    )
    _apply(facility, details)
    facility.save()
    facility.minerals.set(_minerals(minerals))
    _add_name(facility, facility.name, NameKind.PRIMARY, "", source, actor)
    if facility.name_latin and facility.name_latin != facility.name:
        _add_name(facility, facility.name_latin, NameKind.TRANSLITERATION, "", source, actor)
    log_change(facility, action=ChangeAction.CREATE, actor=actor)
    return facility


@transaction.atomic
def update_facility(
    facility: Facility, *, actor: Actor, minerals: list[str] | None = None, **changes: Any
) -> Facility:
    """Change a facility's details; a new name keeps the old one as a former name."""
    require_editor(actor, facility)
    before = snapshot(facility)
    old_name = facility.name
    _apply(facility, changes)
    facility.save()
    if minerals is not None:
        facility.minerals.set(_minerals(minerals))
    if facility.name != old_name:
        _add_name(facility, facility.name, NameKind.PRIMARY, "", "renamed", actor)
        for former in FacilityName.objects.filter(facility=facility, name=old_name):
            update_and_log(
                former, actor=actor, organisation=facility.organisation, kind=NameKind.FORMER
            )
    if snapshot(facility) != before or minerals is not None:
        log_change(facility, action=ChangeAction.UPDATE, actor=actor, before=before)
    return facility


def _add_name(
    facility: Facility,
    name: str,
    kind: str,
    language: str,
    source: str,
    actor: Actor,
    organisation: Organisation | None = None,
) -> tuple[FacilityName, bool]:
    """Add a name unless the facility has it already; a new name goes in the change log."""
    name = " ".join(name.split())
    existing = FacilityName.objects.filter(
        facility=facility, name=name, organisation=organisation
    ).first()
    if existing is not None:
        return existing, False
    row = FacilityName.objects.create(
        facility=facility,
        name=name,
        normalised=normalise(name)[:300],
        kind=kind,
        language=language,
        source=source[:200],
        organisation=organisation,
    )
    log_change(
        row,
        action=ChangeAction.CREATE,
        actor=actor,
        organisation=organisation or facility.organisation,
    )
    return row, True


@transaction.atomic
def add_name(
    facility: Facility,
    *,
    name: str,
    actor: Actor,
    kind: str = NameKind.ALIAS,
    language: str = "",
    source: str = "entered by a user",
) -> FacilityName:
    """Add a name in any script (alias, former name, abbreviation …); adding it twice is a no-op."""
    require_editor(actor, facility)
    if kind not in NameKind.values:
        raise RegistryError(f"unknown name kind {kind!r}")
    if not name.strip():
        raise RegistryError("a name cannot be empty")
    row, _created = _add_name(facility, name, kind, language, source, actor)
    return row


@transaction.atomic
def add_identifier(
    facility: Facility, *, scheme: str, value: str, actor: Actor, source: str = "entered by a user"
) -> FacilityIdentifier:
    """Add an identifier; one that a reference facility, or another facility of the same
    owner, holds is refused, naming it. Another organisation's facilities are not looked at:
    each organisation's own registry may hold its own copy of a listed facility."""
    require_editor(actor, facility)
    try:
        value = clean_identifier(scheme, value)
    except ValueError as exc:
        raise RegistryError(str(exc)) from None
    owner = Q(organisation__isnull=True)
    if facility.organisation_id is not None:
        owner |= Q(organisation_id=facility.organisation_id)
    holder: FacilityIdentifier | None = (
        FacilityIdentifier.objects.filter(owner, scheme=scheme, value=value)
        .select_related("facility")
        .order_by("organisation_id")
        .first()
    )
    if holder is not None:
        if holder.facility_id == facility.pk:
            return holder
        raise RegistryError(f"{value} already identifies {holder.facility} (#{holder.facility_id})")
    try:
        with transaction.atomic():
            row = FacilityIdentifier.objects.create(
                facility=facility,
                scheme=scheme,
                value=value,
                source=source[:200],
                organisation_id=facility.organisation_id,
            )
    except IntegrityError:
        raise RegistryError(f"{value} was just given to another facility") from None
    log_change(row, action=ChangeAction.CREATE, actor=actor, organisation=facility.organisation)
    return row


@transaction.atomic
def record_status(
    facility: Facility,
    *,
    scheme: str,
    status: str,
    effective_on: date,
    source: str,
    actor: Actor,
    reference: bool = False,
    last_audit_on: date | None = None,
    valid_until: date | None = None,
    cycle: str = "",
) -> AssuranceStatus:
    """Add an entry to a facility's assurance history (reference entries: curators only)."""
    member = _writer(
        actor,
        reference=reference,
        needs_member="a status recorded by an organisation needs its member",
    )
    if (
        member is not None
        and not Facility.objects.for_member(member).filter(pk=facility.pk).exists()
    ):
        raise RegistryError(f"facility #{facility.pk} is not visible to {actor}")
    owner = None if member is None else member.organisation
    if scheme not in AssuranceScheme.values:
        raise RegistryError(f"unknown assurance scheme {scheme!r}")
    if not status.strip():
        raise RegistryError("a status cannot be empty")
    if valid_until is not None and valid_until < effective_on:
        raise RegistryError("a status cannot expire before it takes effect")
    entry = AssuranceStatus.objects.create(
        facility=facility,
        scheme=scheme,
        status=status.strip(),
        effective_on=effective_on,
        last_audit_on=last_audit_on,
        valid_until=valid_until,
        cycle=cycle,
        source=source[:300],
        organisation=owner,
    )
    log_change(entry, action=ChangeAction.CREATE, actor=actor, organisation=owner)
    return entry


@transaction.atomic
def publish_audit_status(
    facility: Facility,
    *,
    status: str,
    effective_on: date,
    source: str,
    actor: Actor,
    last_audit_on: date | None,
    valid_until: date | None,
    next_audit_on: date,
    cycle: str = "",
) -> AssuranceStatus:
    """Add a closed audit's determination to the facility's assurance history, in the
    ``oretrace_audit`` scheme, for everyone who sees the facility (no owner, as an entry of a
    reference list): the same history RMI lists feed. Called by the audits app's closure only,
    which checks the closing auditor's rights; its actor is logged here."""
    if not status.strip():
        raise RegistryError("a status cannot be empty")
    if valid_until is not None and valid_until < effective_on:
        raise RegistryError("a status cannot expire before it takes effect")
    if next_audit_on < effective_on:
        raise RegistryError("the next audit cannot be due before the status takes effect")
    entry = AssuranceStatus.objects.create(
        facility=facility,
        scheme=AssuranceScheme.ORETRACE_AUDIT,
        status=status.strip(),
        effective_on=effective_on,
        last_audit_on=last_audit_on,
        valid_until=valid_until,
        next_audit_on=next_audit_on,
        cycle=cycle[:40],
        source=source[:300],
        organisation=None,
    )
    log_change(entry, action=ChangeAction.CREATE, actor=actor, organisation=facility.organisation)
    return entry


def _move(rows: list[Any], to: Facility, actor: Actor) -> None:
    """Move names, identifiers or statuses to another facility, each move in the change log."""
    for row in rows:
        update_and_log(row, actor=actor, organisation=to.organisation, facility=to)


def resolve(facility: Facility) -> Facility:
    """Follow merges to the surviving facility."""
    seen = set()
    while facility.merged_into_id is not None and facility.pk not in seen:
        seen.add(facility.pk)
        facility = facility.merged_into  # type: ignore[assignment]
    return facility


@transaction.atomic
def merge_facilities(survivor: Facility, duplicate: Facility, *, actor: Actor) -> Facility:
    """Fold a duplicate into the survivor; the duplicate's identifiers then resolve to it."""
    require_editor(actor, survivor)
    require_editor(actor, duplicate)
    survivor, duplicate = resolve(survivor), resolve(duplicate)
    if survivor.pk == duplicate.pk:
        raise RegistryError("a facility cannot be merged into itself")
    if survivor.organisation_id != duplicate.organisation_id:
        raise RegistryError("only facilities of the same owner can be merged")
    before_survivor, before_duplicate = snapshot(survivor), snapshot(duplicate)
    for row in duplicate.names.all():
        _add_name(
            survivor,
            row.name,
            NameKind.FORMER if row.kind == NameKind.PRIMARY else row.kind,
            row.language,
            row.source,
            actor,
            row.organisation,
        )
    _move(list(duplicate.identifiers.all()), survivor, actor)
    _move(list(duplicate.statuses.all()), survivor, actor)
    _move(
        [
            listing
            for listing in duplicate.listings.all()
            if not survivor.listings.filter(list_key=listing.list_key).exists()
        ],
        survivor,
        actor,
    )
    survivor.minerals.add(*duplicate.minerals.all())
    for review in MatchReview.objects.filter(facility=duplicate):
        before_review = snapshot(review)
        review.facility = survivor
        review.save(update_fields=["facility", "updated_at"])
        log_change(review, action=ChangeAction.UPDATE, actor=actor, before=before_review)
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])
    survivor.save(update_fields=["updated_at"])
    log_change(duplicate, action=ChangeAction.UPDATE, actor=actor, before=before_duplicate)
    log_change(survivor, action=ChangeAction.UPDATE, actor=actor, before=before_survivor)
    return survivor


@transaction.atomic
def split_facility(
    facility: Facility,
    *,
    actor: Actor,
    name: str,
    names: list[int] = (),  # type: ignore[assignment]
    identifiers: list[int] = (),  # type: ignore[assignment]
) -> Facility:
    """Split wrongly merged facilities: a new facility takes the given names and identifiers."""
    require_editor(actor, facility)
    moved_names = list(facility.names.filter(pk__in=names))
    moved_ids = list(facility.identifiers.filter(pk__in=identifiers))
    if len(moved_names) != len(set(names)) or len(moved_ids) != len(set(identifiers)):
        raise RegistryError("every name and identifier to move must belong to the facility")
    if facility.names.exclude(pk__in=names).filter(kind=NameKind.PRIMARY).count() == 0 and (
        facility.name in {n.name for n in moved_names}
    ):
        raise RegistryError("the facility must keep its own name; move aliases only")
    new = Facility.objects.create(
        organisation=facility.organisation,
        kind=facility.kind,
        name=name.strip(),
        country=facility.country,
        subdivision=facility.subdivision,
        created_by=actor_user(actor),
    )
    new.minerals.set(facility.minerals.all())
    log_change(new, action=ChangeAction.CREATE, actor=actor)
    _move(moved_names, new, actor)
    _move(moved_ids, new, actor)
    _add_name(new, new.name, NameKind.PRIMARY, "", f"split from #{facility.pk}", actor)
    return new


def find_by_identifier(
    scheme: str, value: str, *, organisation_id: int | None = None, shared: bool = True
) -> Facility | None:
    """The live facility an identifier points to (following merges), if any.

    Looked up among the reference facilities (unless ``shared`` is false) and, given
    ``organisation_id``, that organisation's own; a reference facility comes first.
    """
    try:
        value = clean_identifier(scheme, value)
    except ValueError:
        return None
    owner = Q(organisation__isnull=True) if shared else Q(pk__in=[])
    if organisation_id is not None:
        owner |= Q(organisation_id=organisation_id)
    row = (
        FacilityIdentifier.objects.filter(owner, scheme=scheme, value=value)
        .select_related("facility")
        .order_by(F("organisation_id").asc(nulls_first=True))
        .first()
    )
    return resolve(row.facility) if row else None


@transaction.atomic
def fold_into_reference(copy: Facility, reference: Facility, *, actor: Actor) -> Facility:
    """Retire an organisation's copy of a listed facility once the shared registry holds it.

    The copy is marked merged into the reference facility: it leaves the organisation's
    matching (only live facilities match) and everything pointing at it resolves to the
    reference one. Its names, identifiers and statuses stay with it, as history.
    """
    require_curator(actor)
    if not reference.is_reference or copy.is_reference:
        raise RegistryError("only an organisation's copy folds into a reference facility")
    if copy.merged_into_id is not None:
        return resolve(copy)
    before = snapshot(copy)
    copy.merged_into = reference
    copy.save(update_fields=["merged_into", "updated_at"])
    log_change(copy, action=ChangeAction.UPDATE, actor=actor, before=before)
    return reference


__all__ = [
    "IdentifierScheme",
    "add_identifier",
    "add_name",
    "create_facility",
    "find_by_identifier",
    "fold_into_reference",
    "merge_facilities",
    "record_status",
    "resolve",
    "split_facility",
    "update_facility",
]
