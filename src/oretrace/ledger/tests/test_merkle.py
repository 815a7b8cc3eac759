"""RFC 6962/9162 Merkle trees: the transparency-dev vectors, and proofs this module generates."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oretrace.ledger import merkle
from oretrace.ledger.merkle import MemoryTree, MerkleError

VECTORS = Path("transparency/transparency-dev_merkle/testdata")
# The eight leaves of the RFC 6962 reference tests (the vectors' trees are built from them).
RFC_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]


def _b(text: str) -> bytes:
    return base64.b64decode(text) if text else b""


def _vectors(shared_data: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    files = sorted((shared_data / VECTORS / kind).rglob("*.json"))
    assert files, "no vectors found"
    return [(str(f.relative_to(shared_data / VECTORS)), json.loads(f.read_text())) for f in files]


def _check_inclusion(v: dict[str, Any]) -> None:
    merkle.verify_inclusion(
        v["leafIdx"],
        v["treeSize"],
        _b(v["leafHash"]),
        [_b(p) for p in v["proof"] or []],
        _b(v["root"]),
    )


def _check_consistency(v: dict[str, Any]) -> None:
    merkle.verify_consistency(
        v["size1"], v["size2"], _b(v["root1"]), _b(v["root2"]), [_b(p) for p in v["proof"] or []]
    )


def _rfc_tree() -> MemoryTree:
    """The RFC 6962 reference tree of 8 leaves."""
    tree = MemoryTree()
    for leaf in RFC_LEAVES:
        tree.append(leaf)
    return tree


@pytest.mark.parametrize(
    ("kind", "check"), [("inclusion", _check_inclusion), ("consistency", _check_consistency)]
)
def test_every_vector_is_judged_as_expected(shared_data, kind, check):
    # given every vector of the kind, valid and invalid
    vectors = _vectors(shared_data, kind)
    # when each is verified, then valid ones pass and invalid ones raise
    wrong = []
    for name, v in vectors:
        try:
            check(v)
            failed = False
        except MerkleError:
            failed = True
        if failed != v["wantErr"]:
            wrong.append(name)
    assert not wrong
    assert len(vectors) > 80


def test_generated_proofs_equal_the_vectors_happy_paths(shared_data):
    # given the RFC 6962 reference tree of 8 leaves
    tree = _rfc_tree()
    # when proofs are generated for the vectors' happy paths, then they are the same hashes
    for _name, v in _vectors(shared_data, "inclusion"):
        if v["desc"] == "happy path" and v["treeSize"] <= 8:
            assert tree.root(v["treeSize"]) == _b(v["root"])
            proof = tree.inclusion_proof(v["leafIdx"], v["treeSize"])
            assert proof == [_b(p) for p in v["proof"] or []]
    for _name, v in _vectors(shared_data, "consistency"):
        if v["desc"] == "happy path" and v["size2"] <= 8:
            proof = tree.consistency_proof(v["size1"], v["size2"])
            assert proof == [_b(p) for p in v["proof"] or []]


def test_rfc_reference_root():
    tree = _rfc_tree()
    assert tree.root().hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert tree.root(0) == merkle.EMPTY_ROOT


@given(size=st.integers(1, 300), data=st.data())
def test_generated_proofs_verify(size, data):
    # given a tree of any size
    tree = MemoryTree()
    for i in range(size):
        tree.append(i.to_bytes(4, "big"))
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size))
    # when proofs are generated, then they verify against the roots
    merkle.verify_inclusion(
        index, size, tree.levels[0][index], tree.inclusion_proof(index), tree.root()
    )
    merkle.verify_consistency(old, size, tree.root(old), tree.root(), tree.consistency_proof(old))


def test_proof_against_a_changed_leaf_fails():
    # given a tree and a proof for leaf 3
    tree = MemoryTree()
    for i in range(10):
        tree.append(bytes([i]))
    proof = tree.inclusion_proof(3)
    # when leaf 3's data is different, then the proof fails
    with pytest.raises(MerkleError, match="different root"):
        merkle.verify_inclusion(3, 10, merkle.leaf_hash(b"forged"), proof, tree.root())


def test_a_rewritten_history_is_inconsistent():
    # given two trees that share a prefix of 4 leaves but differ in leaf 5
    honest, forked = MemoryTree(), MemoryTree()
    for i in range(8):
        honest.append(bytes([i]))
        forked.append(bytes([i if i != 5 else 99]))
    # when the forked tree proves consistency with the honest tree of size 6
    proof = forked.consistency_proof(6)
    # then the proof does not verify
    with pytest.raises(MerkleError):
        merkle.verify_consistency(6, 8, honest.root(6), forked.root(), proof)
