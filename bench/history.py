"""Benchmark and verify history mining on a generated repository with a known history.

    python bench/history.py [--corpus DIR] [--runs 3]

Makes (once) a corpus of 100 projects x 100 tasks and 50,000 stage-change commits with
bench/gen.py, which also writes `expected_transitions.json`. Then it prints:
- the cold mining time (no cache), median of --runs, against a bare `git log` pass measured
  in the same run (the floor: git's own tree diffs);
- the first read of every task's transitions after a cold mining (as the views and the
  metrics read them; they are worked out then, all at once);
- how many tasks' transitions match the expected ones exactly (stage, time, commit);
- the incremental time after 10 new commits (cache warm), and that its result is right,
  in this process and again in a fresh one (start-up and imports included);
- peak memory of the Python process and of the largest git child.
Mining reads a long history as several `git log` ranges at once (one per core, see
`mdpm.history.PART_SIZE`), so it can take less wall time than the single bare pass.
The 10 commits are removed again at the end (`git reset --hard` in the corpus only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.installed import compile_package  # noqa: E402
from mdpm import history as mining  # noqa: E402
from mdpm.history import read_history, terminal_progress  # noqa: E402

DEFAULT_CORPUS = Path(tempfile.gettempdir()) / "mdpm-bench-history-50k"
STAGES = ("backlog", "ready", "doing", "review", "done")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commits", type=int, default=50000)
    args = parser.parse_args(argv)
    compile_package(REPO / "mdpm")  # time mdpm as installed
    compile_package(REPO / "themes")
    root = _corpus(args.corpus, args.commits)
    expected = json.loads((root / "expected_transitions.json").read_text())

    floor = _median(args.runs, lambda: _bare_log(root))
    floor_cpu = _cpu(lambda: _bare_log(root))
    cold_times, cold_cpu = [], []
    for run in range(args.runs):
        cache = Path(tempfile.mkdtemp(prefix="mdpm-bench-cache-"))
        progress = terminal_progress() if run == 0 else None
        started, cpu = time.perf_counter(), _cpu_now()
        history = read_history(root, None, cache_dir=cache, progress=progress)
        cold_times.append(time.perf_counter() - started)
        cold_cpu.append(_cpu_now() - cpu)
        if run == 0:
            print(file=sys.stderr)
        if run < args.runs - 1:
            shutil.rmtree(cache)
    started, cpu = time.perf_counter(), _cpu_now()
    for ref in expected:  # as the views read them: each task's transitions, the first time
        history.of(ref)
    first_read, first_read_cpu = time.perf_counter() - started, _cpu_now() - cpu
    matched, wrong = _compare(history, expected)
    cold = statistics.median(cold_times)
    print(f"corpus: {root} ({len(expected):,} tasks, {history.head[:10]})")
    print(f"cold mining: {cold:.2f} s median of {args.runs} "
          f"({', '.join(f'{t:.2f}' for t in cold_times)}); bare git log pass {floor:.2f} s; "
          f"ratio {cold / floor:.2f}x")
    print(f"cold mining CPU: {statistics.median(cold_cpu):.2f} s (Python and git together); "
          f"bare git log pass CPU {floor_cpu:.2f} s; {_parts(root)} `git log` range(s) at once")
    print(f"first read of every task's transitions (after mining): {first_read * 1000:.0f} ms "
          f"(CPU {first_read_cpu * 1000:.0f} ms)")
    print(f"transitions: {sum(len(v) for v in history.transitions.values()):,} read, "
          f"{sum(len(v) for v in expected.values()):,} expected; tasks matching exactly: "
          f"{matched:,}/{len(expected):,}" + (f"; first wrong: {wrong[:3]}" if wrong else ""))

    head = _git(root, "rev-parse", "HEAD")
    try:
        moved = _add_commits(root, history, 10)
        saved = {path: path.read_bytes() for path in cache.iterdir()}
        started, cpu = time.perf_counter(), _cpu_now()
        after = read_history(root, None, cache_dir=cache)
        incremental = time.perf_counter() - started
        incremental_cpu = _cpu_now() - cpu
        right = all(after.of(ref)[-1].stage == stage for ref, stage in moved.items())
        unchanged = all(after.of(ref) == history.of(ref) for ref in expected if ref not in moved)
        print(f"incremental after 10 new commits: {incremental * 1000:.0f} ms "
              f"(CPU {incremental_cpu * 1000:.0f} ms; {incremental / cold:.1%} of cold); new moves right: {right}; "
              f"other tasks unchanged: {unchanged}")
        for path, data in saved.items():  # the cache as it was before the 10 commits
            path.write_bytes(data)
        print(f"the same in a fresh process: {_fresh_incremental(root, cache) * 1000:.0f} ms "
              f"(Python start-up and imports included)")
    finally:
        _git(root, "reset", "-q", "--hard", head)
        shutil.rmtree(cache, ignore_errors=True)
    print(f"peak memory of a cold mining in a fresh process: Python {_peak_of_mining(root):.0f} "
          f"MiB resident (start-up and imports included); git log alone "
          f"{_peak_of_git_log(root):.0f} MiB")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    return 0 if matched == len(expected) else 1


def _corpus(root: Path, commits: int) -> Path:
    """Generate the corpus unless it is already there."""
    if (root / "expected_transitions.json").exists():
        return root
    from bench.gen import generate

    print(f"generating {commits:,} commits into {root} (once)...", file=sys.stderr)
    generate(root, projects=100, tasks=100, commits=commits, renames=200, repack=True, force=True)
    return root


def _parts(root: Path) -> int:
    """How many `git log` ranges a cold mining of `root` reads at once."""
    count = int(_git(root, "rev-list", "--first-parent", "--count", "HEAD"))
    return max(1, min(mining._cores(), mining.MAX_PARTS, count // mining.PART_SIZE))


def _fresh_incremental(root: Path, cache: Path) -> float:
    """Wall time of a new Python process that imports mdpm and mines with `cache` (s)."""
    script = ("import sys; from pathlib import Path; from mdpm.history import read_history; "
              "read_history(Path(sys.argv[1]), None, cache_dir=Path(sys.argv[2]))")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, str(root), str(cache)], check=True,
                   cwd=Path(__file__).resolve().parent.parent)
    return time.perf_counter() - started


def _peak_of_mining(root: Path) -> float:
    """Peak resident memory of a Python process that only mines the history, cold (MiB).

    The miner's own peak (git's children not counted), and started by a small launcher:
    Linux carries the parent's peak into a process started with vfork and exec, so a child
    of this big process would report this process's size.
    """
    script = ("import resource, sys, tempfile; from pathlib import Path; "
              "from mdpm.history import read_history; "
              "read_history(Path(sys.argv[1]), None, cache_dir=Path(tempfile.mkdtemp())); "
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    launcher = "import subprocess, sys; subprocess.run(sys.argv[1:], check=True)"
    out = subprocess.run([sys.executable, "-c", launcher, sys.executable, "-c", script,
                          str(root)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    return int(out) / 1024


def _peak_of_git_log(root: Path) -> float:
    """Peak resident memory of the bare git log pass, in its own child (MiB)."""
    script = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
              "stdout=subprocess.DEVNULL, check=True); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", script, "git", "-C", str(root), "log",
                          "--first-parent", "--raw", "-z", "--no-abbrev", "--format=%x01%H",
                          "HEAD"], capture_output=True, text=True, check=True).stdout
    return int(out) / 1024


def _bare_log(root: Path) -> None:
    subprocess.run(["git", "log", "--first-parent", "--raw", "-z", "--no-abbrev",
                    "--format=%x01%H", "HEAD"], cwd=root, stdout=subprocess.DEVNULL, check=True)


def _cpu_now() -> float:
    """CPU seconds used so far by this process (all threads) and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _cpu(action) -> float:
    before = _cpu_now()
    action()
    return _cpu_now() - before


def _median(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _compare(history, expected: dict) -> tuple[int, list[str]]:
    """Count tasks whose transitions equal the expected [stage, epoch, commit] lists."""
    wrong = []
    for ref, events in expected.items():
        got = [[t.stage, int(t.at.timestamp()), t.commit] for t in history.of(ref)]
        if got != events:
            wrong.append(ref)
    extra = sorted(set(history.transitions) - set(expected))
    return len(expected) - len(wrong), wrong + extra


def _add_commits(root: Path, history, count: int) -> dict[str, str]:
    """Commit `count` stage changes to different tasks; return {ref: new stage}."""
    last = max(t.at for moves in history.transitions.values() for t in moves)
    when = int(last.timestamp())
    moved = {}
    for i, ref in enumerate(sorted(history.transitions)[:count]):
        path = root / "content" / "projects" / f"{ref}.md"
        text = path.read_text()
        current = history.of(ref)[-1].stage
        new = STAGES[(STAGES.index(current) + 1) % len(STAGES)]
        path.write_text(text.replace(f"\nstage: {current}\n", f"\nstage: {new}\n", 1))
        when += 60
        env = {**os.environ, "GIT_AUTHOR_DATE": f"@{when} +0000",
               "GIT_COMMITTER_DATE": f"@{when} +0000", "GIT_AUTHOR_NAME": "Bench",
               "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "Bench",
               "GIT_COMMITTER_EMAIL": "bench@example.com"}
        subprocess.run(["git", "commit", "-q", "-m", f"{ref} to {new}", "--", str(path)],
                       cwd=root, env=env, check=True)
        moved[ref] = new
    return moved


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
