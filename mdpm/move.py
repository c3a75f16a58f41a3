"""Move a task to another stage, refusing a move that breaks a rule of the board."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .check import (dependency_order, expedite_over_limit, owner_problems, person_over_limit,
                    role_missing, stage_over_limit)
from .config import Config, nearest
from .edit import update_file
from .errors import ContentError, Problem, UsageError
from .load import RawDoc, load_documents
from .model import Portfolio, Task, build_model

MOVE_RULES = (
    stage_over_limit,
    person_over_limit,
    dependency_order,
    owner_problems,
    role_missing,
    expedite_over_limit,
)
"""The rules a change of stage can break."""


@dataclass
class Move:
    """What moving one task would do: the problems it creates and the sign-off it needs."""

    task: Task
    old: str
    new: str
    broken: list[Problem] = field(default_factory=list)
    signoff: str | None = None
    """A note that the pull request needs a reviewer's approval, when it does."""
    done: bool = False

    @property
    def allowed(self) -> bool:
        return not self.broken


def plan_move(config: Config, ref: str, stage: str, today: dt.date) -> tuple[Move, RawDoc]:
    """Simulate moving `ref` to `stage` on the whole portfolio; report what it breaks."""
    docs, load_problems = load_documents(config.root)
    before, _ = build_model(docs, config)
    task = resolve_ref(before, ref, config.root)
    target = config.stage(stage)
    if target is None:
        ids = [s.id for s in config.stages]
        raise UsageError(f"stage `{stage}` is not in the workflow ({', '.join(ids)})"
                         f"{nearest(stage, ids)}")
    doc = next(d for d in docs if d.kind == "task" and d.ref == task.ref)
    if doc.meta is None:
        unreadable = [p.format() for p in load_problems if p.path == doc.rel]
        raise ContentError(f"cannot move {task.ref}: mdpm cannot read its file, so it was not "
                           "touched; fix it first:\n" + "\n".join(f"  {u}" for u in unreadable))
    move = Move(task=task, old=task.stage, new=stage)
    if task.stage == stage:
        return move, doc
    moved = copy.copy(doc)
    moved.meta = {**(doc.meta or {}), "stage": stage}
    after, _ = build_model([moved if d is doc else d for d in docs], config)
    broken = sorted(created_problems(before, after, today), key=lambda p: p.path != task.path)
    once: dict[tuple[str, str], Problem] = {}
    for problem in broken:  # a stage over its limit is one problem, shown on the moved task
        once.setdefault((problem.code, problem.message), problem)
    move.broken = list(once.values())
    move.signoff = signoff_note(config, task, stage)
    return move, doc


def created_problems(before: Portfolio, after: Portfolio, today: dt.date) -> list[Problem]:
    """Return the problems of `after` that `before` did not have (same rule, same file)."""
    return new_errors(_run(before, today), _run(after, today))


def new_errors(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """Return the errors of `after` that `before` did not have (same rule, same file)."""
    old = {(p.code, p.path) for p in before}
    return [p for p in after if (p.code, p.path) not in old and p.is_error]


def _run(portfolio: Portfolio, today: dt.date) -> list[Problem]:
    found: list[Problem] = []
    for rule in MOVE_RULES:
        found.extend(rule(portfolio, today))
    return sorted(found)


def signoff_note(config: Config, task: Task, stage: str) -> str | None:
    """Say whose approval the pull request needs when the move leaves a sign-off stage forward."""
    old, new = config.stage(task.stage), config.stage(stage)
    if old is None or new is None or not old.signoff or new.index <= old.index:
        return None
    role = old.signoff
    handle = task.collaborator(role)
    if handle is None:
        return (f"leaving `{old.id}` needs the sign-off of the task's `{role}`, but it has none; "
                f"add `{role}: HANDLE` under `collaborators`")
    person = config.person(handle)
    who = handle
    if person is not None and person.name:
        who = f"{handle} ({person.name})"
    if person is not None and person.github:
        who += f", GitHub @{person.github}"
    return (f"leaving `{old.id}` needs the `{role}`'s sign-off: the pull request will need "
            f"the approval of {who}")


def resolve_ref(portfolio: Portfolio, ref: str, root: Path) -> Task:
    """Return the task that `ref` names: PROJECT/TASK or the task file's path."""
    text = ref.strip().replace("\\", "/")
    if text.endswith(".md"):
        path = Path(text)
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            pass
        parts = path.as_posix().split("/")
        text = "/".join(parts[-2:])[:-3]
    task = portfolio.tasks.get(text)
    if task is None:
        raise UsageError(f"no task `{ref}`{nearest(text, portfolio.tasks)}; "
                         "name it as PROJECT/TASK")
    return task


def apply_move(config: Config, move: Move, force: bool = False) -> Move:
    """Write the new stage into the task file when the move is allowed or forced."""
    if move.old == move.new or (move.broken and not force):
        return move
    update_file(Path(move.task.source), {"stage": move.new}, config.root)
    move.done = True
    return move
