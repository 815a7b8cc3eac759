"""Template parsing: oretrace's reader against an openpyxl read-only load, same files, same run.

Budget context (ARCHITECTURE.md): the full import pipeline (parse, check, match, persist) must
reach >= 30 files/s per core on real-size CMRTs and >= 10x an openpyxl read-only parse, so the
parse + checks measured here must be well above that.

    .venv/bin/python benchmarks/declarations_parse.py [--rounds 5]

Files: the six real supplier CMRT 6.4 declarations in ../shared/data/rmi-templates/filled
(1.4 MB each, ~2,500-row Smelter List sheets full of formulas). One round parses every file once
(bytes already in memory, so disk reads are not measured); the figure is the median over
``--rounds`` rounds, in files per second on one core.

* **oretrace**: `parse_template` (python-calamine, cell maps, canonical dataclasses) followed by
  the Checker and instruction rules it runs.
* **openpyxl**: ``load_workbook(read_only=True, data_only=True)`` and reading the same cells: the
  company block and every answer/comment cell of the Declaration sheet, columns A-Q of every
  Smelter List row, columns B-D of every Product List row; values only, no checks.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from oretrace.declarations.templates import parse_template
from oretrace.declarations.templates.maps import CMRT_6, answer_cells, company_cells

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FILLED = DATA / "rmi-templates" / "filled"


def oretrace_parse(name: str, data: bytes) -> int:
    declaration = parse_template(data, name)
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
) -> tuple[float, list[int]]:
    rates: list[float] = []
    counts: list[int] = []
    for _ in range(rounds):
        start = time.perf_counter()
        counts = [parse(name, data) for name, data in files]
        rates.append(len(files) / (time.perf_counter() - start))
    return statistics.median(rates), counts


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
    ours, our_rows = measure(oretrace_parse, files, args.rounds)
    theirs, their_rows = measure(openpyxl_parse, files, args.openpyxl_rounds)
    if our_rows != their_rows:
        print(f"smelter rows differ: oretrace {our_rows}, openpyxl {their_rows}")
        return 1
    print(f"smelter rows per file: {our_rows}")
    print("| path | files/s (median) | ms per file |")
    print("|---|---|---|")
    print(f"| oretrace parse + checks | {ours:.1f} | {1000 / ours:.1f} |")
    print(f"| openpyxl read-only, same cells | {theirs:.2f} | {1000 / theirs:.0f} |")
    print(f"ratio: {ours / theirs:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
