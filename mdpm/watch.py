"""Watch the repository for saves: normalise editor events, ignore noise, debounce bursts."""

from __future__ import annotations

import errno
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

CONFIG_NAME = "mdpm.toml"
WATCHED_DIRS = ("content", "templates", "themes")
DEBOUNCE_SECONDS = 0.1

# Temporary and backup files that editors write next to the real one (vim, emacs,
# JetBrains, kate, gedit, tools that save through `.name.tmp` + rename).
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".bak", ".orig", ".part",
                     ".kate-swp", ".crswap")
_IGNORED_NAMES = {"4913", ".DS_Store", "Thumbs.db"}
_IGNORED_PREFIXES = (".#", "#", ".goutputstream-")
_IGNORED_EVENTS = {"opened", "closed_no_write"}


def is_ignored(path: Path) -> bool:
    """Tell whether a path is an editor's temporary, swap or backup file."""
    name = path.name
    return (name in _IGNORED_NAMES or name.endswith(_IGNORED_SUFFIXES)
            or name.startswith(_IGNORED_PREFIXES) or "___jb_" in name
            or (name.startswith(".") and name.endswith(".tmp"))
            or any(part in (".git", "__pycache__") for part in path.parts))


class ChangeFilter:
    """Decide which paths of a repository are inputs of the site."""

    def __init__(self, root: Path, ignore_dirs: Iterable[Path] = ()):
        self.root = root.resolve()
        self.ignore_dirs = tuple(Path(d).resolve() for d in ignore_dirs)

    def wants(self, path: Path) -> bool:
        """Tell whether a change at `path` can change the site."""
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        if not rel.parts or is_ignored(path):
            return False
        if any(path == d or d in path.parents for d in self.ignore_dirs):
            return False
        if len(rel.parts) == 1:
            return rel.name == CONFIG_NAME or rel.name in WATCHED_DIRS
        return rel.parts[0] in WATCHED_DIRS


def event_paths(event: FileSystemEvent) -> list[Path]:
    """Return the paths an event may have changed; for a move, both ends.

    Editors that save by renaming a temp file over the original only show the real file
    as the destination of a move; a plain `modified` on a folder says nothing new.
    """
    if event.event_type in _IGNORED_EVENTS:
        return []
    if event.is_directory and event.event_type in ("modified", "closed", "attrib"):
        return []
    paths = [_as_path(event.src_path)]
    dest = getattr(event, "dest_path", "")
    if dest:
        paths.append(_as_path(dest))
    return paths


def _as_path(raw: str | bytes) -> Path:
    return Path(raw.decode(sys.getfilesystemencoding(), "surrogateescape")
                if isinstance(raw, bytes) else raw)


class Debouncer:
    """Collect changed paths and hand them over once no event came for `delay` seconds."""

    def __init__(self, callback: Callable[[set[Path]], None], delay: float = DEBOUNCE_SECONDS):
        self.callback = callback
        self.delay = delay
        self._pending: set[Path] = set()
        self._last = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="mdpm-debounce", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path]) -> None:
        """Record changed paths and restart the quiet period."""
        with self._cond:
            self._pending.update(paths)
            self._last = time.monotonic()
            self._cond.notify()

    @property
    def pending(self) -> bool:
        """Tell whether changes are waiting for the next batch."""
        with self._cond:
            return bool(self._pending)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self.callback(batch)

    def _next_batch(self) -> set[Path] | None:
        with self._cond:
            while not self._stopped:
                if not self._pending:
                    self._cond.wait()
                    continue
                quiet_for = time.monotonic() - self._last
                if quiet_for >= self.delay:
                    batch, self._pending = self._pending, set()
                    return batch
                self._cond.wait(self.delay - quiet_for)
            return None


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.notice(event)


class Watcher:
    """Watch mdpm.toml, content/, templates/ and themes/ of a repository, recursively."""

    def __init__(self, root: Path, on_change: Callable[[set[Path]], None], *,
                 ignore_dirs: Iterable[Path] = (), delay: float = DEBOUNCE_SECONDS,
                 warn: Callable[[str], None] = lambda message: None):
        self.root = root.resolve()
        self.filter = ChangeFilter(self.root, ignore_dirs)
        self.debouncer = Debouncer(on_change, delay)
        self.warn = warn
        self.observer = None
        self._scheduled: set[str] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start watching; fall back to polling when the inotify limits are reached."""
        self.debouncer.start()
        try:
            self.observer = self._observe(Observer())
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            self.warn("mdpm: the system's inotify limit is reached, so changes are polled "
                      "(slower); raise it with `sysctl fs.inotify.max_user_watches=524288`")
            self.observer = self._observe(PollingObserver(timeout=0.5))

    def _observe(self, observer):
        handler = _Handler(self)
        # The root itself without recursion (mdpm.toml, and folders made later), the
        # input folders recursively: never .git, node_modules or an output folder.
        observer.schedule(handler, str(self.root), recursive=False)
        for name in WATCHED_DIRS:
            if (self.root / name).is_dir():
                observer.schedule(handler, str(self.root / name), recursive=True)
                self._scheduled.add(name)
        observer.start()
        return observer

    def notice(self, event: FileSystemEvent) -> None:
        """Take one raw event: keep the paths that matter and restart the quiet period."""
        paths = [p for p in event_paths(event) if self.filter.wants(p)]
        if not paths:
            return
        for path in paths:
            self._watch_new_folder(path)
        self.debouncer.add(paths)

    def _watch_new_folder(self, path: Path) -> None:
        if path.parent != self.root or path.name not in WATCHED_DIRS or not path.is_dir():
            return
        with self._lock:
            if path.name in self._scheduled or self.observer is None:
                return
            self._scheduled.add(path.name)
            self.observer.schedule(_Handler(self), str(path), recursive=True)

    def stop(self) -> None:
        """Stop the observer and the debouncer threads and wait for them."""
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        self.debouncer.stop()
