"""A project's dependency graph as SVG, Mermaid or DOT, and a timeline of due dates as SVG.

Everything here is a pure function of the portfolio; the SVG is laid out by `mdpm.layout`
(no Graphviz, no JavaScript) and the same input always gives the same bytes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import html
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .config import nearest
from .errors import UsageError
from .layout import Box, Layout, Route, layout
from .model import Portfolio, Project, Task
from .schedule import CycleError, project_critical_path, topological_order

NODE_SIZE = (210.0, 62.0)
EXTERNAL_SIZE = (160.0, 36.0)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT = "#1f2328"
MUTED = "#57606a"
EDGE = "#8c959f"
CRITICAL = "#c2255c"
# kind -> (fill, border, mark shown before the stage name so colour is not the only cue)
KINDS = {
    "queue": ("#f6f8fa", "#8c959f", "○"),
    "active": ("#ddf4ff", "#0969da", "◐"),
    "done": ("#dafbe1", "#1a7f37", "✓"),
    "external": ("#ffffff", "#8c959f", "↗"),
}
LEGEND = (("queue", "Waiting"), ("active", "In progress"), ("done", "Done"),
          ("external", "Other project"))

Link = Callable[[str], "str | None"]


def _no_link(ref: str) -> None:
    return None


@dataclass(frozen=True)
class Node:
    """One box of the graph: a task of the project or a task it needs from elsewhere."""

    ref: str
    title: str
    kind: str
    """queue | active | done | external"""
    detail: str
    """The second line: stage, holder, estimate, blocked (or the other project)."""


@dataclass(frozen=True)
class ProjectGraph:
    """The tasks of one project and their dependencies, in dependency order."""

    project: Project
    nodes: dict[str, Node]
    edges: list[tuple[str, str]]
    """(dependency, dependent) pairs."""
    critical: list[str]
    critical_edges: set[tuple[str, str]]


# --- the graph ------------------------------------------------------------------------------


def find_project(portfolio: Portfolio, project_id: str) -> Project:
    """Return the project `project_id` or raise UsageError naming the known ones."""
    project = portfolio.projects.get(project_id)
    if project is None:
        known = ", ".join(portfolio.projects) or "none"
        raise UsageError(f"no project `{project_id}`{nearest(project_id, portfolio.projects)}"
                         f" (known projects: {known})")
    return project


def project_graph(portfolio: Portfolio, project_id: str,
                  critical: Iterable[str] | None = None) -> ProjectGraph:
    """Collect a project's nodes and edges; `critical` defaults to its computed critical path.

    A list (or tuple) of refs marks the edges between consecutive refs; a set marks every
    edge whose two ends are in it.
    """
    project = find_project(portfolio, project_id)
    tasks = {task.ref: task for task in project.tasks}
    order = _dependency_order(tasks)
    outside = sorted({d for t in project.tasks for d in t.depends_on if d not in tasks})
    nodes = {ref: _external_node(ref, portfolio) for ref in outside}
    nodes.update((ref, _task_node(tasks[ref], portfolio)) for ref in order)
    edges = [(dep, ref) for ref in order for dep in tasks[ref].depends_on if dep != ref]
    if critical is None:
        critical = _critical(portfolio, project_id)
    if isinstance(critical, (list, tuple)):
        path = list(critical)
        marked = set(zip(path, path[1:]))
    else:
        path = [ref for ref in order if ref in set(critical)]
        marked = {(a, b) for a, b in edges if a in path and b in path}
    return ProjectGraph(project, nodes, edges, path, marked & set(edges))


def _dependency_order(tasks: dict[str, Task]) -> list[str]:
    by_file = dict(sorted(tasks.items()))
    try:
        return topological_order({ref: list(t.depends_on) for ref, t in by_file.items()})
    except CycleError:
        return list(by_file)


def _critical(portfolio: Portfolio, project_id: str) -> list[str]:
    try:
        return project_critical_path(portfolio, project_id).critical
    except CycleError:
        return []


def _task_node(task: Task, portfolio: Portfolio) -> Node:
    stage = portfolio.stage_of(task)
    kind = stage.type if stage is not None and stage.type in KINDS else "queue"
    parts = [f"{KINDS[kind][2]} {stage.title if stage else task.stage}"]
    if task.holder:
        parts.append(task.holder)
    if task.estimate is not None:
        parts.append(f"{task.estimate:g}d")
    if task.blocked:
        parts.append("blocked")
    return Node(task.ref, task.title, kind, " · ".join(parts))


def _external_node(ref: str, portfolio: Portfolio) -> Node:
    task = portfolio.tasks.get(ref)
    project = ref.split("/")[0]
    if task is None:
        return Node(ref, ref, "external", f"{KINDS['external'][2]} missing task")
    state = "done" if portfolio.is_done(task) else task.stage
    return Node(ref, task.title, "external", f"{KINDS['external'][2]} {project} · {state}")


# --- SVG ------------------------------------------------------------------------------------


def graph_layout(graph: ProjectGraph) -> Layout:
    """Lay out a project graph: task boxes, small boxes for other projects' tasks."""
    sizes = {ref: EXTERNAL_SIZE if node.kind == "external" else NODE_SIZE
             for ref, node in graph.nodes.items()}
    return layout(sizes, graph.edges)


def graph_svg(portfolio: Portfolio, project_id: str, *, link: Link = _no_link,
              critical: Iterable[str] | None = None) -> str:
    """Return the project's dependency graph as an inline, self-contained `<svg>` element."""
    graph = project_graph(portfolio, project_id, critical)
    drawn = graph_layout(graph)
    key = _id_part(project_id)
    legend_y = drawn.height + 8
    width = max(drawn.width, 600.0)
    height = legend_y + 30
    title = f"Dependency graph of {graph.project.title}"
    parts = [
        _svg_open(width, height, f"mdpm-graph-{key}", "mdpm-graph"),
        f'<title id="mdpm-graph-{key}-title">{_esc(title)}</title>',
        f'<desc id="mdpm-graph-{key}-desc">{_esc(_describe(graph))}</desc>',
        _markers(key),
        '<g class="edges">',
        *(_edge(route, drawn.boxes, graph, key) for route in drawn.routes),
        "</g>",
        '<g class="nodes">',
        *(_node(graph.nodes[ref], drawn.boxes[ref], ref in graph.critical,
                link(ref) if ref in portfolio.tasks else None)  # a missing task has no page
          for ref in graph.nodes),
        "</g>",
        _legend(legend_y, key),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _svg_open(width: float, height: float, ident: str, css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="group" '
            f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="100%" style="min-width: {_n(width * 0.8)}px; '
            f'max-width: {_n(width)}px; height: auto" '
            f'font-family="{FONT}" font-size="13">')


def _describe(graph: ProjectGraph) -> str:
    tasks = sum(1 for n in graph.nodes.values() if n.kind != "external")
    text = (f"{tasks} tasks and {len(graph.edges)} dependencies; an arrow points from a task "
            "to the task that waits for it.")
    others = len(graph.nodes) - tasks
    if others:
        text += f" {others} of the tasks needed are in other projects."
    if graph.critical:
        titles = [graph.nodes[ref].title for ref in graph.critical]
        text += " Critical path: " + " → ".join(titles) + "."
    return text


def _markers(key: str) -> str:
    def marker(name: str, colour: str) -> str:
        return (f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
                f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')

    return (f"<defs>{marker(f'mdpm-arrow-{key}', EDGE)}"
            f"{marker(f'mdpm-arrow-critical-{key}', CRITICAL)}</defs>")


def _edge(route: Route, boxes: dict[str, Box], graph: ProjectGraph, key: str) -> str:
    critical = (route.source, route.target) in graph.critical_edges
    classes = "edge" + (" critical" if critical else "") + (" backward" if route.backward else "")
    colour, width = (CRITICAL, 2.5) if critical else (EDGE, 1.5)
    dash = ' stroke-dasharray="5 4"' if route.backward else ""
    marker = f"mdpm-arrow-critical-{key}" if critical else f"mdpm-arrow-{key}"
    return (f'<path class="{classes}" data-from="{_esc(route.source)}" '
            f'data-to="{_esc(route.target)}" d="{_path(route, boxes)}" fill="none" '
            f'stroke="{colour}" stroke-width="{width}"{dash} marker-end="url(#{marker})"/>')


def _path(route: Route, boxes: dict[str, Box]) -> str:
    """A smooth path leaving the source's side and entering the target's side."""
    source, target = boxes[route.source], boxes[route.target]
    points = list(route.points)
    if route.backward:
        points[0] = (source.left, source.y)
        points[-1] = (target.right + 2, target.y)
    else:
        points[0] = (source.right, source.y)
        points[-1] = (target.left - 2, target.y)
    d = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        bend = (x1 - x0) / 2
        d.append(f"C{_n(x0 + bend)},{_n(y0)} {_n(x1 - bend)},{_n(y1)} {_n(x1)},{_n(y1)}")
    return " ".join(d)


def _node(node: Node, box: Box, critical: bool, href: str | None) -> str:
    fill, border, _ = KINDS[node.kind]
    classes = f"node node-{node.kind}" + (" critical" if critical else "")
    stroke = (CRITICAL, 3) if critical else (border, 1.5)
    dash = ' stroke-dasharray="4 3"' if node.kind == "external" else ""
    external = node.kind == "external"
    title_size, detail_size = (12, 11) if external else (13, 12)
    lines = [_fit(node.title, box.width - 20, title_size * 1.1)] if external else \
        _wrap(node.title, box.width - 22, title_size * 1.03)
    first = box.y - 4 - 8 * (len(lines) - 1)
    left = box.left
    x = _n(left + 10)
    texts = "".join([f'<tspan x="{x}" y="{_n(first + 16 * i)}">{_esc(line)}</tspan>'
                     for i, line in enumerate(lines)])
    inner = [
        f"<title>{_esc(node.title)} ({_esc(node.ref)}; {_esc(node.detail)})</title>",
        f'<rect x="{_n(left)}" y="{_n(box.top)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="8" fill="{fill}" stroke="{stroke[0]}" '
        f'stroke-width="{stroke[1]}"{dash}/>',
        f'<text font-size="{title_size}" font-weight="600" fill="{TEXT}">{texts}</text>',
        f'<text x="{x}" y="{_n(first + 16 * len(lines) + 1)}" '
        f'font-size="{detail_size}" '
        f'fill="{MUTED}">{_esc(_fit(node.detail, box.width - 20, detail_size))}</text>',
    ]
    if href:
        inner = [f'<a href="{_esc(href)}">', *inner, "</a>"]
    return f'<g class="{classes}" data-task="{_esc(node.ref)}">' + "".join(inner) + "</g>"


def _legend(y: float, key: str) -> str:
    parts = [f'<g class="legend" transform="translate(12 {_n(y)})" font-size="12" '
             f'fill="{TEXT}">']
    x = 0
    for kind, label in LEGEND:
        fill, border, mark = KINDS[kind]
        dash = ' stroke-dasharray="4 3"' if kind == "external" else ""
        parts.append(f'<rect x="{x}" y="2" width="16" height="14" rx="3" fill="{fill}" '
                     f'stroke="{border}" stroke-width="1.5"{dash}/>'
                     f'<text x="{x + 22}" y="13">{mark} {label}</text>')
        x += 36 + _text_width(f"{mark} {label}", 12)
    parts.append(f'<path d="M{_n(x)},9 H{_n(x + 28)}" stroke="{CRITICAL}" stroke-width="2.5" '
                 f'marker-end="url(#mdpm-arrow-critical-{key})"/>'
                 f'<text x="{_n(x + 36)}" y="13">Critical path (thick border)</text>')
    parts.append("</g>")
    return "".join(parts)


# --- timeline -------------------------------------------------------------------------------

ROW = 28
LABEL_WIDTH = 230
CHART_WIDTH = 560


def timeline_svg(tasks: Iterable[Task], today: dt.date, *, link: Link = _no_link,
                 done: Iterable[str] = (), title: str = "Due dates") -> str:
    """Return a row per task with a due date (in the given order): marker, today, overdue."""
    rows = [task for task in tasks if task.due is not None]
    done_refs = set(done)
    if not rows:
        return (_svg_open(400, 40, "mdpm-timeline", "mdpm-timeline")
                + f'<title id="mdpm-timeline-title">{_esc(title)}</title>'
                + '<desc id="mdpm-timeline-desc">No task has a due date.</desc>'
                + f'<text x="12" y="24" fill="{MUTED}">No task has a due date.</text></svg>\n')
    first = min(min(t.due for t in rows), today) - dt.timedelta(days=3)
    last = max(max(t.due for t in rows), today) + dt.timedelta(days=3)
    scale = CHART_WIDTH / max((last - first).days, 1)

    def x_of(day: dt.date) -> float:
        return LABEL_WIDTH + (day - first).days * scale

    top = 30
    height = top + ROW * len(rows) + 10
    width = LABEL_WIDTH + CHART_WIDTH + 90
    late = [t for t in rows if t.due < today and t.ref not in done_refs]
    desc = (f"{len(rows)} due dates from {first + dt.timedelta(days=3)} to "
            f"{last - dt.timedelta(days=3)}; today is {today}; {len(late)} overdue.")
    parts = [
        _svg_open(width, height, "mdpm-timeline", "mdpm-timeline"),
        f'<title id="mdpm-timeline-title">{_esc(title)}</title>',
        f'<desc id="mdpm-timeline-desc">{_esc(desc)}</desc>',
        *(f'<rect class="stripe" x="0" y="{top + i * ROW}" width="100%" height="{ROW}" '
          'fill="#f6f8fa"/>' for i in range(0, len(rows), 2)),
        *_ticks(first, last, x_of, top, height),
    ]
    for i, task in enumerate(rows):
        parts.append(_timeline_row(task, top + i * ROW, x_of, today, task.ref in done_refs,
                                   link(task.ref)))
    x = x_of(today)
    parts.append(f'<g class="today"><path d="M{_n(x)},{top - 8} V{height - 4}" stroke="{CRITICAL}"'
                 f' stroke-width="1.5" stroke-dasharray="4 3"/><text x="{_n(x + 4)}" '
                 f'y="{top - 12}" font-size="12" fill="{CRITICAL}">today {today}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _ticks(first: dt.date, last: dt.date, x_of, top: int, height: int) -> list[str]:
    """Grid lines on Mondays (or on the 1st of each month for long spans), labelled."""
    days = (last - first).days
    step = max(1, -(-days // 7 // 8))  # at most about 8 weekly labels
    day = first + dt.timedelta(days=-first.weekday() % 7)
    lines = []
    while day <= last:
        if days > 120:
            label = day.strftime("%b %Y")
        else:
            label = f"{day.day} {day.strftime('%b')}"
        x = x_of(day)
        lines.append(f'<path d="M{_n(x)},{top} V{height - 6}" stroke="#d0d7de" stroke-width="1"/>'
                     f'<text x="{_n(x)}" y="{height}" font-size="11" fill="{MUTED}" '
                     f'text-anchor="middle" dy="-0">{label}</text>')
        day = _next_tick(day, step, days > 120)
    return ['<g class="ticks">', *lines, "</g>"]


def _next_tick(day: dt.date, step: int, monthly: bool) -> dt.date:
    if not monthly:
        return day + dt.timedelta(weeks=step)
    month = day.month + max(1, step // 4)
    return dt.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _timeline_row(task: Task, y: int, x_of, today: dt.date, is_done: bool,
                  href: str | None) -> str:
    overdue = task.due < today and not is_done
    state = "done" if is_done else "overdue" if overdue else "due"
    colour = {"done": "#1a7f37", "overdue": CRITICAL, "due": "#0969da"}[state]
    mid = y + ROW / 2
    x = x_of(task.due)
    label = _esc(_fit(task.title, LABEL_WIDTH - 32, 13))
    if href:
        label = f'<a href="{_esc(href)}">{label}</a>'
    note = {"done": "✓ done", "overdue": "overdue", "due": ""}[state]
    return (f'<g class="row {state}" data-task="{_esc(task.ref)}">'
            f"<title>{_esc(task.title)}: due {task.due}{', ' + note if note else ''}</title>"
            + f'<text x="12" y="{_n(mid + 4.5)}" fill="{TEXT}">{label}</text>'
            f'<path d="M{_n(LABEL_WIDTH - 6)},{_n(mid)} H{_n(x)}" stroke="#d0d7de" '
            f'stroke-dasharray="2 3"/>'
            f'<path d="M{_n(x)},{_n(mid - 7)} l7,7 l-7,7 l-7,-7 z" fill="{colour}"/>'
            + (f'<text x="{_n(x + 11)}" y="{_n(mid + 4)}" font-size="12" fill="{colour}">'
               f"{note}</text>" if note else "")
            + "</g>")


# --- Mermaid and DOT ------------------------------------------------------------------------


def graph_mermaid(portfolio: Portfolio, project_id: str,
                  critical: Iterable[str] | None = None) -> str:
    """Return the project's graph as a Mermaid flowchart (left to right)."""
    graph = project_graph(portfolio, project_id, critical)
    ids = _mermaid_ids(graph.nodes)
    lines = ["flowchart LR"]
    for ref, node in graph.nodes.items():
        label = _mermaid_label(node.title) + "<br/>" + _mermaid_label(node.detail)
        shape = ('(["', '"])') if node.kind == "external" else ('["', '"]')
        lines.append(f"    {ids[ref]}{shape[0]}{label}{shape[1]}")
    for a, b in graph.edges:
        lines.append(f"    {ids[a]} --> {ids[b]}")
    for kind, (fill, border, _) in KINDS.items():
        dash = ",stroke-dasharray:4 3" if kind == "external" else ""
        lines.append(f"    classDef {kind} fill:{fill},stroke:{border},color:{TEXT}{dash}")
    lines.append(f"    classDef critical stroke:{CRITICAL},stroke-width:3px")
    for kind in KINDS:
        members = [ids[r] for r, n in graph.nodes.items() if n.kind == kind]
        if members:
            lines.append(f"    class {','.join(members)} {kind}")
    if graph.critical:
        lines.append(f"    class {','.join(ids[r] for r in graph.critical)} critical")
    marked = [str(i) for i, edge in enumerate(graph.edges) if edge in graph.critical_edges]
    if marked:
        lines.append(f"    linkStyle {','.join(marked)} stroke:{CRITICAL},stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_ids(nodes: dict[str, Node]) -> dict[str, str]:
    """Safe, unique node ids: `t_` or `x_` plus the ref with other characters as `_`."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for ref, node in nodes.items():
        name = ref if node.kind == "external" else ref.split("/")[-1]
        base = ("x_" if node.kind == "external" else "t_") + re.sub(r"[^A-Za-z0-9_]", "_", name)
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(ident)
        ids[ref] = ident
    return ids


def _mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: markup characters as entity codes."""
    text = " ".join(text.split())
    coded = re.sub(r"""["<>&#`\\]""", lambda m: f"#{ord(m.group())};", text)
    # Mermaid turns a decoded backslash-n into a line break; a word joiner keeps it literal
    return coded.replace("#92;n", "#92;#8288;n")


def graph_dot(portfolio: Portfolio, project_id: str,
              critical: Iterable[str] | None = None) -> str:
    """Return the project's graph in Graphviz DOT (left to right)."""
    graph = project_graph(portfolio, project_id, critical)
    lines = [f"digraph {_dot(graph.project.id)} {{",
             "    rankdir=LR;",
             f"    label={_dot(graph.project.title)};",
             '    node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12];',
             f'    edge [color="{EDGE}"];']
    for ref, node in graph.nodes.items():
        fill, border, _ = KINDS[node.kind]
        style = "rounded,filled,dashed" if node.kind == "external" else "rounded,filled"
        width = 3 if ref in graph.critical else 1
        colour = CRITICAL if ref in graph.critical else border
        lines.append(f"    {_dot(ref)} [label={_dot(node.title + chr(10) + node.detail)}, "
                     f'style="{style}", fillcolor="{fill}", color="{colour}", '
                     f"penwidth={width}, class={_dot(_dot_class(node, ref in graph.critical))}];")
    for a, b in graph.edges:
        extra = (f' [color="{CRITICAL}", penwidth=3, class="critical"]'
                 if (a, b) in graph.critical_edges else "")
        lines.append(f"    {_dot(a)} -> {_dot(b)}{extra};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_class(node: Node, critical: bool) -> str:
    return node.kind + (" critical" if critical else "")


def _dot(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as \\n."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r", "").replace("\n", "\\n") + '"'


# --- text helpers ---------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_KEPT = 1 << 16
"""The most entries each memo below keeps: a drawing repeats its refs, coordinates and the
first words of titles many times, and a long `mdpm serve` must not grow without end."""


class _Escaped(dict):
    """Text -> the text escaped for XML text and attributes, without the characters XML
    cannot hold; filled on first use."""

    def __missing__(self, text: str) -> str:
        escaped = text
        if _XML_SPECIAL.search(text):  # most titles and refs have nothing to escape
            escaped = html.escape(_XML_INVALID.sub("", text), quote=True)
        if len(self) < _KEPT:
            self[text] = escaped
        return escaped


class _Numbers(dict):
    """Coordinate -> its text with at most one decimal, no trailing zeros; filled on first use."""

    def __missing__(self, value: float) -> str:
        text = f"{value:.1f}".removesuffix(".0")
        if value and len(self) < _KEPT:  # 0.0 == -0.0 but they print differently
            self[value] = text
        return text


# Bound lookups: no Python call when the value is known, as it mostly is
_esc = _Escaped().__getitem__
_n = _Numbers().__getitem__

_NARROW = frozenset("ijlI.,:;'|!")
_SLIM = frozenset("frt()[]{}-\"` ")
_WIDE = frozenset("mwMW@%")


def _char_width(char: str, size: float) -> float:
    """Width of one character, on the wide side (DejaVu Sans) so labels never overflow."""
    return size * _char_factor(char)


@functools.lru_cache(maxsize=None)
def _char_factor(char: str) -> float:
    """Width of one character in font sizes (a site's titles use few distinct characters)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in _NARROW:
        return 0.3
    if char in _SLIM:
        return 0.42
    if char in _WIDE:
        return 1.06
    if char.isupper():
        return 0.74
    return 0.64


class _CharWidths(dict):
    """Character -> `_char_width(char, size)` at one font size, filled on first use."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.size = size

    def __missing__(self, char: str) -> float:
        width = self[char] = _char_width(char, self.size)
        return width


class _TextWidths(dict):
    """Text -> the sum of its characters' widths at one font size, filled on first use.

    Wrapping measures the same first words of many titles; `chars` measures one character.
    """

    def __init__(self, size: float) -> None:
        super().__init__()
        self.chars = _CharWidths(size).__getitem__

    def __missing__(self, text: str) -> float:
        # the same sum, in the same order, as adding up `_char_width` of each character
        width = sum(map(self.chars, text))
        if len(self) < _KEPT:
            self[text] = width
        return width


@functools.lru_cache(maxsize=None)
def _widths(size: float) -> _TextWidths:
    """The widths of texts and characters at `size` (a drawing uses a few sizes)."""
    return _TextWidths(size)


def _text_width(text: str, size: float) -> float:
    """Roughly how wide `text` is drawn in a sans-serif font of `size` pixels."""
    return _widths(size)[text]


def _fit(text: str, width: float, size: float) -> str:
    """Cut `text` with an ellipsis so it fits in `width` pixels."""
    text = " ".join(text.split())
    widths = _widths(size)
    if widths[text] <= width:
        return text
    char_width = widths.chars
    # the room left after each character, subtracted one by one as a loop would
    rooms = list(itertools.accumulate(map(char_width, text), operator.sub,
                                      initial=width - char_width("…")))
    kept = bisect.bisect_left(rooms, True, lo=1, key=(0.0).__gt__) - 1  # the first room < 0
    return text[:kept].rstrip() + "…"


def _wrap(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """Break `text` into at most `lines` lines of `width` pixels, the last cut with an ellipsis."""
    words, result = " ".join(text.split()).split(" "), []
    widths = _widths(size)
    while words and len(result) < lines - 1:
        line = words.pop(0)
        while words and widths[line + " " + words[0]] <= width:
            line += " " + words.pop(0)
        if widths[line] > width:  # only when a single word is too long
            cut = _fit(line, width, size)
            words.insert(0, line[len(cut) - 1:])
            line = cut[:-1]
        result.append(line)
    if words:
        result.append(_fit(" ".join(words), width, size))
    return result


def _id_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)
