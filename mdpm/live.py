"""The builder behind `mdpm serve`: one full build, then only what each save affects.

It keeps every file's `RawDoc`, the history (mined once; again only when HEAD moves), the
rendered Markdown and the last site. A saved task file is re-read alone and its project
modelled again and spliced into the portfolio. Its own page is rendered first from a small
site of its neighbourhood and handed over at once; then the checks and the site model run
over everything and only the pages the change touches (`render.pages_for`) are rendered,
and written when their bytes changed: the task's, its neighbours', its project's, the
boards, people and review pages.
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
from .serve import Built
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
        self.unsettled: set[str] = set()
        """Refs saved whose full update was interrupted: the next update includes them."""
        self.workers = 1
        self.site: Site | None = None
        self.renderer: Renderer | None = None
        self.day: dt.date | None = None
        self.touched: set[str] = set()
        """Files saved while serving: their errors are shown over the pages."""

    # --- the two entry points of a builder ----------------------------------------------------

    def build(self, out_dir: Path) -> Built:
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
        timer = _Timer()
        site, renderer = self._compose(self._model(None), now, timer)
        self.workers = 1
        write_site(render_site(site, renderer), out_dir)
        self.markdown.save(keep=set(site.markdown))
        self.site, self.renderer, self.day = site, renderer, now.date()
        self.unsettled = set()
        self.timings = timer.laps
        return Built(self._shown(self.problems))

    def update(self, out_dir: Path, changed: set[Path], *,
               early: Callable[[Built], None] | None = None,
               interrupted: Callable[[], bool] = lambda: False) -> Built | None:
        """Update out_dir for changed paths; None when nothing the site shows changed.

        With `early`, the saved tasks' own pages are rendered first from a small site of
        their projects and neighbours, and handed over; then the whole site model is
        rebuilt and every affected page rendered (skipped when `interrupted()` says newer
        saves wait: the next update covers these refs too).
        """
        self.touched.update(self._rel(p) for p in changed if self._rel(p))
        if self.site is None or any(self._needs_full_build(p) for p in changed):
            return self.build(out_dir)
        now = self.now()
        if now.date() != self.day:  # ages and "as of" move on at midnight
            return self.build(out_dir)
        try:
            return self._update(out_dir, changed, now, early, interrupted)
        except BaseException:
            self.site = None  # the documents moved on without the pages: rebuild all next
            raise

    def _update(self, out_dir: Path, changed: set[Path], now: dt.datetime, early,
                interrupted) -> Built | None:
        timer = _Timer()
        refs, projects, saved = self._reread(changed)
        if self._refresh_history(force=False):
            return self.build(out_dir)  # a commit or checkout: every page may change
        if not refs and not projects and not self.unsettled:
            return None
        timer.lap("read")
        portfolio = self._model(projects)
        timer.lap("model")
        if early is not None and refs:
            early(self._first_pages(out_dir, portfolio, refs, projects, saved, now))
            timer.lap("saved pages")
        refs |= self.unsettled
        self.unsettled = refs  # until the site below is complete
        composed = self._compose(portfolio, now, timer, interrupted)
        if composed is None:
            return None
        site, renderer = composed
        paths = pages_for(self.site, refs, self.renderer) | pages_for(site, refs, renderer)
        gone = {p for p in paths if p in self.renderer.by_path and p not in renderer.by_path}
        written = _write_changed(out_dir, render_pages(site, paths, renderer), gone, interrupted)
        timer.lap("render+write")
        if written is None:
            return None
        self.site, self.renderer, self.unsettled = site, renderer, set()
        self.timings = {**timer.laps, "pages": len(paths), "changed": len(written)}
        return Built(self._shown(self.problems), written)

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

    def _reread(self, changed: set[Path]) -> tuple[set[str], set[str], set[str]]:
        """Re-read changed project files; return the refs, projects and files they touch."""
        refs: set[str] = set()
        projects: set[str] = set()
        saved: set[str] = set()
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
            saved.add(self._rel(path))
            refs.update(self._refs_of(path.parent.name, path.name[:-3], kind))
        if added:  # keep the order `discover` reads files in
            self.docs = dict(sorted(self.docs.items(), key=lambda item: _order(item[0])))
        return refs, projects, saved

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

    def _compose(self, portfolio: Portfolio, now: dt.datetime, timer: "_Timer",
                 interrupted: Callable[[], bool] = lambda: False) -> tuple[Site, Renderer] | None:
        """Checks and site model of the whole portfolio; None when interrupted."""
        docs = list(self.docs.values())
        load_problems = [p for found in self.doc_problems.values() for p in found]
        load_problems += id_problems(docs)
        model_problems = [p for found in self.model_problems.values() for p in found]
        workspace = Workspace(self.root, self.config, portfolio, load_problems + model_problems)
        problems = check(workspace, now.date())
        timer.lap("check")
        markdown = self.markdown.render_all(markdown_texts(portfolio), workers=self.workers)
        timer.lap("markdown")
        if interrupted():
            return None
        site = build_site(workspace, problems, self.history, now, markdown=markdown)
        timer.lap("site model")
        if interrupted():
            return None
        renderer = renderer_for(site)
        timer.lap("page plan")
        self.problems = problems
        return site, renderer

    def _first_pages(self, out_dir: Path, portfolio: Portfolio, refs: set[str],
                     projects: set[str], saved: set[str], now: dt.datetime) -> Built:
        """Render the saved tasks' and projects' pages from a site of just their neighbourhood.

        The whole site model takes seconds on big sites; this one takes milliseconds. Its
        pages can differ from the final ones only in what depends on far-away tasks (rule
        problems, counts); the full update that follows rewrites and reloads those.
        """
        small = _neighbourhood(portfolio, refs, projects, self.site)
        problems = [p for p in self.problems if p.path not in saved]
        saved_docs = [d for d in self.docs.values() if d.rel in saved]
        problems += [p for d in saved_docs for p in self.doc_problems[d.path]]
        problems += [p for pid in projects for p in self.model_problems.get(pid, ())
                     if p.path in saved]
        problems += id_problems(saved_docs)
        workspace = Workspace(self.root, self.config, small, problems)
        markdown = self.markdown.render_all(markdown_texts(small))
        site = build_site(workspace, problems, self.history, now, markdown=markdown)
        renderer = renderer_for(site)
        paths = {site.tasks[ref].url for ref in refs if ref in site.tasks}
        paths |= {site.project(pid).url for pid in projects if site.project(pid)}
        written = _write_changed(out_dir, render_pages(site, paths, renderer), set(),
                                 lambda: False)
        return Built(self._shown(problems), written)

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

    def _shown(self, problems: list[Problem]) -> list[Problem]:
        """The errors in files saved while serving: what the overlay shows."""
        return sorted(p for p in problems if p.is_error and p.path in self.touched)

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


def _neighbourhood(portfolio: Portfolio, refs: set[str], projects: set[str],
                   site: Site) -> Portfolio:
    """The saved projects whole, plus the tasks their tasks depend on and that need the saved."""
    around = {t.ref for pid in projects if pid in portfolio.projects
              for t in portfolio.projects[pid].tasks}
    for ref in list(around):
        around.update(d for d in portfolio.tasks[ref].depends_on if d in portfolio.tasks)
    for ref in refs:
        view = site.tasks.get(ref)
        if view is not None:  # who depends on a task does not change when it is saved
            around.update(link.ref for link in view.needed_by if link.ref in portfolio.tasks)
    chosen = {}
    kept = {portfolio.tasks[ref].project for ref in around} | (projects & set(portfolio.projects))
    for pid in sorted(kept):
        project = portfolio.projects[pid]
        chosen[pid] = project if pid in projects else dataclasses.replace(
            project, tasks=[t for t in project.tasks if t.ref in around])
    tasks = {t.ref: t for project in chosen.values() for t in project.tasks}
    return dataclasses.replace(portfolio, projects=chosen, tasks=tasks)


def _write_changed(out_dir: Path, pages, gone: set[str], interrupted) -> set[str] | None:
    """Write the pages whose bytes changed and remove `gone`; return the paths changed.

    None when interrupted part way (what was written is correct, the rest is not done).
    """
    written: set[str] = set()

    def changed_only():
        for rel, data in pages:
            if interrupted():
                raise _Interrupted
            if _read_or_none(out_dir / rel) != data:
                written.add(rel)
                yield rel, data

    try:
        update_files(changed_only(), out_dir, remove=gone)
    except _Interrupted:
        return None
    return written | gone


class _Interrupted(Exception):
    """Newer saves are waiting: stop this update, the next one covers it."""


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


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
