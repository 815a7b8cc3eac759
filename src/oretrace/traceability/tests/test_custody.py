"""Custody from events: lots, edges, movements, mass-balance flags; upstream and downstream."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oretrace.registry import services as registry
from oretrace.traceability import trace
from oretrace.traceability.locations import facilities_at, gln_of
from oretrace.traceability.models import CustodyEdge, CustodyFlag, Lot, LotMovement
from oretrace.traceability.tests import chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(member_a):
    return chain.facilities(member_a)


def _lot(code):
    return Lot.objects.get(code=code)


def test_gln_of_location_uris():
    assert gln_of("urn:epc:id:sgln:8901234.00001.0") == "8901234000014"
    assert gln_of("https://id.gs1.org/414/8901234000038") == "8901234000038"
    assert gln_of("urn:epc:id:sgln:8901234.001.0") is None  # not 12 digits
    assert gln_of("urn:x:somewhere") is None


def test_collections_make_origin_lots_at_registry_facilities(member_a, places):
    chain.mica_chain(member_a)
    asm = _lot(chain.RAW_ASM)
    assert asm.facility == places["asm"]  # found by the GLN of its SGLN
    assert asm.quantity_kg == Decimal(120)
    assert asm.remaining_kg == Decimal(20)  # 100 kg went into the mill
    assert _lot(chain.RAW_MINE).facility == places["mine"]  # found by its 'other' identifier
    assert _lot(chain.SCRAP).recycled is True
    assert _lot(chain.FLAKE).quantity_kg == Decimal(160)
    assert _lot(chain.FLAKE).remaining_kg == Decimal(60)
    assert not CustodyFlag.objects.exists()


def test_transformation_edges_carry_input_shares(member_a, places):
    chain.mica_chain(member_a)
    flake = _lot(chain.FLAKE)
    shares = {e.source.code: round(e.share, 4) for e in CustodyEdge.objects.filter(target=flake)}
    assert shares == {
        chain.RAW_ASM: round(100 / 180, 4),
        chain.RAW_MINE: round(50 / 180, 4),
        chain.SCRAP: round(30 / 180, 4),
    }


def test_upstream_origins_with_mass_fractions(member_a, places):
    chain.mica_chain(member_a)
    found = trace.upstream(_lot(chain.PAINT))
    fractions = {s.code: round(s.fraction, 4) for s in found.shares}
    assert fractions == {
        chain.RAW_ASM: round(100 / 180, 4),
        chain.RAW_MINE: round(50 / 180, 4),
        chain.SCRAP: round(30 / 180, 4),
    }
    assert sum(s.fraction for s in found.shares) == pytest.approx(1.0)
    assert {k: round(v, 4) for k, v in found.by_country.items()} == {
        "IN": round(130 / 180, 4),
        "MG": round(50 / 180, 4),
    }
    assert {k: round(v, 4) for k, v in found.by_type.items()} == {
        trace.ARTISANAL: round(100 / 180, 4),
        trace.INDUSTRIAL: round(50 / 180, 4),
        trace.RECYCLED: round(30 / 180, 4),
    }
    asm_share = next(s for s in found.shares if s.code == chain.RAW_ASM)
    assert asm_share.kg == Decimal("52.778")  # 95 kg of paint x 100/180


def test_an_origin_lot_is_its_own_origin(member_a, places):
    chain.mica_chain(member_a)
    found = trace.upstream(_lot(chain.RAW_ASM))
    assert [(s.code, s.fraction) for s in found.shares] == [(chain.RAW_ASM, 1.0)]


def test_downstream_exposure_from_a_mine_lot(member_a, places):
    chain.mica_chain(member_a)
    found = trace.downstream([_lot(chain.RAW_MINE)])
    assert [(s.code, round(s.fraction, 4)) for s in found.shares] == [
        (chain.PAINT, round(50 / 180, 4))
    ]


def test_flake_split_across_two_products_is_followed_downstream(member_a, places):
    chain.mica_chain(member_a)
    chain.capture(
        member_a,
        chain.transform(12, chain.PAINT_WORKS, [(chain.FLAKE, 40)], [("urn:x:lot:p2", 40)], "m"),
    )
    found = trace.downstream([_lot(chain.RAW_ASM)])
    assert {s.code for s in found.shares} == {chain.PAINT, "urn:x:lot:p2"}


def test_over_yield_is_flagged_on_the_output_lot_and_the_facility(member_a, places, settings):
    settings.ORETRACE_CUSTODY_MAX_YIELDS = {"sorting": 0.9}
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 100),
        chain.transform(2, chain.MILL, [(chain.RAW_ASM, 100)], [(chain.FLAKE, 95)], "sorting"),
    )
    flag = CustodyFlag.objects.get()
    assert flag.kind == "over_yield"
    assert flag.lot.code == chain.FLAKE
    assert flag.facility == places["mill"]
    assert flag.expected_kg == Decimal("90")
    assert flag.actual_kg == Decimal("95")
    assert "maximum yield of 90 %" in flag.message
    # the events are kept: the flag is evidence, not a refusal
    assert _lot(chain.FLAKE).quantity_kg == Decimal(95)


def test_shipping_more_than_remains_is_flagged(member_a, places):
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 100),
        chain.ship(2, chain.ASM, chain.RAW_ASM, 70),
        chain.ship(3, chain.ASM, chain.RAW_ASM, 50),
    )
    flag = CustodyFlag.objects.get()
    assert flag.kind == "over_shipment"
    assert (flag.expected_kg, flag.actual_kg) == (Decimal(30), Decimal(50))
    assert flag.facility == places["asm"]
    assert "holds 30 kg" in flag.message


def test_processing_more_than_remains_is_flagged(member_a, places):
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 100),
        chain.transform(2, chain.MILL, [(chain.RAW_ASM, 130)], [(chain.FLAKE, 100)], "milling"),
    )
    assert [f.kind for f in CustodyFlag.objects.all()] == ["over_consumption"]


def test_receipt_is_matched_to_its_shipment_within_tolerance(member_a, places, settings):
    settings.ORETRACE_CUSTODY_RECEIPT_TOLERANCE = 2
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 100),
        chain.ship(2, chain.ASM, chain.RAW_ASM, 50),
        chain.receive(4, chain.MILL, chain.RAW_ASM, 49.5),  # within 2 %
        chain.ship(5, chain.MILL, chain.RAW_ASM, 40),
        chain.receive(7, chain.PAINT_WORKS, chain.RAW_ASM, 35),  # 12.5 % short
    )
    receipts = LotMovement.objects.filter(kind="receiving").order_by("id")
    assert all(r.shipment is not None for r in receipts)
    flag = CustodyFlag.objects.get()
    assert flag.kind == "receipt_mismatch"
    assert (flag.expected_kg, flag.actual_kg) == (Decimal(40), Decimal(35))


def test_lot_first_seen_in_a_receipt_is_an_origin_of_unknown_provenance(member_a, places):
    chain.capture(member_a, chain.receive(4, chain.MILL, chain.RAW_ASM, 60))
    lot = _lot(chain.RAW_ASM)
    assert (lot.quantity_kg, lot.remaining_kg) == (Decimal(60), Decimal(60))
    assert trace.origin_type(lot) == trace.UNKNOWN
    assert not CustodyFlag.objects.exists()


def test_aggregation_packs_lots_into_a_bag(member_a, places):
    bag = "urn:epc:id:sscc:8901234.0000000007"
    chain.capture(
        member_a,
        chain.collect(1, chain.ASM, chain.RAW_ASM, 30),
        chain.collect(1, chain.MINE, chain.RAW_MINE, 10),
        chain.event(
            "AggregationEvent",
            2,
            chain.ASM,
            action="ADD",
            bizStep="packing",
            parentID=bag,
            childQuantityList=[chain.q(chain.RAW_ASM, 30), chain.q(chain.RAW_MINE, 10)],
        ),
    )
    packed = _lot(bag)
    assert packed.quantity_kg == Decimal(40)
    found = trace.upstream(packed)
    assert {s.code: s.fraction for s in found.shares} == {
        chain.RAW_ASM: 0.75,
        chain.RAW_MINE: 0.25,
    }


def test_custody_stays_inside_the_organisation(member_a, member_b, places):
    chain.mica_chain(member_a)
    chain.capture(member_b, chain.collect(1, chain.ASM, chain.RAW_ASM, 5))
    theirs = Lot.objects.get(organisation=member_b.organisation, code=chain.RAW_ASM)
    assert theirs.facility is None  # A's facility is private to A
    assert trace.downstream([theirs]).shares[0].lot_id == theirs.pk


def test_locations_resolve_only_to_facilities_the_organisation_may_see(member_a, member_b):
    # organisation B's site (not shared with A): A's capture does not place lots there
    theirs_at = "urn:epc:id:sgln:8901234.00009.0"
    theirs = registry.create_facility(
        actor=member_b, kind="asm_site", name="B's pits", country="IN", minerals=["mica"]
    )
    registry.add_identifier(theirs, scheme="gln", value=gln_of(theirs_at) or "", actor=member_b)
    ours = chain.facilities(member_a)
    asm_at = "urn:epc:id:sgln:8901234.00001.0"
    everywhere = {asm_at, chain.MINE, theirs_at, "urn:x:nowhere"}
    assert facilities_at(everywhere, member_a.organisation_id) == {
        asm_at: ours["asm"],
        chain.MINE: ours["mine"],
    }
    assert facilities_at(everywhere, member_b.organisation_id) == {theirs_at: theirs}
