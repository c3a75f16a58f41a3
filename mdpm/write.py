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
_MARKER_TEXT = b"This folder is written by `mdpm build`; it replaces its content on each build.\n"
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


def write_site(pages: Iterable[tuple[str, bytes | None]], out_dir: Path) -> WriteStats:
    """Make `out_dir` hold exactly these (path, bytes) files, never half-written.

    Bytes None means "this file is already right": it is kept as it is.
    """
    out_dir = Path(out_dir).absolute()
    _refuse_foreign(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _recover(out_dir)
    if out_dir.is_dir() and (out_dir / MARKER).is_file():
        return _update(pages, out_dir)
    return _create(pages, out_dir)


def _create(pages, out_dir: Path) -> WriteStats:
    temp = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    stats = WriteStats()
    try:
        made: set[Path] = {temp}
        for rel, data in _then(pages, (MARKER, _MARKER_TEXT)):
            if data is None:
                raise WriteError(f"{rel}: no page to keep in a new output folder")
            target = _target(temp, rel)
            _make_parent(target, made)
            with open(target, "wb") as handle:
                handle.write(data)
            stats.written += rel != MARKER
        os.chmod(temp, 0o755)
        if out_dir.exists():
            out_dir.rmdir()  # only ever an empty folder here (see _refuse_foreign)
        os.rename(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return stats


def _update(pages, out_dir: Path) -> WriteStats:
    stage = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    stats = WriteStats()
    moves: list[tuple[str, str]] = []
    seen: set[str] = set()
    try:
        for rel, data in _then(pages, (MARKER, _MARKER_TEXT)):
            seen.add(rel)
            if data is None:  # the caller knows this page is unchanged: keep the file
                if not _target(out_dir, rel).is_file():
                    raise WriteError(f"{rel}: the page to keep is missing")
                stats.unchanged += 1
                continue
            if _same(_target(out_dir, rel), data):
                stats.unchanged += rel != MARKER
                continue
            name = str(len(moves))
            (stage / name).write_bytes(data)
            moves.append((name, rel))
            stats.written += rel != MARKER
        removals = sorted(_existing(out_dir) - seen)
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
    made: set[Path] = set()
    for name, rel in journal["moves"]:
        source = stage / name
        if source.exists():
            target = _target(out_dir, rel)
            _make_parent(target, made)
            os.chmod(source, 0o644)
            os.replace(source, target)
    for rel in journal["remove"]:
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


def _existing(out_dir: Path) -> set[str]:
    found = set()
    for folder, _, files in os.walk(out_dir):
        base = Path(folder).relative_to(out_dir).as_posix()
        for name in files:
            found.add(name if base == "." else f"{base}/{name}")
    return found


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


def _then(pages, last):
    yield from pages
    yield last


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
    parts = rel.split("/")
    if any(p in ("", ".", "..") or "\\" in p for p in parts) or rel.startswith("/"):
        raise WriteError(f"refusing to write {rel!r} outside the output folder")
    return root / rel


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _refuse_foreign(out_dir: Path) -> None:
    """Never replace a folder mdpm did not write (e.g. `--out .` by mistake)."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder")
    if (out_dir / MARKER).is_file() or not any(out_dir.iterdir()):
        return
    raise UsageError(f"refusing to replace {out_dir}: it is not empty and was not written by "
                     f"mdpm build (no {MARKER} file); remove it or choose another --out")


