"""Markdown bodies to safe HTML: cmark-gfm (GitHub's parser) in safe mode, then nh3.

Rendered HTML is cached by a hash of the Markdown, in memory and (for builds) on disk,
so a rebuild only renders the bodies that changed. The disk cache is JSON in the cache
folder of `mdpm.cache` (outside the work tree), keyed by a hash of the text, mdpm's
renderer version and the sanitizer settings, so an entry made by other settings never matches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from .cache import cache_dir

# Bump when the rendering or the sanitizer settings change, so old caches are dropped.
RENDERER_VERSION = "4"
_CACHE_FILE = "markdown.json"
# Safe mode is cmark's default: raw HTML and javascript:/vbscript:/file: links are dropped.
_OPTIONS = Options.CMARK_OPT_DEFAULT | Options.CMARK_OPT_VALIDATE_UTF8
_TAGS = set(nh3.ALLOWED_TAGS) | {"input"}
_ATTRIBUTES = {**{k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()},
               "input": {"checked", "disabled"}}
_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "noopener noreferrer nofollow"
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    link_rel=_LINK_REL,
    url_schemes=_SCHEMES,
)


def content_key(text: str) -> str:
    """Return the cache key of a Markdown text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _render(text: str) -> str:
    if not text.strip():
        return ""
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=_OPTIONS)
    clean = _CLEANER.clean(demote_headings(_EMPTY_TARGET.sub(r"<\g<tag>", html)))
    return _CHECKBOX.sub(_name_checkbox, clean)


# Task-list checkboxes have no label of their own; name them so screen readers say the state.
_CHECKBOX = re.compile(r'<input type="checkbox"( checked="")? disabled="">')


def _name_checkbox(match: re.Match) -> str:
    label = "done" if match.group(1) else "not done"
    return f'<input type="checkbox"{match.group(1) or ""} disabled="" aria-label="{label}">'


# Safe mode empties unsafe targets (`href=""` links to the page itself): drop the attribute.
_EMPTY_TARGET = re.compile(r'<(?P<tag>a|img) (?:href|src)=""')


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
    """Return where the build cache lives (see `mdpm.cache.cache_dir`)."""
    return cache_dir(root)


class JsonCache:
    """String values by key, persisted as one JSON file; a bad or foreign file is ignored."""

    def __init__(self, path: Path | None = None, version: str = ""):
        self.path = path
        self.version = version
        self.entries: dict[str, Any] = self._load() if path else {}
        self.dirty = False

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.version \
                or not isinstance(data.get("entries"), dict):
            return {}
        return data["entries"]

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache (only the keys in `keep`, when given) atomically."""
        if not self.path or not (self.dirty or keep is not None and keep != set(self.entries)):
            return
        entries = self.entries if keep is None else {k: v for k, v in self.entries.items()
                                                      if k in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                _write_json(handle, self.version, entries)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def _write_json(handle, version: str, entries: dict[str, Any]) -> None:
    """Write {"version": ..., "entries": ...} by slices: the C encoder (json.dump uses the
    pure-Python one) without holding the whole text in memory."""
    handle.write(f'{{"version": {json.dumps(version)}, "entries": {{')
    items = list(entries.items())
    for start in range(0, len(items), 500):
        part = json.dumps(dict(items[start:start + 500]))[1:-1]
        handle.write(part if start == 0 else ", " + part)
    handle.write("}}")


class MarkdownCache(JsonCache):
    """Rendered HTML keyed by a hash of (Markdown, renderer version, sanitizer settings)."""

    def __init__(self, path: Path | None = None):
        super().__init__(path, _version())

    def render_all(self, texts: Iterable[str], *, workers: int = 1) -> dict[str, str]:
        """Return {content_key(text): html} for every text, rendering only the ones not cached."""
        return self.start(texts, workers=workers)()

    def start(self, texts: Iterable[str], *,
              workers: int = 1) -> Callable[[], dict[str, str]]:
        """Start rendering the texts not cached, on a fork pool when there are many; return
        a function that waits for them and returns what `render_all` returns (the caller
        does other work meanwhile)."""
        keyed = {content_key(text): text for text in texts}
        stored = {key: _stored_key(key) for key in keyed}
        missing = [(k, t) for k, t in keyed.items() if not isinstance(
            self.entries.get(stored[k]), str)]
        rendered = _start_many(missing, workers) if missing else dict

        def finish() -> dict[str, str]:
            done = rendered()
            for key, html in done.items():
                self.entries[stored[key]] = html
            self.dirty = self.dirty or bool(done)
            self.used = set(stored.values())
            return {key: self.entries[stored[key]] for key in keyed}
        return finish

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache; `keep` holds content keys (as `render_all` returns them)."""
        super().save(None if keep is None else {_stored_key(k) for k in keep})


def cache_file(cache_dir: Path) -> Path:
    return cache_dir / _CACHE_FILE


@functools.lru_cache(maxsize=1)
def _version() -> str:
    """The renderer's identity: mdpm's version, cmark's, nh3's, and the sanitizer settings."""
    from . import __version__ as mdpm_version

    settings = repr((RENDERER_VERSION, mdpm_version, getattr(cmarkgfm, "__version__", ""),
                     nh3.__version__, int(_OPTIONS), sorted(_TAGS),
                     sorted((k, sorted(v)) for k, v in _ATTRIBUTES.items()),
                     sorted(_SCHEMES), _LINK_REL))
    return hashlib.blake2b(settings.encode(), digest_size=16).hexdigest()


def _stored_key(key: str) -> str:
    return hashlib.blake2b(f"{_version()}\0{key}".encode(), digest_size=16).hexdigest()


def _start_many(items: list[tuple[str, str]], workers: int) -> Callable[[], dict[str, str]]:
    """Start rendering (key, text) pairs, on a fork pool when there are many; return a
    function that waits for {key: html}."""
    if workers > 1 and len(items) >= 400 and "fork" in _start_methods():
        import multiprocessing

        texts = [text for _, text in items]
        pool = multiprocessing.get_context("fork").Pool(workers)
        pending = pool.map_async(_render, texts,
                                 chunksize=max(16, len(texts) // (workers * 8)))
        pool.close()

        def wait() -> dict[str, str]:
            try:
                htmls = pending.get()
            finally:
                pool.terminate()
                pool.join()
            return {key: html for (key, _), html in zip(items, htmls)}
        return wait
    return lambda: {key: _render(text) for key, text in items}


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()
