"""Writing a declaration into a blank RMI template: the in-place writer against openpyxl.

    .venv/bin/python benchmarks/blank_writer.py [--blanks RMI_CMRT_6.5.xlsx RMI_EMRT_2.1.xlsx]

For each blank in ../shared/data/rmi-templates/blank (skips when absent): the declaration the
tests fill it with (`test_generated.fill`, read back), written into the blank by
`write_into_blank` (cells written into the package in place, `rmi.write`), then by the same
function on its openpyxl path (load the whole workbook, set the cells, save it), which it takes
for a package the in-place writer does not handle. CPU seconds of this process per write, and
whether both files read back as the declaration written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import _django  # noqa: F401  (Django set up first)

from oretrace.declarations.rmi import parse_template
from oretrace.declarations.rmi.canonical import canonical
from oretrace.declarations.rmi.maps import map_for
from oretrace.declarations.rmi.write import Unsupported, XlsxPackage
from oretrace.declarations.services.export import write_into_blank
from oretrace.declarations.tests.test_generated import BLANKS, EFFECTIVE, fill

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "rmi-templates" / "blank"


def _cpu(blank: bytes, name: str, content: dict[str, Any]) -> tuple[bytes, float]:
    start = time.process_time()
    result = write_into_blank(blank, name, content)
    return result, time.process_time() - start


def _refuse(self: XlsxPackage, edits: object) -> bytes:
    raise Unsupported("measuring the openpyxl path")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blanks", nargs="*", default=BLANKS)
    args = parser.parse_args()
    if not FOLDER.is_dir():
        print(f"skipped: {FOLDER} is not present")
        return 0
    print(f"{'blank':<22} {'in place (s)':>12} {'openpyxl (s)':>12} {'ratio':>6}  reads back")
    in_place_write = XlsxPackage.write
    for name in args.blanks:
        path = FOLDER / name
        family, version = name.removesuffix(".xlsx").split("_")[1:3]
        template_map, _newer = map_for(family, version, name)
        content = canonical(parse_template(fill(path, template_map), name, today=EFFECTIVE))
        blank = path.read_bytes()
        XlsxPackage.write = in_place_write  # type: ignore[method-assign]
        fast, fast_cpu = _cpu(blank, name, content)
        XlsxPackage.write = _refuse  # type: ignore[method-assign]
        slow, slow_cpu = _cpu(blank, name, content)
        XlsxPackage.write = in_place_write  # type: ignore[method-assign]
        same = all(
            canonical(parse_template(data, name, today=EFFECTIVE)) == content
            for data in (fast, slow)
        )
        print(f"{name:<22} {fast_cpu:>12.2f} {slow_cpu:>12.2f} {slow_cpu / fast_cpu:>6.1f}  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
