"""View models of the status site: everything the templates show, computed once, no I/O.

Templates only lay these out; they never compute metrics. Every URL here is relative to
the site root (e.g. `projects/acme/draft/index.html`); pages prefix it with their `root`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import marshal
import math
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import graph, metrics, schedule
from .errors import Problem, sort_problems
from .history import History
from .markdown import content_key
from .model import Portfolio, Project, Task
from .review import Review, is_blocked, review
from .retro import history_extras

DUE_SOON_DAYS = 7


@dataclass(slots=True)
class Link:
    """A reference to a task from another: its title, where it is, whether it exists (not
    frozen: a frozen dataclass is slow to make; one link to a task is shared by every view
    that shows it, and nothing changes it)."""

    ref: str
    title: str
    url: str | None
    stage: str
    done: bool


@dataclass(slots=True)
class Step:
    """One stage a task entered, from the history (not frozen: a frozen dataclass is slow to
    make; equal steps of different tasks are one object, and nothing changes it)."""

    stage: str
    stage_title: str
    at: str
    day: str
    commit: str
    author: str


@dataclass
class ProblemView:
    problem: Problem
    url: str | None
    """The page of the task the problem is about, when there is one."""

    @property
    def code(self) -> str:
        return self.problem.code


@dataclass(slots=True)  # quicker to make and to read: there is one per task
class TaskView:
    ref: str
    project: str
    project_title: str
    id: str
    title: str
    url: str
    path: str
    stage: str
    stage_title: str
    stage_known: bool
    done: bool
    active: bool
    owner: str | None
    owners: tuple[str, ...]
    holder: str | None
    collaborators: tuple[tuple[str, str | None], ...]
    people: tuple[str, ...]
    priority: str
    estimate: float | None
    blocked: str | None
    expedite: str | None
    tags: tuple[str, ...]
    created: str | None
    due: str | None
    overdue_days: int | None
    due_in_days: int | None
    checklist: tuple[int, int]
    body_key: str
    depends_on: list[Link] = field(default_factory=list)
    needed_by: list[Link] = field(default_factory=list)
    waiting_on: tuple[str, ...] = ()
    """Dependencies not done yet (a task in the first stage waiting on them is not blocked)."""
    is_blocked: bool = False
    history: list[Step] = field(default_factory=list)
    done_date_unknown: bool = False
    """Done, but already done in its first commit: when it got there is unknown."""
    days_in_stage: int | None = None
    cycle_days: float | None = None
    problems: list[ProblemView] = field(default_factory=list)

    @property
    def due_soon(self) -> bool:
        return self.due_in_days is not None and 0 <= self.due_in_days <= DUE_SOON_DAYS

    @property
    def checklist_pct(self) -> int | None:
        ticked, total = self.checklist
        return round(100 * ticked / total) if total else None

    @property
    def has_errors(self) -> bool:
        return any(p.problem.is_error for p in self.problems)


_NESTED = ("depends_on", "needed_by", "history", "problems")
_FLAT_FIELDS = operator.attrgetter(*[f.name for f in dataclasses.fields(TaskView)
                                     if f.name not in _NESTED])


def view_values(view: TaskView) -> tuple:
    """Every field of a task view as plain values (marshal writes them; equal views give
    equal values): what its pages show of it."""
    return (_FLAT_FIELDS(view),
            [(k.ref, k.title, k.url, k.stage, k.done) for k in view.depends_on],
            [(k.ref, k.title, k.url, k.stage, k.done) for k in view.needed_by],
            [(s.stage, s.stage_title, s.at, s.day, s.commit, s.author) for s in view.history],
            [(*dataclasses.astuple(p.problem), p.url) for p in view.problems])


def values_key(values) -> str:
    """A hash of plain values (None, bools, numbers, strings, tuples, lists, dicts)."""
    # marshal's version 2 (no references, no interning flags: those came with version 3)
    # writes equal values as equal bytes, whichever objects hold them; it is several times
    # quicker than repr, and than version 0, which writes each float as its repr.
    return hashlib.blake2b(marshal.dumps(values, 2), digest_size=16).hexdigest()


@dataclass
class StageView:
    id: str
    title: str
    type: str
    limit: int | None
    count: int
    """Tasks that count against the limit (expedited tasks are in the expedite lane)."""
    refs: list[str]
    expedited: list[str]

    @property
    def over(self) -> bool:
        return self.limit is not None and self.count > self.limit

    @property
    def at_limit(self) -> bool:
        return self.limit is not None and self.count == self.limit


@dataclass
class Column:
    """One stage on one board: the global state of the stage, the cards this board shows."""

    stage: StageView
    refs: list[str]


@dataclass
class Board:
    path: str
    title: str
    kind: str
    """"all", "project" or "person"."""
    key: str
    columns: list[Column]
    expedited: list[str]
    unplaced: list[str] = field(default_factory=list)
    """Tasks in a stage that is not in the workflow (no column to show them in)."""

    @property
    def total(self) -> int:
        return sum(len(c.refs) for c in self.columns) + len(self.expedited)


@dataclass
class PersonView:
    handle: str
    slug: str
    name: str
    url: str
    known: bool
    limit: int | None
    holds: list[str]
    owns: list[str]
    collaborates: list[tuple[str, str | None]]
    done: int

    @property
    def over(self) -> bool:
        return self.limit is not None and len(self.holds) > self.limit

    @property
    def at_limit(self) -> bool:
        return self.limit is not None and len(self.holds) == self.limit

    @property
    def load_pct(self) -> int | None:
        if not self.limit:
            return None
        return min(100, round(100 * len(self.holds) / self.limit))


@dataclass
class ProjectView:
    id: str
    title: str
    url: str
    board_url: str
    owner: str | None
    due: str | None
    start: str | None
    summary: str
    body_key: str
    retro_key: str
    tags: tuple[str, ...]
    refs: list[str]
    """The project's tasks in dependency order."""
    stage_counts: list[tuple[StageView, int]]
    done: int
    total: int
    blocked: int
    overdue: int
    problems: list[ProblemView]
    critical_path: tuple[str, ...] = ()
    drawings: Callable[[], tuple[str | None, str | None]] | None = field(default=None,
                                                                         repr=False)
    """Makes (graph SVG, timeline SVG) when a page first needs them (they are slow to lay out)."""
    drawing_key: str = ""
    """A hash of everything the drawings show, for caching them between builds."""
    timeline: list[str] = field(default_factory=list)
    """Refs of the tasks with a due date, by due date."""

    @property
    def pct(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @functools.cached_property
    def _drawn(self) -> tuple[str | None, str | None]:
        return self.drawings() if self.drawings else (None, None)

    @property
    def graph_svg(self) -> str | None:
        return self._drawn[0]

    @property
    def timeline_svg(self) -> str | None:
        return self._drawn[1]


@dataclass
class Site:
    """The whole site's data: what every page template receives."""

    title: str
    as_of: str
    generated: str
    repo_url: str
    base_url: str
    stages: list[StageView]
    projects: list[ProjectView]
    tasks: dict[str, TaskView]
    people: list[PersonView]
    problems: list[ProblemView]
    make_review: Callable[[], Review] = field(repr=False)
    """Makes `review` when a page first shows it (a rebuild of other pages skips it)."""
    boards: list[Board]
    history_available: bool
    history_message: str
    markdown: dict[str, str]
    """Body HTML by content key; filled in by the build (see `markdown_texts`)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Data added by other page families (metrics, retrospectives)."""
    root: Path | None = None
    """The repository, where the site's own theme is looked for."""
    theme: str = "default"
    history: History | None = None

    @functools.cached_property
    def review(self) -> Review:
        return self.make_review()

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.problem.is_error)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def project(self, project_id: str) -> ProjectView | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def person(self, handle: str) -> PersonView | None:
        return next((p for p in self.people if p.handle == handle), None)

    def html(self, key: str) -> str:
        return self.markdown.get(key, "")


def task_url(ref: str) -> str:
    return f"projects/{ref}/index.html"


def person_slug(handle: str) -> str:
    """Return a path segment for a handle (handles may hold dots; never `.` or `..`)."""
    return handle if handle.strip(".") and not handle.startswith(".") else "_" + handle


def markdown_texts(portfolio: Portfolio) -> list[str]:
    """Return every Markdown text the site shows (task bodies, project notes, retros)."""
    texts = [t.body for t in portfolio.tasks.values()]
    for project in portfolio.projects.values():
        texts += [project.body, project.retro]
    return texts


def build_site(workspace, problems: list[Problem], history: History, now: dt.datetime, *,
               markdown: dict[str, str] | None = None) -> Site:
    """Return the view models of every page of a workspace, as of `now`."""
    portfolio: Portfolio = workspace.portfolio
    config = portfolio.config
    today = now.date()
    problems = sort_problems(problems)
    problem_views = _problem_views(portfolio, problems)
    finished: dict[str, dt.datetime] = {}
    tasks = _tasks(portfolio, history, now, problem_views, finished)
    stages = _stages(portfolio, finished)
    projects = _projects(portfolio, tasks, stages, problem_views, today)
    people = _people(portfolio, tasks)
    return Site(
        title=config.site.title,
        as_of=today.isoformat(),
        generated=f"{today.isoformat()}T00:00:00Z",
        repo_url=config.site.repo_url.rstrip("/"),
        base_url=config.site.base_url.rstrip("/"),
        stages=stages,
        projects=projects,
        tasks=tasks,
        people=people,
        problems=problem_views,
        make_review=functools.partial(review, portfolio, problems, history, now),
        boards=_boards(stages, projects, people, tasks),
        history_available=history.available,
        history_message=history.message,
        markdown=markdown or {},
        root=workspace.root,
        theme=config.site.theme or "default",
        history=history,
        extras=history_extras(portfolio, history, now),
    )


def _problem_views(portfolio: Portfolio, problems: list[Problem]) -> list[ProblemView]:
    if not problems:
        return []
    by_path = {t.path: t.ref for t in portfolio.tasks.values()}
    return [ProblemView(p, task_url(by_path[p.path]) if p.path in by_path else None)
            for p in problems]


def _stages(portfolio: Portfolio, finished: dict[str, dt.datetime]) -> list[StageView]:
    """`finished`: when each task now done entered its done stage, as `_tasks` found it."""
    tasks_in: dict[str, list[Task]] = defaultdict(list)
    for ref in sorted(portfolio.tasks):  # ref order: the last tie-break of the columns
        task = portfolio.tasks[ref]
        tasks_in[task.stage].append(task)
    views = []
    for stage in portfolio.config.stages:
        tasks = tasks_in.get(stage.id, [])
        in_stage = _done_order(tasks, finished) if stage.is_done else _card_order(tasks)
        counted = [t.ref for t in in_stage if not t.expedite]  # as `review.counted_in`
        views.append(StageView(stage.id, stage.title, stage.type, stage.wip, len(counted),
                               counted, [t.ref for t in in_stage if t.expedite]))
    return views


_PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}
_NO_DUE = dt.date.max.toordinal()


def _card_order(tasks: list[Task]) -> list[Task]:
    """Cards of a queue or active column: by priority, then the nearest due date, then title,
    then ref (`tasks` come in ref order)."""
    rank = _PRIORITY_RANK.get
    return _sorted_by(tasks, [rank(t.priority, 1) * 4_000_000
                              + (t.due.toordinal() if t.due else _NO_DUE) for t in tasks],
                      [t.title.casefold() for t in tasks])


def _done_order(tasks: list[Task], finished: dict[str, dt.datetime]) -> list[Task]:
    """Cards of a done column: the most recently done first (from the history); tasks whose
    done date is unknown after those, by due date, the latest first; then by title, then ref
    (`tasks` come in ref order)."""
    when, due = [], []
    for task in tasks:
        done = finished.get(task.ref)
        if done is not None:
            when.append(-done.timestamp())
            due.append(0)
        else:
            when.append(math.inf)
            due.append(-task.due.toordinal() if task.due else 0)
    return _sorted_by(tasks, when, due, [t.title.casefold() for t in tasks])


def _sorted_by(items: list, *columns: list) -> list:
    """`items` sorted by the columns (values by item, the first column first), ties left in
    the given order: a stable sort per column, from the last, each comparing values of one
    type (quicker than comparing a tuple per item)."""
    order = list(range(len(items)))
    for column in reversed(columns):
        order.sort(key=column.__getitem__)
    return [items[i] for i in order]


def _tasks(portfolio: Portfolio, history: History, now: dt.datetime,
           problems: list[ProblemView], finished: dict[str, dt.datetime]) -> dict[str, TaskView]:
    """The view of every task, by ref; fills `finished` (see `_stages`)."""
    shared = _Shared(portfolio, now, finished)
    refs = sorted(portfolio.tasks)
    dependents: dict[str, list[str]] = defaultdict(list)
    for ref in refs:  # in ref order, so each "needed by" list comes out sorted
        for dep in portfolio.tasks[ref].depends_on:
            dependents[dep].append(ref)
    problems_of: dict[str, list[ProblemView]] = defaultdict(list)
    for view in problems:
        if view.url:
            problems_of[view.url].append(view)
    views = {}
    transitions_of = history.transitions.get  # `history.of`, without two calls in between
    for ref in refs:
        url = task_url(ref)
        views[ref] = _task(shared, portfolio.tasks[ref], transitions_of(ref, ()), url,
                           dependents.get(ref, ()), problems_of.get(url, []))
    return views


class _Shared:
    """What many task views look up alike, worked out once per build: stages, project titles,
    dates, links to tasks, history steps."""

    def __init__(self, portfolio: Portfolio, now: dt.datetime,
                 finished: dict[str, dt.datetime]):
        config = portfolio.config
        self.portfolio = portfolio
        self.config = config
        self.now = now
        self.today = now.date().toordinal()
        self.finished = finished
        self.kinds = metrics.stage_kinds(config)
        self.project_titles = {p.id: p.title for p in portfolio.projects.values()}
        self.stages: dict[str, tuple[str, bool, bool, bool]] = {}
        """Stage id -> (title, known, done, active); see `unknown` for the other ids."""
        for stage in config.stages:
            known = config.stage(stage.id)  # the first stage of an id, as everywhere
            self.stages[stage.id] = (known.title, True, known.is_done, known.is_active)
        self.links = _Links(portfolio, self)
        self.days: dict[dt.date, tuple[str, int]] = {}
        """Date -> (`2026-01-02`, its ordinal), filled by `day`: dates repeat across tasks."""
        self._steps: dict[tuple, Step] = {}
        self._alone: dict[tuple, tuple[Step, tuple]] = {}
        self._times: dict[dt.datetime, tuple[str, str]] = {}

    def stage(self, stage_id: str) -> tuple[str, bool, bool, bool]:
        """(title, known, done, active) of a stage."""
        return self.stages.get(stage_id) or self.unknown(stage_id)

    @staticmethod
    def unknown(stage_id: str) -> tuple[str, bool, bool, bool]:
        """A stage the workflow does not have is shown by its id; it is neither done nor active."""
        return stage_id, False, False, False

    def day(self, day: dt.date) -> tuple[str, int]:
        """`days[day]`, worked out the first time (callers look in `days` first)."""
        found = self.days[day] = (day.isoformat(), day.toordinal())
        return found

    def history(self, transitions: list) -> tuple[list[Step], tuple]:
        """The steps of a task's history and its `metrics.task_flow`. Those of a history of
        one transition (a task not moved since its file was added; a team often adds many in
        one commit) are worked out once."""
        if len(transitions) != 1:
            return (self.steps(transitions) if transitions else [],
                    metrics.task_flow(transitions, self.config, self.now, self.kinds))
        transition = transitions[0]
        key = (transition.stage, transition.at, transition.commit, transition.author)
        known = self._alone.get(key)
        if known is None:
            known = self._alone[key] = (self.steps(transitions)[0], metrics.task_flow(
                transitions, self.config, self.now, self.kinds))
        return [known[0]], known[1]

    def steps(self, transitions: list) -> list[Step]:
        """The steps of a task's history (equal steps are one object: they are not changed)."""
        known, found = self._steps, []
        for transition in transitions:
            key = (transition.stage, transition.at, transition.commit, transition.author)
            step = known.get(key)
            if step is None:
                at, day = self._times.get(transition.at) or self._time(transition.at)
                step = known[key] = Step(transition.stage, self.stage(transition.stage)[0],
                                         at, day, transition.commit, transition.author)
            found.append(step)
        return found

    def _time(self, at: dt.datetime) -> tuple[str, str]:
        """(`2026-01-02T03:04:05Z`, `2026-01-02`): worked out once per commit time."""
        utc = at.astimezone(dt.timezone.utc)  # isoformat and strftime are slower
        day = "%04d-%02d-%02d" % (utc.year, utc.month, utc.day)
        times = self._times[at] = (
            f"{day}T{_TWO_DIGITS[utc.hour]}:{_TWO_DIGITS[utc.minute]}:{_TWO_DIGITS[utc.second]}Z",
            day)
        return times


_TWO_DIGITS = [f"{i:02}" for i in range(60)]
_REF = operator.attrgetter("ref")


def _task(shared: _Shared, task: Task, transitions: list, url: str,
          dependents: list[str], problems: list[ProblemView]) -> TaskView:
    stage_title, known, done, active = shared.stages.get(task.stage) or shared.unknown(task.stage)
    links = shared.links.__getitem__
    depends_on = list(map(links, task.depends_on)) if task.depends_on else []
    # `review.waiting_on`, read from the links: the dependencies not done, missing ones too
    waiting = tuple([link.ref for link in depends_on if not link.done]) if depends_on else ()
    steps, (finished, unknown, days, cycle) = shared.history(transitions)
    if finished is not None:
        shared.finished[task.ref] = finished
    due = overdue = due_in = created = None
    if task.due is not None:
        due, day = shared.days.get(task.due) or shared.day(task.due)
        if not done:
            if day < shared.today:
                overdue = shared.today - day
            else:
                due_in = day - shared.today
    if task.created is not None:
        created = (shared.days.get(task.created) or shared.day(task.created))[0]
    owners = task.owners
    if task.collaborators:
        collaborators, people = _collaborators_and_people(owners, task.collaborators)
    else:
        collaborators, people = (), owners if len(owners) < 2 else tuple(dict.fromkeys(owners))
    # Positional, in the order of the fields: keywords cost a dict per view.
    return TaskView(
        task.ref, task.project, shared.project_titles.get(task.project, task.project),
        task.id, task.title, url, task.path,
        task.stage, stage_title, known, done, active,
        task.owner, owners, task.holder, collaborators, people,
        task.priority, task.estimate, task.blocked, task.expedite, task.tags,
        created, due, overdue, due_in,  # created, due, overdue_days, due_in_days
        task.checklist, content_key(task.body),  # checklist, body_key
        depends_on, list(map(links, dependents)) if dependents else [],  # needed_by
        waiting,  # waiting_on
        # only a task not done, marked blocked or waiting on another, can be blocked
        not done and bool(task.blocked or waiting) and is_blocked(shared.portfolio, task,
                                                                   waiting),  # is_blocked
        steps,  # history
        done and unknown,  # done_date_unknown
        None if done else days, cycle,  # days_in_stage, cycle_days
        problems,
    )


def _collaborators_and_people(owners: tuple[str, ...], collaborators: tuple) -> tuple[
        tuple[tuple[str, str | None], ...], tuple[str, ...]]:
    """((handle, role) of each collaborator, `Task.people`: the owners then the
    collaborators, without repeats), in one pass."""
    pairs = []
    people = list(owners)
    for collaborator in collaborators:
        handle = collaborator.handle
        pairs.append((handle, collaborator.role))
        if handle not in people:
            people.append(handle)
    if len(owners) > 1:
        people = dict.fromkeys(people)  # owners may repeat (a problem `check` reports)
    return tuple(pairs), tuple(people)


class _Links(dict):
    """ref -> the link to that task, made when first asked (shared: nothing changes links)."""

    def __init__(self, portfolio: Portfolio, shared: _Shared):
        super().__init__()
        self.portfolio = portfolio
        self.shared = shared

    def __missing__(self, ref: str) -> Link:
        task = self.portfolio.tasks.get(ref)
        if task is None:
            link = Link(ref, ref, None, "missing", False)
        else:
            title, _, done, _ = self.shared.stage(task.stage)
            link = Link(ref, task.title, task_url(ref), title, done)
        self[ref] = link
        return link


def dependency_order(tasks: list[Task]) -> list[str]:
    """Return refs so each task comes after those it depends on; ties by due date, then ref.

    With a dependency cycle (reported by `check`) the order falls back to due date and ref.
    """
    by_ref = sorted(tasks, key=_REF)
    ordered = _sorted_by(by_ref, [t.due.toordinal() if t.due else _NO_DUE for t in by_ref])
    try:
        return schedule.topological_order({t.ref: t.depends_on for t in ordered})
    except schedule.CycleError:
        return [t.ref for t in ordered]


def _critical_path(portfolio: Portfolio, project: Project) -> tuple[str, ...]:
    try:
        return tuple(schedule.critical_path(schedule.project_tasks(portfolio, project.id)))
    except schedule.CycleError:
        return ()


def _drawings(portfolio: Portfolio, project: Project, refs: list[str], critical: tuple[str, ...],
              today: dt.date, done: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Return the project's dependency graph and due-date timeline as inline SVG."""
    if not refs:
        return None, None
    svg = graph.graph_svg(portfolio, project.id, link=_sibling_link, critical=critical)
    tasks = [portfolio.tasks[r] for r in refs]
    timeline = None
    if any(t.due for t in tasks):
        timeline = graph.timeline_svg(tasks, today, link=_sibling_link, done=done,
                                      title=f"Due dates of {project.title}")
    return svg, timeline


def _drawing_key(portfolio: Portfolio, project: Project, views: list[TaskView],
                 critical: tuple[str, ...], today: dt.date, stages: str) -> str:
    """A hash of everything the drawings may show: the project, the fields of its tasks
    (everything but the body; from their views, as values marshal writes), the tasks they
    depend on in other projects. `stages`: the repr of the config's stages (the same for
    every project)."""
    tasks = portfolio.tasks
    depends_on = [tasks[v.ref].depends_on for v in views]
    inside = {v.ref for v in views}
    outside = sorted({d for deps in depends_on for d in deps if d not in inside})
    drawn = (stages, project.id, project.title, today.toordinal(), critical,
             [(v.ref, v.title, v.stage, v.owner, v.owners, v.holder, v.collaborators, v.due,
               v.priority, v.estimate, v.blocked, v.expedite, v.tags, v.created, v.checklist)
              for v in views],
             depends_on,
             [(r, tasks[r].title, tasks[r].stage) for r in outside if r in tasks])
    return values_key(drawn)


def _sibling_link(ref: str) -> str:
    """Link from a project page (projects/<p>/index.html) to any task's page."""
    return f"../{ref}/index.html"


def _projects(portfolio: Portfolio, tasks: dict[str, TaskView], stages: list[StageView],
              problems: list[ProblemView], today: dt.date) -> list[ProjectView]:
    problems_of = _problems_by_project(portfolio, problems)
    stages_key = repr(portfolio.config.stages)
    return [_project(portfolio, p, tasks, stages, problems_of.get(p.id, []), today, stages_key)
            for p in portfolio.projects.values()]


def _problems_by_project(portfolio: Portfolio,
                         problems: list[ProblemView]) -> dict[str, list[ProblemView]]:
    """The problems of the files under each project's folder, in the given order."""
    projects_at: dict[str, list[str]] = defaultdict(list)
    for project in portfolio.projects.values():
        projects_at[project.path.rstrip("/") + "/"].append(project.id)
    found: dict[str, list[ProblemView]] = defaultdict(list)
    for view in problems:
        path = view.problem.path
        end = path.find("/")
        while end != -1:  # every folder the file is in
            for project_id in projects_at.get(path[:end + 1], ()):
                found[project_id].append(view)
            end = path.find("/", end + 1)
    return found


def _project(portfolio: Portfolio, project: Project, tasks: dict[str, TaskView],
             stages: list[StageView], problems: list[ProblemView], today: dt.date,
             stages_key: str) -> ProjectView:
    refs = dependency_order(project.tasks)
    views = list(map(tasks.__getitem__, refs))
    critical = _critical_path(portfolio, project) if len(refs) > 1 else ()
    in_stage = Counter([t.stage for t in views])
    done = tuple([t.ref for t in views if t.done])
    dated = sorted([t for t in views if t.due], key=_REF)  # then by due date, below
    return ProjectView(
        id=project.id, title=project.title, url=f"projects/{project.id}/index.html",
        board_url=f"board/project/{project.id}/index.html",
        owner=project.owner, due=project.due.isoformat() if project.due else None,
        start=project.start.isoformat() if project.start else None,
        summary=project.summary, body_key=content_key(project.body),
        retro_key=content_key(project.retro), tags=project.tags, refs=refs,
        stage_counts=[(s, in_stage[s.id]) for s in stages], done=len(done), total=len(views),
        blocked=sum([t.is_blocked for t in views]),
        overdue=len(views) - [t.overdue_days for t in views].count(None),
        problems=problems,
        critical_path=critical,
        drawings=functools.partial(_drawings, portfolio, project, refs, critical, today, done),
        drawing_key=_drawing_key(portfolio, project, views, critical, today, stages_key),
        timeline=[t.ref for t in _sorted_by(dated, [t.due for t in dated])],
    )


def _people(portfolio: Portfolio, tasks: dict[str, TaskView]) -> list[PersonView]:
    config = portfolio.config
    holds: dict[str, list[str]] = defaultdict(list)
    owns: dict[str, list[str]] = defaultdict(list)
    collaborates: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    on_done: list[str] = []
    # `portfolio.handles()`, from the views: the config's people, the people of every task,
    # the projects' owners
    handles = {person.handle.lower() for person in config.people.values()}
    handles.update([p.owner for p in portfolio.projects.values() if p.owner])
    for ref, task in tasks.items():
        handles.update(task.people)
        if task.done:
            on_done += task.people
            continue
        if task.holder and task.active:
            holds[task.holder].append(ref)
        for handle in task.owners:
            owns[handle].append(ref)
        for handle, role in task.collaborators:
            collaborates[handle].append((ref, role))
    done = Counter(on_done)
    views = []
    for handle in sorted(handles):
        person = config.person(handle)
        slug = person_slug(handle)
        views.append(PersonView(
            handle=handle, slug=slug, name=person.display_name if person else handle,
            url=f"people/{slug}/index.html", known=person is not None,
            limit=config.person_limit(handle), holds=holds.get(handle, []),
            owns=owns.get(handle, []), collaborates=collaborates.get(handle, []),
            done=done.get(handle, 0)))
    return views


def _boards(stages: list[StageView], projects: list[ProjectView], people: list[PersonView],
            tasks: dict[str, TaskView]) -> list[Board]:
    known = {stage.id for stage in stages}
    unplaced = [r for r, t in tasks.items() if t.stage not in known]
    of_project, of_person = _board_lists(stages, unplaced, tasks)
    boards = [Board("board/index.html", "All projects", "all", "",
                    [Column(stage, stage.refs) for stage in stages],
                    [r for stage in stages for r in stage.expedited], unplaced)]
    for project in projects:
        boards.append(_board(project.board_url, project.title, "project", project.id, stages,
                             of_project[project.id]))
    for person in people:
        boards.append(_board(f"board/person/{person.slug}/index.html", person.name, "person",
                             person.handle, stages, of_person[person.handle]))
    return boards


Lists = dict[str, dict[str, list[str]]]


def _board_lists(stages: list[StageView], unplaced: list[str],
                 tasks: dict[str, TaskView]) -> tuple[Lists, Lists]:
    """Return, per project and per person, each list of the all-projects board ("refs
    <stage>", "expedited <stage>", "unplaced") cut down to the tasks of that project or of
    that person (owner, collaborator or holder), in the same order."""
    of_project: Lists = defaultdict(lambda: defaultdict(list))
    of_person: Lists = defaultdict(lambda: defaultdict(list))
    lists = [(f"refs {s.id}", s.refs) for s in stages]
    lists += [(f"expedited {s.id}", s.expedited) for s in stages]
    for name, refs in [*lists, ("unplaced", unplaced)]:
        projects: dict[str, list[str]] = defaultdict(list)
        people: dict[str, list[str]] = defaultdict(list)
        for ref in refs:
            task = tasks[ref]
            projects[task.project].append(ref)
            on_task, holder = task.people, task.holder
            for handle in on_task:
                people[handle].append(ref)
            if holder is not None and holder not in on_task:
                people[holder].append(ref)
        for project, found in projects.items():
            of_project[project][name] += found
        for handle, found in people.items():
            of_person[handle][name] += found
    return of_project, of_person


def _board(path: str, title: str, kind: str, key: str, stages: list[StageView],
           shown: dict[str, list[str]]) -> Board:
    """A board of some tasks: `shown` holds its lists (see `_board_lists`)."""
    columns = [Column(stage, list(shown.get(f"refs {stage.id}", ()))) for stage in stages]
    expedited = [r for stage in stages for r in shown.get(f"expedited {stage.id}", ())]
    return Board(path, title, kind, key, columns, expedited, list(shown.get("unplaced", ())))
