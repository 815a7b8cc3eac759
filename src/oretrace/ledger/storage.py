"""Stored subtree hashes: writing new nodes into ``HashTile`` rows and reading them for proofs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from oretrace.ledger.merkle import HASH_SIZE, Level, Node
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


def store_levels(levels: Sequence[Level]) -> None:
    """Add the nodes of ``merkle.append_levels`` to their tiles: each tile written once.

    Runs under the log-state lock. A level's new nodes are consecutive, so only its first tile
    can already exist (when the first new node is not at offset 0): it is read and extended
    (at most one per level); every other tile is new. A handful of statements per batch,
    whatever its size, instead of one write per level update.
    """
    tile_bytes_ = TILE_WIDTH * HASH_SIZE
    extend: dict[tuple[int, int], tuple[int, bytes]] = {}
    created: list[tuple[int, int, bytes]] = []
    for level, first, hashes in levels:
        blob = b"".join(hashes)
        tile, offset = divmod(first, TILE_WIDTH)
        position = 0
        if offset:
            position = (TILE_WIDTH - offset) * HASH_SIZE
            extend[(level, tile)] = (offset * HASH_SIZE, blob[:position])
            tile += 1
        for start in range(position, len(blob), tile_bytes_):
            created.append((level, tile, blob[start : start + tile_bytes_]))
            tile += 1
    if connection.vendor == "postgresql":
        _write_tiles_postgresql(extend, created)
    else:
        _write_tiles_sqlite(extend, created)


_Extend = dict[tuple[int, int], tuple[int, bytes]]


def _write_tiles_sqlite(extend: _Extend, created: list[tuple[int, int, bytes]]) -> None:
    table = connection.ops.quote_name(HashTile._meta.db_table)
    index = connection.ops.quote_name("index")
    with connection.cursor() as cursor:
        if extend:
            condition = " OR ".join([f"(level = %s AND {index} = %s)"] * len(extend))
            cursor.execute(
                f"SELECT level, {index}, hashes FROM {table} WHERE {condition}",  # noqa: S608
                [value for key in extend for value in key],
            )
            existing = {(level, tile): bytes(blob) for level, tile, blob in cursor.fetchall()}
            updates = []
            for (level, tile), (expected, tail) in extend.items():
                stored = existing.get((level, tile))
                _check_tile(level, tile, stored, expected)
                updates.append((stored + tail, level, tile))  # type: ignore[operator]
            cursor.executemany(
                f"UPDATE {table} SET hashes = %s WHERE level = %s AND {index} = %s",  # noqa: S608
                updates,
            )
        if created:
            cursor.executemany(
                f"INSERT INTO {table} (level, {index}, hashes) VALUES (%s, %s, %s)",  # noqa: S608
                created,
            )


def _write_tiles_postgresql(extend: _Extend, created: list[tuple[int, int, bytes]]) -> None:
    """Two statements whatever the batch: tiles are extended in place (``||``, checked against
    the length the log expects) and new tiles copied in."""
    table = connection.ops.quote_name(HashTile._meta.db_table)
    index = connection.ops.quote_name("index")
    with connection.cursor() as cursor:
        if extend:
            keys = list(extend)
            cursor.execute(
                f"UPDATE {table} AS t SET hashes = t.hashes || v.tail "  # noqa: S608
                "FROM unnest(%s::int[], %s::bigint[], %s::int[], %s::bytea[]) "
                "AS v(lvl, tile, expected, tail) "
                f"WHERE t.level = v.lvl AND t.{index} = v.tile AND length(t.hashes) = v.expected "
                f"RETURNING t.level, t.{index}",
                [
                    [level for level, _tile in keys],
                    [tile for _level, tile in keys],
                    [extend[key][0] for key in keys],
                    [extend[key][1] for key in keys],
                ],
            )
            done = set(cursor.fetchall())
            for level, tile in keys:
                if (level, tile) not in done:  # say which tile, then roll the append back
                    rows = HashTile.objects.filter(level=level, index=tile)
                    stored = rows.values_list("hashes", flat=True).first()
                    found = None if stored is None else bytes(stored)
                    _check_tile(level, tile, found, extend[(level, tile)][0])
        if created:  # binary COPY: the hashes go as raw bytes, not as hex text
            sql = f"COPY {table} (level, {index}, hashes) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(sql) as copy:
                copy.set_types(["smallint", "bigint", "bytea"])
                for new_tile in created:
                    copy.write_row(new_tile)


def _check_tile(level: int, tile: int, stored: bytes | None, expected: int) -> None:
    if stored is None:
        raise RuntimeError(f"tile {(level, tile)} is missing from the stored tree")
    if len(stored) != expected:
        raise RuntimeError(
            f"tile {(level, tile)} has {len(stored)} bytes, the log expected {expected}"
        )


def tile_bytes(level: int, index: int, width: int) -> bytes | None:
    """The first ``width`` hashes of tree level ``level``'s tile ``index``, if it has them."""
    blob = HashTile.objects.filter(level=level, index=index).values_list("hashes", flat=True)
    data = bytes(blob[0]) if blob else b""
    if len(data) < width * HASH_SIZE:
        return None
    return data[: width * HASH_SIZE]
