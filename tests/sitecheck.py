"""Helpers for the site tests: build a copy of a repository, parse pages, crawl links."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from mdpm.build import build
from mdpm.history import History
from mdpm.workspace import open_workspace

REPO = Path(__file__).resolve().parent.parent
BROKEN = REPO / "tests" / "fixtures" / "broken"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
SHARED_CACHE = Path(tempfile.gettempdir()) / "mdpm-test-cache"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "path"}


def copy_example(target: Path) -> Path:
    """Copy the example team (mdpm.toml + content/) into target; return it."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mdpm.toml", target / "mdpm.toml")
    shutil.copytree(REPO / "content", target / "content")
    return target


def copy_broken(target: Path) -> Path:
    shutil.copytree(BROKEN, target, dirs_exist_ok=True)
    return target


def build_copy(root: Path, out: Path, *, now=NOW, history=None, cache: Path | None = None):
    workspace = open_workspace(root)
    return build(workspace, out, now=now, history=history if history is not None else History(),
                 cache_dir=cache or SHARED_CACHE)


class Page(HTMLParser):
    """Everything the tests look at in one HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text_parts: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        found = []
        for name, values in self.tags:
            if tag and name != tag:
                continue
            if all(values.get(k.replace("_", "-")) == v or (v is True and k.replace("_", "-")
                                                            in values) for k, v in attrs.items()):
                found.append(values)
        return found

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if "id" in a]


def html_pages(site: Path) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): Page(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html"))}


def broken_links(site: Path, pages: dict[str, Page]) -> list[str]:
    """Return every internal href/src that does not resolve to a file (or its #fragment)."""
    bad = []
    for rel, page in pages.items():
        for _, attrs in page.tags:
            for key in ("href", "src"):
                value = attrs.get(key)
                if value is None:
                    continue
                parts = urlsplit(value)
                if parts.scheme or value.startswith("//"):
                    continue
                base = (site / rel).parent
                target = (base / parts.path).resolve() if parts.path else site / rel
                if not target.is_file():
                    bad.append(f"{rel}: {value}")
                    continue
                if parts.fragment and target.suffix == ".html":
                    target_rel = target.relative_to(site.resolve()).as_posix()
                    if parts.fragment not in pages[target_rel].ids():
                        bad.append(f"{rel}: {value} (no #{parts.fragment})")
    return bad


def tree_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def tree_stats(site: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(site.rglob("*")) if p.is_file()}
