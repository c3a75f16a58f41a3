"""Open a repository: config, documents and the portfolio, with every problem found."""

from __future__ import annotations

import datetime as dt
import functools
import gc
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from . import check as rules
from .config import Config, find_root, load_config_strict
from .errors import Problem, sort_problems
from .cache import cache_dir as cache_folder
from .load import RawDoc, count_checklist, find_documents, id_problems, read_document
from .model import Portfolio, Task, build_model, build_task
from .parallel import in_background, split_map
from .snapshot import LoadSnapshot, file_stamps

PARALLEL_FROM = 1000
"""Share the reading between processes from this many files on per process."""
STAT_APART_FROM = 2000
"""Take the files' stamps in a child process from this many files on."""


@dataclass
class Workspace:
    """A loaded repository: what the content says and what is wrong with it."""

    root: Path
    config: Config
    portfolio: Portfolio
    problems: list[Problem]
    """Problems of loading and modelling; `check()` adds those of the rules."""


def open_workspace(start: Path | None = None, *, cache: bool = False,
                   bodies: bool = True) -> Workspace:
    """Find mdpm.toml at or above `start`, read the config and all project files.

    With `cache`, parsed files are kept in the cache folder (`mdpm.cache.cache_dir`, outside
    the work tree) and reused while a file's size, modification time and inode do not
    change. Without `bodies`, tasks carry no Markdown body, only its checklist counts (less
    memory for large checks).
    """
    root = find_root(start or Path.cwd())
    config = load_config_strict(root)
    return load_portfolio(config, cache=cache, bodies=bodies)


def load_portfolio(config: Config, *, cache: bool = False, bodies: bool = True,
                   stamps: dict[str, tuple[int, int, int]] | None = None,
                   listing: dict | None = None) -> Workspace:
    """Read every project file of a config's repository into a portfolio.

    Files are read, parsed and turned into tasks on every core (see `mdpm.parallel`). With
    `cache`, files unchanged since the last load are taken from its snapshot (see
    `mdpm.snapshot`) and only the others are read; `stamps` (path -> size, mtime, inode)
    and `listing` (folder -> its entries), taken just before by a walk of the content
    folder (see `mdpm.load.walk`), spare looking at the files and folders again.
    """
    root = config.root
    with _collector_paused():
        files, problems = find_documents(root, listing)
        if cache:
            items, found, names = _load_through_snapshot(config, files, bodies, stamps)
        else:
            items, found, names = _read_all(config, bodies, files)
        problems += found
        portfolio, model_problems = build_model(items, config)
    problems += id_problems(names)
    return Workspace(root, config, portfolio, [*problems, *model_problems])


def _read_all(config: Config, bodies: bool, files):
    """Read every file, forked when they are many; return items, problems and names."""
    items: list[RawDoc | Task] = []
    problems: list[Problem] = []
    names: list[tuple[str, str, str, str]] = []
    for part_items, part_problems, part_names in split_map(
            functools.partial(_read_part, config, bodies), files, min_items=PARALLEL_FROM):
        items += part_items
        for found in part_problems.values():
            problems += found
        names += part_names
    return items, problems, names


def _load_through_snapshot(config: Config, files, bodies: bool, known: dict | None = None):
    """Take the files unchanged since the last load from its snapshot, read the others, and
    save the snapshot; return items, problems and names."""
    with _stamps([path for path, _, _ in files], known) as stamps:
        snapshot = LoadSnapshot(cache_folder(config.root), config, bodies=bodies)
        loaded = snapshot.take(files, stamps())
    todo = [n for n, got in enumerate(loaded) if got is None]
    if todo:
        _read_files(config, bodies, files, loaded, todo)
    snapshot.save(files, loaded)
    items = [item for item, _ in loaded]
    problems = [problem for _, found in loaded for problem in found]
    return items, problems, _names(items)


def _stamps(paths: list[str], known: dict | None = None):
    """The files' stamps (those `known` lacks are taken); with many files and none known,
    taken by a child process while this one reads the snapshot (both take about as long)."""
    if known:
        return nullcontext(functools.partial(file_stamps, paths, known))
    if len(paths) >= STAT_APART_FROM:
        return in_background(file_stamps, paths)
    return nullcontext(functools.partial(file_stamps, paths))


def _read_files(config: Config, bodies: bool, files, loaded: list, todo: list[int]) -> None:
    """Read the files at the `todo` positions into `loaded`, forked when they are many."""
    parts = split_map(functools.partial(_read_part, config, bodies), [files[n] for n in todo],
                      min_items=PARALLEL_FROM)
    start = 0
    for items, problems, _ in parts:
        for offset, item in enumerate(items):
            loaded[todo[start + offset]] = (item, problems.get(offset, ()))
        start += len(items)


def _read_part(config: Config, bodies: bool, files):
    """Read some files and build their tasks; return them, {position: problems} and the
    files' names (see `_names`)."""
    items: list[RawDoc | Task] = []
    problems: dict[int, list[Problem]] = {}
    root = config.root
    for position, (path, project, kind) in enumerate(files):
        doc, found = read_document(root, path, project, kind)
        if kind == "task":
            if not bodies:
                doc.checklist, doc.body = count_checklist(doc.body), ""
            items.append(build_task(doc, config, found))
        else:
            items.append(doc)
        if found:
            problems[position] = found
    return items, problems, _names(items)


def _names(items) -> list[tuple[str, str, str, str]]:
    """The (rel, project, stem, kind) of each file, as `id_problems` takes them."""
    return [(item.path, item.project, item.id, "task") if isinstance(item, Task)
            else (item.rel, item.project, item.stem, item.kind) for item in items]


def check(workspace: Workspace, today: dt.date) -> list[Problem]:
    """Return every problem of the workspace and its rules, sorted by file and line."""
    with _collector_paused():
        found = rules.check(workspace.portfolio, today)
    return sort_problems([*workspace.problems, *found])


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while building many acyclic objects.

    It would otherwise walk every object built so far again and again (about 10% of a
    large check); reference counting still frees everything as usual. On leaving, what was
    built joins the oldest generation unexamined (a full collection still finds any cycle):
    else the first collection after it would walk it all. A heap the caller froze (`mdpm
    serve` does) stays frozen.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
