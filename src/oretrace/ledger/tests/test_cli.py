"""``oretrace verify`` and ``oretrace witness``: exit codes and messages, without Django."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from oretrace.cli import main
from oretrace.ledger.bundle import Bundle
from oretrace.ledger.commitment import Opening, record_document
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.note import COSIGNATURE_V1, Signer
from oretrace.ledger.tests.helpers import write_static_log

ORIGIN = "log.example/ledger"


@pytest.fixture
def signed_log(tmp_path):
    """A log of 10 records, its key, and the bundle of record 4 written to a file."""
    signer = Signer.generate(ORIGIN)
    tree = MemoryTree()
    openings = [
        Opening(bytes([i]) * 16, record_document("core.organisation", str(i), 1, {"n": i}))
        for i in range(10)
    ]
    for opening in openings:
        tree.append(opening.entry)
    checkpoint = write_static_log(tmp_path / "log", tree, signer, ORIGIN)
    bundle = Bundle(4, tuple(tree.inclusion_proof(4)), checkpoint, openings[4].encode()).encode()
    path = tmp_path / "record.tlog-proof"
    path.write_text(bundle)
    return signer, path, tree, openings


def test_a_valid_bundle_exits_0(signed_log, capsys):
    signer, path, *_ = signed_log
    assert main(["verify", str(path), "--key", signer.verifier.vkey]) == 0
    out = capsys.readouterr().out
    assert "verified: core.organisation 4, version 1" in out
    assert "n: 4" in out


def test_the_key_may_come_from_a_file(signed_log, tmp_path):
    signer, path, *_ = signed_log
    key_file = tmp_path / "log.vkey"
    key_file.write_text(signer.verifier.vkey + "\n")
    assert main(["verify", str(path), "--key", str(key_file), "--quiet"]) == 0


def test_a_tampered_record_exits_1_naming_the_inclusion_step(signed_log, capsys):
    signer, path, _tree, openings = signed_log
    forged = Opening(openings[4].salt, {**openings[4].document, "facts": {"n": 40}})
    lines = path.read_text().split("\n")
    lines[1] = "extra " + base64.b64encode(forged.encode()).decode()
    path.write_text("\n".join(lines))
    assert main(["verify", str(path), "--key", signer.verifier.vkey]) == 1
    assert "FAILED at inclusion" in capsys.readouterr().err


def test_a_wrong_key_exits_1_naming_the_checkpoint(signed_log, capsys):
    _signer, path, *_ = signed_log
    other = Signer.generate(ORIGIN)
    assert main(["verify", str(path), "--key", other.verifier.vkey]) == 1
    assert "FAILED at checkpoint" in capsys.readouterr().err


def test_garbage_exits_1_naming_the_format(tmp_path, signed_log, capsys):
    signer, *_ = signed_log
    junk = tmp_path / "junk.tlog-proof"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["verify", str(junk), "--key", signer.verifier.vkey]) == 1
    assert "FAILED at format: the file is not UTF-8 text" in capsys.readouterr().err


def test_a_missing_file_or_malformed_key_exits_2(signed_log, capsys):
    signer, path, *_ = signed_log
    assert main(["verify", "/nonexistent.tlog-proof", "--key", signer.verifier.vkey]) == 2
    assert "cannot read /nonexistent.tlog-proof" in capsys.readouterr().err
    assert main(["verify", str(path), "--key", "not+a+key"]) == 2
    assert "is not a verifier key" in capsys.readouterr().err


def test_witness_policy_is_enforced(signed_log, capsys):
    signer, path, *_ = signed_log
    witness = Signer.generate("w.example/w", COSIGNATURE_V1)
    code = main(
        [
            "verify",
            str(path),
            "--key",
            signer.verifier.vkey,
            "--witness",
            witness.verifier.vkey,
            "--min-witnesses",
            "1",
        ]
    )
    assert code == 1
    assert "FAILED at witnesses" in capsys.readouterr().err


def test_verify_runs_without_django(signed_log):
    signer, path, *_ = signed_log
    code = (
        "import sys; from oretrace.cli import main; "
        f"rc = main(['verify', {str(path)!r}, '--key', {signer.verifier.vkey!r}, '--quiet']); "
        "assert 'django' not in sys.modules, 'django was imported'; sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


# --- witness ----------------------------------------------------------------------------------


@pytest.fixture
def witness_key(tmp_path, capsys):
    key_file = tmp_path / "w" / "witness.key"
    assert (
        main(["witness", "init", "--name", "witness.example/w1", "--key-file", str(key_file)]) == 0
    )
    vkey = capsys.readouterr().out.strip()
    assert vkey.startswith("witness.example/w1+")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    return key_file, vkey


def _cosign(log_dir: Path, signer: Signer, key_file: Path, state: Path) -> int:
    return main(
        [
            "witness",
            "cosign",
            str(log_dir),
            "--log-key",
            signer.verifier.vkey,
            "--key-file",
            str(key_file),
            "--state",
            str(state),
            "--no-submit",
        ]
    )


def _grow(tree: MemoryTree, n: int, tag: bytes = b"") -> None:
    for _ in range(n):
        tree.append(tag + tree.size.to_bytes(4, "big"))


def _tree(n: int, tag: bytes = b"") -> MemoryTree:
    tree = MemoryTree()
    _grow(tree, n, tag)
    return tree


@dataclass
class WitnessedLog:
    """A static log (its folder and signer) and the witness that follows it (key, state)."""

    signer: Signer
    log_dir: Path
    key_file: Path
    state: Path

    def publish(self, tree: MemoryTree) -> None:
        write_static_log(self.log_dir, tree, self.signer, ORIGIN)

    def cosign(self) -> int:
        return _cosign(self.log_dir, self.signer, self.key_file, self.state)

    def size(self) -> int:
        """The size the witness last cosigned."""
        return int(json.loads(self.state.read_text())[ORIGIN]["size"])


@pytest.fixture
def witnessed(tmp_path, witness_key) -> WitnessedLog:
    key_file, _vkey = witness_key
    return WitnessedLog(
        Signer.generate(ORIGIN), tmp_path / "log", key_file, tmp_path / "w" / "state.json"
    )


def test_the_witness_cosigns_a_consistent_log(witnessed, witness_key, capsys):
    _key_file, vkey = witness_key
    tree = _tree(300)
    witnessed.publish(tree)
    # when it first sees the log, then it cosigns
    assert witnessed.cosign() == 0
    out = capsys.readouterr().out
    from oretrace.ledger.checkpoint import verify_checkpoint
    from oretrace.ledger.note import parse_cosignature_vkey

    verified = verify_checkpoint(
        out, [witnessed.signer.verifier], witness_verifiers=[parse_cosignature_vkey(vkey)]
    )
    assert verified.witnesses[0][0] == "witness.example/w1"
    # when the log grows honestly, then it checks consistency from its tiles and cosigns again
    _grow(tree, 700)
    witnessed.publish(tree)
    assert witnessed.cosign() == 0
    assert witnessed.size() == 1000


def test_the_witness_refuses_a_rewritten_history(witnessed, capsys):
    # given a witness that cosigned a log at size 300
    honest = _tree(300)
    witnessed.publish(honest)
    assert witnessed.cosign() == 0
    # when the log's operator rewrites leaf 17 and signs a longer tree with the same key
    forked = MemoryTree()
    for i, leaf in enumerate(honest.levels[0]):
        forked.append_leaf_hash(leaf if i != 17 else b"\x11" * 32)
    _grow(forked, 50)
    witnessed.publish(forked)
    capsys.readouterr()
    # then the witness refuses, says why, and keeps its state
    assert witnessed.cosign() == 1
    err = capsys.readouterr().err
    assert "REFUSED" in err
    assert "not consistent with size 300" in err
    assert witnessed.size() == 300


def test_the_witness_refuses_a_shrunk_log_and_a_second_root(witnessed, capsys):
    witnessed.publish(_tree(20))
    assert witnessed.cosign() == 0
    witnessed.publish(_tree(10))
    assert witnessed.cosign() == 1
    assert "went back from size 20 to 10" in capsys.readouterr().err
    witnessed.publish(_tree(20, tag=b"x"))
    assert witnessed.cosign() == 1
    assert "two different roots for size 20" in capsys.readouterr().err


def test_the_witness_refuses_a_checkpoint_of_another_key(tmp_path, witness_key, capsys):
    key_file, _vkey = witness_key
    tree = MemoryTree()
    _grow(tree, 5)
    write_static_log(tmp_path / "log", tree, Signer.generate(ORIGIN), ORIGIN)
    code = _cosign(tmp_path / "log", Signer.generate(ORIGIN), key_file, tmp_path / "s.json")
    assert code == 1
    assert "REFUSED: checkpoint signature" in capsys.readouterr().err


def test_an_unreachable_log_exits_2(tmp_path, witness_key, capsys):
    key_file, _vkey = witness_key
    code = _cosign(tmp_path / "nowhere", Signer.generate(ORIGIN), key_file, tmp_path / "s.json")
    assert code == 2
    assert "cannot fetch" in capsys.readouterr().err
