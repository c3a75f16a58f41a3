"""Find the task files and read their front-matter; the only module that parses YAML."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import ID_RE, slugify
from .errors import ERROR, WARNING, Problem
from .simpleyaml import fast_parse

MAX_FILE_BYTES = 8 * 1024 * 1024
# Both anchored on "\n" rather than `^` with MULTILINE: the same lines, several times faster.
_CHECKBOX = re.compile(r"\n[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\]")
_FENCED = re.compile(r"\n(```|~~~).*?\n\1", re.DOTALL)
FENCE = "---"
INDEX_FILE = "_index.md"
RETRO_FILE = "_retro.md"


@dataclass
class RawDoc:
    """One Markdown file as read from disk: its front-matter, body and key lines."""

    path: str | Path
    rel: str
    project: str
    stem: str
    kind: str  # "task", "index" or "retro"
    meta: dict | None = None
    """None when the front-matter could not be read (a problem says why)."""
    body: str = ""
    body_line: int = 1
    key_lines: dict[str, int] = field(default_factory=dict)
    checklist: tuple[int, int] | None = None
    """(ticked, total) checklist items, set when the body was not kept."""

    @property
    def ref(self) -> str:
        return f"{self.project}/{self.stem}"

    def line_of(self, key: str) -> int:
        """Return the line of a front-matter key, or of the opening fence."""
        return self.key_lines.get(key, 1)


def load_documents(root: Path, cache_dir: Path | None = None, *,
                   bodies: bool = True) -> tuple[list[RawDoc], list[Problem]]:
    """Read every project file under root/content/projects; return docs and problems.

    With `cache_dir` (see `mdpm.cache.cache_dir`: never a folder inside the work tree), the
    front-matter of files whose size, modification time and inode did not change since the
    last run is taken from a cache kept there. Without `bodies`, each
    task's body is dropped once its checklist is counted, so memory stays small.
    """
    files, problems = find_documents(root)
    cache = DocumentCache(cache_dir, root) if cache_dir is not None else None
    docs, found = read_documents(root, files, cache, bodies=bodies)
    if cache:
        cache.save()
    return docs, [*problems, *found, *id_problems(doc_names(docs))]


def find_documents(root: Path, listing: dict[str, list[os.DirEntry]] | None = None
                   ) -> tuple[list[tuple[Path, str, str]], list[Problem]]:
    """Return the (path, project, kind) of every project file, and the files skipped.

    `listing` holds folders' entries as `walk` just found them (the others are listed)."""
    skipped: list[tuple[Path, str]] = []
    files = list(discover(root, skipped, listing))
    return files, [skipped_problem(path, why, root) for path, why in skipped]


def skipped_problem(path: Path, why: str, root: Path) -> Problem:
    """The warning for a file or project folder `discover` does not read, and why."""
    return Problem(display_path(path, root), 1, "file-skipped", WARNING, f"{why}; it is not read")


def read_documents(root: Path, files, cache: DocumentCache | None = None, *,
                   bodies: bool = True) -> tuple[list[RawDoc], list[Problem]]:
    """Read the files found by `find_documents`, through the cache when there is one."""
    docs: list[RawDoc] = []
    problems: list[Problem] = []
    for path, project, kind in files:
        doc, found = cache.read(root, path, project, kind, bodies=bodies) if cache \
            else read_document(root, path, project, kind)
        if not bodies and kind == "task" and doc.checklist is None:
            doc.checklist, doc.body = count_checklist(doc.body), ""
        docs.append(doc)
        if found:
            problems.extend(found)
    return docs, problems


def cache_file_name(stem: str, root: Path) -> str:
    """Return `stem-<key of root>.json`: one file per repository root in a shared cache folder.

    Worktrees of one repository share git's folder, and one repository may hold several
    mdpm roots; each keeps its own file instead of overwriting the others'.
    """
    path = str(Path(root).resolve()).encode("utf-8", "surrogateescape")
    return f"{stem}-{hashlib.blake2b(path, digest_size=8).hexdigest()}.json"


class DocumentCache:
    """Parsed front-matter keyed by (path, size, mtime_ns, inode), kept as JSON in a cache folder.

    The folder is outside the work tree (a commit cannot plant a cache), and the cache is
    JSON, so even a crafted one is only data. An entry is used only while the file's size,
    modification time and inode are those it was stored with, by the same mdpm version. The
    body is read from the file again (that costs about what loading it from JSON would),
    unless only a task's checklist counts are asked for: the entry holds them.
    Files modified in the last seconds before a save are not stored, because a second edit
    within the file system's time resolution would look unchanged.
    """

    STEM = "documents"
    FORMAT = 3
    RACY_NS = 2_000_000_000

    def __init__(self, folder: Path, root: Path):
        self.folder = Path(folder)
        self.file = self.folder / cache_file_name(self.STEM, root)
        self.prefix = len(str(root)) + 1
        self.header = [self.FORMAT, __version__, MAX_FILE_BYTES, str(root)]
        self.old = self._load()
        self.kept: list[str] = []
        """Keys of the old entries still true."""
        self.new: dict[str, list] = {}
        """Entries of the files read again."""

    def _load(self) -> dict:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("header") != self.header:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def read(self, root: Path, path: Path, project: str, kind: str, *,
             bodies: bool = True) -> tuple[RawDoc, list[Problem]]:
        """read_document, with the front-matter from the cache when the file is unchanged.

        Without `bodies`, an unchanged task file is not read at all: its doc has no body,
        only the checklist counts."""
        key = str(path)[self.prefix:]
        try:
            stat = os.stat(path)
        except OSError:
            return read_document(root, path, project, kind)
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        entry = self.old.get(key)
        if isinstance(entry, list) and len(entry) == 8 and entry[:3] == stamp:
            hit = self._from_entry(root, path, project, kind, entry, bodies)
            if hit is not None:
                self.kept.append(key)
                return hit
        doc, problems = read_document(root, path, project, kind)
        if json_plain(doc.meta) and json_plain(doc.key_lines):
            checklist = list(count_checklist(doc.body)) if kind == "task" else None
            self.new[key] = [*stamp, doc.meta, doc.body_line, doc.key_lines,
                             [[p.line, p.code, p.severity, p.message] for p in problems],
                             checklist]
        return doc, problems

    def _from_entry(self, root, path, project, kind, entry,
                    bodies: bool = True) -> tuple[RawDoc, list[Problem]] | None:
        rel = display_path(path, root)
        _, _, _, meta, body_line, key_lines, problems, checklist = entry
        if not _entry_shape_ok(meta, body_line, key_lines, problems):
            return None
        found = [Problem(rel, line, code, severity, message)
                 for line, code, severity, message in problems]
        if not bodies and kind == "task" and _is_checklist(checklist):
            return RawDoc(path=path, rel=rel, project=project, stem=_stem(path), kind=kind,
                          meta=meta, body_line=body_line, key_lines=key_lines,
                          checklist=tuple(checklist)), found
        try:
            text, problem = decode(read_bytes(path), rel)
        except (OSError, FileTooLarge):
            return None
        if problem:
            return None
        doc = RawDoc(path=path, rel=rel, project=project, stem=_stem(path), kind=kind,
                     meta=meta, body=_after_line(text, body_line - 1), body_line=body_line,
                     key_lines=key_lines)
        return doc, found

    def save(self) -> None:
        """Write the cache when it changed; a cache that cannot be written is skipped."""
        if not self.new and len(self.kept) == len(self.old):
            return
        temp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(temp, "w", encoding="utf-8") as handle:
                settled = os.fstat(handle.fileno()).st_mtime_ns - self.RACY_NS
                entries = {key: self.old[key] for key in self.kept}
                entries.update((k, v) for k, v in self.new.items() if v[1] < settled)
                handle.write(json.dumps({"header": self.header, "entries": entries}))
            os.replace(temp, self.file)
        except OSError:
            temp.unlink(missing_ok=True)


def _entry_shape_ok(meta, body_line, key_lines, problems) -> bool:
    """True when a cache entry holds what read_document would have made."""
    return (isinstance(meta, dict | None) and isinstance(body_line, int)
            and isinstance(key_lines, dict) and isinstance(problems, list)
            and all(isinstance(p, list) and len(p) == 4 for p in problems))


def _is_checklist(value) -> bool:
    return isinstance(value, list) and len(value) == 2 \
        and all(type(n) is int and n >= 0 for n in value)


def _after_line(text: str, count: int) -> str:
    """Return text after its first `count` lines."""
    position = 0
    for _ in range(count):
        position = text.find("\n", position) + 1
        if position == 0:
            return ""
    return text[position:]


_CACHED_DEPTH = 32
"""Deeper values are not cached: JSON reads and writes them recursively."""


def json_plain(value) -> bool:
    """True when JSON gives the value back unchanged and it is not deeply nested."""
    pending = [(value, 0)]
    while pending:
        value, depth = pending.pop()
        if value is None or isinstance(value, (str, bool, int, float)):
            continue
        if depth >= _CACHED_DEPTH:
            return False
        if isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict) and all(isinstance(k, str) for k in value):
            pending.extend((item, depth + 1) for item in value.values())
        else:
            return False
    return True


def discover(root: Path, skipped: list[tuple[Path, str]] | None = None,
             listing: dict[str, list[os.DirEntry]] | None = None):
    """Yield (path, project id, kind) for each project file, in a stable order.

    Paths are strings (scandir's own, cheaper than 10,000 Path objects). Symbolic links
    that leave the repository or cannot be followed are not yielded; they are added to
    `skipped`, with the reason. A folder in `listing` (see `walk`) is not listed again.
    """
    listed = (listing or {}).get
    base = root / "content" / "projects"
    projects = listed(str(base))
    if projects is None:
        if not base.is_dir():
            return
        projects = _sorted_entries(base)
    for project_dir in projects:
        if project_dir.name.startswith((".", "_")):
            continue
        refused = link_refused(project_dir, root) if project_dir.is_symlink() else None
        if refused:
            if skipped is not None:
                skipped.append((base / project_dir.name, refused))
            continue
        if not project_dir.is_dir():
            continue
        entries = listed(project_dir.path)
        for entry in _sorted_entries(project_dir.path) if entries is None else entries:
            name = entry.name
            if not name.endswith(".md"):
                continue
            kind = _kind_of(name)
            if kind is None:
                continue
            refused = link_refused(entry, root) if entry.is_symlink() else None
            if refused:
                if skipped is not None:
                    skipped.append((base / project_dir.name / name, refused))
                continue
            if entry.is_file():
                yield entry.path, project_dir.name, kind


def _stem(path) -> str:
    """The file name without `.md`."""
    return os.path.basename(path)[:-3]


def _sorted_entries(folder) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=_name)


def _name(entry: os.DirEntry) -> str:
    return entry.name


def walk(top: str, listing: dict[str, list[os.DirEntry]] | None = None):
    """Yield (folder, the names of its files, sorted) for `top` and each folder under it, as
    `os.walk` finds them, subfolders in order (symbolic links to folders and `__pycache__`
    are not entered). With `listing`, each folder's entries, sorted by name, are kept there
    by its path: `discover` then need not list the folder again."""
    try:
        with os.scandir(top) as scan:
            entries = sorted(scan, key=_name)
    except OSError:
        return
    if listing is not None:
        listing[top] = entries
    folders: list[os.DirEntry] = []
    files: list[str] = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            folders.append(entry)
        else:
            files.append(entry.name)
    yield top, files
    for folder in folders:
        if folder.name != "__pycache__" and not folder.is_symlink():
            yield from walk(os.path.join(top, folder.name), listing)


def link_refused(link: os.DirEntry | Path, root: Path) -> str | None:
    """Why a symlink is not read, or None: it is read only when it leads to a file or folder
    inside the repository."""
    try:
        target = Path(os.fspath(link)).resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        return "a symbolic link that cannot be followed (it loops, or what it names is missing)"
    if not target.is_relative_to(root.resolve()):
        return "a symbolic link that leads outside the repository"
    return None


def _kind_of(name: str) -> str | None:
    if name == INDEX_FILE:
        return "index"
    if name == RETRO_FILE:
        return "retro"
    if name.startswith("_"):
        return None
    return "task"


def printable(name: str) -> str:
    """Return a file name that can be printed, even when its bytes are not UTF-8."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def display_path(path: Path, root: Path) -> str:
    """Return path relative to root, POSIX style, printable even for odd file names."""
    full, prefix = str(path), str(root)
    if full.startswith(prefix) and full[len(prefix):len(prefix) + 1] == os.sep:
        rel = full[len(prefix) + 1:]
        rel = rel.replace(os.sep, "/") if os.sep != "/" else rel
    else:
        rel = Path(path).relative_to(root).as_posix()
    return printable(rel)


def read_document(root: Path, path: Path, project: str, kind: str) -> tuple[RawDoc, list[Problem]]:
    """Read one file; never raises for bad content, returns problems instead."""
    rel = display_path(path, root)
    doc = RawDoc(path=path, rel=rel, project=project, stem=_stem(path), kind=kind)
    try:
        data = read_bytes(path)
    except FileTooLarge as exc:
        return doc, [_problem(rel, 1, "frontmatter", f"the file is {_size(exc.size)}, over "
                              f"the {_size(MAX_FILE_BYTES)} limit for a task file; move "
                              "large content elsewhere and link to it")]
    except OSError as exc:
        return doc, [_problem(rel, 1, "frontmatter", f"cannot read the file: {exc.strerror}")]
    text, problem = decode(data, rel)
    if problem:
        return doc, [problem]
    if kind == "retro":
        doc.meta, doc.body = {}, text
        return doc, []
    return doc, parse_front_matter(doc, text)


class FileTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


_FIRST_READ = 1 << 16


def read_bytes(path) -> bytes:
    """Return a file's bytes; raise FileTooLarge past MAX_FILE_BYTES (without reading it).

    Plain `os.read` calls: about twice as fast as `open()` for many small files.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) < _FIRST_READ and len(data) <= MAX_FILE_BYTES:
            return data
        size = max(os.fstat(fd).st_size, len(data))
        if size > MAX_FILE_BYTES:
            raise FileTooLarge(size)
        chunks = [data]
        while chunk := os.read(fd, max(_FIRST_READ, size - len(data))):
            chunks.append(chunk)
            size = sum(map(len, chunks))
            if size > MAX_FILE_BYTES:
                raise FileTooLarge(size)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count}-byte"
    if count < 1024 * 1024:
        return f"{-(-count // 1024)} KiB"
    return f"{count / 1024 / 1024:.1f} MiB".replace(".0 ", " ")


def count_checklist(body: str) -> tuple[int, int]:
    """Return (ticked, total) task-list items in Markdown, ignoring fenced code."""
    if "[" not in body:
        return 0, 0
    text = "\n" + body
    if "```" in body or "~~~" in body:
        text = _FENCED.sub("\n", text)
    marks = _CHECKBOX.findall(text)
    return len(marks) - marks.count(" "), len(marks)


def decode(data: bytes, rel: str) -> tuple[str, Problem | None]:
    """Decode UTF-8 (a BOM is allowed) and normalise line endings to \\n."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        return "", _problem(rel, line, "encoding",
                            f"not UTF-8: byte 0x{data[exc.start]:02x} in column {column} is not "
                            "a UTF-8 character; save the file as UTF-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


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
    if not text.startswith(FENCE + "\n"):
        return None
    match = _CLOSING_FENCE.search(text, len(FENCE) + 1)
    return match.start() if match else None


_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def parse_front_matter(doc: RawDoc, text: str) -> list[Problem]:
    """Fill doc.meta, body and key lines from `text`; return the problems found."""
    newline = text.find("\n")
    first = text if newline < 0 else text[:newline]
    if first.rstrip() != FENCE:
        doc.body = text
        return [_problem(doc.rel, 1, "frontmatter",
                         "no front-matter: the file must start with a line `---`, then the "
                         "YAML keys (title, owner, stage, ...), then a closing `---`")]
    parts = split_front_matter(text if first == FENCE else FENCE + text[newline:])
    if parts is None:
        doc.body = text
        return [_problem(doc.rel, 1, "frontmatter",
                         "the front-matter is not closed: add a line `---` after the last key")]
    yaml_text, doc.body, doc.body_line = parts
    parsed = fast_parse(yaml_text)
    if parsed is None:
        full = _full_yaml()
        try:
            parsed = full.parse(yaml_text)
        except full.YAMLError as exc:
            return [_yaml_problem(doc.rel, yaml_text, exc, full.RefusedYamlError)]
    meta, key_lines = parsed
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
    """Return (value, {top-level key: 0-based line}) for a YAML document.

    Raises yaml.YAMLError (only the full reader raises, and only for invalid YAML)."""
    return fast_parse(yaml_text) or _full_yaml().parse(yaml_text)


def _full_yaml():
    from . import fullyaml

    return fullyaml


def __getattr__(name: str):
    """The full reader's names, still reachable from here (imported on first use)."""
    if name in ("TaskLoader", "RefusedYamlError", "refuse_references"):
        return getattr(_full_yaml(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_UNCLOSED = {
    "flow sequence": "a list `[` that is not closed by `]` on this line",
    "flow mapping": "a mapping `{` that is not closed by `}` on this line",
    "quoted scalar": "a quoted value whose closing quote is missing",
}


def _yaml_problem(rel: str, yaml_text: str, exc: Exception, refused: type) -> Problem:
    lines = yaml_text.split("\n")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    context_text = getattr(exc, "context", None) or ""
    unclosed = next((text for kind, text in _UNCLOSED.items() if kind in context_text), "")
    if context is not None and (unclosed or mark is None or mark.line >= len(lines) - 1):
        mark = context  # the parser noticed later (or at the closing fence); the cause began here
    line = (mark.line + 2) if mark is not None else 2
    source = lines[line - 2] if 0 <= line - 2 < len(lines) else ""
    reason = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    if isinstance(exc, refused):
        message = reason
    elif "\t" in source or "'\\t'" in str(exc):
        message = "a tab in the front-matter: YAML indents with spaces only"
    elif "duplicate key" in reason:
        message = f"{reason}: each key may appear once"
    elif unclosed:
        message = f"{unclosed} (YAML: {reason})"
    else:
        message = f"the front-matter is not valid YAML: {reason}"
        if ": " in source.split(":", 1)[-1] or "#" in source:
            message += " (put quotes around a value that contains `: ` or ` #`)"
    return _problem(rel, line, "frontmatter", message)


def _yaml_kind(value) -> str:
    return "list" if isinstance(value, list) else f"single value ({value!r:.40})"


def doc_names(docs) -> list[tuple[str, str, str, str]]:
    """The (rel, project, stem, kind) of each document, as `id_problems` takes them."""
    return [(doc.rel, doc.project, doc.stem, doc.kind) for doc in docs]


def id_problems(names) -> list[Problem]:
    """Report bad file and folder names and references that two files share.

    `names` holds the (rel, project, stem, kind) of each file (see `doc_names`)."""
    problems = []
    checked: dict[str, bool] = {}
    stems: dict[str, bool] = {}
    """Whether each file name is an id (the same names recur in every project)."""
    seen: dict[str, str] = {}
    for rel, project, stem, kind in names:
        if project not in checked:
            checked[project] = bool(ID_RE.match(project))
            if not checked[project]:
                problems.append(_problem(rel, 1, "id-invalid",
                                         _rename_hint("project folder", project)))
        if kind != "task":
            continue
        valid = stems.get(stem)
        if valid is None:
            valid = stems[stem] = bool(ID_RE.match(stem))
        if not valid:
            problems.append(_problem(rel, 1, "id-invalid", _rename_hint("task file name", stem)))
        key = f"{project}/{stem}"
        if not (valid and checked[project]):  # an id has no capitals to lower
            key = key.lower()
        if key in seen:
            problems.append(_problem(rel, 1, "id-duplicate",
                                     f"`{project}/{stem}` is also the reference of {seen[key]}"))
        else:
            seen[key] = rel
    return problems


def _rename_hint(what: str, name: str) -> str:
    name = printable(name)
    return (f"{what} `{name}` may only use lowercase letters, digits, - and _ "
            f"(starting with a letter or digit); rename it to `{slugify(name)}`")


def _problem(rel: str, line: int, code: str, message: str) -> Problem:
    return Problem(rel, line, code, ERROR, message)
