"""Fixtures of the traceability tests: the EPCIS schema from ../shared/data, small documents."""

from __future__ import annotations

import pytest

from oretrace.core.tests.fixtures import own_ledger_keys


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    """Ledger keys of the test's own, outside the data directory."""
    own_ledger_keys(settings, tmp_path)


@pytest.fixture
def epcis_data(shared_data):
    return shared_data / "epcis"


@pytest.fixture
def schema_path(epcis_data):
    path = epcis_data / "gs1_EPCIS" / "EPCIS-JSON-Schema.json"
    if not path.is_file():
        pytest.skip("the EPCIS JSON Schema is not in ../shared/data")
    return path


@pytest.fixture
def with_schema(settings, schema_path):
    """ORETRACE_EPCIS_SCHEMA pointed at GS1's schema in ../shared/data."""
    settings.ORETRACE_EPCIS_SCHEMA = schema_path
    return schema_path
