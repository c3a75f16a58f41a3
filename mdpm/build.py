"""`mdpm build`: check, read the history, render every page, write the site atomically.

The pipeline reads everything before it writes anything: check -> history -> Markdown ->
view models -> pages -> write (see write.py for how the old site stays whole).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import history as history_module
from .errors import Problem, has_errors
from .history import History
from .markdown import MarkdownCache, cache_file, default_cache_dir
from .render import Renderer, render_site, renderer_for
from .site import build_site, markdown_texts
from .workspace import Workspace, check
from .write import write_site

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called now and then during long builds."""


@dataclass
class BuildResult:
    out_dir: Path
    problems: list[Problem] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    history_status: str = "none"

    @property
    def pages(self) -> int:
        return self.written + self.unchanged

    @property
    def has_errors(self) -> bool:
        return has_errors(self.problems)


def build(workspace: Workspace, out_dir: Path, *, now: dt.datetime, history: History | None = None,
          strict: bool = False, progress: Progress | None = None, cache_dir: Path | None = None,
          workers: int | None = None) -> BuildResult:
    """Render the site of `workspace` into `out_dir`; return the problems and what was written.

    The site is written whatever the problems (they are shown on it); `strict` only
    matters to the caller's exit status. Raises only when the site cannot be written.
    """
    started = time.perf_counter()
    report = progress or _silent
    workers = workers or _workers()
    problems = check(workspace, now.date())
    if history is None:
        report("history", 0, 1)
        history = history_module.read_history(
            workspace.root, workspace.portfolio.tasks.keys(), config=workspace.config,
            progress=history_module.terminal_progress() if progress is not None else None)
    cache_dir = cache_dir or default_cache_dir(workspace.root)
    cache = MarkdownCache(cache_file(cache_dir))
    texts = markdown_texts(workspace.portfolio)
    report("markdown", 0, len(texts))
    markdown = cache.render_all(texts, workers=workers)
    site = build_site(workspace, problems, history, now, markdown=markdown)
    renderer = renderer_for(site, cache_dir / "templates")
    total = len(renderer.specs)
    pages = _render_parallel(renderer, workers) if workers > 1 and total >= PARALLEL_FROM \
        else render_site(site, renderer)
    stats = write_site(_counted(pages, total, report), Path(out_dir))
    cache.save(keep=set(markdown))
    return BuildResult(Path(out_dir), problems, stats.written, stats.unchanged, stats.removed,
                       round(time.perf_counter() - started, 3), history.status)


PARALLEL_FROM = 600
"""Render on a fork pool from this many pages on (below, starting the pool costs more)."""
_CHUNK = 64


def _render_parallel(renderer: Renderer, workers: int) -> Iterator[tuple[str, bytes]]:
    """Render the pages on `workers` forked processes, in order; static files here."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from render_site(renderer.site, renderer)
        return
    yield from renderer.static_files()
    chunks = [(i, min(i + _CHUNK, len(renderer.specs))) for i in range(0, len(renderer.specs),
                                                                      _CHUNK)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_adopt, initargs=(renderer,)) as pool:
        for pages in pool.imap(_render_chunk, chunks):
            yield from pages


_WORKER: dict = {}


def _adopt(renderer: Renderer) -> None:
    _WORKER["renderer"] = renderer  # per worker process: the forked copy of the renderer


def _render_chunk(bounds: tuple[int, int]) -> list[tuple[str, bytes]]:
    renderer = _WORKER["renderer"]
    return [(spec.path, renderer.render(spec)) for spec in renderer.specs[bounds[0]:bounds[1]]]


def _counted(pages: Iterable[tuple[str, bytes]], total: int,
             report: Progress) -> Iterator[tuple[str, bytes]]:
    for number, page in enumerate(pages, 1):
        if number % 1000 == 0:
            report("pages", number, total)
        yield page
    report("pages", total, total)


def _silent(step: str, done: int, total: int) -> None:
    return None


def _workers() -> int:
    try:
        return max(1, min(4, len(os.sched_getaffinity(0))))
    except AttributeError:
        return max(1, min(4, os.cpu_count() or 1))


def run_build(start: Path, out: str, *, strict: bool, quiet: bool, now: dt.datetime,
              stream) -> int:
    """`mdpm build`: build, print problems and a summary; the exit status."""
    from .report import totals_line
    from .workspace import open_workspace

    workspace = open_workspace(start)
    out_dir = Path(out)
    if not out_dir.is_absolute():
        out_dir = workspace.root / out_dir
    last = [time.perf_counter()]

    def progress(step: str, done: int, total: int) -> None:
        moment = time.perf_counter()
        if not quiet and moment - last[0] > 1.0 and total > 1:
            last[0] = moment
            print(f"mdpm: {step} {done}/{total}", file=stream, flush=True)

    result = build(workspace, out_dir, now=now, strict=strict, progress=progress)
    for problem in result.problems:
        print(problem.format(), file=stream)
    print(totals_line(result.problems, len(workspace.portfolio.tasks)), file=stream)
    if not quiet:
        print(f"mdpm: wrote {_rel(out_dir, workspace.root)}: {result.written} written, "
              f"{result.unchanged} unchanged, {result.removed} removed in {result.seconds:.2f} s",
              file=stream)
    return 1 if strict and result.has_errors else 0


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)
