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

from collections.abc import Iterator
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
