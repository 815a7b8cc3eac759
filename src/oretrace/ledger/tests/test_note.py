"""C2SP signed notes: the spec's examples, the serverless test log, keys and cosignatures."""

from __future__ import annotations

from pathlib import Path

import pytest

from oretrace.ledger import note
from oretrace.ledger.checkpoint import CheckpointError, verify_checkpoint
from oretrace.ledger.merkle import MemoryTree, verify_consistency
from oretrace.ledger.note import NoteError

SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRK"
    "uwHjG1Yu72IneyaQM=\n"
)
SERVERLESS = Path("transparency/transparency-dev_serverless-log/testdata/log")
SERVERLESS_VKEY = "astra+cad5a3d2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b"


def test_spec_example_verifies():
    verifier = note.parse_vkey(SPEC_VKEY)
    parsed, verified = note.verify_note(SPEC_NOTE, [verifier])
    assert parsed.text == "This is an example message.\n"
    assert [s.name for s in verified] == ["example.com/foo"]


def test_a_remembered_verification_never_lets_another_text_or_signature_pass():
    # verifying the same note again is answered from memory; anything else is checked afresh
    verifier = note.parse_vkey(SPEC_VKEY)
    note._ed25519_valid.cache_clear()
    for _ in range(3):
        note.verify_note(SPEC_NOTE, [verifier])
    assert note._ed25519_valid.cache_info().hits == 2
    signature_line = SPEC_NOTE.split("\n")[2]
    flipped = (
        signature_line[:-6] + ("A" if signature_line[-6] != "A" else "B") + signature_line[-5:]
    )
    with pytest.raises(NoteError, match="does not verify"):
        note.verify_note(SPEC_NOTE.replace(signature_line, flipped), [verifier])
    with pytest.raises(NoteError, match="does not verify"):
        note.verify_note(SPEC_NOTE.replace("example", "exemple", 1), [verifier])


def test_spec_example_with_a_changed_text_is_rejected():
    verifier = note.parse_vkey(SPEC_VKEY)
    with pytest.raises(NoteError, match="does not verify"):
        note.verify_note(SPEC_NOTE.replace("example", "exemple", 1), [verifier])


def test_spec_signature_files_in_the_c2sp_folder_verify(shared_data):
    # given the examples as they appear in the spec file itself
    text = (shared_data / "transparency/C2SP/signed-note.md").read_text()
    assert SPEC_VKEY in text
    block = text.split("verifies the following signed note\n\n```\n", 1)[1].split("```", 1)[0]
    # then the spec's note verifies with the spec's key
    note.verify_note(block, [note.parse_vkey(SPEC_VKEY)])


def test_unknown_keys_are_ignored_but_one_known_key_is_needed():
    other = note.Signer.generate("example.com/other")
    with pytest.raises(NoteError, match="no signature by a known key"):
        note.verify_note(SPEC_NOTE, [other.verifier])


def test_serverless_log_checkpoints_verify_and_match_the_leaves(shared_data):
    # given the serverless test log, its key, and its leaves in sequence order
    log = shared_data / SERVERLESS
    verifier = note.parse_vkey(SERVERLESS_VKEY)
    tree = MemoryTree()
    for path in sorted((log / "seq").rglob("*"), key=lambda p: int(p.name, 16)):
        if path.is_file():
            tree.append(path.read_bytes())
    files = sorted(log.glob("checkpoint*"))
    assert len(files) == 17
    # when each checkpoint is verified
    checkpoints = [
        verify_checkpoint(f.read_bytes(), [verifier], origin="example.com/testdata").checkpoint
        for f in files
    ]
    # then each root is the root of the tree of the leaves at that size
    for cp in checkpoints:
        assert tree.root(cp.size) == cp.root
    latest = max(checkpoints, key=lambda c: c.size)
    assert latest.size == 15
    assert latest.root.hex() == tree.root(15).hex()
    # and every pair of checkpoints is consistent
    for a in checkpoints:
        for b in checkpoints:
            if 0 < a.size <= b.size:
                verify_consistency(
                    a.size, b.size, a.root, b.root, tree.consistency_proof(a.size, b.size)
                )


def test_serverless_checkpoint_with_another_key_is_rejected(shared_data):
    data = (shared_data / SERVERLESS / "checkpoint").read_bytes()
    impostor = note.Signer.generate("astra")
    with pytest.raises(CheckpointError, match="no signature by a known key"):
        verify_checkpoint(data, [impostor.verifier])


def test_keys_round_trip_through_their_text_encodings():
    signer = note.Signer.generate("oretrace.example/ledger")
    assert note.parse_skey(signer.skey) == signer
    vkey = signer.verifier.vkey
    assert vkey.startswith("oretrace.example/ledger+")
    assert note.parse_vkey(vkey) == signer.verifier


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("nonsense", "is not <name>"),
        ("a b+00000000+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b", "without spaces"),
        ("astra+00000000+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b", "does not match"),
        ("astra+cad5a3d2+AZJqeu!", "not valid base64"),
        ("astra+cad5a3d2+AZJqeuyE", "not an Ed25519 key"),
    ],
)
def test_malformed_verifier_keys_are_refused(vkey, message):
    with pytest.raises(NoteError, match=message):
        note.parse_vkey(vkey)


def test_a_log_key_is_not_a_witness_key():
    log = note.Signer.generate("log.example/log", note.ED25519)
    witness = note.Signer.generate("witness.example/w1", note.COSIGNATURE_V1)
    assert isinstance(note.parse_cosignature_vkey(witness.verifier.vkey), note.CosignatureVerifier)
    with pytest.raises(NoteError, match=r"log\.example/log is a log key"):
        note.parse_cosignature_vkey(log.verifier.vkey)


def test_cosignature_verifies_and_carries_its_timestamp():
    # given a log checkpoint text and a witness
    log = note.Signer.generate("example.com/log")
    witness = note.Signer.generate("witness.example/w1", note.COSIGNATURE_V1)
    text = "example.com/log\n3\n" + "A" * 43 + "=\n"
    signed = text + "\n" + log.signature_line(text.encode())
    # when the witness cosigns
    line = witness.signature_line(text.encode(), timestamp=1_700_000_000)
    result = verify_checkpoint(
        signed + line,
        [log.verifier],
        witness_verifiers=[note.parse_cosignature_vkey(witness.verifier.vkey)],
    )
    # then the cosignature counts, with its time
    assert result.witnesses == [("witness.example/w1", 1_700_000_000)]


def test_a_forged_cosignature_rejects_the_checkpoint():
    log = note.Signer.generate("example.com/log")
    witness = note.Signer.generate("witness.example/w1", note.COSIGNATURE_V1)
    text = "example.com/log\n3\n" + "A" * 43 + "=\n"
    other_text = "example.com/log\n4\n" + "A" * 43 + "=\n"
    forged = witness.signature_line(other_text.encode(), timestamp=1_700_000_000)
    signed = text + "\n" + log.signature_line(text.encode()) + forged
    with pytest.raises(CheckpointError, match=r"witness witness\.example/w1 does not verify"):
        verify_checkpoint(
            signed,
            [log.verifier],
            witness_verifiers=[note.parse_cosignature_vkey(witness.verifier.vkey)],
        )


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe",
        "no blank line\n— a AAAA\n",
        "text\n\nnot a signature\n",
        "text\n\n",
        "a\x01\n\n",
    ],
)
def test_malformed_notes_are_refused(data):
    with pytest.raises(NoteError):
        note.parse_note(data)
