"""Layout of a lot's chain picture: a Sankey diagram from its origins (left) to the lot (right).

Pure geometry, no Django: the input is the custody graph (nodes, edges with ``share``), the
output boxes and band outlines in SVG user units that a template draws (and escapes). How:

1. cycles (bad data) are broken by dropping the edges a depth-first walk from the lot finds
   pointing back into its own path;
2. the fraction of the lot that flows through each node and edge is propagated from the lot
   upstream in topological order: an edge carries ``flow(target) x share`` -- the same product
   of shares along paths that trace.py sums for the origins;
3. each node's layer is its longest path (in edges) to the lot, so every band runs left to
   right; the lot is alone in layer 0, drawn rightmost; an edge that skips layers gets a
   waypoint in each layer it crosses, placed and stacked like a node without a label, so its
   band goes between the nodes of those columns instead of over them;
4. within a layer, nodes and waypoints are ordered by a few barycentre sweeps (each goes to the
   weighted mean position of its neighbours in the layers already placed), which removes most
   crossings of small chains without an exact (NP-hard) minimisation;
5. nodes are stacked in their column, each in a slot tall enough for its band stack and its
   three-line label, so nodes of one layer never overlap; a band's width is its flow x
   ``FLOW_HEIGHT`` exactly (proportional to the fraction), a node at least as tall as the bands
   on either side of it.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from oretrace.traceability import codes

NODE_WIDTH = 14.0
LABEL_WIDTH = 180.0  # room right of each column for the label (the bands run under it)
FLOW_HEIGHT = 280.0  # the height of the whole lot's flow
MIN_NODE_HEIGHT = 6.0
LINE_HEIGHT = 15.0
LABEL_LINES = 3
GAP = 14.0
MARGIN = 12.0
SWEEPS = 2
LABEL_CHARS = 24


@dataclass(frozen=True)
class NodeIn:
    """A lot to draw: its label lines, its colour class and whether it carries a flag."""

    key: int
    lines: tuple[str, ...]
    kind: str
    flagged: bool = False


@dataclass(frozen=True)
class NodeBox:
    key: int
    x: float
    y: float
    width: float
    height: float
    flow: float
    layer: int
    lines: tuple[str, ...]
    kind: str
    flagged: bool
    label_x: float
    label_y: float  # the baseline of the first label line

    @property
    def line_ys(self) -> list[tuple[float, str]]:
        """Each label line with its baseline (for the template)."""
        return [(self.label_y + i * LINE_HEIGHT, line) for i, line in enumerate(self.lines)]


@dataclass(frozen=True)
class Band:
    source: int
    target: int
    flow: float
    width: float
    path: str
    kind: str  # the colour class: the origin's type if the source is an origin
    passes: tuple[tuple[float, float], ...] = ()  # (x, top y) where it crosses a column


@dataclass
class ChainPicture:
    width: float
    height: float
    nodes: list[NodeBox]
    bands: list[Band]
    dropped_edges: list[tuple[int, int]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {_n(self.width)} {_n(self.height)}"


def short_code(code: str) -> str:
    """A lot code short enough for a label: the lot or serial part of an EPC URI, the lot
    number of an oretrace lot code."""
    if code.startswith(codes.LOT_PREFIX):
        return clip(codes.lot_number(code), 24)
    match = re.match(r"urn:epc:(?:class|id|idpat):[a-z]+:(.+)$", code)
    tail = match.group(1).split(".")[-1] if match else re.split(r"[:/#]", code.rstrip(":/#"))[-1]
    return clip(tail or code, 24)


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def num(value: float) -> str:
    """A coordinate in SVG: one decimal, no trailing zeros, never localised."""
    text = f"{value:.1f}"
    if text == "-0.0":
        return "0"
    return text[:-2] if text.endswith(".0") else text


_n = num


def _acyclic(
    root: int, ins: Mapping[int, list[tuple[int, float]]]
) -> tuple[list[int], set[tuple[int, int]]]:
    """Nodes reached from ``root`` upstream in discovery order, and the edges closing a cycle."""
    order = [root]
    state = {root: 1}  # 1 on the path, 2 done
    back: set[tuple[int, int]] = set()
    stack = [(root, iter(ins.get(root, [])))]
    while stack:
        node, sources = stack[-1]
        for source, _share in sources:
            if state.get(source) == 1:
                back.add((source, node))
            elif source not in state:
                state[source] = 1
                order.append(source)
                stack.append((source, iter(ins.get(source, []))))
                break
        else:
            state[node] = 2
            stack.pop()
    return order, back


Edges = dict[int, list[tuple[int, float]]]


@dataclass
class _Flow:
    """The acyclic graph upstream of the lot, with each node's share of it and its layer."""

    order: list[int]  # nodes in discovery order from the lot
    back: set[tuple[int, int]]  # edges dropped because they close a cycle
    ins: Edges  # target -> its (source, share) in the acyclic graph
    outs: Edges  # source -> its (target, share)
    flow: dict[int, float]  # the share of the lot that passes through each node
    layer: dict[int, int]  # longest path from the lot, in edges
    bands: dict[tuple[int, int], float]  # (source, target) -> flow along that edge


@dataclass
class _Hops:
    """An edge across several layers passes a waypoint in each layer between its ends, which
    takes its place in that column's order and stack (so the band never runs over a node)."""

    paths: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    way_layer: dict[int, int] = field(default_factory=dict)
    ins: Edges = field(default_factory=lambda: defaultdict(list))
    outs: Edges = field(default_factory=lambda: defaultdict(list))
    flow: dict[tuple[int, int], float] = field(default_factory=dict)


def layout(
    root: int,
    nodes: Mapping[int, NodeIn],
    edges: Sequence[tuple[int, int, float]],
) -> ChainPicture:
    """Place ``nodes`` (``root`` is the lot) and the bands of ``edges`` (source, target, share)."""
    if root not in nodes:
        raise ValueError(f"layout(): the lot {root} is not among the nodes")
    graph = _flow(root, nodes, edges)
    hops = _waypoints(graph)
    depth = max(graph.layer.values()) + 1
    layers: list[list[int]] = [[] for _ in range(depth)]
    for node in graph.order:
        layers[graph.layer[node]].append(node)
    for waypoint, k in hops.way_layer.items():
        layers[k].append(waypoint)
    _order_layers(layers, hops.ins, hops.outs, hops.flow)
    heights = _box_heights(graph, hops)
    boxes, ways, width, height = _place(layers, heights, nodes, graph.flow)
    bands = _bands(graph, hops, boxes, ways, heights)
    order = graph.order
    return ChainPicture(
        width, height, [boxes[n] for n in order], bands, dropped_edges=sorted(graph.back)
    )


def _flow(root: int, nodes: Mapping[int, NodeIn], edges: Sequence[tuple[int, int, float]]) -> _Flow:
    """Drop self-loops, unknown ends and cycle-closing edges; then flow and longest-path layer
    of each node, from the lot upstream in topological order (Kahn)."""
    all_ins: Edges = defaultdict(list)
    for source, target, share in edges:
        if source in nodes and target in nodes and source != target:
            all_ins[target].append((source, max(share, 0.0)))
    order, back = _acyclic(root, all_ins)
    reached = set(order)
    ins = {t: [(s, sh) for s, sh in all_ins.get(t, []) if (s, t) not in back] for t in reached}
    outs: Edges = defaultdict(list)
    for target, sources in ins.items():
        for source, share in sources:
            outs[source].append((target, share))
    flow = dict.fromkeys(reached, 0.0)
    flow[root] = 1.0
    layer = dict.fromkeys(reached, 0)
    waiting = {n: len(outs.get(n, [])) for n in reached}
    ready = [root]
    while ready:
        node = ready.pop()
        for source, share in ins[node]:
            flow[source] += flow[node] * share
            layer[source] = max(layer[source], layer[node] + 1)
            waiting[source] -= 1
            if waiting[source] == 0:
                ready.append(source)
    bands = {(s, t): flow[t] * share for t, sources in ins.items() for s, share in sources}
    return _Flow(order, back, ins, outs, flow, layer, bands)


def _waypoints(graph: _Flow) -> _Hops:
    hops = _Hops()
    for (source, target), value in graph.bands.items():
        path = [source]
        for k in range(graph.layer[source] - 1, graph.layer[target], -1):
            waypoint = -1 - len(hops.way_layer)  # lot ids are positive
            hops.way_layer[waypoint] = k
            path.append(waypoint)
        path.append(target)
        hops.paths[(source, target)] = path
        for a, b in itertools.pairwise(path):
            hops.ins[b].append((a, 1.0))
            hops.outs[a].append((b, 1.0))
            hops.flow[(a, b)] = value
    return hops


def _box_heights(graph: _Flow, hops: _Hops) -> dict[int, float]:
    """The height of each node's box (its largest flow) and of each waypoint's band."""
    heights = {w: hops.flow[hops.ins[w][0][0], w] * FLOW_HEIGHT for w in hops.way_layer}
    for node in graph.order:
        inflow = sum(graph.bands[(s, node)] for s, _ in graph.ins[node])
        outflow = sum(graph.bands[(node, t)] for t, _ in graph.outs.get(node, []))
        biggest = max(graph.flow[node], inflow, outflow)
        heights[node] = max(MIN_NODE_HEIGHT, FLOW_HEIGHT * biggest)
    return heights


def _place(
    layers: list[list[int]],
    heights: dict[int, float],
    nodes: Mapping[int, NodeIn],
    flow: dict[int, float],
) -> tuple[dict[int, NodeBox], dict[int, tuple[float, float]], float, float]:
    """Vertical placement: stack each layer's slots, centre the layer in the picture.

    Returns the boxes, each waypoint's (x, y) of the band's top, and the picture's size.
    """
    depth = len(layers)
    label_height = LABEL_LINES * LINE_HEIGHT
    slot = {n: (h + GAP / 2 if n < 0 else max(h, label_height) + GAP) for n, h in heights.items()}
    tallest = max(sum(slot[n] for n in nodes_) for nodes_ in layers)
    height = tallest - GAP + 2 * MARGIN
    width = 2 * MARGIN + depth * (NODE_WIDTH + LABEL_WIDTH)
    boxes: dict[int, NodeBox] = {}
    ways: dict[int, tuple[float, float]] = {}
    for k, column in enumerate(layers):
        x = MARGIN + (depth - 1 - k) * (NODE_WIDTH + LABEL_WIDTH)
        top = MARGIN + (tallest - sum(slot[n] for n in column)) / 2
        for node in column:
            h = heights[node]
            if node < 0:
                ways[node] = (x, top + (slot[node] - GAP / 2 - h) / 2)
            else:
                y = top + (slot[node] - GAP - h) / 2
                boxes[node] = _box(node, nodes[node], x, y, h, flow[node], k)
            top += slot[node]
    return boxes, ways, width, height


def _box(node: int, info: NodeIn, x: float, y: float, h: float, flow: float, k: int) -> NodeBox:
    lines = info.lines[:LABEL_LINES]
    label_y = y + h / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
    return NodeBox(
        node, x, y, NODE_WIDTH, h, flow, k, lines, info.kind, info.flagged,
        x + NODE_WIDTH + 4, label_y,
    )  # fmt: skip


def _bands(
    graph: _Flow,
    hops: _Hops,
    boxes: dict[int, NodeBox],
    ways: dict[int, tuple[float, float]],
    heights: dict[int, float],
) -> list[Band]:
    """Bands stacked on each node's side in the order of the next (or previous) hops' heights."""
    centre = {n: b.y + b.height / 2 for n, b in boxes.items()}
    centre.update({w: y + heights[w] / 2 for w, (_x, y) in ways.items()})
    out_top: dict[tuple[int, int], float] = {}
    for node, targets in graph.outs.items():
        ranked = sorted(targets, key=lambda ts: centre[hops.paths[(node, ts[0])][1]])
        y = _stack_start(boxes[node], sum(graph.bands[(node, t)] for t, _ in ranked))
        for target, _share in ranked:
            out_top[(node, target)] = y
            y += graph.bands[(node, target)] * FLOW_HEIGHT
    bands = []
    for target, sources in graph.ins.items():
        ranked = sorted(sources, key=lambda ss: centre[hops.paths[(ss[0], target)][-2]])
        y1 = _stack_start(boxes[target], sum(graph.bands[(s, target)] for s, _ in ranked))
        for source, _share in ranked:
            value = graph.bands[(source, target)]
            width = value * FLOW_HEIGHT
            points = [(boxes[source].x + NODE_WIDTH, out_top[(source, target)])]
            passes = [ways[w] for w in hops.paths[(source, target)][1:-1]]
            for x, y in passes:
                points += [(x, y), (x + NODE_WIDTH, y)]
            points.append((boxes[target].x, y1))
            path = _band_path(points, width)
            kind = boxes[source].kind
            bands.append(Band(source, target, value, width, path, kind, tuple(passes)))
            y1 += width
    bands.sort(key=lambda b: (-b.width, b.source, b.target))  # thin bands drawn on top
    return bands


def _stack_start(box: NodeBox, total: float) -> float:
    """Where a node's stack of bands starts: centred on the node's side."""
    return box.y + (box.height - total * FLOW_HEIGHT) / 2


def _band_path(points: Sequence[tuple[float, float]], width: float) -> str:
    """A band of constant vertical width along ``points``, the tops of its ends and passes.

    ``points`` alternate where the band leaves a column and where it reaches the next one:
    between columns it is a cubic curve (horizontal at both ends), across a waypoint's column
    a straight line.
    """

    def segment(a: tuple[float, float], b: tuple[float, float], curved: bool, dy: float) -> str:
        if not curved:
            return f"L{_n(b[0])} {_n(b[1] + dy)}"
        mid = (a[0] + b[0]) / 2
        return f"C{_n(mid)} {_n(a[1] + dy)} {_n(mid)} {_n(b[1] + dy)} {_n(b[0])} {_n(b[1] + dy)}"

    top = [f"M{_n(points[0][0])} {_n(points[0][1])}"]
    for i in range(1, len(points)):
        top.append(segment(points[i - 1], points[i], i % 2 == 1, 0))
    last = points[-1]
    bottom = [f"L{_n(last[0])} {_n(last[1] + width)}"]
    for i in range(len(points) - 1, 0, -1):
        bottom.append(segment(points[i], points[i - 1], i % 2 == 1, width))
    return "".join(top) + "".join(bottom) + "Z"


def _order_layers(
    layers: list[list[int]],
    ins: Mapping[int, list[tuple[int, float]]],
    outs: Mapping[int, list[tuple[int, float]]],
    band_flow: Mapping[tuple[int, int], float],
) -> None:
    """Barycentre sweeps: right to left by downstream neighbours, then back by upstream ones."""

    def positions() -> dict[int, float]:
        return {n: (i + 0.5) / len(column) for column in layers for i, n in enumerate(column)}

    def sweep(
        ks: range, neighbours: Mapping[int, list[tuple[int, float]]], *, downstream: bool
    ) -> None:
        for k in ks:
            pos = positions()
            keyed = []
            for i, node in enumerate(layers[k]):
                weights = [
                    (pos[other], band_flow[(node, other) if downstream else (other, node)])
                    for other, _share in neighbours.get(node, [])
                ]
                total = sum(w for _p, w in weights)
                bary = (
                    sum(p * w for p, w in weights) / total
                    if total > 0
                    else (sum(p for p, _ in weights) / len(weights) if weights else pos[node])
                )
                keyed.append((bary, i, node))
            layers[k] = [node for _b, _i, node in sorted(keyed)]

    for _ in range(SWEEPS):
        sweep(range(1, len(layers)), outs, downstream=True)
        sweep(range(len(layers) - 2, 0, -1), ins, downstream=False)
    sweep(range(1, len(layers)), outs, downstream=True)
