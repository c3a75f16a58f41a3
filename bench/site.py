"""Time `mdpm.site.build_site` (the view models of every page) on a generated repository.

    .venv/bin/python bench/site.py                        # 100 projects x 100 tasks, no history
    .venv/bin/python bench/site.py --commits 20000        # with a git history of stage changes
    .venv/bin/python bench/site.py --repo /tmp/corpus     # an existing repository

Prints the first call in a fresh process (as `mdpm build` makes it: it also reads each task's
transitions from the history the first time) and the best of the next runs, CPU and wall,
then the parts of one call (tasks, stages, projects, people, boards). The baseline, timed in
the same process: copying each task's fields into a dict, the least any view model costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.gen import generate  # noqa: E402
from mdpm import site  # noqa: E402
from mdpm.errors import sort_problems  # noqa: E402
from mdpm.history import read_history  # noqa: E402
from mdpm.workspace import check, open_workspace  # noqa: E402

NOW = dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc)


def timed(function) -> tuple[float, float, object]:
    """Return (CPU seconds, wall seconds, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def corpus_options(description: str, runs: int) -> argparse.Namespace:
    """The options of the benchmarks that time one step on a corpus (this one, review.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repo", type=Path, help="an existing repository (default: generate)")
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--commits", type=int, default=0)
    parser.add_argument("--runs", type=int, default=runs)
    return parser.parse_args()


def corpus_inputs(args: argparse.Namespace, tmp: str) -> tuple:
    """The workspace of --repo (or of a corpus generated under tmp), its problems, history."""
    root = args.repo
    if root is None:
        root = generate(Path(tmp) / "repo", projects=args.projects, tasks=args.tasks,
                        commits=args.commits).root
    workspace = open_workspace(Path(root))
    problems = check(workspace, NOW.date())
    history = read_history(workspace.root, workspace.portfolio.tasks.keys(),
                           config=workspace.config)
    return workspace, problems, history


def main() -> None:
    args = corpus_options(__doc__.split("\n")[0], runs=5)
    with tempfile.TemporaryDirectory() as tmp:
        workspace, problems, history = corpus_inputs(args, tmp)
        gc.disable()  # as the build does (see build._long_lived_heap)
        report(workspace, problems, history, args.runs)


def report(workspace, problems, history, runs: int) -> None:
    portfolio = workspace.portfolio
    tasks = list(portfolio.tasks.values())
    print(f"{len(tasks)} tasks, {len(portfolio.projects)} projects, history {history.status}")
    first = timed(lambda: site.build_site(workspace, problems, history, NOW))
    print(f"first call: CPU {first[0]:.3f} s, wall {first[1]:.3f} s")
    rest = [timed(lambda: site.build_site(workspace, problems, history, NOW))[:2]
            for _ in range(runs)]
    cpu, wall = min(r[0] for r in rest), min(r[1] for r in rest)
    baseline = min(timed(lambda: [dict(vars(t)) for t in tasks])[0] for _ in range(runs))
    print(f"best of {runs} more: CPU {cpu:.3f} s, wall {wall:.3f} s; baseline (a dict per "
          f"task) CPU {baseline:.3f} s: {cpu / baseline:.1f}x")
    today = NOW.date()
    views = sort_problems(problems)
    views = site._problem_views(portfolio, views)
    parts = {}
    finished: dict = {}
    parts["tasks"], _, by_ref = timed(
        lambda: site._tasks(portfolio, history, NOW, views, finished))
    parts["stages"], _, stages = timed(lambda: site._stages(portfolio, finished))
    parts["projects"], _, projects = timed(
        lambda: site._projects(portfolio, by_ref, stages, views, today))
    parts["people"], _, people = timed(lambda: site._people(portfolio, by_ref))
    parts["boards"], _, _ = timed(lambda: site._boards(stages, projects, people, by_ref))
    print("parts (CPU): " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in parts.items()))


if __name__ == "__main__":
    main()
