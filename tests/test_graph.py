"""The layered layout, the SVG/Mermaid/DOT graphs, the timeline and `mdpm graph`."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdpm import graph as graph_module
from mdpm import layout as layout_module
from mdpm.cli import run
from mdpm.errors import UsageError
from mdpm.graph import (find_project, graph_dot, graph_layout, graph_mermaid, graph_svg,
                        project_graph, timeline_svg)
from mdpm.layout import layout
from mdpm.workspace import open_workspace

SVG = "{http://www.w3.org/2000/svg}"
NASTY = """<script>alert("x")</script> & 'quotes' [brackets] {braces} #1 `tick` \\ end"""


def _task(title, *, stage="backlog", estimate=None, deps=(), due=None, owner="alice"):
    lines = [f"title: {title!r}" if "'" not in title else f'title: "{_yaml_escape(title)}"',
             f"stage: {stage}", f"owner: {owner}"]
    if estimate is not None:
        lines.append(f"estimate: {estimate}")
    if deps:
        lines.append(f"depends-on: [{', '.join(deps)}]")
    if due:
        lines.append(f"due: {due}")
    return "---\n" + "\n".join(lines) + "\n---\nBody.\n"


def _yaml_escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


@pytest.fixture
def repo(small_repo, write_tree):
    """acme: a diamond (brief -> draft/photos -> publish) plus a need from the brand project."""
    base = "content/projects/acme/"
    write_tree({
        base + "_index.md": "---\ntitle: Acme & Co <case>\nstart: 2026-11-23\n---\n",
        base + "brief.md": _task("Write the brief", stage="done", estimate=1, due="2026-11-20"),
        base + "draft.md": _task("Draft the case study", stage="doing", estimate=3,
                                 deps=["brief"], due="2026-11-24"),
        base + "photos.md": _task(NASTY, estimate=1, deps=["brief", "brand/kit"],
                                  due="2026-12-01"),
        base + "publish.md": _task("Publish", deps=["draft", "photos"], due="2026-12-04"),
        "content/projects/brand/kit.md": _task("Brand kit", stage="done"),
    }, root=small_repo)
    return small_repo


@pytest.fixture
def portfolio(repo):
    return open_workspace(repo).portfolio


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


# --- layout ---------------------------------------------------------------------------------


def _overlaps(boxes) -> list[tuple[str, str]]:
    return [(a.id, b.id) for a, b in itertools.combinations(boxes, 2)
            if a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom]


def _random_dag(count: int, seed: int) -> tuple[dict, list]:
    import random

    rng = random.Random(seed)
    nodes = {f"t{i}": (200.0, 62.0) for i in range(count)}
    edges = [(f"t{rng.randrange(max(0, i - 12), i)}", f"t{i}")
             for i in range(1, count) for _ in range(rng.randint(0, 3))]
    return nodes, edges


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_layout_has_no_overlapping_nodes_and_edges_go_left_to_right(seed):
    nodes, edges = _random_dag(60, seed)
    drawn = layout(nodes, edges)
    assert _overlaps(list(drawn.boxes.values())) == []
    for source, target in edges:
        assert drawn.boxes[source].right < drawn.boxes[target].left
    for route in drawn.routes:  # the straight runs through dummies miss every box
        for (x1, y1), (x2, y2) in zip(route.points[1:-1], route.points[2:-1]):
            if y1 == y2:
                assert not [b.id for b in drawn.boxes.values()
                            if b.left < max(x1, x2) and min(x1, x2) < b.right
                            and b.top <= y1 <= b.bottom]
    for box in drawn.boxes.values():
        assert box.left >= 0 and box.top >= 0
        assert box.right <= drawn.width and box.bottom <= drawn.height


def test_layers_are_longest_paths_from_sources():
    nodes = {n: (100.0, 40.0) for n in "abcde"}
    drawn = layout(nodes, [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e")])
    assert {n: b.layer for n, b in drawn.boxes.items()} == {"a": 0, "b": 1, "c": 2, "d": 0,
                                                             "e": 1}
    long_edge = next(r for r in drawn.routes if (r.source, r.target) == ("a", "c"))
    # through a dummy node in layer 1: straight across that column, clear of b
    assert len(long_edge.points) == 4
    (x1, y1), (x2, y2) = long_edge.points[1:3]
    b = drawn.boxes["b"]
    assert (x1, x2) == (b.left, b.right) and y1 == y2
    assert not b.top <= y1 <= b.bottom


def test_barycenter_sweeps_remove_crossings_of_a_known_case():
    # Given order: a1..a4 in layer 0, b1..b4 in layer 1, and each ai -> b(5-i): 6 crossings.
    nodes = {f"a{i}": (100.0, 40.0) for i in range(1, 5)}
    nodes.update({f"b{i}": (100.0, 40.0) for i in range(1, 5)})
    edges = [(f"a{i}", f"b{5 - i}") for i in range(1, 5)]
    drawn = layout(nodes, edges)
    assert drawn.crossings == 0
    for i in range(1, 5):
        assert drawn.boxes[f"a{i}"].y == pytest.approx(drawn.boxes[f"b{5 - i}"].y)


@pytest.mark.parametrize("seed", [5, 7])
def test_crossings_go_down_on_a_bigger_graph(seed):
    nodes, edges = _random_dag(40, seed)
    as_given = layout(nodes, edges, sweeps=0)
    swept = layout(nodes, edges)
    assert 0 <= swept.crossings < as_given.crossings
    assert _overlaps(list(swept.boxes.values())) == []


def test_cycles_are_drawn_with_a_backward_edge():
    drawn = layout({n: (80.0, 30.0) for n in "abc"}, [("a", "b"), ("b", "c"), ("c", "a")])
    assert [r.backward for r in drawn.routes] == [False, False, True]
    assert drawn.boxes["a"].x < drawn.boxes["b"].x < drawn.boxes["c"].x


def test_layout_ignores_unknown_ends_repeats_and_self_loops():
    drawn = layout({"a": (10.0, 10.0), "b": (10.0, 10.0)},
                   [("a", "b"), ("a", "b"), ("a", "a"), ("x", "b")])
    assert [(r.source, r.target) for r in drawn.routes] == [("a", "b")]


def test_layout_of_a_hundred_tasks_is_fast():
    nodes, edges = _random_dag(100, 11)
    best = min(_timed(lambda: layout(nodes, edges)) for _ in range(3))
    assert best < 0.1, f"layout of 100 tasks took {best * 1000:.0f} ms"


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# The layout's and the text helpers' quick paths must give exactly what the plain code gives
# (same floats, so the same bytes). The plain versions below are the straightforward ones.


def _plain_by_barycenter(layer, fixed, neighbours, linked):
    position = {n: i for i, n in enumerate(fixed)}

    def key(item):
        index, node = item
        near = [position[m] for m in neighbours.get(node, ()) if m in position]
        if near:
            return (sum(near) / len(near), index)
        if node in linked:
            return (index * len(fixed) / max(len(layer), 1), index)
        return (float("inf"), index)

    return [node for _, node in sorted(enumerate(layer), key=key)]


def _plain_crossings(layers, succs):
    total = 0
    for upper, lower in zip(layers, layers[1:]):
        position = {n: i for i, n in enumerate(lower)}
        ends = [position[t] for s in upper for t in sorted(
            (m for m in succs.get(s, ()) if m in position), key=position.__getitem__)]
        total += sum(1 for i, j in itertools.combinations(range(len(ends)), 2)
                     if ends[i] > ends[j])
    return total


def _plain_settle(layer, offsets, nears, ys):
    totals, counts = [], []
    for node, off, near in zip(layer, offsets, nears):
        target = sum(ys[m] for m in near) / len(near) if near else ys[node]
        totals.append(target - off)
        counts.append(1)
        while len(totals) > 1 and totals[-2] * counts[-1] > totals[-1] * counts[-2]:
            total, count = totals.pop(), counts.pop()
            totals[-1] += total
            counts[-1] += count
    i = 0
    for total, count in zip(totals, counts):
        for _ in range(count):
            ys[layer[i]] = total / count + offsets[i]
            i += 1


_graphs = st.integers(1, 14).flatmap(lambda count: st.tuples(
    st.lists(st.sampled_from([(210.0, 62.0), (160.0, 36.0), (40.0, 7.5)]),
             min_size=count, max_size=count),
    st.lists(st.tuples(st.integers(0, count), st.integers(0, count)), max_size=3 * count)))


@settings(max_examples=150, deadline=None)
@given(_graphs)
def test_layout_is_exactly_what_the_plain_helpers_give(graph):
    sizes, pairs = graph  # cycles, repeats, self-loops and an unknown end (the last number)
    nodes = {f"n{i}": size for i, size in enumerate(sizes)}
    edges = [(f"n{a}", f"n{b}") for a, b in pairs]
    quick = layout(nodes, edges)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(layout_module, "_by_barycenter", _plain_by_barycenter)
        patch.setattr(layout_module, "_crossings", _plain_crossings)
        patch.setattr(layout_module, "_settle", _plain_settle)
        plain = layout(nodes, edges)
    assert repr(quick) == repr(plain)


def _plain_text_width(text, size):
    return sum(graph_module._char_width(c, size) for c in text)


def _plain_fit(text, width, size):
    text = " ".join(text.split())
    if _plain_text_width(text, size) <= width:
        return text
    room, kept = width - graph_module._char_width("…", size), []
    for char in text:
        room -= graph_module._char_width(char, size)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _plain_wrap(text, width, size, lines=2):
    words, result = " ".join(text.split()).split(" "), []
    while words and len(result) < lines - 1:
        line = words.pop(0)
        while words and _plain_text_width(line + " " + words[0], size) <= width:
            line += " " + words.pop(0)
        if _plain_text_width(line, size) > width:
            rest = line[len(_plain_fit(line, width, size)) - 1:]
            line = _plain_fit(line, width, size)[:-1]
            words.insert(0, rest)
        result.append(line)
    if words:
        result.append(_plain_fit(" ".join(words), width, size))
    return result


_titles = st.text(st.sampled_from("abcdefghij klmnopqrstuvwxyz  ABCDEFGHIJ.,:;'|!()-\"`mwMW@%&<>"
                                  "\x00\x01\t\n\ufffe…漢字éü"), max_size=60) | st.text(max_size=40)
_room = st.sampled_from([188.0, 190.0, 198, 140.0]) | st.floats(-20, 400, allow_nan=False)
_sizes = st.sampled_from([11, 12, 13, 13 * 1.03, 12 * 1.1])


@settings(max_examples=400, deadline=None)
@given(_titles, _room, _sizes, st.integers(1, 3))
def test_text_fitting_is_exactly_the_per_character_sum(text, width, size, lines):
    assert graph_module._text_width(text, size) == _plain_text_width(text, size)
    assert graph_module._fit(text, width, size) == _plain_fit(text, width, size)
    assert graph_module._wrap(text, width, size, lines) == _plain_wrap(text, width, size, lines)
    # a second time: now from the memos
    assert graph_module._text_width(text, size) == _plain_text_width(text, size)
    assert graph_module._wrap(text, width, size, lines) == _plain_wrap(text, width, size, lines)


@settings(max_examples=300, deadline=None)
@given(_titles, st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.0, -0.0, -0.04, 1, 2.5]))
def test_escaping_and_numbers_are_the_plain_ones_even_from_the_memos(text, value):
    plain = html.escape(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text), quote=True)
    plain_number = f"{value:.1f}"[:-2] if f"{value:.1f}".endswith(".0") else f"{value:.1f}"
    for _ in range(2):
        assert graph_module._esc(text) == plain
        assert graph_module._n(value) == plain_number


def test_zero_and_minus_zero_keep_their_own_text():
    assert [graph_module._n(v) for v in (0.0, -0.0, 0.0, -0.0, -0.04, 0)] == \
        ["0", "-0", "0", "-0", "-0", "0"]


def test_the_memos_stop_growing_at_their_bound(monkeypatch):
    monkeypatch.setattr(graph_module, "_KEPT", 3)
    escaped, numbers = graph_module._Escaped(), graph_module._Numbers()
    widths = graph_module._TextWidths(13)
    texts = [f"<{i}>" for i in range(10)]
    assert [escaped[t] for t in texts] == [f"&lt;{i}&gt;" for i in range(10)]
    assert [numbers[v + 0.25] for v in range(10)] == [f"{v + 0.25:.1f}" for v in range(10)]
    assert [widths[t] for t in texts] == [_plain_text_width(t, 13) for t in texts]
    assert len(escaped) == len(numbers) == len(widths) == 3


# --- the project graph ----------------------------------------------------------------------


def test_project_graph_has_tasks_external_needs_and_the_critical_path(portfolio):
    graph = project_graph(portfolio, "acme")
    assert list(graph.nodes) == ["brand/kit", "acme/brief", "acme/draft", "acme/photos",
                                 "acme/publish"]
    assert graph.nodes["brand/kit"].kind == "external"
    assert [graph.nodes[r].kind for r in ("acme/brief", "acme/draft", "acme/photos")] == \
        ["done", "active", "queue"]
    assert graph.critical == ["acme/brief", "acme/draft", "acme/publish"]
    assert graph.critical_edges == {("acme/brief", "acme/draft"), ("acme/draft", "acme/publish")}
    assert ("brand/kit", "acme/photos") in graph.edges


def test_a_set_of_critical_refs_marks_the_edges_between_them(portfolio):
    graph = project_graph(portfolio, "acme", critical={"acme/brief", "acme/photos"})
    assert graph.critical_edges == {("acme/brief", "acme/photos")}


def test_unknown_project_names_the_known_ones(portfolio):
    with pytest.raises(UsageError) as caught:
        find_project(portfolio, "acmee")
    assert str(caught.value) == ("no project `acmee`; did you mean `acme`? "
                                 "(known projects: acme, brand)")


# --- SVG ------------------------------------------------------------------------------------


def test_svg_is_well_formed_accessible_and_escaped(portfolio):
    svg = graph_svg(portfolio, "acme")
    root = _parse(svg)
    assert root.get("role") == "group"  # "img" would hide the task links inside it
    assert root.get("aria-labelledby") == "mdpm-graph-acme-title"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
    assert root.find(f"{SVG}title").text == "Dependency graph of Acme & Co <case>"
    assert "Critical path: Write the brief → Draft the case study → Publish." in \
        root.find(f"{SVG}desc").text
    assert "<script" not in svg and "&lt;script&gt;" in svg
    photos = root.find(f".//{SVG}g[@data-task='acme/photos']")
    assert photos.find(f"{SVG}title").text.startswith(NASTY + " (acme/photos;")
    shown = "".join(photos.find(f"{SVG}text").itertext())
    assert shown.endswith("…") and NASTY.startswith(shown[:-1].replace("  ", " ").rstrip())


def test_svg_nodes_are_coloured_by_stage_type_with_text_and_critical_marked(portfolio):
    root = _parse(graph_svg(portfolio, "acme"))
    classes = {g.get("data-task"): g.get("class") for g in root.iter(f"{SVG}g")
               if g.get("data-task")}
    assert classes == {
        "brand/kit": "node node-external",
        "acme/brief": "node node-done critical",
        "acme/draft": "node node-active critical",
        "acme/photos": "node node-queue",
        "acme/publish": "node node-queue critical",
    }
    draft = root.find(f".//{SVG}g[@data-task='acme/draft']")
    assert "".join(draft.findall(f"{SVG}text")[1].itertext()) == "◐ Doing · alice · 3d"
    assert draft.find(f"{SVG}rect").get("stroke-width") == "3"
    critical_edges = [p for p in root.iter(f"{SVG}path") if "critical" in (p.get("class") or "")]
    assert {(p.get("data-from"), p.get("data-to")) for p in critical_edges} == \
        {("acme/brief", "acme/draft"), ("acme/draft", "acme/publish")}
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert "Critical path" in "".join(legend.itertext())


def test_svg_edges_run_from_dependency_to_dependent(portfolio):
    root = _parse(graph_svg(portfolio, "acme"))
    rects = {g.get("data-task"): g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g")
             if g.get("data-task")}
    edges = [p for p in root.iter(f"{SVG}path") if p.get("data-from")]
    assert len(edges) == 5
    for path in edges:
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        start_x, end_x = numbers[0], numbers[-2]
        source, target = rects[path.get("data-from")], rects[path.get("data-to")]
        assert start_x == pytest.approx(float(source.get("x")) + float(source.get("width")))
        assert end_x == pytest.approx(float(target.get("x")) - 2)
        assert start_x < end_x
        assert path.get("marker-end").startswith("url(#mdpm-arrow-")


def test_svg_links_nodes_and_escapes_the_href(portfolio):
    svg = graph_svg(portfolio, "acme", link=lambda ref: None if ref.startswith("brand")
                    else f"../{ref}/?a=1&b=\"2\"")
    root = _parse(svg)
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == [f"../acme/{t}/?a=1&b=\"2\"" for t in ("brief", "draft", "photos", "publish")]
    assert 'href="../acme/brief/?a=1&amp;b=&quot;2&quot;"' in svg


def test_svg_does_not_link_a_missing_task(small_repo, write_tree):
    write_tree({"content/projects/acme/a.md": _task("A", deps=["ghost", "other/gone"])},
               root=small_repo)
    root = _parse(graph_svg(open_workspace(small_repo).portfolio, "acme",
                            link=lambda ref: f"/{ref}/"))
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["/acme/a/"]
    ghost = root.find(f".//{SVG}g[@data-task='acme/ghost']")
    assert ghost.get("class") == "node node-external"
    assert "missing task" in "".join(ghost.itertext())


def test_svg_is_deterministic_and_nodes_do_not_overlap(portfolio, repo):
    first = graph_svg(portfolio, "acme")
    assert first == graph_svg(open_workspace(repo).portfolio, "acme")
    boxes = graph_layout(project_graph(portfolio, "acme")).boxes.values()
    assert _overlaps(list(boxes)) == []


def test_svg_of_a_project_with_a_cycle_still_draws(small_repo, write_tree):
    write_tree({"content/projects/loop/a.md": _task("A", deps=["b"]),
                "content/projects/loop/b.md": _task("B", deps=["a"])}, root=small_repo)
    root = _parse(graph_svg(open_workspace(small_repo).portfolio, "loop"))
    edges = [p for p in root.iter(f"{SVG}path") if p.get("data-from")]
    assert sorted(p.get("class") for p in edges) == ["edge", "edge backward"]


def test_svg_of_a_hundred_tasks(small_repo, write_tree):
    files = {f"content/projects/big/t{i:03}.md": _task(
        f"Task number {i}", estimate=1 + i % 4,
        deps=[f"t{j:03}" for j in range(max(0, i - 3), i) if (i * j) % 3 == 0])
        for i in range(100)}
    write_tree(files, root=small_repo)
    portfolio = open_workspace(small_repo).portfolio
    best = min(_timed(lambda: graph_svg(portfolio, "big")) for _ in range(3))
    assert best < 0.1, f"graph_svg of 100 tasks took {best * 1000:.0f} ms"
    drawn = graph_layout(project_graph(portfolio, "big"))
    assert _overlaps(list(drawn.boxes.values())) == []


# --- timeline -------------------------------------------------------------------------------


def test_timeline_marks_today_overdue_and_done(portfolio):
    tasks = sorted(portfolio.projects["acme"].tasks, key=lambda t: t.due)
    today = dt.date(2026, 11, 25)
    svg = timeline_svg(tasks, today, link=lambda ref: f"/{ref}/", done={"acme/brief"})
    root = _parse(svg)
    rows = [(g.get("data-task"), g.get("class")) for g in root.iter(f"{SVG}g")
            if g.get("data-task")]
    assert rows == [("acme/brief", "row done"), ("acme/draft", "row overdue"),
                    ("acme/photos", "row due"), ("acme/publish", "row due")]
    assert "today 2026-11-25" in "".join(root.find(f".//{SVG}g[@class='today']").itertext())
    assert "1 overdue" in root.find(f"{SVG}desc").text
    assert "<script" not in svg
    photos = root.find(f".//{SVG}g[@data-task='acme/photos']")
    assert photos.find(f"{SVG}title").text == f"{NASTY}: due 2026-12-01"
    assert timeline_svg(tasks, today, done={"acme/brief"}) == \
        timeline_svg(list(tasks), today, done=["acme/brief"])


def test_timeline_markers_sit_at_their_dates(portfolio):
    tasks = sorted(portfolio.projects["acme"].tasks, key=lambda t: t.due)
    root = _parse(timeline_svg(tasks, dt.date(2026, 11, 25)))
    xs = []
    for g in root.iter(f"{SVG}g"):
        if g.get("data-task"):
            marker = g.findall(f"{SVG}path")[1]
            xs.append(float(re.match(r"M(-?[\d.]+)", marker.get("d")).group(1)))
    days = [(t.due - tasks[0].due).days for t in tasks]
    scale = (xs[-1] - xs[0]) / days[-1]
    assert xs == pytest.approx([xs[0] + d * scale for d in days], abs=0.11)


def test_timeline_without_due_dates(portfolio):
    svg = timeline_svg([portfolio.tasks["brand/kit"]], dt.date(2026, 11, 25))
    assert "No task has a due date." in "".join(_parse(svg).itertext())


# --- Mermaid and DOT ------------------------------------------------------------------------


def test_mermaid_ids_are_safe_and_labels_cannot_break_out(portfolio):
    text = graph_mermaid(portfolio, "acme")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes = [line.strip() for line in lines if re.match(r"\s+[tx]_\w+[\[(]", line)]
    assert len(nodes) == 5
    for line in nodes:
        ident, label = re.match(r'([tx]_[A-Za-z0-9_]+)(?:\["|\(\[")(.*)"\]\)?$', line).groups()
        assert '"' not in label and "<" not in label.replace("<br/>", "")
    assert "t_photos[\"#60;script#62;alert(#34;x#34;)#60;/script#62; #38; 'quotes' " in text
    assert "    t_brief --> t_draft" in lines
    assert "    x_brand_kit --> t_photos" in lines
    assert "    class t_brief,t_draft,t_publish critical" in lines
    assert any(line.startswith("    linkStyle ") for line in lines)
    assert any(line.startswith("    classDef active ") for line in lines)


def test_dot_is_quoted_and_escaped(portfolio):
    text = graph_dot(portfolio, "acme")
    assert text.startswith('digraph "acme" {\n    rankdir=LR;\n    label="Acme & Co <case>";')
    assert '"acme/brief" -> "acme/draft" [color="#c2255c", penwidth=3, class="critical"];' in text
    assert '"brand/kit" -> "acme/photos";' in text
    photos = next(line for line in text.splitlines() if line.strip().startswith('"acme/photos" ['))
    assert r'<script>alert(\"x\")</script> & ' in photos and r"\\ end\n" in photos
    # every quoted string closes: strip escapes, then quotes pair up on each line
    for line in text.splitlines():
        assert line.replace("\\\\", "").replace('\\"', "").count('"') % 2 == 0


# --- the command ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, start", [("mermaid", "flowchart LR\n"), ("dot", 'digraph "acme"'),
                                        ("svg", "<svg ")])
def test_cli_prints_each_format(repo, capsys, fmt, start):
    assert run(["-C", str(repo), "graph", "acme", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.startswith(start)
    assert "acme/publish" in out or "t_publish" in out


def test_cli_defaults_to_mermaid(repo, capsys):
    assert run(["-C", str(repo), "graph", "acme"]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR")


def test_cli_unknown_project_is_exit_2_naming_the_known_ones(repo, capsys):
    assert run(["-C", str(repo), "graph", "acm", "--format", "svg"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("mdpm: error: no project `acm`; did you mean `acme`? "
                            "(known projects: acme, brand)\n")


def test_cli_unknown_format_is_a_usage_error(repo, capsys):
    with pytest.raises(SystemExit) as caught:
        run(["-C", str(repo), "graph", "acme", "--format", "png"])
    assert caught.value.code == 2


# --- in a real browser ----------------------------------------------------------------------


def test_svg_text_fits_its_boxes_in_chromium(portfolio, small_repo, write_tree, page):
    """Titles are measured by estimate; the browser's real text must stay inside the box."""
    long_titles = {f"content/projects/words/t{i}.md": _task(title, deps=[f"t{i - 1}"] if i else ())
                   for i, title in enumerate([
                       "Approve the pricing page and the legal wording",
                       "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
                       "Interview the customer about the migration project",
                       "日本語のタイトルはとても長いのでここで切る必要があります",
                       NASTY])}
    write_tree(long_titles, root=small_repo)
    words = open_workspace(small_repo).portfolio
    html = "".join(graph_svg(words, p, link=lambda ref: "#" + ref) for p in ("acme", "words"))
    page.set_content(f"<!doctype html><meta charset='utf-8'><body>{html}</body>")
    overflow = page.evaluate("""() => {
        const bad = [];
        for (const g of document.querySelectorAll('g[data-task]')) {
            const r = g.querySelector('rect').getBBox();
            for (const t of g.querySelectorAll('text')) {
                const b = t.getBBox();
                if (b.x < r.x || b.x + b.width > r.x + r.width - 4 ||
                    b.y < r.y || b.y + b.height > r.y + r.height)
                    bad.push([g.dataset.task, t.textContent, b.x + b.width, r.x + r.width]);
            }
        }
        return bad;
    }""")
    assert overflow == []
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert page.evaluate("document.querySelectorAll('svg a[href]').length") == 10


# --- the real Mermaid and Graphviz, when installed ------------------------------------------

MERMAID_JS = os.environ.get("MDPM_MERMAID_JS", "")


@pytest.fixture
def tricky(small_repo, write_tree):
    """Titles and ids that break naive Mermaid or DOT: keywords, markup, comments, quotes."""
    base = "content/projects/acme/"
    write_tree({
        base + "end.md": _task(NASTY + " ; %% comment --> x [y] (z) {w} | pipe"),
        base + "graph.md": _task("subgraph end style click", deps=["end"]),
        base + "a-b.md": _task("a-b", deps=["graph", "other/x"]),
        base + "a_b.md": _task('say "hi"\\n -> {rank=same}', deps=["a-b"]),
    }, root=small_repo)
    return open_workspace(small_repo).portfolio


@pytest.mark.skipif(not os.path.isfile(MERMAID_JS),
                    reason="set MDPM_MERMAID_JS to a mermaid.min.js (npm install mermaid@11)")
def test_mermaid_parses_and_keeps_titles_in_mermaid_itself(tricky, page):
    page.set_content("<!doctype html><meta charset='utf-8'><body><div id='out'></div></body>")
    page.add_script_tag(path=MERMAID_JS)
    labels = page.evaluate("""async (text) => {
        mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
        const {svg} = await mermaid.render('graph', text);
        document.getElementById('out').innerHTML = svg;
        return [...document.querySelectorAll('#out .nodeLabel')].map(e => e.textContent);
    }""", graph_mermaid(tricky, "acme"))
    titles = {task.title for task in tricky.projects["acme"].tasks}
    shown = {label.split("○")[0].replace("\u2060", "") for label in labels}
    assert shown == titles | {"other/x↗ missing task"}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_dot_is_read_by_graphviz_with_the_titles_intact(tricky):
    result = subprocess.run(["dot", "-Tsvg"], input=graph_dot(tricky, "acme"),
                            capture_output=True, text=True, check=True)
    assert result.stderr == ""
    drawn = ET.fromstring(result.stdout)
    nodes = {g.find(f"{SVG}title").text: [t.text for t in g.iter(f"{SVG}text")]
             for g in drawn.iter(f"{SVG}g") if "node" in g.get("class", "").split()}
    for task in tricky.projects["acme"].tasks:
        assert nodes[task.ref] == [task.title, "○ Backlog · alice"]
    edges = [g for g in drawn.iter(f"{SVG}g") if "edge" in g.get("class", "").split()]
    assert len(edges) == 4
