"""The builder behind `mdpm serve`: one full build, then only what each save affects.

It keeps every file's `RawDoc`, the history (mined once; again only when HEAD moves), the
rendered Markdown and the last site. A saved task file is re-read and modelled alone and
spliced into the portfolio. `update` renders its own page at once from a small site of
the task and its linked tasks; `settle` (on another thread) then runs the checks and the
site model over everything and renders only the pages the change touches
(`render.pages_for`), writing those whose bytes changed: the task's, its neighbours', its
project's, the boards, people and review pages.

On Linux that settling work runs in a `_Settler`: a forked copy of the builder that keeps
its own site and sends back only the pages to write, so its seconds of Python (and its
garbage collections) never hold up this process's interpreter: the saved page, the HTTP
server and the reload channel answer at once. This process writes the pages, so a page
an update wrote for a newer save is never overwritten by an older settle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import pickle
import select
import signal
import stat
import struct
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import clock
from .config import CONFIG_NAME, Config, load_config_strict
from .errors import Problem
from .history import History, read_history
from .load import (INDEX_FILE, RETRO_FILE, RawDoc, discover, doc_names, id_problems,
                   link_refused, read_document, skipped_problem)
from .markdown import MarkdownCache, cache_file, default_cache_dir
from .model import Portfolio, build_model
from .render import Renderer, pages_for, render_pages, render_site, renderer_for
from .site import Site, build_site, markdown_texts
from .workspace import Workspace, check
from .serve import Built, failure_problems
from .write import update_files, write_site

# A change here can change every page: read everything again.
FULL_REBUILD_DIRS = ("templates", "themes")


class LiveSite:
    """Builds the site into a folder, then updates it for sets of changed paths."""

    def __init__(self, root: Path, *, now: Callable[[], dt.datetime] = clock.now,
                 apart: bool | None = None):
        self.root = Path(root).resolve()
        self.now = now
        self.config: Config | None = None
        self.docs: dict[Path, RawDoc] = {}
        self.doc_problems: dict[Path, list[Problem]] = {}
        self.skipped: dict[Path, Problem] = {}
        """The files not read (symbolic links that leave the repository or lead nowhere)."""
        self.history = History()
        self.history_mark: tuple | None = None
        self.markdown = MarkdownCache(cache_file(default_cache_dir(self.root)))
        self.problems: list[Problem] = []
        self.portfolio: Portfolio | None = None
        self.model_problems: dict[str, list[Problem]] = {}
        self.timings: dict[str, float] = {}
        self.unsettled: set[str] = set()
        """Refs saved since the last settle: their other pages are not rendered yet."""
        self.unsettled_projects: set[str] = set()
        self.generation = 0
        """Moves on with every update."""
        self.built_generation = 0
        self.first_paths: dict[int, set[str]] = {}
        """The pages each update (by generation) wrote first: a settle of an older
        generation leaves them alone."""
        self._lock = threading.RLock()
        self.workers = 1
        self.site: Site | None = None
        self.renderer: Renderer | None = None
        self.day: dt.date | None = None
        self.touched: set[str] = set()
        """Files saved while serving: their errors are shown over the pages."""
        self.apart = can_settle_apart() if apart is None else apart
        """Settle in a forked `_Settler` (else on the caller's thread, here)."""
        self._settler: _Settler | None = None
        self._unsent: set[Path] = set()
        """Paths updated since the settler last heard of them."""

    # --- the entry points of a builder ---------------------------------------------------------

    def build(self, out_dir: Path) -> Built:
        """Read everything, render every page into out_dir; return the problems to show."""
        with self._lock:
            self._stop_settler()  # its copy of the site is of the past
            self.generation += 1
            self.built_generation = self.generation  # a settle still running gives up
            self.site = None  # until this build succeeds, every update is a full build
            self.renderer = None  # a theme may have changed: no card is reused
            config = load_config_strict(self.root)  # a broken one raises: the last site stays
            docs, problems, skipped = {}, {}, []
            for found, project, kind in discover(self.root, skipped):
                path = Path(found)
                docs[path], problems[path] = read_document(self.root, path, project, kind)
            self.config, self.docs, self.doc_problems = config, docs, problems
            self.skipped = {path: skipped_problem(path, why, self.root) for path, why in skipped}
            self._refresh_history(force=True)
            self.workers = min(4, os.cpu_count() or 1)  # the first build renders every body
            timer = _Timer()
            self._model(None)
            timer.lap("model")
            inputs = self._inputs()
            self.problems, site, renderer = self._compose(inputs, timer)
            self.workers = 1
            write_site(render_site(site, renderer), out_dir)
            self.markdown.save(keep=set(site.markdown))
            self.site, self.renderer, self.day = site, renderer, inputs.now.date()
            self.unsettled, self.unsettled_projects = set(), set()
            self.first_paths = {}
            self.timings = timer.laps
            return Built(self._shown(self.problems))

    def update(self, out_dir: Path, changed: set[Path]) -> Built | None:
        """Re-read changed paths and write the saved tasks' pages at once.

        They are rendered from a small site of their projects and neighbours, so this takes
        milliseconds whatever the size of the site; `settle` then brings every other page
        they affect up to date. None when nothing the site shows changed.
        """
        with self._lock:
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

    def _update(self, out_dir: Path, changed: set[Path], now: dt.datetime) -> Built | None:
        timer = _Timer()
        refs, projects, saved = self._reread(changed)
        if self.apart:
            self._unsent |= changed  # the settler reads them again
        if self._refresh_history(force=False):
            return self.build(out_dir)  # a commit or checkout: every page may change
        if not refs and not projects:
            return None
        self.generation += 1
        self.unsettled |= refs
        self.unsettled_projects |= projects
        portfolio = self._model(projects, saved)
        timer.lap("read+model")
        built = self._first_pages(out_dir, portfolio, saved, now)
        timer.lap("saved pages")
        self.timings = timer.laps
        return built

    def settle(self, out_dir: Path, interrupted: Callable[[], bool] = lambda: False,
               before_writing: Callable[[], None] = lambda: None) -> Built | None:
        """Check everything and render every page the saves since the last settle affect.

        Runs without holding up `update`. A save that comes in meanwhile keeps its own
        pages (written by its update, newer) and is settled by the next call, so steady
        saving never starves the rest of the site. `before_writing()` may wait for saves
        already made but not yet updated, so their pages are not written older first.
        None when nothing waits or `interrupted()` (the server stops).
        """
        with self._lock:
            if self.site is None or not (self.unsettled or self.unsettled_projects):
                return None
            if self.apart:
                settler = self._ask_settler(out_dir)
            else:
                inputs = self._inputs()
        if self.apart:
            settled = settler.answer(interrupted) if settler is not None else None
            with self._lock:
                current = settler is not None and settler is self._settler
                if settler is not None:
                    settler.done_answering()
                if settled is None:
                    if current:  # stopped, or the settler died: its copy of the site is lost
                        self._stop_settler()
                        self.site = None  # the next save rebuilds everything
                    return None
            if isinstance(settled, _Failed):
                return Built(settled.problems)
        else:
            settled = self._settle_pages(inputs, out_dir, interrupted)
            if settled is None:
                return None
        before_writing()
        try:
            return self._write_settled(out_dir, settled)
        except BaseException:
            with self._lock:
                self._stop_settler()
                self.site = None  # the pages on disk are not what the settler thinks
            raise

    def close(self) -> None:
        """Stop the settler process, if one runs."""
        with self._lock:
            self._stop_settler()

    def _settle_pages(self, inputs: "_Inputs", out_dir: Path,
                      interrupted: Callable[[], bool]) -> "_Settled | None":
        """Compose the whole site and render the pages the unsettled saves affect."""
        timer = _Timer()
        composed = self._compose(inputs, timer, interrupted)
        if composed is None:
            return None
        problems, site, renderer = composed
        refs = inputs.refs
        paths = pages_for(inputs.site, refs, inputs.renderer) | pages_for(site, refs, renderer)
        paths |= {site.project(pid).url for pid in inputs.projects if site.project(pid)}
        if _board_totals(inputs.site) != _board_totals(site):
            paths |= {board.path for board in site.boards}  # every board shows them
        gone = {p for p in paths
                if p in inputs.renderer.by_path and p not in renderer.by_path}
        pages = []
        for rel, data in render_pages(site, paths, renderer):
            if interrupted():
                return None
            if _read_or_none(out_dir / rel) != data:
                pages.append((rel, data))
        timer.lap("render")
        return _Settled(inputs.generation, problems, pages, gone,
                        {**timer.laps, "pages": len(paths)}, site, renderer)

    def _write_settled(self, out_dir: Path, settled: "_Settled") -> Built | None:
        """Write a settle's pages, except those an update wrote since for a newer save."""
        timer = _Timer()
        written: set[str] = set()
        for rel, data in [*settled.pages, *((rel, None) for rel in sorted(settled.gone))]:
            # One file at a time under the lock, so an update never waits long for it.
            with self._lock:
                if settled.generation < self.built_generation:
                    return None  # a full build came in meanwhile: it wrote every page
                if self._newer_than(settled.generation, rel):
                    continue  # an update wrote this page after the snapshot: keep it
                update_files([] if data is None else [(rel, data)], out_dir,
                             remove=[rel] if data is None else [])
                written.add(rel)
        with self._lock:
            if settled.generation < self.built_generation:
                return None
            if settled.site is not None:  # else the settler keeps the site
                self.site, self.renderer = settled.site, settled.renderer
            self.problems = settled.problems
            self.first_paths = {g: p for g, p in self.first_paths.items()
                                if g > settled.generation}
            if self.generation == settled.generation:  # else the newer saves stay to settle
                self.unsettled, self.unsettled_projects = set(), set()
        timer.lap("write")
        self.timings = {**settled.timings, **timer.laps, "changed": len(written)}
        return Built(self._shown(settled.problems), written)

    def _ask_settler(self, out_dir: Path) -> "_Settler | None":
        """Send the settler the saves since the last request (start it first if needed)."""
        if self._settler is None:
            self._unsent = set()  # the forked copy starts from this very state
            self._settler = _Settler(self, out_dir)
        if not self._settler.ask(self.generation, self._unsent):  # it died
            self._stop_settler()
            self.site = None  # its copy of the site is lost: the next save rebuilds all
            return None
        self._unsent = set()
        return self._settler

    def _stop_settler(self) -> None:
        if self._settler is not None:
            self._settler.stop()
            self._settler = None

    def _serve_settles(self, out_dir: Path, requests: int, answers: int) -> None:
        """In the settler process: settle each request, send back the pages to write."""
        while (request := _receive(requests)) is not None:
            # A settle makes a new site, a million objects with almost no cycles: the
            # collector would walk them again and again. Reference counting frees them.
            gc.disable()
            try:
                _send(answers, self._settle_request(out_dir, *request))
            finally:
                gc.enable()

    def _settle_request(self, out_dir: Path, generation: int,
                        changed: set[Path]) -> "_Settled | _Failed":
        """In the settler: take in the saves the server updated, then settle them."""
        try:
            refs, projects, saved = self._reread(changed)
            self.unsettled |= refs
            self.unsettled_projects |= projects
            if refs or projects:
                self._model(projects, saved)
            self.generation = generation
            settled = self._settle_pages(self._inputs(), out_dir, lambda: False)
        except Exception as exc:  # shown like any failed build; the next save retries
            return _Failed(failure_problems(exc))
        self.site, self.renderer, self.problems = settled.site, settled.renderer, settled.problems
        self.unsettled, self.unsettled_projects = set(), set()
        settled.site = settled.renderer = None  # kept here, not sent
        return settled

    # --- steps ---------------------------------------------------------------------------------

    def _newer_than(self, generation: int, rel: str) -> bool:
        """Tell whether an update after `generation` wrote the page `rel` first."""
        return any(rel in paths for g, paths in self.first_paths.items() if g > generation)

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
            was_skipped = self.skipped.pop(path, None)
            refused = link_refused(path, self.root) if path.is_symlink() else None
            if refused:  # as `discover`: not read, and said why
                self.skipped[path] = skipped_problem(path, refused, self.root)
            if not refused and path.is_file():
                doc, problems = read_document(self.root, path, path.parent.name, kind)
                if old is not None and _same(old, doc) and problems == self.doc_problems[path]:
                    continue
                self.docs[path], self.doc_problems[path] = doc, problems
            elif old is not None:
                del self.docs[path], self.doc_problems[path]
            elif self.skipped.get(path) == was_skipped:
                continue  # nothing to read, before or now
            projects.add(path.parent.name)
            saved.add(self._rel(path))
            refs.update(self._refs_of(path.parent.name, path.name[:-3], kind))
        if added:  # keep the order `discover` reads files in
            self.docs = dict(sorted(self.docs.items(), key=lambda item: _order(item[0])))
        return refs, projects, saved

    def _refs_of(self, project: str, stem: str, kind: str) -> set[str]:
        if kind == "task":
            return {f"{project}/{stem}"}
        # The project's own notes: its page and every one of its task pages show them.
        return {ref for ref, task in self.portfolio.tasks.items() if task.project == project}

    def _refresh_history(self, *, force: bool) -> bool:
        """Mine the history at the start, and again only when HEAD moved; tell if it did."""
        mark = _head_mark(self.root)
        if not force and mark == self.history_mark:
            return False
        refs = [doc.ref for doc in self.docs.values() if doc.kind == "task"]
        self.history = read_history(self.root, refs, config=self.config)
        self.history_mark = mark
        return not force

    def _inputs(self) -> "_Inputs":
        """What a settle needs, taken while no update runs: it then works without the lock.

        Quick to take (the lists of problems are replaced by updates, never changed).
        """
        found = [*self.doc_problems.values(), *self.model_problems.values(),
                 list(self.skipped.values())]
        return _Inputs(self.generation, self.portfolio, list(self.docs.values()), found,
                       set(self.unsettled), set(self.unsettled_projects), self.site,
                       self.renderer, self.history, self.now())

    def _compose(self, inputs: "_Inputs", timer: "_Timer",
                 interrupted: Callable[[], bool] = lambda: False):
        """Checks, site model and page plan of the whole portfolio; None when interrupted."""
        found = [p for problems in inputs.found for p in problems]
        found += id_problems(doc_names(inputs.docs))
        workspace = Workspace(self.root, inputs.portfolio.config, inputs.portfolio, found)
        problems = check(workspace, inputs.now.date())
        timer.lap("check")
        markdown = self.markdown.render_all(markdown_texts(inputs.portfolio),
                                            workers=self.workers)
        timer.lap("markdown")
        if interrupted():
            return None
        site = build_site(workspace, problems, inputs.history, inputs.now, markdown=markdown)
        timer.lap("site model")
        if interrupted():
            return None
        renderer = renderer_for(site)
        renderer.reuse_cards(inputs.renderer)
        timer.lap("page plan")
        return problems, site, renderer

    def _first_pages(self, out_dir: Path, portfolio: Portfolio, saved: set[str],
                     now: dt.datetime) -> Built:
        """Render the saved files' own pages from a site of just their neighbourhood.

        The whole site model takes seconds on big sites; this one takes milliseconds. Its
        pages can differ from the final ones only in what depends on far-away tasks (rule
        problems, counts); `settle` rewrites (and reloads) those. A saved task's project
        page waits for `settle` too: its graph is slow to draw.
        """
        saved_docs = [d for d in self.docs.values() if d.rel in saved]
        small = _neighbourhood(portfolio, {d.ref for d in saved_docs if d.kind == "task"},
                               {d.project for d in saved_docs if d.kind != "task"})
        problems = [p for p in self.problems if p.path not in saved]
        problems += [p for d in saved_docs for p in self.doc_problems[d.path]]
        problems += [p for rel in saved for p in self.model_problems.get(rel, ())]
        problems += id_problems(doc_names(saved_docs))
        workspace = Workspace(self.root, self.config, small, problems)
        markdown = self.markdown.render_all(markdown_texts(small))
        site = build_site(workspace, problems, self.history, now, markdown=markdown)
        renderer = renderer_for(site)
        paths = {site.tasks[d.ref].url for d in saved_docs
                 if d.kind == "task" and d.ref in site.tasks}
        paths |= {site.project(d.project).url for d in saved_docs
                  if d.kind != "task" and site.project(d.project)}
        self.first_paths[self.generation] = paths
        written = _write_changed(out_dir, render_pages(site, paths, renderer), set())
        return Built(self._shown(problems), written)

    def _model(self, projects: set[str] | None, saved: set[str] = frozenset()) -> Portfolio:
        """Build the portfolio; after a save, rebuild only the saved tasks.

        A saved `_index.md` or `_retro.md`, or a project that appears or goes, rebuilds
        that project whole. `saved` holds the files' relative paths (removed ones too).
        """
        if projects is None or self.portfolio is None:
            portfolio, problems = build_model(list(self.docs.values()), self.config)
            self.model_problems = _by_file(problems)
            self.portfolio = portfolio
            return portfolio
        by_project = dict(self.portfolio.projects)
        for pid in projects:
            docs = [doc for doc in self.docs.values() if doc.project == pid]
            here = {rel for rel in saved if Path(rel).parent.name == pid}
            whole = pid not in by_project or not docs or \
                any(_kind(Path(rel).name) != "task" for rel in here)
            rebuilt = docs if whole else [doc for doc in docs if doc.rel in here]
            part, problems = build_model(rebuilt, self.config)
            for rel in here | {doc.rel for doc in rebuilt}:
                self.model_problems.pop(rel, None)
            self.model_problems.update(_by_file(problems))
            if whole:
                by_project.pop(pid, None)
                by_project.update(part.projects)
                continue
            old = {task.ref: task for task in by_project[pid].tasks}
            tasks = [part.tasks.get(doc.ref) if doc.rel in here else old.get(doc.ref)
                     for doc in docs if doc.kind == "task"]
            by_project[pid] = dataclasses.replace(by_project[pid],
                                                  tasks=[t for t in tasks if t is not None])
        merged = dict(sorted(by_project.items()))
        tasks = {task.ref: task for project in merged.values() for task in project.tasks}
        self.portfolio = dataclasses.replace(self.portfolio, projects=merged, tasks=tasks)
        return self.portfolio

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


def _by_file(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Group model problems by their file."""
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.path, []).append(problem)
    return grouped


def _neighbourhood(portfolio: Portfolio, refs: set[str], projects: set[str]) -> Portfolio:
    """The tasks `refs` and the projects `projects` whole, with the tasks they link to."""
    around = {ref for ref in refs if ref in portfolio.tasks}
    around |= {t.ref for pid in projects if pid in portfolio.projects
               for t in portfolio.projects[pid].tasks}
    chosen_refs = set(around)
    for ref in chosen_refs:
        around.update(d for d in portfolio.tasks[ref].depends_on if d in portfolio.tasks)
    # And the tasks that depend on them (what their pages list as "needed by").
    around |= {task.ref for task in portfolio.tasks.values()
               if not chosen_refs.isdisjoint(task.depends_on)}
    kept = {portfolio.tasks[ref].project for ref in around} | (projects & set(portfolio.projects))
    chosen = {}
    for pid in sorted(kept):
        project = portfolio.projects[pid]
        chosen[pid] = project if pid in projects else dataclasses.replace(
            project, tasks=[t for t in project.tasks if t.ref in around])
    tasks = {t.ref: t for project in chosen.values() for t in project.tasks}
    return dataclasses.replace(portfolio, projects=chosen, tasks=tasks)


def _write_changed(out_dir: Path, pages, gone: set[str]) -> set[str]:
    """Write the pages whose bytes changed and remove `gone`; return the paths changed."""
    written: set[str] = set()

    def changed_only():
        for rel, data in pages:
            if _read_or_none(out_dir / rel) != data:
                written.add(rel)
                yield rel, data

    update_files(changed_only(), out_dir, remove=gone)
    return written | gone


@dataclass
class _Inputs:
    """A snapshot of the builder's state for one settle."""

    generation: int
    portfolio: Portfolio
    docs: list[RawDoc]
    found: list[list[Problem]]
    """The load and model problems, file by file."""
    refs: set[str]
    projects: set[str]
    site: Site
    renderer: Renderer
    history: History
    now: dt.datetime


@dataclass
class _Settled:
    """What a settle made: the pages whose bytes changed, and the site they come from."""

    generation: int
    problems: list[Problem]
    pages: list[tuple[str, bytes]]
    gone: set[str]
    timings: dict[str, float]
    site: Site | None
    """None when it comes from the settler, which keeps it."""
    renderer: Renderer | None


@dataclass
class _Failed:
    """A settle in the settler raised: what to show instead."""

    problems: list[Problem]


def can_settle_apart() -> bool:
    """Tell whether settles can run in a forked process (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class _Settler:
    """A forked copy of a `LiveSite` that settles its saves and sends back the pages.

    It lives until `stop` (or until this process goes: its requests pipe then closes).
    """

    def __init__(self, live: LiveSite, out_dir: Path):
        requests_in, requests_out = os.pipe()
        answers_in, answers_out = os.pipe()
        # Keep the collector off the heap built so far (the site, the documents, the
        # caches: about a million objects, almost no cycles). Walking it took 150-300 ms
        # with the interpreter held, a save at that moment waited as long, and each walk
        # would copy every memory page this process shares with the settler.
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(requests_out)
            os.close(answers_in)
            _run_settler(live, out_dir, requests_in, answers_out)
        os.close(requests_in)
        os.close(answers_out)
        self.requests: int | None = requests_out
        self.answers: int | None = answers_in
        self.answering = False
        """A thread waits for an answer: `stop` leaves it the pipes to close."""

    def ask(self, generation: int, changed: set[Path]) -> bool:
        """Send a request; False when the settler is gone."""
        try:
            _send(self.requests, (generation, changed))
        except OSError:
            return False
        self.answering = True
        return True

    def done_answering(self) -> None:
        """The answer was read (or given up): close the pipes if `stop` came meanwhile."""
        self.answering = False
        if not self.pid:
            self._close_pipes()

    def answer(self, interrupted: Callable[[], bool]) -> "_Settled | _Failed | None":
        """Wait for the answer to the last request; None if interrupted or the settler died."""
        waiting = select.poll()
        waiting.register(self.answers, select.POLLIN)
        try:
            while not interrupted():
                if waiting.poll(100):  # an answer, or the settler's end of the pipe closed
                    return _receive(self.answers)
            return None
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def stop(self) -> None:
        """Kill and reap the settler; close the pipes; give the heap back to the collector.

        Called with the builder's lock held, as `ask` and `done_answering` are."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:  # already reaped
                pass
            self.pid = 0
            gc.unfreeze()  # what the site was is garbage once a build replaces it
        if not self.answering:  # (else its pipe number could be reused under the reader)
            self._close_pipes()

    def _close_pipes(self) -> None:
        for fd in (self.requests, self.answers):
            if fd is not None:
                os.close(fd)
        self.requests = self.answers = None


def _run_settler(live: LiveSite, out_dir: Path, requests: int, answers: int) -> None:
    """In the forked settler: serve settle requests, then leave without any of the
    server's cleanup (its temp folder, its threads and sockets are the server's)."""
    status = 0
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        _let_go_of_sockets()
        live._serve_settles(out_dir, requests, answers)
    except BaseException:
        status = 1
    os._exit(status)


def _let_go_of_sockets() -> None:
    """Drop this copy's hold on the server's sockets, so a connection the server closes
    closes (the numbers stay taken, by /dev/null, as objects here still hold them)."""
    null = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd != null and stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd)
        except OSError:
            continue
    os.close(null)


_LENGTH = struct.Struct("!Q")


def _send(fd: int, message) -> None:
    """Write one pickled message, its length first."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    """Read one message; None when the other end closed first."""
    head = _read_exactly(fd, _LENGTH.size)
    if head is None:
        return None
    data = _read_exactly(fd, _LENGTH.unpack(head)[0])
    if data is None:
        raise EOFError("the message was cut short")
    return pickle.loads(data)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _board_totals(site: Site) -> tuple:
    """What every board shows of all the tasks: their number and the stage counts."""
    return len(site.tasks), [(s.id, s.count, s.over, s.at_limit) for s in site.stages]


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
