"""Template parsing: oretrace's reader against an openpyxl read-only load, same files, same run.

Budget context (ARCHITECTURE.md): the full import pipeline (parse, check, match, persist) must
reach >= 30 files/s per core on real-size CMRTs and >= 10x an openpyxl read-only parse, so the
parse + checks measured here must be well above that.

    .venv/bin/python benchmarks/declarations_parse.py [--rounds 5]

Files: the six real supplier CMRT 6.4 declarations in ../shared/data/rmi-templates/filled
(1.4 MB each, ~2,500-row Smelter List sheets full of formulas). One round parses every file once
(bytes already in memory, so disk reads are not measured); the figures are medians over
``--rounds`` rounds: wall-clock files per second, and files per second of the process's own CPU
time (what one core achieves whatever else the machine runs).

* **oretrace**: `parse_template` (the .xlsx fast path, cell maps, canonical dataclasses)
  followed by the Checker and instruction rules it runs.
* **oretrace, python-calamine path**: the same with the fast path turned off (the package slimmed
  and opened by python-calamine, as for .xls files and whatever the fast path does not read).
* **openpyxl**: ``load_workbook(read_only=True, data_only=True)`` and reading the same cells: the
  company block and every answer/comment cell of the Declaration sheet, columns A-Q of every
  Smelter List row, columns B-D of every Product List row; values only, no checks.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from oretrace.declarations.rmi import parse_template
from oretrace.declarations.rmi.checks import check
from oretrace.declarations.rmi.detect import open_book
from oretrace.declarations.rmi.maps import CMRT_6, answer_cells, company_cells
from oretrace.declarations.rmi.read import read_book

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FILLED = DATA / "rmi-templates" / "filled"


def oretrace_parse(name: str, data: bytes) -> int:
    declaration = parse_template(data, name)
    return len(declaration.smelters)


def calamine_parse(name: str, data: bytes) -> int:
    declaration, template_map = read_book(open_book(data, name, fast=False), name)
    check(declaration, template_map)
    return len(declaration.smelters)


_DECLARATION_CELLS = list(company_cells(CMRT_6).values()) + [
    cell for pair in answer_cells(CMRT_6, ()).values() for cell in pair
]


def _at(grid: list[tuple[Any, ...]], address: str) -> Any:
    column, row = ord(address[0]) - 65, int(address[1:]) - 1
    return grid[row][column] if row < len(grid) and column < len(grid[row]) else None


def openpyxl_parse(name: str, data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        # one pass over the Declaration rows (random access in read-only mode re-reads the sheet)
        grid = list(workbook["Declaration"].iter_rows(max_row=90, max_col=7, values_only=True))
        values: list[Any] = [_at(grid, address) for address in _DECLARATION_CELLS]
        smelters = 0
        for row in workbook["Smelter List"].iter_rows(
            min_row=5, max_row=2504, max_col=17, values_only=True
        ):
            if any(v not in (None, "", 0) for v in row[:5]):
                smelters += 1
        for row in workbook["Product List"].iter_rows(
            min_row=6, min_col=2, max_col=4, values_only=True
        ):
            values.extend(row)
    finally:
        workbook.close()
    return smelters


def measure(
    parse: Callable[[str, bytes], int], files: list[tuple[str, bytes]], rounds: int
) -> tuple[float, float, list[int]]:
    """(files/s wall clock, files/s of CPU time, smelter rows per file), medians of rounds."""
    rates: list[float] = []
    cpu_rates: list[float] = []
    counts: list[int] = []
    for _ in range(rounds):
        start, cpu_start = time.perf_counter(), time.process_time()
        counts = [parse(name, data) for name, data in files]
        cpu = time.process_time() - cpu_start
        rates.append(len(files) / (time.perf_counter() - start))
        cpu_rates.append(len(files) / cpu if cpu > 0 else float("inf"))
    return statistics.median(rates), statistics.median(cpu_rates), counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--openpyxl-rounds", type=int, default=3)
    args = parser.parse_args()
    if not FILLED.is_dir():
        print(f"{FILLED} is not present")
        return 1
    warnings.filterwarnings("ignore", module="openpyxl")  # unsupported conditional formatting
    files = [(p.name, p.read_bytes()) for p in sorted(FILLED.glob("*.xlsx"))]
    megabytes = sum(len(d) for _, d in files) / 1e6
    print(f"{len(files)} real CMRT 6.4 files, {megabytes:.1f} MB")
    oretrace_parse(*files[0])  # warm caches (imports, country look-ups) once
    calamine_parse(*files[0])
    results = {
        "oretrace parse + checks": measure(oretrace_parse, files, args.rounds),
        "oretrace, python-calamine path": measure(calamine_parse, files, args.rounds),
        "openpyxl read-only, same cells": measure(openpyxl_parse, files, args.openpyxl_rounds),
    }
    counts = {tuple(rows) for _, _, rows in results.values()}
    if len(counts) != 1:
        print(f"smelter rows differ: {results}")
        return 1
    print(f"smelter rows per file: {list(counts.pop())}")
    print("| path | files/s (wall) | ms per file (wall) | files/s per core (CPU) | ms CPU/file |")
    print("|---|---|---|---|---|")
    for label, (wall, cpu, _) in results.items():
        print(f"| {label} | {wall:.1f} | {1000 / wall:.1f} | {cpu:.1f} | {1000 / cpu:.1f} |")
    ours, theirs = results["oretrace parse + checks"], results["openpyxl read-only, same cells"]
    print(f"ratio to openpyxl: {ours[0] / theirs[0]:.1f}x wall, {ours[1] / theirs[1]:.1f}x CPU")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
