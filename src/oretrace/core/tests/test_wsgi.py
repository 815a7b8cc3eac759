"""The WSGI entry point loads what a worker serves before its first request, then freezes it."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import gc, sys
import oretrace.wsgi
from oretrace.traceability.epcis import schema
views = "oretrace.traceability.views" in sys.modules
print(gc.get_freeze_count() > 10_000, len(schema.COMPILED), views)
"""


def _probe(tmp_path, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "ORETRACE_DATA_DIR": str(tmp_path), **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_a_worker_loads_views_and_the_schema_then_freezes_them(tmp_path, shared_data):
    schema = shared_data / "epcis" / "gs1_EPCIS" / "EPCIS-JSON-Schema.json"
    assert _probe(tmp_path, ORETRACE_EPCIS_SCHEMA=str(schema)) == ["True", "1", "True"]


def test_an_unusable_schema_does_not_stop_the_worker(tmp_path):
    broken = tmp_path / "schema.json"
    broken.write_text("{not json", encoding="utf-8")
    assert _probe(tmp_path, ORETRACE_EPCIS_SCHEMA=str(broken)) == ["True", "0", "True"]
