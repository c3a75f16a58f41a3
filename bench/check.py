"""Time `mdpm check` on synthetic repositories of 1k, 10k (and, with --large, 100k) tasks.

    .venv/bin/python bench/check.py [--large] [--runs 5] [--cache-root DIR]

For each size it prints, as medians over --runs fresh processes (the way CI runs it):
- cold: `mdpm check` with no parse cache (CI=true, as on a fresh checkout);
- warm: `mdpm check` with the load snapshot of the previous run (in the cache folder);
- warm-1: the same after one task file's modification time changed (that file is read
  again, the others come from the snapshot: the start of a one-file rebuild);
- baseline: a process that only reads every file and parses its front-matter with PyYAML's
  CSafeLoader (no model, no rules), measured alternately with the runs above;
- wall time, CPU time, time per task, peak RSS (ru_maxrss of the child);
- the peak of Python allocations (tracemalloc) in one extra in-process run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.gen import generate  # noqa: E402
from bench.installed import compile_package  # noqa: E402

SIZES = {"1k": (10, 100), "10k": (100, 100), "100k": (1000, 100)}
PYTHON = sys.executable

BASELINE = r"""
import os, sys, yaml
root = os.path.join(sys.argv[1], "content", "projects")
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
count = 0
for project in sorted(os.scandir(root), key=lambda e: e.name):
    for entry in sorted(os.scandir(project.path), key=lambda e: e.name):
        if entry.name.endswith(".md") and not entry.name.startswith("_"):
            with open(entry.path, encoding="utf-8") as handle:
                text = handle.read()
            end = text.find("\n---", 3)
            yaml.load(text[4:end], Loader=loader)
            count += 1
print(count)
"""

TRACE = r"""
import contextlib, io, os, sys, tracemalloc
os.environ["CI"] = "true"
tracemalloc.start()
from mdpm.cli import run
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    run(["-C", sys.argv[1], "check", "--format", "json"])
print(tracemalloc.get_traced_memory()[1])
"""


def corpus(cache_root: Path, name: str) -> Path:
    """Return the corpus for a size, generating it once."""
    projects, tasks = SIZES[name]
    root = cache_root / f"corpus-{name}"
    if not (root / "mdpm.toml").is_file():
        print(f"generating {name} corpus in {root} ...", file=sys.stderr, flush=True)
        generate(root, projects, tasks, force=True)
    return root


def run_child(command: list[str], env: dict | None = None) -> tuple[float, float, int, str]:
    """Run a command and measure it with wait4, so CPU and RSS are this child's own."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})}, cwd=REPO)
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({code}): {err.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.decode()


def measure(root: Path, runs: int) -> dict:
    check = [PYTHON, "-m", "mdpm", "-C", str(root), "check", "--format", "json"]
    baseline = [PYTHON, "-c", BASELINE, str(root)]
    results: dict[str, list] = {"cold": [], "warm": [], "warm-1": [], "baseline": []}
    problems = None
    touched = next((root / "content" / "projects").glob("*/task-001.md"))
    for run in range(runs):
        shutil.rmtree(root / ".mdpm-cache", ignore_errors=True)
        results["baseline"].append(run_child(baseline))
        cold = run_child(check, {"CI": "true"})
        results["cold"].append(cold)
        run_child(check, {"CI": ""})  # writes the cache
        results["warm"].append(run_child(check, {"CI": ""}))
        past = touched.stat().st_mtime_ns - 10**9 * (run + 1)  # old enough to be kept
        os.utime(touched, ns=(past, past))
        results["warm-1"].append(run_child(check, {"CI": ""}))
        problems = len(json.loads(cold[3]))
    summary = {kind: {"wall": statistics.median(r[0] for r in rows),
                      "cpu": statistics.median(r[1] for r in rows),
                      "rss_kib": max(r[2] for r in rows)}
               for kind, rows in results.items()}
    summary["problems"] = problems
    traced = run_child([PYTHON, "-c", TRACE, str(root)])
    summary["tracemalloc_peak"] = int(traced[3].strip().splitlines()[-1])
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="also 100k tasks (slow)")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (median)")
    parser.add_argument("--cache-root", type=Path,
                        default=Path(tempfile.gettempdir()) / "mdpm-bench",
                        help="where generated corpora are kept between runs")
    parser.add_argument("--sizes", default=None, help="comma-separated subset of 1k,10k,100k")
    args = parser.parse_args(argv)
    compile_package(REPO / "mdpm")  # time mdpm as installed
    compile_package(REPO / "themes")
    names = (args.sizes.split(",") if args.sizes
             else ["1k", "10k"] + (["100k"] if args.large else []))
    args.cache_root.mkdir(parents=True, exist_ok=True)
    print(f"mdpm check, median of {args.runs} runs per size, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    header = (f"{'tasks':>6} {'mode':<9} {'wall s':>7} {'CPU s':>7} {'wall/task':>10} "
              f"{'peak RSS':>9} {'vs baseline':>11}")
    print(header)
    for name in names:
        root = corpus(args.cache_root, name)
        tasks = SIZES[name][0] * SIZES[name][1]
        result = measure(root, 1 if name == "100k" else args.runs)
        base = result["baseline"]["wall"]
        for mode in ("baseline", "cold", "warm", "warm-1"):
            row = result[mode]
            print(f"{name:>6} {mode:<9} {row['wall']:7.3f} {row['cpu']:7.3f} "
                  f"{row['wall'] / tasks * 1e6:8.1f}µs {row['rss_kib'] / 1024:7.1f}MiB "
                  f"{row['wall'] / base:10.2f}x")
        print(f"{name:>6} tracemalloc peak {result['tracemalloc_peak'] / 2**20:.1f} MiB; "
              f"{result['problems']} problems reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
