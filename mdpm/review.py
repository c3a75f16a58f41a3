"""The status review: bottlenecks, blocked, stuck, overloaded people, overdue, dependency problems.

Pure functions of (portfolio, problems, history, now), shared by `mdpm review` and the site.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import metrics
from .errors import Problem
from .history import History
from .model import Portfolio, Task

DEPENDENCY_CODES = ("dep-missing", "dep-cycle", "dep-order")
LONGEST_QUEUES = 3


@dataclass(frozen=True)
class Bottleneck:
    """A stage at or over its WIP limit, or (in `Review.queues`) a long waiting queue."""

    stage: str
    title: str
    count: int
    limit: int | None
    over: bool
    at_limit: bool
    queue: bool = False
    """True for an entry of the longest-queues list (not a bottleneck)."""
    active: bool = False


@dataclass(frozen=True)
class BlockedTask:
    ref: str
    reason: str
    waiting_on: tuple[str, ...] = ()
    """Dependencies that are not done yet."""


@dataclass(frozen=True)
class StuckTask:
    ref: str
    stage: str
    days: int


@dataclass(frozen=True)
class Overload:
    handle: str
    holds: int
    limit: int
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Overdue:
    ref: str
    due: dt.date
    days: int
    stage: str


@dataclass
class Review:
    """Everything the weekly status review talks about, as of `today`."""

    today: dt.date
    bottlenecks: list[Bottleneck] = field(default_factory=list)
    """Stages at or over their WIP limit, the worst first."""
    queues: list[Bottleneck] = field(default_factory=list)
    """The longest waiting queues (queue stages after the first; not bottlenecks)."""
    blocked: list[BlockedTask] = field(default_factory=list)
    stuck: list[StuckTask] = field(default_factory=list)
    stuck_known: bool = False
    """False when there is no history to tell how long tasks have been in their stage."""
    history_message: str = ""
    overloaded: list[Overload] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)
    dependency_problems: list[Problem] = field(default_factory=list)
    slow_stages: list[metrics.StageTime] = field(default_factory=list)
    """Stages where work waits longest, from the history (metrics.bottleneck_stages)."""

    @property
    def alerts(self) -> list[str]:
        """One sentence per kind of trouble, for the overview and the terminal's top line."""
        found = []
        over = [b for b in self.bottlenecks if b.over]
        if over:
            found.append(_count(len(over), "stage") + " over its WIP limit: "
                         + ", ".join(b.title for b in over))
        if self.overloaded:
            found.append(_count(len(self.overloaded), "person", "people") + " over their limit: "
                         + ", ".join(o.handle for o in self.overloaded))
        if self.blocked:
            found.append(_count(len(self.blocked), "task") + " blocked")
        if self.stuck:
            found.append(_count(len(self.stuck), "task") + " stuck")
        if self.overdue:
            found.append(_count(len(self.overdue), "task") + " overdue")
        if self.dependency_problems:
            found.append(_count(len(self.dependency_problems), "dependency problem"))
        return found

    @property
    def is_clear(self) -> bool:
        return not (self.alerts or any(b.at_limit for b in self.bottlenecks))


def review(portfolio: Portfolio, problems: list[Problem], history: History,
           now: dt.datetime) -> Review:
    """Return the status review of the portfolio as of `now`."""
    today = now.date()
    times, stuck = _stage_times_and_stuck(portfolio, history, now)  # from one walk of history
    counts = counted(portfolio)
    return Review(
        today=today,
        bottlenecks=bottlenecks(portfolio, counts),
        queues=longest_queues(portfolio, counts),
        blocked=blocked_tasks(portfolio),
        stuck=stuck,
        stuck_known=history.available,
        history_message="" if history.available else history.message,
        overloaded=overloaded_people(portfolio),
        overdue=overdue_tasks(portfolio, today),
        dependency_problems=[p for p in problems if p.code in DEPENDENCY_CODES],
        slow_stages=metrics.bottleneck_stages(times, portfolio.config) if times else [],
    )


def _stage_times_and_stuck(portfolio: Portfolio, history: History, now: dt.datetime
                           ) -> tuple[list[metrics.StageTime], list[StuckTask]]:
    if not history.available:
        return [], []
    times, stuck = metrics.stage_times_and_stuck(portfolio.tasks.values(), history,
                                                 portfolio.config, now)
    return times, _stuck_tasks(stuck)


def counted_in(portfolio: Portfolio, stage_id: str) -> list[Task]:
    """Return the tasks of a stage that count against its limit (expedited ones do not)."""
    return [t for t in portfolio.tasks_in(stage_id) if not t.expedite]


def counted(portfolio: Portfolio) -> dict[str, int]:
    """How many tasks of each stage count against its limit (see `counted_in`)."""
    return {stage.id: len(counted_in(portfolio, stage.id)) for stage in portfolio.config.stages}


def bottlenecks(portfolio: Portfolio, counts: dict[str, int] | None = None) -> list[Bottleneck]:
    """Stages at or over their WIP limit, those over it first, then by count (`counts`:
    `counted(portfolio)`, when known)."""
    counts = counted(portfolio) if counts is None else counts
    found = []
    for stage in portfolio.config.stages:
        count = counts[stage.id]
        if stage.wip is not None and count and count >= stage.wip:
            found.append(Bottleneck(stage.id, stage.title, count, stage.wip,
                                    over=count > stage.wip, at_limit=True,
                                    active=stage.is_active))
    return sorted(found, key=lambda b: (not b.over, -b.count))


def longest_queues(portfolio: Portfolio,
                   counts: dict[str, int] | None = None) -> list[Bottleneck]:
    """The LONGEST_QUEUES queue stages after the first holding the most tasks (none empty).

    The first stage (a backlog) is left out: a long backlog is normal. `counts`:
    `counted(portfolio)`, when known.
    """
    counts = counted(portfolio) if counts is None else counts
    first = portfolio.config.first_stage.id
    found = []
    for stage in portfolio.config.stages:
        count = counts[stage.id]
        if stage.is_active or stage.is_done or stage.id == first or not count:
            continue
        found.append(Bottleneck(stage.id, stage.title, count, stage.wip,
                                over=stage.wip is not None and count > stage.wip,
                                at_limit=stage.wip is not None and count >= stage.wip,
                                queue=True))
    found.sort(key=lambda b: (-b.count, portfolio.config.stage(b.stage).index))
    return found[:LONGEST_QUEUES]


def waiting_on(portfolio: Portfolio, task: Task) -> tuple[str, ...]:
    """Return the dependencies of a task that are not done (missing ones included)."""
    return tuple(ref for ref in task.depends_on
                 if ref not in portfolio.tasks or not portfolio.is_done(portfolio.tasks[ref]))


def is_blocked(portfolio: Portfolio, task: Task,
               waiting: tuple[str, ...] | None = None) -> bool:
    """The one rule for "blocked", shared by the site, `mdpm review` and the overview.

    A task that is not done is blocked when it has `blocked:`, or when it is past the first
    stage (in an active stage, or queued after the first stage to start next) while a task
    it depends on is not done. A task in the first stage waiting for its dependencies is
    not blocked: it is not meant to move yet. `waiting`: its `waiting_on`, when known.
    """
    if portfolio.is_done(task):
        return False
    if task.blocked:
        return True
    started = task.stage != portfolio.config.first_stage.id
    return started and bool(waiting_on(portfolio, task) if waiting is None else waiting)


def blocked_tasks(portfolio: Portfolio) -> list[BlockedTask]:
    """Tasks blocked by `blocked:`, or past the first stage with a dependency not done."""
    first, is_done = portfolio.config.first_stage.id, portfolio.is_done
    found = []
    for task in portfolio.tasks.values():
        # `is_blocked`, with the dependencies looked up only for the tasks that have some
        if not (task.blocked or task.depends_on and task.stage != first) or is_done(task):
            continue
        waiting = waiting_on(portfolio, task)
        if not (task.blocked or waiting):
            continue
        reasons = []
        if task.blocked:
            reasons.append(task.blocked if task.blocked != "yes" else "blocked")
        if waiting:
            reasons.append("waiting on " + ", ".join(waiting))
        found.append(BlockedTask(task.ref, "; ".join(reasons), waiting))
    return sorted(found, key=lambda b: b.ref)


def stuck_tasks(portfolio: Portfolio, history: History, now: dt.datetime,
                times: list[metrics.StageTime] | None = None) -> list[StuckTask]:
    """Active tasks too long in their stage, from the stage history (`times`: its stage
    times, when already worked out)."""
    if not history.available:
        return []
    # Over stale_days, or longer than 85 % of that stage's own past stays (see metrics).
    return _stuck_tasks(metrics.stuck_tasks(portfolio.tasks.values(), history, portfolio.config,
                                            now, times))


def _stuck_tasks(found: list[metrics.Stuck]) -> list[StuckTask]:
    return [StuckTask(s.ref, s.stage, s.days) for s in found]


def overloaded_people(portfolio: Portfolio) -> list[Overload]:
    """People who hold more active tasks than their limit."""
    holding: dict[str, list] = {}
    for task in _active_tasks(portfolio):  # one pass, not one per person
        if task.holder:
            holding.setdefault(task.holder, []).append(task)
    found = []
    # Only the holders: a limit is never below 0 (the config says so), so someone holding
    # nothing is never over it; a holder is an owner or a collaborator, one of `handles()`.
    for handle, held in holding.items():
        limit = portfolio.config.person_limit(handle)
        if limit is not None and len(held) > limit:
            found.append(Overload(handle, len(held), limit, tuple(sorted(t.ref for t in held))))
    return sorted(found, key=lambda o: (o.limit - o.holds, o.handle))


def _active_tasks(portfolio: Portfolio) -> list[Task]:
    """The tasks in an active stage (`portfolio.is_active`), stage by stage."""
    return [task for stage_id in sorted(metrics.stage_kinds(portfolio.config)[0])
            for task in portfolio.tasks_in(stage_id)]


def overdue_tasks(portfolio: Portfolio, today: dt.date) -> list[Overdue]:
    """Tasks past their due date and not done, the latest first."""
    found = [Overdue(t.ref, t.due, (today - t.due).days, t.stage)
             for t in portfolio.tasks.values()
             if t.due and t.due < today and not portfolio.is_done(t)]
    return sorted(found, key=lambda o: (-o.days, o.ref))


def format_review(result: Review, title: str) -> str:
    """Return the review as plain text for the terminal."""
    lines = [f"Status review: {title}, as of {result.today.isoformat()}", ""]
    if result.is_clear:
        lines.append("All clear: no bottlenecks, nothing blocked, stuck, overloaded or overdue.")
        if result.queues:
            lines += ["", *_section("Longest queues", [_queue_line(q) for q in result.queues])]
        return "\n".join(lines).rstrip() + "\n"
    lines += _section("Bottlenecks (at or over the WIP limit)", [
        f"{b.title}: {b.count}/{b.limit}" + (" OVER LIMIT" if b.over else " at limit")
        for b in result.bottlenecks])
    if result.queues:
        lines += _section("Longest queues", [_queue_line(q) for q in result.queues])
    lines += _section("Blocked", [f"{b.ref}: {b.reason}" for b in result.blocked])
    if result.stuck_known:
        lines += _section("Stuck", [f"{s.ref}: {_count(s.days, 'day')} in {s.stage}"
                                    for s in result.stuck])
    else:
        lines += [f"Stuck: unknown ({result.history_message})", ""]
    lines += _section("Overloaded people", [
        f"{o.handle}: holds {o.holds}, limit {o.limit} ({', '.join(o.refs)})"
        for o in result.overloaded])
    lines += _section("Overdue", [
        f"{o.ref}: due {o.due.isoformat()}, {_count(o.days, 'day')} late, in {o.stage}"
        for o in result.overdue])
    lines += _section("Dependency problems", [p.format() for p in result.dependency_problems])
    return "\n".join(lines).rstrip() + "\n"


def _queue_line(queue: Bottleneck) -> str:
    limit = f" (limit {queue.limit})" if queue.limit is not None else ""
    return f"{queue.title}: {_count(queue.count, 'task')} waiting{limit}"


def _section(heading: str, items: list[str]) -> list[str]:
    if not items:
        return [f"{heading}: none", ""]
    return [f"{heading} ({len(items)}):", *(f"  - {item}" for item in items), ""]


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"
