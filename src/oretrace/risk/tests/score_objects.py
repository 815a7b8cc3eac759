"""A's scored objects for the tenancy declarations: a facility, a supplier declaring it, and
their scores as of today."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from oretrace.declarations.tests.factories import DeclarationFactory, SmelterEntryFactory
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk.models import Score
from oretrace.risk.scores import services


def scored_objects(organisation: Any, member: Any) -> dict[str, Any]:
    facility = FacilityFactory.create(organisation=organisation, country_id="CD")
    declared = DeclarationFactory.create(organisation=organisation)
    SmelterEntryFactory.create(declaration=declared, facility=facility, match="matched")
    services.recompute_scores(organisation.pk, as_of=timezone.localdate(), actor=member)
    return {
        "facility": facility.pk,
        "supplier": declared.supplier_id,
        "score": Score.objects.get(facility=facility).pk,
    }
