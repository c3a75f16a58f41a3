"""Read and validate mdpm.toml: the workflow, the limits, the people and the site."""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import ERROR, ConfigError, Problem, sort_problems

CONFIG_NAME = "mdpm.toml"
STAGE_TYPES = ("queue", "active", "done")
# \Z, not $: `$` also matches before a final newline, and a newline in a handle or id
# would break every line-based output (check, CODEOWNERS).
HANDLE_RE = re.compile(r"^[A-Za-z0-9._-]+\Z")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*\Z")
GITHUB_LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\Z")
"""A GitHub login, without its `@`."""
_WEB_URL = re.compile(r"https?://[^\x00-\x20\x7f/?#\\\"<>`{|}^]+"
                      r"(?:[/?#][^\x00-\x20\x7f\\\"<>`{|}^]*)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")

KNOWN_KEYS = {
    "": ("site", "stage", "limits", "people"),
    "site": ("title", "base_url", "repo_url", "theme"),
    "stage": ("id", "name", "type", "wip", "handoff", "signoff"),
    "limits": ("per_person", "stale_days", "expedite"),
    "people": ("name", "wip", "github", "email"),
}

DEFAULT_STAGES = (("backlog", "queue"), ("doing", "active"), ("done", "done"))


@dataclass(frozen=True)
class Stage:
    """One column of the workflow."""

    id: str
    type: str
    index: int
    name: str = ""
    wip: int | None = None
    """At most this many tasks in the stage, all projects together (expedited ones excepted)."""
    handoff: str | None = None
    """In this stage the task is held by its collaborator in this role."""
    signoff: str | None = None
    """Moving forward out of this stage needs the approval of this role's collaborator."""

    @property
    def title(self) -> str:
        return self.name or self.id.replace("-", " ").replace("_", " ").capitalize()

    @property
    def is_active(self) -> bool:
        return self.type == "active"

    @property
    def is_done(self) -> bool:
        return self.type == "done"


@dataclass(frozen=True)
class Person:
    handle: str
    name: str = ""
    wip: int | None = None
    github: str | None = None
    email: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.handle


@dataclass(frozen=True)
class Site:
    title: str = "Projects"
    base_url: str = ""
    repo_url: str = ""
    theme: str = "default"


@dataclass(frozen=True)
class Limits:
    per_person: int | None = None
    """Active tasks one person may hold at once; None means no limit."""
    stale_days: int = 7
    expedite: int = 1


@dataclass(frozen=True)
class Config:
    root: Path
    site: Site = field(default_factory=Site)
    stages: tuple[Stage, ...] = ()
    limits: Limits = field(default_factory=Limits)
    people: dict[str, Person] = field(default_factory=dict)
    """Keyed by the lower-cased handle."""

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def content_dir(self) -> Path:
        return self.root / "content" / "projects"

    def stage(self, stage_id: str) -> Stage | None:
        return self._stages_by_id.get(stage_id)

    @cached_property
    def _stages_by_id(self) -> dict[str, Stage]:
        return {stage.id: stage for stage in reversed(self.stages)}

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    @property
    def done_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.is_done)

    def person(self, handle: str) -> Person | None:
        return self.people.get(handle.lower())

    def person_limit(self, handle: str) -> int | None:
        person = self.person(handle)
        if person is not None and person.wip is not None:
            return person.wip
        return self.limits.per_person


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above `start` that holds mdpm.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(f"no {CONFIG_NAME} found in {start} or above; run `mdpm init` to make one")


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read root/mdpm.toml; return the config and every problem found in it."""
    path = root / CONFIG_NAME
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"no {CONFIG_NAME} in {root}", path=CONFIG_NAME) from None
    except UnicodeDecodeError as exc:
        data = path.read_bytes()
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError("not UTF-8: save the file as UTF-8", path=CONFIG_NAME,
                          line=line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(f"TOML syntax error: {exc}", path=CONFIG_NAME, line=line) from None
    reader = _Reader(text)
    config = _build_config(root, data, reader)
    return config, reader.problems


def load_config_strict(root: Path) -> Config:
    """Read the config; raise ConfigError listing every error in it."""
    config, problems = load_config(root)
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        count = f"{len(errors)} error{'s' * (len(errors) != 1)}"
        raise ConfigError(f"{CONFIG_NAME} has {count}; fix {'them' if len(errors) > 1 else 'it'} "
                          "and run again", problems=sort_problems(problems))
    return config


def nearest(word: str, choices) -> str:
    """Return ' (did you mean `x`?)' for the closest choice, or ''."""
    import difflib  # only when something is misspelt

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else ""


def _nearest_anywhere(key: str) -> str:
    """Suggest a top-level key, or a table's key written at the top level (`title`)."""
    labels = {name: f"`{name}`" for name in KNOWN_KEYS[""]}
    for table in ("site", "limits"):
        labels.update({name: f"`{name}` under [{table}]" for name in KNOWN_KEYS[table]})
    import difflib

    match = difflib.get_close_matches(key, list(labels), n=1, cutoff=0.6)
    return f"; did you mean {labels[match[0]]}?" if match else ""


def _toml_error_line(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


class _Reader:
    """Collects problems and finds the line of a key in the TOML text."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str, code: str = "config") -> None:
        self.problems.append(Problem(CONFIG_NAME, line, code, ERROR, message))

    def header_line(self, header: str, nth: int = 0) -> int:
        """Return the line of the nth `[header]` (or `[[header]]`) table, else 1."""
        first, _, rest = header.partition(".")
        lines = self._headers.get((first, rest), ())
        return lines[nth] if nth < len(lines) else 1

    @cached_property
    def _headers(self) -> dict[tuple[str, str], list[int]]:
        """Table header lines by (first part, the rest joined by dots), read once."""
        found: dict[tuple[str, str], list[int]] = {}
        for number, line in enumerate(self.lines, 1):
            match = _HEADER.match(line)
            parts = _header_parts(match.group(1)) if match else None
            if parts:
                found.setdefault((parts[0], ".".join(parts[1:])), []).append(number)
        return found

    def key_line(self, start: int, key: str) -> int:
        pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        for number in range(start, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > start and text.lstrip().startswith("["):
                break
            if pattern.match(text):
                return number
        return start

    def unknown_keys(self, table: dict, kind: str, start: int, where: str) -> None:
        known = KNOWN_KEYS[kind]
        for key in table:
            if key not in known:
                line = self.key_line(start, key) if kind else self._top_key_line(key)
                hint = _nearest_anywhere(key) if not kind else nearest(key, known)
                self.problem(line, f"unknown key `{key}` in {where}{hint}", code="key-unknown")

    def _top_key_line(self, key: str) -> int:
        header = self.header_line(key)
        return header if header != 1 else self.key_line(1, key)

    def integer(self, table: dict, key: str, start: int, where: str, minimum: int) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(self.key_line(start, key),
                         f"`{key}` in {where} must be a whole number >= {minimum}, not {value!r}")
            return None
        return value

    def string(self, table: dict, key: str, start: int, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(self.key_line(start, key), f"`{key}` in {where} must be a string")
            return None
        return value

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problem(self.header_line(key), f"`{key}` must be a table ([{key}])")
            return {}
        return value


def _build_config(root: Path, data: dict, reader: _Reader) -> Config:
    reader.unknown_keys(data, "", 1, CONFIG_NAME)
    return Config(
        root=root,
        site=_read_site(reader.table(data, "site"), reader),
        stages=_read_stages(data.get("stage"), reader),
        limits=_read_limits(reader.table(data, "limits"), reader),
        people=_read_people(reader.table(data, "people"), reader),
    )


def _read_site(table: dict, reader: _Reader) -> Site:
    start = reader.header_line("site")
    reader.unknown_keys(table, "site", start, "[site]")
    values = {k: reader.string(table, k, start, "[site]") for k in KNOWN_KEYS["site"]}
    for key in ("base_url", "repo_url"):
        values[key] = _web_url(values[key], key, start, reader)
    return Site(**{k: v for k, v in values.items() if v is not None})


def _web_url(value: str | None, key: str, start: int, reader: _Reader) -> str | None:
    """Return an http(s) URL without its trailing `/`; a problem for anything else.

    These URLs become links on every page: `javascript:` or `data:` would run in readers'
    browsers.
    """
    if not value:
        return value
    if not _WEB_URL.fullmatch(value):
        reader.problem(reader.key_line(start, key),
                       f"`{key}` in [site] must be an http:// or https:// URL without spaces "
                       f"(like https://github.com/org/repo), not {value!r:.80}")
        return None
    return value.rstrip("/")


def _read_limits(table: dict, reader: _Reader) -> Limits:
    start = reader.header_line("limits")
    reader.unknown_keys(table, "limits", start, "[limits]")
    per_person = reader.integer(table, "per_person", start, "[limits]", 1)
    stale = reader.integer(table, "stale_days", start, "[limits]", 1)
    expedite = reader.integer(table, "expedite", start, "[limits]", 0)
    return Limits(
        per_person=per_person,
        stale_days=7 if stale is None else stale,
        expedite=1 if expedite is None else expedite,
    )


def _read_stages(raw, reader: _Reader) -> tuple[Stage, ...]:
    if raw is None:
        return tuple(Stage(id=i, type=t, index=n) for n, (i, t) in enumerate(DEFAULT_STAGES))
    if not isinstance(raw, list) or not raw:
        reader.problem(reader.header_line("stage"), "`stage` must be one or more [[stage]] tables")
        return tuple(Stage(id=i, type=t, index=n) for n, (i, t) in enumerate(DEFAULT_STAGES))
    stages: list[Stage] = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        stage = _read_stage(table, index, len(raw), reader)
        if stage.id in seen:
            reader.problem(reader.header_line("stage", index),
                           f"stage `{stage.id}` is defined twice")
            continue
        seen.add(stage.id)
        stages.append(stage)
    if not any(s.is_done for s in stages):
        reader.problem(reader.header_line("stage", len(raw) - 1),
                       "the workflow has no stage of type `done`")
    return tuple(stages)


def _read_stage(table: dict, index: int, count: int, reader: _Reader) -> Stage:
    start = reader.header_line("stage", index)
    where = f"stage #{index + 1}"
    reader.unknown_keys(table, "stage", start, where)
    stage_id = reader.string(table, "id", start, where)
    if not stage_id:
        reader.problem(start, f"{where} has no `id`")
        stage_id = f"stage-{index + 1}"
    elif not ID_RE.match(stage_id):
        reader.problem(reader.key_line(start, "id"),
                       f"stage id `{stage_id}` must be lowercase letters, digits, - and _; "
                       f"rename it to `{slugify(stage_id)}`")
    default_type = "queue" if index == 0 else "done" if index == count - 1 else "active"
    stage_type = reader.string(table, "type", start, where) or default_type
    if stage_type not in STAGE_TYPES:
        reader.problem(reader.key_line(start, "type"),
                       f"stage `{stage_id}` has type `{stage_type}`; use one of "
                       f"{', '.join(STAGE_TYPES)}{nearest(stage_type, STAGE_TYPES)}")
        stage_type = default_type
    return Stage(
        id=stage_id,
        type=stage_type,
        index=index,
        name=reader.string(table, "name", start, where) or "",
        wip=reader.integer(table, "wip", start, where, 0),
        handoff=reader.string(table, "handoff", start, where),
        signoff=reader.string(table, "signoff", start, where),
    )


_HEADER = re.compile(r"\s*\[+((?:[^\]\"']|\"[^\"]*\"|'[^']*')*)\]+")
_BARE_PART = re.compile(r"[^.\s\"']+")


def _header_parts(inner: str) -> list[str] | None:
    """The dotted parts of a table header (`people."fay"` -> people, fay), or None."""
    parts: list[str] = []
    rest = inner.strip()
    while rest:
        if rest[0] in "\"'":
            end = rest.find(rest[0], 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1:].lstrip()
        else:
            bare = _BARE_PART.match(rest)
            if bare is None:
                return None
            parts.append(bare.group())
            rest = rest[bare.end():].lstrip()
        if rest.startswith("."):
            rest = rest[1:].lstrip()
        elif rest:
            return None
    return parts


def _read_people(table: dict, reader: _Reader) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for handle, entry in table.items():
        start = reader.header_line(f"people.{handle}")
        if start == 1 and _CONTROL.search(handle):  # written with escapes: "fay\n"
            start = reader.header_line(f"people.{json.dumps(handle)[1:-1]}")
        if start == 1:
            start = reader.key_line(reader.header_line("people"), handle)
        where = f"[people.{handle}]"
        if not HANDLE_RE.match(handle):
            shown = handle.encode("unicode_escape").decode() if _CONTROL.search(handle) \
                else handle
            reader.problem(start, f"handle `{shown:.60}` may only use ASCII letters, digits, "
                           "., - and _", code="id-invalid")
        if not isinstance(entry, dict):
            entry = _person_not_a_table(handle, entry, start, reader)
        reader.unknown_keys(entry, "people", start, where)
        if handle.lower() in people:
            reader.problem(start, f"person `{handle}` is listed twice (handles ignore case)",
                           code="id-duplicate")
        people[handle.lower()] = Person(
            handle=handle,
            name=_one_line(entry, "name", start, where, reader) or "",
            wip=reader.integer(entry, "wip", start, where, 0),
            github=_github_login(entry, start, where, reader),
            email=_one_line(entry, "email", start, where, reader),
        )
    return people


def _person_not_a_table(handle: str, entry, start: int, reader: _Reader) -> dict:
    """Report `ana = "Ana"` under [people]; return the entry as a table to go on with."""
    name = json.dumps(entry[:60], ensure_ascii=False) if isinstance(entry, str) else '"..."'
    reader.problem(start, f"person `{handle}` must be a table, not a single value: write "
                   f"[people.{handle}] with name = {name}")
    return {"name": entry} if isinstance(entry, str) else {}


def _one_line(entry: dict, key: str, start: int, where: str, reader: _Reader) -> str | None:
    """Return a string value that holds no line break or other control character."""
    value = reader.string(entry, key, start, where)
    if value is not None and _CONTROL.search(value):
        reader.problem(reader.key_line(start, key), f"`{key}` in {where} must be one line of "
                       f"text, without line breaks or control characters: {value!r:.60}")
        return None
    return value


def _github_login(entry: dict, start: int, where: str, reader: _Reader) -> str | None:
    """Return the GitHub login without `@`; a problem when it is not a possible login."""
    value = reader.string(entry, "github", start, where)
    if value is None:
        return None
    login = value.removeprefix("@")
    if not GITHUB_LOGIN_RE.match(login):
        reader.problem(reader.key_line(start, "github"),
                       f"`github` in {where} must be a GitHub login (letters, digits and -, "
                       f"at most 39, like `alice-ex`), not {value!r:.60}")
        return None
    return login


SLUG_MAX = 60
"""The longest id made from a title: a file name, and a part of every page's path."""
ID_MAX = 100
"""The longest id a new project or task may be given (file names stop at 255 bytes)."""


def new_id_problem(value: str, what: str) -> str | None:
    """What is wrong with `value` as the id of a new project or task, or None."""
    if not ID_RE.match(value):
        return (f"{what} `{value}` may only use lowercase letters, digits, - and _; "
                f"use `{slugify(value)}`")
    if len(value) > ID_MAX:
        return f"{what} `{value[:20]}...` is {len(value)} characters long; use at most {ID_MAX}"
    return None


def slugify(text: str) -> str:
    """Return `text` as a valid id: lowercase ASCII letters, digits, - and _; at most
    SLUG_MAX characters, cut at a word where there is one."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    if len(slug) > SLUG_MAX:
        cut = slug[:SLUG_MAX + 1].rfind("-")
        slug = slug[:cut if cut > SLUG_MAX // 2 else SLUG_MAX].strip("-_")
    return slug or "item"
