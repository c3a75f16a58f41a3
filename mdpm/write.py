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
marker is not such a manifest, an output folder that is a symbolic link or holds one, and
one that is, holds or lies inside the repository's own folders (see `check_out_dir`).

`update_files` (for `mdpm serve`) updates files in place, each by an atomic rename.
"""

from __future__ import annotations

import json
import os
import shutil
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
    out_dir = Path(out_dir).absolute()
    if root is not None:
        check_out_dir(out_dir, root)
    previous = _refuse_foreign(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _recover(out_dir)
        if previous is not None:
            return _update(pages, out_dir, previous)
        return _create(pages, out_dir)
    except OSError as error:
        raise WriteError(_os_message(out_dir, error)) from None


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


def _create(pages, out_dir: Path) -> WriteStats:
    temp = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    stats = WriteStats()
    try:
        made: set[Path] = {temp}
        files: list[str] = []
        for rel, data in pages:
            if data is None:
                raise WriteError(f"{rel}: no page to keep in a new output folder")
            target = _target(temp, rel)
            _make_parent(target, made)
            with open(target, "wb") as handle:
                handle.write(data)
            files.append(rel)
            stats.written += 1
        (temp / MARKER).write_bytes(_manifest(files))
        os.chmod(temp, 0o755)
        if out_dir.exists():
            out_dir.rmdir()  # only ever an empty folder here (see _refuse_foreign)
        os.rename(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return stats


def _update(pages, out_dir: Path, previous: set[str]) -> WriteStats:
    stage = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    stats = WriteStats()
    moves: list[tuple[str, str]] = []
    seen: set[str] = set()
    base = str(out_dir)
    try:
        for rel, data in pages:
            if rel == MARKER:
                raise WriteError(f"refusing to write {rel!r}: the name of the manifest")
            seen.add(rel)
            if data is None:  # the caller knows this page is unchanged: keep the file
                if not os.path.isfile(os.path.join(base, _checked(rel))):  # no Path: 10k pages
                    raise WriteError(f"{rel}: the page to keep is missing")
                stats.unchanged += 1
                continue
            if _same(_target(out_dir, rel), data):
                stats.unchanged += 1
                continue
            name = str(len(moves))
            (stage / name).write_bytes(data)
            moves.append((name, rel))
            stats.written += 1
        manifest = _manifest(seen)
        if not _same(out_dir / MARKER, manifest):
            (stage / "manifest").write_bytes(manifest)
            moves.append(("manifest", MARKER))
        removals = sorted(previous - seen)
        stats.removed = len(removals)
        (stage / _JOURNAL).write_text(json.dumps({"moves": moves, "remove": removals}),
                                      encoding="utf-8")
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _apply(stage, out_dir)
    return stats


def _apply(stage: Path, out_dir: Path) -> None:
    """Move the staged files into place and remove the old ones; finish a journal."""
    journal = json.loads((stage / _JOURNAL).read_text(encoding="utf-8"))
    listed = read_manifest(out_dir) or set()  # only files a build wrote are ever removed
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


def _symlink_inside(out_dir: Path) -> str | None:
    """Return a symbolic link found in the output folder (writes would follow it), or None."""
    folders = [str(out_dir)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():  # from the directory entry: no extra system call
                    return entry.path
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
    return None


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
    link = _symlink_inside(out_dir)
    if link is not None:
        raise UsageError(f"refusing to write the site into {out_dir}: it holds a symbolic link "
                         f"({link}); remove it or choose another --out")
    return previous


