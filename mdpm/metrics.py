"""Flow metrics: pure functions of (tasks, transitions, now). Nothing here reads a clock.

Times come from the stage history (`history.Transition`, oldest first per task). A task
without history is left out of every figure, and so is a date history does not show: a task
whose file was created already done has no known done date (nothing is guessed).
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from .config import Config
from .errors import WARNING, Problem
from .history import History, Transition

DAY = 86400.0
PERCENTILES = (50, 85, 95)
FORECAST_RUNS = 1000
FORECAST_WEEKS = 12
FORECAST_HORIZON_WEEKS = 52
"""A forecast never runs further than this; later dates are shown as "beyond" the horizon."""
FORECAST_MIN_DONE = 5
FORECAST_MIN_WEEKS = 3
"""Below this many completions over this many weeks of history, there is no forecast."""


# --- one task ------------------------------------------------------------------------------


def cycle_days(transitions: list[Transition], config: Config) -> float | None:
    """Days from first entering an active stage to (last) entering the done stage, if known."""
    return _cycle_days(started_at(transitions, config), finished_at(transitions, config))


def _cycle_days(started: dt.datetime | None, finished: dt.datetime | None) -> float | None:
    if started is None or finished is None or finished < started:
        return None
    return round((finished - started).total_seconds() / DAY, 2)


def stage_kinds(config: Config) -> tuple[frozenset[str], frozenset[str]]:
    """The ids of the active stages and of the done stages, as `config.stage(id)` types them:
    worked out once by a caller that asks `task_flow` of many tasks."""
    stages = [config.stage(s.id) for s in config.stages]
    return (frozenset(s.id for s in stages if s.is_active),
            frozenset(s.id for s in stages if s.is_done))


def task_flow(transitions: list[Transition], config: Config, now: dt.datetime,
              kinds: tuple[frozenset[str], frozenset[str]] | None = None
              ) -> tuple[dt.datetime | None, bool, int | None, float | None]:
    """`finished_at`, `done_date_unknown`, `days_in_current_stage` (given `config`) and
    `cycle_days` at once; `kinds`: `stage_kinds(config)`, when the caller has it.

    Each of them looks for the trailing run of done stages; this looks once (the site asks
    it of every task).
    """
    if not transitions:
        return None, False, None, None
    active, done = kinds or stage_kinds(config)
    run = len(transitions) - 1
    last = transitions[run]
    if last.stage not in done:
        return None, False, int((now - last.at).total_seconds() // DAY), None
    while run > 0 and transitions[run - 1].stage in done:
        run -= 1
    if run == 0:
        return None, True, None, None
    finished = transitions[run].at
    started = None  # `started_at`
    for transition in transitions:
        if transition.stage in active:
            started = transition.at
            break
    return (finished, False, int((now - last.at).total_seconds() // DAY),
            _cycle_days(started, finished))


def lead_days(transitions: list[Transition], config: Config) -> float | None:
    """Days from the task's creation (its first transition) to entering the done stage.

    None for a file created already done, even if reopened since: the task existed before.
    """
    finished = finished_at(transitions, config)
    if finished is None or created_done(transitions, config):
        return None
    return round((finished - transitions[0].at).total_seconds() / DAY, 2)


def days_in_current_stage(transitions: list[Transition], now: dt.datetime,
                          config: Config | None = None) -> int | None:
    """Whole days since the task entered the stage it is in now, when history knows.

    With `config`, a task still in the done stage it was created in gives None: when it got
    there is unknown.
    """
    if not transitions:
        return None
    if config is not None and done_date_unknown(transitions, config):
        return None
    return int((now - transitions[-1].at).total_seconds() // DAY)


def started_at(transitions: list[Transition], config: Config) -> dt.datetime | None:
    """When the task first entered an active stage.

    A file created in an active stage counts as started then (its first transition is the
    stage it was created in); a task created already done has no known start.
    """
    return next((t.at for t in transitions if _is_active(t.stage, config)), None)


def finished_at(transitions: list[Transition], config: Config) -> dt.datetime | None:
    """When the task last entered a done stage from another stage, if it is done now.

    None for a task whose file was created in a done stage and stayed done: the history
    does not show when it was finished.
    """
    run = _done_run(transitions, config)
    if run is None or run == 0:
        return None
    return transitions[run].at


def created_done(transitions: list[Transition], config: Config) -> bool:
    """Whether the task's file was created already in a done stage."""
    return bool(transitions) and _is_done(transitions[0].stage, config)


def done_date_unknown(transitions: list[Transition], config: Config) -> bool:
    """Done now, but history never shows it entering a done stage (created as done)."""
    return _done_run(transitions, config) == 0


def first_move(transitions: list[Transition]) -> dt.datetime | None:
    """When the task first changed stage after its creation: where its real history begins."""
    return transitions[1].at if len(transitions) > 1 else None


def _done_run(transitions: list[Transition], config: Config) -> int | None:
    """Index of the first transition of the trailing run of done stages; None if not done."""
    if not transitions or not _is_done(transitions[-1].stage, config):
        return None
    index = len(transitions) - 1
    while index > 0 and _is_done(transitions[index - 1].stage, config):
        index -= 1
    return index


@dataclass(frozen=True)
class Span:
    """A stay in one stage: from `start` to `end` (None: still there)."""

    stage: str
    start: dt.datetime
    end: dt.datetime | None
    commit: str = ""
    author: str = ""

    def days(self, now: dt.datetime) -> float:
        return ((self.end or now) - self.start).total_seconds() / DAY


def spans(transitions: list[Transition]) -> list[Span]:
    """Turn transitions into stays, the last one open."""
    ends = [t.at for t in transitions[1:]] + [None]
    return [Span(t.stage, t.at, end, t.commit, t.author) for t, end in zip(transitions, ends)]


def known_spans(transitions: list[Transition], config: Config) -> list[Span]:
    """The stays whose start is known: a task created already done joins at its first move."""
    first = next((i for i, t in enumerate(transitions) if not _is_done(t.stage, config)),
                 len(transitions))
    return spans(transitions)[first:]


def time_in_stages(transitions: list[Transition], config: Config,
                   now: dt.datetime) -> dict[str, float]:
    """Days spent in each stage (visits added up), in workflow order; done stages left out."""
    totals: dict[str, float] = defaultdict(float)
    for span in spans(transitions):
        if not _is_done(span.stage, config):
            totals[span.stage] += span.days(now)
    order = {s.id: s.index for s in config.stages}
    return {k: round(totals[k], 2) for k in sorted(totals, key=lambda s: (order.get(s, 99), s))}


# --- the team -------------------------------------------------------------------------------


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks; None when empty."""
    return _percentile(sorted(values), q)


def _percentile(ordered: list[float], q: float) -> float | None:
    """`percentile` of values already sorted."""
    if not ordered:
        return None
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 2)


@dataclass(frozen=True)
class Completion:
    """A finished task: when, and its cycle and lead time in days."""

    ref: str
    finished: dt.datetime
    cycle_days: float | None
    lead_days: float | None


def completions(tasks, history: History, config: Config) -> list[Completion]:
    """Every task now done whose finish is known, oldest first."""
    found = []
    for task in tasks:
        moves = history.of(task.ref)
        finished = finished_at(moves, config)
        if finished is not None:
            found.append(Completion(task.ref, finished, cycle_days(moves, config),
                                    lead_days(moves, config)))
    return sorted(found, key=lambda c: (c.finished, c.ref))


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def history_start(tasks, history: History) -> dt.datetime | None:
    """The first time any of `tasks` changed stage: before it, history shows no real flow.

    The commit that creates a file only records where the task already was (a team that
    adopts mdpm mid-project creates every file at once), so creations do not count.
    """
    return min((moved for t in tasks if (moved := first_move(history.of(t.ref))) is not None),
               default=None)


def weeks_since(start: dt.datetime | None, now: dt.datetime) -> int:
    """Calendar weeks (Monday first) from the week of `start` to now's, both counted; 0 if None."""
    if start is None:
        return 0
    return max(0, (week_start(now.date()) - week_start(start.date())).days // 7 + 1)


def plural(count: int, word: str) -> str:
    """`1 week`, `3 weeks`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def whole_days(value: float | None) -> str:
    """A number of days as a whole number ("—" when unknown, "< 1" for a part of a day)."""
    if value is None:
        return "—"
    rounded = int(value + 0.5)
    return "< 1" if rounded == 0 and value > 0 else str(rounded)


def throughput_per_week(done: list[Completion], now: dt.datetime,
                        weeks: int | None = None) -> list[tuple[dt.date, int]]:
    """Tasks finished per week (Monday first), every week up to now's, zeros included."""
    if not done and not weeks:
        return []
    counts = Counter(week_start(c.finished.date()) for c in done)
    last = week_start(now.date())
    first = min(counts) if counts else last
    if weeks:
        first = last - dt.timedelta(weeks=weeks - 1)
    result = []
    week = first
    while week <= last:
        result.append((week, counts.get(week, 0)))
        week += dt.timedelta(weeks=1)
    return result


def cumulative_flow(tasks, history: History, config: Config, now: dt.datetime,
                    days: int | None = None) -> list[tuple[dt.date, dict[str, int]]]:
    """Per day, how many tasks were in each stage at the end of that day."""
    stage_ids = [s.id for s in config.stages]
    deltas: dict[dt.date, Counter] = defaultdict(Counter)
    first_day = None
    for task in tasks:
        for span in known_spans(history.of(task.ref), config):
            if span.stage not in stage_ids:
                continue
            start = span.start.date()
            deltas[start][span.stage] += 1
            if span.end is not None:
                deltas[span.end.date()][span.stage] -= 1
            first_day = start if first_day is None else min(first_day, start)
    if first_day is None:
        return []
    last_day = now.date()
    if days:
        first_day = max(first_day, last_day - dt.timedelta(days=days - 1))
    running: Counter = Counter()
    for day in sorted(d for d in deltas if d < first_day):
        running.update(deltas[day])
    result = []
    day = first_day
    while day <= last_day:
        running.update(deltas.get(day, Counter()))
        result.append((day, {s: running[s] for s in stage_ids}))
        day += dt.timedelta(days=1)
    return result


@dataclass(frozen=True)
class Aging:
    """Work in progress: how long since it started, and since it entered its stage."""

    ref: str
    stage: str
    age_days: int
    stage_days: int


def aging_wip(tasks, history: History, config: Config, now: dt.datetime) -> list[Aging]:
    """Active tasks with their age (since first active) and time in the current stage."""
    found = []
    for task in tasks:
        moves = history.of(task.ref)
        if not moves or not _is_active(moves[-1].stage, config) or moves[-1].stage != task.stage:
            continue
        started = started_at(moves, config)
        found.append(Aging(task.ref, task.stage, _whole(now - started), _whole(now - moves[-1].at)))
    return sorted(found, key=lambda a: (-a.age_days, a.ref))


@dataclass(frozen=True)
class StageTime:
    """How long work stays in a stage: finished stays and the ones still running."""

    stage: str
    visits: int
    median_days: float | None
    p85_days: float | None
    total_days: float
    current: int
    current_median_days: float | None


def stage_times(tasks, history: History, config: Config, now: dt.datetime) -> list[StageTime]:
    """Per stage (not done ones), the times of finished stays and of the tasks there now."""
    return _stage_times(_stays(tasks, history, config, now), config)


def stage_times_and_stuck(tasks, history: History, config: Config,
                          now: dt.datetime) -> tuple[list[StageTime], list[Stuck]]:
    """`stage_times` and `stuck_tasks` from one walk of the tasks' history."""
    stays = _stays(tasks, history, config, now)
    times = _stage_times(stays, config)
    return times, _stuck(stays, times, config)


@dataclass
class _Stays:
    """The days of every stay (`spans`, without making them), per stage, and the active tasks
    still in the stage history last shows them entering, with their stay so far."""

    finished: dict[str, list[float]]
    running: dict[str, list[float]]
    active: list[tuple[str, str, float]]
    """(ref, stage, days) in the order of the tasks."""


def _stays(tasks, history: History, config: Config, now: dt.datetime) -> _Stays:
    finished: dict[str, list[float]] = defaultdict(list)
    running: dict[str, list[float]] = defaultdict(list)
    active_ids = stage_kinds(config)[0]
    active = []
    since: dict[dt.datetime, float] = {}  # tasks moved by one commit share its time
    moves_of = history.transitions.get
    for task in tasks:
        moves = moves_of(task.ref)
        if not moves:
            continue
        last = moves[-1]
        if len(moves) > 1:
            start = moves[0]
            for move in moves[1:]:
                finished[start.stage].append((move.at - start.at).total_seconds() / DAY)
                start = move
        days = since.get(last.at)
        if days is None:
            days = since[last.at] = (now - last.at).total_seconds() / DAY
        running[last.stage].append(days)
        if task.stage == last.stage and task.stage in active_ids:
            active.append((task.ref, task.stage, days))
    return _Stays(finished, running, active)


def _stage_times(stays: _Stays, config: Config) -> list[StageTime]:
    result = []
    for stage in config.stages:
        if stage.is_done:
            continue
        done_times, now_times = stays.finished.get(stage.id, []), stays.running.get(stage.id, [])
        done_sorted = sorted(done_times)
        result.append(StageTime(stage.id, len(done_times), _percentile(done_sorted, 50),
                                _percentile(done_sorted, 85), round(sum(done_times + now_times), 2),
                                len(now_times), _percentile(sorted(now_times), 50)))
    return result


def bottleneck_stages(times: list[StageTime], config: Config) -> list[StageTime]:
    """Stages where work waits longest (median stay), the worst first.

    The first stage is left out: it is the intake, where waiting to be started is normal.
    """
    ranked = [t for t in times if t.stage != config.first_stage.id
              and (t.median_days is not None or t.current_median_days is not None)]
    return sorted(ranked, key=lambda t: (-(max(t.median_days or 0, t.current_median_days or 0)),
                                         config.stage(t.stage).index))


@dataclass(frozen=True)
class Stuck:
    """An active task too long in its stage, and by which measure."""

    ref: str
    stage: str
    days: int
    over_stale: bool
    p85_days: float | None
    """The 85th percentile of this stage's past stays, when the stay is longer than it."""


def stuck_tasks(tasks, history: History, config: Config, now: dt.datetime,
                times: list[StageTime] | None = None) -> list[Stuck]:
    """Active tasks over `stale_days` in their stage, or over that stage's own 85th percentile."""
    stays = _stays(tasks, history, config, now)
    return _stuck(stays, times or _stage_times(stays, config), config)


def _stuck(stays: _Stays, times: list[StageTime], config: Config) -> list[Stuck]:
    p85 = {t.stage: t.p85_days for t in times}
    stale_days = config.limits.stale_days
    found = []
    for ref, stage, stay in stays.active:
        days = int(stay)
        over_stale = days > stale_days
        typical = p85.get(stage)
        over_typical = typical is not None and stay > typical
        if over_stale or over_typical:
            found.append(Stuck(ref, stage, days, over_stale, typical if over_typical else None))
    found.sort(key=lambda s: (-s.days, s.ref))
    return found


def stale_problems(portfolio, history: History, now: dt.datetime) -> list[Problem]:
    """The `stale` warning: active tasks longer than `stale_days` in their stage."""
    config = portfolio.config
    found = []
    for task in portfolio.tasks.values():
        moves = history.of(task.ref)
        if not moves or not portfolio.is_active(task) or moves[-1].stage != task.stage:
            continue
        days = days_in_current_stage(moves, now)
        if days > config.limits.stale_days:
            found.append(Problem(task.path, task.line_of("stage"), "stale", WARNING,
                                 f"in `{task.stage}` for {days} days (since "
                                 f"{moves[-1].at.date().isoformat()}), over stale_days = "
                                 f"{config.limits.stale_days}: move it on, split it, or mark "
                                 "it `blocked:`"))
    return found


# --- forecast -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """When the open tasks of a project will be done, at 50/85/95 % (None: unknown, why)."""

    project: str
    remaining: int
    dates: dict[int, dt.date] | None
    reason: str = ""
    sample_weeks: int = 0
    sample_done: int = 0
    """The forecast replays `sample_done` completions over the last `sample_weeks` weeks."""
    beyond: tuple[int, ...] = ()
    """The percentiles whose runs reached the horizon: their date is "beyond" `dates[p]`."""


def forecast_project(project: str, remaining: int, done: list[Completion], now: dt.datetime, *,
                     since: dt.datetime | None = None, weeks: int = FORECAST_WEEKS,
                     runs: int = FORECAST_RUNS, seed: int = 0) -> Forecast:
    """Monte Carlo: draw past weekly throughput until `remaining` tasks are done.

    Only the weeks from `since` (where the project's real history begins, see
    `history_start`) count; with too few of them, or too few completions, there is no forecast.
    """
    if remaining == 0:
        return Forecast(project, 0, {p: now.date() for p in PERCENTILES}, "every task is done")
    sample_weeks = min(weeks, weeks_since(since, now))
    weekly = throughput_per_week(done, now, sample_weeks) if sample_weeks else []
    samples = [count for _, count in weekly]
    finished = sum(samples)
    if finished < FORECAST_MIN_DONE or sample_weeks < FORECAST_MIN_WEEKS:
        return Forecast(project, remaining, None,
                        f"not enough history yet: needs at least {FORECAST_MIN_DONE} completed "
                        f"tasks over at least {FORECAST_MIN_WEEKS} weeks ("
                        + (f"has {finished} over {plural(sample_weeks, 'week')}" if sample_weeks
                           else "none of its tasks has changed stage yet") + ")",
                        sample_weeks, finished)
    rng = random.Random(seed ^ zlib.crc32(project.encode()))
    outcomes = sorted(_weeks_to_finish(rng, samples, remaining) for _ in range(runs))
    chosen = {p: outcomes[min(runs - 1, int(runs * p / 100))] for p in PERCENTILES}
    dates = {p: now.date() + dt.timedelta(weeks=min(w, FORECAST_HORIZON_WEEKS))
             for p, w in chosen.items()}
    beyond = tuple(p for p, w in chosen.items() if w > FORECAST_HORIZON_WEEKS)
    reason = ""
    if beyond:
        reason = (f"at its pace of {finished / sample_weeks:.1f} tasks a week (the last "
                  f"{plural(sample_weeks, 'week')}), {remaining} open tasks can take more than "
                  f"{FORECAST_HORIZON_WEEKS} weeks")
    return Forecast(project, remaining, dates, reason, sample_weeks, finished, beyond)


def _weeks_to_finish(rng: random.Random, samples: list[int], remaining: int) -> int:
    weeks = 0
    while remaining > 0 and weeks < FORECAST_HORIZON_WEEKS:
        remaining -= rng.choice(samples)
        weeks += 1
    return weeks if remaining <= 0 else FORECAST_HORIZON_WEEKS + 1


def forecasts(portfolio, history: History, now: dt.datetime, *, seed: int = 0) -> list[Forecast]:
    """A forecast per open project, from that project's own past throughput."""
    config = portfolio.config
    result = []
    for project in portfolio.projects.values():
        open_tasks = [t for t in project.tasks if not portfolio.is_done(t)]
        if not open_tasks:
            continue
        done = completions(project.tasks, history, config)
        result.append(forecast_project(project.id, len(open_tasks), done, now, seed=seed,
                                       since=history_start(project.tasks, history)))
    return result


def _whole(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // DAY)


def _is_active(stage_id: str, config: Config) -> bool:
    stage = config.stage(stage_id)
    return stage is not None and stage.is_active


def _is_done(stage_id: str, config: Config) -> bool:
    stage = config.stage(stage_id)
    return stage is not None and stage.is_done
