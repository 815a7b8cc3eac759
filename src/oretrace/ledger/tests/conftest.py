"""Fixtures of the ledger's tests: a signing key of their own, outside the data directory."""

from __future__ import annotations

import pytest

from oretrace.core.tests.fixtures import own_ledger_keys


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    """Each test gets fresh keys in its own folder (generated on first use, like production)."""
    return own_ledger_keys(settings, tmp_path)
