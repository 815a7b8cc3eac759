"""RFC 6962 / RFC 9162 Merkle trees: hashing, proofs over a pluggable hash store, verification.

Pure: no ORM, no settings. A *node* ``(level, index)`` is the root of the complete subtree of
``2**level`` leaves that starts at leaf ``index * 2**level``; level 0 nodes are leaf hashes.
Complete subtrees never change once they exist, so a store only ever adds nodes, and a proof
for any tree size asks the store for O(log n) of them at once (one round trip for a database).

Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 (the bit-decomposition form used by the
Go verifiers of transparency-dev), so proofs are accepted by the same tools that check
Certificate Transparency and Sigstore logs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256

Node = tuple[int, int]


class MerkleError(ValueError):
    """A proof that does not verify, or a request no tree can answer."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return _sha256(b"\x00" + data).digest()


def leaf_hashes(entries: Iterable[bytes]) -> list[bytes]:
    """``leaf_hash`` of each entry, in one comprehension (batch appends)."""
    sha256 = _sha256
    return [sha256(b"\x00" + data).digest() for data in entries]


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


class HashStore(Protocol):
    """Where complete-subtree hashes live: a dict, database rows, tiles fetched over HTTP."""

    def hashes(self, nodes: Sequence[Node]) -> Sequence[bytes]:
        """The hashes of ``nodes``, in the same order; raise ``KeyError`` for a missing one."""
        ...


# --- tree arithmetic ------------------------------------------------------------------------


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(lo: int, hi: int) -> list[Node]:
    """The complete subtrees that make up leaves [lo, hi), largest first.

    ``lo`` must be a multiple of a power of two at least ``hi - lo`` (true of every range a
    proof or root needs); then MTH(D[lo:hi]) is the right fold of these nodes' hashes.
    """
    nodes = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of the hashes of ``range_nodes``: h0 · (h1 · (h2 · …))."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH make up PATH(index, D[0:size]), leaf's sibling first."""
    if not 0 <= index < size:
        raise MerkleError(f"leaf index {index} is outside a tree of size {size}")
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH make up PROOF(size1, D[0:size2]) (RFC 6962 §2.1.2)."""
    if not 0 <= size1 <= size2:
        raise MerkleError(f"no consistency proof from size {size1} to size {size2}")
    if size1 in (0, size2):
        return []
    ranges = []
    lo, hi, m, complete = 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            complete = False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def _resolve(ranges: Sequence[tuple[int, int]], store: HashStore) -> list[bytes]:
    """MTH of each range, asking the store for every node in one call."""
    per_range = [range_nodes(lo, hi) for lo, hi in ranges]
    wanted = sorted({node for nodes in per_range for node in nodes})
    found = dict(zip(wanted, store.hashes(wanted), strict=True))
    return [fold([found[node] for node in nodes]) for nodes in per_range]


def root(size: int, store: HashStore) -> bytes:
    """The root hash of the tree of ``size`` leaves."""
    if size == 0:
        return EMPTY_ROOT
    return _resolve([(0, size)], store)[0]


def inclusion_proof(index: int, size: int, store: HashStore) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return _resolve(inclusion_ranges(index, size), store)


def consistency_proof(size1: int, size2: int, store: HashStore) -> list[bytes]:
    """The proof that the tree of ``size1`` leaves is a prefix of the tree of ``size2``."""
    return _resolve(consistency_ranges(size1, size2), store)


Level = tuple[int, int, list[bytes]]


def append_levels(
    size: int, frontier: Sequence[bytes], leaves: Sequence[bytes]
) -> tuple[list[bytes], list[Level]]:
    """Extend a tree's right edge by leaf hashes, hashing one level at a time.

    ``frontier`` holds the hashes of ``range_nodes(0, size)``. Returns the new frontier and,
    per level from 0 up, ``(level, first index, hashes)``: every node the leaves complete,
    consecutive from the first. Each level is one list comprehension over the level below (a
    left neighbour that was already complete comes from the frontier), not a walk per leaf.
    """
    nodes = range_nodes(0, size)
    if len(nodes) != len(frontier):
        raise MerkleError(f"a tree of size {size} has {len(nodes)} frontier hashes")
    old = {level: h for (level, _index), h in zip(nodes, frontier, strict=True)}
    new_size = size + len(leaves)
    levels: list[Level] = []
    level, first, current = 0, size, list(leaves)
    sha256 = _sha256
    while current:
        levels.append((level, first, current))
        if first & 1:  # the first new node's left sibling was complete before
            current = [old[level], *current]
            first -= 1
        current = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(current[::2], current[1::2], strict=False)
        ]
        level, first = level + 1, first >> 1
    new_frontier = []
    for level, index in range_nodes(0, new_size):
        if level < len(levels) and index >= levels[level][1]:
            new_frontier.append(levels[level][2][index - levels[level][1]])
        else:
            new_frontier.append(old[level])
    return new_frontier, levels


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The root of a tree from its frontier hashes."""
    return fold(frontier) if frontier else EMPTY_ROOT


# --- verification ---------------------------------------------------------------------------


def _check_hashes(what: str, hashes: Iterable[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise MerkleError(f"{what} hash {i} is {len(h)} bytes, not {HASH_SIZE}")


def _decompose(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from leaf hash ``leaf`` at ``index`` of ``size``."""
    if not 0 <= index < size:
        raise MerkleError(f"leaf index {index} is outside a tree of size {size}")
    _check_hashes("leaf", [leaf])
    _check_hashes("proof", proof)
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise MerkleError(
            f"the inclusion proof has {len(proof)} hashes; index {index} in a tree of size "
            f"{size} needs {inner + border}"
        )
    result = _chain_inner(leaf, proof[:inner], index)
    return _chain_border_right(result, proof[inner:])


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """Raise ``MerkleError`` unless ``proof`` binds ``leaf`` at ``index`` to ``expected_root``."""
    got = root_from_inclusion_proof(index, size, leaf, proof)
    if got != expected_root:
        raise MerkleError(
            f"the inclusion proof for index {index} leads to a different root than the "
            f"tree of size {size}"
        )


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ``MerkleError`` unless ``proof`` shows tree ``size1`` is a prefix of ``size2``."""
    if size2 < size1:
        raise MerkleError(f"the tree shrank from size {size1} to {size2}")
    if size1 == size2:
        if proof:
            raise MerkleError("trees of equal size need an empty consistency proof")
        if size1 == 0 and root1 != EMPTY_ROOT:
            raise MerkleError("a tree of size 0 must have the empty root")
        if root1 != root2:
            raise MerkleError(f"two different roots for the same tree size {size1}")
        return
    if size1 == 0:
        raise MerkleError("a consistency proof from the empty tree proves nothing")
    if not proof:
        raise MerkleError(f"an empty consistency proof from size {size1} to {size2}")
    _check_hashes("proof", proof)
    _check_hashes("root", [root1, root2])
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    if size1 == 1 << shift:
        seed, start = root1, 0
    else:
        seed, start = proof[0], 1
    if len(proof) != start + inner + border:
        raise MerkleError(
            f"the consistency proof has {len(proof)} hashes; sizes {size1} → {size2} need "
            f"{start + inner + border}"
        )
    rest = proof[start:]
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if hash1 != root1:
        raise MerkleError(f"the consistency proof does not lead to the root of size {size1}")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if hash2 != root2:
        raise MerkleError(f"the consistency proof does not lead to the root of size {size2}")


# --- an in-memory tree ----------------------------------------------------------------------


class MemoryTree:
    """A whole tree in memory: every complete subtree hash, per level. Also a ``HashStore``.

    Used by tests, by the witness to check tiles, and as the benchmark's baseline.
    """

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append_leaf_hash(self, leaf: bytes) -> int:
        """Add a leaf hash; return its index. Completes the subtrees it closes."""
        index = len(self.levels[0])
        self.levels[0].append(leaf)
        level, i, h = 0, index, leaf
        while i & 1:
            h = node_hash(self.levels[level][i - 1], h)
            level += 1
            i >>= 1
            if level == len(self.levels):
                self.levels.append([])
            self.levels[level].append(h)
        return index

    def append(self, data: bytes) -> int:
        return self.append_leaf_hash(leaf_hash(data))

    def hashes(self, nodes: Sequence[Node]) -> list[bytes]:
        try:
            return [self.levels[level][index] for level, index in nodes]
        except IndexError:
            raise KeyError("node not in this tree") from None

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return consistency_proof(size1, self.size if size2 is None else size2, self)
