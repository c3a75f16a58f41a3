"""Where mdpm keeps its caches: never inside the work tree, where a commit could plant one.

Order: `$MDPM_CACHE_DIR`; else `<git common dir>/mdpm-cache/` (git never checks files out
into its own folder); else `$XDG_CACHE_HOME/mdpm/<hash of the repository path>`
(`~/.cache` when XDG_CACHE_HOME is unset). Caches hold plain data only (JSON, and the task
bodies' text after a JSON index), never pickles or compiled code.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

CACHE_DIR_ENV = "MDPM_CACHE_DIR"


def cache_dir(root: Path) -> Path:
    """Return the cache folder of the repository at `root` (it may not exist yet)."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    root = Path(root).absolute()
    git_dir = _git_common_dir(root)
    if git_dir is not None:
        return git_dir / "mdpm-cache"
    return _user_cache_home() / "mdpm" / _path_key(root)


def _git_common_dir(root: Path) -> Path | None:
    """Return git's common dir for `root` (shared by worktrees), or None outside git."""
    try:
        done = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=root,
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    if done.returncode != 0 or not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else (root / path).resolve()


def _user_cache_home() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"


def _path_key(root: Path) -> str:
    return hashlib.blake2b(str(root.resolve()).encode("utf-8", "surrogatepass"),
                           digest_size=8).hexdigest()
