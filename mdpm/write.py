"""Write the site: never half-written, and files whose bytes did not change are not rewritten.

`write_site` builds the new site in a temporary folder next to the output. A file whose
bytes equal the old site's is hard-linked from it (same inode, same mtime: rsync and
deploys see it unchanged); others are written fresh. Then the folders are swapped with one
atomic rename exchange (Linux `renameat2`), or two renames elsewhere, and the old tree is
removed. If the build fails or is killed before the swap, the old site is untouched.

`update_files` (for `mdpm serve`) updates files in place, each by an atomic rename.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import MdpmError, UsageError

MARKER = ".mdpm-site"
_TEMP_PREFIX = ".mdpm-new-"
_OLD_PREFIX = ".mdpm-old-"


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


class WriteError(MdpmError):
    """The site could not be written (exit status 1); the old site is kept."""


def write_site(pages: Iterable[tuple[str, bytes]], out_dir: Path) -> WriteStats:
    """Write every (path, bytes) as the new content of `out_dir`, atomically."""
    out_dir = Path(out_dir).absolute()
    _refuse_foreign(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out_dir)
    temp = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    try:
        stats, written = _fill(temp, out_dir, pages)
        stats.removed = _count_removed(out_dir, written)
        _swap(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return stats


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
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or any(p in ("..", "") for p in parts):
        raise WriteError(f"refusing to write {rel!r} outside the output folder")
    return root.joinpath(*parts)


def _fill(temp: Path, old: Path, pages) -> tuple[WriteStats, set[str]]:
    stats = WriteStats()
    written: set[str] = set()
    made: set[Path] = {temp}
    marker = (MARKER, b"This folder is written by `mdpm build`, which replaces it whole.\n")
    for rel, data in _then(pages, marker):
        target = _target(temp, rel)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        previous = _target(old, rel)
        kept = _same(previous, data) and _link(previous, target)
        if not kept:
            with open(target, "wb") as handle:
                handle.write(data)
        if rel != MARKER:
            stats.unchanged += kept
            stats.written += not kept
            written.add(rel)
    os.chmod(temp, 0o755)
    return stats, written


def _then(pages, last):
    yield from pages
    yield last


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:
        try:
            shutil.copy2(source, target)
        except OSError:
            return False
    return True


def _count_removed(old: Path, written: set[str]) -> int:
    if not old.is_dir():
        return 0
    count = 0
    for folder, _, files in os.walk(old):
        for name in files:
            rel = Path(folder, name).relative_to(old).as_posix()
            if rel != MARKER and rel not in written:
                count += 1
    return count


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


def _remove_leftovers(out_dir: Path) -> None:
    """Remove temporary folders left by a build that was killed."""
    for prefix in (_TEMP_PREFIX, _OLD_PREFIX):
        for stale in out_dir.parent.glob(prefix + out_dir.name + "-*"):
            shutil.rmtree(stale, ignore_errors=True)


def _swap(new: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(new, out_dir)
        return
    if _exchange(new, out_dir):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old site
        return
    old = Path(tempfile.mkdtemp(prefix=_OLD_PREFIX + out_dir.name + "-", dir=out_dir.parent))
    os.rmdir(old)
    os.rename(out_dir, old)
    os.rename(new, out_dir)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False when unsupported."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
