"""Write the site: never half-written, and files whose bytes did not change are not rewritten.

Two cases, chosen so that both hold and a rebuild touches only what changed:

- A new output folder: the site is built in a temporary folder next to it and renamed
  into place in one step.
- An existing site (written by mdpm): every page is rendered and compared with the file
  already there first. Changed and new files are written to a staging folder next to the
  output; only when every page has been rendered are they moved into place, each by an
  atomic rename, and files the site no longer has are removed. If rendering fails or the
  build is killed before that, the old site is untouched. A journal written before the
  moves lets the next build finish them if the process dies during that short step.
  Unchanged files keep their inode and mtime (rsync and deploys see them unchanged).

This replaces an earlier whole-tree swap: on ext4 every mkdir/rmdir of the 10,000 page
folders of a large site costs about as much as rendering the page.

The marker file `.mdpm-site` is the manifest: JSON listing every file the build wrote.
A build only ever removes files listed there, never others, and refuses a folder whose
marker is not such a manifest, an output folder that is a symbolic link or holds one in
place of a folder of the site (writes there would follow it), and one that is, holds or lies
inside the repository's own folders (see `check_out_dir`).

`SiteWriter` does the writing of one build; its `put` may run in forked workers, each
writing the pages it renders (see `mdpm.build`). `update_files` (for `mdpm serve`) updates files in place, each by an atomic rename.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import MdpmError, UsageError

MARKER = ".mdpm-site"
_MARKER_NOTE = "This folder is written by `mdpm build`; it replaces these files on each build."
PROTECTED = ("content", "templates", "themes", ".git")
"""Folders of the repository an output folder may not be, hold or lie inside."""
_TEMP_PREFIX = ".mdpm-new-"
_STAGE_PREFIX = ".mdpm-stage-"
_JOURNAL = "journal.json"


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


class WriteError(MdpmError):
    """The site could not be written (exit status 1); the old site is kept."""


def write_site(pages: Iterable[tuple[str, bytes | None]], out_dir: Path, *,
               root: Path | None = None) -> WriteStats:
    """Make `out_dir` hold exactly these (path, bytes) files, never half-written.

    Bytes None means "this file is already right": it is kept as it is. With `root` (the
    repository), an output folder among or around its own folders is refused first.
    """
    with SiteWriter(out_dir, root=root) as writer:
        for number, (rel, data) in enumerate(pages):
            writer.record(writer.put(rel, data, str(number)))
        return writer.finish()


def _os_message(out_dir: Path, error: OSError) -> str:
    reason = (error.strerror or str(error)).lower()
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(out_dir) \
        else ""
    return f"cannot write {out_dir}: {reason}{where}; choose another --out"


def check_out_dir(out_dir: Path, root: Path) -> None:
    """Refuse an output folder that is a symlink, the repository root or an ancestor of it,
    or that is, holds or lies inside one of its PROTECTED folders (symlinks resolved)."""
    out_dir = Path(out_dir).absolute()
    if out_dir.is_symlink():
        raise UsageError(f"refusing to write the site into {out_dir}: it is a symbolic link; "
                         f"choose another --out")
    real = out_dir.resolve()
    repo = Path(root).resolve()
    if real == repo or real in repo.parents:
        raise UsageError(f"refusing to write the site into {out_dir}: it holds the repository; "
                         f"choose another --out")
    for name in PROTECTED:
        folder = (repo / name).resolve()
        if real == folder or folder in real.parents or real in folder.parents:
            raise UsageError(f"refusing to write the site into {out_dir}: it would overlap the "
                             f"repository's {name}/ folder; choose another --out")


Outcome = tuple[str, bool, str | None, str | None]
"""What `SiteWriter.put` did with a file: (path, written, staged name, stamp)."""


class SiteWriter:
    """One build's writes, made visible all at once by `finish` (see the module's docstring).

    `put` only writes inside the writer's own new or staging folder and may run in forked
    processes; `record` and `finish` run in the process that made the writer.
    """

    def __init__(self, out_dir: Path, *, root: Path | None = None):
        self.out_dir = Path(out_dir).absolute()
        if root is not None:
            check_out_dir(self.out_dir, root)
        self.previous = _refuse_foreign(self.out_dir)
        prefix = _TEMP_PREFIX if self.previous is None else _STAGE_PREFIX
        try:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            _recover(self.out_dir)
            self.folder = Path(tempfile.mkdtemp(prefix=prefix + self.out_dir.name + "-",
                                                dir=self.out_dir.parent))
        except OSError as error:
            raise WriteError(_os_message(self.out_dir, error)) from None
        self.stats = WriteStats()
        self.stamps: dict[str, str | None] = {}
        """Each file's size and modification time as this build leaves it (see `stamp`)."""
        self._moves: list[tuple[str, str]] = []
        self._made: set[str] = set()

    def __enter__(self) -> "SiteWriter":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if not (self.folder / _JOURNAL).is_file():  # a journal's moves are finished next time
            shutil.rmtree(self.folder, ignore_errors=True)
        if isinstance(error, OSError):
            raise WriteError(_os_message(self.out_dir, error)) from None

    def put(self, rel: str, data: bytes | None, name: str) -> Outcome:
        """Write one file where `finish` will publish it, unless the site already has it;
        `name` (unique in the build) names a staged file."""
        if rel == MARKER:
            raise WriteError(f"refusing to write {rel!r}: the name of the manifest")
        current = os.path.join(self.out_dir, _checked(rel))  # no Path: 10k pages
        if self.previous is None:
            if data is None:
                raise WriteError(f"{rel}: no page to keep in a new output folder")
            target = os.path.join(self.folder, rel)
            self._make_parent(target)
            return rel, True, None, _write_file(target, data)
        if data is None:  # the caller knows this page is unchanged: keep the file
            if not os.path.isfile(current):
                raise WriteError(f"{rel}: the page to keep is missing")
            return rel, False, None, stamp(current)
        same = _same_stamp(current, data)
        if same is not None:
            return rel, False, None, same
        return rel, True, name, _write_file(os.path.join(self.folder, name), data)

    def keep(self, rel: str, file_stamp: str) -> Outcome:
        """Keep a file of the site as it is; `file_stamp` is its stamp, just read by the
        caller (see `stamp`)."""
        if self.previous is None:
            raise WriteError(f"{rel}: no page to keep in a new output folder")
        return rel, False, None, file_stamp

    def record(self, outcome: Outcome) -> None:
        """Count what `put` did (in whichever process) with one file."""
        rel, written, name, file_stamp = outcome
        self.stamps[rel] = file_stamp
        if written:
            self.stats.written += 1
            if name is not None:
                self._moves.append((name, rel))
        else:
            self.stats.unchanged += 1

    def finish(self) -> WriteStats:
        """Publish every file put: rename the new folder, or move the staged files."""
        try:
            if self.previous is None:
                self._publish_new()
            else:
                self._publish_staged()
        except OSError as error:
            raise WriteError(_os_message(self.out_dir, error)) from None
        self.stamps[MARKER] = stamp(os.path.join(self.out_dir, MARKER))
        return self.stats

    def _publish_new(self) -> None:
        (self.folder / MARKER).write_bytes(_manifest(self.stamps))
        os.chmod(self.folder, 0o755)
        if self.out_dir.exists():
            self.out_dir.rmdir()  # only ever an empty folder here (see _refuse_foreign)
        os.rename(self.folder, self.out_dir)

    def _publish_staged(self) -> None:
        manifest = _manifest(self.stamps)
        if not _same(self.out_dir / MARKER, manifest):
            (self.folder / "manifest").write_bytes(manifest)
            self._moves.append(("manifest", MARKER))
        removals = sorted(self.previous - self.stamps.keys())
        self.stats.removed = len(removals)
        _refuse_symlink(self.out_dir, [rel for _, rel in self._moves] + removals)
        (self.folder / _JOURNAL).write_text(json.dumps({"moves": self._moves,
                                                        "remove": removals}), encoding="utf-8")
        _apply(self.folder, self.out_dir)

    def _make_parent(self, target: str) -> None:
        parent = os.path.dirname(target)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)


def stamp(path: str | Path) -> str | None:
    """Return a file's size and modification time ('size:mtime_ns'), or None without it."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}"


def _write_file(path: str, data: bytes) -> str:
    """Write a new file; return its stamp."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        info = os.fstat(handle)
    finally:
        os.close(handle)
    return f"{info.st_size}:{info.st_mtime_ns}"


def _same_stamp(path: str, data: bytes) -> str | None:
    """Return the stamp of the file at `path` when it holds exactly `data`, else None."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_size != len(data) or handle.read() != data:
                return None
    except OSError:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}"


def _apply(stage: Path, out_dir: Path) -> None:
    """Move the staged files into place and remove the old ones; finish a journal."""
    journal = json.loads((stage / _JOURNAL).read_text(encoding="utf-8"))
    listed = read_manifest(out_dir) or set()  # only files a build wrote are ever removed
    _refuse_symlink(out_dir, [rel for _, rel in journal["moves"]] + journal["remove"])
    made: set[Path] = set()
    for name, rel in journal["moves"]:
        source = stage / name
        if source.exists():
            target = _target(out_dir, rel)
            _make_parent(target, made)
            os.chmod(source, 0o644)
            os.replace(source, target)
    for rel in journal["remove"]:
        if rel not in listed:
            continue
        target = _target(out_dir, rel)
        if target.is_file():
            target.unlink()
        _prune(target.parent, out_dir)
    shutil.rmtree(stage, ignore_errors=True)


def _recover(out_dir: Path) -> None:
    """Finish the moves of a build killed while applying them; drop other leftovers."""
    for leftover in sorted(out_dir.parent.glob(_STAGE_PREFIX + out_dir.name + "-*")):
        if (leftover / _JOURNAL).is_file() and out_dir.is_dir():
            _apply(leftover, out_dir)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out_dir.parent.glob(_TEMP_PREFIX + out_dir.name + "-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _manifest(files: Iterable[str]) -> bytes:
    return json.dumps({"note": _MARKER_NOTE, "files": sorted(files)}, indent=0).encode()


def read_manifest(out_dir: Path) -> set[str] | None:
    """Return the files the last build wrote into `out_dir`, or None without a valid manifest."""
    try:
        data = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if data.get("note") != _MARKER_NOTE or not isinstance(files, list) \
            or not all(isinstance(f, str) for f in files):
        return None
    try:
        return {_checked(f) for f in files}
    except WriteError:
        return None


def _symlink_inside(out_dir: Path, files: Iterable[str]) -> str | None:
    """Return a symbolic link the output folder holds in place of a folder of these site
    files (writes and removals there would follow it), or None.

    Only the site's own folders are looked at (one lstat each, not a walk of the whole
    tree): a build never writes or removes anything outside them.
    """
    base = str(out_dir)
    seen: set[str] = set()
    for rel in files:
        folder = rel.rpartition("/")[0]
        while folder and folder not in seen:
            seen.add(folder)
            path = os.path.join(base, folder)
            try:
                if stat.S_ISLNK(os.lstat(path).st_mode):
                    return path
            except OSError:
                pass  # not there yet: the build makes it
            folder = folder.rpartition("/")[0]
    return None


def _refuse_symlink(out_dir: Path, files: Iterable[str]) -> None:
    link = _symlink_inside(out_dir, files)
    if link is not None:
        raise UsageError(f"refusing to write the site into {out_dir}: it holds a symbolic link "
                         f"({link}); remove it or choose another --out")


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty, up to (not including) the site root."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _make_parent(target: Path, made: set[Path]) -> None:
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)


def update_files(pages: Iterable[tuple[str, bytes]], out_dir: Path,
                 remove: Iterable[str] = ()) -> WriteStats:
    """Update files in place: write only changed ones, each by an atomic rename."""
    out_dir = Path(out_dir)
    stats = WriteStats()
    for rel, data in pages:
        target = _target(out_dir, rel)
        if _same(target, data):
            stats.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".mdpm-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        stats.written += 1
    for rel in remove:
        target = _target(out_dir, rel)
        if target.is_file():
            target.unlink()
            stats.removed += 1
    return stats


def _target(root: Path, rel: str) -> Path:
    """Return root/rel, refusing paths that would leave the output folder."""
    return root / _checked(rel)


def _checked(rel: str) -> str:
    """Return rel, refusing a path that would leave the output folder."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") or "\\" in p for p in parts) or rel.startswith("/"):
        raise WriteError(f"refusing to write {rel!r} outside the output folder")
    return rel


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _refuse_foreign(out_dir: Path) -> set[str] | None:
    """Never replace a folder mdpm did not write (e.g. `--out .` by mistake).

    Returns the previous build's manifest, or None for a folder to create (absent or empty).
    """
    if out_dir.is_symlink():
        raise UsageError(f"refusing to write the site into {out_dir}: it is a symbolic link; "
                         f"choose another --out")
    if not out_dir.exists():
        return None
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder")
    try:
        if not any(out_dir.iterdir()):
            return None
    except OSError as error:
        raise WriteError(_os_message(out_dir, error)) from None
    previous = read_manifest(out_dir)
    if previous is None:
        raise UsageError(f"refusing to replace {out_dir}: it is not empty and was not written by "
                         f"mdpm build (no valid {MARKER} manifest); remove it or choose "
                         f"another --out")
    return previous  # its folders are checked for symbolic links before any write there


