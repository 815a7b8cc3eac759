"""tlog-proof bundles: built from a tree, verified offline, and each kind of failure named."""

from __future__ import annotations

import base64

import pytest

from oretrace.ledger import note
from oretrace.ledger.bundle import Bundle, BundleError, parse_bundle, verify_bundle
from oretrace.ledger.checkpoint import Checkpoint
from oretrace.ledger.commitment import Opening, record_document
from oretrace.ledger.merkle import MemoryTree, leaf_hash

ORIGIN = "example.org/ledger"


@pytest.fixture
def log():
    """A log of 20 records signed by one key, cosigned by one witness."""
    signer = note.Signer.generate(ORIGIN)
    witness = note.Signer.generate("witness.example/w", note.COSIGNATURE_V1)
    tree = MemoryTree()
    openings = []
    for i in range(20):
        opening = Opening(bytes([i]) * 16, record_document("test.thing", str(i), 1, {"n": i}))
        openings.append(opening)
        tree.append(opening.entry)
    checkpoint = Checkpoint(ORIGIN, tree.size, tree.root()).sign([signer])
    body = checkpoint.split("\n\n")[0] + "\n"
    checkpoint += witness.signature_line(body.encode(), timestamp=1_700_000_000)
    return signer, witness, tree, openings, checkpoint


def _bundle(log, index: int, opening: Opening | None = None) -> str:
    _signer, _witness, tree, openings, checkpoint = log
    opening = opening or openings[index]
    return Bundle(index, tuple(tree.inclusion_proof(index)), checkpoint, opening.encode()).encode()


def test_a_bundle_verifies_with_the_public_key_only(log):
    signer, witness, *_ = log
    result = verify_bundle(
        _bundle(log, 7),
        [note.parse_vkey(signer.verifier.vkey)],
        origin=ORIGIN,
        witness_verifiers=[witness.verifier],
        min_witnesses=1,
    )
    assert result.document["facts"] == {"n": 7}
    assert result.checkpoint.size == 20
    assert result.witnesses == [("witness.example/w", 1_700_000_000)]


def test_a_bundle_round_trips(log):
    text = _bundle(log, 3)
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert parse_bundle(text).encode() == text


def test_a_changed_record_fails_at_inclusion(log):
    signer, _w, _t, openings, _c = log
    forged = Opening(openings[7].salt, {**openings[7].document, "facts": {"n": 700}})
    with pytest.raises(BundleError) as caught:
        verify_bundle(_bundle(log, 7, forged), [signer.verifier])
    assert caught.value.step == "inclusion"
    assert "not the one logged at index 7" in str(caught.value)


def test_a_wrong_key_fails_at_the_checkpoint(log):
    other = note.Signer.generate(ORIGIN)
    with pytest.raises(BundleError) as caught:
        verify_bundle(_bundle(log, 7), [other.verifier])
    assert caught.value.step == "checkpoint"


def test_missing_witnesses_fail_the_policy(log):
    signer, *_ = log
    stranger = note.Signer.generate("witness.example/other", note.COSIGNATURE_V1)
    with pytest.raises(BundleError) as caught:
        verify_bundle(
            _bundle(log, 7),
            [signer.verifier],
            witness_verifiers=[note.parse_cosignature_vkey(stranger.verifier.vkey)],
            min_witnesses=1,
        )
    assert caught.value.step == "witnesses"


def test_a_tampered_proof_line_fails(log):
    signer, *_ = log
    lines = _bundle(log, 7).split("\n")
    lines[3] = base64.b64encode(leaf_hash(b"x")).decode()
    with pytest.raises(BundleError) as caught:
        verify_bundle("\n".join(lines), [signer.verifier])
    assert caught.value.step == "inclusion"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n", "not UTF-8"),
        ("hello\n", "not a tlog-proof bundle"),
        ("c2sp.org/tlog-proof@v1\nindex 1\n", "no checkpoint"),
        ("c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n", "no 'index N' line"),
        ("c2sp.org/tlog-proof@v1\nindex 1\n!!!\n\ncp\n", "not base64"),
    ],
)
def test_garbage_fails_at_format(data, message):
    with pytest.raises(BundleError, match=message) as caught:
        parse_bundle(data)
    assert caught.value.step == "format"


def test_the_batch_commitment_equals_the_documented_one():
    from oretrace.ledger.commitment import commit, commit_record

    facts = {"z": 1, "a": "é\u2014", "n": None, "nested": {"b": [1, 2], "a": True}}
    document = record_document("core.organisation", "42", 3, facts)
    assert commit_record(b"s" * 16, "core.organisation", "42", 3, facts) == commit(
        b"s" * 16, document
    )
