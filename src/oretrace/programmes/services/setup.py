"""Setting a programme up: the programme, its villages and their facilities, targets, periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Country, Membership
from oretrace.core.tenancy import scope_to_organisation
from oretrace.programmes import catalogue
from oretrace.programmes.choices import IloArea
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import Programme, ReportingPeriod, Target, Village
from oretrace.programmes.permissions import can_run_programmes
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility

Actor = Membership | SystemActor
# The facilities a village is linked to: where its people mine, pick and sell.
NEARBY_KINDS = (FacilityKind.MINE, FacilityKind.ASM_SITE, FacilityKind.COLLECTION_POINT)


def organisation_for(actor: Actor, organisation_id: int | None, *, what: str) -> int:
    """The organisation ``what`` is made for: the member's own; the system names it."""
    if isinstance(actor, Membership):
        return actor.organisation_id
    if organisation_id is None:
        raise ProgrammeError(f"{what} made without a member names its organisation")
    return organisation_id


@transaction.atomic
def create_programme(
    *,
    actor: Actor,
    name: str,
    starts_on: date,
    indicator_set: str,
    ends_on: date | None = None,
    partners: str = "",
    donors: str = "",
    areas: list[str] | None = None,
    organisation_id: int | None = None,
) -> Programme:
    """A new programme of the actor's organisation (a system actor names the organisation)."""
    owner = organisation_for(actor, organisation_id, what="a programme")
    can_run_programmes.require(actor, organisation_id=owner)
    if not name.strip():
        raise ProgrammeError(_("Give the programme a name."), field="name")
    if ends_on is not None and ends_on < starts_on:
        raise ProgrammeError(_("The programme cannot end before it starts."), field="ends_on")
    if catalogue.latest(indicator_set) is None:
        raise ProgrammeError(
            _("There is no indicator set %(set)s.") % {"set": indicator_set},
            field="indicator_set",
        )
    unknown = sorted(set(areas or ()) - set(IloArea.values))
    if unknown:
        raise ProgrammeError(
            _("Unknown ILO area of work: %(areas)s.") % {"areas": ", ".join(unknown)},
            field="areas",
        )
    programme = Programme.objects.create(
        organisation_id=owner,
        created_by=actor_user(actor),
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        partners=partners.strip(),
        donors=donors.strip(),
        areas=[a for a in IloArea.values if a in set(areas or ())],
        indicator_set=indicator_set,
    )
    log_change(programme, action=ChangeAction.CREATE, actor=actor)
    return programme


def _coordinate(value: Decimal | None, limit: int, field: str) -> Decimal | None:
    if value is not None and not -limit <= value <= limit:
        raise ProgrammeError(
            _("%(value)s is not a coordinate between -%(limit)d and %(limit)d.")
            % {"value": value, "limit": limit},
            field=field,
        )
    return value


@transaction.atomic
def add_village(
    programme: Programme,
    *,
    actor: Actor,
    name: str,
    country: Country,
    district: str = "",
    state: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Village:
    """A village the programme works in."""
    can_run_programmes.require(actor, organisation_id=programme.organisation_id)
    if not name.strip():
        raise ProgrammeError(_("Give the village a name."), field="name")
    try:
        with transaction.atomic():
            village = Village.objects.create(
                organisation_id=programme.organisation_id,
                programme=programme,
                name=name.strip(),
                district=district.strip(),
                state=state.strip(),
                country=country,
                latitude=_coordinate(latitude, 90, "latitude"),
                longitude=_coordinate(longitude, 180, "longitude"),
            )
    except IntegrityError:
        raise ProgrammeError(
            _("The programme already has a village named %(name)s.") % {"name": name.strip()},
            field="name",
        ) from None
    log_change(village, action=ChangeAction.CREATE, actor=actor)
    return village


@transaction.atomic
def link_facility(village: Village, facility: Facility, *, actor: Actor) -> None:
    """Link a mine, picking site or collection point around the village to it."""
    can_run_programmes.require(actor, organisation_id=village.organisation_id)
    if facility.kind not in NEARBY_KINDS:
        raise ProgrammeError(
            _("%(facility)s is a %(kind)s: link mines, picking sites and collection points.")
            % {"facility": facility.name, "kind": facility.get_kind_display().lower()},
            field="facility",
        )
    shared = scope_to_organisation(
        Facility.objects.filter(pk=facility.pk),
        village.organisation_id,
        public=Q(organisation__isnull=True),
    )
    if not shared.exists():
        # Another organisation's site is linked only once it shared it (a registry grant).
        raise ProgrammeError(
            _("%(facility)s has not been shared with the programme's organisation.")
            % {"facility": facility.name_latin or facility.name},
            field="facility",
        )
    village.facilities.add(facility)
    log_change(village, action=ChangeAction.UPDATE, actor=actor, note={"linked": facility.pk})


@transaction.atomic
def set_target(
    programme: Programme,
    *,
    actor: Actor,
    indicator: str,
    baseline: Decimal,
    target: Decimal,
    by: date,
) -> Target:
    """The baseline and target of one of the programme's indicators (replacing an earlier one)."""
    can_run_programmes.require(actor, organisation_id=programme.organisation_id)
    found = catalogue.latest(programme.indicator_set)
    if found is None or found.indicator(indicator) is None:
        raise ProgrammeError(
            _("%(code)s is not an indicator of the programme's set.") % {"code": indicator},
            field="indicator",
        )
    row, created = Target.objects.update_or_create(
        programme=programme,
        indicator=indicator,
        defaults={"baseline": baseline, "target": target, "by": by},
        create_defaults={
            "organisation_id": programme.organisation_id,
            "baseline": baseline,
            "target": target,
            "by": by,
        },
    )
    log_change(row, action=ChangeAction.CREATE if created else ChangeAction.UPDATE, actor=actor)
    return row


@transaction.atomic
def add_period(
    programme: Programme, *, actor: Actor, label: str, starts_on: date, ends_on: date
) -> ReportingPeriod:
    """A reporting period of the programme."""
    can_run_programmes.require(actor, organisation_id=programme.organisation_id)
    if ends_on < starts_on:
        raise ProgrammeError(_("A period cannot end before it starts."), field="ends_on")
    if not label.strip():
        raise ProgrammeError(_("Give the period a name."), field="label")
    period = ReportingPeriod.objects.create(
        organisation_id=programme.organisation_id,
        programme=programme,
        label=label.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    log_change(period, action=ChangeAction.CREATE, actor=actor)
    return period
