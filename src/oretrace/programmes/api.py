"""API routes of the programmes app: programmes, their villages and monitoring visits (for the
organisation that runs a programme and those it shared it with: a donor), the indicators with
small cells kept back, and, on a lot's trace, the programmes around its origins (for the
lot's holder: a buyer). Never a child's case or identity. Thin: reads in ``queries``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from ninja import Router
from ninja.pagination import paginate

from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member
from oretrace.programmes import disclosure, queries
from oretrace.programmes.models import MonitoringVisit, Programme, Village
from oretrace.programmes.schemas import (
    CommunityProgrammeOut,
    IndicatorsOut,
    LotProgrammesOut,
    VillageOut,
    VisitOut,
)
from oretrace.traceability.queries import lots_for

router = Router(tags=["programmes"])


def _programme(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.pk,
        "name": programme.name,
        "organisation_id": programme.organisation_id,
        "organisation": str(programme.organisation),
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "areas": list(programme.areas),
        "partners": programme.partner_list(),
        "donors": programme.donor_list(),
        "indicator_set": programme.indicator_set,
    }


def _cell(cell: disclosure.Cell) -> dict[str, Any]:
    return {"value": cell.value, "text": str(cell)}


def _figures(figures: disclosure.PublicFigures) -> dict[str, Any]:
    return {name: _cell(getattr(figures, name)) for name in figures.__dataclass_fields__}


def _villages(views: list[queries.VillageView]) -> list[dict[str, Any]]:
    return [
        {
            "village_id": view.village.pk,
            "name": view.village.name,
            "visited_on": view.visited_on,
            "values": [
                {"indicator": v.title, "unit": v.unit, "value": _cell(v.cell)} for v in view.values
            ],
        }
        for view in views
    ]


def _language() -> str:
    return (translation.get_language() or "en")[:2]


@router.get("/programmes", response=list[CommunityProgrammeOut], summary="Community programmes")
@paginate(Pagination)
def list_programmes(request: AuthenticatedRequest) -> QuerySet[Programme]:
    """Programmes your organisation runs or that were shared with it (a donor's)."""
    return queries.programmes_for(request.auth).select_related("organisation").order_by("pk")


@router.get("/programmes/{int:programme_id}", response=CommunityProgrammeOut, summary="A programme")
def get_programme(request: AuthenticatedRequest, programme_id: int) -> Programme:
    return queries.programme_for(request.auth, programme_id)


@router.get(
    "/programmes/{int:programme_id}/villages",
    response=list[VillageOut],
    summary="A programme's villages",
)
@paginate(Pagination)
def list_villages(request: AuthenticatedRequest, programme_id: int) -> QuerySet[Village]:
    """The villages the programme works in, with the registry facilities around each."""
    programme = queries.programme_for(request.auth, programme_id)
    return programme.villages.prefetch_related("facilities").order_by("pk")


@router.get(
    "/programmes/{int:programme_id}/visits",
    response=list[VisitOut],
    summary="A programme's monitoring visits",
)
@paginate(Pagination)
def list_visits(request: AuthenticatedRequest, programme_id: int) -> QuerySet[MonitoringVisit]:
    """Monitoring visits to the programme's villages, newest first, with the values recorded
    (the field notes stay on the pages)."""
    programme = queries.programme_for(request.auth, programme_id)
    return MonitoringVisit.objects.filter(village__programme=programme).prefetch_related("values")


@router.get(
    "/programmes/{int:programme_id}/indicators",
    response=IndicatorsOut,
    summary="A programme's indicators, small cells kept back",
)
def get_indicators(request: AuthenticatedRequest, programme_id: int) -> dict[str, Any]:
    """The figures computed from the programme's cases over all villages and all time, and
    each village's latest monitoring; a count of children under 5 (or one that could be worked
    out as under 5) is null with the text "<5"."""
    programme = queries.programme_for(request.auth, programme_id)
    villages = programme.villages.order_by("name")
    return {
        "programme_id": programme.pk,
        "figures": _figures(queries.public_figures(programme)),
        "villages": _villages([queries.village_view(v, _language()) for v in villages]),
    }


@router.get(
    "/custody/lots/{int:lot_id}/programmes",
    response=LotProgrammesOut,
    summary="Community programmes around a lot's origins",
)
def lot_programmes(request: AuthenticatedRequest, lot_id: int) -> dict[str, Any]:
    """The programmes working in the villages around the origins of a lot you hold: their
    figures (small cells kept back) and those villages' latest monitoring; no case."""
    member = request.auth
    lot = get_for_member(lots_for(member), member, pk=lot_id)
    views = queries.programmes_on_trace(member, lot, language=_language())
    return {
        "lot_id": lot.pk,
        "programmes": [
            {
                "programme": _programme(view.programme),
                "figures": _figures(view.figures),
                "villages": _villages(view.villages),
            }
            for view in views
        ],
    }
