"""Share one large job between this process and forked copies of it (both cores of CI).

A forked child starts with everything this process has already built (config, caches), so
nothing has to be sent to it; only its results come back, pickled through a pipe. Where
forking is not safe (not Linux, or other threads are running) the job runs here alone.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

Part = TypeVar("Part")
Result = TypeVar("Result")


def workers() -> int:
    """The CPUs this process may use (at most 4: more rarely pays for the copies)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:
        count = os.cpu_count() or 1
    return max(1, min(4, count))


def can_fork() -> bool:
    """True where a forked child is a safe copy: Linux, and no other thread running."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def split_map(function: Callable[[Sequence[Part]], Result], items: Sequence[Part],
              count: int | None = None, *, min_items: int = 1) -> list[Result]:
    """Return [function(part) for each of `count` consecutive parts of items], in order.

    The first part runs here, the others in forked children at the same time. A child that
    fails (or is killed) has its part run here instead, so the result never depends on it.
    The first part is a little larger: children spend the end of their time sending their
    results, and this process the end of its own reading them.
    """
    count = min(count or workers(), len(items) // max(1, min_items)) if can_fork() else 1
    if count < 2:
        return [function(items)]
    parts = _parts(items, count)
    children = [_Child(function, part) for part in parts[1:]]
    try:
        results = [function(parts[0])]
        results += [child.result(function, part) for part, child in zip(parts[1:], children)]
    finally:
        for child in children:
            child.stop()
    return results


@contextmanager
def in_background(function: Callable[[Part], Result], item: Part) -> Iterator[Callable[[], Result]]:
    """Start function(item) in a forked child; yield a callable that returns its result.

    The caller goes on meanwhile. Where forking is not safe, or the child fails, the result
    is computed here when asked for. A child still running on leaving is killed.
    """
    if not can_fork():
        yield lambda: function(item)
        return
    child = _Child(function, item)
    try:
        yield lambda: child.result(function, item)
    finally:
        child.stop()


LEAD = 0.15
"""How much larger the first part is than each of the others."""


def _parts(items: Sequence[Part], count: int) -> list[Sequence[Part]]:
    share = len(items) / (count + LEAD)
    cuts = [0, *(round(share * (n + LEAD)) for n in range(1, count)), len(items)]
    return [items[start:end] for start, end in zip(cuts, cuts[1:])]


class _Child:
    """A forked child computing one part; its result comes through a pipe."""

    def __init__(self, function, part):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(read_end)
            _run_child(function, part, write_end)
        os.close(write_end)
        self.reader: int | None = read_end

    def result(self, function, part):
        """The child's result, or the part computed here when the child failed."""
        with os.fdopen(self.reader, "rb") as pipe:
            self.reader = None
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if os.waitstatus_to_exitcode(status) == 0 and data:
            return pickle.loads(data)
        return function(part)

    def stop(self) -> None:
        """Close the pipe and kill and reap the child, unless it was already collected."""
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0


def _run_child(function, part, write_end: int) -> None:
    """In the child: compute, send, and leave without running any of the parent's cleanup."""
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        data = pickle.dumps(function(part), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        status = 1
    os._exit(status)
