"""The declaration import pipeline, end to end, against an openpyxl read-only parse of the same
files in the same run.

    .venv/bin/python benchmarks/declarations.py [--rounds 7] [--profile]

Files: the six real supplier CMRT 6.4 declarations in ../shared/data/rmi-templates/filled
(skips when absent). The registry holds the Smelter Look-up of the blank CMRT 6.4 (imported once
before timing). One round imports every file once through `import_declaration`, exactly what
the import job does for each file: SHA-256 and duplicate check, parse and the template's checks,
matching every smelter row against the registry (review queue for the uncertain ones), registry
red flags, one transaction writing the declaration, its smelter rows, the stored file and the
change-log entry, and the supersession check. Between rounds the declarations are removed (not
timed) so that every round imports, rather than recognising duplicates.

* **oretrace**: files/s of the full pipeline above, on one core.
* **openpyxl**: ``load_workbook(read_only=True, data_only=True)`` reading the cells the pipeline
  reads (see ``declarations_parse.py``), no checks, no matching, no database.

Budget (issue 4): >= 30 files/s per core and >= 10x openpyxl. Production settings (DEBUG off),
SQLite in a scratch data directory (or the database of ``ORETRACE_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

import _django  # noqa: F401 - Django on a scratch data directory
from django.core.management import call_command

from oretrace.core.choices import Role
from oretrace.core.models import Membership, Organisation, User
from oretrace.core.reference import load_countries, load_minerals
from oretrace.declarations.models import Declaration, SmelterEntry, Supplier
from oretrace.declarations.services.imports import import_declaration
from oretrace.registry.imports import import_reference_file
from oretrace.registry.models import MatchReview
from oretrace.registry.reviews import matcher_for

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
FILLED = DATA / "rmi-templates" / "filled"
BLANK = DATA / "rmi-templates" / "blank" / "RMI_CMRT_6.4.xlsx"


def _baseline():  # the openpyxl reader of the parse benchmark, not a copy of it
    spec = importlib.util.spec_from_file_location("parse_bench", HERE / "declarations_parse.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.openpyxl_parse


def _member() -> Membership:
    org = Organisation.objects.create(
        legal_name="Bench Brands AG", slug="bench-brands", kind="manufacturer", country_id="DE"
    )
    user = User.objects.create_user(email="bench@example.org", password=None)
    member = Membership.objects.create(user=user, organisation=org, roles=[Role.ADMIN])
    curator_user = User.objects.create_user(
        email="curator@example.org", password=None, is_staff=True
    )
    curator = Membership.objects.create(user=curator_user, organisation=org, roles=[Role.ADMIN])
    import_reference_file(BLANK.read_bytes(), BLANK.name, actor=curator)
    return member


def _reset(member: Membership) -> None:
    SmelterEntry.objects.filter(declaration__organisation=member.organisation).delete()
    Declaration.objects.filter(organisation=member.organisation).update(superseded_by=None)
    Declaration.objects.filter(organisation=member.organisation).delete()
    Supplier.objects.filter(organisation=member.organisation).delete()
    MatchReview.objects.filter(organisation=member.organisation).delete()


def _round(member: Membership, files: list[tuple[str, bytes]]) -> tuple[float, float]:
    """(files/s wall clock, files/s of this process's CPU time) for one round."""
    _reset(member)
    start, cpu_start = time.perf_counter(), time.process_time()
    matcher = matcher_for(member)  # once per batch, as the import job and the command do
    for name, data in files:
        outcome = import_declaration(data, name, actor=member, matcher=matcher)
        if outcome.outcome != "imported":
            raise SystemExit(f"{name}: {outcome.outcome}: {outcome.message}")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return len(files) / wall, len(files) / cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--openpyxl-rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where one round goes")
    args = parser.parse_args()
    if not FILLED.is_dir():
        print(f"{FILLED} is not present: nothing to measure")
        return 0
    warnings.filterwarnings("ignore", module="openpyxl")
    call_command("migrate", "--no-input", verbosity=0)
    load_countries()
    load_minerals()
    member = _member()
    files = [(p.name, p.read_bytes()) for p in sorted(FILLED.glob("*.xlsx"))]
    _round(member, files)  # warm: matcher index, imports, caches
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _round(member, files)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        return 0
    baseline = _baseline()
    ours, ours_cpu, theirs, theirs_cpu = [], [], [], []
    for index in range(max(args.rounds, args.openpyxl_rounds)):
        if index < args.rounds:
            wall, cpu = _round(member, files)
            ours.append(wall)
            ours_cpu.append(cpu)
        if index < args.openpyxl_rounds:
            start, cpu_start = time.perf_counter(), time.process_time()
            for name, data in files:
                baseline(name, data)
            theirs.append(len(files) / (time.perf_counter() - start))
            theirs_cpu.append(len(files) / (time.process_time() - cpu_start))
    pipeline, reader = statistics.median(ours), statistics.median(theirs)
    pipeline_cpu, reader_cpu = statistics.median(ours_cpu), statistics.median(theirs_cpu)
    print(f"{len(files)} real CMRT 6.4 files; medians of {args.rounds} and {args.openpyxl_rounds}")
    print(
        "| path | files/s (wall) | ms per file (wall) | files/s per core (CPU) | ms CPU per file |"
    )
    print("|---|---|---|---|---|")
    for label, wall, cpu in (
        ("oretrace full import pipeline", pipeline, pipeline_cpu),
        ("openpyxl read-only parse, same cells", reader, reader_cpu),
    ):
        print(f"| {label} | {wall:.1f} | {1000 / wall:.1f} | {cpu:.1f} | {1000 / cpu:.1f} |")
    print(
        f"ratio: {pipeline / reader:.1f}x wall, {pipeline_cpu / reader_cpu:.1f}x CPU "
        "(budget: >= 30 files/s per core and >= 10x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
