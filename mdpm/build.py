"""`mdpm build`: check, read the history, render every page, write the site atomically.

The pipeline reads everything before it writes anything: check -> history -> Markdown ->
view models -> pages -> write (see write.py for how the old site stays whole).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import itertools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import cache_dir as default_cache_dir
from .errors import Problem, has_errors
from .write import MARKER, read_manifest

if TYPE_CHECKING:
    from .history import History
    from .markdown import ShardedCache
    from .render import Renderer
    from .site import Site
    from .workspace import Workspace
    from .write import Outcome, SiteWriter

# The rendering modules (Jinja, Markdown, the view models) are imported by `build` itself:
# `mdpm build` with nothing changed needs none of them, and importing them costs more than
# finding out that nothing changed.

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
          workers: int | None = None, inputs_key: str | None = None,
          keep: list | None = None) -> BuildResult:
    """Render the site of `workspace` into `out_dir`; return the problems and what was written.

    The site is written whatever the problems (they are shown on it); `strict` only
    matters to the caller's exit status. Raises only when the site cannot be written.
    `keep` receives the site and its renderer (see `cli.QUICK_EXIT`).
    """
    from . import history as history_module
    from .markdown import MarkdownCache, cache_file
    from .parallel import in_background
    from .render import renderer_for
    from .site import build_site, markdown_texts
    from .workspace import check
    from .write import SiteWriter

    started = time.perf_counter()
    report = progress or _silent
    workers = workers or _workers()
    out_dir = Path(out_dir)
    with _long_lived_heap():
        problems = check(workspace, now.date())  # may fork: before the Markdown pool's threads
        cache_dir = cache_dir or default_cache_dir(workspace.root)
        cache = MarkdownCache(cache_file(cache_dir))
        texts = markdown_texts(workspace.portfolio)
        report("markdown", 0, len(texts))
        rendered = cache.start(texts, workers=workers)  # on other processes meanwhile
        try:
            if history is None:
                report("history", 0, 1)
                history = history_module.read_history(
                    workspace.root, workspace.portfolio.tasks.keys(), config=workspace.config,
                    progress=history_module.terminal_progress() if progress is not None
                    else None)
            site = build_site(workspace, problems, history, now)
        finally:
            markdown = rendered()
        site.markdown = markdown
        last = _last_pages(out_dir, cache_dir)
        with in_background(_summary_and_stamps, (site, workspace.config, now, out_dir, last)) \
                as apart:  # on the other core, while the rest is prepared here
            report("drawings", 0, len(site.projects))
            _prepare_drawings(site, cache_dir, workers)
            renderer = renderer_for(site)
            frame = _frame(renderer)
            shown = _shown(site)
            summary, stamps = apart()
        keys = _page_keys(renderer, frame, shown, summary)
        cards = _card_cache(renderer, frame, shown, cache_dir)
        kept = _reusable(keys, last, stamps)
        new_cards: dict[str, str] = {}
        with SiteWriter(out_dir, root=workspace.root) as writer:
            outcomes = _render_and_put(renderer, writer, kept, workers, new_cards)
            for outcome in _counted(outcomes, len(renderer.specs), report):
                writer.record(outcome)
            stats = writer.finish()
        cache.save(keep=set(markdown))
        _save_cards(renderer, cards, new_cards)
        _save_page_keys(keys, writer.stamps, out_dir, cache_dir)
    result = BuildResult(out_dir, problems, stats.written, stats.unchanged, stats.removed,
                         round(time.perf_counter() - started, 3), history.status)
    _remember(inputs_key or inputs_key_of(workspace.config, now), out_dir, cache_dir,
              result, writer.stamps)
    if keep is not None:
        keep.append((site, renderer))
    return result


@contextmanager
def _long_lived_heap():
    """Pause the cyclic garbage collector for the build, and keep what exists out of its walks.

    A build makes about a million objects that live until it ends (the workspace, the view
    models) and almost no reference cycles: each collection would walk them all again
    (about a second on 10,000 tasks). Reference counting still frees everything as usual;
    any cycle left is collected by the next full collection. Forked workers inherit the
    frozen heap and so do not copy its pages by collecting it. On leaving, what the build
    made joins the oldest generation unexamined, like the rest: else the first collection
    after it would walk it all (about 0.1 s on 10,000 tasks).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


# --- nothing changed: skip the build --------------------------------------------------------

_LAST = "last-build.json"


def up_to_date(config, out_dir: Path, now: dt.datetime,
               cache_dir: Path | None = None, key: str | None = None) -> BuildResult | None:
    """Return the last build's result when nothing it depends on changed since, else None.

    "Nothing" is: every content file (path, size, mtime), mdpm.toml, the theme and mdpm's
    own files, git's HEAD, `now` to the second, and every file of the output folder as the
    last build left it (size and mtime of each file its manifest lists). Only a cheap walk
    of the folders; no file is read but the manifest.
    """
    cache_dir = cache_dir or default_cache_dir(config.root)
    try:
        last = json.loads((cache_dir / _LAST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if last.get("key") != (key or inputs_key_of(config, now)) or last.get("out") != str(out_dir) \
            or last.get("output") != _output_key(out_dir):
        return None
    problems = [Problem(**p) for p in last["problems"]]
    return BuildResult(out_dir, problems, 0, last["pages"], 0, 0.0, last["history"])


def _remember(key: str, out_dir: Path, cache_dir: Path, result: BuildResult,
              stamps: dict[str, str | None]) -> None:
    record = {"key": key, "out": str(out_dir),
              "output": _stamps_key(stamps), "pages": result.pages,
              "history": result.history_status,
              "problems": [dataclasses.asdict(p) for p in result.problems]}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        (cache_dir / _LAST).write_text(json.dumps(record), encoding="utf-8")
    except OSError:
        pass


def _output_key(out_dir: Path) -> str | None:
    """A hash of the size and mtime of every file of the output folder's manifest, or None."""
    from .write import stamp

    files = read_manifest(out_dir)
    if files is None:
        return None
    base = str(out_dir)
    return _stamps_key({rel: stamp(os.path.join(base, rel)) for rel in [*files, MARKER]})


def _stamps_key(stamps: dict[str, str | None]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for rel in sorted(stamps):
        digest.update(f"{rel}\0{stamps[rel]}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def inputs_key_of(config, now: dt.datetime, stamps: dict | None = None,
                  listing: dict | None = None) -> str:
    """A hash of everything a build reads (see `up_to_date`); the (size, mtime, inode) of
    each content file, by path, are added to `stamps` and each content folder's entries to
    `listing` on the way (see `load_portfolio`)."""
    from .theme import theme_dirs

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{now.isoformat()}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    digest.update(config.path.read_bytes())
    digest.update(_listing_key(config.content_dir, stamps, listing).encode())
    for folder in [Path(__file__).parent,
                   *theme_dirs(config.root, config.site.theme or "default")]:
        digest.update(_listing_key(folder).encode())
    digest.update(_git_head(config.root).encode())
    return digest.hexdigest()


def _listing_key(folder: Path, stamps: dict | None = None, listing: dict | None = None) -> str:
    """A hash of every file's path, size and mtime under a folder (with `stamps`, each
    file's (size, mtime, inode) is added to it by path; see `mdpm.load.walk` for `listing`)."""
    from .load import walk

    lines: list[str] = []  # hashed at once: one update per file costs more than the hash
    stat = os.stat
    for base, files in walk(os.fspath(folder), listing):
        prefix, shown = os.path.join(base, ""), f"{base}/"
        for name in files:
            path = prefix + name
            try:
                info = stat(path)
            except OSError:
                continue
            size, mtime = info.st_size, info.st_mtime_ns
            if stamps is not None:
                stamps[path] = (size, mtime, info.st_ino)
            lines.append(f"{shown}{name}\0{size}\0{mtime}\n")
    return hashlib.blake2b("".join(lines).encode(), digest_size=16).hexdigest()


def _git_head(root: Path) -> str:
    """Return what HEAD points at, read from .git without running git ('' without git)."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        parts = [head]
        if head.startswith("ref: "):
            ref = git / head[5:]
            parts.append(ref.read_text(encoding="utf-8") if ref.is_file() else "")
            packed = git / "packed-refs"
            parts.append(str(packed.stat().st_mtime_ns) if packed.is_file() else "")
        shallow = git / "shallow"
        parts.append(shallow.read_text(encoding="utf-8") if shallow.is_file() else "")
        return "\0".join(parts)
    except OSError:
        return ""


def _prepare_drawings(site: Site, cache_dir: Path, workers: int) -> None:
    """Lay out the graph and timeline of every project whose drawings the cache lacks, on the
    fork pool; the others are read from the cache when a page first shows them."""
    from .markdown import ShardedCache

    cache = ShardedCache(cache_dir / _DRAWINGS, _code_key())
    keyed = {p.id: p.drawing_key for p in site.projects if p.drawings}
    missing = [i for i, p in enumerate(site.projects)
               if p.drawings and keyed[p.id] not in cache]
    if missing:
        for index, drawn in zip(missing, _map(_draw, site, missing, workers)):
            cache[keyed[site.projects[index].id]] = list(drawn)
    for project in site.projects:
        if project.id in keyed:
            project.drawings = functools.partial(_stored_drawing, cache, keyed[project.id],
                                                 project.drawings)
    cache.save(keep=set(keyed.values()))


_DRAWINGS = "drawings"


def _stored_drawing(cache, key: str, draw: Callable[[], tuple]) -> tuple:
    """Return a project's drawings from the cache, or lay them out when it lost them."""
    stored = cache.get(key)
    return tuple(stored) if _is_drawing(stored) else draw()


def _is_drawing(value) -> bool:
    return isinstance(value, list) and len(value) == 2 \
        and all(v is None or isinstance(v, str) for v in value)


def _code_key() -> str:
    """A hash of the code that draws, so a new mdpm does not reuse old drawings."""
    from . import graph, layout, schedule

    data = b"".join(Path(m.__file__).read_bytes() for m in (graph, layout, schedule))
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _draw(site: Site, index: int):
    return site.projects[index].drawings()


def _map(function, site: Site, items: list, workers: int) -> list:
    """Return [function(site, item)], on a fork pool when there are several items."""
    import multiprocessing

    if workers < 2 or len(items) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(site, item) for item in items]
    _WORKER["site"] = site
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(functools.partial(_call_on_site, function), items, chunksize=1)
    finally:
        _WORKER.pop("site", None)


def _call_on_site(function, item):
    return function(_WORKER["site"], item)


PARALLEL_FROM = 600
"""Render on a fork pool from this many pages or tasks on (below, starting it costs more)."""
_CHUNK = 64


# --- pages whose inputs did not change are kept, not rendered -----------------------------
#
# A page's key hashes what it shows: the site's frame (title, date, problem counts, stages,
# theme and mdpm's own files, the history's head), its own view model and the view of each
# task it shows. The feeds and the metrics page show a few fields of every task: their key
# hashes those fields only, so most edits leave them as they are. The overview, review and
# people pages are always rendered: they are few and quick.

_PAGES = "pages.json"
_SUMMARIES = ("board.json", "calendar.ics", "feed.xml", "metrics/index.html")


def _frame(renderer: Renderer) -> str:
    """What every page shows besides its own view: the site's frame, theme and mdpm itself."""
    site = renderer.site
    history = site.history
    return repr((site.title, site.as_of, site.errors, site.warnings, site.repo_url,
                 site.history_available, site.history_message, sorted(renderer.templates),
                 renderer.nav("projects"), [_listing_key(d) for d in renderer.dirs],
                 _listing_key(Path(__file__).parent),
                 history.status if history else None, history.head if history else None,
                 [(s.id, s.title, s.type, s.limit) for s in site.stages]))


def _shown(site: Site) -> dict[str, str]:
    """A hash of each task's view (what its card and its rows show), by ref; shared with a
    forked copy of this process on a large site."""
    from .parallel import split_map

    refs = list(site.tasks)
    parts = split_map(functools.partial(_view_digests, site.tasks), refs,
                      min_items=PARALLEL_FROM)
    return dict(zip(refs, itertools.chain.from_iterable(parts)))


def _view_digests(views: dict, refs: list[str]) -> list[str]:
    from .site import values_key, view_values

    return [values_key(view_values(views[ref])) for ref in refs]


def _page_keys(renderer: Renderer, frame: str, shown: dict[str, str],
               summary: str) -> dict[str, str]:
    """Return a key per page that can be kept: a hash of everything the page shows."""
    from .theme import default_theme_dir

    site = renderer.site
    lists = _digest(repr(([(p.id, p.title, p.board_url) for p in site.projects],
                          [(p.handle, p.name, p.slug, p.url) for p in site.people])))
    frame = _digest(frame)  # hashed once, not once per page
    # A theme's own metrics.html may show anything of the site: only the default one's
    # page is keyed by what `_summary_key` lists.
    summaries = set(_SUMMARIES) if list(renderer.dirs) == [default_theme_dir()] \
        else set(_SUMMARIES) - {"metrics/index.html"}
    keys = {}
    for spec in renderer.specs:
        if spec.template == "task.html":  # most pages: `_page_inputs` written out, and
            # no hash of hashes: a key is only compared with the last one of its path.
            ref = spec.context["task"].ref
            keys[spec.path] = frame + shown.get(ref, ref)
            continue
        if spec.path in summaries:
            keys[spec.path] = _digest("\0".join([frame, spec.path, spec.template or "",
                                                 summary]))
            continue
        inputs = _page_inputs(spec, site)
        if inputs is None:
            continue
        own, refs = inputs
        if spec.template == "board.html":
            own += lists
        ordered = sorted(refs)
        text = "\0".join([frame, spec.path, spec.template or "", own,
                          *map(shown.get, ordered, ordered)])
        keys[spec.path] = _digest(text)
    return keys


def _summary_key(site: Site, config, now: dt.datetime) -> str:
    """A hash of everything board.json, calendar.ics and feed.xml (feeds.py) and the default
    metrics page (charts.metrics_view and metrics.html) show: when they show more of a task
    or of the site, it must be added here."""
    from .site import values_key

    tasks = [(t.ref, t.project, t.project_title, t.title, t.url, t.owner, t.holder,
              t.collaborators, t.stage, t.stage_title, t.done, [link.ref for link in t.depends_on],
              t.due, t.priority, t.blocked, t.expedite, t.cycle_days,
              [(s.stage, s.stage_title, s.at, s.commit, s.author) for s in t.history])
             for t in site.tasks.values()]
    history = site.history
    rest = (now.isoformat(), repr(config), site.title, site.generated, site.base_url,
            site.history_available, site.history_message,
            history.status if history else None, history.head if history else None,
            [(s.id, s.title, s.type, s.limit, s.count) for s in site.stages],
            [(p.handle, p.name, len(p.holds), p.limit) for p in site.people],
            [p.problem.as_dict() for p in site.problems],
            [(p.id, p.title, p.url, p.refs) for p in site.projects])
    return values_key((rest, tasks))


def _page_inputs(spec, site: Site) -> tuple[str, Iterable[str]] | None:
    """Return (a repr of the page's own view, the refs of the tasks it shows), or None for
    a page that is always rendered."""
    context = spec.context
    if spec.template == "task.html":
        return "", [context["task"].ref]
    if spec.template == "board.html":
        board = context["board"]
        columns = [(c.stage.id, c.stage.count, c.stage.over, c.stage.at_limit, c.refs)
                   for c in board.columns]
        refs = [r for c in board.columns for r in c.refs] + board.expedited + board.unplaced
        return repr((board.path, board.title, board.kind, board.key, columns, board.expedited,
                     board.unplaced)), refs
    if spec.template in ("project.html", "retro.html") and "project" in context:
        project = context["project"]
        own = {f.name: getattr(project, f.name) for f in dataclasses.fields(project)
               if f.repr and f.name != "stage_counts"}  # a StageView lists every task
        own["stage_counts"] = [(s.id, n) for s, n in project.stage_counts]
        return repr(own), spec.refs if spec.refs is not None else project.refs
    if spec.template == "person.html":
        person = context["person"]
        refs = [*person.holds, *person.owns, *(r for r, _ in person.collaborates)]
        return repr(person), refs
    return None


# --- cards of earlier builds are reused ------------------------------------------------------
#
# A card shows one task's view in the site's frame (see `Renderer.card`): its key is that of
# a page showing that one task. Every board's cards are kept (one per task, most of the
# boards' cost).

_CARDS = "cards"


def _card_cache(renderer: Renderer, frame: str, shown: dict[str, str],
                cache_dir: Path) -> ShardedCache:
    """Let the renderer take cards from the last builds' cache (each process reads the
    groups of the cards it needs); return that cache."""
    from .markdown import ShardedCache

    cache = ShardedCache(cache_dir / _CARDS, "4")
    renderer.stored_cards = cache
    renderer.card_key = functools.partial(_card_key, _digest(frame), shown)
    return cache


def _card_key(frame_key: str, shown: dict[str, str], ref: str) -> str:
    # Two hashes side by side, the view's first: the cache groups keys by their first
    # characters.
    return shown.get(ref, ref) + frame_key


def _save_cards(renderer: Renderer, cards: ShardedCache, new: dict[str, str]) -> None:
    """Add the cards rendered in this build; keep those of the site's tasks only."""
    cards.update(new)
    cards.save(keep={renderer.card_key(ref) for ref in renderer.site.tasks})


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _last_pages(out_dir: Path, cache_dir: Path) -> dict:
    """Return {path: [key, stamp]} of the pages the last build wrote into `out_dir`, or {}."""
    try:
        last_out, last = json.loads((cache_dir / _PAGES).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, UnicodeDecodeError):
        return {}
    if last_out != str(out_dir) or not isinstance(last, dict) or not (out_dir / MARKER).is_file():
        return {}
    return last


def _summary_and_stamps(job: tuple) -> tuple[str, dict[str, str | None]]:
    """The summary pages' key, and the stamp of each page the last build wrote as it is now."""
    from .write import stamp

    site, config, now, out_dir, last = job
    base = str(out_dir)
    return _summary_key(site, config, now), {path: stamp(os.path.join(base, path))
                                             for path in last}


def _reusable(keys: dict[str, str], last: dict,
              stamps: dict[str, str | None]) -> dict[str, str]:
    """Return the pages whose key equals the one they were last written with, and whose
    file is still the one written then (same size and mtime), with that stamp."""
    kept = {}
    for path, key in keys.items():
        entry = last.get(path)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key \
                and entry[1] is not None and entry[1] == stamps.get(path):
            kept[path] = entry[1]
    return kept


def _save_page_keys(keys: dict[str, str], stamps: dict[str, str | None], out_dir: Path,
                    cache_dir: Path) -> None:
    stamped = {path: [key, stamps.get(path)] for path, key in keys.items()}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        (cache_dir / _PAGES).write_text(json.dumps([str(out_dir), stamped]), encoding="utf-8")
    except OSError:
        pass


def _render_and_put(renderer: Renderer, writer: SiteWriter, kept: dict[str, str], workers: int,
                    cards: dict[str, str]) -> Iterator[Outcome]:
    """Render every page not kept and hand it to the writer, on forked workers when there
    are many: each worker writes the pages it renders, so no page travels back here. Cards
    rendered on the way are added to `cards`."""
    import multiprocessing

    for number, (rel, data) in enumerate(renderer.static_files()):
        yield writer.put(rel, data, f"static-{number}")
    todo = [i for i, spec in enumerate(renderer.specs) if spec.path not in kept]
    for spec in renderer.specs:
        if spec.path in kept:
            yield writer.keep(spec.path, kept[spec.path])
    chunks = _chunks(renderer, todo, workers)
    # On a large site even a few pages are worth a second process: the boards, overview,
    # metrics and feeds show every task (most of a rebuild after one change).
    large = len(todo) >= PARALLEL_FROM \
        or len(chunks) > 1 and len(renderer.site.tasks) >= PARALLEL_FROM
    _WORKER["job"] = (renderer, writer)
    try:
        if workers < 2 or not large or "fork" not in multiprocessing.get_all_start_methods():
            yield from _gathered(map(_render_chunk, chunks), cards)
        elif len(todo) < PARALLEL_FROM:  # a rebuild after a change: no pool to start and stop
            yield from _gathered(_render_apart(chunks), cards)
        else:
            renderer.compile_all([renderer.specs[i] for i in todo])  # once, not per worker
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                yield from _gathered(pool.imap(_render_chunk, chunks), cards)
    finally:
        _WORKER.pop("job", None)


def _gathered(results: Iterable[tuple[list[Outcome], dict[str, str]]],
              cards: dict[str, str]) -> Iterator[Outcome]:
    """The outcomes of rendered chunks; the cards rendered for them are added to `cards`."""
    for outcomes, new_cards in results:
        cards.update(new_cards)
        yield from outcomes


def _render_apart(chunks: list[list[int]]) -> list[tuple[list[Outcome], dict[str, str]]]:
    """Render every other chunk here, from the first (the boards, when any changed), and the
    others on one forked child at the same time."""
    from .parallel import in_background

    with in_background(_render_chunks, chunks[1::2]) as apart:
        here = _render_chunks(chunks[0::2])
        return here + apart()


def _render_chunks(chunks: list[list[int]]) -> list[tuple[list[Outcome], dict[str, str]]]:
    return [_render_chunk(chunk) for chunk in chunks]


def _chunks(renderer: Renderer, todo: list[int], workers: int) -> list[list[int]]:
    """Cut the pages to render into chunks for the workers: the boards together first (they
    share the cards, each rendered once per process), the pages that show the review
    together (it is made once per process), then the rest in small chunks."""
    boards = [i for i in todo if renderer.specs[i].template == "board.html"]
    reviewed = [i for i in todo if renderer.specs[i].path in _REVIEWED]
    rest = [i for i in todo if renderer.specs[i].template != "board.html"
            and renderer.specs[i].path not in _REVIEWED]
    size = max(1, min(_CHUNK, len(todo) // (4 * workers)))  # a few pages: one at a time
    return [chunk for chunk in (boards, reviewed) if chunk] \
        + [rest[i:i + size] for i in range(0, len(rest), size)]


_REVIEWED = ("index.html", "review/index.html")
"""The pages that show `Site.review`."""


_WORKER: dict = {}
"""What forked workers work on (set just before forking; a worker's copy is its own)."""


def _render_chunk(indexes: list[int]) -> tuple[list[Outcome], dict[str, str]]:
    """Render and put some pages (in a worker or here); return what was done and the cards
    rendered for them that the cache did not hold."""
    renderer, writer = _WORKER["job"]
    outcomes = [writer.put(renderer.specs[i].path, renderer.render(renderer.specs[i]), str(i))
                for i in indexes]
    new_cards, renderer.new_cards = renderer.new_cards, {}
    return outcomes, new_cards


def _counted(items: Iterable[Outcome], total: int,
             report: Progress) -> Iterator[Outcome]:
    for number, item in enumerate(items, 1):
        if number % 1000 == 0:
            report("pages", number, total)
        yield item
    report("pages", total, total)


def _silent(step: str, done: int, total: int) -> None:
    return None


def _workers() -> int:
    try:
        return max(1, min(4, len(os.sched_getaffinity(0))))
    except AttributeError:
        return max(1, min(4, os.cpu_count() or 1))


def run_build(start: Path, out: str, *, strict: bool, quiet: bool, now: dt.datetime,
              stream, keep: list | None = None) -> int:
    """`mdpm build`: build, print problems and a summary; the exit status. `keep` receives
    what the build made, for a caller that leaves without freeing it (`cli.QUICK_EXIT`)."""
    from .config import find_root, load_config_strict
    from .report import totals_line
    from .workspace import load_portfolio

    config = load_config_strict(find_root(start))
    out_dir = Path(out)
    if not out_dir.is_absolute():
        out_dir = config.root / out_dir
    stamps: dict[str, tuple[int, int, int]] = {}
    listing: dict = {}
    key = inputs_key_of(config, now, stamps, listing)  # one walk: the load takes both
    skipped = up_to_date(config, out_dir, now, key=key)
    if skipped is not None:
        for problem in skipped.problems:
            print(problem.format(), file=stream)
        if not quiet:
            print(f"mdpm: {_rel(out_dir, config.root)} is up to date "
                  f"({skipped.pages} files; nothing changed)", file=stream)
        return 1 if strict and skipped.has_errors else 0
    workspace = load_portfolio(config, cache=not os.environ.get("CI"), stamps=stamps,
                               listing=listing)
    last = [time.perf_counter()]

    def progress(step: str, done: int, total: int) -> None:
        moment = time.perf_counter()
        if not quiet and moment - last[0] > 1.0 and total > 1:
            last[0] = moment
            print(f"mdpm: {step} {done}/{total}", file=stream, flush=True)

    result = build(workspace, out_dir, now=now, strict=strict, progress=progress, inputs_key=key,
                   keep=keep)
    if keep is not None:
        keep.append(workspace)
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
