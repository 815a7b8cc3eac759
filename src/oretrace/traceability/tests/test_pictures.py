"""The lot pictures' pure parts: the chain layout, the map projection and the basemap reader."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from oretrace.traceability import basemap, maps, pictures
from oretrace.traceability.pictures import NodeIn

# --- chain layout -------------------------------------------------------------------------------


def _nodes(*keys: int) -> dict[int, NodeIn]:
    return {k: NodeIn(k, (f"L{k}", f"Facility {k}", "IN"), "intermediate") for k in keys}


# lot 1 <- 2 (0.75) <- 4 (0.5), 5 (0.5);  1 <- 3 (0.25), an origin joining late
DIAMOND = [(2, 1, 0.75), (3, 1, 0.25), (4, 2, 0.5), (5, 2, 0.5)]


def _numbers(path: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path)]


def test_bands_are_as_wide_as_the_fraction_of_the_lot_they_carry():
    # given a lot made of 75 % of lot 2 (itself half 4, half 5) and 25 % of lot 3
    picture = pictures.layout(1, _nodes(1, 2, 3, 4, 5), DIAMOND)
    # then each band carries the product of shares along its way, and its width is in proportion
    flows = {(b.source, b.target): b.flow for b in picture.bands}
    assert flows == pytest.approx({(2, 1): 0.75, (3, 1): 0.25, (4, 2): 0.375, (5, 2): 0.375})
    for band in picture.bands:
        assert band.width == pytest.approx(band.flow * pictures.FLOW_HEIGHT)
        # the path's two vertical ends are as wide as the band
        values = _numbers(band.path)
        assert values[9] - values[7] == pytest.approx(band.width, abs=0.11)
    boxes = {b.key: b for b in picture.nodes}
    assert boxes[2].flow == pytest.approx(0.75)
    assert boxes[4].flow == pytest.approx(0.375)


def test_layers_are_longest_paths_to_the_lot_drawn_left_to_right():
    picture = pictures.layout(1, _nodes(1, 2, 3, 4, 5), DIAMOND)
    boxes = {b.key: b for b in picture.nodes}
    assert {k: b.layer for k, b in boxes.items()} == {1: 0, 2: 1, 3: 1, 4: 2, 5: 2}
    assert boxes[4].x < boxes[2].x < boxes[1].x
    for band in picture.bands:
        assert boxes[band.source].x < boxes[band.target].x


def test_all_geometry_is_inside_the_view_box_and_nodes_of_a_layer_do_not_overlap():
    # a wider chain: eight origins through three sorters into one mill, into the lot
    edges = [(10 + i, 20 + i % 3, 1 / 3 if i < 6 else 0.5) for i in range(8)]
    edges += [(20, 30, 0.5), (21, 30, 0.3), (22, 30, 0.2), (30, 1, 1.0), (40, 1, 0.0)]
    keys = {k for e in edges for k in e[:2]}
    picture = pictures.layout(1, _nodes(*keys), edges)
    assert len(picture.nodes) == len(keys)
    for box in picture.nodes:
        assert box.x >= 0
        assert box.x + box.width <= picture.width
        assert box.y >= 0
        assert box.y + box.height <= picture.height
        assert box.label_x + pictures.LABEL_WIDTH - 4 <= picture.width
        for baseline, _line in box.line_ys:
            assert pictures.LINE_HEIGHT <= baseline <= picture.height
    for band in picture.bands:
        xs, ys = _numbers(band.path)[0::2], _numbers(band.path)[1::2]
        assert min(xs) >= 0
        assert max(xs) <= picture.width
        assert min(ys) >= 0
        assert max(ys) <= picture.height
    by_layer: dict[int, list[pictures.NodeBox]] = {}
    for box in picture.nodes:
        by_layer.setdefault(box.layer, []).append(box)
    for boxes in by_layer.values():
        boxes.sort(key=lambda b: b.y)
        for upper, lower in itertools.pairwise(boxes):
            upper_bottom = max(upper.y + upper.height, upper.line_ys[-1][0])
            assert upper_bottom < lower.y
            assert upper_bottom < lower.line_ys[0][0] - pictures.LINE_HEIGHT + 4


def test_bands_on_a_node_side_stay_within_it():
    picture = pictures.layout(1, _nodes(1, 2, 3, 4, 5), DIAMOND)
    boxes = {b.key: b for b in picture.nodes}
    for band in picture.bands:
        values = _numbers(band.path)
        y0_top, y1_top = values[1], values[7]
        source, target = boxes[band.source], boxes[band.target]
        assert source.y - 0.1 <= y0_top
        assert y0_top + band.width <= source.y + source.height + 0.1
        assert target.y - 0.1 <= y1_top
        assert y1_top + band.width <= target.y + target.height + 0.1


def test_barycentre_order_removes_a_crossing():
    # given layers whose origins start in the order that crosses their bands (4 feeds 3, 5 feeds 2)
    layers = [[1], [2, 3], [4, 5]]
    ins = {1: [(2, 0.5), (3, 0.5)], 2: [(5, 1.0)], 3: [(4, 1.0)]}
    outs = {2: [(1, 0.5)], 3: [(1, 0.5)], 4: [(3, 1.0)], 5: [(2, 1.0)]}
    flows = {(2, 1): 0.5, (3, 1): 0.5, (5, 2): 0.5, (4, 3): 0.5}
    # when
    pictures._order_layers(layers, ins, outs, flows)
    # then each origin sits on the same side as the sorter it feeds
    assert layers == [[1], [2, 3], [5, 4]]
    # and so does the full layout
    edges = [(2, 1, 0.5), (3, 1, 0.5), (5, 2, 1.0), (4, 3, 1.0)]
    y = {b.key: b.y for b in pictures.layout(1, _nodes(1, 2, 3, 4, 5), edges).nodes}
    assert (y[5] < y[4]) == (y[2] < y[3])


def test_a_band_skipping_layers_passes_between_the_nodes_it_crosses():
    # given an origin (5) feeding a sorter three steps up and, directly, the lot itself
    edges = [(2, 1, 0.6), (3, 2, 1.0), (4, 3, 0.5), (5, 3, 0.5), (5, 1, 0.4), (6, 1, 0.0)]
    picture = pictures.layout(1, _nodes(1, 2, 3, 4, 5, 6), edges)
    boxes = {b.key: b for b in picture.nodes}
    assert boxes[5].layer == 3
    long = next(b for b in picture.bands if (b.source, b.target) == (5, 1))
    # then it crosses layers 2 and 1 through a waypoint in each, clear of the nodes there
    assert len(long.passes) == 2
    assert long.width == pytest.approx(0.4 * pictures.FLOW_HEIGHT)
    for x, y in long.passes:
        column = [b for b in picture.nodes if b.x == x]
        assert column, "a waypoint sits in a node column"
        for box in column:
            assert y + long.width <= box.y or y >= box.y + box.height
        assert y >= 0
        assert y + long.width <= picture.height
    xs = _numbers(long.path)[0::2]
    assert min(xs) == pytest.approx(boxes[5].x + pictures.NODE_WIDTH, abs=0.06)
    assert max(xs) == pytest.approx(boxes[1].x, abs=0.06)
    short = [b for b in picture.bands if b is not long]
    assert all(b.passes == () for b in short)


def test_a_cycle_in_bad_data_is_cut_and_reported():
    edges = [(2, 1, 1.0), (3, 2, 1.0), (2, 3, 1.0)]
    picture = pictures.layout(1, _nodes(1, 2, 3), edges)
    assert picture.dropped_edges == [(2, 3)]
    assert {b.key for b in picture.nodes} == {1, 2, 3}


def test_a_lot_without_origins_is_one_node():
    picture = pictures.layout(7, _nodes(7), [])
    assert [b.key for b in picture.nodes] == [7]
    assert picture.bands == []
    assert picture.view_box == f"0 0 {pictures.num(picture.width)} {pictures.num(picture.height)}"


def test_short_codes_keep_the_lot_part():
    assert pictures.short_code("urn:epc:class:lgtin:8901234.000001.ASM-1") == "ASM-1"
    assert pictures.short_code("urn:epc:id:sgtin:8901234.000001.42") == "42"
    assert pictures.short_code("urn:x:lot:over") == "over"
    # an oretrace lot code: its lot number, which may hold a slash
    assert pictures.short_code("urn:x-oretrace:lot:koderma:DHK/2026-7") == "DHK/2026-7"
    assert pictures.short_code("urn:epc:class:lgtin:1.2." + "X" * 40).endswith("…")
    assert len(pictures.short_code("urn:epc:class:lgtin:1.2." + "X" * 40)) == 24


# --- the map --------------------------------------------------------------------------------


def test_equirectangular_projection_of_known_points():
    view = maps.View(west=60, south=0, east=100, north=40, width=800)
    cos20 = math.cos(math.radians(20))
    scale = 800 / (40 * cos20)
    assert view.project(60, 40) == pytest.approx((0, 0))
    assert view.project(100, 0) == pytest.approx((800, 40 * scale))
    assert view.project(80, 20) == pytest.approx((400, 20 * scale))
    assert view.height == pytest.approx(40 * scale)


def test_a_single_origin_gets_a_view_wide_enough_to_show_its_country():
    view = maps.view_for([(85.6, 24.5)])
    assert view.west < 85.6 < view.east
    assert view.south < 24.5 < view.north
    assert view.north - view.south >= maps.MIN_SPAN
    assert (view.east - view.west) * view.cos0 >= maps.MIN_SPAN - 1e-9
    assert maps.MIN_ASPECT - 1e-9 <= view.height / view.width <= maps.MAX_ASPECT + 1e-9


def test_the_view_holds_every_origin_with_a_margin_and_stays_on_the_globe():
    points = [(85.6, 24.5), (45.7, -24.0), (-70.0, 60.0)]
    view = maps.view_for(points)
    for lon, lat in points:
        x, y = view.project(lon, lat)
        assert 0 < x < view.width
        assert 0 < y < view.height
    assert -180 <= view.west < view.east <= 180
    assert -85 <= view.south < view.north <= 85
    assert maps.view_for([]).west == -180


def test_circle_area_is_proportional_to_the_share():
    assert maps.radius(1.0) == maps.MAX_RADIUS
    assert maps.radius(0.25) ** 2 == pytest.approx(maps.radius(1.0) ** 2 / 4)
    assert maps.radius(0.0) == maps.MIN_RADIUS


def test_clipping_a_ring_to_the_view():
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    clipped = maps._clip_ring(square, 5, -5, 20, 5)
    assert sorted(clipped) == sorted([(5.0, 0.0), (10.0, 0.0), (10.0, 5.0), (5.0, 5.0)])
    assert maps._clip_ring(square, 20, 20, 30, 30) == []


def test_origins_map_draws_land_borders_and_circles_in_view():
    origins = [
        maps.Origin(1, "Koderma", 85.6, 24.5, 0.7, "artisanal"),
        maps.Origin(2, "Kasai", 45.7, -24.0, 0.3, "industrial"),
    ]
    picture = maps.origins_map(origins)
    assert picture.land
    assert picture.borders
    first = {m.key: m for m in picture.markers}
    assert first[1].r > first[2].r
    for marker in picture.markers:
        assert 0 < marker.x < picture.view.width
        assert 0 < marker.y < picture.view.height
    for path in picture.land:
        values = _numbers(path)
        assert min(values) >= -1000
        assert max(values) <= 2000


def test_map_labels_overlap_no_other_label_or_circle_and_stay_in_the_picture():
    # given a cluster of villages a few kilometres apart
    origins = [
        maps.Origin(1, "Koderma village pits", 85.60, 24.47, 0.2, "artisanal"),
        maps.Origin(2, "Tisri scrap-mica collective", 86.06, 24.60, 0.15, "artisanal"),
        maps.Origin(3, "Gawan hillside pits", 85.90, 24.63, 0.1, "artisanal"),
        maps.Origin(4, "Domchanch collection centre", 85.69, 24.47, 0.12, "collection_point"),
    ]
    picture = maps.origins_map(origins)
    labelled = [m for m in picture.markers if m.label_x is not None]
    assert len(labelled) >= 3
    boxes = {
        m.key: maps._label_box(m.label_x, m.label_y, m.name, m.anchor)
        for m in labelled
        if m.label_x is not None
    }
    for key, box in boxes.items():
        assert box[0] >= 0
        assert box[2] <= picture.view.width
        assert box[1] >= 0
        assert box[3] <= picture.view.height
        for other in picture.markers:
            if other.key != key:
                disc = (other.x - other.r, other.y - other.r, other.x + other.r, other.y + other.r)
                assert not maps._overlaps(box, disc)
                if other.key in boxes:
                    assert not maps._overlaps(box, boxes[other.key])


# --- the basemap reader ---------------------------------------------------------------------


def _inside(point: tuple[float, float], ring: tuple[tuple[float, float], ...]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@pytest.mark.parametrize("resolution", ["c", "l"])
def test_the_basemap_finds_india_on_land(resolution):
    shapes = basemap.shapes("coast", west=68, south=8, east=97, north=36, resolution=resolution)
    land = [s for s in shapes if s.level in basemap.LAND_LEVELS]
    holding = [s for s in land if _inside((78.0, 22.0), s.points)]  # near Nagpur
    assert holding, "no land shape holds central India"
    shape = holding[0]
    assert shape.west <= 68.5
    assert shape.east >= 97
    assert shape.south <= 8.1
    # the Bay of Bengal is sea: no land shape holds it
    assert not any(_inside((88.0, 15.0), s.points) for s in land)


def test_the_basemap_meta_and_data_agree():
    metas = basemap.metas("coast", "c")
    assert len(metas) > 1000
    assert {m.level for m in metas} >= {1, 2}
    everything = basemap.shapes("coast")
    assert len(everything) == len(metas)
    for shape in everything:
        assert -180 <= shape.west <= shape.east <= 180
        for _lon, lat in shape.points[:5]:
            assert shape.south - 1e-3 <= lat <= shape.north + 1e-3
    borders = basemap.shapes("borders", west=68, south=8, east=97, north=36)
    assert borders
    assert all(s.level == -1 for s in borders)


def test_the_basemap_names_what_it_does_not_know():
    with pytest.raises(basemap.BasemapError, match="layer 'rivers'"):
        basemap.shapes("rivers")
    with pytest.raises(basemap.BasemapError, match="resolution 'x'"):
        basemap.shapes("coast", resolution="x")
