"""Model names on the change pages (recent changes on the dashboard) in the reader's language."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from oretrace.web.model_names import MODEL_NAMES, model_name

# Models people never see in a change list: the ledger's and the sessions' own bookkeeping.
INTERNAL = {"change log head", "hash tile", "log state", "password reset request"}


def test_model_names_translate_and_unknown_ones_stay():
    with translation.override("fr"):
        assert model_name("facility name") == "nom de site"
    with translation.override("sw"):
        assert model_name("organisation") == "shirika"
    with translation.override("hi"):
        assert model_name("a model added later") == "a model added later"


def test_the_list_names_real_models():
    shown = {
        str(m._meta.verbose_name) for m in apps.get_models() if m.__module__.startswith("oretrace.")
    }
    # A name listed here that no model has is a typo.
    assert shown >= MODEL_NAMES
    # Today every model people see is listed (a model added later shows in English until it is).
    assert shown - MODEL_NAMES <= INTERNAL


def test_system_actors_are_named_in_the_readers_language():
    from oretrace.core.queries import _system_actor

    with translation.override("fr"):
        assert _system_actor("supplier upload link") == "lien d'envoi fournisseur"
        assert _system_actor("system") != "system"
        assert _system_actor("auditor@example.org") == "auditor@example.org"


def test_ledger_record_types_are_named_by_their_model():
    from oretrace.web.templatetags.oretrace import record_type

    with translation.override("fr"):
        assert record_type("core.organisation") == "Organisation"
        assert record_type("declarations.declaration") == "Déclaration"
        assert record_type("nothing.here") == "nothing.here"
        assert record_type("not a type") == "not a type"
