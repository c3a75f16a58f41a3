"""What loading each project file gave, kept between runs: a warm load reads changed files only.

For each file, by its path relative to the root and its stamp (size, modification time in
nanoseconds, inode): the task built from it (as plain values) or the document of a project
index or retrospective, and the problems found on the way. Task bodies are kept apart, in a
second file, so that a load without bodies (a large `mdpm check`) never reads them.

Both files are plain data in the cache folder (outside the work tree): JSON, a column of
values per line (a few long lists load much faster than a list per file), the bodies'
texts one after the other after it. A save after a few changes writes its new entries to a
second, small file beside each (`.added`, the later entry of a path wins) instead of encoding
everything again; both are written afresh once that one holds an eighth as many entries as
there are files. An entry is used only while the file's
stamp is the one it was stored with, and the whole snapshot only while its header matches:
the format, mdpm's and Python's versions, the file size limit, the root, the config and the
source of the modules that turn a file into a task; values of the wrong type make it unused
too. Files modified in the last seconds before a save are not stored: a second edit within
the file system's time resolution would look unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mmap
import os
import sys
from array import array
from itertools import accumulate, chain
from operator import itemgetter
from pathlib import Path
from threading import get_ident

from . import __version__
from .config import Config
from .errors import Problem
from .load import MAX_FILE_BYTES, RawDoc, cache_file_name, display_path, json_plain
from .model import Collaborator, Task

FORMAT = 2
RACY_NS = 2_000_000_000
_CODE = ("load.py", "simpleyaml.py", "fullyaml.py", "model.py", "config.py", "errors.py",
         "workspace.py", "snapshot.py")
"""The modules whose code decides what a file loads into."""
_UNREADABLE = "cannot read the file"
"""A file that could not be read is not stored: making it readable leaves its stamp as it was."""

_NONE = type(None)
_TEXT = {str, _NONE}
_ANY = None
"""Not checked: a stamp of another type only fails to match."""
_STAMP = {"key": {str}, "size": _ANY, "mtime": _ANY, "ino": _ANY, "problems": {list}}
_TASK_COLUMNS = {
    **_STAMP, "ref": {str}, "project": {str}, "id": {str}, "path": {str}, "title": {str},
    "stage": {str}, "owner": _TEXT, "owners": {list}, "collaborators": {int},
    "depends_on": {list}, "due": _TEXT, "priority": {str}, "estimate": {float, _NONE},
    "blocked": _TEXT, "expedite": _TEXT, "tags": {list}, "created": _TEXT, "body_line": {int},
    "ticked": {int}, "total": {int}, "key_lines": {int}, "holder": _TEXT}
"""Task entries: a column per value (and the types it may hold)."""
_SHARED = {"key_lines": {dict}, "collaborators": {list}, "pairs": {list}}
"""Values most tasks share one of a few of, stored once; task entries hold their number."""
_DOC_COLUMNS = {**_STAMP, "meta": {dict, _NONE}, "body": {str}, "body_line": {int},
                "key_lines": {dict}}
_BODY_COLUMNS = {"key": {str}, "size": _ANY, "mtime": _ANY, "ino": _ANY}
"""The bodies' entries; the text of each is stored apart (see `_ColumnFile`)."""
TASK_FIELDS = ("ref", "project", "id", "path", "title", "stage", "owner", "owners",
               "collaborators", "depends_on", "due", "priority", "estimate", "blocked",
               "expedite", "tags", "created", "body", "body_line", "checklist", "key_lines",
               "holder", "source")
"""Task's fields in the order of its constructor (`_tasks` passes them so)."""

Loaded = tuple[RawDoc | Task, list[Problem]]
Stamps = tuple[array, array, array]
"""The sizes, modification times (ns) and inodes of files; a size of -1 for a file gone."""


def file_stamps(paths, known: dict | None = None) -> Stamps:
    """Return the stamps of the files at `paths`: those in `known` (path -> size, mtime,
    inode) as they are there, the others from the file system."""
    sizes, mtimes, inos = array("q"), array("q"), array("Q")
    known = known or {}
    for path in paths:
        stamp = known.get(path)
        if stamp is not None:
            sizes.append(stamp[0])
            mtimes.append(stamp[1])
            inos.append(stamp[2])
            continue
        try:
            info = os.stat(path)
        except OSError:
            sizes.append(-1)
            mtimes.append(0)
            inos.append(0)
            continue
        sizes.append(info.st_size)
        mtimes.append(info.st_mtime_ns)
        inos.append(info.st_ino)
    return sizes, mtimes, inos


class LoadSnapshot:
    """The snapshot of the last loads of one root, and what this load adds to it."""

    def __init__(self, folder: Path, config: Config, *, bodies: bool = True):
        self.root = str(config.root)
        self.prefix = len(self.root) + 1
        header = [FORMAT, __version__, sys.version, MAX_FILE_BYTES, self.root,
                  _fingerprint(config)]
        folder = Path(folder)
        self.meta = _ColumnFile(folder / cache_file_name("load", config.root), header,
                                {"t": _TASK_COLUMNS, "d": _DOC_COLUMNS}, _SHARED, _meta_ok)
        self.texts = _ColumnFile(folder / cache_file_name("bodies", config.root), header,
                                 {"b": _BODY_COLUMNS}, raw="b.body") if bodies else None
        self.stamps: Stamps = (array("q"), array("q"), array("Q"))
        self.read: list[int] = []
        """Positions of the files `take` did not give (read by the caller)."""

    def take(self, files, stamps: Stamps) -> list[Loaded | None]:
        """For each file, its (task or document, problems) when unchanged, else None.

        `stamps` are the files' (see `file_stamps`)."""
        tasks, docs = self.meta.tables["t"], self.meta.tables["d"]
        texts = self.texts.tables["b"] if self.texts is not None else None
        found: list[Loaded | None] = [None] * len(files)
        self.stamps = stamps
        sizes, mtimes, inos = stamps
        hits: list[int] = []
        """Positions of the unchanged task files, then their entries and body entries."""
        entries: list[int] = []
        bodies: list[int] = []
        prefix = self.prefix
        # `_Table.find` written out for the task entries: this loop runs for every file.
        index, stored = tasks.index, (tasks.sizes, tasks.mtimes, tasks.inos)
        for position, (path, project, kind) in enumerate(files):
            size = sizes[position]
            if size < 0:
                continue
            key = path[prefix:]
            if kind != "task":
                entry = docs.find(key, (size, mtimes[position], inos[position]))
                if entry is not None:
                    docs.kept.append(entry)
                    found[position] = _doc(docs.columns, entry, path,
                                           display_path(path, self.root), project, kind)
                continue
            entry = index.get(key)
            if entry is None or stored[0][entry] != size \
                    or stored[1][entry] != mtimes[position] or stored[2][entry] != inos[position]:
                continue
            tasks.kept.append(entry)
            if texts is not None:
                body = texts.find(key, (size, mtimes[position], inos[position]))
                if body is None:
                    continue
                texts.kept.append(body)
                bodies.append(body)
            hits.append(position)
            entries.append(entry)
        if hits:
            self._tasks(files, hits, entries, bodies, found)
        self.read = [n for n, got in enumerate(found) if got is None]
        return found

    def _tasks(self, files, hits: list[int], entries: list[int], bodies: list[int],
               found: list) -> None:
        """Make the tasks of the unchanged task files (their entries were checked on loading)."""
        column = self.meta.tables["t"].picker(entries)
        key_lines = self.meta.shared["key_lines"]
        collaborators = _collaborators(self.meta.shared["collaborators"],
                                       self.meta.shared["pairs"])
        days = _days(chain(column("due"), column("created")))
        texts = self.texts.tables["b"].picker(bodies)("body") if self.texts is not None \
            else [""] * len(hits)
        made = map(Task, column("ref"), column("project"), column("id"), column("path"),
                   column("title"), column("stage"), column("owner"),
                   map(tuple, column("owners")),
                   map(collaborators.__getitem__, column("collaborators")),
                   map(tuple, column("depends_on")), map(days.__getitem__, column("due")),
                   column("priority"), column("estimate"), column("blocked"),
                   column("expedite"), map(tuple, column("tags")),
                   map(days.__getitem__, column("created")), texts, column("body_line"),
                   zip(column("ticked"), column("total")),
                   map(dict, map(key_lines.__getitem__, column("key_lines"))),
                   column("holder"), [files[n][0] for n in hits])
        for position, task, problems in zip(hits, made, column("problems")):
            found[position] = task, _problems(task.path, problems) if problems else ()

    def save(self, files, loaded: list[Loaded]) -> None:
        """Add the entries of the files read by this load; a failed write is skipped."""
        tasks, docs, texts = [], [], []
        sizes, mtimes, inos = self.stamps
        for n in self.read:
            path, (item, problems) = files[n][0], loaded[n]
            info = (sizes[n], mtimes[n], inos[n]) if sizes[n] >= 0 else None
            key = path[self.prefix:]
            is_task = isinstance(item, Task)
            table = self.meta.tables["t" if is_task else "d"]
            new_entry = table.find(key, info) is None
            new_text = is_task and self.texts is not None \
                and self.texts.tables["b"].find(key, info) is None
            if not (new_entry or new_text) or info is None or not _storable(item, problems):
                continue
            if new_entry:
                row = (key, *info, [[p.line, p.code, p.severity, p.message] for p in problems])
                (tasks if is_task else docs).append((row, item))
            if new_text:
                texts.append((key, *info, item.body))
        self.meta.save(len(files), lambda settled, shared: {
            "t": [(*row, *_task_values(item, shared)) for row, item in tasks if row[2] < settled],
            "d": [(*row, item.meta, item.body, item.body_line, item.key_lines)
                  for row, item in docs if row[2] < settled]})
        if self.texts is not None:
            self.texts.save(sum(kind == "task" for _, _, kind in files), lambda settled, _: {
                "b": [row for row in texts if row[2] < settled]})


def _storable(item: RawDoc | Task, problems: list[Problem]) -> bool:
    """True when JSON keeps what the file gave and the file could be read."""
    rel = item.path if isinstance(item, Task) else item.rel
    if any(p.path != rel or p.message.startswith(_UNREADABLE) for p in problems):
        return False
    lines = item.key_lines
    if not (set(map(type, lines)) <= {str} and set(map(type, lines.values())) <= {int}):
        return False
    return isinstance(item, Task) or json_plain(item.meta)


def _task_values(task: Task, shared: dict[str, _Shared]) -> tuple:
    """The values of a task's entry after its key, stamp and problems."""
    return (task.ref, task.project, task.id, task.path, task.title, task.stage, task.owner,
            list(task.owners),
            shared["collaborators"].number([shared["pairs"].number([c.handle, c.role])
                                            for c in task.collaborators]),
            list(task.depends_on), task.due and task.due.isoformat(), task.priority,
            task.estimate, task.blocked, task.expedite, list(task.tags),
            task.created and task.created.isoformat(), task.body_line, *task.checklist,
            shared["key_lines"].number(task.key_lines), task.holder)


class _Table:
    """The entries of one kind in a column file: the later entry of a key wins."""

    def __init__(self, columns: dict[str, list]):
        self.columns = columns
        self.index = {key: n for n, key in enumerate(columns["key"])}
        self.sizes, self.mtimes, self.inos = columns["size"], columns["mtime"], columns["ino"]
        self.kept: list[int] = []
        """The entries this load used (a save keeps them)."""

    def find(self, key: str, stamp: tuple[int, int, int] | None) -> int | None:
        """The entry of `key` when the file's stamp (size, mtime, inode) is the stored one."""
        n = self.index.get(key)
        if n is None or stamp is None or (self.sizes[n], self.mtimes[n], self.inos[n]) != stamp:
            return None
        return n

    def picker(self, entries: list[int]):
        """Return (column name -> the values of `entries` in that column)."""
        if len(entries) == 1:
            return lambda name: [self.columns[name][entries[0]]]
        pick = itemgetter(*entries)
        return lambda name: pick(self.columns[name])

    def __len__(self) -> int:
        return len(self.columns["key"])


class _Shared:
    """A shared list of values (stored, then added by this save), numbered by their items."""

    def __init__(self, stored: list, added: list):
        self.stored = stored
        self.numbers: dict[tuple, int] | None = None
        self.added = added

    def number(self, value: list | dict) -> int:
        if self.numbers is None:
            self.numbers = {_items(v): n for n, v in reversed(list(enumerate(self.stored)))}
        items = _items(value)
        number = self.numbers.get(items)
        if number is None:
            number = self.numbers[items] = len(self.stored) + len(self.added)
            self.added.append(value)
        return number


def _items(value: list | dict) -> tuple:
    """A key for a list or a mapping (its order counts, as in JSON)."""
    return (dict, *value.items()) if isinstance(value, dict) else (list, *value)


class _ColumnFile:
    """Tables of named columns in one JSON file, a column a line, and the entries added since
    it was written in a second, smaller file of the same layout (`<name>.added`).

    A `raw` column (the bodies) is stored as lengths, its texts one after the other in UTF-8
    after the JSON: reading one back is a decode of a slice of the mapped file, where JSON
    would decode every escaped newline.
    The first file carries a token drawn when it is written; the second is read only with
    the same token, after the first (its later entries win). A save after a few changes
    writes the second file only; both are written afresh once it grows large.
    `shared` lists (see `_SHARED`) only grow, until the files are written afresh.
    """

    END = "\n}}\n"

    def __init__(self, file: Path, header: list, tables: dict[str, dict[str, set | None]],
                 shared: dict[str, set] | None = None, check=None, raw: str | None = None):
        self.file = file
        self.added_file = file.with_name(f"{file.name}.added")
        self.header = header
        self.raw = raw
        self.types = {f"{table}.{name}": types for table, columns in tables.items()
                      for name, types in columns.items()}
        if raw:
            self.types[raw] = {int}
        self.types.update(shared or {})
        self.token: str | None = None
        """The first file's token, when the files were usable."""
        self.added: dict[str, list] = {name: [] for name in self.types}
        """The columns of the second file as read (empty when it was not usable)."""
        columns = self._read(check) or {name: [] for name in self.types}
        self.tables = {table: _Table({name.partition(".")[2]: values
                                      for name, values in columns.items()
                                      if name.partition(".")[0] == table})
                       for table in tables}
        self.shared = {name: columns[name] for name in shared or {}}

    def _read(self, check) -> dict[str, list] | None:
        """The columns of both files, or None when the first is missing, damaged or of
        another kind (a second file of that kind, or of another first file, is left out)."""
        first = self._load(self.file)
        if first is None:
            return None
        columns, token = first
        second = self._load(self.added_file)
        added = second[0] if second is not None and second[1] == token else None
        if added is not None:
            columns = {name: values + added[name] for name, values in columns.items()}
        try:
            if check is not None and not check(columns):
                return None
        except (TypeError, ValueError):
            return None
        self.token = token
        self.added = added or self.added
        return columns

    def _load(self, file: Path) -> tuple[dict[str, list], str] | None:
        """The columns and token of one file, or None when it is not usable."""
        try:
            with open(file, "rb") as handle:
                if os.fstat(handle.fileno()).st_size == 0:
                    return None
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        try:
            return self._parse(data)
        except (ValueError, RecursionError):
            return None
        finally:
            data.close()

    def _parse(self, data: mmap.mmap) -> tuple[dict[str, list], str] | None:
        end = data.find(self.END.encode()) + len(self.END)
        if end < len(self.END):
            return None
        parsed = json.loads(data[:end].decode("utf-8"))
        if not isinstance(parsed, dict) or parsed.get("header") != self.header \
                or not isinstance(parsed.get("token"), str):
            return None
        columns = parsed.get("columns")
        if not isinstance(columns, dict) or list(columns) != list(self.types) \
                or not all(map(_column_ok, columns.values(), self.types.values())):
            return None
        for table in {name.partition(".")[0] for name in self.types if "." in name}:
            if len({len(v) for k, v in columns.items() if k.startswith(table + ".")}) != 1:
                return None
        if self.raw:
            texts = _cut(data, end, columns[self.raw])
            if texts is None:
                return None
            columns[self.raw] = texts
        elif len(data) != end:
            return None
        return columns, parsed["token"]

    def save(self, live: int, make) -> None:
        """Add the entries `make(settled, shared)` gives to the second file; write both
        afresh when it has grown to an eighth of `live` or much is outdated."""
        temp = self.file.with_name(f".{self.file.name}.{os.getpid()}.{get_ident()}.tmp")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as handle:
                added: dict[str, list] = {name: [] for name in self.types}
                shared = {name: _Shared(values, added[name])
                          for name, values in self.shared.items()}
                rows = make(os.fstat(handle.fileno()).st_mtime_ns - RACY_NS, shared)
                for table, entries in rows.items():
                    names = [f"{table}.{name}" for name in self.tables[table].columns]
                    for name, values in zip(names, zip(*entries)):
                        added[name].extend(values)
                new = sum(map(len, rows.values()))
                later = new + sum(len(self.added[f"{table}.key"]) for table in self.tables)
                fresh = self.token is None or later > live / 8 + 64 \
                    or sum(map(len, self.tables.values())) > live * 1.25 + 64
                if not fresh and not new:
                    raise _Unchanged
                if fresh:
                    handle.write(self._fresh(added))
                else:
                    handle.write(self._encoded({name: values + added[name] for name, values
                                                in self.added.items()}, self.token))
            os.replace(temp, self.file if fresh else self.added_file)
            if fresh:
                self.added_file.unlink(missing_ok=True)
        except (OSError, ValueError, _Unchanged):
            temp.unlink(missing_ok=True)

    def _fresh(self, added: dict[str, list]) -> bytes:
        """The first file, with a new token: the entries this load kept, then `added`."""
        columns = {name: list(values) for name, values in self.shared.items()}
        for table_name, table in self.tables.items():
            kept = sorted(set(table.kept))
            pick = table.picker(kept) if kept else (lambda name: ())
            for name in table.columns:
                columns[f"{table_name}.{name}"] = list(pick(name))
        return self._encoded({name: columns[name] + added[name] for name in self.types},
                             os.urandom(8).hex())

    def _encoded(self, columns: dict[str, list], token: str) -> bytes:
        """A file of these columns: its JSON (ASCII), then the raw column's texts in UTF-8."""
        tail = ""
        if self.raw:
            tail = "".join(columns[self.raw])
            columns = {**columns, self.raw: _lengths(columns[self.raw])}
        body = ",\n".join(f"{json.dumps(name)}: {json.dumps(values)}"
                          for name, values in columns.items())
        head = '{"header": %s, "token": %s, "columns": {\n%s%s' % (
            json.dumps(self.header), json.dumps(token), body, self.END)
        return head.encode("ascii") + tail.encode("utf-8")


class _Unchanged(Exception):
    """Nothing to write."""


def _column_ok(values, types: set | None) -> bool:
    return isinstance(values, list) and (types is None or set(map(type, values)) <= types)


def _meta_ok(columns: dict[str, list]) -> bool:
    """True when the values inside the columns are what tasks and documents need.

    (Raises ValueError for a date that is not one.)"""
    words = chain(*(chain.from_iterable(columns[f"t.{name}"])
                    for name in ("owners", "depends_on", "tags")))
    pairs = columns["pairs"]
    problems = chain(*(chain.from_iterable(columns[f"{table}.problems"]) for table in "td"))
    key_lines = [*columns["key_lines"], *columns["d.key_lines"]]
    _days(chain(columns["t.due"], columns["t.created"]))
    return (set(map(type, words)) <= {str}
            and set(map(type, pairs)) <= {list} and set(map(len, pairs)) <= {2}
            and set(map(type, chain.from_iterable(pairs))) <= _TEXT
            and set(map(type, (pair[0] for pair in pairs))) <= {str}
            and _numbers_ok(columns["t.collaborators"], columns["collaborators"])
            and set(map(type, chain.from_iterable(columns["collaborators"]))) <= {int}
            and _numbers_ok(list(chain.from_iterable(columns["collaborators"])), pairs)
            and _numbers_ok(columns["t.key_lines"], columns["key_lines"])
            and set(map(type, chain.from_iterable(map(dict.values, key_lines)))) <= {int}
            and all(map(_problem_ok, problems)))


def _numbers_ok(numbers: list[int], shared: list) -> bool:
    return not numbers or (0 <= min(numbers) and max(numbers) < len(shared))


def _problem_ok(value) -> bool:
    return isinstance(value, list) and len(value) == 4 and type(value[0]) is int \
        and all(isinstance(v, str) for v in value[1:])


def _cut(data: mmap.mmap, start: int, lengths: list[int]) -> list[str] | None:
    """Decode the UTF-8 pieces of these lengths (in bytes) that follow `start`, or None when
    they do not add up to the rest of `data` (raises ValueError for bytes that are not UTF-8)."""
    if sum(lengths) != len(data) - start or (lengths and min(lengths) < 0):
        return None
    ends = list(accumulate(lengths, initial=start))
    with memoryview(data) as view:
        return [str(view[begin:end], "utf-8") for begin, end in zip(ends, ends[1:])]


def _lengths(texts: list[str]) -> list[int]:
    """The length in UTF-8 bytes of each text."""
    return [len(text.encode("utf-8")) for text in texts]


def _days(texts) -> dict[str | None, dt.date | None]:
    """Each date written in `texts` (ISO), by its text; None for None."""
    days: dict[str | None, dt.date | None] = {None: None}
    for text in set(texts):
        if text is not None:
            days[text] = dt.date.fromisoformat(text)
    return days


def _collaborators(shared: list[list[int]], pairs: list[list]) -> list[tuple[Collaborator, ...]]:
    """The collaborators of each shared entry (lists of numbers of (handle, role) pairs)."""
    made = [Collaborator(handle, role) for handle, role in pairs]
    return [tuple(map(made.__getitem__, numbers)) for numbers in shared]


def _doc(column: dict[str, list], n: int, path: str, rel: str, project: str,
         kind: str) -> Loaded:
    """The document of an unchanged index or retrospective file."""
    problems = column["problems"][n]
    doc = RawDoc(path=path, rel=rel, project=project, stem=os.path.basename(path)[:-3],
                 kind=kind, meta=column["meta"][n], body=column["body"][n],
                 body_line=column["body_line"][n], key_lines=column["key_lines"][n])
    return doc, _problems(rel, problems) if problems else []


def _problems(rel: str, values: list) -> list[Problem]:
    return [Problem(rel, *value) for value in values]


def _fingerprint(config: Config) -> str:
    """A hash of the config and of the code that turns files into tasks."""
    digest = hashlib.blake2b(repr(config).encode("utf-8", "surrogateescape"), digest_size=16)
    folder = Path(__file__).parent
    for name in _CODE:
        try:
            digest.update((folder / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()
