"""Write new things: a repository (`init`), a project (from a playbook or not) and a task."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import clock, schedule
from .config import CONFIG_NAME, HANDLE_RE, ID_RE, Config, nearest, new_id_problem, slugify
from .edit import new_document, set_keys, write_atomic
from .errors import ContentError, UsageError
from .load import INDEX_FILE, read_document
from .model import DATE_RE
from .render import plural

PACKAGE = Path(__file__).resolve().parent
SCAFFOLD = PACKAGE / "scaffold"
RENAMES = {"gitignore": ".gitignore"}
DEFAULT_PLAYBOOK = "case-study"
TASK_ORDER = ("title", "owner", "collaborators", "stage", "depends-on", "due", "priority",
              "estimate", "blocked", "expedite", "tags")


# --- init -----------------------------------------------------------------------------------


@dataclass
class InitResult:
    root: Path
    files: list[str]
    playbook: str | None = None
    roles: list[str] = field(default_factory=list)
    in_git: bool = False
    """True when `root` is already inside a git working tree."""


def init(target: Path, playbook: str | None = DEFAULT_PLAYBOOK) -> InitResult:
    """Make a working repository in `target`; refuse (writing nothing) if any file exists."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    files = _scaffold_files()
    chosen = _init_playbook(playbook)
    if chosen is not None:
        for path in sorted(p for p in chosen.rglob("*") if p.is_file()):
            rel = path.relative_to(chosen).as_posix()
            files[f"templates/{chosen.name}/{rel}"] = path.read_bytes()
    existing = [rel for rel in files if (target / rel).exists() or (target / rel).is_symlink()]
    if existing:
        listed = "\n".join(f"  {rel}" for rel in existing)
        raise UsageError(f"refusing to overwrite {plural(len(existing), 'existing file')} in "
                         f"{target}; nothing was written:\n{listed}")
    target.mkdir(parents=True, exist_ok=True)
    _write_all(target, files)
    roles = read_playbook(chosen).roles_used() if chosen is not None else []
    return InitResult(target, list(files), chosen.name if chosen else None, roles,
                      inside_git_work_tree(target))


def inside_git_work_tree(folder: Path) -> bool:
    """True when `folder` or a folder above it has a `.git` (a folder, or a worktree's file)."""
    folder = folder.resolve()
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _scaffold_files() -> dict[str, bytes]:
    """Return relative path -> bytes of everything `init` writes except the playbook."""
    files: dict[str, bytes] = {}
    base = SCAFFOLD / "repo"
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        rel = path.relative_to(base)
        name = RENAMES.get(rel.name, rel.name)
        files[(rel.parent / name).as_posix()] = path.read_bytes()
    for path in sorted((SCAFFOLD / "workflows").glob("*.yml")):
        files[f".github/workflows/{path.name}"] = path.read_bytes()
    return files


def _init_playbook(name: str | None) -> Path | None:
    if name is None or name.lower() == "none":
        return None
    for folder in shipped_template_dirs():
        if (folder / name).is_dir():
            return folder / name
    if name == DEFAULT_PLAYBOOK:
        return None  # not shipped in this installation: init works without it
    shipped = _names(shipped_template_dirs())
    raise UsageError(f"no playbook `{name}`; shipped playbooks: {', '.join(shipped) or 'none'}"
                     f"{nearest(name, shipped)}")


def _write_all(root: Path, files: dict[str, bytes | str]) -> None:
    """Write every file or, if one write fails, remove those already written."""
    written: list[Path] = []
    try:
        for rel, data in files.items():
            written.append(write_atomic(root / rel, data, root))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


# --- playbooks ------------------------------------------------------------------------------


@dataclass
class PlaybookTask:
    stem: str
    text: str
    meta: dict


@dataclass
class Playbook:
    name: str
    path: Path
    title: str
    roles: dict[str, str]
    """Role -> what the person in that role does, from `_index.md`."""
    body: str
    tasks: list[PlaybookTask]

    def roles_used(self) -> list[str]:
        """Return the roles the tasks name as owner or collaborator, declared ones first."""
        used: list[str] = []
        for task in self.tasks:
            used.extend(_role_names(task.meta))
        return sorted(set(used), key=lambda r: (r not in self.roles, list(self.roles).index(r)
                                                if r in self.roles else 0, r))


def shipped_template_dirs() -> list[Path]:
    """Return the folders of the playbooks that come with mdpm (installed, then checkout)."""
    checkout = PACKAGE.parent  # a source checkout has pyproject.toml beside the package
    candidates = [PACKAGE / "templates"]
    if (checkout / "pyproject.toml").is_file():
        candidates.append(checkout / "templates")
    return [folder for folder in candidates if folder.is_dir()]


def template_dirs(root: Path) -> list[Path]:
    """Return where to look for a playbook: the repository's templates/, then mdpm's own."""
    return [folder for folder in (root / "templates", *shipped_template_dirs()) if folder.is_dir()]


def _names(folders: list[Path]) -> list[str]:
    return sorted({p.name for f in folders for p in f.iterdir()
                   if p.is_dir() and not p.name.startswith((".", "_"))})


def find_template(root: Path, name: str) -> Path:
    """Return the folder of playbook `name`, the repository's own first."""
    folders = template_dirs(root)
    for folder in folders:
        if (folder / name).is_dir() and ID_RE.match(name):
            return folder / name
    known = _names(folders)
    raise UsageError(f"no playbook `{name}`; available: {', '.join(known) or 'none'}"
                     f"{nearest(name, known)}")


def read_playbook(path: Path) -> Playbook:
    """Read a playbook folder; raise ContentError listing every unreadable file."""
    problems, tasks = [], []
    title, roles, body = path.name, {}, ""
    for file in sorted(path.glob("*.md")):
        kind = "index" if file.name == INDEX_FILE else None if file.name.startswith("_") else "task"
        if kind is None:
            continue
        doc, found = read_document(path.parent, file, path.name, kind)
        problems.extend(found)
        if doc.meta is None:
            continue
        if kind == "index":
            title = str(doc.meta.get("title") or title)
            roles = {str(k): str(v) for k, v in (doc.meta.get("roles") or {}).items()} \
                if isinstance(doc.meta.get("roles"), dict) else {}
            body = doc.body
        else:
            tasks.append(PlaybookTask(doc.stem, file.read_bytes().decode("utf-8"), doc.meta))
    if problems:
        raise ContentError(f"playbook `{path.name}` ({path}) cannot be read:\n" +
                           "\n".join(p.format() for p in problems))
    return Playbook(path.name, path, title, roles, body, tasks)


def _role_names(meta: dict) -> list[str]:
    names = []
    if isinstance(meta.get("owner"), str):
        names.append(meta["owner"])
    collaborators = meta.get("collaborators")
    values = collaborators.values() if isinstance(collaborators, dict) else \
        collaborators if isinstance(collaborators, list) else []
    for value in values:
        names.extend(value if isinstance(value, list) else [value])
    return [str(n) for n in names]


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """Turn `--set ROLE=HANDLE` flags into a mapping."""
    result = {}
    for pair in pairs:
        role, sep, handle = pair.partition("=")
        if not sep or not role.strip() or not handle.strip():
            raise UsageError(f"--set {pair}: write ROLE=HANDLE, e.g. --set writer=bob")
        result[role.strip()] = handle.strip().lstrip("@")
    return result


def expand_playbook(config: Config, playbook: Playbook, project: str,
                    assignments: dict[str, str], start: dt.date,
                    title: str | None = None) -> tuple[dict[str, str], schedule.Plan]:
    """Return (file name -> text, plan) of a project made from `playbook`."""
    _check_roles(config, playbook, assignments)
    stems = {t.stem for t in playbook.tasks}
    for task in playbook.tasks:
        unknown = [d for d in _deps(task.meta) if d not in stems]
        if unknown:
            raise ContentError(f"playbook `{playbook.name}`: {task.stem}.md depends on "
                               f"{', '.join(unknown)}, which the playbook does not have")
    deps = {f"{project}/{t.stem}": (_estimate(t.meta), [f"{project}/{d}" for d in _deps(t.meta)])
            for t in playbook.tasks}
    plan = schedule.plan(deps, start)
    files = {INDEX_FILE: new_document({"title": title or playbook.title,
                                       "start": plan.start.isoformat(),
                                       "due": plan.end.isoformat()}, playbook.body)}
    for task in playbook.tasks:
        values = _people_values(task.meta, assignments)
        values["due"] = plan.dates[f"{project}/{task.stem}"][1].isoformat()
        files[f"{task.stem}.md"] = set_keys(task.text, values)
    return files, plan


def _check_roles(config: Config, playbook: Playbook, assignments: dict[str, str]) -> None:
    needed = playbook.roles_used()
    known_roles = list(dict.fromkeys([*playbook.roles, *needed]))
    unknown = [r for r in assignments if r not in known_roles]
    if unknown:
        raise UsageError(f"playbook `{playbook.name}` has no role {', '.join(unknown)}"
                         f"{nearest(unknown[0], known_roles)}; its roles: {', '.join(known_roles)}")
    missing = [r for r in needed if r not in assignments]
    if missing:
        width = max(len(r) for r in needed) + 1
        lines = "\n".join(f"  --set {(r + '=HANDLE').ljust(width + 7)}  {playbook.roles.get(r, '')}"
                          .rstrip() for r in needed)
        raise UsageError(f"playbook `{playbook.name}` needs a person for every role; missing: "
                         f"{', '.join(missing)}. Give them all:\n{lines}")
    for role, handle in assignments.items():
        _check_person(config, handle, f"--set {role}")


def _check_person(config: Config, handle: str, where: str) -> None:
    if not HANDLE_RE.match(handle):
        raise UsageError(f"{where}: `{handle}` is not a handle (ASCII letters, digits, ., - and _)")
    if config.people and config.person(handle) is None:
        known = [p.handle for p in config.people.values()]
        raise UsageError(f"{where}: `{handle}` is not in [people] of {CONFIG_NAME}"
                         f"{nearest(handle, known)}; known: {', '.join(known)}")


def _estimate(meta: dict) -> float | None:
    value = meta.get("estimate")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _deps(meta: dict) -> list[str]:
    value = meta.get("depends-on") or []
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    return [str(v).split("/")[-1] for v in value]


def _people_values(meta: dict, assignments: dict[str, str]) -> dict:
    values: dict = {}
    if isinstance(meta.get("owner"), str):
        values["owner"] = assignments[meta["owner"]]
    collaborators = meta.get("collaborators")
    if isinstance(collaborators, dict):
        values["collaborators"] = {role: _assign(who, assignments)
                                   for role, who in collaborators.items()}
    elif isinstance(collaborators, list):
        values["collaborators"] = [assignments[str(who)] for who in collaborators]
    return values


def _assign(who, assignments: dict[str, str]):
    if isinstance(who, list):
        return [assignments[str(w)] for w in who]
    return assignments[str(who)]


# --- new project / new task -----------------------------------------------------------------


def new_project(config: Config, project: str, template: str | None = None,
                assignments: dict[str, str] | None = None, start: dt.date | None = None,
                title: str | None = None, today: dt.date | None = None):
    """Create content/projects/<project>/; return (written paths, plan or None)."""
    _check_id(project, "project id")
    folder = config.content_dir / project
    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"project `{project}` already exists ({_rel(folder, config.root)})")
    plan = None
    if template:
        playbook = read_playbook(find_template(config.root, template))
        files, plan = expand_playbook(config, playbook, project, assignments or {},
                                      start or today or clock.now().date(), title)
    else:
        if assignments:
            raise UsageError("--set needs --template: roles come from a playbook")
        meta = {"title": title or project.replace("-", " ").replace("_", " ").capitalize()}
        if start:
            meta["start"] = start.isoformat()
        files = {INDEX_FILE: new_document(meta, "What this project is for, and for whom.\n")}
    created = not folder.exists()
    try:
        _write_all(config.root, {f"content/projects/{project}/{name}": text
                                 for name, text in files.items()})
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return [folder / name for name in files], plan


def parse_date(text: str | None, flag: str) -> dt.date | None:
    """Return the date of a YYYY-MM-DD flag value, or raise a UsageError naming the flag."""
    if text is None:
        return None
    if not DATE_RE.match(text.strip()):
        raise UsageError(f"{flag} {text}: not a date; write YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{flag} {text}: not a day of the calendar") from None


@dataclass
class NewTask:
    path: Path
    slug: str
    """The file name the title asked for; `path` has a `-2`, `-3`... when it was taken."""

    @property
    def renamed(self) -> bool:
        return self.path.stem != self.slug


def new_task(workspace, project: str, title: str, owner: str | None = None,
             stage: str | None = None, depends_on: str = "", due: str | None = None) -> NewTask:
    """Write a new task file in the house key order; validate everything first."""
    config, portfolio = workspace.config, workspace.portfolio
    folder = config.content_dir / project
    if not ID_RE.match(project) or not folder.is_dir():
        known = sorted(portfolio.projects)
        raise UsageError(f"no project `{project}`{nearest(project, known)}; "
                         f"make it with `mdpm new project {slugify(project)}`")
    if not title.strip():
        raise UsageError("the title is empty")
    if not _has_name_characters(title):
        raise UsageError(f"the title `{title}` has no letters or digits to name the file "
                         "after; give a title with letters or digits (A-Z, 0-9)")
    if owner:
        owner = owner.strip().lstrip("@")
        _check_person(config, owner, "--owner")
    if stage is not None and config.stage(stage) is None:
        ids = [s.id for s in config.stages]
        raise UsageError(f"--stage {stage}: not in the workflow ({', '.join(ids)})"
                         f"{nearest(stage, ids)}")
    deps = _check_dependencies(portfolio, project, depends_on)
    due_date = parse_date(due, "--due")
    slug = slugify(title)
    stem = unique_stem(folder, slug)
    meta = {"title": title.strip(), "owner": owner, "stage": stage or config.first_stage.id,
            "depends-on": deps, "due": due_date.isoformat() if due_date else None}
    path = folder / f"{stem}.md"
    write_atomic(path, new_document(meta), config.root)
    return NewTask(path, slug)


def _has_name_characters(title: str) -> bool:
    """True when the title has an ASCII letter or digit (after dropping accents) for a slug."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.search(r"[A-Za-z0-9]", ascii_text) is not None


def _check_dependencies(portfolio, project: str, text: str) -> list[str]:
    refs = [r for r in text.replace(",", " ").split() if r]
    for ref in refs:
        full = ref if "/" in ref else f"{project}/{ref}"
        if full not in portfolio.tasks:
            raise UsageError(f"--depends-on {ref}: no task `{full}`"
                             f"{nearest(full, portfolio.tasks)}")
    return [r[len(project) + 1:] if r.startswith(f"{project}/") else r for r in refs]


def unique_stem(folder: Path, slug: str, taken: set[str] = frozenset()) -> str:
    """Return `slug`, or `slug-2`, `slug-3`... so that no file in `folder` has it."""
    stem, n = slug, 1
    while (folder / f"{stem}.md").exists() or stem in taken:
        n += 1
        stem = f"{slug}-{n}"
    return stem


def _check_id(value: str, what: str) -> None:
    problem = new_id_problem(value, what)
    if problem:
        raise UsageError(problem)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
