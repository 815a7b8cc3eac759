"""A factory for every model: each app's ``tests/factories.py`` holds one per table, and each
builds a row the database accepts.

Tables only the services may write (the transparency log and the hash-chained change log: a
hand-made row breaks the chain the audits verify) are listed in ``WRITTEN_BY_SERVICES`` with
the service that makes them; a new model with neither fails ``test_every_model_has_a_factory``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import factory
import pytest
from django.apps import apps

SOURCE = Path(__file__).resolve().parents[1] / "src" / "oretrace"

WRITTEN_BY_SERVICES = {
    "core.ChangeLogEntry": "core.changelog.log_change (hash-chained)",
    "core.ChangeLogHead": "core.changelog.log_change (the chain's head, one row)",
    "ledger.LogState": "ledger.services.append (the log's size, one row)",
    "ledger.HashTile": "ledger.services.append (the tree's tiles)",
    "ledger.Leaf": "ledger.services.append",
    "ledger.Erasure": "ledger.services.erase",
    "ledger.Checkpoint": "ledger.services.sign_checkpoint",
    "ledger.Cosignature": "ledger.services (a witness's cosignature, verified)",
    "ledger.AuditRun": "ledger.audit (a tamper audit's run)",
}


def _factories() -> dict[str, type[factory.django.DjangoModelFactory]]:
    """Every factory of every app's ``tests/factories.py``, by its model's label."""
    found = {}
    for path in sorted(SOURCE.glob("*/tests/factories.py")):
        module = importlib.import_module(f"oretrace.{path.parent.parent.name}.tests.factories")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value._meta.model is not None
                and value.__module__ == module.__name__
            ):
                model = value._meta.get_model_class()
                found[model._meta.label] = value
    return found


def _models() -> set[str]:
    return {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("oretrace.") and m._meta.managed
    }


def test_every_model_has_a_factory():
    covered = set(_factories()) | set(WRITTEN_BY_SERVICES)
    assert _models() - covered == set(), "models with no factory (add one to its app's tests)"
    assert covered - _models() == set(), "factories or exceptions for models that are gone"


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(_factories()))
def test_each_factory_builds_a_row(label, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # the sealed texts' keys in folders of the test's own, as the apps' own tests keep them
    settings.ORETRACE_GRIEVANCE_KEY_DIR = tmp_path / "grievance-keys"
    settings.ORETRACE_PROGRAMME_KEY_DIR = tmp_path / "programme-keys"
    made = _factories()[label]()
    model = apps.get_model(label)
    assert model.objects.filter(pk=made.pk).exists()


def _stored_file_labels() -> list[str]:
    from oretrace.audits.models.files import StoredFile

    return sorted(label for label in _factories() if issubclass(apps.get_model(label), StoredFile))


@pytest.mark.django_db
@pytest.mark.parametrize("label", _stored_file_labels())
def test_a_stored_files_columns_are_those_of_its_content(label, settings, tmp_path):
    """The uploaded-file factories (``StoredFileFactory``) make one content and derive the
    rest from it: the file holds it, under the recorded name, with its size and SHA-256."""
    import hashlib

    settings.MEDIA_ROOT = tmp_path
    made = _factories()[label]()
    with made.file.open("rb") as stored:
        content = stored.read()
    assert made.size == len(content) > 0
    assert made.sha256 == hashlib.sha256(content).hexdigest()
    assert made.file.name.rsplit(".", 1)[-1] == made.original_name.rsplit(".", 1)[-1]
