"""Reference names in the reader's language: minerals from our catalogues, countries from
pycountry's ISO 3166 catalogues; codes and unknown names stay as they are."""

from __future__ import annotations

import pytest
from django.utils import translation

from oretrace.core.models import Country, Mineral
from oretrace.core.models.reference import country_name
from oretrace.core.reference import mineral_name


def test_mineral_names_translate_and_other_text_stays():
    with translation.override("fr"):
        assert mineral_name("tin") == "Étain"
        assert mineral_name("mica") == "Mica naturel"
        assert mineral_name("unobtainium") == "unobtainium"
    with translation.override("sw"):
        assert mineral_name("gold") == "Dhahabu"
    with translation.override("en"):
        assert mineral_name("graphite") == "Natural graphite"


def test_country_names_translate():
    with translation.override("fr"):
        assert country_name("Germany") == "Allemagne"
    with translation.override("hi"):
        assert country_name("India") == "भारत"
    with translation.override("en"):
        assert country_name("Germany") == "Germany"
    assert country_name("Atlantis") == "Atlantis"


@pytest.mark.django_db
def test_model_labels_follow_the_language():
    mineral = Mineral(code="cobalt", name="Cobalt")
    country = Country(code="DE", name="Germany")
    with translation.override("hi"):
        assert mineral.label == "कोबाल्ट"
        assert country.label == "जर्मनी"
    assert str(country) == "Germany"  # what the change log and the API keep
