"""Reference names in the reader's language: minerals from our catalogues, countries from
pycountry's ISO 3166 catalogues; codes and unknown names stay as they are."""

from __future__ import annotations

import pytest
from django.utils import translation

from oretrace.core.models import Country, Mineral
from oretrace.core.models.reference import country_name
from oretrace.core.reference import mineral_name


@pytest.mark.parametrize(
    ("name", "language", "text", "expected"),
    [
        (mineral_name, "fr", "tin", "Étain"),
        (mineral_name, "fr", "mica", "Mica naturel"),
        (mineral_name, "fr", "unobtainium", "unobtainium"),  # other text stays
        (mineral_name, "sw", "gold", "Dhahabu"),
        (mineral_name, "en", "graphite", "Natural graphite"),
        (country_name, "fr", "Germany", "Allemagne"),
        (country_name, "hi", "India", "भारत"),
        (country_name, "en", "Germany", "Germany"),
        (country_name, "fr", "Atlantis", "Atlantis"),
    ],
)
def test_reference_names_translate_and_other_text_stays(name, language, text, expected):
    with translation.override(language):
        assert name(text) == expected


@pytest.mark.django_db
def test_model_labels_follow_the_language():
    mineral = Mineral(code="cobalt", name="Cobalt")
    country = Country(code="DE", name="Germany")
    with translation.override("hi"):
        assert mineral.label == "कोबाल्ट"
        assert country.label == "जर्मनी"
    assert str(country) == "Germany"  # what the change log and the API keep
