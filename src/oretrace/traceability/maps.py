"""The origins map of a lot: an equirectangular map zoomed on its origin facilities.

Pure geometry, no Django: given points with a share and a colour class, it picks a view
(the points' bounding box with a margin, never narrower than ``MIN_SPAN`` degrees so one origin
still shows its country, widened to a readable aspect), projects with the equirectangular
projection whose standard parallel is the view's middle latitude (x = (lon - west) x cos φ0,
y = north - lat, scaled to ``WIDTH`` units; distances along that parallel are true), and clips
the basemap shapes (basemap.py) to the view so the SVG carries only what is seen. Each origin
is a circle whose area is proportional to its share of the lot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from oretrace.traceability import basemap

WIDTH = 720.0
MIN_SPAN = 14.0  # degrees of latitude (and of longitude at the view's middle) at least
MARGIN = 0.25  # of the points' span, on each side
MIN_ASPECT, MAX_ASPECT = 0.5, 0.85  # height / width
MAX_RADIUS = 34.0  # a circle holding the whole lot; area scales with the share
MIN_RADIUS = 2.5  # tiny shares stay visible (their circle is then a little too big)
FONT = 15.0
Point = tuple[float, float]
Cross = Callable[[Point, Point], Point]
PAD = 2.0  # degrees drawn beyond the view so clipped outlines leave the picture cleanly
MIN_STEP = 1.5  # units: a vertex closer than this to the previous one is dropped
MIN_EXTENT = 3.0  # units: a ring smaller than this (width + height) is left out


@dataclass(frozen=True)
class View:
    """A box of longitude/latitude and the size it is drawn at."""

    west: float
    south: float
    east: float
    north: float
    width: float = WIDTH

    @property
    def cos0(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        """Units per degree of latitude."""
        return self.width / ((self.east - self.west) * self.cos0)

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.cos0 * self.scale, (self.north - lat) * self.scale

    @property
    def view_box(self) -> str:
        return f"0 0 {_n(self.width)} {_n(self.height)}"


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text in ("0.0", "-0.0") else (text[:-2] if text.endswith(".0") else text)


def view_for(points: Sequence[tuple[float, float]], *, width: float = WIDTH) -> View:
    """The view showing ``points`` (lon, lat) with a margin; the whole world when empty."""
    if not points:
        return View(-180, -60, 180, 80, width)
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    cos0 = max(math.cos(math.radians(mid_lat)), 0.2)
    # spans in "projected degrees" (latitude degrees; longitude x cos φ0)
    span_x = max((max(lons) - min(lons)) * cos0 * (1 + 2 * MARGIN), MIN_SPAN)
    span_y = max((max(lats) - min(lats)) * (1 + 2 * MARGIN), MIN_SPAN)
    span_y = min(max(span_y, span_x * MIN_ASPECT), 170)
    span_x = max(span_x, span_y / MAX_ASPECT)
    centre_lon = (min(lons) + max(lons)) / 2
    half_lon = min(span_x / cos0 / 2, 180)
    west, east = centre_lon - half_lon, centre_lon + half_lon
    if west < -180:
        west, east = -180, min(-180 + 2 * half_lon, 180)
    elif east > 180:
        west, east = max(180 - 2 * half_lon, -180), 180
    south, north = mid_lat - span_y / 2, mid_lat + span_y / 2
    if south < -85:
        south, north = -85, min(-85 + span_y, 85)
    elif north > 85:
        south, north = max(85 - span_y, -85), 85
    return View(west, south, east, north, width)


def _clip_ring(
    ring: Sequence[tuple[float, float]], west: float, south: float, east: float, north: float
) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a closed ring inside the box (still a ring)."""

    def cut(points: list[Point], inside: Callable[[Point], bool], cross: Cross) -> list[Point]:
        result: list[Point] = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
        return result

    def at_x(x: float) -> Cross:
        def cross(a: Point, b: Point) -> Point:
            t = (x - a[0]) / (b[0] - a[0])
            return x, a[1] + t * (b[1] - a[1])

        return cross

    def at_y(y: float) -> Cross:
        def cross(a: Point, b: Point) -> Point:
            t = (y - a[1]) / (b[1] - a[1])
            return a[0] + t * (b[0] - a[0]), y

        return cross

    points = list(ring)
    edges: list[tuple[Callable[[Point], bool], Cross]] = [
        (lambda p: p[0] >= west, at_x(west)),
        (lambda p: p[0] <= east, at_x(east)),
        (lambda p: p[1] >= south, at_y(south)),
        (lambda p: p[1] <= north, at_y(north)),
    ]
    for inside, cross in edges:
        if not points:
            break
        points = cut(points, inside, cross)
    return points


def _runs(
    line: Sequence[tuple[float, float]], west: float, south: float, east: float, north: float
) -> list[list[tuple[float, float]]]:
    """The pieces of an open line with a vertex in the box, each with one vertex either side."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i, (lon, lat) in enumerate(line):
        if west <= lon <= east and south <= lat <= north:
            if not current and i > 0:
                current.append(line[i - 1])
            current.append((lon, lat))
        elif current:
            current.append((lon, lat))
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _path(view: View, points: Iterable[tuple[float, float]], *, closed: bool) -> str:
    """SVG path data of projected points, dropping vertices closer than ``MIN_STEP``.

    A ring whose outline would be a few units across (a speck of an island or a lake) is left
    out: it cannot be seen and weighs on the page.
    """
    parts: list[str] = []
    last: tuple[float, float] | None = None
    xs: list[float] = []
    ys: list[float] = []
    for lon, lat in points:
        x, y = view.project(lon, lat)
        if last is not None and abs(x - last[0]) + abs(y - last[1]) < MIN_STEP:
            continue
        parts.append(f"{'L' if parts else 'M'}{_n(x)} {_n(y)}")
        last = (x, y)
        xs.append(x)
        ys.append(y)
    if len(parts) < 2 or (closed and max(xs) - min(xs) + max(ys) - min(ys) < MIN_EXTENT):
        return ""
    return "".join(parts) + ("Z" if closed else "")


@dataclass(frozen=True)
class Origin:
    """A point to plot: an origin facility with the fraction of the lot from it."""

    key: int
    name: str
    lon: float
    lat: float
    fraction: float
    kind: str


@dataclass(frozen=True)
class Marker:
    key: int
    name: str
    kind: str
    fraction: float
    x: float
    y: float
    r: float
    label_x: float | None  # None: no room for the label (the circle's title still names it)
    label_y: float
    anchor: str


@dataclass
class MapPicture:
    view: View
    land: list[str]
    water: list[str]
    borders: list[str]
    markers: list[Marker]

    @property
    def view_box(self) -> str:
        return self.view.view_box

    @property
    def width(self) -> str:
        return _n(self.view.width)

    @property
    def height(self) -> str:
        return _n(self.view.height)


def radius(fraction: float) -> float:
    """A circle whose area is proportional to ``fraction`` (the whole lot: ``MAX_RADIUS``)."""
    return max(MAX_RADIUS * math.sqrt(max(fraction, 0.0)), MIN_RADIUS)


def _label_box(x: float, y: float, text: str, anchor: str) -> tuple[float, float, float, float]:
    width = 0.58 * FONT * len(text)
    left = x if anchor == "start" else x - width
    return left, y - FONT, left + width, y + 3


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return not (a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3])


def _markers(view: View, origins: Sequence[Origin]) -> list[Marker]:
    """Circles, biggest first (drawn first, so small ones stay on top), with labels that fit.

    A label goes right of its circle, else left, below, above or at a corner: the first place
    where it overlaps neither another label nor another circle and stays in the picture; else it
    is left out (the circle's title and the origins table still name the facility).
    """
    placed: list[tuple[float, float, float, float]] = []
    markers = []
    ranked = sorted(origins, key=lambda o: (-o.fraction, o.key))
    circles = [(*view.project(o.lon, o.lat), radius(o.fraction)) for o in ranked]
    discs = [(x - r, y - r, x + r, y + r) for x, y, r in circles]
    for index, ((x, y, r), origin) in enumerate(zip(circles, ranked, strict=True)):
        others = discs[:index] + discs[index + 1 :]
        label: tuple[float, float, str] | None = None
        for lx, ly, anchor in (
            (x + r + 3, y + FONT / 3, "start"),
            (x - r - 3, y + FONT / 3, "end"),
            (x - 0.29 * FONT * len(origin.name), y + r + FONT, "start"),
            (x - 0.29 * FONT * len(origin.name), y - r - 4, "start"),
            (x + r, y - r - 2, "start"),
            (x + r, y + r + FONT, "start"),
            (x - r, y - r - 2, "end"),
            (x - r, y + r + FONT, "end"),
        ):
            box = _label_box(lx, ly, origin.name, anchor)
            inside = box[0] >= 0 and box[2] <= view.width and box[1] >= 0 and box[3] <= view.height
            if inside and not any(_overlaps(box, other) for other in [*placed, *others]):
                placed.append(box)
                label = (lx, ly, anchor)
                break
        markers.append(
            Marker(
                origin.key,
                origin.name,
                origin.kind,
                origin.fraction,
                x,
                y,
                radius(origin.fraction),
                None if label is None else label[0],
                y if label is None else label[1],
                "start" if label is None else label[2],
            )
        )
    return markers


def origins_map(origins: Sequence[Origin], *, width: float = WIDTH) -> MapPicture:
    """The map of ``origins``: land, lakes and borders in view, and one circle per origin."""
    view = view_for([(o.lon, o.lat) for o in origins], width=width)
    box = (view.west - PAD, view.south - PAD, view.east + PAD, view.north + PAD)
    resolution = "l" if view.east - view.west <= 60 else "c"
    land: list[str] = []
    water: list[str] = []
    borders: list[str] = []
    for shape in basemap.shapes(
        "coast", west=box[0], south=box[1], east=box[2], north=box[3], resolution=resolution
    ):
        path = _path(view, _clip_ring(shape.points, *box), closed=True)
        if path:
            (water if shape.level in basemap.WATER_LEVELS else land).append(path)
    for shape in basemap.shapes(
        "borders", west=box[0], south=box[1], east=box[2], north=box[3], resolution=resolution
    ):
        for run in _runs(shape.points, *box):
            path = _path(view, run, closed=False)
            if path:
                borders.append(path)
    return MapPicture(view, land, water, borders, _markers(view, origins))
