"""Time `mdpm.review.review` (the status review) on a generated repository.

    .venv/bin/python bench/review.py --commits 20000      # 100 projects x 100 tasks, with history
    .venv/bin/python bench/review.py --repo /tmp/corpus   # an existing repository

The build makes the review on a forked worker, once: each run here forks a child that makes
it once, from the same inputs, and prints the best and the median CPU and wall time of the
runs, then the parts of one review. The baseline, timed the same way: reading each task's
stage and its transitions once, the least a review of every task costs.
"""

from __future__ import annotations

import gc
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.site import NOW, corpus_inputs, corpus_options  # noqa: E402
from mdpm import metrics, review  # noqa: E402


def timed(function) -> tuple[float, float]:
    """Return (CPU seconds, wall seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.process_time() - cpu, time.perf_counter() - wall


def in_child(function) -> tuple[float, float]:
    """`timed(function)` in a forked child, whose objects are as the parent left them."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, pickle.dumps(timed(function)))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        result = pickle.loads(answer.read())
    os.waitpid(pid, 0)
    return result


def main() -> None:
    args = corpus_options(__doc__.split("\n")[0], runs=15)
    with tempfile.TemporaryDirectory() as tmp:
        workspace, problems, history = corpus_inputs(args, tmp)
        history.transitions = dict(history.transitions.items())  # all read, as by the views
        gc.disable()  # as the build does (see build._long_lived_heap)
        gc.freeze()
        report(workspace.portfolio, problems, history, args.runs)


def report(portfolio, problems, history, runs: int) -> None:
    tasks = list(portfolio.tasks.values())
    print(f"{len(tasks)} tasks, {len(portfolio.projects)} projects, history {history.status}")
    made = [in_child(lambda: review.review(portfolio, problems, history, NOW))
            for _ in range(runs)]
    least = [in_child(lambda: [(t.stage, history.of(t.ref)) for t in tasks])
             for _ in range(runs)]
    cpu, wall = sorted(c for c, _ in made), sorted(w for _, w in made)
    base = min(c for c, _ in least)
    print(f"review, {runs} runs: CPU best {cpu[0] * 1000:.1f} ms, median "
          f"{statistics.median(cpu) * 1000:.1f} ms; wall best {wall[0] * 1000:.1f} ms; "
          f"baseline (each task's stage and transitions) CPU {base * 1000:.1f} ms: "
          f"{cpu[0] / base:.1f}x")
    parts = {
        "stage times and stuck": lambda: metrics.stage_times_and_stuck(
            tasks, history, portfolio.config, NOW),
        "bottlenecks and queues": lambda: (review.bottlenecks(portfolio),
                                           review.longest_queues(portfolio)),
        "blocked": lambda: review.blocked_tasks(portfolio),
        "overloaded": lambda: review.overloaded_people(portfolio),
        "overdue": lambda: review.overdue_tasks(portfolio, NOW.date()),
    }
    print("parts (CPU, each in a new child): " + ", ".join(
        f"{name} {min(in_child(part)[0] for _ in range(5)) * 1000:.1f} ms"
        for name, part in parts.items()))


if __name__ == "__main__":
    main()
