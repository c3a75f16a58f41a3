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
from .review import Review, is_blocked, review, waiting_on
from .retro import history_extras

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Link:
    """A reference to a task from another: its title, where it is, whether it exists."""

    ref: str
    title: str
    url: str | None
    stage: str
    done: bool


@dataclass
class Step:
    """One stage a task entered, from the history (not frozen: a frozen dataclass is slow to
    make, and there is one per transition)."""

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
    # marshal's version 0 (no references, no interning flags) writes equal values as equal
    # bytes, whichever objects hold them; it is several times quicker than repr.
    return hashlib.blake2b(marshal.dumps(values, 0), digest_size=16).hexdigest()


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
    stages = _stages(portfolio, history)
    tasks = _tasks(portfolio, history, today, now, problem_views)
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
    by_path = {t.path: t.ref for t in portfolio.tasks.values()}
    return [ProblemView(p, task_url(by_path[p.path]) if p.path in by_path else None)
            for p in problems]


def _stages(portfolio: Portfolio, history: History) -> list[StageView]:
    tasks_in: dict[str, list[Task]] = defaultdict(list)
    for task in portfolio.tasks.values():
        tasks_in[task.stage].append(task)
    views = []
    for stage in portfolio.config.stages:
        order = _done_order(portfolio, history) if stage.is_done else _card_order
        in_stage = sorted(tasks_in.get(stage.id, ()), key=order)
        counted = [t.ref for t in in_stage if not t.expedite]  # as `review.counted_in`
        views.append(StageView(stage.id, stage.title, stage.type, stage.wip, len(counted),
                               counted, [t.ref for t in in_stage if t.expedite]))
    return views


_PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}


def _card_order(task: Task) -> tuple:
    """Cards of a queue or active column: by priority, then the nearest due date, then title."""
    return (_PRIORITY_RANK.get(task.priority, 1), task.due or dt.date.max, task.title.casefold(),
            task.ref)


def _done_order(portfolio: Portfolio, history: History) -> Callable[[Task], tuple]:
    """Cards of a done column: the most recently done first (from the history); tasks whose
    done date is unknown after those, by due date, the latest first; then by title."""
    def key(task: Task) -> tuple:
        done = metrics.finished_at(history.of(task.ref), portfolio.config)
        if done is not None:
            return (0, -done.timestamp(), 0, task.title.casefold(), task.ref)
        due = -task.due.toordinal() if task.due else 0
        return (1, 0, due, task.title.casefold(), task.ref)
    return key


def _tasks(portfolio: Portfolio, history: History, today: dt.date, now: dt.datetime,
           problems: list[ProblemView]) -> dict[str, TaskView]:
    shared = _Shared(portfolio, now)
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
    for ref in refs:
        task = portfolio.tasks[ref]
        url = task_url(ref)
        views[ref] = _task(shared, task, history.of(ref), today, url,
                           dependents.get(ref, ()), problems_of.get(url, []))
    return views


class _Shared:
    """What many task views look up alike, worked out once per build: stages, project titles,
    links to tasks, commit times."""

    def __init__(self, portfolio: Portfolio, now: dt.datetime):
        config = portfolio.config
        self.portfolio = portfolio
        self.config = config
        self.now = now
        self.stages = {s.id: config.stage(s.id) for s in config.stages}
        self.stage_titles = {i: s.title for i, s in self.stages.items()}
        self.project_titles = {p.id: p.title for p in portfolio.projects.values()}
        self.links = _Links(portfolio)
        self._times: dict[dt.datetime, tuple[str, str]] = {}

    def steps(self, transitions: list) -> list[Step]:
        """The steps of a task's history."""
        titles, times = self.stage_titles, self._times
        steps = []
        for transition in transitions:
            at, day = times.get(transition.at) or self._time(transition.at)
            steps.append(Step(transition.stage, titles.get(transition.stage, transition.stage),
                              at, day, transition.commit, transition.author))
        return steps

    def _time(self, at: dt.datetime) -> tuple[str, str]:
        """(`2026-01-02T03:04:05Z`, `2026-01-02`): worked out once per commit time."""
        utc = at.astimezone(dt.timezone.utc)  # isoformat and strftime are slower
        day = "%04d-%02d-%02d" % (utc.year, utc.month, utc.day)
        times = self._times[at] = (
            f"{day}T{_TWO_DIGITS[utc.hour]}:{_TWO_DIGITS[utc.minute]}:{_TWO_DIGITS[utc.second]}Z",
            day)
        return times


_TWO_DIGITS = [f"{i:02}" for i in range(60)]


def _task(shared: _Shared, task: Task, transitions: list, today: dt.date, url: str,
          dependents: list[str], problems: list[ProblemView]) -> TaskView:
    stage = shared.stages.get(task.stage)
    done = stage is not None and stage.is_done
    due = task.due
    waiting = waiting_on(shared.portfolio, task) if task.depends_on else ()
    unknown, days, cycle = metrics.task_flow(transitions, shared.config, shared.now)
    return TaskView(
        ref=task.ref, project=task.project,
        project_title=shared.project_titles.get(task.project, task.project),
        id=task.id, title=task.title, url=url, path=task.path,
        stage=task.stage, stage_title=shared.stage_titles.get(task.stage, task.stage),
        stage_known=stage is not None, done=done, active=stage is not None and stage.is_active,
        owner=task.owner, owners=task.owners, holder=task.holder,
        collaborators=tuple([(c.handle, c.role) for c in task.collaborators])
        if task.collaborators else (),
        people=task.people, priority=task.priority, estimate=task.estimate,
        blocked=task.blocked, expedite=task.expedite, tags=task.tags,
        created=task.created.isoformat() if task.created else None,
        due=due.isoformat() if due else None,
        overdue_days=(today - due).days if due and due < today and not done else None,
        due_in_days=(due - today).days if due and due >= today and not done else None,
        checklist=task.checklist,
        body_key=content_key(task.body),
        depends_on=[shared.links[r] for r in task.depends_on],
        needed_by=[shared.links[r] for r in dependents],
        waiting_on=waiting,
        is_blocked=is_blocked(shared.portfolio, task, waiting),
        history=shared.steps(transitions),
        done_date_unknown=done and unknown, days_in_stage=None if done else days,
        cycle_days=cycle,
        problems=problems,
    )


class _Links(dict):
    """ref -> the link to that task, made when first asked (links are immutable: shared)."""

    def __init__(self, portfolio: Portfolio):
        super().__init__()
        self.portfolio = portfolio

    def __missing__(self, ref: str) -> Link:
        link = self[ref] = _link(self.portfolio, ref)
        return link


def _link(portfolio: Portfolio, ref: str) -> Link:
    task = portfolio.tasks.get(ref)
    if task is None:
        return Link(ref, ref, None, "missing", False)
    stage = portfolio.stage_of(task)
    return Link(ref, task.title, task_url(ref), stage.title if stage else task.stage,
                portfolio.is_done(task))

def dependency_order(tasks: list[Task]) -> list[str]:
    """Return refs so each task comes after those it depends on; ties by due date, then ref.

    With a dependency cycle (reported by `check`) the order falls back to due date and ref.
    """
    ordered = sorted(tasks, key=lambda t: (t.due or dt.date.max, t.ref))
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


def _drawing_key(portfolio: Portfolio, project: Project, refs: list[str],
                 critical: tuple[str, ...], today: dt.date, stages: str) -> str:
    """`stages`: the repr of the config's stages (the same for every project)."""
    tasks = [portfolio.tasks[r] for r in refs]
    inside = set(refs)
    outside = sorted({d for t in tasks for d in t.depends_on if d not in inside})
    drawn = (stages, project.id, project.title, today.toordinal(), critical,
             [_drawn_fields(t) for t in tasks],
             [(r, portfolio.tasks[r].title, portfolio.tasks[r].stage)
              for r in outside if r in portfolio.tasks])
    return values_key(drawn)


def _drawn_fields(task: Task) -> tuple:
    """The fields of a task a graph or timeline may show (everything but the body), as
    values marshal writes."""
    return (task.ref, task.title, task.stage, task.owner, task.owners, task.holder,
            [(c.handle, c.role) for c in task.collaborators], task.depends_on,
            task.due.toordinal() if task.due else None, task.priority, task.estimate,
            task.blocked, task.expedite, task.tags,
            task.created.toordinal() if task.created else None, task.checklist)


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
    views = [tasks[r] for r in refs]
    critical = _critical_path(portfolio, project) if len(refs) > 1 else ()
    in_stage = Counter(t.stage for t in views)
    counts = [(s, in_stage[s.id]) for s in stages]
    done = tuple(t.ref for t in views if t.done)
    return ProjectView(
        id=project.id, title=project.title, url=f"projects/{project.id}/index.html",
        board_url=f"board/project/{project.id}/index.html",
        owner=project.owner, due=project.due.isoformat() if project.due else None,
        start=project.start.isoformat() if project.start else None,
        summary=project.summary, body_key=content_key(project.body),
        retro_key=content_key(project.retro), tags=project.tags, refs=refs,
        stage_counts=counts, done=len(done), total=len(views),
        blocked=sum(1 for t in views if t.is_blocked),
        overdue=sum(1 for t in views if t.overdue_days is not None),
        problems=problems,
        critical_path=critical,
        drawings=functools.partial(_drawings, portfolio, project, refs, critical, today, done),
        drawing_key=_drawing_key(portfolio, project, refs, critical, today, stages_key),
        timeline=[t.ref for t in sorted((t for t in views if t.due), key=_by_due)],
    )


def _by_due(task: TaskView) -> tuple[str, str]:
    return task.due, task.ref


def _people(portfolio: Portfolio, tasks: dict[str, TaskView]) -> list[PersonView]:
    config = portfolio.config
    holds: dict[str, list[str]] = defaultdict(list)
    owns: dict[str, list[str]] = defaultdict(list)
    collaborates: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    done: dict[str, int] = defaultdict(int)
    for ref, task in tasks.items():
        if task.done:
            for handle in task.people:
                done[handle] += 1
            continue
        if task.holder and task.active:
            holds[task.holder].append(ref)
        for handle in task.owners:
            owns[handle].append(ref)
        for handle, role in task.collaborators:
            collaborates[handle].append((ref, role))
    views = []
    for handle in portfolio.handles():
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
            for handle in task.people:
                people[handle].append(ref)
            if task.holder is not None and task.holder not in task.people:
                people[task.holder].append(ref)
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
