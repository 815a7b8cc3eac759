"""C2SP tlog-tiles: tile paths, tile widths, entry bundles, and a hash store that reads tiles.

Pure: no ORM, no settings. A tile at level L holds up to 256 consecutive hashes of complete
subtrees of 256**L leaves, i.e. Merkle nodes at tree level 8·L; the hashes in between are
recomputed from the tile (at most 255 hashes per tile).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from oretrace.ledger.merkle import HASH_SIZE, Node, node_hash

TILE_WIDTH = 256
TILE_HEIGHT = 8
ENTRIES = "entries"

_PATH = re.compile(
    r"tile/(?P<level>0|[1-9][0-9]?|entries)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


class TileError(ValueError):
    """A tile path or tile content that does not follow tlog-tiles."""


def encode_index(index: int) -> str:
    """1234067 → ``x001/x234/067``; 5 → ``005``."""
    if index < 0:
        raise TileError("a tile index cannot be negative")
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if index == 0:
            break
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` (``level`` may be ``"entries"``)."""
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"a tile is 1 to {TILE_WIDTH} wide, not {width}")
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


@dataclass(frozen=True)
class TileRef:
    level: int | None  # None for an entry bundle
    index: int
    width: int

    @property
    def is_entries(self) -> bool:
        return self.level is None


def parse_tile_path(path: str) -> TileRef:
    """Read ``tile/<L>/<N>[.p/<W>]`` strictly (no stray leading zeroes, W from 1 to 255)."""
    match = _PATH.fullmatch(path.strip("/"))
    if match is None:
        raise TileError(f"{path!r} is not a tlog-tiles path")
    level_text, width_text = match["level"], match["width"]
    level = None if level_text == ENTRIES else int(level_text)
    if level is not None and level > 63:
        raise TileError("a tile level is at most 63")
    width = int(width_text) if width_text else TILE_WIDTH
    if width_text and width >= TILE_WIDTH:
        raise TileError("a partial tile is 1 to 255 wide")
    groups = match["index"].split("/")
    index = int("".join(g.lstrip("x") for g in groups))
    if encode_index(index) != match["index"]:
        raise TileError(f"{path!r} does not encode its index canonically")
    return TileRef(level, index, width)


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes tile ``(level, index)`` holds in a tree of ``size`` leaves (0: none)."""
    span: int = TILE_WIDTH**level  # int ** int is typed Any (a negative power is a float)
    available = size // span - index * TILE_WIDTH
    return max(0, min(TILE_WIDTH, available))


def encode_entries(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry prefixed by its big-endian uint16 length."""
    out = bytearray()
    for entry in entries:
        if len(entry) > 0xFFFF:
            raise TileError("an entry is at most 65,535 bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_entries(data: bytes) -> list[bytes]:
    entries, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError("the entry bundle ends inside a length prefix")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + length > len(data):
            raise TileError("the entry bundle ends inside an entry")
        entries.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
    return entries


def split_hashes(data: bytes) -> list[bytes]:
    if len(data) % HASH_SIZE:
        raise TileError(f"a tile's length {len(data)} is not a multiple of {HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


class TileStore:
    """A ``HashStore`` over the tiles of a tree of known size, fetched with ``fetch(path)``.

    Used by the witness to compute consistency proofs from a log's public tiles; nothing it
    reads is trusted, since every proof is checked against signed roots.
    """

    def __init__(self, fetch: Callable[[str], bytes], size: int) -> None:
        self.fetch = fetch
        self.size = size
        self._tiles: dict[tuple[int, int], list[bytes]] = {}

    def _tile(self, level: int, index: int) -> list[bytes]:
        key = (level, index)
        if key not in self._tiles:
            width = tile_width(level, index, self.size)
            if width == 0:
                raise KeyError(f"tile {level}/{index} is beyond size {self.size}")
            hashes = split_hashes(self.fetch(tile_path(level, index, width)))
            if len(hashes) != width:
                raise TileError(
                    f"tile {tile_path(level, index, width)} has {len(hashes)} hashes, not {width}"
                )
            self._tiles[key] = hashes
        return self._tiles[key]

    def hashes(self, nodes: Sequence[Node]) -> list[bytes]:
        return [self._node(level, index) for level, index in nodes]

    def _node(self, level: int, index: int) -> bytes:
        tile_level, height = divmod(level, TILE_HEIGHT)
        first = index << height
        tile = self._tile(tile_level, first // TILE_WIDTH)
        offset = first % TILE_WIDTH
        row = tile[offset : offset + (1 << height)]
        if len(row) != 1 << height:
            raise KeyError(f"node {level}/{index} is not complete in size {self.size}")
        while len(row) > 1:
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]
