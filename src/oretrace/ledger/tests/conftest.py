"""Fixtures of the ledger's tests: a signing key of their own, outside the data directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    """Each test gets fresh keys in its own folder (generated on first use, like production)."""
    settings.ORETRACE_LEDGER_KEY_PATH = tmp_path / "ledger" / "log.key"
    settings.ORETRACE_LEDGER_ORIGIN = "oretrace.test/ledger"
    settings.ORETRACE_LEDGER_WITNESSES = []
    settings.ORETRACE_LEDGER_PREVIOUS_KEY_PATHS = []
    return settings.ORETRACE_LEDGER_KEY_PATH
