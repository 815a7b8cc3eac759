"""Ledger throughput: appends with persistence, proof generation and bundle verification,
beside an in-memory RFC 6962 tree over the same records, in the same process and run.

Budgets (ARCHITECTURE.md): >= 50,000 appends/s with persistence (bulk, one transaction);
proof generation < 1 ms; bundle verification >= 5,000/s.

    .venv/bin/python benchmarks/ledger.py [--batch 10000] [--rounds 7] [--proofs 300]

Each round measures, interleaved:

- ``memory``: the same records canonicalised, committed, hashed and appended to an in-memory
  ``MemoryTree`` (the baseline: everything but the database);
- ``bulk``: ``ledger.append_many(records, created=True)`` in one transaction (leaf rows, stored
  subtree hashes, log state), as an import or an EPCIS capture does;
- ``bulk (versioned)``: the same for records that already have leaves (their versions are
  looked up first), as a batch of updates does;
- ``single``: ``ledger.append(record)`` each in its own transaction, as one web request does;
- ``proof``: an inclusion proof for a random leaf of the whole log read from the database (one
  query), beside the same proof from the in-memory tree;
- ``verify``: full offline verification of proof bundles (note signature, record commitment,
  inclusion proof), as ``oretrace verify`` does over a folder of bundles (the checkpoint's
  signature is checked once and remembered for the bundles that share it);
- ``verify (cold)``: the same with nothing remembered: every bundle checks its signature (a
  verifier that sees each checkpoint once, e.g. one QR scan).

Production settings (DEBUG off), SQLite in a scratch data directory (or the database of
``ORETRACE_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

import _django  # noqa: F401 - Django on a scratch data directory
from django.core.management import call_command
from django.db import connection, transaction

from oretrace.core.actors import SYSTEM
from oretrace.core.models import Organisation
from oretrace.core.reference import load_countries
from oretrace.ledger import keys, merkle, note, queries, records
from oretrace.ledger import services as ledger
from oretrace.ledger.bundle import verify_bundle
from oretrace.ledger.commitment import commit, new_salts, record_document
from oretrace.ledger.merkle import MemoryTree, leaf_hash
from oretrace.ledger.models import Leaf, LogState
from oretrace.ledger.storage import DatabaseHashStore

BUDGET_APPENDS = 50_000
BUDGET_PROOF_MS = 1.0
BUDGET_VERIFY = 5_000


def _organisations(count: int) -> list[Organisation]:
    start = Organisation.objects.count()
    Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"Bench Minerals {i} Private Limited",
                short_name=f"Bench {i}",
                slug=f"bench-{i}",
                kind="processor",
                country_id="IN",
                national_registration=f"U14200JH2011PTC{i:06d}",
            )
            for i in range(start, start + count)
        ],
        batch_size=5000,
    )
    return list(Organisation.objects.order_by("-pk")[:count])[::-1]


def _memory(tree: MemoryTree, batch: list[Organisation]) -> None:
    spec = records.for_record(batch[0])
    for org, salt in zip(batch, new_salts(len(batch)), strict=True):
        document = record_document(spec.name, str(org.pk), 1, spec.facts(org))
        tree.append_leaf_hash(leaf_hash(commit(salt, document)))


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _bulk(batch: list[Organisation], *, created: bool) -> None:
    with transaction.atomic():
        ledger.append_many(batch, actor=SYSTEM, created=created)


def _single(batch: list[Organisation]) -> None:
    for org in batch:
        ledger.append(org, actor=SYSTEM)


def _proofs(size: int, count: int, tree: MemoryTree) -> tuple[float, float]:
    store = DatabaseHashStore()
    indexes = [random.randrange(size) for _ in range(count)]
    db_times, memory_times = [], []
    for index in indexes:
        start = time.perf_counter()
        proof = merkle.inclusion_proof(index, size, store)
        db_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        same = tree.inclusion_proof(index, size) if tree.size >= size else proof
        memory_times.append(time.perf_counter() - start)
        assert proof == same
    return statistics.median(db_times) * 1e3, statistics.median(memory_times) * 1e3


def _bundles(count: int) -> list[str]:
    size = LogState.objects.get().size
    indexes = random.sample(range(size), min(count, size))
    latest = Leaf.objects.latest_per_record().filter(index__in=indexes)
    return [queries.bundle_for(leaf) for leaf in latest[:count]]


def _verify_rate(bundles: list[str], *, cold: bool = False) -> float:
    """Bundles verified per second; ``cold`` forgets verified signatures before each bundle
    (a verifier that sees each checkpoint once), else bundles of one checkpoint share its check."""
    verifiers = [keys.log_verifier()]
    forget = note._ed25519_valid.cache_clear if cold else (lambda: None)
    forget()
    start = time.perf_counter()
    for text in bundles:
        forget()
        verify_bundle(text, verifiers)
    return len(bundles) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=10_000, help="records per bulk append")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--singles", type=int, default=300, help="single appends per round")
    parser.add_argument("--proofs", type=int, default=300, help="proofs and bundles per round")
    ns = parser.parse_args()
    load_before = os.getloadavg()[0]
    call_command("migrate", "--no-input", verbosity=0)
    load_countries()
    print(f"preparing {ns.rounds} x {ns.batch} records …", file=sys.stderr)
    fresh = [_organisations(ns.batch) for _ in range(ns.rounds)]
    singles = _organisations(ns.singles)
    memory_tree = MemoryTree()
    rates: dict[str, list[float]] = {
        "memory": [],
        "bulk": [],
        "bulk (versioned)": [],
        "single": [],
        "verify": [],
        "verify (cold)": [],
    }
    proof_ms: list[float] = []
    memory_proof_ms: list[float] = []
    for n in range(ns.rounds):
        batch = fresh[n]
        rates["memory"].append(ns.batch / _timed(lambda b=batch: _memory(memory_tree, b)))
        rates["bulk"].append(ns.batch / _timed(lambda b=batch: _bulk(b, created=True)))
        rates["bulk (versioned)"].append(ns.batch / _timed(lambda b=batch: _bulk(b, created=False)))
        rates["single"].append(ns.singles / _timed(lambda: _single(singles)))
        size = LogState.objects.get().size
        db_ms, mem_ms = _proofs(size, ns.proofs, _memory_tree_of_log())
        proof_ms.append(db_ms)
        memory_proof_ms.append(mem_ms)
        bundles = _bundles(ns.proofs)
        rates["verify"].append(_verify_rate(bundles))
        rates["verify (cold)"].append(_verify_rate(bundles, cold=True))
        print(f"round {n + 1}: log of {size} leaves", file=sys.stderr)
    _report(ns, rates, proof_ms, memory_proof_ms)
    cores = os.cpu_count()
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after ({cores} cores)")
    ok = (
        statistics.median(rates["bulk"]) >= BUDGET_APPENDS
        and statistics.median(proof_ms) < BUDGET_PROOF_MS
        and statistics.median(rates["verify"]) >= BUDGET_VERIFY
    )
    return 0 if ok else 1


_TREE_CACHE: dict[str, MemoryTree] = {}


def _memory_tree_of_log() -> MemoryTree:
    """The whole stored log rebuilt in memory (the in-memory proof baseline), kept up to date."""
    tree = _TREE_CACHE.setdefault("tree", MemoryTree())
    rows = Leaf.objects.filter(index__gte=tree.size).order_by("index").values_list("entry")
    for (entry,) in rows.iterator(10_000):
        tree.append(bytes(entry))
    return tree


def _report(
    ns: argparse.Namespace,
    rates: dict[str, list[float]],
    proof_ms: list[float],
    memory_proof_ms: list[float],
) -> None:
    memory = statistics.median(rates["memory"])
    vendor = connection.vendor
    print(f"\nledger, {ns.rounds} interleaved rounds, batches of {ns.batch}, {vendor}, DEBUG off")
    print(f"{'path':<22}{'median':>14}{'vs in-memory tree':>20}")
    for name in ("memory", "bulk", "bulk (versioned)", "single"):
        value = statistics.median(rates[name])
        print(f"{name:<22}{value:>10,.0f} /s{value / memory:>20.2f}")
    proof, memory_proof = statistics.median(proof_ms), statistics.median(memory_proof_ms)
    print(f"{'proof (database)':<22}{proof:>11.3f} ms{proof / memory_proof:>19.1f}x")
    print(f"{'proof (in memory)':<22}{memory_proof:>11.3f} ms")
    print(f"{'bundle verification':<22}{statistics.median(rates['verify']):>10,.0f} /s")
    cold = statistics.median(rates["verify (cold)"])
    print(f"{'  (cold: no reuse)':<22}{cold:>10,.0f} /s")
    checks = [
        (
            "appends with persistence (bulk)",
            statistics.median(rates["bulk"]) >= BUDGET_APPENDS,
            f">= {BUDGET_APPENDS:,}/s",
        ),
        ("proof generation", proof < BUDGET_PROOF_MS, f"< {BUDGET_PROOF_MS} ms"),
        (
            "bundle verification",
            statistics.median(rates["verify"]) >= BUDGET_VERIFY,
            f">= {BUDGET_VERIFY:,}/s",
        ),
    ]
    for label, passed, budget in checks:
        print(f"{'PASS' if passed else 'FAIL'}: {label} {budget}")


if __name__ == "__main__":
    raise SystemExit(main())
