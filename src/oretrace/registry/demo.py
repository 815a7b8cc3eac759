"""Demo facilities for both demo chains: fictional names and coordinates, no RMI data.

Each facility is recorded by a member of the organisation that runs it, through the services;
running the demo again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType

from oretrace.core import services as core_services
from oretrace.core.choices import Role
from oretrace.core.demo import demo_step
from oretrace.core.models import Grant, Membership
from oretrace.core.tenancy import owned
from oretrace.registry import services
from oretrace.registry.choices import AssuranceScheme
from oretrace.registry.choices import FacilityKind as K
from oretrace.registry.models import Facility


@dataclass(frozen=True)
class DemoFacility:
    owner: str  # organisation slug
    kind: str
    name: str
    country: str
    subdivision: str
    latitude: str
    longitude: str
    coordinate_precision: str
    minerals: tuple[str, ...]
    city: str = ""
    aliases: tuple[tuple[str, str], ...] = ()  # (name, language)
    name_latin: str = ""

    def facility_fields(self) -> dict[str, Any]:
        """What the facility is recorded with: every field but who runs it and its aliases."""
        fields = asdict(self)
        del fields["owner"], fields["aliases"]
        return fields


FACILITIES: tuple[DemoFacility, ...] = (
    DemoFacility(
        "koderma-collectors",
        K.COLLECTION_POINT,
        "ढोरकोला अभ्रक संग्रह केंद्र",
        "IN",
        "IN-JH",
        "24.4712",
        "85.6034",
        "locality",
        ("mica",),
        "Dhorkola",
        name_latin="Dhorkola Mica Collection Centre",
    ),
    DemoFacility(
        "koderma-collectors",
        K.COLLECTION_POINT,
        "चंदवारा ग्राम डिपो",
        "IN",
        "IN-JH",
        "24.4031",
        "85.4787",
        "locality",
        ("mica",),
        "Chandwara",
        name_latin="Chandwara Village Depot",
    ),
    DemoFacility(
        "koderma-collectors",
        K.ASM_SITE,
        "तिसरी अभ्रक खनन क्षेत्र",
        "IN",
        "IN-JH",
        "24.5923",
        "86.0711",
        "district",
        ("mica",),
        "Tisri",
        name_latin="Tisri Mica Picking Area",
    ),
    DemoFacility(
        "koderma-collectors",
        K.COLLECTION_POINT,
        "डोमचांच अभ्रक संग्रह केंद्र",
        "IN",
        "IN-JH",
        "24.4766",
        "85.6873",
        "locality",
        ("mica",),
        "Domchanch",
        name_latin="Domchanch Mica Collection Centre",
    ),
    DemoFacility(
        "koderma-collectors",
        K.COLLECTION_POINT,
        "जयनगर ग्राम डिपो",
        "IN",
        "IN-JH",
        "24.3727",
        "85.6455",
        "locality",
        ("mica",),
        "Jainagar",
        name_latin="Jainagar Village Depot",
    ),
    DemoFacility(
        "giridih-mica",
        K.PROCESSING_UNIT,
        "Giridih Mica Processing — Unit 1",
        "IN",
        "IN-JH",
        "24.1913",
        "86.3005",
        "site",
        ("mica",),
        "Giridih",
        aliases=(("गिरिडीह माइका प्रोसेसिंग यूनिट 1", "hi"), ("GMP Unit 1", "en")),
    ),
    DemoFacility(
        "hooghly-exports",
        K.TRADER,
        "Hooghly Exports — Kolkata warehouse",
        "IN",
        "IN-WB",
        "22.5726",
        "88.3639",
        "site",
        ("mica",),
        "Kolkata",
    ),
    DemoFacility(
        "rhein-pigmente",
        K.MANUFACTURER,
        "Rhein Effektpigmente — Werk Ludwigshafen",
        "DE",
        "DE-RP",
        "49.4774",
        "8.4452",
        "site",
        ("mica",),
        "Ludwigshafen",
    ),
    DemoFacility(
        "lackwerk",
        K.COMPONENT_MAKER,
        "Lackwerk Coatings — Stuttgart plant",
        "DE",
        "DE-BW",
        "48.7758",
        "9.1829",
        "site",
        ("mica",),
        "Stuttgart",
    ),
    DemoFacility(
        "aurelia-motors",
        K.BRAND,
        "Aurelia Automobiles — Vénissieux assembly",
        "FR",
        "FR-ARA",
        "45.6970",
        "4.8860",
        "site",
        ("mica", "cobalt"),
        "Vénissieux",
    ),
    DemoFacility(
        "lualaba-artisans",
        K.ASM_SITE,
        "Site artisanal de Kanina",
        "CD",
        "CD-LU",
        "-10.7163",
        "25.4711",
        "locality",
        ("cobalt",),
        "Kolwezi",
    ),
    DemoFacility(
        "bangka-smelting",
        K.SMELTER,
        "Peleburan Timah Bangka Barat",
        "ID",
        "ID-BB",
        "-2.0570",
        "105.1610",
        "site",
        ("tin",),
        "Muntok",
        aliases=(("Bangka West Tin Smelter", "en"),),
    ),
    DemoFacility(
        "pearl-river-components",
        K.COMPONENT_MAKER,
        "珠江精密元件厂",
        "CN",
        "CN-GD",
        "23.1291",
        "113.2644",
        "site",
        ("tin", "tantalum", "gold"),
        "Guangzhou",
        name_latin="Pearl River Precision Components Plant",
        aliases=(("Zhujiang Precision Components", "en"),),
    ),
    DemoFacility(
        "pearl-river-components",
        K.SMELTER,
        "瀬戸内錫精錬株式会社",
        "JP",
        "JP-38",
        "34.0658",
        "132.9979",
        "site",
        ("tin",),
        "Niihama",
        name_latin="Setouchi Tin Refining Co., Ltd.",
    ),
    DemoFacility(
        "brightline",
        K.BRAND,
        "Brightline Devices — final assembly",
        "US",
        "US-CA",
        "37.3875",
        "-122.0575",
        "site",
        ("tin", "tantalum", "tungsten", "gold", "cobalt"),
    ),
)


def admin_of(slug: str) -> Membership:
    """The first administrator of a demo organisation: the demo records its data as them."""
    members = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation__slug=slug)
        .order_by("pk")
    )
    admin: Membership = next(m for m in members if Role.ADMIN in m.roles)
    return admin


@demo_step("facilities")
def build_facilities(say: Callable[[str], None]) -> None:
    created = 0
    for spec in FACILITIES:
        actor = admin_of(spec.owner)
        if owned(Facility.objects.filter(name=spec.name), actor).exists():
            continue
        facility = services.create_facility(
            actor=actor, operator=actor.organisation, source="demo", **spec.facility_fields()
        )
        for alias, language in spec.aliases:
            services.add_name(facility, name=alias, language=language, actor=actor, source="demo")
        created += 1
    _share_processor_with_initiative(say)
    _share_unit_with_buyer()
    say(f"{len(FACILITIES)} demo facilities ({created} new)")


def _share_processor_with_initiative(say: Callable[[str], None]) -> None:
    """The processor shares its facilities with its initiative, which records membership."""
    processor, initiative = admin_of("giridih-mica"), admin_of("mica-initiative")
    if not Grant.objects.filter(
        owner=processor.organisation, grantee=initiative.organisation, object_id__isnull=True
    ).exists():
        core_services.grant_access(
            Facility,
            owner=processor.organisation,
            to=initiative.organisation,
            actor=processor,
            note="initiative membership and support",
        )
    unit = owned(Facility.objects.all(), processor).get(kind=K.PROCESSING_UNIT)
    if not unit.statuses.exists():
        services.record_status(
            unit,
            scheme=AssuranceScheme.INITIATIVE,
            status="Member",
            effective_on=date(2024, 3, 1),
            actor=initiative,
            source="Mica Workplace Initiative membership register",
        )


def _share_unit_with_buyer() -> None:
    """The processor shares its processing unit (that one row only) with its customer, the
    pigment maker, whose compliance officer assesses the workplaces its mica comes from."""
    processor = admin_of("giridih-mica")
    buyer = Membership.objects.get(
        organisation__slug="rhein-pigmente", user__email="compliance@rhein.example"
    ).organisation
    unit = owned(Facility.objects.all(), processor).get(kind=K.PROCESSING_UNIT)
    if not Grant.objects.filter(
        owner=processor.organisation,
        grantee=buyer,
        content_type=ContentType.objects.get_for_model(Facility),
        object_id=unit.pk,
        revoked_at__isnull=True,
    ).exists():
        core_services.grant_access(
            unit, to=buyer, actor=processor, note="customer's workplace assessments"
        )
