"""Sign-offs: the stage moves a change makes since a git REF, and who must approve them.

A pull request is how a change is proposed and its review is the sign-off. `check_changes`
compares every task's stage at REF with the working tree. A forward move out of (or past) a
stage with `signoff = ROLE` needs an approval from the task's collaborator in that role.

Decisions:
- The approver is the collaborator in the role *as it was at REF*: a change cannot name its
  own approver. Only a task that had nobody in that role at REF (or is new) uses the role as
  it is now.
- A stage needs a sign-off when it has `signoff` now, or had it at REF: removing `signoff`
  from mdpm.toml does not waive the sign-off of the change that removes it.
- REF is compared at its merge base with HEAD (in a pull request's merge commit, REF itself),
  so what happened on REF after the branch left it is not part of the change.
- Stage order is the current workflow's. A task whose stage at REF is no longer a stage is
  treated like a new task.
- Approvals are handles or GitHub logins (the `github` key in `[people]`, any case); a login
  wins over a handle spelled the same. The author of the change never signs off.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_NAME, Config, Stage, load_config
from .errors import ERROR, GitError, Problem, UsageError
from .load import RawDoc, decode, parse_front_matter
from .model import Task, build_model
from .workspace import Workspace

CONTENT = "content/projects"


@dataclass(frozen=True)
class Approver:
    """A person named by `--approved-by` or `--author`, resolved against `[people]`."""

    given: str
    handle: str | None
    """The person's handle, or None when the name is not in `[people]`."""

    @property
    def label(self) -> str:
        if self.handle is None or self.handle == self.given.lower():
            return self.given
        return f"{self.handle} (@{self.given})"


@dataclass(frozen=True)
class Signoff:
    """One approval a transition needs: who, in which role, for leaving which stage."""

    stage: str
    role: str
    approvers: tuple[str, ...]
    """Handles that may give it (any one is enough); empty when nobody holds the role."""
    approved_by: str | None = None
    author_blocked: bool = False
    """True when the change's author is one of the approvers, and so cannot give it."""

    @property
    def ok(self) -> bool:
        return self.approved_by is not None


@dataclass(frozen=True)
class Transition:
    """A task's stage at REF and now; `before` is None for a task new since REF."""

    ref: str
    path: str
    line: int
    before: str | None
    after: str
    direction: str  # "new", "forward", "backward", or "renamed" (same stage, new file name)
    renamed_from: str | None = None
    signoffs: tuple[Signoff, ...] = ()

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.signoffs)


@dataclass
class Changes:
    """What a change does to the board since `base`, and the sign-offs it lacks."""

    base: str
    commit: str
    transitions: list[Transition] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    """(ref, stage at REF) of each task that no longer exists."""
    approvals: tuple[Approver, ...] = ()
    author: Approver | None = None
    dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """ref -> refs it depends on, for the changed tasks (for the graph)."""
    logins: dict[str, str] = field(default_factory=dict)
    """handle -> GitHub login, from `[people]`."""

    @property
    def problems(self) -> list[Problem]:
        return [_signoff_problem(t, s, self) for t in self.transitions for s in t.signoffs
                if not s.ok]

    def markdown(self) -> str:
        """Return the changes as Markdown for a pull-request comment or the job summary."""
        return render_markdown(self)


def check_changes(workspace: Workspace, base: str, *, approved_by: str = "",
                  author: str = "") -> Changes:
    """Compare task stages at git `base` with the working tree; check the sign-offs."""
    root = workspace.root
    commit = _resolve(root, base)
    blobs = _read_tree(root, commit)
    base_config = _base_config(blobs.pop(CONFIG_NAME, None))
    before = _base_tasks(root, blobs, workspace.config)
    renames = _renames(root, commit)
    config = workspace.config
    people = _Resolver(config)
    approvals = tuple(people.resolve(name) for name in _split(approved_by))
    author_person = people.resolve(author.strip()) if author.strip() else None
    changes = Changes(base=base, commit=commit, approvals=approvals, author=author_person,
                      logins={k: p.github for k, p in config.people.items() if p.github})
    matched: set[str] = set()
    signoff_roles = _signoff_roles(config, base_config)
    for task in sorted(workspace.portfolio.tasks.values(), key=lambda t: t.ref):
        old_ref = _old_ref(task.ref, renames, before)
        old = before.get(old_ref) if old_ref else None
        if old is not None:
            matched.add(old.ref)
        transition = _transition(task, old, config, signoff_roles, changes)
        if transition is not None:
            changes.transitions.append(transition)
            changes.dependencies[task.ref] = task.depends_on
    changes.deleted = sorted((ref, t.stage) for ref, t in before.items() if ref not in matched)
    return changes


# --- git: one ls-tree and one cat-file pass ----------------------------------------------


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, input=data, capture_output=True,
                                check=False)
    except FileNotFoundError:
        raise UsageError("--base needs git, and git is not installed") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else result.returncode}")
    return result.stdout


def _resolve(root: Path, base: str) -> str:
    """Return the commit to compare with: the merge base of `base` and HEAD."""
    if not base.strip() or base.startswith("-"):
        raise UsageError(f"--base `{base}` is not a git revision")
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").decode().strip()
    except GitError:
        shallow = _is_shallow(root)
        hint = (" (this is a shallow clone: check out with `fetch-depth: 0`)" if shallow else
                "; fetch it first, e.g. `git fetch origin main`, or name a branch, tag or commit")
        raise UsageError(f"--base `{base}` is not a commit in this repository{hint}") from None
    # Compare with where this branch left `base`, so what `base` did since is not counted.
    try:
        return _git(root, "merge-base", commit, "HEAD").decode().strip() or commit
    except GitError:
        return commit


def _is_shallow(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"
    except (GitError, UsageError):
        return False


def _read_tree(root: Path, commit: str) -> dict[str, bytes]:
    """Return {path relative to root: bytes} of mdpm.toml and every project file at `commit`."""
    listing = _git(root, "ls-tree", "-r", "-z", commit, "--", CONFIG_NAME, CONTENT)
    wanted: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        info, _, raw_path = entry.partition(b"\t")
        _mode, kind, sha = info.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind == b"blob" and (path == CONFIG_NAME or _is_project_file(path)):
            wanted[path] = sha.decode()
    if not wanted:
        return {}
    output = _git(root, "cat-file", "--batch", data="".join(f"{s}\n" for s in wanted.values())
                  .encode())
    contents = _split_batch(output)
    return {path: contents[sha] for path, sha in wanted.items() if sha in contents}


def _split_batch(output: bytes) -> dict[str, bytes]:
    """Parse `git cat-file --batch` output into {object id: content}."""
    contents: dict[str, bytes] = {}
    pos = 0
    while pos < len(output):
        header_end = output.index(b"\n", pos)
        sha, _kind, size = output[pos:header_end].split()
        start = header_end + 1
        contents[sha.decode()] = output[start:start + int(size)]
        pos = start + int(size) + 1
    return contents


def _is_project_file(path: str) -> bool:
    parts = path.split("/")
    return (len(parts) == 4 and parts[3].endswith(".md") and not parts[2].startswith((".", "_")))


def _renames(root: Path, commit: str) -> dict[str, str]:
    """Return {new task ref: old task ref} for task files git sees as renamed since `commit`."""
    output = _git(root, "diff", "--relative", "--find-renames", "--name-status", "-z", commit,
                  "--", CONTENT).split(b"\0")
    renames: dict[str, str] = {}
    index = 0
    while index < len(output) and output[index]:
        status = output[index].decode()
        if status.startswith(("R", "C")):
            old, new = (p.decode("utf-8", "surrogateescape") for p in output[index + 1:index + 3])
            if status.startswith("R") and _task_ref(old) and _task_ref(new):
                renames[_task_ref(new)] = _task_ref(old)
            index += 3
        else:
            index += 2
    return renames


def _task_ref(path: str) -> str | None:
    parts = path.split("/")
    if not _is_project_file(path) or parts[3].startswith("_"):
        return None
    return f"{parts[2]}/{parts[3][:-3]}"


# --- the board at REF ------------------------------------------------------------------------


def _base_tasks(root: Path, blobs: dict[str, bytes], config: Config) -> dict[str, Task]:
    """Parse the task files read at REF with the loader and model used for the working tree."""
    docs = []
    for path, data in sorted(blobs.items()):
        ref = _task_ref(path)
        if ref is None:
            continue
        project, stem = ref.split("/")
        doc = RawDoc(path=root / path, rel=path, project=project, stem=stem, kind="task")
        text, problem = decode(data, path)
        if problem is None:
            parse_front_matter(doc, text)
        docs.append(doc)
    portfolio, _problems = build_model(docs, config)
    return portfolio.tasks


def _base_config(data: bytes | None) -> Config | None:
    """Read mdpm.toml as it was at REF; None when it was missing or unreadable."""
    if data is None:
        return None
    with tempfile.TemporaryDirectory(prefix="mdpm-base-") as folder:
        (Path(folder) / CONFIG_NAME).write_bytes(data)
        try:
            config, _problems = load_config(Path(folder))
        except Exception:  # noqa: BLE001 - an unreadable old config only loses its sign-offs
            return None
    return config


def _signoff_roles(config: Config, base_config: Config | None) -> dict[str, str]:
    """Return {stage id: role} for stages that need a sign-off now or needed one at REF."""
    roles = {s.id: s.signoff for s in base_config.stages if s.signoff} if base_config else {}
    roles.update({s.id: s.signoff for s in config.stages if s.signoff})
    return roles


def _old_ref(ref: str, renames: dict[str, str], before: dict[str, Task]) -> str | None:
    if ref in renames:
        return renames[ref]
    if ref in before and ref not in renames.values():
        return ref
    return None


# --- transitions and approvals -------------------------------------------------------------


def _transition(task: Task, old: Task | None, config: Config, roles: dict[str, str],
                changes: Changes) -> Transition | None:
    now = config.stage(task.stage)
    if now is None:
        return None  # `stage-unknown` already reports it
    renamed_from = old.ref if old is not None and old.ref != task.ref else None
    was = config.stage(old.stage) if old is not None else None
    if old is not None and old.stage == task.stage:
        direction = "renamed"
    else:
        direction = "new" if was is None else "forward" if was.index < now.index else "backward"
    if direction == "renamed" and renamed_from is None:
        return None
    start = was.index if was is not None else 0
    # Leaving a sign-off stage, or jumping over one, needs that stage's sign-off.
    passed = [s for s in config.stages if start <= s.index < now.index and s.id in roles]
    signoffs = (tuple(_signoff(s, roles[s.id], task, old, changes) for s in passed)
                if direction in ("new", "forward") else ())
    return Transition(ref=task.ref, path=task.path, line=task.line_of("stage"),
                      before=old.stage if old is not None else None, after=task.stage,
                      direction=direction, renamed_from=renamed_from, signoffs=signoffs)


def _signoff(stage: Stage, role: str, task: Task, old: Task | None, changes: Changes) -> Signoff:
    approvers = _role_holders(old, role) or _role_holders(task, role)
    author = changes.author.handle if changes.author else None
    eligible = [h for h in approvers if h != author]
    approved = {a.handle for a in changes.approvals if a.handle and a.handle != author}
    approved_by = next((h for h in eligible if h in approved), None)
    return Signoff(stage=stage.id, role=role, approvers=approvers, approved_by=approved_by,
                   author_blocked=author is not None and author in approvers)


def _role_holders(task: Task | None, role: str) -> tuple[str, ...]:
    if task is None:
        return ()
    return tuple(dict.fromkeys(c.handle for c in task.collaborators if c.role == role))


class _Resolver:
    """Map handles and GitHub logins (any case, `@` optional) to people's handles."""

    def __init__(self, config: Config):
        self.config = config
        self.by_login = {p.github.lower().lstrip("@"): key for key, p in config.people.items()
                         if p.github}

    def resolve(self, name: str) -> Approver:
        given = name.strip().lstrip("@")
        key = given.lower()
        if key in self.by_login:
            return Approver(given, self.by_login[key])
        if key in self.config.people or not self.config.people:
            return Approver(given, key)
        return Approver(given, None)


def _split(names: str) -> list[str]:
    return [n.strip() for n in (names or "").replace(" ", ",").split(",") if n.strip()]


def _signoff_problem(transition: Transition, signoff: Signoff, changes: Changes) -> Problem:
    return Problem(transition.path, transition.line, "signoff-missing", ERROR,
                   _missing_message(transition, signoff, changes))


def _missing_message(transition: Transition, signoff: Signoff, changes: Changes) -> str:
    move = _move_text(transition)
    if not signoff.approvers:
        return (f"{move} needs a sign-off from its `{signoff.role}` (leaving `{signoff.stage}`), "
                f"but the task has no `{signoff.role}` collaborator; add one under "
                "`collaborators:` and ask them to approve")
    who = " or ".join(_mention(h, changes) for h in signoff.approvers)
    message = (f"{move} needs the approval of {who} (`{signoff.role}`, to leave "
               f"`{signoff.stage}`)")
    given = [a.label for a in changes.approvals]
    if signoff.author_blocked and changes.author is not None:
        author = _mention(changes.author.handle, changes) if changes.author.handle else ""
        message += f"; {author} made this change and cannot sign off their own task"
        if changes.author.handle in {a.handle for a in changes.approvals}:
            message += " (their approval is ignored)"
    if given:
        message += f"; approved by {', '.join(given)} only"
    else:
        message += "; nobody has approved yet"
    return message


def _mention(handle: str, changes: Changes) -> str:
    login = changes.logins.get(handle)
    return f"{handle} (@{login})" if login else handle


def _move_text(transition: Transition) -> str:
    if transition.before is None:
        return f"`{transition.ref}` is new in stage `{transition.after}`, past a sign-off, and"
    return f"`{transition.ref}` moved `{transition.before}` → `{transition.after}` and"


# --- Markdown for the pull request ---------------------------------------------------------


def render_markdown(changes: Changes) -> str:
    """Return the transitions, required sign-offs, deletions and a small graph as Markdown."""
    lines = ["", f"### Changes since `{changes.base}` ({changes.commit[:7]})", ""]
    if not changes.transitions and not changes.deleted:
        lines.append("No task changed stage.")
        return "\n".join(lines) + "\n"
    if changes.transitions:
        lines += ["| Task | Move | Sign-off needed | Status |", "|---|---|---|---|"]
        lines += [_transition_row(t) for t in changes.transitions]
    required = [(t, s) for t in changes.transitions for s in t.signoffs]
    if required:
        lines += ["", "#### Required sign-offs", ""]
        for transition, signoff in required:
            mark = ":white_check_mark:" if signoff.ok else ":x:"
            who = " or ".join(signoff.approvers) or f"(no `{signoff.role}` on the task)"
            state = (f"approved by {signoff.approved_by}" if signoff.ok else "missing")
            lines.append(f"- {mark} `{transition.ref}` leaving `{signoff.stage}`: "
                         f"{who} ({signoff.role}): {state}")
    lines += ["", _approvals_line(changes)]
    if changes.deleted:
        lines += ["", "#### Deleted tasks", ""]
        lines += [f"- `{ref}` (was in `{stage}`)" for ref, stage in changes.deleted]
    graph = mermaid_graph(changes)
    if graph:
        lines += ["", "#### What changed", "", "```mermaid", graph, "```"]
    return "\n".join(lines) + "\n"


def _transition_row(t: Transition) -> str:
    name = f"`{t.ref}`" + (f" (renamed from `{t.renamed_from}`)" if t.renamed_from else "")
    move = (f"new in `{t.after}`" if t.before is None else
            f"`{t.after}` (unchanged)" if t.before == t.after else f"`{t.before}` → `{t.after}`")
    needed = ", ".join(f"{s.role}: {' or '.join(s.approvers) or 'nobody'}" for s in t.signoffs)
    status = ("—" if not t.signoffs else ":white_check_mark: signed off" if t.ok
              else ":x: sign-off missing")
    return f"| {name} | {move} | {needed or '—'} | {status} |"


def _approvals_line(changes: Changes) -> str:
    given = ", ".join(a.label + ("" if a.handle else " (not in [people])")
                      for a in changes.approvals) or "nobody"
    author = f"; author: {changes.author.label}" if changes.author else ""
    return f"Approved by: {given}{author}."


def mermaid_graph(changes: Changes) -> str:
    """Return a Mermaid flowchart of the changed tasks and what they depend on."""
    if not changes.transitions:
        return ""
    changed = {t.ref: t for t in changes.transitions}
    nodes = dict.fromkeys([*changed, *(d for t in changed for d in changes.dependencies.get(t, ()))])
    ids = {ref: f"t{n}" for n, ref in enumerate(nodes)}
    lines = ["flowchart LR"]
    for ref, node in ids.items():
        t = changed.get(ref)
        label = ref if t is None else f"{ref}<br/>{t.before or 'new'} → {t.after}"
        lines.append(f'  {node}["{_mermaid_text(label)}"]')
    for ref in changed:
        for dep in changes.dependencies.get(ref, ()):
            lines.append(f"  {ids[dep]} --> {ids[ref]}")
    for ref, t in changed.items():
        lines.append(f"  class {ids[ref]} {'ok' if t.ok else 'missing'}")
    lines += ["  classDef ok stroke:#1a7f37,stroke-width:2px",
              "  classDef missing stroke:#cf222e,stroke-width:3px"]
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("→", "#8594;")
