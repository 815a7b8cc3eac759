"""Monitoring visits: one village's indicator values on a day, with evidence and place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oretrace.core.changelog import log_change
from oretrace.core.choices import ChangeAction
from oretrace.programmes import catalogue
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import MonitoringVisit, Village, VisitValue
from oretrace.programmes.permissions import can_run_programmes
from oretrace.programmes.services.setup import Actor, _coordinate


@transaction.atomic
def record_visit(
    village: Village,
    *,
    actor: Actor,
    visited_on: date,
    values: Mapping[str, Decimal | None],
    evidence: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> MonitoringVisit:
    """Record a visit under the latest version of the programme's indicator set; an indicator
    left out (None) was not measured. The visit keeps its set's version for good."""
    can_run_programmes.require(actor, organisation_id=village.organisation_id)
    indicator_set = catalogue.latest(village.programme.indicator_set)
    if indicator_set is None:
        raise ProgrammeError(_("The programme's indicator set is not installed."))
    if visited_on > timezone.localdate():
        raise ProgrammeError(_("A visit cannot be recorded in the future."), field="visited_on")
    known = {i.code: i for i in indicator_set.indicators}
    kept: dict[str, Decimal] = {}
    for code, value in values.items():
        indicator = known.get(code)
        if indicator is None:
            raise ProgrammeError(
                _("%(code)s is not an indicator of the set.") % {"code": code}, field=code
            )
        if value is None:
            continue
        if value < 0 or (indicator.unit == "percent" and value > 100):
            raise ProgrammeError(
                _("%(title)s: %(value)s is out of range.") % {"title": code, "value": value},
                field=code,
            )
        kept[code] = value
    if not kept:
        raise ProgrammeError(_("Record at least one indicator."))
    visit = MonitoringVisit.objects.create(
        organisation_id=village.organisation_id,
        created_by=getattr(actor, "user", None),
        village=village,
        visited_on=visited_on,
        indicator_set=indicator_set.slug,
        set_version=indicator_set.version,
        latitude=_coordinate(latitude, 90, "latitude"),
        longitude=_coordinate(longitude, 180, "longitude"),
        evidence=evidence.strip(),
    )
    VisitValue.objects.bulk_create(
        VisitValue(visit=visit, indicator=code, value=value) for code, value in kept.items()
    )
    log_change(visit, action=ChangeAction.CREATE, actor=actor, note={"values": len(kept)})
    return visit
