"""No personal data in a declaration's leaf, bundle or public page, and the facts' migration."""

from __future__ import annotations

import base64
import importlib

import pytest
from django.apps import apps
from django.test import Client

from oretrace.core.actors import actor_label
from oretrace.declarations import services
from oretrace.declarations.models import Declaration
from oretrace.declarations.records import declaration_facts, declaration_facts_v1
from oretrace.declarations.rmi.canonical import fingerprint
from oretrace.declarations.rmi.model import PERSONAL_COMPANY_FIELDS
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY
from oretrace.ledger import keys, queries, records
from oretrace.ledger import services as ledger
from oretrace.ledger.audit import run_audit
from oretrace.ledger.bundle import parse_bundle
from oretrace.ledger.commitment import Opening
from oretrace.ledger.models import Leaf

pytestmark = pytest.mark.django_db
TYPE = "declarations.declaration"


def _problems() -> list[str]:
    return [p["kind"] for p in run_audit().problems if p["record_type"] == TYPE]


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    settings.ORETRACE_LEDGER_KEY_PATH = tmp_path / "ledger" / "log.key"
    settings.ORETRACE_LEDGER_WITNESSES = []


@pytest.fixture
def accepted(registry_loaded, member_a, filled):
    name, data = filled("JX Advanced")
    declaration = imports.import_declaration(data, name, actor=member_a, today=TODAY).declaration
    services.decide(declaration, status="accepted", note="reviewed", actor=member_a)
    declaration.refresh_from_db()
    return declaration


def _personal_values(declaration: Declaration, member) -> list[str]:
    """Everything that must not appear: the member's address and name, the file's SHA-256,
    and the contacts the supplier wrote in the file."""
    company = declaration.content["company"]
    contacts = [str(company[f]) for f in PERSONAL_COMPANY_FIELDS if company.get(f)]
    assert any("@" in c for c in contacts), "the real file names a contact e-mail"
    return [member.user.email, member.user.full_name, declaration.sha256, *contacts]


def test_no_leaf_bundle_or_public_page_holds_personal_data(accepted, member_a):
    leaf = queries.latest_leaf(TYPE, str(accepted.pk))
    bundle_text = queries.bundle_for(leaf)
    opening = Opening.decode(parse_bundle(bundle_text).extra or b"")
    token = keys.link_token(TYPE, str(accepted.pk))
    page = Client().get(f"/verify/r/{TYPE}/{accepted.pk}/{token}/").content.decode()
    assert "Verified." in page
    stored = [
        str(row) for row in Leaf.objects.values_list("record_id", "actor_label", "record_type")
    ]
    for value in _personal_values(accepted, member_a):
        assert value not in bundle_text
        assert value not in base64.b64decode(bundle_text.split("\n")[1][6:]).decode()
        assert value not in page
        assert not any(value in row for row in stored)
    # the bundle commits to the public content's fingerprint, which a verifier recomputes
    assert opening.document["facts"]["fingerprint"] == fingerprint(accepted.content)
    assert "file_sha256" not in opening.document["facts"]
    assert leaf.actor_label == actor_label(member_a)


def test_the_migration_recommits_declarations_logged_with_the_file_hash(accepted, member_a):
    # given a declaration whose latest leaf was committed in the first shape, with the file's
    # SHA-256 (a shape the audit still opens)
    spec = records.get(TYPE)
    records.register(
        spec.model, TYPE, facts=declaration_facts_v1, label=spec.label, logged=spec.logged
    )
    try:
        ledger.append(accepted, actor=member_a)
    finally:
        records.register(
            spec.model,
            TYPE,
            facts=declaration_facts,
            label=spec.label,
            logged=spec.logged,
            legacy_facts=spec.legacy_facts,
        )
    latest = queries.latest_leaf(TYPE, str(accepted.pk))
    opening = Opening.decode(parse_bundle(queries.bundle_for(latest)).extra or b"")
    assert opening.document["facts"]["file_sha256"] == accepted.sha256
    assert _problems() == []
    old_version = Leaf.objects.filter(record_type=TYPE).count()
    # when the data migration runs
    migration = importlib.import_module(
        "oretrace.declarations.migrations.0003_facts_without_file_hash"
    )
    migration.recommit(apps, None)
    # then the declaration has a new version without the file hash, and the audit is clean
    assert Leaf.objects.filter(record_type=TYPE).count() == old_version + 1
    assert _problems() == []
    bundle = queries.bundle_for(queries.latest_leaf(TYPE, str(accepted.pk)))
    assert accepted.sha256 not in bundle


def test_the_migration_does_not_launder_a_tampered_declaration(accepted, member_a):
    # given an accepted declaration changed in the database behind the services' back
    Declaration.objects.filter(pk=accepted.pk).update(status="rejected")
    before = Leaf.objects.count()
    # when the data migration runs, then it appends nothing, and the audit still reports it
    migration = importlib.import_module(
        "oretrace.declarations.migrations.0003_facts_without_file_hash"
    )
    migration.recommit(apps, None)
    assert Leaf.objects.count() == before
    assert _problems() == ["modified"]
