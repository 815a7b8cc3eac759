"""Helpers of the ledger's tests."""

from __future__ import annotations

from pathlib import Path

from oretrace.ledger import keys
from oretrace.ledger.checkpoint import Checkpoint
from oretrace.ledger.merkle import MemoryTree
from oretrace.ledger.note import Signer
from oretrace.ledger.tiles import TILE_WIDTH, tile_path, tile_width


def write_static_log(folder: Path, tree: MemoryTree, signer: Signer, origin: str) -> str:
    """Lay out ``tree`` as a static tlog-tiles log in ``folder``; return its checkpoint."""
    size = tree.size
    for tile_level in range(0, 8):
        level = tile_level * 8
        if level >= len(tree.levels):
            break
        index = 0
        while (width := tile_width(tile_level, index, size)) > 0:
            hashes = tree.levels[level][index * TILE_WIDTH : index * TILE_WIDTH + width]
            target = folder / tile_path(tile_level, index, width)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"".join(hashes))
            index += 1
    checkpoint = Checkpoint(origin, size, tree.root()).sign([signer])
    (folder / "checkpoint").write_text(checkpoint)
    return checkpoint


def vkey() -> str:
    return keys.log_verifier().vkey
