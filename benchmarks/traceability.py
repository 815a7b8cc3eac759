"""EPCIS capture throughput, beside JSON Schema validation alone, in the same process and run.

Budget (ARCHITECTURE.md): capture >= 5,000 events/s including validation, hashing, storage and
the ledger leaf.

    .venv/bin/python benchmarks/traceability.py [--events 1000] [--rounds 5] [--schema PATH]

Each round builds fresh documents of ``--events`` distinct events (collections, shipments with a
business transaction, transformations) and measures:

- ``schema``: fastjsonschema validation of the document against GS1's EPCIS 2.0 JSON Schema (the
  baseline);
- ``checks``: oretrace's semantic checks alone;
- ``hash``: the CBV 2.0 hash IDs alone (the reference package's canonicalisation);
- ``capture``: ``services.capture_document`` end to end: JSON parse, schema, checks, hashing,
  event + identifier rows, change log, one ledger leaf per event, in one transaction.

The schema comes from ``--schema``, else ``ORETRACE_EPCIS_SCHEMA``, else
``../shared/data/epcis/gs1_EPCIS/EPCIS-JSON-Schema.json``. Production settings (DEBUG off),
SQLite in a scratch data directory (or the database of ``ORETRACE_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("ORETRACE_SECRET_KEY", "bench-" + "k8Zp2Lq9Xv4Rt7Wm1Yc6Nb3Hd5Gf0Js" * 2)
os.environ.setdefault("ORETRACE_ALLOWED_HOSTS", "testserver")
if "ORETRACE_DATA_DIR" not in os.environ:
    _scratch = tempfile.mkdtemp(prefix="oretrace-bench-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    os.environ["ORETRACE_DATA_DIR"] = _scratch
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oretrace.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from oretrace.core.actors import SYSTEM  # noqa: E402
from oretrace.core.models import Organisation  # noqa: E402
from oretrace.core.reference import load_countries  # noqa: E402
from oretrace.traceability import services  # noqa: E402
from oretrace.traceability.epcis import checks, hashing, schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA = ROOT.parent / "shared" / "data" / "epcis" / "gs1_EPCIS" / "EPCIS-JSON-Schema.json"

BUDGET_CAPTURE = 5_000
CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]


def _event(i: int, salt: int) -> dict[str, Any]:
    """One of three realistic event shapes, unique by ``i`` and ``salt``."""
    lot = f"urn:epc:class:lgtin:8901234.000001.R{salt}-{i}"
    site = f"urn:epc:id:sgln:8901234.{i % 997:05d}.0"
    base = {
        "eventTime": f"2026-03-01T08:{i % 60:02d}:{(i // 60) % 60:02d}+05:30",
        "eventTimeZoneOffset": "+05:30",
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
    }
    kind = i % 3
    if kind == 0:
        return {
            "type": "ObjectEvent",
            **base,
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "quantityList": [{"epcClass": lot, "quantity": 100 + i % 50, "uom": "KGM"}],
        }
    if kind == 1:
        return {
            "type": "ObjectEvent",
            **base,
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "epcList": [f"urn:epc:id:sscc:8901234.{salt % 1000:03d}{i:07d}"],
            "quantityList": [{"epcClass": lot, "quantity": 80, "uom": "KGM"}],
            "bizTransactionList": [
                {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:8901234:{salt}-{i}"}
            ],
        }
    return {
        "type": "TransformationEvent",
        **base,
        "bizStep": "commissioning",
        "inputQuantityList": [{"epcClass": lot, "quantity": 100, "uom": "KGM"}],
        "outputQuantityList": [{"epcClass": lot + "-F", "quantity": 61.5, "uom": "KGM"}],
    }


def _document(count: int, salt: int) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-06T00:00:00Z",
        "epcisBody": {"eventList": [_event(i, salt) for i in range(count)]},
    }


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000, help="events per document")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--schema", type=Path, default=None)
    ns = parser.parse_args()
    schema_path = ns.schema or settings.ORETRACE_EPCIS_SCHEMA or DEFAULT_SCHEMA
    if not Path(schema_path).is_file():
        print(f"no EPCIS JSON Schema at {schema_path}; pass --schema")
        return 2
    settings.ORETRACE_EPCIS_SCHEMA = Path(schema_path)
    call_command("migrate", "--no-input", verbosity=0)
    load_countries()
    organisation = Organisation.objects.create(
        legal_name="Bench Mica Private Limited",
        short_name="Bench",
        slug="bench-mica",
        kind="processor",
        country_id="IN",
    )
    validate = schema.compiled(Path(schema_path))
    results: dict[str, list[float]] = {"schema": [], "checks": [], "hash": [], "capture": []}
    for round_no in range(ns.rounds):
        document = _document(ns.events, round_no)
        raw = json.dumps(document).encode()
        events = document["epcisBody"]["eventList"]
        start = time.perf_counter()
        assert schema.schema_problems(document, validate) == []
        results["schema"].append(_rate(ns.events, time.perf_counter() - start))
        start = time.perf_counter()
        assert checks.document_problems(document) == []
        results["checks"].append(_rate(ns.events, time.perf_counter() - start))
        start = time.perf_counter()
        hashing.event_hashes(events, CONTEXT)
        results["hash"].append(_rate(ns.events, time.perf_counter() - start))
        start = time.perf_counter()
        captured = services.capture_document(raw, organisation=organisation, actor=SYSTEM)
        results["capture"].append(_rate(ns.events, time.perf_counter() - start))
        assert captured.capture.new_count == ns.events
    print(
        f"EPCIS capture, {ns.events} events per document, {ns.rounds} rounds "
        f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
    )
    for name, rates in results.items():
        print(
            f"  {name:8s} median {statistics.median(rates):>10,.0f} events/s  "
            f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
        )
    capture = statistics.median(results["capture"])
    ratio = capture / statistics.median(results["schema"])
    verdict = "meets" if capture >= BUDGET_CAPTURE else "MISSES"
    print(
        f"  capture / schema alone = {ratio:.3f}; capture {verdict} the "
        f"{BUDGET_CAPTURE:,} events/s budget"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
