"""oretrace's SQLite backend: a writer kept waiting retries BEGIN every millisecond."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connection

from oretrace.core.sqlite import base

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backend only serves SQLite databases"
)


def _wrapper(path, timeout: float) -> base.DatabaseWrapper:
    settings_dict = {
        **connection.settings_dict,
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
        },
    }
    wrapper = base.DatabaseWrapper(settings_dict, alias="sqlite-test")
    wrapper.ensure_connection()
    return wrapper


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A database file of the test's own, and another process's connection to it."""
    path = tmp_path / "writers.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    with django_db_blocker.unblock():  # connections of the test's own, to its own file
        yield path, other
    other.close()


@pytest.fixture
def sleeps(monkeypatch):
    """The sleeps between attempts (still slept, so that another thread can finish)."""
    slept: list[float] = []
    real = time.sleep

    def record(seconds: float) -> None:
        slept.append(seconds)
        real(seconds)

    monkeypatch.setattr(time, "sleep", record)  # the module the SQLite backend sleeps with
    return slept


def test_a_free_database_is_written_at_once(database, sleeps):
    path, _other = database
    wrapper = _wrapper(path, timeout=5)
    try:
        wrapper._start_transaction_under_autocommit()
        assert wrapper.connection.in_transaction
        wrapper.connection.execute("INSERT INTO t VALUES (1)")
        wrapper.connection.commit()
    finally:
        wrapper.close()
    assert sleeps == []


def test_a_writer_kept_waiting_retries_every_millisecond_until_the_lock_is_free(database, sleeps):
    path, other = database
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    releaser = threading.Timer(0.05, other.execute, args=("COMMIT",))
    wrapper = _wrapper(path, timeout=5)
    try:
        releaser.start()
        wrapper._start_transaction_under_autocommit()
        assert wrapper.connection.in_transaction
        assert wrapper.connection.execute("SELECT count(*) FROM t").fetchone() == (1,)
        wrapper.connection.commit()
        # SQLite's own wait is back for statements outside a transaction
        assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    finally:
        releaser.join()
        wrapper.close()
    assert sleeps
    assert set(sleeps) == {base.RETRY_SECONDS}


def test_a_writer_still_waiting_at_the_timeout_gets_database_is_locked(database, sleeps):
    path, other = database
    other.execute("BEGIN IMMEDIATE")
    wrapper = _wrapper(path, timeout=0.05)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            wrapper._start_transaction_under_autocommit()
        assert not wrapper.connection.in_transaction
        assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone() == (50,)
    finally:
        other.execute("ROLLBACK")
        wrapper.close()
    assert sleeps


@pytest.mark.django_db
def test_connections_keep_a_capture_in_memory_and_checkpoint_every_10000_pages():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone() == (-32768,)
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (10000,)
