"""API schemas of the programmes app: programmes, villages, visits and the indicators computed
from the cases with small cells kept back. No schema carries a child's case or identity."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class CommunityProgrammeOut(Schema):
    id: int
    name: str
    organisation_id: int = Field(..., description="The organisation that runs it.")
    organisation: str
    starts_on: date
    ends_on: date | None
    areas: list[str] = Field(..., description="ILO areas of work (codes).")
    partners: list[str]
    donors: list[str]
    indicator_set: str

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj["organisation"] if isinstance(obj, dict) else obj.organisation)

    @staticmethod
    def resolve_partners(obj: Any) -> list[str]:
        return list(obj["partners"] if isinstance(obj, dict) else obj.partner_list())

    @staticmethod
    def resolve_donors(obj: Any) -> list[str]:
        return list(obj["donors"] if isinstance(obj, dict) else obj.donor_list())


class VillageOut(Schema):
    id: int
    programme_id: int
    name: str
    district: str
    state: str
    country: str
    latitude: Decimal | None
    longitude: Decimal | None
    facility_ids: list[int] = Field(..., description="Registry mines and collection points.")

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return str(obj.country_id)

    @staticmethod
    def resolve_facility_ids(obj: Any) -> list[int]:
        return sorted(f.pk for f in obj.facilities.all())


class VisitOut(Schema):
    id: int
    village_id: int
    visited_on: date
    indicator_set: str
    set_version: int
    values: dict[str, Decimal] = Field(..., description="Indicator code to the value recorded.")

    @staticmethod
    def resolve_values(obj: Any) -> dict[str, Decimal]:
        return {row.indicator: row.value for row in obj.values.all()}


class CellOut(Schema):
    value: Decimal | None = Field(
        ..., description="The figure, or null when it is kept back (a small cell)."
    )
    text: str = Field(..., description='The figure as shown: "<5" when kept back.')


class PublicFiguresOut(Schema):
    """The programme's figures over all its villages and all time; a count under 5, or one
    that could be worked out from the others as under 5, is kept back."""

    identified: CellOut
    with_remediation: CellOut
    remediation_share: CellOut
    multiple_types: CellOut
    multiple_share: CellOut
    followed_up: CellOut
    out_of_work: CellOut
    out_of_work_share: CellOut
    visits_due: CellOut
    visits_on_time: CellOut
    on_time_share: CellOut


class VillageValueOut(Schema):
    indicator: str
    unit: str
    value: CellOut


class VillageLatestOut(Schema):
    village_id: int
    name: str
    visited_on: date | None
    values: list[VillageValueOut]


class IndicatorsOut(Schema):
    programme_id: int
    figures: PublicFiguresOut
    villages: list[VillageLatestOut] = Field(
        ..., description="Each village's latest monitoring visit (counts of children kept back)."
    )


class ProgrammeOnTraceOut(Schema):
    programme: CommunityProgrammeOut
    figures: PublicFiguresOut
    villages: list[VillageLatestOut] = Field(
        ..., description="The programme's villages around the lot's origins."
    )


class LotProgrammesOut(Schema):
    lot_id: int
    programmes: list[ProgrammeOnTraceOut] = Field(
        ..., description="The programmes with a village linked to one of the lot's origins."
    )
