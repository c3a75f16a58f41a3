"""Open a repository: config, documents and the portfolio, with every problem found."""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import check as rules
from .config import Config, find_root, load_config_strict
from .errors import Problem, sort_problems
from .cache import cache_dir as cache_folder
from .load import load_documents
from .model import Portfolio, build_model


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
    """Read every project file of a config's repository into a portfolio."""
    cache_dir = cache_folder(config.root) if cache else None
    with _collector_paused():
        docs, load_problems = load_documents(config.root, cache_dir, bodies=bodies)
        portfolio, model_problems = build_model(docs, config)
    return Workspace(config.root, config, portfolio, [*load_problems, *model_problems])


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
