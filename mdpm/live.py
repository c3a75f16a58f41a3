"""The builder behind `mdpm serve`: one full build, then only what each save affects.

It keeps every file's `RawDoc`, the history (mined once; again only when HEAD moves), the
rendered Markdown and the last site. A saved task file is re-read alone; its project is
modelled again and spliced into the portfolio, the checks and the site model are run
again, and only the pages the change touches (`render.pages_for`) are rendered: the
task's, its neighbours', its project's, the boards, people and review pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from pathlib import Path
from typing import Callable

from . import clock
from .config import CONFIG_NAME, Config, load_config_strict
from .errors import Problem
from .history import History, read_history
from .load import INDEX_FILE, RETRO_FILE, RawDoc, discover, id_problems, read_document
from .markdown import MarkdownCache, cache_file, default_cache_dir
from .model import Portfolio, build_model
from .render import Renderer, pages_for, render_pages, render_site, renderer_for
from .site import Site, build_site, markdown_texts
from .workspace import Workspace, check
from .write import update_files, write_site

# A change here can change every page: read everything again.
FULL_REBUILD_DIRS = ("templates", "themes")


class LiveSite:
    """Builds the site into a folder, then updates it for sets of changed paths."""

    def __init__(self, root: Path, *, now: Callable[[], dt.datetime] = clock.now):
        self.root = Path(root).resolve()
        self.now = now
        self.config: Config | None = None
        self.docs: dict[Path, RawDoc] = {}
        self.doc_problems: dict[Path, list[Problem]] = {}
        self.history = History()
        self.history_mark: tuple | None = None
        self.markdown = MarkdownCache(cache_file(default_cache_dir(self.root)))
        self.problems: list[Problem] = []
        self.portfolio: Portfolio | None = None
        self.model_problems: dict[str, list[Problem]] = {}
        self.timings: dict[str, float] = {}
        self.workers = 1
        self.site: Site | None = None
        self.renderer: Renderer | None = None
        self.day: dt.date | None = None
        self.touched: set[str] = set()
        """Files saved while serving: their errors are shown over the pages."""

    # --- the two entry points of a builder ----------------------------------------------------

    def build(self, out_dir: Path) -> list[Problem]:
        """Read everything, render every page into out_dir; return the problems to show."""
        self.site = None  # until this build succeeds, every update is a full build
        config = load_config_strict(self.root)  # a broken one raises: the last site stays
        docs, problems = {}, {}
        for path, project, kind in discover(self.root):
            docs[path], problems[path] = read_document(self.root, path, project, kind)
        self.config, self.docs, self.doc_problems = config, docs, problems
        self._refresh_history(force=True)
        now = self.now()
        self.workers = min(4, os.cpu_count() or 1)  # the first build renders every body
        self.portfolio = None
        site, renderer = self._compose(now)
        self.workers = 1
        write_site(render_site(site, renderer), out_dir)
        self.markdown.save(keep=set(site.markdown))
        self.site, self.renderer, self.day = site, renderer, now.date()
        return self._shown()

    def update(self, out_dir: Path, changed: set[Path]) -> list[Problem] | None:
        """Update out_dir for changed paths; None when nothing the site shows changed."""
        self.touched.update(self._rel(p) for p in changed if self._rel(p))
        if self.site is None or any(self._needs_full_build(p) for p in changed):
            return self.build(out_dir)
        now = self.now()
        if now.date() != self.day:  # ages and "as of" move on at midnight
            return self.build(out_dir)
        try:
            return self._update(out_dir, changed, now)
        except BaseException:
            self.site = None  # the documents moved on without the pages: rebuild all next
            raise

    def _update(self, out_dir: Path, changed: set[Path], now: dt.datetime) -> list[Problem] | None:
        started = time.perf_counter()
        refs, projects = self._reread(changed)
        history_moved = self._refresh_history(force=False)
        if not refs and not projects and not history_moved:
            return None
        read_ms = round((time.perf_counter() - started) * 1000, 1)
        old_site, old_renderer = self.site, self.renderer
        site, renderer = self._compose(now, None if history_moved else projects)
        started = time.perf_counter()
        if history_moved:
            write_site(render_site(site, renderer), out_dir)
        else:
            paths = pages_for(old_site, refs, old_renderer) | pages_for(site, refs, renderer)
            gone = {p for p in paths if p in old_renderer.by_path and p not in renderer.by_path}
            update_files(render_pages(site, paths, renderer), out_dir, remove=gone)
            self.timings["pages"] = len(paths)
        self.timings = {"read": read_ms, **self.timings,
                        "render+write": round((time.perf_counter() - started) * 1000, 1)}
        self.site, self.renderer = site, renderer
        return self._shown()

    # --- steps ---------------------------------------------------------------------------------

    def _needs_full_build(self, path: Path) -> bool:
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else None
        if rel is None or not rel.parts:
            return False
        if rel.parts == (CONFIG_NAME,) or rel.parts[0] in FULL_REBUILD_DIRS:
            return True
        if rel.parts[0] != "content" or path.suffix == ".md":
            return False
        # A project folder appeared, went or was renamed: discover the projects again.
        base = self.root / "content" / "projects"
        return path in (base, base.parent) or path.parent == base or path.is_dir()

    def _reread(self, changed: set[Path]) -> tuple[set[str], set[str]]:
        """Re-read changed project files; return the task refs and projects they touch."""
        refs: set[str] = set()
        projects: set[str] = set()
        added = False
        base = self.root / "content" / "projects"
        for path in sorted(changed):
            if path.parent.parent != base or not path.name.endswith(".md"):
                continue
            kind = _kind(path.name)
            if kind is None:
                continue
            old = self.docs.get(path)
            added = added or old is None
            if self._readable(path):
                doc, problems = read_document(self.root, path, path.parent.name, kind)
                if old is not None and _same(old, doc) and problems == self.doc_problems[path]:
                    continue
                self.docs[path], self.doc_problems[path] = doc, problems
            elif old is not None:
                del self.docs[path], self.doc_problems[path]
            else:
                continue
            projects.add(path.parent.name)
            refs.update(self._refs_of(path.parent.name, path.name[:-3], kind))
        if added:  # keep the order `discover` reads files in
            self.docs = dict(sorted(self.docs.items(), key=lambda item: _order(item[0])))
        return refs, projects

    def _readable(self, path: Path) -> bool:
        """A regular file, or a symlink that stays inside the repository (as `discover`)."""
        if not path.is_symlink():
            return path.is_file()
        target = path.resolve()
        return target.is_file() and target.is_relative_to(self.root)

    def _refs_of(self, project: str, stem: str, kind: str) -> set[str]:
        if kind == "task":
            return {f"{project}/{stem}"}
        # The project's own notes: its page and every one of its task pages show them.
        return {ref for ref, task in self.site.tasks.items() if task.project == project}

    def _refresh_history(self, *, force: bool) -> bool:
        """Mine the history at the start, and again only when HEAD moved; tell if it did."""
        mark = _head_mark(self.root)
        if not force and mark == self.history_mark:
            return False
        refs = [doc.ref for doc in self.docs.values() if doc.kind == "task"]
        self.history = read_history(self.root, refs, config=self.config)
        self.history_mark = mark
        return not force

    def _compose(self, now: dt.datetime, projects: set[str] | None = None) -> tuple[Site, Renderer]:
        """Model, checks and site model from the kept documents; time each step."""
        timer = _Timer()
        portfolio = self._model(projects)
        timer.lap("model")
        docs = list(self.docs.values())
        load_problems = [p for found in self.doc_problems.values() for p in found]
        load_problems += id_problems(docs)
        model_problems = [p for found in self.model_problems.values() for p in found]
        workspace = Workspace(self.root, self.config, portfolio, load_problems + model_problems)
        self.problems = check(workspace, now.date())
        timer.lap("check")
        markdown = self.markdown.render_all(markdown_texts(portfolio), workers=self.workers)
        timer.lap("markdown")
        site = build_site(workspace, self.problems, self.history, now, markdown=markdown)
        timer.lap("site model")
        renderer = renderer_for(site)
        timer.lap("page plan")
        self.timings = timer.laps
        return site, renderer

    def _model(self, projects: set[str] | None) -> Portfolio:
        """Build the portfolio; after a save, rebuild only the projects it touched."""
        if projects is None or self.portfolio is None:
            portfolio, problems = build_model(list(self.docs.values()), self.config)
            self.model_problems = _by_project(problems, self.docs.values())
        else:
            docs = [doc for doc in self.docs.values() if doc.project in projects]
            part, problems = build_model(docs, self.config)
            self.model_problems.update(_by_project(problems, docs, projects))
            kept = {pid: p for pid, p in self.portfolio.projects.items() if pid not in projects}
            merged = dict(sorted({**kept, **part.projects}.items()))
            tasks = {task.ref: task for project in merged.values() for task in project.tasks}
            portfolio = dataclasses.replace(self.portfolio, projects=merged, tasks=tasks)
        self.portfolio = portfolio
        return portfolio

    def _shown(self) -> list[Problem]:
        """The errors in files saved while serving: what the overlay shows."""
        return [p for p in self.problems if p.is_error and p.path in self.touched]

    def _rel(self, path: Path) -> str | None:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else None


class _Timer:
    """Milliseconds per step, for the serve benchmark's breakdown."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        moment = time.perf_counter()
        self.laps[name] = round((moment - self._last) * 1000, 1)
        self._last = moment


def _by_project(problems: list[Problem], docs, projects=()) -> dict[str, list[Problem]]:
    """Group model problems by the project of their file (every project in `projects` kept)."""
    project_of = {doc.rel: doc.project for doc in docs}
    grouped: dict[str, list[Problem]] = {project: [] for project in projects}
    for problem in problems:
        grouped.setdefault(project_of.get(problem.path, ""), []).append(problem)
    return grouped


def _kind(name: str) -> str | None:
    if name == INDEX_FILE:
        return "index"
    if name == RETRO_FILE:
        return "retro"
    return None if name.startswith("_") else "task"


def _same(old: RawDoc, new: RawDoc) -> bool:
    return (old.meta, old.body, old.key_lines, old.body_line) == \
        (new.meta, new.body, new.key_lines, new.body_line)


def _order(path: Path) -> tuple[str, str]:
    """The order `discover` yields files in: by project folder, then by file name."""
    return path.parent.name, path.name


def _head_mark(root: Path) -> tuple | None:
    """A cheap fingerprint of HEAD: the reflog and HEAD files change on every commit or checkout."""
    git = root / ".git"
    marks = []
    for name in ("HEAD", "logs/HEAD", "packed-refs"):
        try:
            stat = (git / name).stat()
        except OSError:
            continue
        marks.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(marks) or None
