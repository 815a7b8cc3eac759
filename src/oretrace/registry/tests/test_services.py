"""Registry services: who may write what, names in every script, identifiers, merges, status
history — each write with its change-log entry."""

from datetime import date

import pytest

from oretrace.core.actors import SYSTEM
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.registry import services
from oretrace.registry.choices import NameKind
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.models import Facility, FacilityName
from oretrace.registry.queries import current_statuses

pytestmark = pytest.mark.django_db


def test_private_facility_belongs_to_the_actors_organisation(member_a):
    facility = services.create_facility(
        actor=member_a,
        kind="collection_point",
        name="ढोरकोला अभ्रक संग्रह केंद्र",
        country="IN",
        subdivision="in-jh",
        latitude="24.4712",
        longitude="85.6034",
        coordinate_precision="locality",
        minerals=["mica"],
    )
    assert facility.organisation == member_a.organisation
    assert facility.subdivision_id == "IN-JH"
    assert facility.name_latin  # transliterated for people who do not read Devanagari
    kinds = dict(facility.names.values_list("name", "kind"))
    assert kinds[facility.name] == NameKind.PRIMARY
    assert kinds[facility.name_latin] == NameKind.TRANSLITERATION
    after = ChangeLogEntry.objects.for_object(facility).get().after
    assert after is not None
    assert after["kind"] == "collection_point"


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"country": "XX"}, "unknown country code"),
        ({"subdivision": "DE-BY"}, "is not in India"),
        ({"latitude": "95", "longitude": "10", "coordinate_precision": "site"}, "outside"),
        ({"latitude": "24.1"}, "both latitude and longitude"),
        ({"latitude": "24.1", "longitude": "86.3"}, "need their precision"),
        ({"kind": "spaceport"}, "unknown facility kind"),
        ({"minerals": ["unobtainium"]}, "unknown mineral"),
    ],
)
def test_bad_facility_details_are_named(member_a, details, message):
    values = {"kind": "mine", "name": "Somewhere", "country": "IN", **details}
    with pytest.raises(RegistryError, match=message):
        services.create_facility(actor=member_a, **values)
    assert not Facility.objects.filter(name="Somewhere").exists()


def test_viewers_and_strangers_cannot_write(viewer_a, member_a, member_b):
    with pytest.raises(PermissionDenied):
        services.create_facility(actor=viewer_a, kind="mine", name="X", country="IN")
    facility = services.create_facility(actor=member_a, kind="mine", name="X", country="IN")
    with pytest.raises(PermissionDenied, match="another organisation"):
        services.add_name(facility, name="Y", actor=member_b)


def test_reference_facilities_are_for_curators_only(member_a, curator):
    with pytest.raises(PermissionDenied, match="curators"):
        services.create_facility(
            actor=member_a, reference=True, kind="smelter", name="S", country="CN"
        )
    smelter = services.create_facility(
        actor=curator, reference=True, kind="smelter", name="Yunnan Tin Test Smelter", country="CN"
    )
    assert smelter.is_reference
    with pytest.raises(PermissionDenied, match="reference facility"):
        services.add_name(smelter, name="YTTS", actor=member_a)


def test_identifiers_are_checked_and_unique_per_scheme(member_a):
    one = services.create_facility(actor=member_a, kind="smelter", name="One", country="CN")
    two = services.create_facility(actor=member_a, kind="smelter", name="Two", country="CN")
    services.add_identifier(one, scheme="rmi_cid", value="cid001234", actor=member_a)
    assert one.identifiers.get().value == "CID001234"
    with pytest.raises(RegistryError, match="already identifies One"):
        services.add_identifier(two, scheme="rmi_cid", value="CID001234", actor=member_a)
    with pytest.raises(RegistryError, match="'CID' and 6 digits"):
        services.add_identifier(two, scheme="rmi_cid", value="CID12", actor=member_a)
    with pytest.raises(RegistryError, match="GS1 check digit"):
        services.add_identifier(two, scheme="gln", value="4012345000001", actor=member_a)
    services.add_identifier(two, scheme="gln", value="4012345000009", actor=member_a)
    services.add_identifier(two, scheme="cfsi_legacy", value="1jpn072", actor=member_a)
    own = member_a.organisation_id
    assert services.find_by_identifier("cfsi_legacy", "1JPN072", organisation_id=own) == two
    # without an organisation, only reference facilities are looked at
    assert services.find_by_identifier("cfsi_legacy", "1JPN072") is None


def test_each_organisation_may_hold_its_own_facility_with_an_identifier(member_a, member_b):
    # given organisation A's facility with a smelter ID
    mine = services.create_facility(actor=member_a, kind="smelter", name="A's", country="CN")
    services.add_identifier(mine, scheme="rmi_cid", value="CID004321", actor=member_a)
    # when B records its own facility with the same ID: allowed, and A's name is not revealed
    theirs = services.create_facility(actor=member_b, kind="smelter", name="B's", country="CN")
    services.add_identifier(theirs, scheme="rmi_cid", value="CID004321", actor=member_b)
    # then each finds its own
    for member, facility in ((member_a, mine), (member_b, theirs)):
        org = member.organisation_id
        assert services.find_by_identifier("rmi_cid", "CID004321", organisation_id=org) == facility


def test_merge_moves_everything_and_identifiers_resolve_to_the_survivor(member_a):
    survivor = services.create_facility(
        actor=member_a, kind="smelter", name="Thai Tin", country="TH", minerals=["tin"]
    )
    duplicate = services.create_facility(
        actor=member_a, kind="smelter", name="Thai Tin Co", country="TH", minerals=["tin"]
    )
    services.add_identifier(duplicate, scheme="rmi_cid", value="CID001898", actor=member_a)
    services.merge_facilities(survivor, duplicate, actor=member_a)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    own = member_a.organisation_id
    assert services.find_by_identifier("rmi_cid", "CID001898", organisation_id=own) == survivor
    assert survivor.names.filter(name="Thai Tin Co", kind=NameKind.FORMER).exists()
    assert not Facility.objects.live().filter(pk=duplicate.pk).exists()
    with pytest.raises(RegistryError, match="into itself"):
        services.merge_facilities(survivor, duplicate, actor=member_a)


def test_split_moves_chosen_names_and_identifiers(member_a):
    facility = services.create_facility(
        actor=member_a, kind="smelter", name="Mixed Up", country="BR"
    )
    alias = services.add_name(facility, name="Other Plant", actor=member_a)
    ident = services.add_identifier(facility, scheme="rmi_cid", value="CID000111", actor=member_a)
    new = services.split_facility(
        facility, actor=member_a, name="Other Plant Ltda", names=[alias.pk], identifiers=[ident.pk]
    )
    assert set(new.names.values_list("name", flat=True)) == {"Other Plant", "Other Plant Ltda"}
    own = member_a.organisation_id
    assert services.find_by_identifier("rmi_cid", "CID000111", organisation_id=own) == new
    assert ChangeLogEntry.objects.for_object(alias).filter(action="update").exists()


def test_current_status_is_derived_from_history(member_a, curator):
    smelter = services.create_facility(
        actor=curator, reference=True, kind="smelter", name="Status Smelter", country="PE"
    )
    for status, day in (("Active", date(2023, 1, 5)), ("Conformant", date(2024, 2, 1))):
        services.record_status(
            smelter,
            scheme="rmap",
            status=status,
            effective_on=day,
            source="test list",
            actor=curator,
            reference=True,
        )
    services.record_status(
        smelter,
        scheme="lbma",
        status="Good Delivery",
        effective_on=date(2022, 1, 1),
        source="LBMA",
        actor=curator,
        reference=True,
    )
    current = {s.scheme: s.status for s in current_statuses(smelter, member_a)}
    assert current == {"lbma": "Good Delivery", "rmap": "Conformant"}
    assert smelter.statuses.count() == 3


def test_organisation_status_needs_a_visible_facility(member_a, member_b):
    facility = services.create_facility(actor=member_a, kind="mine", name="Hidden", country="IN")
    with pytest.raises(RegistryError, match="not visible"):
        services.record_status(
            facility,
            scheme="initiative",
            status="Member",
            effective_on=date(2024, 1, 1),
            source="x",
            actor=member_b,
        )


def test_system_cannot_own_private_facilities():
    with pytest.raises(RegistryError, match="needs the member"):
        services.create_facility(actor=SYSTEM, kind="mine", name="Orphan", country="IN")


def test_private_alias_does_not_touch_other_organisations(member_a, member_b, curator):
    smelter = services.create_facility(
        actor=curator, reference=True, kind="smelter", name="Shared Smelter", country="CN"
    )
    FacilityName.objects.create(
        facility=smelter,
        name="Our name for it",
        normalised="x",
        organisation=member_a.organisation,
        source="test",
    )
    assert FacilityName.objects.for_member(member_a).filter(name="Our name for it").exists()
    assert not FacilityName.objects.for_member(member_b).filter(name="Our name for it").exists()


def test_latin_names_with_accents_or_dashes_get_no_transliteration(member_a):
    plant = services.create_facility(
        actor=member_a, kind="manufacturer", country="FR", name="Aurelia — Vénissieux assembly"
    )
    assert plant.name_latin == ""
    depot = services.create_facility(
        actor=member_a, kind="collection_point", country="IN", name="चंदवारा ग्राम डिपो"
    )
    assert depot.name_latin.isascii()
    assert depot.name_latin
