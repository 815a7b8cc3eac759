"""Django's SQLite backend, with writers that take the write lock as soon as it is free.

oretrace opens every transaction with ``BEGIN IMMEDIATE`` (one writer at a time, no lock
upgrade deadlocks). While another process writes, SQLite's own busy handler retries after
sleeps that grow to 100 ms, so a web worker kept waiting for a capture's transaction woke up
to 100 ms after the lock was free: with two workers capturing, a quarter of the machine sat
idle. Here the ``BEGIN`` is retried every millisecond instead, for as long as the configured
``timeout``; then the usual "database is locked" error is raised.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

RETRY_SECONDS = 0.001
DEFAULT_TIMEOUT = 5.0  # seconds, as sqlite3.connect's


class DatabaseWrapper(base.DatabaseWrapper):
    # django-stubs does not declare the SQLite backend's transaction_mode and this method.
    def _start_transaction_under_autocommit(self) -> None:
        mode: str | None = getattr(self, "transaction_mode", None)
        if mode is None or mode == "DEFERRED":  # takes no lock: cannot be kept waiting here
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT))
        raw = self.connection
        with self.wrap_database_errors:
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                _begin(raw, mode, time.monotonic() + timeout)
            finally:
                raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _begin(raw: sqlite3.Connection, mode: str, deadline: float) -> None:
    while True:
        try:
            raw.execute(f"BEGIN {mode}")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # extended codes too
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(RETRY_SECONDS)
