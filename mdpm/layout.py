"""A layered (Sugiyama-style) drawing of a directed graph, left to right, in pure Python.

Steps: break cycles, put each node in a layer by its longest path from a source, add dummy
nodes so every edge joins adjacent layers, order each layer by barycenters (a few sweeps,
keeping the order with the fewest crossings), then place nodes on a grid of columns and
give each the vertical position closest to its neighbours that keeps the order and spacing.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import operator
from dataclasses import dataclass, field
from typing import NamedTuple

SWEEPS = 6


class Box(NamedTuple):  # a named tuple: a drawing makes thousands, quicker than a dataclass
    """A node placed on the drawing: its centre and size."""

    id: str
    x: float
    y: float
    width: float
    height: float
    layer: int

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


class Route(NamedTuple):
    """An edge as drawn: from `source` to `target` through `points` (centres, in order)."""

    source: str
    target: str
    points: tuple[tuple[float, float], ...]
    backward: bool = False
    """True when the edge closes a cycle and so runs right to left."""


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    width: float
    height: float
    crossings: int = 0
    layers: list[list[str]] = field(default_factory=list)
    """Node ids per layer, top to bottom, dummies included (they start with a NUL)."""


def layout(nodes: dict[str, tuple[float, float]], edges: list[tuple[str, str]], *,
           layer_gap: float = 64, node_gap: float = 18, dummy_height: float = 8,
           margin: float = 12, sweeps: int = SWEEPS) -> Layout:
    """Lay out `nodes` (id -> (width, height), in a stable order) and `edges` (source, target).

    Edges whose ends are not nodes, repeated edges and self-loops are ignored.
    """
    order = list(nodes)
    edges = list(dict.fromkeys((s, t) for s, t in edges if s in nodes and t in nodes and s != t))
    forward, backward = _break_cycles(order, edges)
    layer_of = _layers(order, forward)
    chains, sizes = _split_long_edges(forward + [(t, s) for s, t in backward], layer_of,
                                      dict(nodes), dummy_height)
    links = [(a, b) for chain in chains for a, b in zip(chain, chain[1:])]
    layers = _group(layer_of, order, {n for link in links for n in link})
    layers, crossings = _order(layers, links, sweeps)
    centres, columns, width, height = _place(layers, links, sizes, layer_gap, node_gap, margin)
    boxes = {n: Box(n, *centres[n], *nodes[n], layer_of[n]) for n in order}
    routes = [_route(chain, centres, columns, layer_of, backward_pair) for chain, backward_pair
              in zip(chains, [False] * len(forward) + [True] * len(backward))]
    return Layout(boxes, routes, width, height, crossings, layers)


def _break_cycles(order: list[str], edges: list[tuple[str, str]]):
    """Split edges into forward ones (a DAG) and the few that close cycles."""
    position = {n: i for i, n in enumerate(order)}
    incoming: dict[str, set[str]] = {n: set() for n in order}
    outgoing: dict[str, list[str]] = {n: [] for n in order}
    for s, t in edges:
        incoming[t].add(s)
        outgoing[s].append(t)
    placed: dict[str, int] = {}
    ready = [position[n] for n in order if not incoming[n]]
    heapq.heapify(ready)
    while len(placed) < len(order):
        if not ready:  # stuck on a cycle: take the first remaining node anyway
            heapq.heappush(ready, min(position[n] for n in order if n not in placed))
        node = order[heapq.heappop(ready)]
        if node in placed:
            continue
        placed[node] = len(placed)
        for t in outgoing[node]:
            incoming[t].discard(node)
            if not incoming[t] and t not in placed:
                heapq.heappush(ready, position[t])
    forward = [(s, t) for s, t in edges if placed[s] < placed[t]]
    backward = [(s, t) for s, t in edges if placed[s] > placed[t]]
    return forward, backward


def _layers(order: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Layer of each node: the length of the longest path reaching it from a source."""
    preds: dict[str, list[str]] = {n: [] for n in order}
    succs: dict[str, list[str]] = {n: [] for n in order}
    for s, t in edges:
        preds[t].append(s)
        succs[s].append(t)
    waiting = {n: len(preds[n]) for n in order}
    layer = {n: 0 for n in order}
    queue = [n for n in order if not waiting[n]]
    for node in queue:
        for t in succs[node]:
            layer[t] = max(layer[t], layer[node] + 1)
            waiting[t] -= 1
            if not waiting[t]:
                queue.append(t)
    return layer


def _split_long_edges(edges, layer_of, sizes, dummy_height):
    """Return each edge as a chain of nodes one layer apart, adding dummy nodes."""
    chains = []
    for s, t in edges:
        chain = [s]
        for step in range(layer_of[s] + 1, layer_of[t]):
            dummy = f"\0{s}\0{t}\0{step}"
            layer_of[dummy] = step
            sizes[dummy] = (0.0, dummy_height)
            chain.append(dummy)
        chains.append(chain + [t])
    return chains, sizes


def _group(layer_of: dict[str, int], order: list[str], linked: set[str]) -> list[list[str]]:
    """Nodes per layer: linked nodes in the given order, dummies, then nodes without edges."""
    count = max(layer_of.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for node in order:
        if node in linked:
            layers[layer_of[node]].append(node)
    for node, layer in layer_of.items():
        if node.startswith("\0"):
            layers[layer].append(node)
    for node in order:
        if node not in linked:
            layers[layer_of[node]].append(node)
    return layers


def _order(layers: list[list[str]], links: list[tuple[str, str]], sweeps: int):
    """Reorder each layer by barycenters, sweeping both ways; keep the fewest crossings."""
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for a, b in links:
        preds.setdefault(b, []).append(a)
        succs.setdefault(a, []).append(b)
    linked = preds.keys() | succs.keys()
    best = [list(layer) for layer in layers]
    best_count = _crossings(best, succs)
    current = [list(layer) for layer in best]
    for sweep in range(sweeps):
        if best_count == 0:
            break
        if sweep % 2 == 0:
            for i in range(1, len(current)):
                current[i] = _by_barycenter(current[i], current[i - 1], preds, linked)
        else:
            for i in range(len(current) - 2, -1, -1):
                current[i] = _by_barycenter(current[i], current[i + 1], succs, linked)
        count = _crossings(current, succs)
        if count < best_count:
            best, best_count = [list(layer) for layer in current], count
    return best, best_count


def _by_barycenter(layer: list[str], fixed: list[str], neighbours, linked) -> list[str]:
    """Sort `layer` by the mean position of each node's neighbours in the `fixed` layer."""
    position = {n: i for i, n in enumerate(fixed)}
    keys = {}
    for index, node in enumerate(layer):
        near = [position[m] for m in neighbours.get(node, ()) if m in position]
        if near:
            keys[node] = sum(near) / len(near)
        elif node in linked:  # linked only on the other side: keep its relative place
            keys[node] = index * len(fixed) / max(len(layer), 1)
        else:
            keys[node] = float("inf")  # no edges at all: below the rest
    return sorted(layer, key=keys.__getitem__)  # stable: ties keep the layer's order


def _crossings(layers: list[list[str]], succs) -> int:
    """Count pairs of links that cross between each two adjacent layers."""
    total = 0
    for upper, lower in zip(layers, layers[1:]):
        position = {n: i for i, n in enumerate(lower)}
        size = len(lower)
        # the links ordered by their upper end, then by their lower end, as one number each
        ends = sorted([i * size + position[t] for i, s in enumerate(upper)
                       for t in succs.get(s, ()) if t in position])
        total += _inversions([end % size for end in ends])
    return total


def _inversions(values: list[int]) -> int:
    """Number of pairs i < j with values[i] > values[j]."""
    seen: list[int] = []
    count = 0
    for value in values:
        index = bisect.bisect_right(seen, value)
        count += len(seen) - index
        seen.insert(index, value)
    return count


def _place(layers, links, sizes, layer_gap, node_gap, margin):
    """Give every node a centre: a column per layer, rows pulled towards neighbours."""
    widths = [max((sizes[n][0] for n in layer), default=0) for layer in layers]
    xs, x = [], margin
    for w in widths:
        xs.append(x + w / 2)
        x += w + layer_gap
    neighbours: dict[str, list[str]] = {}
    for a, b in links:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    ys = {}
    for layer in layers:
        y = 0.0
        for node in layer:
            ys[node] = y + sizes[node][1] / 2
            y += sizes[node][1] + node_gap
    offsets = [_offsets(layer, sizes, node_gap) for layer in layers]
    nears = [[neighbours.get(node) for node in layer] for layer in layers]
    passes = [range(1, len(layers)), range(len(layers) - 2, -1, -1)] * 2 + [range(len(layers))]
    for layer_indexes in passes:
        for i in layer_indexes:
            _settle(layers[i], offsets[i], nears[i], ys)
    top = min(ys[n] - sizes[n][1] / 2 for n in ys) if ys else 0.0
    bottom = max(ys[n] + sizes[n][1] / 2 for n in ys) if ys else 0.0
    centres = {n: (xs[i], ys[n] - top + margin) for i, layer in enumerate(layers) for n in layer}
    width = (x - layer_gap + margin) if layers else 2 * margin
    columns = [(x - w / 2, x + w / 2) for x, w in zip(xs, widths)]
    return centres, columns, width, bottom - top + 2 * margin


def _offsets(layer, sizes, gap) -> list[float]:
    """Where each node of a layer sits below the first one when they are packed together."""
    offsets, offset = [], 0.0
    for i, node in enumerate(layer):
        if i:
            offset += (sizes[layer[i - 1]][1] + sizes[node][1]) / 2 + gap
        offsets.append(offset)
    return offsets


def _settle(layer, offsets, nears, ys) -> None:
    """Move a layer's nodes as close as the order and spacing allow to their neighbours' mean.

    Least squares under `y[i+1] - y[i] >= spacing` (the `offsets` of the packed layer),
    solved by pooling adjacent violators. `nears`: each node's neighbours (or None).
    """
    totals: list[float] = []  # per block of nodes that sit packed together: sum of targets
    counts: list[int] = []
    at = ys.__getitem__
    for node, off, near in zip(layer, offsets, nears):
        total = (sum(map(at, near)) / len(near) if near else ys[node]) - off
        count = 1
        while totals and totals[-1] * count > total * counts[-1]:
            total += totals.pop()
            count += counts.pop()
        totals.append(total)
        counts.append(count)
    means = [mean for total, count in zip(totals, counts)
             for mean in itertools.repeat(total / count, count)]
    ys.update(zip(layer, map(operator.add, means, offsets)))


def _route(chain: list[str], centres, columns, layer_of, backward: bool) -> Route:
    """The points of an edge; it crosses a column of dummies straight, clear of the boxes."""
    points = [centres[chain[0]]]
    for dummy in chain[1:-1]:
        left, right = columns[layer_of[dummy]]
        y = centres[dummy][1]
        points += [(left, y), (right, y)]
    points = tuple(points + [centres[chain[-1]]])
    if backward:
        points = points[::-1]
        return Route(chain[-1], chain[0], points, backward=True)
    return Route(chain[0], chain[-1], points)
