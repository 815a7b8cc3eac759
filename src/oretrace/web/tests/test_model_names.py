"""Model names on the change pages (recent changes on the dashboard) in the reader's language."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from oretrace.core.queries import _system_actor
from oretrace.web.model_names import MODEL_NAMES, model_name

# Models people never see in a change list: the ledger's and the sessions' own bookkeeping.
INTERNAL = {"change log head", "hash tile", "log state", "password reset request"}


@pytest.mark.parametrize(
    ("name", "language", "text", "expected"),
    [
        (model_name, "fr", "facility name", "nom de site"),
        (model_name, "sw", "organisation", "shirika"),
        (model_name, "hi", "a model added later", "a model added later"),  # unknown ones stay
        (_system_actor, "fr", "supplier upload link", "lien d'envoi fournisseur"),
        (_system_actor, "fr", "system", "système"),
        (_system_actor, "fr", "auditor@example.org", "auditor@example.org"),  # a person stays
    ],
)
def test_model_and_system_actor_names_follow_the_language(name, language, text, expected):
    with translation.override(language):
        assert name(text) == expected


def test_the_list_names_real_models():
    shown = {
        str(m._meta.verbose_name) for m in apps.get_models() if m.__module__.startswith("oretrace.")
    }
    # A name listed here that no model has is a typo.
    assert shown >= MODEL_NAMES
    # Today every model people see is listed (a model added later shows in English until it is).
    assert shown - MODEL_NAMES <= INTERNAL


def test_ledger_record_types_are_named_by_their_model():
    from oretrace.web.templatetags.oretrace import record_type

    with translation.override("fr"):
        assert record_type("core.organisation") == "Organisation"
        assert record_type("declarations.declaration") == "Déclaration"
        assert record_type("nothing.here") == "nothing.here"
        assert record_type("not a type") == "not a type"
