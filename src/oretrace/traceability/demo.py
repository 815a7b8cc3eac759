"""Demo custody history of the mica chain, from village collections to a batch of cars.

Aurelia Motors, the car maker at the end of the chain, runs the programme: every company of its
mica chain sends its EPCIS events to Aurelia's oretrace, and shares the registry entries of its
sites so that the events' places resolve. The events are built by the same functions as the
custody forms and captured through the capture service, so they are hashed, committed to the
transparency log and turned into lots, edges and flags like any other capture.

Quantities are the mica content of each lot, in kilograms, up to the pigment; the paint is
counted in litres and the cars in pieces, which the mass balance does not compare with
kilograms. One step breaks the mass balance on purpose: the second sorting at the Giridih unit
reports 520 kg out of 450 kg in, which the demo shows as an over-yield flag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from oretrace.core import services as core_services
from oretrace.core.demo import ACTOR, demo_step
from oretrace.core.models import Grant, Organisation
from oretrace.registry.choices import FacilityKind
from oretrace.registry.demo import admin_of
from oretrace.registry.models import Facility
from oretrace.traceability import recording, services
from oretrace.traceability.models import Lot, LotMovement

PROGRAMME = "aurelia-motors"
CHAIN = ("koderma-collectors", "giridih-mica", "hooghly-exports", "rhein-pigmente", "lackwerk")
INDIA, GERMANY, FRANCE = (
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Europe/Paris"),
)


FINAL_LOT = "AUR-CARS-2606"


def _at(zone: ZoneInfo, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=zone)


class _Chain:
    """The programme's organisation, its lot codes and the chain's facilities by short name."""

    def __init__(self, programme: Organisation) -> None:
        self.programme = programme
        facilities = {
            f.name_latin or f.name: f
            for f in Facility.objects.filter(organisation__slug__in=CHAIN).prefetch_related(
                "identifiers"
            )
        }
        self.places = {
            "dhorkola": facilities["Dhorkola Mica Collection Centre"],
            "chandwara": facilities["Chandwara Village Depot"],
            "tisri": facilities["Tisri Mica Picking Area"],
            "domchanch": facilities["Domchanch Mica Collection Centre"],
            "jainagar": facilities["Jainagar Village Depot"],
            "giridih": next(
                f for f in facilities.values() if f.kind == FacilityKind.PROCESSING_UNIT
            ),
            "kolkata": next(f for f in facilities.values() if f.kind == FacilityKind.TRADER),
            "rhein": next(f for f in facilities.values() if f.kind == FacilityKind.MANUFACTURER),
            "lackwerk": next(
                f for f in facilities.values() if f.kind == FacilityKind.COMPONENT_MAKER
            ),
        }
        self.places["aurelia"] = Facility.objects.get(
            organisation=programme, kind=FacilityKind.BRAND
        )

    def lot(self, number: str) -> str:
        return recording.lot_uri(self.programme, number)

    def stored(self, number: str) -> Lot:
        return Lot.objects.get(organisation=self.programme, code=self.lot(number))

    def capture(self, events: list[dict[str, Any]]) -> None:
        services.capture_document(
            recording.document(events), organisation=self.programme, actor=ACTOR
        )

    def collect(
        self, place: str, when: datetime, number: str, kg: str, **kw: Any
    ) -> dict[str, Any]:
        return recording.collection_event(
            facility=self.places[place],
            when=when,
            lot=self.lot(number),
            amount=Decimal(kg),
            unit="kg",
            recycled=kw.get("recycled", False),
        )

    def process(
        self,
        place: str,
        when: datetime,
        process: str,
        inputs: list[tuple[str, str]],
        number: str,
        amount: str,
        unit: str = "kg",
    ) -> dict[str, Any]:
        return recording.processing_event(
            facility=self.places[place],
            when=when,
            process=process,
            inputs=[(self.stored(n), Decimal(kg)) for n, kg in inputs],
            output=self.lot(number),
            amount=Decimal(amount),
            unit=unit,
        )

    def ship(
        self, number: str, kg: str, origin: str, destination: str, when: datetime
    ) -> dict[str, Any]:
        return recording.shipment_event(
            lot=self.stored(number),
            amount=Decimal(kg),
            origin=self.places[origin],
            destination=self.places[destination],
            when=when,
        )

    def receive(self, number: str, kg: str, place: str, when: datetime) -> dict[str, Any]:
        shipment = LotMovement.objects.filter(
            organisation=self.programme, lot=self.stored(number), receipts__isnull=True
        ).latest("id")
        return recording.receipt_event(
            shipment=shipment, amount=Decimal(kg), facility=self.places[place], when=when
        )


def _share_sites(programme: Organisation) -> None:
    """Each company of the chain shares its sites with the car maker that runs the programme."""
    facility_type = ContentType.objects.get_for_model(Facility)
    for slug in CHAIN:
        owner = admin_of(slug)
        if not Grant.objects.filter(
            owner=owner.organisation,
            grantee=programme,
            content_type=facility_type,
            object_id__isnull=True,
            revoked_at__isnull=True,
        ).exists():
            core_services.grant_access(
                Facility,
                owner=owner.organisation,
                to=programme,
                actor=owner,
                note="mica traceability programme",
            )


@demo_step("custody: the mica chain's history from villages to cars")
def build_custody(say: Callable[[str], None]) -> None:
    programme = Organisation.objects.get(slug=PROGRAMME)
    _share_sites(programme)
    if Lot.objects.filter(
        organisation=programme, code=recording.lot_uri(programme, FINAL_LOT)
    ).exists():
        say("custody history already recorded")
        return
    c = _Chain(programme)
    # Collections in the villages and at the picking area (Koderma Collectors).
    c.capture(
        [
            c.collect("dhorkola", _at(INDIA, 3, 2), "DHK-0302", "420"),
            c.collect("chandwara", _at(INDIA, 3, 3), "CHW-0303", "510"),
            c.collect("tisri", _at(INDIA, 3, 5), "TSR-0305", "260"),
            c.collect("domchanch", _at(INDIA, 3, 6), "DMC-0306", "300"),
            c.collect("jainagar", _at(INDIA, 3, 7), "JNG-0307", "150"),
        ]
    )
    # Trucks to the processing unit, weighed on arrival (Giridih Mica Processing).
    c.capture(
        [
            c.ship(n, kg, place, "giridih", _at(INDIA, 3, 8, 7))
            for n, kg, place in (
                ("DHK-0302", "420", "dhorkola"),
                ("CHW-0303", "510", "chandwara"),
                ("TSR-0305", "260", "tisri"),
                ("DMC-0306", "300", "domchanch"),
                ("JNG-0307", "150", "jainagar"),
            )
        ]
    )
    c.capture(
        [
            c.receive("DHK-0302", "417", "giridih", _at(INDIA, 3, 8, 15)),
            c.receive("CHW-0303", "505", "giridih", _at(INDIA, 3, 8, 15)),
            c.receive("TSR-0305", "260", "giridih", _at(INDIA, 3, 8, 16)),
            c.receive("DMC-0306", "300", "giridih", _at(INDIA, 3, 8, 16)),
            c.receive("JNG-0307", "150", "giridih", _at(INDIA, 3, 8, 17)),
            c.collect("giridih", _at(INDIA, 3, 10), "GIR-SCRAP-0310", "80", recycled=True),
        ]
    )
    # Sorting, then splitting and milling into flake; the second sorting is the violation.
    c.capture(
        [
            c.process(
                "giridih",
                _at(INDIA, 3, 12),
                "sorting",
                [("DHK-0302", "417"), ("CHW-0303", "505"), ("TSR-0305", "260")],
                "GIR-S-0312",
                "720",
            ),
        ]
    )
    c.capture(
        [
            c.process(
                "giridih",
                _at(INDIA, 3, 14),
                "sorting",
                [("DMC-0306", "300"), ("JNG-0307", "150")],
                "GIR-S-0314",
                "520",
            ),
        ]
    )
    c.capture(
        [
            c.process(
                "giridih",
                _at(INDIA, 3, 20),
                "milling",
                [("GIR-S-0312", "720"), ("GIR-S-0314", "400"), ("GIR-SCRAP-0310", "80")],
                "GIR-F-0320",
                "1050",
            ),
        ]
    )
    # To the exporter in Kolkata, then by sea to the pigment maker in Ludwigshafen.
    c.capture([c.ship("GIR-F-0320", "1050", "giridih", "kolkata", _at(INDIA, 3, 24))])
    c.capture([c.receive("GIR-F-0320", "1046", "kolkata", _at(INDIA, 3, 27))])
    c.capture([c.ship("GIR-F-0320", "1046", "kolkata", "rhein", _at(INDIA, 4, 2))])
    c.capture([c.receive("GIR-F-0320", "1044", "rhein", _at(GERMANY, 5, 6))])
    # A pigment batch, paint made with part of it, and the cars painted with that paint.
    c.capture(
        [
            c.process(
                "rhein", _at(GERMANY, 5, 12), "coating", [("GIR-F-0320", "1000")], "RHP-0512", "980"
            ),
        ]
    )
    c.capture([c.ship("RHP-0512", "200", "rhein", "lackwerk", _at(GERMANY, 5, 20))])
    c.capture([c.receive("RHP-0512", "200", "lackwerk", _at(GERMANY, 5, 22))])
    c.capture(
        [
            c.process(
                "lackwerk",
                _at(GERMANY, 5, 28),
                "formulation",
                [("RHP-0512", "200")],
                "LW-PAINT-0528",
                "8000",
                unit="LTR",
            ),
        ]
    )
    paint = c.stored("LW-PAINT-0528")
    c.capture(
        [
            {
                **recording.processing_event(
                    facility=c.places["aurelia"],
                    when=_at(FRANCE, 6, 10),
                    process="manufacturing",
                    inputs=[],
                    output=c.lot(FINAL_LOT),
                    amount=Decimal(240),
                    unit="H87",
                ),
                "inputQuantityList": [{"epcClass": paint.code, "quantity": 7200, "uom": "LTR"}],
            }
        ]
    )
    say(
        "custody history: 6 origins, sorting with one over-yield flag, export, pigment, paint, cars"
    )
