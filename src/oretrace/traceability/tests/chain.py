"""A small mica chain the custody and trace tests capture: two origins, milling, paint."""

from __future__ import annotations

from oretrace.registry import services as registry
from oretrace.traceability import services
from oretrace.traceability.tests import documents as docs

OT = {"ot": "https://oretrace.org/voc/"}
ASM = "urn:epc:id:sgln:8901234.00001.0"  # GLN 8901234000014
MINE = "urn:x-oretrace:site:kasai-mine"
MILL = "urn:epc:id:sgln:8901234.00003.0"
PAINT_WORKS = "urn:epc:id:sgln:8901234.00004.0"
RAW_ASM = "urn:epc:class:lgtin:8901234.000001.ASM-1"
RAW_MINE = "urn:epc:class:lgtin:8901234.000001.MINE-1"
SCRAP = "urn:epc:class:lgtin:8901234.000001.SCRAP-1"
FLAKE = "urn:epc:class:lgtin:8901234.000002.FLAKE-1"
PAINT = "urn:epc:class:lgtin:8901234.000003.PAINT-1"


def facilities(member, *, located=False):
    """The chain's facilities; ``located`` gives the two origins coordinates (for the map)."""

    def where(lat, lon):
        if not located:
            return {}
        return {"latitude": lat, "longitude": lon, "coordinate_precision": "site"}

    def site(kind, name, country, scheme, identifier, at=None):
        facility = registry.create_facility(
            actor=member,
            kind=kind,
            name=name,
            country=country,
            minerals=["mica"],
            **(where(*at) if at else {}),
        )
        registry.add_identifier(facility, scheme=scheme, value=identifier, actor=member)
        return facility

    return {  # made in this order
        "asm": site(
            "asm_site", "Koderma village pits", "IN", "gln", "8901234000014", (24.47, 85.6)
        ),
        "mine": site("mine", "Kasai mica mine", "MG", "other", MINE, (-24.05, 45.7)),
        "mill": site("processing_unit", "Giridih mill", "IN", "gln", "8901234000038"),
    }


def event(kind, when, location, **fields):
    return {
        "type": kind,
        "eventTime": f"2026-03-{when:02d}T08:00:00+05:30",
        "eventTimeZoneOffset": "+05:30",
        "bizLocation": {"id": location},
        **fields,
    }


def q(code, kg, uom="KGM"):
    return {"epcClass": code, "quantity": kg, "uom": uom}


def collect(when, location, code, kg, **extra):
    return event(
        "ObjectEvent",
        when,
        location,
        action="ADD",
        bizStep="commissioning",
        quantityList=[q(code, kg)],
        **extra,
    )


def transform(when, location, inputs, outputs, process):
    return event(
        "TransformationEvent",
        when,
        location,
        bizStep="commissioning",
        inputQuantityList=[q(c, kg) for c, kg in inputs],
        outputQuantityList=[q(c, kg) for c, kg in outputs],
        **{"ot:process": process},
    )


def ship(when, location, code, kg, destination=PAINT_WORKS):
    return event(
        "ObjectEvent",
        when,
        location,
        action="OBSERVE",
        bizStep="shipping",
        quantityList=[q(code, kg)],
        destinationList=[{"type": "location", "destination": destination}],
    )


def receive(when, location, code, kg):
    return event(
        "ObjectEvent",
        when,
        location,
        action="OBSERVE",
        bizStep="receiving",
        quantityList=[q(code, kg)],
    )


def capture(member, *events):
    doc = docs.document(*events)
    doc["@context"].append(OT)
    return services.capture_document(
        docs.as_bytes(doc), organisation=member.organisation, actor=member
    )


def mica_chain(member):
    """Origins (artisanal IN 120 kg, industrial MG 80 kg, recycled 30 kg) -> flake -> paint."""
    capture(
        member,
        collect(1, ASM, RAW_ASM, 120),
        collect(1, MINE, RAW_MINE, 80),
        collect(2, MILL, SCRAP, 30, **{"ot:recycled": True}),
        transform(
            5, MILL, [(RAW_ASM, 100), (RAW_MINE, 50), (SCRAP, 30)], [(FLAKE, 160)], "milling"
        ),
        transform(9, PAINT_WORKS, [(FLAKE, 100)], [(PAINT, 95)], "manufacturing"),
    )
