"""Many rows into one table, straight through the database driver.

A capture writes thousands of rows at a time (events, their identifiers, lots, movements,
edges). ``bulk_create`` spent more time building model instances and SQL than the database
spent storing them (~35 % of a capture); here rows are plain tuples in column order:

- SQLite: multi-row ``INSERT … VALUES (…), (…)`` statements through sqlite3's own cursor
  (Django's wrapper would rewrite every placeholder with a regular expression);
- PostgreSQL: one ``COPY … FROM STDIN`` in text format, written here row by row.

Primary keys are reserved up front (``reserve_ids``), so that the caller knows every row's id
without reading them back. Callers run inside the capture's transaction; on SQLite that
transaction already holds the write lock (the capture row is written first), so nobody else
can take the ids in between.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from django.db import connection
from django.db.models import Model

# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SQLITE_PARAMETERS = 30_000  # below SQLite's 32,766 bound parameters per statement
# Rows per write of a COPY: small enough that the server stores one part while the next is
# written here (on a shared machine the two run side by side).
_COPY_ROWS = 250


def json_text(value: Any) -> str:
    """A JSON value as stored in a JSON column (compact; orjson, ~8x the json module)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits: the json module takes it
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def table_of(model: type[Model]) -> str:
    return model._meta.db_table


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys of the model's table, for rows about to be inserted."""
    if count == 0:
        return []
    table = table_of(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite's AUTOINCREMENT never reuses an id: start above both the sequence and the rows.
        query = (
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))"
        )
        cursor.execute(query, [table])
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def where_in(column: str, values: Sequence[str] | Sequence[int]) -> Iterator[tuple[str, list[Any]]]:
    """``column IN (…)`` conditions with their parameters, as many as the values need.

    Written out because Django's ``__in`` lookup prepares every value through the field
    (~40 µs per hundred values). PostgreSQL takes the values as one array literal, written
    here: psycopg adapting a list of a thousand strings one by one took 8 ms. (A JSON array
    unnested by the server was as quick to send, but hid the number of values from the
    planner, which then read all of an organisation's rows.)
    """
    if not values:
        return
    if connection.vendor == "postgresql":
        if all(type(v) is int for v in values):
            yield f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, values)) + "}"]
        elif all(type(v) is str for v in values):
            yield f"{column} = ANY(%s::text[])", [_text_array(cast(Sequence[str], values))]
        else:
            raise TypeError(f"where_in takes text or whole numbers, not {values[0]!r}…")
        return
    for lo in range(0, len(values), _SQLITE_PARAMETERS):
        part = list(values[lo : lo + _SQLITE_PARAMETERS])
        yield f"{column} IN ({', '.join(['%s'] * len(part))})", part


def _text_array(values: Sequence[str]) -> str:
    """PostgreSQL's literal of a text array: every element quoted, ``\\`` and ``"`` escaped."""
    escaped = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + '","'.join(escaped) + '"}'


def timestamp(value: datetime) -> str:
    """An aware datetime as the database takes it in ``insert_rows``."""
    if connection.vendor == "postgresql":
        return value.isoformat()
    if value.tzinfo is UTC and connection.timezone_name == "UTC":  # the common case, fast
        return str(value.replace(tzinfo=None))
    return str(connection.ops.adapt_datetimefield_value(value))


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


def _copy_value(value: Any) -> str:
    """One value in COPY's text format (most are text that needs no escape: checked first)."""
    if type(value) is str:
        return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE(value) else value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into the model's table.

    Values are str, int, float, bool, Decimal or None; datetimes are given as ``timestamp``
    and JSON as ``json_text``.
    """
    table = connection.ops.quote_name(table_of(model))
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # The driver's own cursor is used below: its errors become Django's (IntegrityError…).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                lines = []
                for row in rows:
                    lines.append("\t".join(map(_copy_value, row)) + "\n")
                    if len(lines) == _COPY_ROWS:
                        copy.write("".join(lines))
                        lines = []
                if lines:
                    copy.write("".join(lines))
            return
        width = len(columns)
        per_statement = max(1, _SQLITE_PARAMETERS // width)
        placeholders = "(" + ", ".join(["?"] * width) + ")"
        statements: dict[int, str] = {}
        batch: list[Any] = []
        count = 0

        def flush() -> None:
            if count not in statements:
                statements[count] = (
                    f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                    + ", ".join([placeholders] * count)
                )
            # sqlite3's own execute: Django's would rewrite every "%s" to "?" by regex.
            sqlite3.Cursor.execute(cursor.cursor, statements[count], batch)

        for row in rows:
            batch.extend(row)
            count += 1
            if count == per_statement:
                flush()
                batch, count = [], 0
        if count:
            flush()
