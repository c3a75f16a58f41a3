"""Find the task files and read their front-matter; the only module that parses YAML."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .config import ID_RE, slugify
from .errors import ERROR, Problem

MAX_FILE_BYTES = 8 * 1024 * 1024
FENCE = "---"
INDEX_FILE = "_index.md"
RETRO_FILE = "_retro.md"


# YAML 1.2-like scalars: only true/false are booleans, no timestamps, decimal numbers
# only, so `no`, `on`, `012`, `10:00` and dates stay the strings the author typed.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp",
            "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class TaskLoader(_Base):
    """A safe YAML loader without YAML 1.1 surprises, rejecting duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


TaskLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
TaskLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
TaskLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
TaskLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789."))


# The fast path. Most front-matter is `key: value` lines, flow lists of words and one level
# of block list or mapping; reading those by hand is ~20x faster than building PyYAML nodes.
# Anything else (quotes with escapes, anchors, nesting, odd characters, duplicate keys, ...)
# returns None and goes through TaskLoader, so both paths give the same values (a test
# compares them on random input).
_NOT_SIMPLE_CHARS = re.compile("[^\x0A\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\U00010000-\U0010FFFF]")
_FAST_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
_FAST_CHILD_KEY = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
_FAST_ITEM = re.compile(r"( *)- +(.*)$")
_PLAIN = re.compile(r"(?![-?:](?:\s|$))[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#]*?|[-?:][^\s#][^#]*?")
_FLOW_ITEM = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:,\[\]{}#]*|-[^\s:,\[\]{}#][^:,\[\]{}#]*")
_SPECIAL_KEYS = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class _NotSimple(Exception):
    """The text needs the full YAML parser."""


def _fast_parse(yaml_text: str) -> tuple[object, dict] | None:
    """Return parse_yaml's result for simple front-matter, or None to use TaskLoader."""
    if _NOT_SIMPLE_CHARS.search(yaml_text):
        return None
    try:
        return _fast_mapping(yaml_text.split("\n"))
    except _NotSimple:
        return None


def _fast_mapping(lines: list[str]) -> tuple[dict | None, dict]:
    meta: dict = {}
    key_lines: dict = {}
    open_key = None  # a key with no value yet: block children may follow
    children: list = []
    for number, raw in enumerate(lines):
        line = _strip_comment(raw)
        if not line.strip():
            continue
        if open_key is not None and (line[0] == " " or line.startswith("- ")):
            children.append(line)
            continue
        if open_key is not None:
            meta[open_key] = _fast_block(children)
            open_key = None
        found = _FAST_KEY.match(line)
        if not found or found.group(1) in meta or found.group(1) in _SPECIAL_KEYS:
            raise _NotSimple
        key, value = found.group(1), found.group(2)
        key_lines[key] = number
        if value is None or not value.strip():
            open_key, children = key, []
            meta[key] = None
        else:
            meta[key] = _fast_value(value.rstrip())
    if open_key is not None:
        meta[open_key] = _fast_block(children)
    if not key_lines:
        return None, {}
    return meta, key_lines


def _strip_comment(line: str) -> str:
    if "#" not in line:
        return line.rstrip()
    if "'" in line or '"' in line:
        raise _NotSimple
    if line.lstrip().startswith("#"):
        return ""
    cut = line.find(" #")
    if cut < 0:
        raise _NotSimple
    return line[:cut].rstrip()


def _fast_block(children: list[str]):
    """Return the value of a block list or one-level mapping."""
    if not children:
        return None
    items = [_FAST_ITEM.match(c) for c in children]
    if all(items):
        indents = {m.group(1) for m in items}
        if len(indents) != 1:
            raise _NotSimple
        if not all(m.group(2).strip() for m in items):
            raise _NotSimple
        return [_fast_value(m.group(2).rstrip(), nested=True) for m in items]
    pairs = [_FAST_CHILD_KEY.match(c) for c in children]
    if not all(pairs) or len({m.group(1) for m in pairs}) != 1:
        raise _NotSimple
    mapping = {}
    for m in pairs:
        key, value = m.group(2), m.group(3)
        if key in mapping or key in _SPECIAL_KEYS:
            raise _NotSimple
        mapping[key] = None if value is None or not value.strip() else _fast_value(
            value.rstrip(), nested=True)
    return mapping


def _fast_value(text: str, nested: bool = False):
    if text[0] == "[" and text[-1] == "]" and not nested:
        inner = text[1:-1].strip()
        if not inner:
            return []
        items = [item.strip() for item in inner.split(",")]
        if not all(_FLOW_ITEM.fullmatch(item) for item in items):
            raise _NotSimple
        return [_fast_scalar(item) for item in items]
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"' or "\\" in text or '"' in text[1:-1]:
            raise _NotSimple
        return text[1:-1]
    if text[0] == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _NotSimple
        return inner.replace("''", "'")
    if not _PLAIN.fullmatch(text) or ": " in text or text.endswith(":"):
        raise _NotSimple
    return _fast_scalar(text)


def _fast_scalar(text: str):
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] in "-+.0123456789":
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text)
    if text in ("<<", "="):
        raise _NotSimple
    return text


@dataclass
class RawDoc:
    """One Markdown file as read from disk: its front-matter, body and key lines."""

    path: Path
    rel: str
    project: str
    stem: str
    kind: str  # "task", "index" or "retro"
    meta: dict | None = None
    """None when the front-matter could not be read (a problem says why)."""
    body: str = ""
    body_line: int = 1
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.project}/{self.stem}"

    def line_of(self, key: str) -> int:
        """Return the line of a front-matter key, or of the opening fence."""
        return self.key_lines.get(key, 1)


def load_documents(root: Path) -> tuple[list[RawDoc], list[Problem]]:
    """Read every project file under root/content/projects; return docs and problems."""
    docs: list[RawDoc] = []
    problems: list[Problem] = []
    for path, project, kind in discover(root):
        doc, found = read_document(root, path, project, kind)
        docs.append(doc)
        problems.extend(found)
    problems.extend(id_problems(docs))
    return docs, problems


def discover(root: Path):
    """Yield (path, project id, kind) for each project file, in a stable order."""
    base = root / "content" / "projects"
    if not base.is_dir():
        return
    for project_dir in _sorted_entries(base):
        if not project_dir.is_dir() or project_dir.name.startswith((".", "_")):
            continue
        for entry in _sorted_entries(Path(project_dir.path)):
            if not entry.name.endswith(".md") or not _is_regular_file(entry, root):
                continue
            kind = _kind_of(entry.name)
            if kind:
                yield Path(entry.path), project_dir.name, kind


def _sorted_entries(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda e: e.name)


def _is_regular_file(entry: os.DirEntry, root: Path) -> bool:
    if not entry.is_symlink():
        return entry.is_file()
    # A symlink is read only when it stays inside the repository.
    target = Path(entry.path).resolve()
    return target.is_file() and target.is_relative_to(root.resolve())


def _kind_of(name: str) -> str | None:
    if name == INDEX_FILE:
        return "index"
    if name == RETRO_FILE:
        return "retro"
    if name.startswith("_"):
        return None
    return "task"


def display_path(path: Path, root: Path) -> str:
    """Return path relative to root, POSIX style, printable even for odd file names."""
    rel = path.relative_to(root).as_posix()
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_document(root: Path, path: Path, project: str, kind: str) -> tuple[RawDoc, list[Problem]]:
    """Read one file; never raises for bad content, returns problems instead."""
    rel = display_path(path, root)
    doc = RawDoc(path=path, rel=rel, project=project, stem=path.name[:-3], kind=kind)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return doc, [_problem(rel, 1, "frontmatter", f"file is {size // 1024} KiB, over the "
                                  f"{MAX_FILE_BYTES // 1024 // 1024} MiB limit for a task file")]
        data = path.read_bytes()
    except OSError as exc:
        return doc, [_problem(rel, 1, "frontmatter", f"cannot read the file: {exc.strerror}")]
    text, problem = decode(data, rel)
    if problem:
        return doc, [problem]
    if kind == "retro":
        doc.meta, doc.body = {}, text
        return doc, []
    return doc, parse_front_matter(doc, text)


def decode(data: bytes, rel: str) -> tuple[str, Problem | None]:
    """Decode UTF-8 (a BOM is allowed) and normalise line endings to \\n."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", _problem(rel, line, "encoding",
                            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                            "save the file as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (yaml text, body, first body line) or None when there is no closing fence."""
    end = _closing_fence(text)
    if end is None:
        return None
    yaml_text = text[len(FENCE) + 1:end]
    rest = text[end:]
    newline = rest.find("\n")
    body = "" if newline < 0 else rest[newline + 1:]
    body_line = yaml_text.count("\n") + 3
    return yaml_text, body, body_line


def _closing_fence(text: str) -> int | None:
    """Return the offset of the closing `---` (or `...`) line of the front-matter."""
    pos = len(FENCE) + 1
    if text.startswith(FENCE + "\n") is False:
        return None
    for match in re.finditer(r"^(?:---|\.\.\.)[ \t]*$", text[pos:], re.MULTILINE):
        return pos + match.start()
    return None


def parse_front_matter(doc: RawDoc, text: str) -> list[Problem]:
    """Fill doc.meta, body and key lines from `text`; return the problems found."""
    first = text.split("\n", 1)[0]
    if first.rstrip() != FENCE:
        doc.body = text
        return [_problem(doc.rel, 1, "frontmatter",
                         "no front-matter: the file must start with a line `---`, then the "
                         "YAML keys (title, owner, stage, ...), then a closing `---`")]
    parts = split_front_matter(text if first == FENCE else FENCE + "\n" + text.split("\n", 1)[1])
    if parts is None:
        doc.body = text
        return [_problem(doc.rel, 1, "frontmatter",
                         "the front-matter is not closed: add a line `---` after the last key")]
    yaml_text, doc.body, doc.body_line = parts
    try:
        meta, key_lines = parse_yaml(yaml_text)
    except yaml.YAMLError as exc:
        return [_yaml_problem(doc.rel, yaml_text, exc)]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return [_problem(doc.rel, 2, "frontmatter",
                         f"the front-matter must be `key: value` lines, not a "
                         f"{_yaml_kind(meta)}")]
    doc.meta = meta
    doc.key_lines = {key: line + 2 for key, line in key_lines.items()}
    return [_problem(doc.rel, doc.line_of(k), "frontmatter", f"key {k!r} must be a word")
            for k in meta if not isinstance(k, str)]


def parse_yaml(yaml_text: str) -> tuple[object, dict]:
    """Return (value, {top-level key: 0-based line}) for a YAML document."""
    simple = _fast_parse(yaml_text)
    if simple is not None:
        return simple
    loader = TaskLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line
    return value, key_lines


def _yaml_problem(rel: str, yaml_text: str, exc: yaml.YAMLError) -> Problem:
    lines = yaml_text.split("\n")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    if mark is not None and context is not None and mark.line >= len(lines) - 1:
        mark = context  # the parser noticed at the closing fence; the cause is where it began
    line = (mark.line + 2) if mark is not None else 2
    source = lines[line - 2] if 0 <= line - 2 < len(lines) else ""
    reason = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    if "\t" in source or "'\\t'" in str(exc):
        message = "a tab in the front-matter: YAML indents with spaces only"
    elif "duplicate key" in reason:
        message = f"{reason}: each key may appear once"
    else:
        message = f"the front-matter is not valid YAML: {reason}"
        if ": " in source.split(":", 1)[-1] or "#" in source:
            message += " (put quotes around a value that contains `: ` or ` #`)"
    return _problem(rel, line, "frontmatter", message)


def _yaml_kind(value) -> str:
    return "list" if isinstance(value, list) else f"single value ({value!r:.40})"


def id_problems(docs: list[RawDoc]) -> list[Problem]:
    """Report bad file and folder names and references that two files share."""
    problems = []
    bad_projects = set()
    for doc in docs:
        if not ID_RE.match(doc.project) and doc.project not in bad_projects:
            bad_projects.add(doc.project)
            problems.append(_problem(doc.rel, 1, "id-invalid", _rename_hint("project folder", doc.project)))
        if doc.kind == "task" and not ID_RE.match(doc.stem):
            problems.append(_problem(doc.rel, 1, "id-invalid", _rename_hint("task file name", doc.stem)))
    seen: dict[str, RawDoc] = {}
    for doc in docs:
        if doc.kind != "task":
            continue
        key = doc.ref.lower()
        if key in seen:
            problems.append(_problem(doc.rel, 1, "id-duplicate",
                                     f"`{doc.ref}` is also the reference of {seen[key].rel}"))
        else:
            seen[key] = doc
    return problems


def _rename_hint(what: str, name: str) -> str:
    return (f"{what} `{name}` may only use lowercase letters, digits, - and _ "
            f"(starting with a letter or digit); rename it to `{slugify(name)}`")


def _problem(rel: str, line: int, code: str, message: str) -> Problem:
    return Problem(rel, line, code, ERROR, message)
