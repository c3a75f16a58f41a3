"""Working days, dependency order, forward/backward scheduling and the critical path.

Conventions (the same everywhere in mdpm):

- Working days are Monday to Friday; there are no holidays.
- A task of estimate N that starts on working day S ends on the N-th working day counting
  S itself: 1 day starting Monday ends Monday, 3 days starting Thursday end Monday.
- Estimates round up to whole days (2.5 -> 3). A task without an estimate, or with
  estimate 0, takes 1 day: every task occupies at least the day it starts.
- A date on a weekend rolls forward to the next Monday before counting.
- A task starts the working day after the last of its dependencies ends; a task with no
  dependency starts on the schedule's start date.
- Dependencies on refs that are not in the graph are ignored (they are someone else's
  schedule, or `dep-missing`, which `mdpm check` reports).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ContentError

_DAY = dt.timedelta(days=1)


class CycleError(ContentError):
    """The dependencies form a cycle, so there is no order to schedule them in."""

    def __init__(self, cycle: list[str]):
        super().__init__("dependency cycle: " + " -> ".join([*cycle, cycle[0]]))
        self.cycle = cycle


@dataclass(frozen=True)
class Plan:
    """A schedule of one set of tasks: dates, the critical path and the slack of each task."""

    start: dt.date
    end: dt.date
    dates: dict[str, tuple[dt.date, dt.date]]
    """ref -> (first working day, last working day), in dependency order."""
    critical: list[str]
    """The chain of tasks that decides the end date, first task first."""
    slack: dict[str, int]
    """ref -> working days the task can slip without moving the end date (0 on the path)."""
    days: dict[str, int]
    """ref -> the whole working days the task was scheduled for."""


# --- working days ---------------------------------------------------------------------------


def _index(day: dt.date) -> int:
    """Return the working-day number of `day`; a weekend day gets the next Monday's number."""
    weeks, weekday = divmod(day.toordinal() - 1, 7)  # date(1, 1, 1) is a Monday
    return weeks * 5 + min(weekday, 5)


def _day(index: int) -> dt.date:
    """Return the date of working-day number `index`."""
    weeks, weekday = divmod(index, 5)
    return dt.date.fromordinal(weeks * 7 + weekday + 1)


def task_days(estimate: float | None) -> int:
    """Return the whole working days a task of `estimate` takes (none or 0 -> 1)."""
    if estimate is None:
        return 1
    return max(1, math.ceil(estimate))


def add_working_days(start: dt.date, days: float) -> dt.date:
    """Return the last working day of a task of `days` starting on `start` (counting `start`)."""
    return _day(_index(start) + task_days(days) - 1)


def next_working_day(day: dt.date) -> dt.date:
    """Return the working day after `day`."""
    return _day(_index(day + _DAY))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Return the working days from `start` to `end`, both counted (0 or less if end < start).

    It is the inverse of `add_working_days`: for a working day S and whole N >= 1,
    `working_days_between(S, add_working_days(S, N)) == N`.
    """
    return _index(end + _DAY) - _index(start)


# --- order ----------------------------------------------------------------------------------


def topological_order(refs_to_deps: dict[str, Sequence[str]]) -> list[str]:
    """Return the refs, each after its dependencies; ties keep the given order.

    Dependencies that are not keys of `refs_to_deps` are ignored. Raises `CycleError`
    naming the refs of one cycle, in dependency order.
    """
    refs = list(refs_to_deps)
    position = dict(zip(refs, range(len(refs))))
    if _in_order(refs_to_deps, position):
        return refs  # what the general walk below gives for such an order, found quicker
    waiting = [0] * len(refs)  # by position, as the heap below
    dependents: dict[int, list[int]] = {}
    for i, deps in enumerate(refs_to_deps.values()):
        if deps:  # most tasks depend on nothing
            for dep in dict.fromkeys(deps):
                j = position.get(dep)
                if j is not None:
                    waiting[i] += 1
                    if j in dependents:
                        dependents[j].append(i)
                    else:
                        dependents[j] = [i]
    # Each step takes the first ready ref. The refs ready from the start are taken from a
    # sorted list; only those that become ready later go through a heap.
    first = [i for i, count in enumerate(waiting) if count == 0]
    later: list[int] = []
    order = []
    taken, count = 0, len(first)
    while taken < count or later:
        if later and (taken == count or later[0] < first[taken]):
            i = heapq.heappop(later)
        else:
            i = first[taken]
            taken += 1
        order.append(refs[i])
        if i in dependents:
            for follower in dependents[i]:
                waiting[follower] -= 1
                if waiting[follower] == 0:
                    heapq.heappush(later, follower)
    if len(order) < len(refs):
        raise CycleError(_a_cycle({refs[i]: [d for d in dict.fromkeys(refs_to_deps[refs[i]])
                                             if d in position]
                                   for i, count in enumerate(waiting) if count > 0}))
    return order


def _in_order(refs_to_deps: dict[str, Sequence[str]], position: dict[str, int]) -> bool:
    """Whether every ref already comes after its dependencies (a file list often does).

    The walk of `topological_order` then takes the refs as given: each is ready when its
    turn comes, and it is the first ref not taken yet.
    """
    for i, deps in enumerate(refs_to_deps.values()):
        if deps:
            for dep in deps:
                if position.get(dep, -1) >= i:  # later, or itself: a cycle
                    return False
    return True


def _a_cycle(stuck: dict[str, list[str]]) -> list[str]:
    """Return one cycle among refs that each wait on another stuck ref; each depends on the next."""
    seen: dict[str, int] = {}
    walk: list[str] = []
    ref = min(stuck)
    while ref not in seen:
        seen[ref] = len(walk)
        walk.append(ref)
        ref = min(d for d in stuck[ref] if d in stuck)
    cycle = walk[seen[ref]:]
    first = cycle.index(min(cycle))
    return cycle[first:] + cycle[:first]


# --- schedule -------------------------------------------------------------------------------


def plan(tasks: dict[str, tuple[float | None, list[str]]], start: dt.date) -> Plan:
    """Schedule `tasks` (ref -> (estimate, deps)) from `start`: dates, critical path, slack."""
    deps = _inside(tasks)
    order = topological_order(deps)
    days = {ref: task_days(tasks[ref][0]) for ref in order}
    first = _index(start)
    early_end = _early_ends(order, deps, days, first)
    finish = max(early_end.values(), default=first - 1)
    late_end = _late_ends(order, deps, days, finish)
    dates = {ref: (_day(early_end[ref] - days[ref] + 1), _day(early_end[ref])) for ref in order}
    return Plan(
        start=_day(first),
        end=_day(max(finish, first)),
        dates=dates,
        critical=_chain(order, deps, early_end, days, finish),
        slack={ref: late_end[ref] - early_end[ref] for ref in order},
        days=days,
    )


def _inside(tasks: dict[str, tuple[float | None, list[str]]]) -> dict[str, Sequence[str]]:
    """ref -> the dependencies among `tasks` (not itself); read only."""
    refs = tasks.keys()
    return {ref: ds if not ds or (ref not in ds and refs >= set(ds))  # as given, often
            else [d for d in ds if d in tasks and d != ref]
            for ref, (_, ds) in tasks.items()}


def _early_ends(order, deps, days, first: int) -> dict[str, int]:
    """Forward pass: the earliest working day each task can end, starting on day `first`."""
    early_end: dict[str, int] = {}
    for ref in order:
        before = deps[ref]
        begins = max([early_end[d] for d in before]) + 1 if before else first
        early_end[ref] = begins + days[ref] - 1
    return early_end


def _late_ends(order, deps, days, finish) -> dict[str, int]:
    """Backward pass: the latest working day each task may end without moving `finish`."""
    late_end = {ref: finish for ref in order}
    for ref in reversed(order):
        late_start = late_end[ref] - days[ref] + 1
        for dep in deps[ref]:
            late_end[dep] = min(late_end[dep], late_start - 1)
    return late_end


def _chain(order, deps, early_end, days, finish) -> list[str]:
    """Walk back from the first task that ends last, through the dependency that drove it."""
    if not order:
        return []
    position = None
    ref = next(r for r in order if early_end[r] == finish)
    chain = [ref]
    while True:
        starts = early_end[ref] - days[ref] + 1
        driving = [d for d in deps[ref] if early_end[d] == starts - 1]
        if not driving:
            return chain[::-1]
        if len(driving) > 1:
            position = position or dict(zip(order, range(len(order))))
            ref = min(driving, key=position.__getitem__)
        else:
            ref = driving[0]
        chain.append(ref)


def schedule(tasks: dict[str, tuple[float | None, list[str]]],
             start: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Return ref -> (start date, end date) for `tasks` (ref -> (estimate, deps)) from `start`."""
    return plan(tasks, start).dates


def critical_path(tasks: dict[str, tuple[float | None, list[str]]]) -> list[str]:
    """Return the chain of tasks that decides the end date (longest path in working days).

    Ties go to the task that comes first in dependency order (given order among equals).
    It is `plan(tasks, start).critical` for any start, without the dates: the same passes
    as `plan`'s, in one loop.
    """
    deps = _inside(tasks)
    order = topological_order(deps)
    days: dict[str, int] = {}
    early_end: dict[str, int] = {}
    end_of = early_end.__getitem__
    lengths: dict[float | None, int] = {}  # estimates repeat
    for ref in order:
        estimate = tasks[ref][0]
        length = lengths.get(estimate)
        if length is None:
            length = lengths[estimate] = task_days(estimate)
        days[ref] = length
        before = deps[ref]
        early_end[ref] = (max(map(end_of, before)) if before else -1) + length
    return _chain(order, deps, early_end, days, max(early_end.values(), default=-1))


# --- on the model ---------------------------------------------------------------------------


def project_tasks(portfolio, project_id: str, *,
                  remaining: bool = False) -> dict[str, tuple[float | None, list[str]]]:
    """Return ref -> (estimate, deps inside the project) for one project's tasks.

    With `remaining`, tasks in a done stage are left out (what depends on them may start).
    """
    project = portfolio.projects[project_id]
    tasks = [t for t in project.tasks if not (remaining and portfolio.is_done(t))]
    inside = {task.ref for task in tasks}
    return {task.ref: (task.estimate, [d for d in task.depends_on if d in inside]
                       if task.depends_on else [])
            for task in tasks}


def project_plan(portfolio, project_id: str, start: dt.date | None = None, *,
                 remaining: bool = False) -> Plan:
    """Schedule one project from `start` (default: the project's `start`, else 2001-01-01).

    Only dependencies inside the project count; with `remaining`, only unfinished tasks
    (pass today as `start` to forecast the end). Raises `CycleError` on a cycle.
    """
    project = portfolio.projects[project_id]
    tasks = project_tasks(portfolio, project_id, remaining=remaining)
    return plan(tasks, start or project.start or dt.date(2001, 1, 1))


def project_critical_path(portfolio, project_id: str, *, remaining: bool = False) -> Plan:
    """Return the plan of one project: `.critical` is the path, `.slack` the slack per task."""
    return project_plan(portfolio, project_id, remaining=remaining)
