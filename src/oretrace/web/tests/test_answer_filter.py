"""The RMI templates' fixed answers read in the reader's language; anything else as written."""

from __future__ import annotations

from django.utils import translation

from oretrace.web.templatetags.oretrace import answer


def test_fixed_answers_are_translated_and_free_text_is_kept():
    with translation.override("fr"):
        assert answer("Greater than 75%") == "Plus de 75 %"
        assert answer("Yes") == "Oui"
        assert answer("50% or less") == "50 % ou moins"
        assert answer("Yes, with the SEC") == "Oui, auprès de la SEC"  # a long fixed answer too
        assert answer("Acme smelter, row 4") == "Acme smelter, row 4"
        assert answer(None) == ""
    with translation.override("hi"):
        assert answer("50% or less") == "50% या कम"
    with translation.override("sw"):
        assert answer("No") == "Hapana"
