"""Witness policy: where witnesses are configured, an operator-only checkpoint is not enough.

``oretrace verify`` (bundles and bare checkpoints) and the public verification pages require
the configured quorum of cosignatures and say "signed by the operator only — not witnessed"
otherwise; the demo has a local witness cosign its checkpoint through the witness protocol.
"""

from __future__ import annotations

import pytest
from django.test import Client

from oretrace.cli import main
from oretrace.core.actors import SYSTEM
from oretrace.core.demo import build_demo
from oretrace.core.tests.factories import OrganisationFactory
from oretrace.ledger import keys, queries
from oretrace.ledger import services as ledger
from oretrace.ledger.bundle import parse_bundle
from oretrace.ledger.checkpoint import OPERATOR_ONLY, parse_body
from oretrace.ledger.demo import local_witness_paths
from oretrace.ledger.models import Checkpoint, Cosignature, Leaf
from oretrace.ledger.note import COSIGNATURE_V1, Signer, parse_note

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_witnesses_in_the_environment(monkeypatch):
    monkeypatch.delenv("ORETRACE_LEDGER_WITNESSES", raising=False)
    monkeypatch.delenv("ORETRACE_LEDGER_WITNESS_QUORUM", raising=False)


@pytest.fixture
def witnesses(settings):
    """Two witnesses configured with a quorum of one."""
    pair = [Signer.generate(f"witness.example/w{i}", COSIGNATURE_V1) for i in (1, 2)]
    settings.ORETRACE_LEDGER_WITNESSES = [w.verifier.vkey for w in pair]
    settings.ORETRACE_LEDGER_WITNESS_QUORUM = 1
    return pair


@pytest.fixture
def record():
    org = OrganisationFactory.create()
    ledger.append(org, actor=SYSTEM)
    return org


def _latest() -> Checkpoint:
    checkpoint = ledger.latest_checkpoint()
    assert checkpoint is not None
    return checkpoint


def _cosign(checkpoint: Checkpoint, *signers: Signer) -> None:
    text = parse_note(checkpoint.note).text
    lines = "".join(s.signature_line(text.encode(), timestamp=1_800_000_000) for s in signers)
    ledger.add_cosignatures(checkpoint.note + lines)


def _bundle(org) -> str:
    return queries.bundle_for(queries.latest_leaf("core.organisation", str(org.pk)))


def _verify(path, *extra: str) -> int:
    return main(["verify", str(path), "--key", keys.log_verifier().vkey, "--quiet", *extra])


# --- oretrace verify ---------------------------------------------------------------------------


def test_verify_refuses_an_operator_only_bundle_when_witnesses_are_given(
    record, witnesses, tmp_path, capsys
):
    # given a bundle whose checkpoint no witness cosigned
    path = tmp_path / "org.tlog-proof"
    path.write_text(_bundle(record))
    witness_args = [arg for w in witnesses for arg in ("--witness", w.verifier.vkey)]
    # when it is verified with the witnesses' keys, then it is refused, in plain words
    assert _verify(path, *witness_args) == 1
    err = capsys.readouterr().err
    assert f"FAILED at witnesses: {OPERATOR_ONLY}" in err
    assert "2 required" in err  # a majority of two
    # unless the verifier knowingly accepts an operator-only checkpoint
    assert _verify(path, *witness_args, "--accept-operator-only") == 0
    assert f"WARNING: {OPERATOR_ONLY}" in capsys.readouterr().out


def test_verify_takes_the_witnesses_and_quorum_of_the_logs_settings(
    record, witnesses, tmp_path, capsys, monkeypatch
):
    # given a machine configured like the log (ORETRACE_LEDGER_WITNESSES, quorum 1)
    monkeypatch.setenv("ORETRACE_LEDGER_WITNESSES", ",".join(w.verifier.vkey for w in witnesses))
    monkeypatch.setenv("ORETRACE_LEDGER_WITNESS_QUORUM", "1")
    path = tmp_path / "org.tlog-proof"
    path.write_text(_bundle(record))
    # when no --witness is given, then the configured policy applies: refused
    assert _verify(path) == 1
    assert OPERATOR_ONLY in capsys.readouterr().err
    # when one of the two witnesses cosigns (the quorum), then the bundle verifies
    _cosign(_latest(), witnesses[1])
    path.write_text(_bundle(record))
    assert _verify(path) == 0
    out = capsys.readouterr().out
    assert "cosigned by witness witness.example/w2" in out
    assert "witnessed: 1 of 2 witness(es) cosigned, 1 required" in out


def test_verify_checks_a_bare_checkpoint_against_the_quorum(witnesses, record, tmp_path, capsys):
    checkpoint = ledger.sign_checkpoint()
    path = tmp_path / "checkpoint"
    args = [arg for w in witnesses for arg in ("--witness", w.verifier.vkey)]
    # operator only: refused
    path.write_text(checkpoint.with_cosignatures())
    assert _verify(path, *args) == 1
    assert OPERATOR_ONLY in capsys.readouterr().err
    # one of the two required: refused, saying how many
    _cosign(checkpoint, witnesses[0])
    path.write_text(checkpoint.with_cosignatures())
    assert _verify(path, *args) == 1
    assert "only 1 valid witness cosignature(s), 2 required" in capsys.readouterr().err
    # both: verified
    _cosign(checkpoint, witnesses[1])
    path.write_text(checkpoint.with_cosignatures())
    assert _verify(path, *args) == 0
    assert f"checkpoint of the log oretrace.test/ledger, {checkpoint.size} entries" in (
        capsys.readouterr().out
    )


def test_a_forged_cosignature_is_refused_not_ignored(witnesses, record, tmp_path, capsys):
    checkpoint = ledger.sign_checkpoint()
    text = parse_note(checkpoint.note).text
    forged = witnesses[0].signature_line(b"another tree\n", timestamp=1_800_000_000)
    path = tmp_path / "checkpoint"
    path.write_text(checkpoint.note + forged)
    assert _verify(path, "--witness", witnesses[0].verifier.vkey, "--accept-operator-only") == 1
    assert "does not verify" in capsys.readouterr().err
    assert text  # the genuine note is untouched


def test_a_quorum_larger_than_the_witnesses_is_unusable(witnesses, record, tmp_path, capsys):
    path = tmp_path / "org.tlog-proof"
    path.write_text(_bundle(record))
    assert _verify(path, "--witness", witnesses[0].verifier.vkey, "--min-witnesses", "2") == 2
    assert "2 witness cosignature(s) required, but 1 witness key(s) given" in (
        capsys.readouterr().err
    )


def test_without_witnesses_verify_says_operator_only_and_succeeds(record, tmp_path, capsys):
    path = tmp_path / "org.tlog-proof"
    path.write_text(_bundle(record))
    assert _verify(path) == 0
    assert OPERATOR_ONLY in capsys.readouterr().out


# --- the public pages --------------------------------------------------------------------------


def _public_page(client: Client, org) -> str:
    oid = str(org.pk)
    token = keys.link_token("core.organisation", oid)
    response = client.get(f"/verify/r/core.organisation/{oid}/{token}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_page_says_operator_only_until_the_quorum_cosigns(client, record, witnesses):
    # given witnesses configured and a checkpoint none of them cosigned
    page = _public_page(client, record)
    # then the page does not call the record verified
    assert "Verified." not in page
    assert "Signed by the operator only — not witnessed." in page
    # when a witness cosigns the checkpoint, then it is verified and the witness is named
    _cosign(_latest(), witnesses[0])
    page = _public_page(client, record)
    assert "Verified." in page
    assert "Cosigned by 1 witness" in page
    assert "witness.example/w1" in page
    # and the command shown to check it offline names the witnesses
    assert f"--witness {witnesses[0].verifier.vkey}" in page


def test_a_bundle_is_built_on_the_newest_witnessed_checkpoint(client, record, witnesses):
    # given a cosigned checkpoint, then a newer one no witness has seen yet
    witnessed = ledger.sign_checkpoint()
    _cosign(witnessed, witnesses[0])
    ledger.append(OrganisationFactory.create(), actor=SYSTEM)
    newer = ledger.sign_checkpoint()
    assert newer.size > witnessed.size
    # then the record's bundle proves inclusion in the witnessed one, and its page verifies
    bundle = parse_bundle(_bundle(record))
    assert parse_body(parse_note(bundle.checkpoint).text).size == witnessed.size
    assert "Verified." in _public_page(client, record)


def test_the_paste_page_applies_the_policy_to_this_logs_bundles(client, record, witnesses):
    response = client.post(
        "/verify/", {"bundle": _bundle(record), "vkey": keys.log_verifier().vkey}
    )
    page = response.content.decode()
    assert "Signed by the operator only — not witnessed." in page
    assert "Verified." not in page


def test_cosignatures_of_a_witness_no_longer_configured_do_not_count(
    client, record, witnesses, settings
):
    _cosign(ledger.sign_checkpoint(), witnesses[0])
    assert "Verified." in _public_page(client, record)
    settings.ORETRACE_LEDGER_WITNESSES = [witnesses[1].verifier.vkey]
    assert "Verified." not in _public_page(client, record)


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_has_a_local_witness_cosign_its_checkpoint(client, settings, tmp_path, capsys):
    # given `make run`'s set-up: a witness key in the data folder, configured as a witness
    settings.DATA_DIR = tmp_path / "data"
    key_path, state_path = local_witness_paths()
    assert (
        main(["witness", "init", "--name", "localhost/demo-witness", "--key-file", str(key_path)])
        == 0
    )
    settings.ORETRACE_LEDGER_WITNESSES = [capsys.readouterr().out.strip()]
    settings.ORETRACE_LEDGER_WITNESS_QUORUM = 1
    # when the demo is built
    build_demo()
    # then its latest checkpoint covers every leaf and carries the witness's cosignature
    latest = ledger.latest_checkpoint()
    assert latest is not None
    assert latest.size == Leaf.objects.count()
    assert list(
        Cosignature.objects.filter(checkpoint=latest).values_list("witness", flat=True)
    ) == ["localhost/demo-witness"]
    assert state_path.exists()  # the witness remembers what it cosigned, for its next round
    # and a public page of the demo (a custody event) shows the cosignature
    leaf = Leaf.objects.filter(record_type="traceability.epcisevent").first()
    assert leaf is not None
    token = keys.link_token(leaf.record_type, leaf.record_id)
    page = client.get(f"/verify/r/{leaf.record_type}/{leaf.record_id}/{token}/").content.decode()
    assert "Verified." in page
    assert "Cosigned by 1 witness" in page
    assert "localhost/demo-witness" in page
