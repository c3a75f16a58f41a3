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
from .render import render_site, renderer_for
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
        history = history_module.read_history(workspace.root, workspace.portfolio.tasks.keys())
    cache_dir = cache_dir or default_cache_dir(workspace.root)
    cache = MarkdownCache(cache_file(cache_dir))
    texts = markdown_texts(workspace.portfolio)
    report("markdown", 0, len(texts))
    markdown = cache.render_all(texts, workers=workers)
    site = build_site(workspace, problems, history, now, markdown=markdown)
    renderer = renderer_for(site, cache_dir / "templates")
    total = len(renderer.specs)
    stats = write_site(_counted(render_site(site, renderer), total, report), Path(out_dir))
    cache.save(keep=set(markdown))
    return BuildResult(Path(out_dir), problems, stats.written, stats.unchanged, stats.removed,
                       round(time.perf_counter() - started, 3), history.status)


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
