"""Sharing a job with forked children: same results as alone, in order, whatever fails."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading

import pytest

from mdpm import parallel, workspace
from mdpm.errors import sort_problems

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs fork (Linux)")


@pytest.fixture(autouse=True)
def only_this_tests_threads(monkeypatch):
    """Threads left by other tests (the shared browser's) do not count; this test's do."""
    already = threading.active_count() - 1
    real = threading.active_count
    monkeypatch.setattr(parallel.threading, "active_count", lambda: real() - already)


def _pids_and_squares(part):
    return os.getpid(), [n * n for n in part]


def test_parts_run_in_other_processes_and_come_back_in_order():
    results = parallel.split_map(_pids_and_squares, list(range(10)), 3, min_items=2)
    parts = [squares for _, squares in results]
    assert [n for part in parts for n in part] == [n * n for n in range(10)]
    assert [len(part) for part in parts] == [4, 3, 3]  # the first a little larger
    pids = [pid for pid, _ in results]
    assert pids[0] == os.getpid() and len(set(pids)) == 3


def test_small_jobs_stay_in_this_process():
    results = parallel.split_map(_pids_and_squares, list(range(10)), 4, min_items=6)
    assert results == [(os.getpid(), [n * n for n in range(10)])]


def _fails_in_a_child(part):
    if os.getpid() != PARENT[0]:
        raise RuntimeError("a child failed")
    return sum(part)


def _dies_in_a_child(part):
    if os.getpid() != PARENT[0]:
        os._exit(3)
    return sum(part)


PARENT = [0]


def _sum_and_size(function):
    return lambda part: (function(part), len(part))


@pytest.mark.parametrize("function", [_fails_in_a_child, _dies_in_a_child])
def test_a_failed_child_has_its_part_done_here(function):
    PARENT[0] = os.getpid()
    first, second = parallel.split_map(_sum_and_size(function), list(range(100)), 2)
    assert first[1] + second[1] == 100 and first[0] + second[0] == sum(range(100))


def test_no_fork_while_other_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = parallel.split_map(_pids_and_squares, list(range(10)), 2)
    finally:
        stop.set()
        thread.join()
    assert results == [(os.getpid(), [n * n for n in range(10)])]


def _task_file(number: int, broken: bool) -> str:
    due = "2027-02-30" if broken else f"2027-01-{number % 28 + 1:02d}"
    depends = f"depends-on: [t{number - 1}]\n" if number > 1 else ""
    return (f"---\ntitle: Task {number}\nowner: {'alice' if number % 2 else 'bob'}\n"
            f"collaborators:\n  editor: carol\nstage: {'doing' if number % 5 else 'backlog'}\n"
            f"{depends}due: {due}\n---\n- [x] one\n- [ ] two\n")


@pytest.mark.skipif(parallel.workers() < 2, reason="needs two CPUs")
@pytest.mark.parametrize("cache", [False, True])
def test_a_shared_load_equals_a_load_alone(small_repo, write_tree, monkeypatch, tmp_path, cache):
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
    files = {f"content/projects/p{p}/t{n}.md": _task_file(n, broken=n == 7)
             for p in range(3) for n in range(1, 15)}
    files["content/projects/p1/_index.md"] = "---\ntitle: P one\nowner: nobody!\n---\nAbout.\n"
    files["content/projects/Bad Name/t1.md"] = _task_file(1, broken=False)
    write_tree(files, small_repo)
    config = workspace.load_config_strict(small_repo)
    monkeypatch.setattr(workspace, "PARALLEL_FROM", 10**9)
    alone = workspace.load_portfolio(config, cache=cache)
    monkeypatch.setattr(workspace, "PARALLEL_FROM", 5)
    parts = []

    def counted(*args, **kwargs):
        parts.append(len(result := parallel.split_map(*args, **kwargs)))
        return result

    monkeypatch.setattr(workspace, "split_map", counted)
    shared = workspace.load_portfolio(config, cache=cache)
    warm = workspace.load_portfolio(config, cache=cache)
    assert len(parts) == 2 and min(parts) >= 2
    assert len(alone.portfolio.tasks) == 43
    for other in (shared, warm):
        assert sort_problems(other.problems) == sort_problems(alone.problems)
        assert list(other.portfolio.tasks) == list(alone.portfolio.tasks)
        assert [dataclasses.astuple(t) for t in other.portfolio.tasks.values()] == \
            [dataclasses.astuple(t) for t in alone.portfolio.tasks.values()]
        assert list(other.portfolio.projects) == list(alone.portfolio.projects)
    codes = {p.code for p in alone.problems}
    assert {"date-invalid", "id-invalid"} <= codes
