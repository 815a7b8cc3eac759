"""Reference catalogues: ISO 3166 from pycountry, minerals with their template families."""

from __future__ import annotations

import pytest

from oretrace.core.choices import TemplateFamily
from oretrace.core.models import Country, Mineral, Subdivision
from oretrace.core.reference import load_minerals, load_reference_data

pytestmark = pytest.mark.django_db


def test_countries_and_subdivisions_of_the_mica_belt_are_present():
    assert Country.objects.get(code="IN").alpha3 == "IND"
    jharkhand = Subdivision.objects.get(code="IN-JH")
    assert jharkhand.name == "Jhārkhand"  # ISO 3166-2 spelling
    assert jharkhand.country_id == "IN"
    assert Subdivision.objects.get(code="CD-LU").name == "Lualaba"


def test_subdivision_parents_are_linked():
    child = Subdivision.objects.filter(parent__isnull=False).select_related("parent").first()
    assert child is not None
    assert child.parent is not None
    assert child.code.split("-")[0] == child.parent.code.split("-")[0]


def test_minerals_belong_to_their_template_family():
    family = dict(Mineral.objects.values_list("code", "template_family"))
    assert {c for c, f in family.items() if f == TemplateFamily.CMRT} == {
        "tin",
        "tantalum",
        "tungsten",
        "gold",
    }
    for code in ("cobalt", "mica", "copper", "graphite", "lithium", "nickel"):
        assert family[code] == TemplateFamily.EMRT
    assert Mineral.objects.get(code="aluminium").template_label == "Aluminum"
    assert len([f for f in family.values() if f == TemplateFamily.AMRT]) == 12
    assert Mineral.objects.get(code="cobalt").legacy_templates == ["CRT"]


def test_loading_twice_changes_nothing():
    before = (Country.objects.count(), Subdivision.objects.count(), Mineral.objects.count())
    counts = load_reference_data()
    load_minerals()
    after = (Country.objects.count(), Subdivision.objects.count(), Mineral.objects.count())
    assert before == after == (counts["countries"], counts["subdivisions"], counts["minerals"])


def test_loading_again_restores_every_field_of_a_changed_row():
    # given rows someone changed by hand, foreign keys included
    child = Subdivision.objects.filter(parent__isnull=False).first()
    assert child is not None
    parent_id, country_id = child.parent_id, child.country_id
    Subdivision.objects.filter(pk=child.pk).update(name="changed", parent=None, country_id="DE")
    Country.objects.filter(code="IN").update(alpha3="XXX", official_name="changed")
    Mineral.objects.filter(code="cobalt").update(symbol="X", legacy_templates=[], is_3tg=True)
    # when the catalogues load again
    load_reference_data()
    # then each row is as the packages say
    child.refresh_from_db()
    assert (child.parent_id, child.country_id) == (parent_id, country_id)
    assert child.name != "changed"
    assert Country.objects.get(code="IN").alpha3 == "IND"
    assert Country.objects.get(code="IN").official_name == "Republic of India"
    cobalt = Mineral.objects.get(code="cobalt")
    assert (cobalt.symbol, cobalt.legacy_templates, cobalt.is_3tg) == ("Co", ["CRT"], False)
