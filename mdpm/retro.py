"""A project's retrospective facts: planned vs actual, what made it late, where time went.

`retro_view` is the view model of `retro/<p>/index.html`; `retro_markdown` prints the same
facts for `mdpm retro PROJECT`, to start `_retro.md` from. Pure functions; no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

from . import metrics
from .config import nearest
from .errors import UsageError
from .history import History

UNKNOWN_DONE = "unknown (created as done)"


@dataclass(frozen=True)
class TaskFacts:
    """One task: planned (due) against actual (done), and where its time went."""

    ref: str
    title: str
    owner: str | None
    stage: str
    due: dt.date | None
    done: dt.date | None
    late_days: int | None
    """Days finished after `due` (or, not done, days past it now); None when not late."""
    cycle_days: float | None
    lead_days: float | None
    stage_days: dict[str, float]
    slowest_stage: str | None
    slowest_holder: str | None
    """Who held the task in its slowest stage (the hand-off role's person there)."""
    done_unknown: bool = False
    """Done, but its file was created already done: when it was finished is unknown."""


@dataclass(frozen=True)
class HandOff:
    """A task passed from one person to another on entering `stage`; it waited `days` there."""

    ref: str
    giver: str | None
    taker: str | None
    stage: str
    days: float


@dataclass(frozen=True)
class StageFacts:
    stage: str
    title: str
    tasks: int
    total_days: float
    median_days: float | None


@dataclass
class Retro:
    """Everything the retrospective of one project says."""

    project: str
    title: str
    as_of: dt.date
    history_status: str
    history_message: str
    due: dt.date | None
    start: dt.date | None
    finished: dt.date | None
    """When the last task was done, if every task is done."""
    total: int
    done: int
    tasks: list[TaskFacts] = field(default_factory=list)
    stages: list[StageFacts] = field(default_factory=list)
    handoffs: list[HandOff] = field(default_factory=list)
    notes: str = ""
    stage_titles: dict[str, str] = field(default_factory=dict)
    first_stage: str = ""
    all_done: bool = False

    def title_of(self, stage_id: str | None) -> str:
        return self.stage_titles.get(stage_id, stage_id or "")

    @staticmethod
    def days(value: float | None) -> str:
        """Days in whole days, for the page."""
        return metrics.whole_days(value)

    @property
    def unknown_done(self) -> list[TaskFacts]:
        """Tasks created already done: their done date is unknown."""
        return [t for t in self.tasks if t.done_unknown]

    @property
    def late(self) -> list[TaskFacts]:
        return sorted((t for t in self.tasks if t.late_days), key=lambda t: (-t.late_days, t.ref))

    @property
    def late_days(self) -> int | None:
        """Days the project finished (or is, now) after its due date."""
        if self.due is None or (self.all_done and self.finished is None):
            return None
        end = self.finished or self.as_of
        return (end - self.due).days if end > self.due else None

    @property
    def slowest_stage(self) -> StageFacts | None:
        """The stage with the longest median stay, the intake (first) stage left out."""
        ranked = [s for s in self.stages if s.median_days is not None and s.stage != self.first_stage]
        return max(ranked, key=lambda s: (s.median_days, -len(s.stage)), default=None)

    def handoff_summary(self) -> list[tuple[str, str, str, int, float | None]]:
        """(giver, taker, stage, count, median wait) per kind of hand-off, slowest first."""
        groups: dict[tuple, list[float]] = defaultdict(list)
        for h in self.handoffs:
            groups[(h.giver or "?", h.taker or "?", h.stage)].append(h.days)
        rows = [(*key, len(waits), metrics.percentile(waits, 50)) for key, waits in groups.items()]
        return sorted(rows, key=lambda r: (-(r[4] or 0), r[:3]))


def find_project(portfolio, project_id: str):
    """Return the project, or raise a usage error that suggests the nearest id."""
    project = portfolio.projects.get(project_id)
    if project is None:
        known = sorted(portfolio.projects)
        raise UsageError(f"no project `{project_id}`{nearest(project_id, known)}"
                         + ("" if known else " (there are no projects yet)"))
    return project


def retro_view(portfolio, project_id: str, history: History, now: dt.datetime) -> Retro:
    """Return the retrospective facts of one project as of `now`."""
    project = find_project(portfolio, project_id)
    config = portfolio.config
    tasks = sorted(project.tasks, key=lambda t: (t.due or dt.date.max, t.ref))
    facts = [_task_facts(portfolio, t, history.of(t.ref), now) for t in tasks]
    done_dates = [f.done for f in facts if f.done]
    all_done = bool(tasks) and all(portfolio.is_done(t) for t in tasks)
    starts = [moves[0].at.date() for t in tasks if (moves := history.of(t.ref))
              and not metrics.created_done(moves, config)]
    retro = Retro(project.id, project.title, now.date(), history.status,
                  "" if history.status == "complete" else history.message, project.due,
                  project.start or (min(starts) if starts else None),
                  max(done_dates) if all_done and len(done_dates) == len(tasks) else None,
                  len(tasks), sum(1 for t in tasks if portfolio.is_done(t)), facts,
                  notes=project.retro, stage_titles={s.id: s.title for s in config.stages},
                  first_stage=config.first_stage.id, all_done=all_done)
    retro.stages = _stage_facts(facts, config)
    retro.handoffs = [h for t in tasks for h in _handoffs(portfolio, t, history.of(t.ref), now)]
    return retro


def _task_facts(portfolio, task, moves, now: dt.datetime) -> TaskFacts:
    config = portfolio.config
    finished = metrics.finished_at(moves, config)
    done = finished.date() if finished else None
    late = None
    if task.due is not None:
        end = done or (None if portfolio.is_done(task) else now.date())
        if end is not None and end > task.due:
            late = (end - task.due).days
    stage_days = metrics.time_in_stages(moves, config, now) if moves else {}
    slowest = max(stage_days, key=lambda s: stage_days[s], default=None)
    return TaskFacts(task.ref, task.title, task.owner, task.stage, task.due, done, late,
                     metrics.cycle_days(moves, config), metrics.lead_days(moves, config),
                     stage_days, slowest, _holder_in(task, slowest, config) if slowest else None,
                     metrics.done_date_unknown(moves, config))


def _holder_in(task, stage_id: str, config) -> str | None:
    """Who holds the task in a stage: the hand-off role's person there, else the owner."""
    stage = config.stage(stage_id)
    if stage is not None and stage.handoff:
        return task.collaborator(stage.handoff) or task.owner
    return task.owner


def _stage_facts(facts: list[TaskFacts], config) -> list[StageFacts]:
    per_stage: dict[str, list[float]] = defaultdict(list)
    for fact in facts:
        for stage, days in fact.stage_days.items():
            per_stage[stage].append(days)
    return [StageFacts(s.id, s.title, len(per_stage[s.id]), round(sum(per_stage[s.id]), 2),
                       metrics.percentile(per_stage[s.id], 50))
            for s in config.stages if per_stage.get(s.id)]


def _handoffs(portfolio, task, moves, now: dt.datetime) -> list[HandOff]:
    """Moves into a stage where someone else holds the task than in the stage before."""
    config = portfolio.config
    found = []
    stays = metrics.spans(moves)
    for before, after in zip(stays, stays[1:]):
        if config.stage(after.stage) is None or config.stage(after.stage).is_done:
            continue
        giver, taker = _holder_in(task, before.stage, config), _holder_in(task, after.stage, config)
        if giver != taker:
            found.append(HandOff(task.ref, giver, taker, after.stage, round(after.days(now), 2)))
    return found


# --- Markdown for `mdpm retro` --------------------------------------------------------------


def retro_markdown(retro: Retro, titles: dict[str, str]) -> str:
    """The retrospective facts as Markdown, to start the project's `_retro.md` from."""
    lines = [f"# Retrospective: {retro.title}", "",
             f"Facts from the stage history as of {retro.as_of.isoformat()}, written by "
             f"`mdpm retro {retro.project}`. Edit freely: add what the numbers cannot say.", ""]
    if retro.history_message:
        lines += [f"> History: {retro.history_message}", ""]
    lines += ["## Planned vs actual", ""] + _plan_lines(retro) + [""]
    lines += ["| Task | Owner | Due | Done | Late (days) | Cycle (days) | Slowest stage |",
              "|---|---|---|---|---|---|---|"]
    for t in retro.tasks:
        slowest = (f"{titles.get(t.slowest_stage, t.slowest_stage)} "
                   f"({_num(t.stage_days[t.slowest_stage])} d)") if t.slowest_stage else "—"
        lines.append(f"| {_cell(t.title)} (`{t.ref}`) | {t.owner or '—'} | {_date(t.due)} | "
                     f"{_done(t)} | {t.late_days or '—'} | {_num(t.cycle_days)} | "
                     f"{_cell(slowest)} |")
    lines += ["", "## What made it late", ""]
    late = retro.late
    lines += [f"- `{t.ref}` ({_cell(t.title)}): {t.late_days} days late; " + _why_late(t, retro)
              for t in late]
    if not late:
        known = " with a known done date" if retro.unknown_done else ""
        lines.append(f"- No task{known} finished after its due date.")
    if retro.unknown_done:
        lines.append(f"- Not judged: {_unknown_text(retro)}.")
    lines += ["", "## Time per stage", "", "| Stage | Tasks | Total days | Median days |",
              "|---|---|---|---|"]
    lines += [f"| {s.title} | {s.tasks} | {_num(s.total_days)} | {_num(s.median_days)} |"
              for s in retro.stages]
    lines += ["", "## Hand-offs", ""]
    summary = retro.handoff_summary()
    if summary:
        lines += ["| From | To | Into | Times | Median wait (days) |", "|---|---|---|---|---|"]
        lines += [f"| {g} | {t} | {titles.get(s, s)} | {n} | {_num(w)} |"
                  for g, t, s, n, w in summary]
    else:
        lines.append("- No hand-offs between people were recorded.")
    lines += ["", "## Questions for the team", ""] + _questions(retro, titles) + [""]
    return "\n".join(lines)


def _why_late(task: TaskFacts, retro: Retro) -> str:
    """Which stage took the time, and who held the task there."""
    if task.slowest_stage is None:
        return "no stage history"
    days = _num(task.stage_days[task.slowest_stage])
    title = retro.title_of(task.slowest_stage)
    if task.slowest_stage == retro.first_stage:
        return f"started late: {days} days in {title} before work began"
    return f"most time in {title} ({days} days, held by {task.slowest_holder or 'nobody'})"


def _plan_lines(retro: Retro) -> list[str]:
    lines = [f"- Tasks: {retro.done} of {retro.total} done."]
    if retro.start:
        lines.append(f"- Started: {retro.start.isoformat()}.")
    if retro.due:
        lines.append(f"- Due: {retro.due.isoformat()}.")
    if retro.finished:
        lines.append(f"- Finished: {retro.finished.isoformat()}"
                     + (f", {retro.late_days} days after the due date." if retro.late_days
                        else ", on time." if retro.due else "."))
    elif retro.all_done:
        lines.append(f"- Finished: unknown ({_unknown_text(retro)}); not judged late or on time.")
    elif retro.late_days:
        lines.append(f"- Not finished; {retro.late_days} days past the due date.")
    else:
        lines.append("- Not finished yet.")
    return lines


def _questions(retro: Retro, titles: dict[str, str]) -> list[str]:
    questions = []
    slowest = retro.slowest_stage
    if slowest is not None:
        questions.append(f"- Work waited longest in {slowest.title} (median "
                         f"{_num(slowest.median_days)} days): why, and what would shorten it?")
    summary = retro.handoff_summary()
    if summary and summary[0][4]:
        g, t, s, _, w = summary[0]
        questions.append(f"- The slowest hand-off was {g} to {t} into {titles.get(s, s)} "
                         f"(median {_num(w)} days): what did it wait for?")
    if retro.late:
        questions.append(f"- {len(retro.late)} task(s) finished late: were the due dates "
                         "realistic, or did something block them?")
    questions.append("- What should we keep doing, and what should we try next time?")
    return questions


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _num(value: float | None) -> str:
    return metrics.whole_days(value)


def _done(task: TaskFacts) -> str:
    return UNKNOWN_DONE if task.done_unknown else _date(task.done)


def _unknown_text(retro: Retro) -> str:
    count = len(retro.unknown_done)
    return (f"{metrics.plural(count, 'task')} created already done: the history does not show "
            f"when {'it was' if count == 1 else 'they were'} finished")


def retro_views(portfolio, history: History, now: dt.datetime) -> Mapping[str, Retro]:
    """The retrospective of every project, by project id, each made when first read."""
    return Lazy({pid: partial(retro_view, portfolio, pid, history, now)
                 for pid in sorted(portfolio.projects)})


def history_extras(portfolio, history: History, now: dt.datetime) -> Mapping:
    """The data of the metrics and retrospective pages, for `Site.extras`.

    Made when a page first reads it, so a rebuild of other pages (`mdpm serve`) skips it.
    """
    from .charts import metrics_view

    return Lazy({"metrics": partial(metrics_view, portfolio, history, now),
                 "retros": partial(retro_views, portfolio, history, now)})


class Lazy(Mapping):
    """A mapping whose values are made by their functions on first read, then kept."""

    def __init__(self, makers: dict):
        self._makers = makers
        self._made: dict = {}

    def __getitem__(self, key):
        if key not in self._made:
            self._made[key] = self._makers[key]()
        return self._made[key]

    def __iter__(self):
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)
