"""What loading each project file gave, kept between runs: a warm load reads changed files only.

For each file, by its path relative to the root and its stamp (size, modification time in
nanoseconds, inode): the task built from it (as plain values) or the document of a project
index or retrospective, and the problems found on the way. Task bodies are kept apart, in a
second file, so that a load without bodies (a large `mdpm check`) never reads them.

Both files are plain data in the cache folder (outside the work tree): JSON, a column of
values per line (a few long lists load much faster than a list per file), the bodies'
texts one after the other after it. A column of lists, mappings, dates or numbers with a
fraction (the owners, the tags, the due dates, ...) holds each distinct value once and the
number of each task's: a number below 256 costs Python no new object, and a list or date
that many tasks share is read and made once. A save after a few changes writes its new
entries to a second, small file beside each (`.added`, the later entry of a path wins)
instead of encoding everything again; both are written afresh once that one holds an eighth
as many entries as there are files. An entry is used only while the file's
stamp is the one it was stored with, and the whole snapshot only while its header matches:
the format, mdpm's and Python's versions, the file size limit, the root, the config and the
source of the modules that turn a file into a task; values of the wrong type make it unused
too. Files modified in the last seconds before a save are not stored: a second edit within
the file system's time resolution would look unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import mmap
import os
import sys
from itertools import accumulate, chain, compress, repeat, starmap
from operator import and_, eq, itemgetter
from pathlib import Path
from threading import get_ident

from . import __version__
from .config import Config
from .errors import Problem
from .load import MAX_FILE_BYTES, RawDoc, cache_file_name, display_path, json_plain
from .model import Collaborator, Task

FORMAT = 3
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
    "stage": {str}, "owner": _TEXT, "owners": {list}, "collaborators": {list},
    "depends_on": {list}, "due": _TEXT, "priority": {str}, "estimate": {float, _NONE},
    "blocked": _TEXT, "expedite": _TEXT, "tags": {list}, "created": _TEXT, "body_line": {int},
    "ticked": {int}, "total": {int}, "key_lines": {dict}, "holder": _TEXT}
"""Task entries: a column per value (and the types it may hold)."""
_NUMBERED = {f"t.{name}" for name in ("problems", "owners", "collaborators", "depends_on",
                                       "due", "estimate", "tags", "created", "key_lines")}
"""The columns stored as their distinct values and a number per entry (see `_numbered`):
the lists, mappings, dates and floats, which would otherwise be made once per entry."""
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
Stamps = list[tuple[int, int, int] | None]
"""The size, modification time (ns) and inode of each file; None for a file gone."""


def file_stamps(paths: list[str], known: dict | None = None) -> Stamps:
    """Return the stamps of the files at `paths`: those in `known` (path -> size, mtime,
    inode) as they are there, the others from the file system."""
    stamps: Stamps = list(map((known or {}).get, paths))
    if None not in stamps:
        return stamps
    for n in [n for n, stamp in enumerate(stamps) if stamp is None]:
        try:
            info = os.stat(paths[n])
        except OSError:
            continue
        stamps[n] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return stamps


class LoadSnapshot:
    """The snapshot of the last loads of one root, and what this load adds to it."""

    def __init__(self, folder: Path, config: Config, *, bodies: bool = True):
        self.root = str(config.root)
        self.prefix = len(self.root) + 1
        header = [FORMAT, __version__, sys.version, MAX_FILE_BYTES, self.root,
                  _fingerprint(config)]
        folder = Path(folder)
        self.meta = _ColumnFile(folder / cache_file_name("load", config.root), header,
                                {"t": _TASK_COLUMNS, "d": _DOC_COLUMNS}, _meta_ok,
                                numbered=_NUMBERED)
        self.texts = _ColumnFile(folder / cache_file_name("bodies", config.root), header,
                                 {"b": _BODY_COLUMNS}, raw="b.body") if bodies else None
        self.stamps: Stamps = []
        self.read: list[int] = []
        """Positions of the files `take` did not give (read by the caller)."""

    def take(self, files, stamps: Stamps) -> list[Loaded | None]:
        """For each file, its (task or document, problems) when unchanged, else None.

        `stamps` are the files' (see `file_stamps`)."""
        tasks, docs = self.meta.tables["t"], self.meta.tables["d"]
        texts = self.texts.tables["b"] if self.texts is not None else None
        found: list[Loaded | None] = [None] * len(files)
        self.stamps = stamps
        prefix = self.prefix
        for position in [n for n, (_, _, kind) in enumerate(files) if kind != "task"]:
            path, project, kind = files[position]
            key = path[prefix:]
            entry = docs.find(key, stamps[position])
            if entry is not None:
                docs.kept.append(entry)
                found[position] = _doc(docs.columns, entry, path,
                                       display_path(path, self.root), project, kind)
        # The task files are many: each step below is one pass in C over all of them.
        positions = [n for n, (_, _, kind) in enumerate(files) if kind == "task"]
        keys = [files[n][0][prefix:] for n in positions]
        now = list(map(stamps.__getitem__, positions))
        entries = tasks.entries(keys)
        unchanged = list(map(eq, map(tasks.stamped.__getitem__, entries), now))
        tasks.kept += compress(entries, unchanged)
        bodies: list[int] = []
        if texts is not None:
            bodies = texts.entries(keys)
            unchanged = list(map(and_, unchanged,
                                 map(eq, map(texts.stamped.__getitem__, bodies), now)))
            bodies = list(compress(bodies, unchanged))
            texts.kept += bodies
        hits = list(compress(positions, unchanged))
        if hits:
            self._tasks(files, hits, list(compress(entries, unchanged)), bodies, found)
        self.read = [n for n, got in enumerate(found) if got is None]
        return found

    def _tasks(self, files, hits: list[int], entries: list[int], bodies: list[int],
               found: list) -> None:
        """Make the tasks of the unchanged task files (their entries were checked on loading)."""
        table = self.meta.tables["t"]
        column = table.picker(entries)

        def each(name: str, make) -> list:
            """make(value) for the value of each of these entries in a numbered column, made
            once for each distinct value."""
            return column(name, list(map(make, table.columns[name].values)))

        texts = self.texts.tables["b"].picker(bodies)("body") if self.texts is not None \
            else [""] * len(hits)
        made = map(Task, column("ref"), column("project"), column("id"), column("path"),
                   column("title"), column("stage"), column("owner"),
                   each("owners", tuple), each("collaborators", _collaborators()),
                   each("depends_on", tuple), each("due", _day),
                   column("priority"), column("estimate"), column("blocked"),
                   column("expedite"), each("tags", tuple),
                   each("created", _day), texts, column("body_line"),
                   zip(column("ticked"), column("total")), map(dict, column("key_lines")),
                   column("holder"), [files[n][0] for n in hits])
        for position, task, problems in zip(hits, made, column("problems")):
            found[position] = task, _problems(task.path, problems) if problems else ()

    def save(self, files, loaded: list[Loaded]) -> None:
        """Add the entries of the files read by this load; a failed write is skipped."""
        tasks, docs, texts = [], [], []
        for n in self.read:
            path, (item, problems) = files[n][0], loaded[n]
            info = self.stamps[n]
            key = path[self.prefix:]
            is_task = isinstance(item, Task)
            table = self.meta.tables["t" if is_task else "d"]
            new_entry = table.find(key, info) is None
            new_text = is_task and self.texts is not None \
                and self.texts.tables["b"].find(key, info) is None
            if not (new_entry or new_text) or info is None or not _storable(item, problems):
                continue
            if new_entry:
                row = (key, *info, tuple((p.line, p.code, p.severity, p.message)
                                         for p in problems))
                (tasks if is_task else docs).append((row, item))
            if new_text:
                texts.append((key, *info, item.body))
        self.meta.save(len(files), lambda settled: {
            "t": [(*row, *_task_values(item)) for row, item in tasks if row[2] < settled],
            "d": [(*row, item.meta, item.body, item.body_line, item.key_lines)
                  for row, item in docs if row[2] < settled]})
        if self.texts is not None:
            self.texts.save(sum(kind == "task" for _, _, kind in files), lambda settled: {
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


def _task_values(task: Task) -> tuple:
    """The values of a task's entry after its key, stamp and problems (tuples, which JSON
    writes as lists: `_numbered` tells them apart without encoding them)."""
    return (task.ref, task.project, task.id, task.path, task.title, task.stage, task.owner,
            task.owners, tuple((c.handle, c.role) for c in task.collaborators),
            task.depends_on, task.due and task.due.isoformat(), task.priority,
            task.estimate, task.blocked, task.expedite, task.tags,
            task.created and task.created.isoformat(), task.body_line, *task.checklist,
            task.key_lines, task.holder)


class _Table:
    """The entries of one kind in a column file: the later entry of a key wins."""

    def __init__(self, columns: dict[str, list]):
        self.columns = columns
        self.index = {key: n for n, key in enumerate(columns["key"])}
        self.stamped = [*zip(columns["size"], columns["mtime"], columns["ino"]), ()]
        """The stamp of each entry, then one no file has (see `entries`)."""
        self.kept: list[int] = []
        """The entries this load used (a save keeps them)."""

    def find(self, key: str, stamp: tuple[int, int, int] | None) -> int | None:
        """The entry of `key` when the file's stamp (size, mtime, inode) is the stored one."""
        n = self.index.get(key)
        if n is None or stamp is None or self.stamped[n] != stamp:
            return None
        return n

    def entries(self, keys: list[str]) -> list[int]:
        """The entry of each key; for a key without one, the last of `stamped`."""
        return list(map(self.index.get, keys, repeat(len(self.stamped) - 1)))

    def picker(self, entries: list[int]):
        """Return (column name -> the values of `entries` in that column); for a numbered
        column, `made` gives the value to return for each of its distinct values."""
        pick = itemgetter(*entries) if len(entries) > 1 else lambda values: [values[entries[0]]]

        def column(name: str, made: list | None = None):
            values = self.columns[name]
            if isinstance(values, _Numbered):
                made = values.values if made is None else made
                return list(map(made.__getitem__, pick(values.numbers)))
            return pick(values)
        return column

    def __len__(self) -> int:
        return len(self.columns["key"])


class _ColumnFile:
    """Tables of named columns in one JSON file, a column a line, and the entries added since
    it was written in a second, smaller file of the same layout (`<name>.added`).

    A `raw` column (the bodies) is stored as lengths, its texts one after the other in UTF-8
    after the JSON: reading one back is a decode of a slice of the mapped file, where JSON
    would decode every escaped newline.
    The first file carries a token drawn when it is written; the second is read only with
    the same token, after the first (its later entries win). A save after a few changes
    writes the second file only; both are written afresh once it grows large.
    A `numbered` column is stored as `{"values": [...], "numbers": [...]}` (see `_numbered`)
    and kept as read (`_Numbered`): its entries' values are picked through their numbers.
    """

    END = "\n}}\n"

    def __init__(self, file: Path, header: list, tables: dict[str, dict[str, set | None]],
                 check=None, raw: str | None = None, numbered: set[str] = frozenset()):
        self.file = file
        self.added_file = file.with_name(f"{file.name}.added")
        self.header = header
        self.raw = raw
        self.numbered = numbered
        self.types = {f"{table}.{name}": types for table, columns in tables.items()
                      for name, types in columns.items()}
        if raw:
            self.types[raw] = {int}
        self.token: str | None = None
        """The first file's token, when the files were usable."""
        self.added: dict[str, list] = {name: [] for name in self.types}
        """The columns of the second file as read (empty when it was not usable)."""
        columns = self._read(check) or {name: [] for name in self.types}
        self.tables = {table: _Table({name.partition(".")[2]: values
                                      for name, values in columns.items()
                                      if name.partition(".")[0] == table})
                       for table in tables}

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
        if not isinstance(columns, dict) or list(columns) != list(self.types):
            return None
        for name in self.numbered:
            columns[name] = _Numbered.read(columns[name], self.types[name])
            if columns[name] is None:
                return None
        if not all(_column_ok(values, types) for name, values, types
                   in zip(columns, columns.values(), self.types.values())
                   if name not in self.numbered):
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
        """Add the entries `make(settled)` gives to the second file; write both
        afresh when it has grown to an eighth of `live` or much is outdated."""
        temp = self.file.with_name(f".{self.file.name}.{os.getpid()}.{get_ident()}.tmp")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as handle:
                added: dict[str, list] = {name: [] for name in self.types}
                rows = make(os.fstat(handle.fileno()).st_mtime_ns - RACY_NS)
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
                    handle.write(self._encoded({name: list(values) + added[name]
                                                for name, values in self.added.items()},
                                               self.token))
            os.replace(temp, self.file if fresh else self.added_file)
            if fresh:
                self.added_file.unlink(missing_ok=True)
        except (OSError, ValueError, _Unchanged):
            temp.unlink(missing_ok=True)

    def _fresh(self, added: dict[str, list]) -> bytes:
        """The first file, with a new token: the entries this load kept, then `added`."""
        columns = {}
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
        body = ",\n".join(
            f"{json.dumps(name)}: "
            f"{json.dumps(_numbered(values) if name in self.numbered else values)}"
            for name, values in columns.items())
        head = '{"header": %s, "token": %s, "columns": {\n%s%s' % (
            json.dumps(self.header), json.dumps(token), body, self.END)
        return head.encode("ascii") + tail.encode("utf-8")


class _Unchanged(Exception):
    """Nothing to write."""


def _column_ok(values, types: set | None) -> bool:
    return isinstance(values, list) and (types is None or set(map(type, values)) <= types)


def _numbered(values: list) -> dict[str, list]:
    """A column as its distinct values, in order, and the number of each entry's value."""
    distinct: list = []
    numbers: list[int] = []
    known: dict = {}
    encoded: dict[int, str] = {}
    """The JSON of each list met (the lists read from a snapshot: equal ones are one)."""
    for value in values:
        kind = type(value)
        if kind is str or value is None:
            key = value
        elif kind is list:
            key = encoded.get(id(value))
            if key is None:
                key = encoded[id(value)] = json.dumps(value)
            key = list, key
        elif kind is dict:
            key = dict, *value.items()
        else:  # numbers (1 is not 1.0 nor True) and the tuples of a task's values
            key = kind, value
        number = known.get(key)
        if number is None:
            number = known[key] = len(distinct)
            distinct.append(value)
        numbers.append(number)
    return {"values": distinct, "numbers": numbers}


class _Numbered:
    """A numbered column as read: its distinct values and the number of each entry's."""

    def __init__(self, values: list, numbers: list[int]):
        self.values = values
        self.numbers = numbers

    @classmethod
    def read(cls, column, types: set | None) -> _Numbered | None:
        """The column as JSON gave it (see `_numbered`), or None when it is not one."""
        if not isinstance(column, dict) or list(column) != ["values", "numbers"]:
            return None
        values, numbers = column["values"], column["numbers"]
        if not (_column_ok(values, types) and _column_ok(numbers, {int})) \
                or (numbers and (min(numbers) < 0 or max(numbers) >= len(values))):
            return None
        return cls(values, numbers)

    def __len__(self) -> int:
        return len(self.numbers)

    def __add__(self, later: _Numbered) -> _Numbered:
        start = len(self.values)
        return _Numbered(self.values + later.values,
                         self.numbers + [start + number for number in later.numbers])

    def __iter__(self):
        return map(self.values.__getitem__, self.numbers)


def _meta_ok(columns: dict[str, list]) -> bool:
    """True when the values inside the columns are what tasks and documents need.

    (Raises ValueError for a date that is not one.) Values a numbered column shares are
    looked at once."""
    words = chain.from_iterable(chain(*(_distinct(columns[f"t.{name}"])
                                        for name in ("owners", "depends_on", "tags"))))
    pairs = list(chain.from_iterable(_distinct(columns["t.collaborators"])))
    problems = chain.from_iterable(chain(_distinct(columns["t.problems"]),
                                         columns["d.problems"]))
    key_lines = [*_distinct(columns["t.key_lines"]), *columns["d.key_lines"]]
    for text in chain(_distinct(columns["t.due"]), _distinct(columns["t.created"])):
        _day(text)
    return (set(map(type, words)) <= {str}
            and set(map(type, pairs)) <= {list} and set(map(len, pairs)) <= {2}
            and set(map(type, chain.from_iterable(pairs))) <= _TEXT
            and set(map(type, (pair[0] for pair in pairs))) <= {str}
            and set(map(type, chain.from_iterable(map(dict.values, key_lines)))) <= {int}
            and all(map(_problem_ok, problems)))


def _distinct(column) -> list:
    """The distinct values of a column (a numbered one holds each once)."""
    return column.values if isinstance(column, _Numbered) else column


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


def _day(text: str | None) -> dt.date | None:
    """The date written in `text` (ISO); None for None (raises ValueError for a text that
    is not a date)."""
    return None if text is None else dt.date.fromisoformat(text)


def _collaborators():
    """Return (the (handle, role) pairs of a task -> its collaborators), each collaborator
    made once."""
    collaborator = functools.lru_cache(maxsize=None)(Collaborator)
    return lambda pairs: tuple(starmap(collaborator, pairs))


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
