"""Markdown bodies to safe HTML: cmark-gfm (GitHub's parser) in safe mode, then nh3.

Rendered HTML is cached by a hash of the Markdown, in memory and (for builds) on disk,
so a rebuild only renders the bodies that changed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

# Bump when the rendering or the sanitizer settings change, so old caches are dropped.
RENDERER_VERSION = "2"
CACHE_DIR_ENV = "MDPM_CACHE_DIR"
_CACHE_FILE = "markdown.pickle"
# Safe mode is cmark's default: raw HTML and javascript:/vbscript:/file: links are dropped.
_OPTIONS = Options.CMARK_OPT_DEFAULT | Options.CMARK_OPT_VALIDATE_UTF8
_TAGS = set(nh3.ALLOWED_TAGS) | {"input"}
_ATTRIBUTES = {**{k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()},
               "input": {"checked", "disabled"}}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    link_rel="noopener noreferrer nofollow",
    url_schemes={"http", "https", "mailto"},
)


def content_key(text: str) -> str:
    """Return the cache key of a Markdown text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _render(text: str) -> str:
    if not text.strip():
        return ""
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=_OPTIONS)
    return _CLEANER.clean(demote_headings(html))


_HEADING = re.compile(r"<(/?)h([1-6])>")


def demote_headings(html: str, top: int = 3) -> str:
    """Renumber a body's headings from `top` down without gaps (pages own h1 and h2)."""
    levels = sorted({int(m) for m in _HEADING_LEVEL.findall(html)})
    if not levels:
        return html
    new = {level: min(6, top + rank) for rank, level in enumerate(levels)}
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{new[int(m.group(2))]}>", html)


_HEADING_LEVEL = re.compile(r"<h([1-6])>")


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Return the sanitized HTML of a Markdown text (GitHub flavour: tables, task lists...)."""
    return _render(text)


def default_cache_dir(root: Path) -> Path:
    """Return where the build cache lives: $MDPM_CACHE_DIR or `.mdpm-cache/` in the repo."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    return Path(override) if override else root / ".mdpm-cache"


class MarkdownCache:
    """Rendered HTML keyed by the hash of its Markdown, persisted between builds."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.entries: dict[str, str] = self._load() if path else {}
        self.dirty = False

    def _load(self) -> dict[str, str]:
        try:
            with open(self.path, "rb") as handle:
                version, entries = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError,
                AttributeError, ImportError):
            return {}
        return entries if version == _version() else {}

    def render_all(self, texts: Iterable[str], *, workers: int = 1) -> dict[str, str]:
        """Return {key: html} for every text, rendering only the ones not cached."""
        keyed = {content_key(text): text for text in texts}
        missing = [(k, t) for k, t in keyed.items() if k not in self.entries]
        if missing:
            self.entries.update(_render_many(missing, workers))
            self.dirty = True
        return {key: self.entries[key] for key in keyed}

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache (only the keys in `keep`, when given) atomically."""
        if not self.path or not (self.dirty or keep is not None and keep != set(self.entries)):
            return
        entries = self.entries if keep is None else {k: v for k, v in self.entries.items()
                                                      if k in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".markdown-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((_version(), entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def cache_file(cache_dir: Path) -> Path:
    return cache_dir / _CACHE_FILE


def _version() -> str:
    return f"{RENDERER_VERSION}/{getattr(cmarkgfm, '__version__', '')}/{nh3.__version__}"


def _render_many(items: list[tuple[str, str]], workers: int) -> dict[str, str]:
    """Render (key, text) pairs, on a fork pool when there are many."""
    if workers > 1 and len(items) >= 400 and "fork" in _start_methods():
        import multiprocessing

        texts = [text for _, text in items]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            htmls = pool.map(_render, texts, chunksize=max(16, len(texts) // (workers * 8)))
        return {key: html for (key, _), html in zip(items, htmls)}
    return {key: _render(text) for key, text in items}


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()
