"""Custody recorded on plain forms: collection, processing with a yield, shipment, receipt."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from oretrace.core import services as core_services
from oretrace.ledger.models import Leaf
from oretrace.registry import services as registry
from oretrace.registry.models import Facility
from oretrace.traceability import codes, recording, trace
from oretrace.traceability.choices import FlagKind, MovementKind
from oretrace.traceability.models import CustodyEdge, CustodyFlag, EpcisEvent, Lot, LotMovement

pytestmark = pytest.mark.django_db


def _facility(member, name, kind, country="IN", **extra):
    return registry.create_facility(
        actor=member, kind=kind, name=name, country=country, minerals=["mica"], **extra
    )


@pytest.fixture
def sites(member_a):
    return {
        "village": _facility(member_a, "Dhorkola depot", "collection_point"),
        "pits": _facility(member_a, "Tisri pits", "asm_site"),
        "unit": _facility(member_a, "Giridih unit", "processing_unit"),
        "port": _facility(member_a, "Kolkata warehouse", "trader"),
    }


def _when(hours_ago=1):
    return (timezone.localtime() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def _collect(client, facility, kg, lot="", hours_ago=5):
    return client.post(
        reverse("traceability:record-collection"),
        {
            "facility": facility.pk,
            "when": _when(hours_ago),
            "quantity": kg,
            "unit": "kg",
            "lot": lot,
        },
    )


def _process(client, facility, inputs, out_kg, process="sorting", lot="", hours_ago=3):
    data = {"facility": facility.pk, "when": _when(hours_ago), "process": process}
    for row, (lot_obj, kg) in enumerate(inputs, start=1):
        data[f"input_{row}"] = lot_obj.pk
        data[f"input_{row}_kg"] = kg
    data.update({"output_quantity": out_kg, "output_unit": "kg", "output_lot": lot})
    return client.post(reverse("traceability:record-processing"), data)


def _lot(number, member):
    return Lot.objects.get(code=recording.lot_uri(member.organisation, number))


def test_location_uris_prefer_gln_then_a_uri_identifier(member_a, sites):
    unit = sites["unit"]
    assert recording.location_of(unit) == f"urn:x-oretrace:facility:{unit.pk}"
    registry.add_identifier(unit, scheme="other", value="urn:x-example:unit-1", actor=member_a)
    assert recording.location_of(Facility.objects.get(pk=unit.pk)) == "urn:x-example:unit-1"
    registry.add_identifier(unit, scheme="gln", value="8901234000038", actor=member_a)
    assert (
        recording.location_of(Facility.objects.get(pk=unit.pk))
        == "https://id.gs1.org/414/8901234000038"
    )


def test_lot_numbers_count_up_per_day(member_a, sites, web_a):
    today = timezone.localtime()
    first = recording.next_lot_number(member_a.organisation, today)
    assert first == f"{today:%Y%m%d}-001"
    _collect(web_a, sites["village"], "10", hours_ago=0)
    assert recording.next_lot_number(member_a.organisation, today) == f"{today:%Y%m%d}-002"
    assert codes.lot_number(recording.lot_uri(member_a.organisation, "A-7")) == "A-7"
    assert codes.lot_number("urn:epc:class:lgtin:4012345.012345.998877") == (
        "urn:epc:class:lgtin:4012345.012345.998877"
    )


def test_collection_makes_an_origin_lot_at_the_facility(member_a, sites, web_a):
    response = _collect(web_a, sites["village"], "120.5", lot="DHK-17")
    lot = _lot("DHK-17", member_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("traceability:lot", args=[lot.pk])
    assert lot.facility == sites["village"]
    assert lot.quantity_kg == Decimal("120.5")
    event = EpcisEvent.objects.get(organisation=member_a.organisation)
    assert event.body["ot:process"] == "collection"
    assert event.action == "ADD"
    assert Leaf.objects.filter(
        record_type="traceability.epcisevent", record_id=event.pk
    ).exists()  # in the transparency log
    page = web_a.get(response["Location"]).content.decode()
    assert "Recorded." in page


def test_the_same_entry_twice_is_stored_once(member_a, sites, web_a):
    data = {
        "facility": sites["village"].pk,
        "when": _when(2),
        "quantity": "10",
        "unit": "kg",
        "lot": "SAME-1",
    }
    web_a.post(reverse("traceability:record-collection"), data)
    response = web_a.post(reverse("traceability:record-collection"), data, follow=True)
    assert "nothing was stored twice" in response.content.decode()
    assert EpcisEvent.objects.filter(organisation=member_a.organisation).count() == 1
    assert _lot("SAME-1", member_a).quantity_kg == Decimal(10)


def test_processing_with_a_yield_links_inputs_to_the_output(member_a, sites, web_a):
    _collect(web_a, sites["village"], "600", lot="V-1")
    _collect(web_a, sites["pits"], "400", lot="P-1")
    village, pits = _lot("V-1", member_a), _lot("P-1", member_a)
    response = _process(web_a, sites["unit"], [(village, "600"), (pits, "")], "620", lot="S-1")
    assert response.status_code == 302
    sorted_lot = _lot("S-1", member_a)
    assert sorted_lot.facility == sites["unit"]
    assert _lot("P-1", member_a).remaining_kg == 0  # empty kg: all that remained
    shares = {e.source.code: e.share for e in CustodyEdge.objects.filter(target=sorted_lot)}
    assert shares == {village.code: 0.6, pits.code: 0.4}
    assert not CustodyFlag.objects.exists()
    origins = {s.code: round(s.fraction, 3) for s in trace.upstream(sorted_lot).shares}
    assert origins == {village.code: 0.6, pits.code: 0.4}


def test_an_over_yield_is_flagged_and_shown(member_a, sites, web_a):
    _collect(web_a, sites["village"], "500", lot="V-2")
    response = _process(web_a, sites["unit"], [(_lot("V-2", member_a), "500")], "650", lot="S-2")
    page = web_a.get(response["Location"]).content.decode()
    flag = CustodyFlag.objects.get()
    assert flag.kind == FlagKind.OVER_YIELD
    assert flag.lot == _lot("S-2", member_a)
    assert flag.facility == sites["unit"]
    assert "Mass-balance flag" in page
    assert "650 kg out of 500 kg in" in page


def test_shipment_and_receipt_with_a_weight_difference(member_a, sites, web_a):
    _collect(web_a, sites["village"], "300", lot="V-3")
    lot = _lot("V-3", member_a)
    response = web_a.post(
        reverse("traceability:record-shipment"),
        {"lot": lot.pk, "quantity": "", "destination": sites["port"].pk, "when": _when(2)},
    )
    assert response.status_code == 302
    shipment = LotMovement.objects.get(kind=MovementKind.SHIPPING)
    assert shipment.quantity_kg == Decimal(300)
    assert shipment.facility == sites["village"]
    assert shipment.counterpart == recording.location_of(sites["port"])
    page = web_a.get(reverse("traceability:lot", args=[lot.pk])).content.decode()
    assert "<h1><code>V-3</code></h1>" in page
    assert "Kolkata warehouse (IN)" in page  # the destination by its registry name
    response = web_a.post(
        reverse("traceability:record-receipt"),
        {
            "shipment": shipment.pk,
            "quantity": "280",
            "facility": sites["port"].pk,
            "when": _when(1),
        },
        follow=True,
    )
    receipt = LotMovement.objects.get(kind=MovementKind.RECEIVING)
    assert receipt.shipment == shipment
    assert receipt.facility == sites["port"]
    assert CustodyFlag.objects.get().kind == FlagKind.RECEIPT_MISMATCH
    assert "280 kg received, 300 kg shipped" in response.content.decode()
    # a received shipment is no longer offered
    form = web_a.get(reverse("traceability:record-receipt")).content.decode()
    assert "V-3 · 300 kg" not in form


def test_bad_entries_are_refused_with_the_field_named(member_a, sites, web_a):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = web_a.post(
        reverse("traceability:record-collection"),
        {"facility": sites["village"].pk, "when": future, "quantity": "-3", "lot": "<b>x"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This is in the future." in page
    assert "Ensure this value is greater than or equal to 0.001." in page
    assert "Letters, digits and" in page
    _collect(web_a, sites["village"], "50", lot="V-4")
    lot = _lot("V-4", member_a)
    response = web_a.post(
        reverse("traceability:record-processing"),
        {
            "facility": sites["unit"].pk,
            "when": _when(),
            "process": "sorting",
            "input_1": lot.pk,
            "input_2": lot.pk,
            "input_3_kg": "5",
            "output_quantity": "40",
            "output_unit": "kg",
        },
    )
    page = response.content.decode()
    assert "This lot is already an input above." in page
    assert "Choose the lot these kilograms came from." in page
    assert EpcisEvent.objects.count() == 1  # only the collection


def test_another_organisations_facilities_and_lots_cannot_be_used(
    member_a, member_b, sites, web_a, web_b
):
    _collect(web_a, sites["village"], "50", lot="V-5")
    theirs = _facility(member_b, "Their depot", "collection_point")
    response = _collect(web_a, theirs, "10")
    assert "Select a valid choice" in response.content.decode()
    response = _process(web_b, theirs, [(_lot("V-5", member_a), "10")], "5")
    assert "Select a valid choice" in response.content.decode()
    form = web_b.get(reverse("traceability:record-shipment")).content.decode()
    assert "V-5" not in form
    assert "Dhorkola depot" not in form
    assert not EpcisEvent.objects.filter(organisation=member_b.organisation).exists()


def test_a_facility_shared_by_its_owner_is_a_place_of_custody(member_a, member_b, web_a):
    shared = _facility(
        member_b,
        "Shared pits",
        "asm_site",
        latitude="24.4",
        longitude="85.6",
        coordinate_precision="locality",
    )
    core_services.grant_access(shared, to=member_a.organisation, actor=member_b, note="supplier")
    response = _collect(web_a, shared, "70", lot="SH-1")
    assert response.status_code == 302
    assert _lot("SH-1", member_a).facility == shared


def test_a_viewer_cannot_record(viewer_a, sites, client):
    client.force_login(viewer_a.user)
    assert "Ask your administrator" in client.get(reverse("traceability:record")).content.decode()
    response = _collect(client, sites["village"], "10")
    assert response.status_code == 403
    assert "you need the role supplier contributor or compliance officer" in (
        response.content.decode()
    )
    assert not EpcisEvent.objects.exists()


def test_a_lot_shared_by_another_organisation_is_not_offered(member_a, member_b, web_a, web_b):
    # another organisation's lot, shared with this one: readable, but not part of its records
    depot = _facility(member_b, "Their depot", "collection_point")
    _collect(web_b, depot, "40", lot="THEIRS-1")
    core_services.grant_access(_lot("THEIRS-1", member_b), to=member_a.organisation, actor=member_b)
    form = web_a.get(reverse("traceability:record-processing")).content.decode()
    assert "THEIRS-1" not in form
