"""Expensive rows built once for many tests: in a transaction rolled back when they are done.

pytest-django runs each test in a savepoint of its own; a module- or session-scoped fixture that
builds its rows inside ``shared_rows()`` keeps them in an outer transaction, so every test of the
module sees them, a test's own writes are still rolled back after it, and the rows themselves
are rolled back after the last test (the next module starts from the empty database)::

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield build_world()

Only for tests that do not commit (``transactional_db`` tests cannot share an open transaction).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def shared_rows(django_db_blocker: Any) -> Iterator[None]:
    """Open the outer transaction (rolled back at the end) that the rows are built in."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# Rows built once per test process and put back for each module that asks for them: on SQLite
# (the suite's database) a copy of the database file is taken once the rows are built, and
# ``sqlite3``'s backup copies it in again in milliseconds, where building them again takes
# seconds. Keyed by what was built; the value (e.g. the route world's ids) is kept beside it.
_KEPT: dict[str, tuple[Any, sqlite3.Connection]] = {}


def _copy_of(live: sqlite3.Connection) -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    live.backup(copy)
    return copy


def _put_back(copy: sqlite3.Connection, live: sqlite3.Connection) -> None:
    copy.backup(live)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@contextmanager
def kept_rows[T](django_db_blocker: Any, key: str, build: Callable[[], T]) -> Iterator[T]:
    """``build()``'s rows for a module's tests, as ``shared_rows`` gives them — each test's own
    writes rolled back after it, the database as it was once the module is done — but built
    once per process on SQLite: the first module builds them (in a transaction whose commit
    callbacks are dropped, as they were never run under ``shared_rows``) and keeps a copy of the
    database; later modules get that copy put back. On another database: ``shared_rows``.
    Only for tests that do not commit (as ``shared_rows``)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        with shared_rows(django_db_blocker):
            yield build()
        return
    with django_db_blocker.unblock():
        connection.ensure_connection()
        live = connection.connection
        before = _copy_of(live)
        if key in _KEPT:
            value, rows = _KEPT[key]
            _put_back(rows, live)
        else:
            with transaction.atomic():
                value = build()
                connection.run_on_commit.clear()
            _KEPT[key] = (value, _copy_of(live))
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            _put_back(before, live)
            before.close()
