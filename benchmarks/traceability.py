"""EPCIS capture throughput, beside JSON Schema validation alone, in the same process and run.

Budgets (ARCHITECTURE.md): capture >= 5,000 events/s including validation, hashing, storage and
the ledger leaf; upstream trace p50 <= 10 ms through the API at 10^6 custody edges.

    .venv/bin/python benchmarks/traceability.py [--events 1000] [--rounds 5] [--schema PATH]
        [--edges 100000] [--traces 200] [--clients 2] [--served-runs 3]

Each round builds fresh documents of ``--events`` distinct events (collections, shipments with a
business transaction, transformations) and measures:

- ``schema``: jsonschema-rs validation of the document against GS1's EPCIS 2.0 JSON Schema (the
  baseline);
- ``checks``: oretrace's semantic checks alone;
- ``hash``: the CBV 2.0 hash IDs alone (oretrace's canonicaliser, epcis/hashing.py);
- ``capture``: ``services.capture_document`` end to end: JSON parse, schema, checks, hashing,
  event + identifier rows, change log, one ledger leaf per event, custody derivation (lots,
  movements, edges), in one transaction, one capture at a time in this process.

Then capture as deployed (``--clients``, default 2: one per core of the budget's 2-core
machine): ``oretrace serve`` with that many gunicorn sync workers, and as many clients posting
``--rounds`` fresh documents each to ``POST /api/v1/epcis/capture`` with a token, at the same
time; events/s in all, ``--served-runs`` times. The budget is judged on this number.

Then the trace, on a custody graph of ``--edges`` edges written straight to the tables: trees of
a product lot <- 5 mill lots <- 25 depot lots <- 125 collection lots (155 edges per product, as a
product traced to a hundred-odd village collections). For ``--traces`` random products it
measures the upstream trace through the API (``GET /api/v1/custody/lots/{id}/upstream`` with
token authentication, tenancy, the recursive CTE, JSON), the recursive CTE alone
(``trace.upstream``), and the same traversal with mass fractions on an in-memory rustworkx graph
of the same edges (the baseline); then the lot page's chain picture: the upstream subgraph query
alone (``trace.upstream_graph``, 156 lots) and ``GET .../chain`` (query + Sankey layout + JSON).

The schema comes from ``--schema``, else ``ORETRACE_EPCIS_SCHEMA``, else
``../shared/data/epcis/gs1_EPCIS/EPCIS-JSON-Schema.json``. Production settings (DEBUG off),
SQLite in a scratch data directory (or the database of ``ORETRACE_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("ORETRACE_SECURE_SSL_REDIRECT", "false")  # the test client speaks HTTP
os.environ.setdefault("ORETRACE_FAST_PASSWORD_HASHING", "true")

import random

import _django  # noqa: F401 - Django on a scratch data directory
import rustworkx as rx
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Role
from oretrace.core.models import Organisation
from oretrace.core.reference import load_countries
from oretrace.core.services import add_member, create_user, issue_token
from oretrace.traceability import services, trace
from oretrace.traceability.epcis import checks, hashing, schema
from oretrace.traceability.models import CustodyEdge, EpcisCapture, EpcisEvent, Lot

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA = ROOT.parent / "shared" / "data" / "epcis" / "gs1_EPCIS" / "EPCIS-JSON-Schema.json"

BUDGET_CAPTURE = 5_000
BUDGET_TRACE_MS = 10.0
FAN_IN = (5, 5, 5)  # product <- mills <- depots <- collections
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


def _tree_edges() -> list[tuple[int, int, float]]:
    """(source, target, share) of one product tree, nodes numbered from 0 (the product)."""
    edges: list[tuple[int, int, float]] = []
    layer, next_id = [0], 1
    for fan in FAN_IN:
        below = []
        for target in layer:
            for _ in range(fan):
                edges.append((next_id, target, 1 / fan))
                below.append(next_id)
                next_id += 1
        layer = below
    return edges


def _build_graph(organisation: Organisation, edge_count: int) -> tuple[list[int], rx.PyDiGraph]:
    """Write the custody graph straight to the tables; return the product lot ids and a copy."""
    tree = _tree_edges()
    size = max(tree_node for edge in tree for tree_node in edge[:2]) + 1
    products = max(1, edge_count // len(tree))
    with transaction.atomic():
        capture = EpcisCapture.objects.create(organisation=organisation, sha256="0" * 64)
        event = EpcisEvent.objects.create(
            organisation=organisation,
            capture=capture,
            hash_id="ni:///bench",
            body={},
            event_type="TransformationEvent",
            event_time="2026-01-01T00:00:00Z",
            time_zone_offset="+00:00",
            record_time="2026-01-01T00:00:00Z",
        )
        first = (Lot.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        batch: list[Lot] = []
        for i in range(products * size):
            batch.append(
                Lot(
                    id=first + i,
                    organisation=organisation,
                    code=f"bench:{i}",
                    kind="epc_class",
                    quantity_kg=100,
                    remaining_kg=0,
                )
            )
            if len(batch) == 20_000:
                Lot.objects.bulk_create(batch)
                batch = []
        Lot.objects.bulk_create(batch)
        graph = rx.PyDiGraph()
        graph.add_nodes_from(range(products * size))
        rows: list[CustodyEdge] = []
        for p in range(products):
            base = p * size
            for source, target, share in tree:
                rows.append(
                    CustodyEdge(
                        organisation=organisation,
                        source_id=first + base + source,
                        target_id=first + base + target,
                        kind="transformation",
                        share=share,
                        event=event,
                    )
                )
                graph.add_edge(base + source, base + target, share)
            if len(rows) >= 20_000:
                CustodyEdge.objects.bulk_create(rows)
                rows = []
        CustodyEdge.objects.bulk_create(rows)
    with connection.cursor() as cursor:  # fresh statistics after the bulk load (both engines)
        cursor.execute("ANALYZE")
    return [first + p * size for p in range(products)], graph


def _memory_upstream(graph: rx.PyDiGraph, node: int) -> dict[int, float]:
    """Origins of ``node`` with mass fractions, on the in-memory graph (the baseline)."""
    fractions: dict[int, float] = {}
    stack = [(node, 1.0)]
    while stack:
        current, fraction = stack.pop()
        incoming = graph.in_edges(current)
        if not incoming:
            fractions[current] = fractions.get(current, 0.0) + fraction
        for source, _target, share in incoming:
            stack.append((source, fraction * share))
    return fractions


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_trace(organisation: Organisation, edges: int, traces: int) -> None:
    user = create_user(email="bench@example.org", password="bench-password-1", actor=SYSTEM)
    member = add_member(organisation, user=user, roles=[Role.ADMIN], actor=SYSTEM)
    _token, secret = issue_token(member, name="bench", actor=SYSTEM)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    start = time.perf_counter()
    products, graph = _build_graph(organisation, edges)
    built = time.perf_counter() - start
    total = CustodyEdge.objects.filter(organisation=organisation).count()
    first = products[0]
    picks = [random.choice(products) for _ in range(traces)]
    timings: dict[str, list[float]] = {
        "API": [],
        "SQL walk": [],
        "rustworkx": [],
        "graph SQL": [],
        "chain API": [],
    }
    for lot_id in picks[:10]:  # warm up
        client.get(f"/api/v1/custody/lots/{lot_id}/upstream")
    for lot_id in picks:
        start = time.perf_counter()
        response = client.get(f"/api/v1/custody/lots/{lot_id}/upstream")
        timings["API"].append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content
        lot = Lot.objects.get(pk=lot_id)
        start = time.perf_counter()
        found = trace.upstream(lot)
        timings["SQL walk"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        memory = _memory_upstream(graph, lot_id - first)
        timings["rustworkx"].append((time.perf_counter() - start) * 1000)
        assert len(found.shares) == len(memory) == 125
        start = time.perf_counter()
        chain = trace.upstream_graph(lot)
        timings["graph SQL"].append((time.perf_counter() - start) * 1000)
        assert len(chain.nodes) == 156
        start = time.perf_counter()
        response = client.get(f"/api/v1/custody/lots/{lot_id}/chain")
        timings["chain API"].append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content
    print(
        f"Upstream trace, {total:,} custody edges ({built:.0f} s to build), {traces} traces of "
        f"155 edges / 125 origins each"
    )
    for name, values in timings.items():
        print(
            f"  {name:10s} p50 {_percentile(values, 0.5):7.2f} ms   "
            f"p95 {_percentile(values, 0.95):7.2f} ms"
        )
    p50 = _percentile(timings["API"], 0.5)
    verdict = "meets" if p50 <= BUDGET_TRACE_MS else "MISSES"
    print(
        f"  API p50 {verdict} the {BUDGET_TRACE_MS:.0f} ms budget; API / rustworkx = "
        f"{p50 / _percentile(timings['rustworkx'], 0.5):.0f}x"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(port: int, secret: str, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST",
            "/api/v1/epcis/capture",
            body,
            {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    """``oretrace serve`` (gunicorn, sync workers) on this benchmark's database and schema."""
    env = {
        **os.environ,
        "ORETRACE_ALLOWED_HOSTS": "127.0.0.1",
        "ORETRACE_EPCIS_SCHEMA": str(settings.ORETRACE_EPCIS_SCHEMA),
    }
    server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "oretrace.cli",
            "serve",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"oretrace serve stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("oretrace serve did not listen within 60 s")


def bench_served(
    organisation: Organisation, events: int, rounds: int, clients: int, runs: int
) -> float:
    """Capture through ``POST /api/v1/epcis/capture`` as deployed: gunicorn sync workers, one
    per core, and as many clients posting documents at the same time. ``runs`` times, each with
    new documents; returns the median events/s."""
    user = create_user(email="capture@example.org", password="bench-password-1", actor=SYSTEM)
    member = add_member(organisation, user=user, roles=[Role.COMPLIANCE_OFFICER], actor=SYSTEM)
    _token, secret = issue_token(member, name="capture", actor=SYSTEM)
    # Distinct documents (and SSCCs, salt % 1000): apart from the in-process rounds' salts.
    if 300 + runs * clients * rounds > 900:
        raise SystemExit("too many served documents for distinct salts: lower --rounds")
    salts = iter(range(300, 900))
    port = _free_port()
    server = _serve(port, clients)
    latencies: list[float] = []
    failures: list[str] = []
    rates: list[float] = []

    def post_all(bodies: list[bytes]) -> None:
        for body in bodies:
            start = time.perf_counter()
            status, content = _post(port, secret, body)
            latencies.append(time.perf_counter() - start)
            if status != 201:
                failures.append(f"HTTP {status}: {content[:300]!r}")

    def run(lists: list[list[bytes]]) -> float:
        threads = [threading.Thread(target=post_all, args=(bodies,)) for bodies in lists]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start

    try:
        warm = [json.dumps(_document(200, 900 + k)).encode() for k in range(2 * clients)]
        run([warm[k::clients] for k in range(clients)])  # first requests of each worker
        latencies.clear()
        for _run in range(runs):
            plans = [
                [json.dumps(_document(events, next(salts))).encode() for _n in range(rounds)]
                for _k in range(clients)
            ]
            rates.append(_rate(clients * rounds * events, run(plans)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    if failures:
        raise RuntimeError(f"{len(failures)} captures failed, first {failures[0]}")
    print(
        f"Served capture: oretrace serve --workers {clients} (gunicorn, sync), {clients} clients "
        f"each posting {rounds} documents of {events} events, {runs} runs"
    )
    rate = statistics.median(rates)
    p50, p95 = (_percentile(latencies, q) * 1000 for q in (0.5, 0.95))
    print(
        f"  capture  median {rate:>10,.0f} events/s in all (min {min(rates):,.0f}, max "
        f"{max(rates):,.0f}); per request p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000, help="events per document")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--schema", type=Path, default=None)
    parser.add_argument("--edges", type=int, default=100_000, help="custody edges (0: skip)")
    parser.add_argument("--traces", type=int, default=200)
    parser.add_argument(
        "--clients",
        type=int,
        default=2,
        help="web workers and clients of the served capture (0: skip; default 2, one per core)",
    )
    parser.add_argument("--served-runs", type=int, default=3, help="runs of the served capture")
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
    print(f"  capture / schema alone = {ratio:.3f} (one capture at a time, in this process)")
    if ns.clients:
        served = bench_served(organisation, ns.events, ns.rounds, ns.clients, ns.served_runs)
        verdict = "meets" if served >= BUDGET_CAPTURE else "MISSES"
        print(
            f"  served capture {verdict} the {BUDGET_CAPTURE:,} events/s budget "
            f"({served / statistics.median(results['schema']):.3f} of schema alone on one core)"
        )
    if ns.edges:
        bench_trace(organisation, ns.edges, ns.traces)
    return 0


if __name__ == "__main__":
    sys.exit(main())
