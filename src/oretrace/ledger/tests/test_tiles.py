"""C2SP tlog-tiles: paths, widths, entry bundles, and proofs computed from tiles."""

from __future__ import annotations

import pytest

from oretrace.ledger import merkle, tiles
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.tiles import TileError, TileRef


@pytest.mark.parametrize(
    ("index", "encoded"),
    [(0, "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_index_encoding_follows_the_spec(index, encoded):
    assert tiles.encode_index(index) == encoded
    assert tiles.parse_tile_path(f"tile/0/{encoded}") == TileRef(0, index, 256)


def test_paths_round_trip():
    assert tiles.tile_path(1, 1234067, 17) == "tile/1/x001/x234/067.p/17"
    assert tiles.parse_tile_path("tile/entries/x001/000.p/3") == TileRef(None, 1000, 3)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/5",
        "tile/0/0005",
        "tile/00/005",
        "tile/0/x000/005",
        "tile/0/005.p/256",
        "tile/0/005.p/0",
        "tile/64/000",
        "tile/0/001/002",
    ],
)
def test_non_canonical_paths_are_refused(path):
    with pytest.raises(TileError):
        tiles.parse_tile_path(path)


def test_widths_of_the_spec_example():
    # a tree of 70,000: 273 full level-0 tiles, one of 112; one full level-1 tile, one of 17;
    # one level-2 tile of 1
    size = 70_000
    assert tiles.tile_width(0, 272, size) == 256
    assert tiles.tile_width(0, 273, size) == 112
    assert tiles.tile_width(0, 274, size) == 0
    assert tiles.tile_width(1, 0, size) == 256
    assert tiles.tile_width(1, 1, size) == 17
    assert tiles.tile_width(2, 0, size) == 1


def test_entry_bundles_round_trip():
    entries = [b"", b"a", bytes(300)]
    assert tiles.decode_entries(tiles.encode_entries(entries)) == entries
    with pytest.raises(TileError):
        tiles.decode_entries(b"\x00\x05ab")


def _serve(tree: MemoryTree):
    """Tiles of ``tree`` as a static log would serve them."""

    def fetch(path: str) -> bytes:
        ref = tiles.parse_tile_path(path)
        assert ref.level is not None
        level_hashes = tree.levels[8 * ref.level] if len(tree.levels) > 8 * ref.level else []
        start = ref.index * 256
        chunk = level_hashes[start : start + ref.width]
        assert len(chunk) == ref.width
        return b"".join(chunk)

    return fetch


@pytest.mark.parametrize("size", [1, 255, 256, 257, 70_000])
def test_proofs_from_tiles_equal_proofs_from_the_tree(size):
    # given a tree and a store that reads only its tiles
    tree = MemoryTree()
    for i in range(size):
        tree.append(i.to_bytes(4, "big"))
    store = tiles.TileStore(_serve(tree), size)
    # then roots and proofs computed from tiles are the tree's
    assert merkle.root(size, store) == tree.root()
    for old in {1, size // 2 or 1, size - 1 or 1}:
        assert merkle.consistency_proof(old, size, store) == tree.consistency_proof(old)
    assert merkle.inclusion_proof(size - 1, size, store) == tree.inclusion_proof(size - 1)
