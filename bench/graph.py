"""Time the dependency graph of one project: layout, SVG, Mermaid, DOT, schedule.

    .venv/bin/python bench/graph.py            # projects of 30, 100, 300 and 1000 tasks

Each project is generated with bench/gen.py (2 projects, so some dependencies point to the
other project). The baseline, measured in the same run, is reading the repository
(`open_workspace`); every figure is the best of several runs, but for `svg once`: the first
SVG of the project, before the drawing code has met its titles and coordinates (what a
build pays; the later runs find them in its memos).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen import generate  # noqa: E402
from mdpm.graph import (graph_dot, graph_layout, graph_mermaid, graph_svg,  # noqa: E402
                        project_graph)
from mdpm.schedule import project_plan  # noqa: E402
from mdpm.workspace import open_workspace  # noqa: E402


def best(call, runs: int = 5) -> float:
    """Return the fastest of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(size: int, folder: Path) -> None:
    generate(folder, projects=2, tasks=size, cross_project=0.05, seed=7)
    portfolio = open_workspace(folder).portfolio
    project = sorted(portfolio.projects)[-1]
    graph = project_graph(portfolio, project)
    drawn = graph_layout(graph)
    load = best(lambda: open_workspace(folder), runs=3)
    figures = {
        "svg once": best(lambda: graph_svg(portfolio, project), runs=1),
        "layout": best(lambda: graph_layout(project_graph(portfolio, project))),
        "svg": best(lambda: graph_svg(portfolio, project)),
        "mermaid": best(lambda: graph_mermaid(portfolio, project)),
        "dot": best(lambda: graph_dot(portfolio, project)),
        "schedule": best(lambda: project_plan(portfolio, project)),
    }
    dummies = sum(len(layer) for layer in drawn.layers) - len(drawn.boxes)
    print(f"{size:5} tasks  {len(graph.edges):5} edges  {len(drawn.layers):3} layers  "
          f"{dummies:5} dummies  {drawn.crossings:5} crossings  "
          f"svg {len(graph_svg(portfolio, project)) / 1024:7.1f} KiB")
    for name, seconds in figures.items():
        print(f"      {name:8} {seconds * 1000:8.2f} ms  {seconds / size * 1e6:7.1f} µs/task  "
              f"{seconds / load:6.2f} x reading the repository ({load * 1000:.0f} ms)")


def main() -> None:
    for size in (30, 100, 300, 1000):
        with tempfile.TemporaryDirectory() as tmp:
            measure(size, Path(tmp) / "repo")


if __name__ == "__main__":
    main()
