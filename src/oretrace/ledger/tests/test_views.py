"""Public tiles API, the Ledger page, the public verification pages and the QR link."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from oretrace.core.actors import SYSTEM
from oretrace.core.tests.factories import OrganisationFactory
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests
from oretrace.ledger import keys, merkle
from oretrace.ledger import services as ledger
from oretrace.ledger.checkpoint import verify_checkpoint
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.models import Leaf
from oretrace.ledger.note import COSIGNATURE_V1, Signer, parse_cosignature_vkey
from oretrace.ledger.storage import DatabaseHashStore
from oretrace.ledger.tiles import TileStore, decode_entries
from oretrace.ledger.urls import urlpatterns

pytestmark = pytest.mark.django_db
OREtrace = Path(sys.executable).parent / "oretrace"


@pytest.fixture
def big_log():
    """A log of 300 leaves (a full tile of 256 and a partial one), checkpointed."""
    orgs = OrganisationFactory.create_batch(300)
    ledger.append_many(orgs, actor=SYSTEM, created=True)
    return ledger.sign_checkpoint()


def _fetch(client: Client):
    def fetch(path: str) -> bytes:
        response = client.get(f"/ledger/{path}")
        assert response.status_code == 200, path
        return response.content

    return fetch


def test_the_checkpoint_is_public_and_signed(client, big_log):
    response = client.get("/ledger/checkpoint")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    verified = verify_checkpoint(response.content, [keys.log_verifier()])
    assert verified.checkpoint.size == 300
    assert client.get("/ledger/vkey").content.decode().strip() == keys.log_verifier().vkey


def test_tiles_follow_tlog_tiles(client, big_log):
    full = client.get("/ledger/tile/0/000")
    assert full.status_code == 200
    assert len(full.content) == 256 * 32
    assert full["Cache-Control"].startswith("public, max-age=31536000")
    assert len(client.get("/ledger/tile/0/001.p/44").content) == 44 * 32
    assert len(client.get("/ledger/tile/1/000.p/1").content) == 32
    assert client.get("/ledger/tile/0/001").status_code == 404  # not full yet
    assert client.get("/ledger/tile/0/001.p/45").status_code == 404  # beyond the log
    assert client.get("/ledger/tile/0/1").status_code == 404  # not canonical


def test_entry_bundles_hash_to_the_level_0_tile(client, big_log):
    entries = decode_entries(client.get("/ledger/tile/entries/000").content)
    tile = client.get("/ledger/tile/0/000").content
    assert b"".join(merkle.leaf_hash(e) for e in entries) == tile


def test_proofs_computed_from_public_tiles_match_the_database(client, big_log):
    store = TileStore(_fetch(client), big_log.size)
    assert merkle.root(big_log.size, store) == bytes(big_log.root)
    db = DatabaseHashStore()
    assert merkle.consistency_proof(100, 300, store) == merkle.consistency_proof(100, 300, db)


def test_the_ledger_page_lists_only_own_leaves(web_a, web_b, member_a, member_b):
    ledger.append(member_a.organisation, actor=SYSTEM)
    ledger.append(member_b.organisation, actor=SYSTEM)
    page = web_b.get("/ledger/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/ledger/records/core.organisation/{member_b.organisation_id}/" in html
    assert f">{member_b.organisation}</a>" in html  # the record's name, not only its id
    assert f"/ledger/records/core.organisation/{member_a.organisation_id}/" not in html
    assert str(member_a.organisation) not in html
    assert keys.log_verifier().vkey in html


@pytest.fixture
def objects_of_a(member_a):
    ledger.append(member_a.organisation, actor=SYSTEM)
    return {"record_type": "core.organisation", "record_id": member_a.organisation_id}


PUBLIC = "public by design: the public verification of a record, keyed by its shared token"
PAGES = PageTenancy(
    urlpatterns,
    "ledger",
    cross_org={
        "ledger_record": [Page(["record_type", "record_id"])],
        "ledger_record_bundle": [Page(["record_type", "record_id"])],
    },
    elsewhere={
        "tile": "public by design: the log's tiles (c2sp.org/tlog-tiles) hold no record's data",
        "public_record": PUBLIC,
        "public_bundle": PUBLIC,
        "public_qr": PUBLIC,
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


def test_a_bundle_downloaded_from_the_ledger_page_verifies_with_the_cli(web_a, member_a, tmp_path):
    # given a record's bundle downloaded through the link on the Ledger page
    ledger.append(member_a.organisation, actor=SYSTEM)
    page = web_a.get("/ledger/").content.decode()
    link = re.search(r'href="([^"]+/bundle)" download', page)
    assert link is not None
    response = web_a.get(html.unescape(link.group(1)))
    assert response.status_code == 200
    bundle = tmp_path / "org.tlog-proof"
    bundle.write_bytes(response.content)
    vkey = keys.log_verifier().vkey
    # when the CLI verifies it on a "machine" with no database, data directory or settings
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(OREtrace), "verify", str(bundle), "--key", vkey],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    # then it verifies, and says what it verified
    assert result.returncode == 0, result.stderr
    assert f"verified: core.organisation {member_a.organisation_id}" in result.stdout
    assert "legal_name: Alpha Mica Processing Ltd" in result.stdout
    assert not list(tmp_path.glob("*.sqlite3"))


def test_the_public_verify_page_accepts_a_pasted_bundle(client, web_a, member_a):
    ledger.append(member_a.organisation, actor=SYSTEM)
    text = web_a.get(
        f"/ledger/records/core.organisation/{member_a.organisation_id}/bundle"
    ).content.decode()
    ok = client.post("/verify/", {"bundle": text, "vkey": keys.log_verifier().vkey})
    assert "Verified." in ok.content.decode()
    tampered = text.replace("extra ", "extra AAAA", 1)
    bad = client.post("/verify/", {"bundle": tampered, "vkey": keys.log_verifier().vkey})
    assert "Not verified." in bad.content.decode()


def test_the_public_verify_page_accepts_an_uploaded_bundle(client, web_a, member_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ledger.append(member_a.organisation, actor=SYSTEM)
    text = web_a.get(f"/ledger/records/core.organisation/{member_a.organisation_id}/bundle").content
    upload = SimpleUploadedFile("x.tlog-proof", text)
    response = client.post("/verify/", {"upload": upload, "vkey": keys.log_verifier().vkey})
    assert "Verified." in response.content.decode()
    assert client.get("/verify/").status_code == 200


def test_the_qr_link_leads_to_a_verified_public_page(client, member_a):
    ledger.append(member_a.organisation, actor=SYSTEM)
    oid = str(member_a.organisation_id)
    token = keys.link_token("core.organisation", oid)
    page = client.get(f"/verify/r/core.organisation/{oid}/{token}/")
    assert page.status_code == 200
    assert "Verified." in page.content.decode()
    qr = client.get(f"/verify/r/core.organisation/{oid}/{token}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<?xml") or b"<svg" in qr.content[:200]
    bundle = client.get(f"/verify/r/core.organisation/{oid}/{token}/bundle")
    assert bundle.content.startswith(b"c2sp.org/tlog-proof@v1\n")
    # a guessed link is 404
    assert client.get(f"/verify/r/core.organisation/{oid}/AAAAAAAAAAAAAAAA/").status_code == 404


def test_witness_cosignatures_are_accepted_and_served(client, big_log, settings):
    # given a configured witness
    witness = Signer.generate("witness.example/w1", COSIGNATURE_V1)
    settings.ORETRACE_LEDGER_WITNESSES = [witness.verifier.vkey]
    text = big_log.note.split("\n\n")[0] + "\n"
    line = witness.signature_line(text.encode(), timestamp=1_800_000_000)
    # when it posts its cosignature
    response = client.post("/ledger/cosignatures", text + "\n" + line, content_type="text/plain")
    # then the checkpoint is served with it, and it verifies as a witness cosignature
    assert response.status_code == 200, response.content
    served = client.get("/ledger/checkpoint").content
    verified = verify_checkpoint(
        served,
        [keys.log_verifier()],
        witness_verifiers=[parse_cosignature_vkey(witness.verifier.vkey)],
    )
    assert verified.witnesses == [("witness.example/w1", 1_800_000_000)]
    # a forged one is refused
    forged = witness.signature_line(b"other\n", timestamp=1_800_000_001)
    refused = client.post("/ledger/cosignatures", text + "\n" + forged, content_type="text/plain")
    assert refused.status_code == 400
    # and an unknown witness is not kept
    stranger = Signer.generate("witness.example/x", COSIGNATURE_V1)
    unknown = stranger.signature_line(text.encode(), timestamp=1_800_000_000)
    assert (
        client.post(
            "/ledger/cosignatures", text + "\n" + unknown, content_type="text/plain"
        ).status_code
        == 400
    )


def test_the_in_memory_tree_agrees_with_the_stored_one(big_log):
    tree = MemoryTree()
    for entry in Leaf.objects.order_by("index").values_list("entry", flat=True):
        tree.append(bytes(entry))
    assert tree.root() == bytes(big_log.root)


def test_a_witness_follows_the_live_log_and_its_cosignature_is_kept(client, big_log, settings):
    # given a witness that follows this log through its public tiles
    from oretrace.ledger.cli import check_and_record

    witness = Signer.generate("witness.example/w2", COSIGNATURE_V1)
    settings.ORETRACE_LEDGER_WITNESSES = [witness.verifier.vkey]
    state: dict[str, Any] = {}
    fetch = _fetch(client)
    first = verify_checkpoint(fetch("checkpoint"), [keys.log_verifier()])
    check_and_record(first, fetch, state)
    # when the log grows and the witness checks consistency from the tiles, then cosigns
    ledger.append_many(OrganisationFactory.create_batch(40), actor=SYSTEM, created=True)
    ledger.sign_checkpoint()
    second = verify_checkpoint(fetch("checkpoint"), [keys.log_verifier()])
    check_and_record(second, fetch, state)
    text = second.note.text
    line = witness.signature_line(text.encode(), timestamp=1_800_000_000)
    response = client.post("/ledger/cosignatures", text + "\n" + line, content_type="text/plain")
    # then the log keeps it and serves it
    assert response.status_code == 200
    assert state[second.checkpoint.origin]["size"] == 340
    served = verify_checkpoint(
        fetch("checkpoint"),
        [keys.log_verifier()],
        witness_verifiers=[parse_cosignature_vkey(witness.verifier.vkey)],
    )
    assert served.witnesses == [("witness.example/w2", 1_800_000_000)]
