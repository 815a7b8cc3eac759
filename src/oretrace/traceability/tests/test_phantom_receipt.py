"""Phantom receipts: a lot received "from" a place or party that never shipped it, on GS1's own
receiving events (EPCIS 2.0 standard examples 9.6.1 and 9.6.2 in ../shared/data)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oretrace.traceability import services
from oretrace.traceability.models import CustodyFlag, LotMovement
from oretrace.traceability.tests import chain

pytestmark = pytest.mark.django_db

# GS1's example 9.6.2: 200 kg of this lot received at 0614141.00888.0, "from" the possessing
# party 4012345.00001.0 and the location 4012345.00225.0.
LOT = "urn:epc:class:lgtin:4012345.012345.998877"
SHIPPER = "urn:epc:id:sgln:4012345.00225.0"
ELSEWHERE = "urn:epc:id:sgln:4012345.00999.0"


@pytest.fixture
def gs1_example(epcis_data: Path):
    def read(name: str) -> bytes:
        path = epcis_data / "gs1_EPCIS" / "JSON" / name
        if not path.is_file():
            pytest.skip(f"{name} is not in ../shared/data")
        return path.read_bytes()

    return read


def _capture(member, data: bytes) -> None:
    services.capture_document(data, organisation=member.organisation, actor=member)


def _ship(member, location: str, code: str = LOT, kg: float = 200) -> None:
    event = chain.ship(1, location, code, kg)
    event["eventTime"] = "2013-06-01T08:00:00Z"
    event["sourceList"] = [{"type": "location", "source": location}]
    chain.capture(member, event)


def _phantoms() -> list[CustodyFlag]:
    return list(CustodyFlag.objects.filter(kind="phantom_receipt"))


def test_receipt_from_the_place_that_shipped_it_is_not_flagged(member_a, gs1_example):
    _ship(member_a, SHIPPER)
    _capture(member_a, gs1_example("Example_9.6.2-ObjectEvent.jsonld"))
    receipt = LotMovement.objects.get(kind="receiving")
    assert receipt.shipment is not None
    assert not _phantoms()


def test_receipt_from_a_place_the_shipment_did_not_leave_from_is_flagged(member_a, gs1_example):
    _ship(member_a, ELSEWHERE)
    _capture(member_a, gs1_example("Example_9.6.2-ObjectEvent.jsonld"))
    (flag,) = _phantoms()
    assert flag.lot.code == LOT
    assert (flag.expected_kg, flag.actual_kg) == (Decimal(0), Decimal(200))
    assert SHIPPER in flag.message
    assert ELSEWHERE in flag.message


def test_receipt_from_a_shipper_that_never_shipped_this_lot_is_flagged(member_a, gs1_example):
    # the place ships other lots here, never this one
    _ship(member_a, SHIPPER, code="urn:epc:class:lgtin:4012345.012345.OTHER", kg=5)
    _capture(member_a, gs1_example("Example_9.6.2-ObjectEvent.jsonld"))
    (flag,) = _phantoms()
    assert flag.lot.code == LOT
    assert "no shipment of this lot from there" in flag.message


def test_unknown_lot_from_a_party_that_ships_nothing_here_is_unknown_provenance(
    member_a, gs1_example
):
    _capture(member_a, gs1_example("Example_9.6.2-ObjectEvent.jsonld"))
    assert not _phantoms()
    assert LotMovement.objects.get(kind="receiving").shipment is None


def test_known_lot_received_without_any_shipment_is_flagged(member_a, gs1_example):
    chain.capture(member_a, chain.collect(1, SHIPPER, LOT, 300))
    _capture(member_a, gs1_example("Example_9.6.2-ObjectEvent.jsonld"))
    (flag,) = _phantoms()
    assert "no shipment of this lot from there" in flag.message


def test_receipt_that_names_no_source_is_not_checked(member_a, gs1_example):
    # GS1's example 9.6.1: a shipment and a receipt of one of its items, no sourceList
    _capture(member_a, gs1_example("Example_9.6.1-ObjectEvent.jsonld"))
    assert LotMovement.objects.filter(kind="receiving").exists()
    assert not _phantoms()


def test_form_made_receipts_name_their_shipments_place(member_a):
    # oretrace's own receipt form names the shipment's location: never a phantom
    places = chain.facilities(member_a)
    chain.capture(member_a, chain.collect(1, chain.ASM, chain.RAW_ASM, 100))
    from decimal import Decimal

    from django.utils import timezone

    from oretrace.traceability import recording
    from oretrace.traceability.models import Lot

    lot = Lot.objects.get(code=chain.RAW_ASM)
    when = timezone.now()
    recording.record(
        recording.shipment_event(
            lot=lot,
            amount=Decimal(40),
            origin=places["asm"],
            destination=places["mill"],
            when=when,
        ),
        lot_code=lot.code,
        member=member_a,
    )
    shipment = LotMovement.objects.get(kind="shipping")
    recording.record(
        recording.receipt_event(
            shipment=shipment, amount=Decimal(40), facility=places["mill"], when=when
        ),
        lot_code=lot.code,
        member=member_a,
    )
    assert LotMovement.objects.get(kind="receiving").shipment == shipment
    assert not _phantoms()
