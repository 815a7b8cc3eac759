"""Stored subtree hashes: writing new nodes into ``HashTile`` rows and reading them for proofs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Q

from oretrace.ledger.merkle import HASH_SIZE, Node
from oretrace.ledger.models import HashTile
from oretrace.ledger.tiles import TILE_WIDTH


class DatabaseHashStore:
    """A ``merkle.HashStore`` over ``HashTile`` rows: one query per proof.

    The query is written out: it reads just the 32 bytes of each node (``SUBSTR`` works on
    SQLite blobs and PostgreSQL bytea alike) instead of whole 8 KiB tiles, and skips the ORM's
    composition of a large OR, which together took proofs from ~1.8 ms to well under 1 ms
    (benchmarks/ledger.py).
    """

    def hashes(self, nodes: Sequence[Node]) -> list[bytes]:
        if not nodes:
            return []
        table = HashTile._meta.db_table
        index = connection.ops.quote_name("index")
        columns: list[list[int]] = [[], [], [], []]  # n, offset, level, tile
        for n, (level, node) in enumerate(nodes):
            for column, value in zip(
                columns,
                (n, (node % TILE_WIDTH) * HASH_SIZE + 1, level, node // TILE_WIDTH),
                strict=True,
            ):
                column.append(value)
        if connection.vendor == "postgresql":
            # One plan for any number of nodes.
            sql = (
                f"SELECT t.n, SUBSTR(h.hashes, t.off, {HASH_SIZE}) FROM "  # noqa: S608
                "unnest(%s::int[], %s::int[], %s::int[], %s::bigint[]) AS t(n, off, lvl, tile) "
                f"JOIN {table} h ON h.level = t.lvl AND h.{index} = t.tile"
            )
            params: list[Any] = columns
        else:
            one = (
                f"SELECT %s, SUBSTR(hashes, %s, {HASH_SIZE}) FROM {table} "  # noqa: S608
                f"WHERE level = %s AND {index} = %s"
            )
            sql = " UNION ALL ".join([one] * len(nodes))
            params = [value for row in zip(*columns, strict=True) for value in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {n: bytes(h) for n, h in cursor.fetchall() if h is not None}
        out = []
        for n, (level, node) in enumerate(nodes):
            h = found.get(n, b"")
            if len(h) != HASH_SIZE:
                raise KeyError(f"no stored hash for node {level}/{node}")
            out.append(h)
        return out


def store_nodes(nodes: Sequence[tuple[int, int, bytes]]) -> None:
    """Add new complete-subtree hashes (each level in index order) to their tiles.

    Runs under the log-state lock: nodes of a level arrive in order, so a tile whose first new
    node is not at offset 0 already exists and is extended; every other tile is new.
    """
    groups: dict[tuple[int, int], list[bytes]] = defaultdict(list)
    starts: dict[tuple[int, int], int] = {}
    for level, index, h in nodes:
        key = (level, index // TILE_WIDTH)
        if key not in starts:
            starts[key] = index % TILE_WIDTH
        groups[key].append(h)
    extend = [key for key, start in starts.items() if start]
    existing: dict[tuple[int, int], HashTile] = {}
    if extend:
        condition = Q()
        for level, tile in extend:
            condition |= Q(level=level, index=tile)
        existing = {(t.level, t.index): t for t in HashTile.objects.filter(condition)}
    updated, created = [], []
    for key, hashes in groups.items():
        blob = b"".join(hashes)
        if key in existing:
            row = existing[key]
            if len(row.hashes) != starts[key] * HASH_SIZE:
                raise RuntimeError(f"tile {key} has {len(row.hashes)} bytes, the log expected more")
            row.hashes = bytes(row.hashes) + blob
            updated.append(row)
        else:
            if starts[key]:
                raise RuntimeError(f"tile {key} is missing from the stored tree")
            created.append(HashTile(level=key[0], index=key[1], hashes=blob))
    if updated:
        HashTile.objects.bulk_update(updated, ["hashes"])
    if created:
        HashTile.objects.bulk_create(created)


def tile_bytes(level: int, index: int, width: int) -> bytes | None:
    """The first ``width`` hashes of tree level ``level``'s tile ``index``, if it has them."""
    blob = HashTile.objects.filter(level=level, index=index).values_list("hashes", flat=True)
    data = bytes(blob[0]) if blob else b""
    if len(data) < width * HASH_SIZE:
        return None
    return data[: width * HASH_SIZE]
