"""Fixtures shared by every app's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference catalogues once per test session."""
    from oretrace.core.reference import load_countries, load_minerals, load_subdivisions

    with django_db_blocker.unblock():
        load_countries()
        load_subdivisions()
        load_minerals()


@pytest.fixture
def reference_data(transactional_db) -> None:
    """The reference catalogues, for a test whose writes are committed.

    Such a test ends by emptying every table, the catalogues loaded for the session included;
    pytest-django runs these tests last, and each one that needs countries loads them again.
    """
    from oretrace.core.reference import load_countries, load_minerals, load_subdivisions

    load_countries()
    load_subdivisions()
    load_minerals()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


pytest_plugins = ["oretrace.core.tests.fixtures"]
