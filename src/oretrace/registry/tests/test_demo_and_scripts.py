"""The demo facilities, and finding facilities by their names in Chinese, Japanese and Hindi."""

from decimal import Decimal

import pytest

from oretrace.core.demo import build_demo
from oretrace.core.models import Membership
from oretrace.declarations.demo import SMELTERS
from oretrace.registry.demo import FACILITIES
from oretrace.registry.models import Facility
from oretrace.registry.queries import FacilityFilter, search_facilities
from oretrace.registry.services.reviews import NameQuery, match_names

pytestmark = pytest.mark.django_db


def _member(email: str, org_slug: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        user__email=email, organisation__slug=org_slug
    )


def test_demo_is_idempotent_and_covers_both_chains(demo):
    count = Facility.objects.count()
    build_demo()
    # the registry's own demo facilities, and the smelters Brightline recorded for its CMRTs
    assert Facility.objects.count() == count == len(FACILITIES) + len(SMELTERS) == 20
    kinds = set(Facility.objects.values_list("kind", flat=True))
    assert {"collection_point", "asm_site", "processing_unit", "trader", "smelter"} <= kinds
    assert all(f.has_coordinates for f in Facility.objects.all())


@pytest.mark.parametrize(
    ("query", "owner_email", "owner_slug"),
    [
        ("珠江精密元件厂", "supplier@pearlriver.example", "pearl-river-components"),  # Chinese
        ("瀬戸内錫精錬", "supplier@pearlriver.example", "pearl-river-components"),  # Japanese
        ("ढोरकोला अभ्रक संग्रह केंद्र", "field@koderma.example", "koderma-collectors"),  # Hindi
        ("गिरिडीह माइका प्रोसेसिंग यूनिट 1", "supplier@giridih.example", "giridih-mica"),
    ],
)
def test_found_by_a_name_in_its_own_script(demo, query, owner_email, owner_slug):
    member = _member(owner_email, owner_slug)
    found = list(search_facilities(member, FacilityFilter(q=query)))
    assert len(found) == 1, found
    result = match_names(member, [NameQuery(name=query)])[0]
    assert result.outcome == "auto"
    assert result.candidates[0].facility_id == found[0].pk


def test_found_by_its_latin_form_too(demo):
    member = _member("supplier@pearlriver.example", "pearl-river-components")
    found = search_facilities(member, FacilityFilter(q="Setouchi Tin Refining"))
    assert [f.name for f in found] == ["瀬戸内錫精錬株式会社"]


def test_processor_shares_its_facilities_with_its_initiative(demo):
    initiative = _member("grievance@initiative.example", "mica-initiative")
    stranger = _member("compliance@brightline.example", "brightline")
    unit = Facility.objects.get(kind="processing_unit")
    assert Facility.objects.for_member(initiative).filter(pk=unit.pk).exists()
    assert not Facility.objects.for_member(stranger).filter(pk=unit.pk).exists()
    assert unit.statuses.get(scheme="initiative").status == "Member"


def test_processor_shares_only_its_unit_with_its_buyer(demo):
    buyer = _member("compliance@rhein.example", "rhein-pigmente")
    unit = Facility.objects.get(kind="processing_unit", organisation__slug="giridih-mica")
    seen = Facility.objects.for_member(buyer).filter(organisation__slug="giridih-mica")
    assert list(seen) == [unit]


def test_each_demo_facility_is_stored_as_its_spec_says(demo):
    for spec in FACILITIES:
        facility = Facility.objects.get(name=spec.name, organisation__slug=spec.owner)
        assert facility.operator == facility.organisation
        assert (facility.kind, facility.country_id, facility.subdivision_id) == (
            spec.kind,
            spec.country,
            spec.subdivision,
        )
        assert (facility.latitude, facility.longitude) == (
            Decimal(spec.latitude),
            Decimal(spec.longitude),
        )
        assert facility.coordinate_precision == spec.coordinate_precision
        assert (facility.city, facility.name_latin) == (spec.city, spec.name_latin)
        assert sorted(facility.minerals.values_list("code", flat=True)) == sorted(spec.minerals)
