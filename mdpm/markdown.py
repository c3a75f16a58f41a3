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
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from .cache import cache_dir

# Bump when the rendering or the sanitizer settings change, so old caches are dropped.
RENDERER_VERSION = "5"
_CACHE_FOLDER = "markdown"
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


@functools.lru_cache(maxsize=1 << 16)  # the cache and the view models both ask, per body
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


class ShardedCache:
    """Values by key in a folder of JSON files, one per group of keys (by a hash of the key),
    and an index of the keys: a group is read only when one of its keys is first asked for,
    and only the groups that changed are written again. A bad or foreign file is ignored."""

    INDEX = "index.json"

    def __init__(self, folder: Path | None = None, version: str = ""):
        self.folder = folder
        self.version = f"{version}/{_LAYOUT}"
        self._groups: dict[str, dict[str, Any]] = {}
        self._changed: set[str] = set()
        self._index = self._read_index() if folder else {}
        """Group -> its keys, as the files hold them; None when the index is missing or bad."""
        self.dirty = False

    def _read_index(self) -> dict[str, set[str]] | None:
        data = _read_json(self.folder / self.INDEX)
        keys = data.get("keys") if isinstance(data, dict) and data.get("version") == \
            self.version else None
        if not isinstance(keys, dict) or not all(isinstance(v, list) for v in keys.values()):
            return None
        return {group: set(names) for group, names in keys.items()}

    def _group(self, name: str) -> dict[str, Any]:
        entries = self._groups.get(name)
        if entries is None:
            entries = {}
            if self.folder:
                data = _read_json(self.folder / f"{name}.json")
                if isinstance(data, dict) and data.get("version") == self.version \
                        and isinstance(data.get("entries"), dict):
                    entries = data["entries"]
            self._groups[name] = entries
            if self._index is not None and self._index.get(name, set()) != entries.keys():
                self._index[name] = set(entries)  # the files are right, not the index
                self._changed.add(self.INDEX)
        return entries

    def get(self, key: str, default: Any = None) -> Any:
        return self._group(group_of(key)).get(key, default)

    def __contains__(self, key: str) -> bool:
        """Whether the cache holds `key`, from the index when there is one (no group read)."""
        name = group_of(key)
        if self._index is not None and name not in self._groups:
            return key in self._index.get(name, ())
        return key in self._group(name)

    def __setitem__(self, key: str, value: Any) -> None:
        name = group_of(key)
        self._group(name)[key] = value
        if self._index is not None:
            self._index.setdefault(name, set()).add(key)
        self._changed.add(name)
        self.dirty = True

    def update(self, entries: dict[str, Any]) -> None:
        for key, value in entries.items():
            self[key] = value

    def save(self, keep: set[str] | None = None) -> None:
        """Write the groups that changed; with `keep`, drop every other key first (reading
        only the groups the index says hold one)."""
        if not self.folder:
            return
        if self._index is None:  # no index to trust: read every group once to make one
            for name in self._group_files():
                self._group(name)
            self._index = {name: set(entries) for name, entries in self._groups.items()}
            self._changed.add(self.INDEX)
        if keep is not None:
            self._drop_all_but(keep)
        if not self._changed:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name in sorted(self._changed - {self.INDEX}):
                entries = self._groups[name]
                path = self.folder / f"{name}.json"
                if entries:
                    _write_atomically(path, self.version, entries)
                else:
                    path.unlink(missing_ok=True)
                    self._index.pop(name, None)
            keys = {name: sorted(names) for name, names in sorted(self._index.items()) if names}
            _write_atomically(self.folder / self.INDEX, self.version, keys, field="keys")
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
        self._changed = set()

    def _drop_all_but(self, keep: set[str]) -> None:
        # A set difference per group: no key is hashed again, and only the groups that
        # hold a key to drop are read.
        for name in list(self._index):
            if self._index[name] - keep or self._groups.get(name, {}).keys() - keep:
                entries = self._group(name)
                for key in entries.keys() - keep:
                    del entries[key]
                self._index[name] = set(entries)
                self._changed.add(name)

    def _group_files(self) -> list[str]:
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return sorted(n[:-5] for n in names if _GROUP_FILE.fullmatch(n))


_GROUP_FILE = re.compile(r"[0-9a-f]{2}\.json")


def group_of(key: str) -> str:
    """Return the group (file) of a cache key, one of 64: by its first two characters when
    they are hexadecimal (the keys are hashes already), else by a hash of the key."""
    name = _GROUP_OF_PREFIX.get(key[:2])
    if name is None:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=1).digest()
        name = f"{digest[0] & 63:02x}"
    return name


_GROUP_OF_PREFIX = {f"{n:02x}": f"{n & 63:02x}" for n in range(256)}
_LAYOUT = "2"
"""Bump when `group_of` changes: the files of another layout are not read."""


def _read_json(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _write_atomically(path: Path, version: str, value: dict, field: str = "entries") -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"version": version, field: value}, separators=(",", ":")))
        os.replace(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise


class RenderedMarkdown(Mapping):
    """{content key: HTML} of a site's texts: those rendered in this build, the others read
    from the cache when a page first asks for them (and rendered then if the cache lost them)."""

    def __init__(self, cache: ShardedCache, texts: dict[str, str], fresh: dict[str, str]):
        self._cache = cache
        self._texts = texts
        self._html = fresh

    def __getitem__(self, key: str) -> str:
        html = self._html.get(key)
        if html is None:
            text = self._texts[key]  # KeyError for a text not on the site
            html = self._cache.get(key)
            if not isinstance(html, str):
                html = _render(text)
            self._html[key] = html
        return html

    def __iter__(self):
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


class MarkdownCache(ShardedCache):
    """Rendered HTML keyed by a hash of the Markdown; its version (files of another are not
    read) is the renderer's: cmark-gfm's, nh3's and the sanitizer settings."""

    def __init__(self, folder: Path | None = None):
        super().__init__(folder, _version())

    def render_all(self, texts: Iterable[str], *, workers: int = 1) -> Mapping[str, str]:
        """Return {content_key(text): html} for every text, rendering only the ones not cached."""
        return self.start(texts, workers=workers)()

    def start(self, texts: Iterable[str], *,
              workers: int = 1) -> Callable[[], Mapping[str, str]]:
        """Start rendering the texts not cached, on a fork pool when there are many; return
        a function that waits for them and returns what `render_all` returns (the caller
        does other work meanwhile)."""
        keyed = {content_key(text): text for text in texts}
        missing = [(k, t) for k, t in keyed.items() if k not in self]
        rendered = _start_many(missing, workers) if missing else dict

        def finish() -> Mapping[str, str]:
            done = rendered()
            for key, html in done.items():
                self[key] = html
            return RenderedMarkdown(self, keyed, dict(done))
        return finish


def cache_file(cache_dir: Path) -> Path:
    return cache_dir / _CACHE_FOLDER


@functools.lru_cache(maxsize=1)
def _version() -> str:
    """The renderer's identity: mdpm's version, cmark's, nh3's, and the sanitizer settings."""
    from . import __version__ as mdpm_version

    settings = repr((RENDERER_VERSION, mdpm_version, getattr(cmarkgfm, "__version__", ""),
                     nh3.__version__, int(_OPTIONS), sorted(_TAGS),
                     sorted((k, sorted(v)) for k, v in _ATTRIBUTES.items()),
                     sorted(_SCHEMES), _LINK_REL))
    return hashlib.blake2b(settings.encode(), digest_size=16).hexdigest()



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
