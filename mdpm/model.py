"""The portfolio: projects, tasks and people, built from the raw documents and the config."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass, field

from .config import HANDLE_RE, ID_RE, Config, Stage, nearest
from .errors import ERROR, WARNING, Problem
from .load import RawDoc, count_checklist

PRIORITIES = ("high", "normal", "low")
TASK_KEYS = ("title", "owner", "collaborators", "stage", "depends-on", "due", "priority",
             "estimate", "blocked", "expedite", "tags", "created")
PROJECT_KEYS = ("title", "owner", "collaborators", "due", "start", "tags", "summary")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KNOWN = {TASK_KEYS: frozenset(TASK_KEYS), PROJECT_KEYS: frozenset(PROJECT_KEYS)}


@dataclass(frozen=True)
class Collaborator:
    handle: str
    role: str | None = None


@dataclass
class Task:
    """One task file, its fields typed and its references resolved."""

    ref: str
    project: str
    id: str
    path: str
    title: str
    stage: str
    owner: str | None = None
    owners: tuple[str, ...] = ()
    """Every handle given under `owner` (more than one is a problem)."""
    collaborators: tuple[Collaborator, ...] = ()
    depends_on: tuple[str, ...] = ()
    due: dt.date | None = None
    priority: str = "normal"
    estimate: float | None = None
    blocked: str | None = None
    expedite: str | None = None
    tags: tuple[str, ...] = ()
    created: dt.date | None = None
    body: str = ""
    body_line: int = 1
    checklist: tuple[int, int] = (0, 0)
    """(ticked, total) checklist items in the body."""
    key_lines: dict[str, int] = field(default_factory=dict)
    holder: str | None = None
    source: str | None = None
    """The file's full path (`path` is printable and relative)."""

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def __reduce__(self):
        """Pickle as plain values: tasks travel between processes while loading."""
        values = list(_task_values(self))
        values[_COLLABORATORS] = tuple((c.handle, c.role) for c in self.collaborators)
        return _unpickle_task, (tuple(values),)

    def collaborator(self, role: str) -> str | None:
        """Return the handle of the collaborator in `role`, if any."""
        for collaborator in self.collaborators:
            if collaborator.role == role:
                return collaborator.handle
        return None

    @property
    def people(self) -> tuple[str, ...]:
        """Every handle on the task: owner(s) then collaborators, without repeats."""
        handles = list(self.owners) + [c.handle for c in self.collaborators]
        return tuple(dict.fromkeys(handles))

    @property
    def progress(self) -> float | None:
        done, total = self.checklist
        return done / total if total else None


_TASK_FIELDS = tuple(f.name for f in dataclasses.fields(Task))
_task_values = operator.attrgetter(*_TASK_FIELDS)
_COLLABORATORS = _TASK_FIELDS.index("collaborators")


def _unpickle_task(values: tuple) -> Task:
    task = Task(*values)
    task.collaborators = tuple(_collaborator(handle, role) for handle, role in task.collaborators)
    return task


@dataclass
class Project:
    id: str
    title: str
    path: str
    owner: str | None = None
    due: dt.date | None = None
    start: dt.date | None = None
    tags: tuple[str, ...] = ()
    summary: str = ""
    body: str = ""
    retro: str = ""
    tasks: list[Task] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)
    """Front-matter key -> line in `_index.md`."""


@dataclass
class Portfolio:
    """Everything mdpm knows about the content, ready for checks and pages."""

    config: Config
    projects: dict[str, Project]
    tasks: dict[str, Task]

    def stage_of(self, task: Task) -> Stage | None:
        return self.config.stage(task.stage)

    def is_active(self, task: Task) -> bool:
        return task.stage in self._stage_ids[0]

    def is_done(self, task: Task) -> bool:
        return task.stage in self._stage_ids[1]

    @functools.cached_property
    def _stage_ids(self) -> tuple[frozenset[str], frozenset[str]]:
        """The ids of the active stages and of the done stages (asked of every task)."""
        stages = [self.config.stage(s.id) for s in self.config.stages]
        return (frozenset(s.id for s in stages if s.is_active),
                frozenset(s.id for s in stages if s.is_done))

    def tasks_in(self, stage_id: str) -> list[Task]:
        """Return the tasks in a stage, in portfolio order."""
        return list(self._by_stage.get(stage_id, ()))

    @functools.cached_property
    def _by_stage(self) -> dict[str, list[Task]]:
        """The tasks of each stage, in portfolio order (asked once per stage).

        Kept for the portfolio's life: its tasks are not changed after loading (an update
        while serving makes a new portfolio).
        """
        found: dict[str, list[Task]] = {}
        for task in self.tasks.values():
            found.setdefault(task.stage, []).append(task)
        return found

    def dependents(self, ref: str) -> list[Task]:
        """Return the tasks that depend on `ref` (its 'needed by' list)."""
        return [t for t in self.tasks.values() if ref in t.depends_on]

    def held_by(self, handle: str) -> list[Task]:
        """Return the active tasks that `handle` holds."""
        return [t for t in self.tasks.values() if t.holder == handle and self.is_active(t)]

    def handles(self) -> list[str]:
        """Return every handle named in the config or on a task, sorted."""
        found = {p.handle.lower() for p in self.config.people.values()}
        for task in self.tasks.values():  # `task.people`, without making each tuple
            found.update(task.owners)
            for collaborator in task.collaborators:
                found.add(collaborator.handle)
        for project in self.projects.values():
            if project.owner:
                found.add(project.owner)
        return sorted(found)


def build_model(docs: list[RawDoc | Task], config: Config) -> tuple[Portfolio, list[Problem]]:
    """Turn raw documents into a portfolio; return it and the problems found on the way.

    A task may come already built (by `build_task`, possibly in another process); the
    problems of building it are then the caller's.
    """
    problems: list[Problem] = []
    projects: dict[str, Project] = {}
    tasks: dict[str, Task] = {}
    for doc in docs:
        project = projects.get(doc.project)
        if project is None:
            rel = doc.path if isinstance(doc, Task) else doc.rel
            project = projects[doc.project] = Project(
                id=doc.project, title=doc.project, path=rel.rpartition("/")[0])
        if isinstance(doc, Task) or doc.kind == "task":
            if doc.ref not in tasks:
                task = doc if isinstance(doc, Task) else build_task(doc, config, problems)
                tasks[task.ref] = task
                project.tasks.append(task)
        elif doc.kind == "retro":
            project.retro = doc.body
        else:
            _fill_project(project, doc, problems)
    return Portfolio(config=config, projects=dict(sorted(projects.items())), tasks=tasks), problems


class _Fields:
    """Typed access to one document's front-matter, collecting problems."""

    def __init__(self, doc: RawDoc, problems: list[Problem]):
        self.doc = doc
        self.meta = doc.meta or {}
        self.problems = problems

    def problem(self, key: str, code: str, message: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.doc.rel, self.doc.line_of(key), code, severity, message))

    def unknown_keys(self, known: tuple[str, ...]) -> None:
        if _KNOWN.get(known, frozenset()).issuperset(self.meta):
            return
        for key in self.meta:
            if isinstance(key, str) and key not in known:
                self.problem(key, "key-unknown", f"unknown key `{key}`{nearest(key, known)}",
                             severity=WARNING)

    def text(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if type(value) is str:
            return value.strip() or None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(key, "frontmatter", f"`{key}` must be text, not {_kind(value)}")
            return None
        return str(value).strip() or None

    def flag(self, key: str) -> str | None:
        """A free-text reason that may also be written as `true`."""
        value = self.meta.get(key)
        if value is True:
            return "yes"
        if value is False:
            return None
        return self.text(key)

    def handle(self, key: str, value) -> str | None:
        if type(value) is not str:
            self.problem(key, "frontmatter",
                         f"`{key}` must name a person by handle, not {_kind(value)}")
            return None
        handle = _handle(value)
        if handle is None:
            self.problem(key, "id-invalid", f"`{value.strip().lstrip('@')}` in `{key}` is not "
                         "a handle (ASCII letters, digits, ., - and _)")
        return handle

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v] if key == "depends-on" else [value]
        if not isinstance(value, list) or not all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            self.problem(key, "frontmatter", f"`{key}` must be a list of words, like [a, b]")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def date(self, key: str) -> dt.date | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, "date-invalid",
                         f"`{key}` must be a date written YYYY-MM-DD, not {_kind(value)}")
            return None
        if not DATE_RE.match(value.strip()):
            self.problem(key, "date-invalid", f"`{key}: {value}` is not a date; write YYYY-MM-DD")
            return None
        try:
            return _day(value.strip())
        except ValueError:
            self.problem(key, "date-invalid", f"`{key}: {value}` is not a day of the calendar")
            return None


# Handles, days and collaborators repeat across thousands of tasks; each is read once.
# The values are immutable, so tasks may share them.

@functools.lru_cache(maxsize=4096)
def _handle(text: str) -> str | None:
    """The lower-case handle written as `text` (an `@` allowed), or None."""
    value = text.strip().lstrip("@")
    return value.lower() if HANDLE_RE.match(value) else None


@functools.lru_cache(maxsize=4096)
def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


_collaborator = functools.lru_cache(maxsize=4096)(Collaborator)


def build_task(doc: RawDoc, config: Config, problems: list[Problem]) -> Task:
    """Build the task of one task document, adding the problems of its fields to `problems`."""
    fields = _Fields(doc, problems)
    fields.unknown_keys(TASK_KEYS)
    owners = _owners(fields)
    stage = fields.text("stage") or config.first_stage.id
    task = Task(
        ref=doc.ref, project=doc.project, id=doc.stem, path=doc.rel, source=str(doc.path),
        title=fields.text("title") or doc.stem.replace("-", " ").capitalize(),
        stage=stage,
        owner=owners[0] if len(owners) == 1 else None,
        owners=owners,
        collaborators=_collaborators(fields),
        depends_on=_dependencies(fields, doc.project),
        due=fields.date("due"),
        created=fields.date("created"),
        priority=_priority(fields),
        estimate=_estimate(fields),
        blocked=fields.flag("blocked"),
        expedite=fields.flag("expedite"),
        tags=fields.string_list("tags"),
        body=doc.body, body_line=doc.body_line,
        checklist=doc.checklist if doc.checklist is not None else count_checklist(doc.body),
        key_lines=doc.key_lines,
    )
    task.holder = _holder(task, config)
    return task


def _owners(fields: _Fields) -> tuple[str, ...]:
    value = fields.meta.get("owner")
    if value is None:
        return ()
    if type(value) is str:  # the usual single owner
        handle = fields.handle("owner", value)
        return (handle,) if handle else ()
    values = value if isinstance(value, list) else [value]
    handles = (fields.handle("owner", v) for v in values)
    return tuple(dict.fromkeys(h for h in handles if h))


def _collaborators(fields: _Fields) -> tuple[Collaborator, ...]:
    value = fields.meta.get("collaborators")
    if value is None:
        return ()
    pairs: list[tuple[str | None, object]] = []
    if isinstance(value, dict):
        for role, who in value.items():
            for one in (who if isinstance(who, list) else [who]):
                pairs.append((str(role), one))
    elif isinstance(value, list):
        pairs = [(None, one) for one in value]
    elif isinstance(value, str):
        pairs = [(None, value)]
    else:
        fields.problem("collaborators", "frontmatter",
                       "`collaborators` must be a list of handles or a mapping role: handle")
        return ()
    result = []
    for role, who in pairs:
        handle = fields.handle("collaborators", who)
        if handle:
            result.append(_collaborator(handle, role))
    return tuple(result)


def _dependencies(fields: _Fields, project: str) -> tuple[str, ...]:
    refs = []
    for item in fields.string_list("depends-on"):
        ref = _reference(item, project)
        if ref is None:
            fields.problem("depends-on", "dep-missing",
                           f"`{item}` is not a task reference; write `task` or `project/task`")
            continue
        refs.append(ref)
    return tuple(dict.fromkeys(refs))


@functools.lru_cache(maxsize=4096)
def _reference(item: str, project: str) -> str | None:
    """The full reference `project/task` of a dependency as written, or None."""
    ref = item if "/" in item else f"{project}/{item}"
    parts = ref.split("/")
    return ref if len(parts) == 2 and all(ID_RE.match(p) for p in parts) else None


def _priority(fields: _Fields) -> str:
    value = fields.text("priority")
    if value is None:
        return "normal"
    if value.lower() not in PRIORITIES:
        fields.problem("priority", "frontmatter", f"priority `{value}` must be one of "
                       f"{', '.join(PRIORITIES)}{nearest(value.lower(), PRIORITIES)}")
        return "normal"
    return value.lower()


def _estimate(fields: _Fields) -> float | None:
    value = fields.meta.get("estimate")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        fields.problem("estimate", "frontmatter",
                       f"`estimate` must be a number of working days, not {value!r}")
        return None
    return float(value)


def _fill_project(project: Project, doc: RawDoc, problems: list[Problem]) -> None:
    project.body = doc.body
    project.key_lines = dict(doc.key_lines)
    if doc.meta is None:
        return
    fields = _Fields(doc, problems)
    fields.unknown_keys(PROJECT_KEYS)
    project.title = fields.text("title") or project.id
    owner = fields.meta.get("owner")
    project.owner = fields.handle("owner", owner) if owner is not None else None
    project.due = fields.date("due")
    project.start = fields.date("start")
    project.tags = fields.string_list("tags")
    project.summary = fields.text("summary") or ""


def _holder(task: Task, config: Config) -> str | None:
    """The owner, or in a hand-off stage the collaborator in the hand-off role."""
    stage = config.stage(task.stage)
    if stage is not None and stage.handoff:
        return task.collaborator(stage.handoff)
    return task.owner


def _kind(value) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
