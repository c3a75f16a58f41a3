"""The rules of the CI gate: small functions (portfolio, now) -> problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .config import Stage, nearest
from .errors import ERROR, WARNING, Problem, sort_problems
from .model import Portfolio, Task


def check(portfolio: Portfolio, today: dt.date) -> list[Problem]:
    """Run every rule; return all problems, sorted by file and line."""
    found: list[Problem] = []
    for rule in RULES:
        found.extend(rule(portfolio, today))
    return sort_problems(found)


def _problem(task: Task, key: str, code: str, message: str, severity: str = ERROR) -> Problem:
    return Problem(task.path, task.line_of(key), code, severity, message)


def _stages(portfolio: Portfolio) -> dict[str, Stage]:
    """The workflow's stages by id, as `Portfolio.stage_of` finds them."""
    config = portfolio.config
    return {stage.id: config.stage(stage.id) for stage in config.stages}


def _stage_ids(portfolio: Portfolio, of_type: str) -> frozenset[str]:
    """The ids of the stages of one type (`Portfolio.is_active` and `is_done` ask these)."""
    return frozenset(i for i, stage in _stages(portfolio).items() if stage.type == of_type)


def stage_unknown(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    stage_ids = [s.id for s in portfolio.config.stages]
    known = _stages(portfolio)
    for task in portfolio.tasks.values():
        if task.stage not in known:
            yield _problem(task, "stage", "stage-unknown",
                           f"stage `{task.stage}` is not in the workflow "
                           f"({', '.join(stage_ids)}){nearest(task.stage, stage_ids)}")


def stage_over_limit(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    for stage in portfolio.config.stages:
        if stage.wip is None:
            continue
        counted = [t for t in portfolio.tasks_in(stage.id) if not t.expedite]
        if len(counted) <= stage.wip:
            continue
        for task in counted:
            yield _problem(task, "stage", "wip-stage",
                           f"stage `{stage.id}` holds {len(counted)} tasks, over its WIP limit "
                           f"of {stage.wip}; finish one before starting another")


def person_over_limit(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    config = portfolio.config
    holding: dict[str, list[Task]] = {}
    active = _stage_ids(portfolio, "active")
    for task in portfolio.tasks.values():
        if task.holder and task.stage in active:
            holding.setdefault(task.holder, []).append(task)
    for handle, held in sorted(holding.items()):
        limit = config.person_limit(handle)
        if limit is None or len(held) <= limit:
            continue
        refs = ", ".join(t.ref for t in held)
        for task in held:
            key = "owner" if task.holder == task.owner else "collaborators"
            yield _problem(task, key, "wip-person",
                           f"{handle} holds {len(held)} active tasks, over their limit of "
                           f"{limit} ({refs}); finish or hand over one before taking another")


def dependency_missing(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    for task in portfolio.tasks.values():
        for ref in task.depends_on:
            if ref not in portfolio.tasks:
                yield _problem(task, "depends-on", "dep-missing",
                               f"depends on `{ref}`, which does not exist"
                               f"{_nearest_ref(ref, portfolio)}")


def _nearest_ref(ref: str, portfolio: Portfolio) -> str:
    """Suggest a task of the same project, or a project when that one does not exist."""
    project_id, task_id = ref.split("/", 1)
    project = portfolio.projects.get(project_id)
    if project is None:
        hint = nearest(project_id, portfolio.projects)
        return hint.replace("did you mean", "there is no such project; did you mean project")\
            if hint else "; there is no such project"
    hint = nearest(task_id, [t.id for t in project.tasks])
    return hint.replace("`", f"`{project_id}/", 1) if hint else ""


def dependency_cycle(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    for cycle in find_cycles(portfolio):
        first = portfolio.tasks[cycle[0]]
        path = " -> ".join([*cycle, cycle[0]])
        yield _problem(first, "depends-on", "dep-cycle", f"dependency cycle: {path}")


def dependency_order(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    started = _stage_ids(portfolio, "active") | _stage_ids(portfolio, "done")
    done = _stage_ids(portfolio, "done")
    tasks = portfolio.tasks
    for task in tasks.values():
        if not task.depends_on or task.stage not in started:
            continue
        for ref in task.depends_on:
            needed = tasks.get(ref)
            if needed is not None and needed.stage not in done and ref != task.ref:
                yield _problem(task, "stage", "dep-order",
                               f"is in `{task.stage}` but `{ref}`, which it depends on, is "
                               f"still in `{needed.stage}`; finish that first or move this back")


def owner_problems(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    stages = _stages(portfolio)
    for task in portfolio.tasks.values():
        if len(task.owners) == 1:  # the usual case, and never a problem
            continue
        stage = stages.get(task.stage)
        if len(task.owners) > 1:
            yield _problem(task, "owner", "owner-many",
                           f"has {len(task.owners)} owners ({', '.join(task.owners)}); a task has "
                           "exactly one owner: list the others under `collaborators`")
        elif not task.owners and stage is not None and stage.type != "queue":
            yield _problem(task, "stage", "owner-missing",
                           f"has no owner but is in `{stage.id}`; add `owner: HANDLE`")


def role_missing(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    handing = {i: stage for i, stage in _stages(portfolio).items() if stage.handoff}
    if not handing:
        return
    for task in portfolio.tasks.values():
        stage = handing.get(task.stage)
        if stage is None or task.collaborator(stage.handoff):
            continue
        yield _problem(task, "stage", "role-missing",
                       f"is in `{stage.id}`, where the `{stage.handoff}` holds the task, but has "
                       f"no collaborator in that role; add `{stage.handoff}: HANDLE` "
                       "under `collaborators`")


def expedite_over_limit(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    limit = portfolio.config.limits.expedite
    active = _stage_ids(portfolio, "active")
    expedited = [t for t in portfolio.tasks.values() if t.expedite and t.stage in active]
    if len(expedited) <= limit:
        return
    refs = ", ".join(t.ref for t in expedited)
    for task in expedited:
        yield _problem(task, "expedite", "expedite-over",
                       f"{len(expedited)} expedited tasks in progress, over the limit of "
                       f"{limit} ({refs})")


def person_unknown(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    config = portfolio.config
    if not config.people:
        return
    known = [p.handle for p in config.people.values()]
    people = config.people  # handles on tasks are lower-case already
    for task in portfolio.tasks.values():
        for handle in task.owners:
            if handle not in people:
                yield _unknown(task.path, task.line_of("owner"), handle, known)
        for collaborator in task.collaborators:
            if collaborator.handle not in people:
                yield _unknown(task.path, task.line_of("collaborators"), collaborator.handle, known)
    for project in portfolio.projects.values():
        if project.owner and config.person(project.owner) is None:
            yield _unknown(f"{project.path}/_index.md", project.key_lines.get("owner", 1),
                           project.owner, known)


def _unknown(path: str, line: int, handle: str, known: list[str]) -> Problem:
    hint = nearest(handle, known) or f"; add [people.{handle}] or fix the handle"
    return Problem(path, line, "person-unknown", ERROR,
                   f"`{handle}` is not in [people] of mdpm.toml{hint}")


def overdue(portfolio: Portfolio, today: dt.date) -> Iterator[Problem]:
    done = _stage_ids(portfolio, "done")
    for task in portfolio.tasks.values():
        if task.due and task.due < today and task.stage not in done:
            days = (today - task.due).days
            yield _problem(task, "due", "overdue",
                           f"was due {task.due.isoformat()} ({days} day{'s' * (days != 1)} ago) "
                           f"and is still in `{task.stage}`", severity=WARNING)


def find_cycles(portfolio: Portfolio) -> list[list[str]]:
    """Return each dependency cycle once, as refs in dependency order."""
    # Only a task that depends on something can be on a cycle: leave the others out.
    depending = {ref: t.depends_on for ref, t in portfolio.tasks.items() if t.depends_on}
    looping = _not_peeled(depending)
    graph = {ref: [d for d in deps if d in looping] for ref, deps in depending.items()
             if ref in looping}
    cycles = []
    for component in _strong_components(graph):
        if len(component) > 1 or component[0] in graph[component[0]]:
            cycles.append(_cycle_through(min(component), graph, set(component)))
    return sorted(cycles)


def _not_peeled(graph: dict[str, tuple[str, ...]]) -> set[str]:
    """The nodes left once every node whose dependencies (those in `graph`) are all taken
    away is taken away, again and again: those on a cycle or leading to one (usually none;
    the search for components is then spared)."""
    waiting: dict[str, int] = {}
    needed_by: dict[str, list[str]] = {}
    for ref, deps in graph.items():
        count = 0
        for dep in deps:
            if dep in graph:
                needed_by.setdefault(dep, []).append(ref)
                count += 1
        waiting[ref] = count
    free = [ref for ref, count in waiting.items() if not count]
    while free:
        for other in needed_by.get(free.pop(), ()):
            waiting[other] -= 1
            if not waiting[other]:
                free.append(other)
    return {ref for ref, count in waiting.items() if count}


def _cycle_through(start: str, graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """Return the shortest walk start -> ... -> (back to start) inside one component."""
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for dep in sorted(graph[node]):
                if dep == start:
                    return _walk_back(node, parents, start)
                if dep in members and dep not in parents and dep != start:
                    parents[dep] = node
                    following.append(dep)
        frontier = following
    return [start]


def _walk_back(node: str, parents: dict[str, str], start: str) -> list[str]:
    path = [node]
    while node != start:
        node = parents[node]
        path.append(node)
    return path[::-1]


def _strong_components(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so deep chains do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


RULES = (
    stage_unknown,
    stage_over_limit,
    person_over_limit,
    dependency_missing,
    dependency_cycle,
    dependency_order,
    owner_problems,
    role_missing,
    expedite_over_limit,
    person_unknown,
    overdue,
)
