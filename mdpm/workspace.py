"""Open a repository: config, documents and the portfolio, with every problem found."""

from __future__ import annotations

import datetime as dt
import functools
import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import check as rules
from .config import Config, find_root, load_config_strict
from .errors import Problem, sort_problems
from .cache import cache_dir as cache_folder
from .load import (DocumentCache, RawDoc, doc_names, find_documents, id_problems,
                   read_documents)
from .model import Portfolio, Task, build_model, build_task
from .parallel import split_map

PARALLEL_FROM = 1000
"""Share the reading between processes from this many files on per process."""


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


def load_portfolio(config: Config, *, cache: bool = False, bodies: bool = True) -> Workspace:
    """Read every project file of a config's repository into a portfolio.

    Files are read, parsed and turned into tasks on every core (see `mdpm.parallel`).
    """
    root = config.root
    with _collector_paused():
        files, problems = find_documents(root)
        documents = DocumentCache(cache_folder(root), root) if cache else None
        items: list[RawDoc | Task] = []
        names: list[tuple[str, str, str, str]] = []
        new_entries, kept_entries = {}, []
        for part, part_names, found, (new, kept) in split_map(
                functools.partial(_read_part, config, documents, bodies), files,
                min_items=PARALLEL_FROM):
            items += part
            names += part_names
            problems += found
            new_entries.update(new)
            kept_entries += kept
        if documents is not None:
            documents.new, documents.kept = new_entries, kept_entries
            documents.save()
        portfolio, model_problems = build_model(items, config)
    problems += id_problems(names)
    return Workspace(root, config, portfolio, [*problems, *model_problems])


def _read_part(config: Config, documents: DocumentCache | None, bodies: bool, files):
    """Read some files and build their tasks; return the cache entries made on the way."""
    if documents is not None:
        documents.new, documents.kept = {}, []
    docs, problems = read_documents(config.root, files, documents, bodies=bodies)
    items = [build_task(doc, config, problems) if doc.kind == "task" else doc for doc in docs]
    fresh = (documents.new, documents.kept) if documents is not None else ({}, [])
    return items, doc_names(docs), problems, fresh


def check(workspace: Workspace, today: dt.date) -> list[Problem]:
    """Return every problem of the workspace and its rules, sorted by file and line."""
    with _collector_paused():
        found = rules.check(workspace.portfolio, today)
    return sort_problems([*workspace.problems, *found])


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while building many acyclic objects.

    It would otherwise walk every object built so far again and again (about 10% of a
    large check); reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
