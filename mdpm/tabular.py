"""To and from a spreadsheet: every task as CSV or JSON rows, and a project from a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import HANDLE_RE, ID_RE, Config, nearest, new_id_problem, slugify
from .edit import new_document, read_text, set_body, set_key, write_atomic
from .errors import ContentError, Problem, UsageError
from .load import decode, load_documents
from .model import DATE_RE, PRIORITIES, Portfolio, Task, build_model
from .move import new_errors
from .render import plural
from .scaffold import TASK_ORDER, unique_stem

COLUMNS = ("project", "id", *TASK_ORDER, "created", "body")
"""Export columns: where the task lives, its front-matter keys in the house order, its body."""
NOT_KEYS = ("project", "id", "body")
"""Columns that are not front-matter keys."""
LIST_KEYS = ("depends-on", "tags")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ALIASES = {
    "depends on": "depends-on", "depends_on": "depends-on", "dependencies": "depends-on",
    "deps": "depends-on", "due date": "due", "due_date": "due", "assignee": "owner",
    "status": "stage", "task": "title", "name": "title", "collaborator": "collaborators",
    "tag": "tags", "task id": "id", "slug": "id", "description": "body",
}
MAX_IMPORT_BYTES = 16 * 1024 * 1024


# --- export ---------------------------------------------------------------------------------


def task_row(task: Task) -> dict:
    """Return one task as a JSON-ready dict: typed values, None when unset."""
    return {
        "project": task.project,
        "id": task.id,
        "title": task.title,
        "owner": task.owner if len(task.owners) <= 1 else list(task.owners),
        "collaborators": _collaborators_value(task),
        "stage": task.stage,
        "depends-on": [_short_ref(ref, task.project) for ref in task.depends_on],
        "due": task.due.isoformat() if task.due else None,
        "priority": task.priority,
        "estimate": _number(task.estimate),
        "blocked": task.blocked,
        "expedite": task.expedite,
        "tags": list(task.tags),
        "created": task.created.isoformat() if task.created else None,
        "body": body_cell(task.body),
    }


def body_cell(body: str) -> str:
    """Return a task body as one cell: no leading blank lines, no trailing whitespace."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", body.replace("\r\n", "\n")).rstrip()


def _collaborators_value(task: Task):
    if not task.collaborators:
        return []
    if all(c.role is None for c in task.collaborators):
        return [c.handle for c in task.collaborators]
    grouped: dict[str, list[str]] = {}
    for c in task.collaborators:
        grouped.setdefault(c.role or "", []).append(c.handle)
    return {role: hs[0] if len(hs) == 1 else hs for role, hs in grouped.items()}


def _short_ref(ref: str, project: str) -> str:
    return ref[len(project) + 1:] if ref.startswith(f"{project}/") else ref


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def readable_portfolio(config: Config) -> tuple[Portfolio, list[Problem]]:
    """Return the portfolio of the task files mdpm can read, and the problems of the others.

    An unreadable task file is left out rather than exported as a made-up task.
    """
    docs, problems = load_documents(config.root)
    unreadable = {d.rel for d in docs if d.kind == "task" and d.meta is None}
    portfolio, _ = build_model([d for d in docs if d.rel not in unreadable], config)
    return portfolio, [p for p in problems if p.path in unreadable]


def export_rows(portfolio: Portfolio) -> list[dict]:
    """Return every task as a row, sorted by project then task id."""
    tasks = sorted(portfolio.tasks.values(), key=lambda t: (t.project, t.id))
    return [task_row(t) for t in tasks]


def export_json(portfolio: Portfolio) -> str:
    return json.dumps(export_rows(portfolio), indent=2, ensure_ascii=False) + "\n"


def export_csv(portfolio: Portfolio) -> str:
    """Return every task as CSV, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in export_rows(portfolio):
        writer.writerow([guard_cell(cell_text(row[c])) for c in COLUMNS])
    return out.getvalue()


def cell_text(value) -> str:
    """Return a value as one spreadsheet cell: lists comma-separated, roles as `role: who`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        pairs = []
        for role, who in value.items():
            pairs.extend(f"{role}: {h}" for h in (who if isinstance(who, list) else [who]))
        return ", ".join(pairs)
    return str(value)


def guard_cell(text: str) -> str:
    """Put a `'` before a cell a spreadsheet would run as a formula (or one already guarded)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unguard_cell(text: str) -> str:
    """Undo `guard_cell`: drop one `'` before what a spreadsheet would run as a formula."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    project: str
    rows: int = 0
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    created_project: bool = False
    broken: list[Problem] = field(default_factory=list)
    """Errors of `mdpm check` that the import caused."""


@dataclass
class _Row:
    number: int
    """The spreadsheet row number (the header is row 1)."""
    values: dict[str, str]
    stem: str = ""
    existing: bool = False
    """True when the row's id names a task file the project already has."""


def column_key(header: str) -> str | None:
    """Return the front-matter key a CSV header names, or None."""
    name = re.sub(r"\s+", " ", header.strip().lower())
    name = ALIASES.get(name, name).replace("_", "-").replace(" ", "-")
    name = ALIASES.get(name, name)
    return name if name in COLUMNS else None


def read_csv(data: bytes, name: str) -> tuple[list[str], list[_Row]]:
    """Decode and parse CSV bytes; return (keys of the columns, rows)."""
    text, problem = decode(data, name)
    if problem:
        raise ContentError(f"{name}: row {problem.line}: "
                           f"{problem.message.replace('save the file', 'save the CSV')}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ContentError(f"{name}:{reader.line_num}: not valid CSV: {exc}") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ContentError(f"{name}: empty; the first row must name the columns "
                           f"({', '.join(COLUMNS)})")
    keys = _header_keys(records[0], name)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(keys):
            raise ContentError(f"{name}: row {number}: {plural(len(record), 'cell')} but only "
                               f"{plural(len(keys), 'column')} in the header")
        values = {key: _cell_value(key, cell) for key, cell in zip(keys, record)}
        rows.append(_Row(number, values))
    return keys, rows


def _cell_value(key: str, cell: str) -> str:
    """Return a cell as import reads it: guard removed; a body keeps its inner layout."""
    if key == "body":
        return body_cell(unguard_cell(cell.lstrip("\r\n")))
    return unguard_cell(cell.strip())


def _header_keys(header: list[str], name: str) -> list[str]:
    keys = [column_key(h) for h in header]
    unknown = [h for h, k in zip(header, keys) if k is None]
    if unknown:
        hints = "".join(nearest(h.strip().lower(), COLUMNS) for h in unknown[:1])
        names = ", ".join(repr(h) for h in unknown)
        raise ContentError(f"{name}: unknown column{'s' if len(unknown) > 1 else ''} {names}"
                           f"{hints}; delete or rename the column"
                           f"{'s' if len(unknown) > 1 else ''}. Known columns: "
                           f"{', '.join(COLUMNS)} (aliases: {', '.join(sorted(ALIASES))})")
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ContentError(f"{name}: {'columns' if len(repeated) > 1 else 'column'} "
                           f"{', '.join(repeated)} given twice")
    if "title" not in keys:
        raise ContentError(f"{name}: no `title` column; every task needs a title "
                           f"(known columns: {', '.join(COLUMNS)})")
    return keys


def import_csv(workspace, path: Path, project: str, today: dt.date) -> ImportResult:
    """Create or update a task file per CSV row in `project`; validate every row first.

    A row whose `id` names an existing task of the project updates that file in place (only
    the values that differ); any other row makes a new file. Nothing is written unless every
    row is valid, and every file is written atomically.
    """
    config, portfolio = workspace.config, workspace.portfolio
    if not ID_RE.match(project):
        raise UsageError(f"--project {project}: use lowercase letters, digits, - and _ "
                         f"(e.g. `{slugify(project)}`)")
    name = path.name
    keys, rows = read_csv(_read_import_file(path), name)
    if not rows:
        raise ContentError(f"{name}: no rows to import")
    folder = config.content_dir / project
    errors = [f"{name}: row {row.number}: {message}"
              for row in rows for message in _project_problems(row, project)]
    errors.extend(_assign_stems(rows, folder, name))
    staged: dict[Path, tuple[str, str | None]] = {}
    stems = {row.stem for row in rows}
    for row in rows:
        meta, found = row_meta(row, config, portfolio, project, stems)
        file = folder / f"{row.stem}.md"
        if not found and row.existing:
            try:
                old = read_text(file, config.root)
                staged[file] = (_updated_text(old, portfolio.tasks.get(f"{project}/{row.stem}"),
                                              row, meta, keys), old)
            except ContentError as exc:
                found = [str(exc).replace("\n", "\n  ")]
        elif not found:
            staged[file] = (new_document({k: v for k, v in meta.items() if k != "body"},
                                         meta.get("body") or ""), None)
        errors.extend(f"{name}: row {row.number}: {message}" for message in found)
    if errors:
        raise ContentError(f"{plural(len(errors), 'problem')} in {name}; nothing was written:\n"
                           + "\n".join(errors))
    result = ImportResult(project, rows=len(rows), created_project=not folder.exists())
    _write_staged(staged, config.root, folder, result)
    result.broken = _problems_caused(workspace, today)
    return result


def _read_import_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ContentError(f"{path}: over {MAX_IMPORT_BYTES // 1024 // 1024} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


def _project_problems(row: _Row, project: str) -> list[str]:
    named = row.values.get("project", "")
    if named and named != project:
        return [f"is for project `{named}`, not `{project}` (--project); import each project "
                "from its own file, or delete the project column"]
    return []


def _updated_text(text: str, task: Task | None, row: _Row, meta: dict, keys: list[str]) -> str:
    """Return the file's text with the row's changed values set; the rest stays byte for byte."""
    old = task_row(task) if task is not None else {}
    for key in keys:
        if key in NOT_KEYS or row.values.get(key, "") == cell_text(old.get(key)):
            continue
        value = meta.get(key)
        text = set_key(text, key, None if value in ([], {}, "") else value)  # empty: no key
    if "body" in keys and row.values.get("body", "") != old.get("body", ""):
        text = set_body(text, row.values.get("body", ""))
    return text


def _write_staged(staged: dict[Path, tuple[str, str | None]], root: Path, folder: Path,
                  result: ImportResult) -> None:
    """Write each changed file atomically; if one write fails, put back the ones written."""
    done: list[tuple[Path, str | None]] = []
    try:
        for file, (text, old) in staged.items():
            if text == old:
                result.unchanged.append(file)
                continue
            written = write_atomic(file, text, root)
            done.append((written, old))
            (result.created if old is None else result.updated).append(written)
    except BaseException:
        for written, old in reversed(done):
            if old is None:
                written.unlink(missing_ok=True)
            else:
                write_atomic(written, old, root)
        if result.created_project:
            try:
                folder.rmdir()
            except OSError:
                pass
        raise


def _problems_caused(workspace, today: dt.date) -> list[Problem]:
    """Return the errors of `mdpm check` after the import that it did not have before."""
    from .workspace import check, load_portfolio

    before = check(workspace, today)
    return new_errors(before, check(load_portfolio(workspace.config), today))


def format_import(result: ImportResult, root: Path) -> tuple[str, str]:
    """Return (stdout, stderr) of `mdpm import`: the files written, a summary, warnings."""
    base = root.resolve()
    out = "".join(f"{p.relative_to(base).as_posix()}\n" for p in [*result.created,
                                                                  *result.updated])
    err = (f"mdpm: imported {plural(result.rows, 'task')} into {result.project}: "
           f"{len(result.created)} created, {len(result.updated)} updated, "
           f"{len(result.unchanged)} unchanged\n")
    if result.broken:
        err += (f"mdpm: warning: mdpm check will fail: the import causes "
                f"{plural(len(result.broken), 'error')}:\n" +
                "".join(f"  {p.format()}\n" for p in result.broken))
    return out, err


def _assign_stems(rows: list[_Row], folder: Path, name: str) -> list[str]:
    """Give each row its file name; return the problems of the `id` column."""
    taken: set[str] = set()
    problems = []
    for row in rows:
        wanted = row.values.get("id", "")
        if wanted:
            problem = new_id_problem(wanted, "id")
            if problem:
                problems.append(f"{name}: row {row.number}: {problem}")
            elif wanted in taken:
                problems.append(f"{name}: row {row.number}: id `{wanted}` is used twice")
            row.stem = wanted
            row.existing = problem is None and (folder / f"{wanted}.md").is_file()
        else:
            row.stem = unique_stem(folder, slugify(row.values.get("title", "") or "task"), taken)
        taken.add(row.stem)
    return problems


def row_meta(row: _Row, config: Config, portfolio: Portfolio, project: str,
             stems: set[str]) -> tuple[dict, list[str]]:
    """Return (front-matter in the house order, problems) for one CSV row."""
    values, problems = row.values, []
    title = values.get("title", "")
    if not title:
        problems.append("the title is empty")
    meta: dict = {"title": title}
    owner = values.get("owner", "")
    if owner:
        owners = _split(owner)
        problems.extend(_person_problems(config, owners, "owner"))
        meta["owner"] = owners[0] if len(owners) == 1 else owners
    collaborators, found = _parse_collaborators(values.get("collaborators", ""), config)
    problems.extend(found)
    meta["collaborators"] = collaborators
    stage = values.get("stage", "")
    if stage:
        ids = [s.id for s in config.stages]
        if config.stage(stage) is None:
            problems.append(f"stage `{stage}` is not in the workflow ({', '.join(ids)})"
                            f"{nearest(stage, ids)}")
        meta["stage"] = stage
    deps = _split(values.get("depends-on", ""))
    for dep in deps:
        full = dep if "/" in dep else f"{project}/{dep}"
        if dep not in stems and full not in portfolio.tasks:
            problems.append(f"depends on `{dep}`, which is neither a row of this file nor a task")
    meta["depends-on"] = deps
    for key in ("due", "created"):
        problems.extend(_date_problems(values.get(key, ""), key))
    meta["due"] = values.get("due") or None
    priority = values.get("priority", "").lower()
    if priority and priority not in PRIORITIES:
        problems.append(f"priority `{priority}` must be one of {', '.join(PRIORITIES)}"
                        f"{nearest(priority, PRIORITIES)}")
    meta["priority"] = priority if priority and priority != "normal" else None
    meta["estimate"], found = _estimate(values.get("estimate", ""))
    problems.extend(found)
    for key in ("blocked", "expedite"):
        meta[key] = values.get(key) or None
    meta["tags"] = _split(values.get("tags", ""))
    meta["created"] = values.get("created") or None
    meta["body"] = values.get("body") or None
    return meta, problems


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _person_problems(config: Config, handles: list[str], column: str) -> list[str]:
    problems = []
    known = [p.handle for p in config.people.values()]
    for handle in handles:
        if not HANDLE_RE.match(handle):
            problems.append(f"{column} `{handle}` is not a handle (ASCII letters, digits, ., -, _)")
        elif config.people and config.person(handle) is None:
            problems.append(f"{column} `{handle}` is not in [people] of mdpm.toml"
                            f"{nearest(handle, known)}")
    return problems


def _parse_collaborators(text: str, config: Config):
    """Parse `role: who, role: who` or `who, who` into the front-matter value."""
    parts = _split(text)
    if not parts:
        return None, []
    if not any(":" in p for p in parts):
        return parts, _person_problems(config, parts, "collaborator")
    roles: dict[str, object] = {}
    problems = []
    for part in parts:
        role, sep, who = (s.strip() for s in part.partition(":"))
        if not sep or not role or not who:
            problems.append(f"collaborators: write `role: handle, role: handle`, not `{part}`")
            continue
        problems.extend(_person_problems(config, [who], "collaborator"))
        existing = roles.get(role)
        roles[role] = who if existing is None else [*([existing] if isinstance(existing, str)
                                                      else existing), who]
    return roles, problems


def _date_problems(text: str, key: str) -> list[str]:
    if not text:
        return []
    if not DATE_RE.match(text):
        return [f"{key} `{text}` is not a date; {_date_hint(text)}"]
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return [f"{key} `{text}` is not a day of the calendar"]
    return []


def _date_hint(text: str) -> str:
    """Suggest the YYYY-MM-DD form of a spreadsheet date when only one reading is possible."""
    parts = re.fullmatch(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})", text.strip())
    if not parts:
        return "write YYYY-MM-DD"
    a, b, c = (int(x) for x in parts.groups())
    if len(parts.group(1)) == 4:
        readings = {(a, b, c)}
    elif len(parts.group(3)) == 4:
        readings = {(c, a, b), (c, b, a)}  # month first (12/15/2026) or day first (15.12.2026)
    else:
        return "write YYYY-MM-DD"
    days = sorted({d for d in (_real_day(*r) for r in readings) if d is not None})
    if len(days) == 1:
        return f"write {days[0].isoformat()}"
    if days:
        return f"write YYYY-MM-DD ({' or '.join(d.isoformat() for d in days)}?)"
    return "write YYYY-MM-DD"


def _real_day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _estimate(text: str):
    if not text:
        return None, []
    try:
        value = float(text)
    except ValueError:
        return None, [f"estimate `{text}` is not a number of working days"]
    if value < 0 or value != value or value in (float("inf"), float("-inf")):
        return None, [f"estimate `{text}` must be zero or more working days"]
    return (int(value) if value.is_integer() else value), []
