"""Make the country outlines of the risk map from Natural Earth's 1:110m countries.

The source is the npm package ``world-atlas`` (Natural Earth, public domain, as TopoJSON; a
development dependency in package.json, so ``npm ci`` brings it). This script decodes the
TopoJSON and writes, per ISO 3166-1 numeric code, the country's name and its outline as an SVG
path already projected for the map (plate carrée, a third of a degree per unit, Antarctica
left out, relative integer moves: about 90 KB for the world). The risk app reads that file at
run time and never touches npm::

    npm ci && python scripts/world_outlines.py

The output, ``src/oretrace/risk/register/outlines/world-110m.json``, is committed.
"""

# ruff: noqa: T201  (a command-line script reports with print)
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "node_modules" / "world-atlas" / "countries-110m.json"
TARGET = REPO / "src" / "oretrace" / "risk" / "register" / "outlines" / "world-110m.json"
UNITS = 3  # map units per degree
NORTH, SOUTH = 84, -58  # the map's latitude range (no Antarctica)
ANTARCTICA = "010"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs as (longitude, latitude) points: TopoJSON stores them quantised, each point a
    delta from the one before."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A ring from its arcs (a negative index ~i is arc i reversed); shared ends once."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def project(lon: float, lat: float) -> tuple[int, int]:
    lat = max(SOUTH, min(NORTH, lat))
    return round((lon + 180) * UNITS), round((NORTH - lat) * UNITS)


def path(rings: list[list[tuple[float, float]]]) -> tuple[str, list[int]]:
    """One SVG path for the rings (an absolute move, then relative integer lines), and the
    box it fills: [left, top, right, bottom] in map units."""
    parts = []
    xs: list[int] = []
    ys: list[int] = []
    for points in rings:
        projected = [project(lon, lat) for lon, lat in points]
        cleaned = [p for i, p in enumerate(projected) if i == 0 or p != projected[i - 1]]
        if len(cleaned) < 3:
            continue  # an islet smaller than the map's resolution
        xs += [x for x, _ in cleaned]
        ys += [y for _, y in cleaned]
        (x, y), moves = cleaned[0], []
        for nx, ny in cleaned[1:]:
            moves.append(f"{nx - x} {ny - y}")
            x, y = nx, ny
        parts.append(f"M{cleaned[0][0]} {cleaned[0][1]}l" + " ".join(moves) + "z")
    box = [min(xs), min(ys), max(xs), max(ys)] if xs else []
    return "".join(parts), box


def outlines(topology: dict) -> dict[str, dict[str, str]]:
    arcs = decode_arcs(topology)
    found = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if not code or code == ANTARCTICA:
            continue  # Natural Earth's unrecognised areas (N. Cyprus, Somaliland) have no code
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [ring(arcs, r) for polygon in polygons for r in polygon]
        drawn, box = path(rings)
        if drawn:
            found[code] = {"name": geometry["properties"]["name"], "d": drawn, "box": box}
    return dict(sorted(found.items()))


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: run `npm ci` first", file=sys.stderr)
        return 1
    result = {
        "source": "Natural Earth 1:110m countries, via the npm package world-atlas 2.0.2",
        "units_per_degree": UNITS,
        "north": NORTH,
        "south": SOUTH,
        "width": 360 * UNITS,
        "height": (NORTH - SOUTH) * UNITS,
        "countries": outlines(json.loads(SOURCE.read_text(encoding="utf-8"))),
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(result, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(result['countries'])} countries, {TARGET.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
