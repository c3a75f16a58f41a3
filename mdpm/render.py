"""Render the site: the Jinja environment (theme search path), the page plan, (path, bytes) pairs.

No I/O besides reading templates and theme files; `write` writes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from urllib.parse import quote

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from . import feeds
from .metrics import whole_days
from .errors import ConfigError
from .theme import DEFAULT_THEME, default_theme_dir, theme_dirs  # noqa: F401 (re-exported)
from .site import Site, person_slug


@dataclass(slots=True)
class PageSpec:
    """One output file: a template and its context, or a function that makes the bytes."""

    path: str
    template: str | None = None
    context: dict = field(default_factory=dict)
    make: Callable[[Site], bytes] | None = None
    refs: frozenset[str] | None = None
    """The task refs whose change affects this page; None: any change does."""

    @property
    def root(self) -> str:
        """The relative prefix from this page back to the site root."""
        return "../" * self.path.count("/")


def templates_stamp(dirs: Iterable[Path]) -> str:
    """Return the name, size and mtime of every template of these themes, as one string."""
    parts = []
    for folder in dirs:
        for base, subdirs, files in os.walk(folder / "templates"):
            subdirs.sort()
            for name in sorted(files):
                try:
                    info = os.stat(os.path.join(base, name))
                except OSError:
                    continue
                parts.append(f"{base}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


_ENV_OPTIONS = {"autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": True,
                "lstrip_blocks": True, "keep_trailing_newline": True, "auto_reload": False}


@functools.lru_cache(maxsize=8)
def make_env(dirs: tuple[Path, ...], stamp: str = "") -> jinja2.Environment:
    """Return the Jinja environment: autoescape on, overrides first, `default:` for extending.

    Environments are reused per theme path and `templates_stamp` within a process, and never
    look at the template files again once loaded (a changed theme makes a new stamp, so a
    new environment; checking every page's templates on disk costs a sixth of a page's
    time). A theme from the repository runs in Jinja's immutable sandbox (its templates come
    with pull requests) and is compiled on each run: compiled code is never loaded from a
    folder a commit or a cache can write. mdpm's own default theme alone runs in the plain,
    faster environment, from the compiled templates shipped with it while they match its
    templates (see `compile_default_theme`).
    """
    trusted = dirs == (default_theme_dir(),)
    kind = jinja2.Environment if trusted else jinja2.sandbox.ImmutableSandboxedEnvironment
    default_loader = jinja2.FileSystemLoader(str(dirs[-1] / "templates"))
    loaders: list[jinja2.BaseLoader] = [
        jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        jinja2.PrefixLoader({"default": default_loader}, delimiter=":"),
    ]
    compiled = _compiled_loader(dirs[0]) if trusted else None
    if compiled is not None:
        loaders.insert(0, compiled)
    env = kind(loader=jinja2.ChoiceLoader(loaders), **_ENV_OPTIONS)
    _add_helpers(env)
    return env


def _add_helpers(env: jinja2.Environment) -> None:
    env.filters["plural"] = plural
    env.filters["days"] = whole_days
    env.filters["days_text"] = days_text
    env.filters["number"] = number
    env.filters["code_spans"] = code_spans
    env.globals.update(person_slug=person_slug, icon=icon, person=person_link)


# --- the default theme's templates, compiled when mdpm is made -----------------------------
#
# Compiling the templates a build needs takes a few tenths of a second, on every run and in
# every worker that renders a page kind first: more than rendering a page after one change.
# The default theme ships them compiled (Jinja's own module format, in `compiled/` beside
# `templates/`); they are used only while their stamp is that of the templates beside them
# and of this Jinja, else the templates are compiled as any theme's.

COMPILED = "compiled"
_STAMP = "STAMP"


class _CompiledLoader(jinja2.ModuleLoader):
    """Loads the shipped compiled templates; cannot list them (the file system loader after
    it lists the same templates)."""

    def list_templates(self) -> list[str]:
        return []


def _compiled_loader(theme: Path) -> jinja2.BaseLoader | None:
    folder = theme / COMPILED
    try:
        stamp = (folder / _STAMP).read_text(encoding="utf-8")
    except OSError:
        return None
    return _CompiledLoader(str(folder)) if stamp == compiled_stamp(theme) else None


def compiled_stamp(theme: Path) -> str:
    """Jinja's version and a hash of it, the environment's options and a theme's templates."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((jinja2.__version__, sorted((k, repr(v)) for k, v in
                                                    _ENV_OPTIONS.items()))).encode())
    templates = theme / "templates"
    for path in sorted(templates.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(templates).as_posix()}\0".encode())
            digest.update(path.read_bytes() + b"\0")
    return f"jinja2 {jinja2.__version__} {digest.hexdigest()}"


def compile_default_theme(theme: Path | None = None) -> Path:
    """Write the compiled templates of the default theme beside them; return their folder.

    Run `python -m mdpm.render` after changing a template of the default theme (a test
    fails until they match; mdpm compiles the templates on each run meanwhile)."""
    theme = theme or default_theme_dir()
    folder = theme / COMPILED
    shutil.rmtree(folder, ignore_errors=True)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(theme / "templates")),
                             **_ENV_OPTIONS)
    _add_helpers(env)
    folder.mkdir(parents=True)
    for name in env.list_templates():
        source, filename, _ = env.loader.get_source(env, name)
        code = env.compile(source, name, filename, raw=True, defer_init=True)
        header = (f"# Made by `python -m mdpm.render` from the default theme's {name}: "
                  f"Jinja's compiled form of it. Do not edit.\n")
        module = folder / jinja2.ModuleLoader.get_module_filename(name)
        module.write_text(header + code, encoding="utf-8")
    (folder / _STAMP).write_text(compiled_stamp(theme), encoding="utf-8")
    return folder


_ICON_PATHS = {
    "alert": "M8 1.2 15.4 14.5H.6L8 1.2Zm-.9 4.6v4.3h1.8V5.8H7.1Zm0 5.4v1.7h1.8v-1.7H7.1Z",
    "blocked": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm0 1.8a5.2 5.2 0 0 1 4.1 8.4L4.8 3.9A5.2 5.2 "
               "0 0 1 8 2.8ZM3.9 4.8l7.3 7.3A5.2 5.2 0 0 1 3.9 4.8Z",
    "bolt": "M9.5 .8 2.8 9.2h4.1L5.9 15.2l7.3-9H9l.5-5.4Z",
    "clock": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm0 1.8a5.2 5.2 0 1 1 0 10.4A5.2 5.2 0 0 1 8 "
             "2.8Zm-.9 1.7v4.2l3.4 2 .9-1.5-2.5-1.5V4.5H7.1Z",
    "up": "M8 2.5 13.5 9h-3.6v4.5H6.1V9H2.5L8 2.5Z",
    "down": "M8 13.5 2.5 7h3.6V2.5h3.8V7h3.6L8 13.5Z",
    "check": "m6.3 11.9-3.8-3.8 1.3-1.3 2.5 2.5 5.9-5.9 1.3 1.3-7.2 7.2Z",
    "list": "M2 3h2v2H2V3Zm4 .2h8v1.6H6V3.2ZM2 7h2v2H2V7Zm4 .2h8v1.6H6V7.2ZM2 11h2v2H2v-2Zm4 "
            ".2h8v1.6H6v-1.6Z",
    "person": "M8 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm0 1.5c-3 0-5.5 1.6-5.5 3.6V14h11v-.9c0-2-2.5"
              "-3.6-5.5-3.6Z",
    "calendar": "M4 1h1.6v1.5h4.8V1H12v1.5h2V15H2V2.5h2V1Zm-.4 5v7.4h8.8V6H3.6Z",
}
ICONS = {name: Markup(f'<span class="icon i-{name}" aria-hidden="true"></span>')
         for name in _ICON_PATHS}
"""Each icon is a span painted by `icons_css`: one stylesheet draws them, instead of an SVG
in each of the thousands of cards and rows a large site shows."""


def icons_css() -> bytes:
    """The stylesheet of the icons: each shape a mask over the text's colour (so it follows
    links, badges and forced colours as the words beside it do)."""
    rules = [".icon { display: inline-block; width: 1em; height: 1em; vertical-align: -.14em; "
             "margin-right: .3em; flex: none; background-color: currentColor; "
             "-webkit-mask: var(--icon) center / contain no-repeat; "
             "mask: var(--icon) center / contain no-repeat; forced-color-adjust: none; "
             "-webkit-print-color-adjust: exact; print-color-adjust: exact; }",
             # Forced colours keep the text's own colour from an unforced icon: use theirs.
             "@media (forced-colors: active) { .icon { background-color: CanvasText; } }"]
    for name, path in _ICON_PATHS.items():
        svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
               f"<path d='{path}'/></svg>")
        rules.append(f'.i-{name} {{ --icon: url("data:image/svg+xml,'
                     f'{quote(svg, safe=_URI_SAFE)}"); }}')
    return ("/* Made by mdpm from its icons (mdpm/render.py). */\n" + "\n".join(rules)
            + "\n").encode()


_URI_SAFE = " '/:=.,-"
ICONS_CSS = "static/icons.css"


def icon(name: str) -> Markup:
    """Return a small inline SVG icon (decorative: the text next to it says the same)."""
    return ICONS.get(name, Markup(""))


@functools.lru_cache(maxsize=4096)
def person_link(handle: str | None, root: str) -> Markup:
    """Return a link to a person's page with an initial as avatar, or 'nobody'."""
    if not handle:
        return Markup('<span class="muted">nobody</span>')
    name = escape(handle)
    return Markup(f'<a class="person" href="{escape(root)}people/{escape(person_slug(handle))}'
                  f'/index.html"><span class="avatar" aria-hidden="true">{name[:1].upper()}'
                  f'</span>{name}</a>')


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: str) -> Markup:
    """Escape a plain-text message, then show its `backtick` spans as <code>."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


def days_text(value: float | None) -> str:
    """Return a duration in whole days with its unit: '3 days', '1 day', '< 1 day'."""
    whole = whole_days(value)
    return f"{whole} {'day' if whole in ('1', '< 1') else 'days'}"


def number(value: float | None) -> str:
    """Return 3.0 as '3' and 2.5 as '2.5' ('—' for None)."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """Return '1 task' / '3 tasks'."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


ROOT_MARK = Markup("<mdpm-root/>")
"""Stands for the page's `root` in a card: a card is rendered once, then shown on pages at
any depth with the mark replaced (no task text can make it: text is always escaped)."""


class Renderer:
    """Renders the pages of one site with one environment; caches card fragments."""

    def __init__(self, site: Site, dirs: list[Path]):
        self.site = site
        self.dirs = dirs
        self.env = make_env(tuple(dirs), templates_stamp(dirs))
        self.templates = set(self.env.list_templates())
        self.specs = plan_pages(site, self.templates)
        self.by_path = {spec.path: spec for spec in self.specs}
        self._cards: dict[str, tuple[object, str]] = {}
        """ref -> (the task view it shows, its card with ROOT_MARK for the page's root)."""
        self._earlier: dict[str, tuple[object, str]] = {}
        """The same, from earlier renderers (see `reuse_cards`)."""
        self._card_template: jinja2.Template | None = None
        self._fragments: dict[tuple[str, str, str], Markup] = {}
        self.card_key: Callable[[str], str] | None = None
        """card_key(ref): a key of everything a card shows; set to reuse `stored_cards`."""
        self.stored_cards: dict[str, str] = {}
        """Cards (with ROOT_MARK) by card key, from earlier builds."""
        self.new_cards: dict[str, str] = {}
        """Cards rendered here that `stored_cards` did not hold, by card key."""

    def nav(self, current: str) -> list[dict]:
        links = [("Overview", "index.html", "overview"), ("Board", "board/index.html", "board"),
                 ("Review", "review/index.html", "review"), ("People", "people/index.html",
                                                             "people")]
        if "metrics/index.html" in self.by_path:
            links.append(("Metrics", "metrics/index.html", "metrics"))
        return [{"label": label, "url": url, "current": key == current}
                for label, url, key in links]

    def card(self, ref: str, root: str) -> Markup:
        """Return a task's card for a page at `root` (rendered once for every page)."""
        found = self._cards.get(ref)
        if found is None:
            found = self._cards[ref] = (self.site.tasks[ref], self._card_html(ref))
        return Markup(found[1].replace(ROOT_MARK, root))  # root is "../" repeated: safe

    def cards(self, refs: Iterable[str], root: str) -> Markup:
        """Return the cards of these tasks, one after another."""
        return Markup("".join([self.card(ref, root) for ref in refs]))

    def fragment(self, name: str, root: str, section: str) -> Markup:
        """Return a template that shows only the site, `root`, `section` and `nav` (the page
        header and footer), rendered once per depth and section; without its last newline,
        as Jinja leaves a template by default, so it sits on its own line."""
        key = (name, root, section)
        html = self._fragments.get(key)
        if html is None:
            text = self.env.get_template(name).render(site=self.site, root=root, section=section,
                                                      nav=self.nav(section))
            html = self._fragments[key] = Markup(text.removesuffix("\n"))
        return html

    def _card_html(self, ref: str) -> str:
        view = self.site.tasks[ref]
        earlier = self._earlier.get(ref)
        if earlier is not None and earlier[0] == view:
            return earlier[1]
        key = self.card_key(ref) if self.card_key else None
        html = self.stored_cards.get(key) if key else None
        if not isinstance(html, str):
            html = self._render_card(ref)
            if key:
                self.new_cards[key] = html
        return html

    def reuse_cards(self, previous: "Renderer | None") -> None:
        """Reuse the cards of an earlier renderer of the same theme and site frame whose task
        view did not change (a long-lived server renders a new site after each save)."""
        if previous is not None and previous.env is self.env \
                and _card_frame(previous.site) == _card_frame(self.site):
            self._earlier = {**previous._earlier, **previous._cards}

    def _render_card(self, ref: str) -> str:
        if self._card_template is None:  # once per build: imports cost more than a card
            self._card_template = self.env.get_template("_card.html")
            self._badges = self.env.get_template("_macros.html").module.badges
        return self._card_template.render(t=self.site.tasks[ref], root=ROOT_MARK, site=self.site,
                                          badges=self._badges)

    def compile_all(self, specs: Iterable[PageSpec] | None = None) -> None:
        """Load the templates of these pages (all by default) now, so forked workers share
        them; a broken one is reported when a page renders it."""
        names = {spec.template for spec in (self.specs if specs is None else specs)
                 if spec.template}
        names |= {"_card.html", "_macros.html", "_header.html", "_footer.html"} & self.templates
        for name in sorted(names):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass

    def render(self, spec: PageSpec) -> bytes:
        if spec.make is not None:
            return spec.make(self.site)
        root, section = spec.root, spec.context.get("section", "")
        context = {
            "site": self.site, "root": root, "page_path": spec.path,
            "nav": self.nav(section),
            "card": lambda ref: self.card(ref, root),
            "cards": lambda refs: self.cards(refs, root),
            "fragment": lambda name: self.fragment(name, root, section),
            "has_retro": "retro.html" in self.templates,
            **spec.context,
        }
        try:
            html = self.env.get_template(spec.template).render(context)
        except jinja2.TemplateError as error:
            raise ThemeError(_theme_message(spec, error)) from None
        return html.encode("utf-8")

    def static_files(self) -> Iterator[tuple[str, bytes]]:
        """Yield the theme's static files; a site theme's file replaces the default's."""
        seen: dict[str, Path] = {}
        for folder in self.dirs:
            static = folder / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                rel = "static/" + path.relative_to(static).as_posix()
                if path.is_file() and rel not in seen:
                    seen[rel] = path
        made = {} if ICONS_CSS in seen else {ICONS_CSS: icons_css}  # a theme may draw its own
        for rel in sorted([*seen, *made]):
            yield rel, made[rel]() if rel in made else seen[rel].read_bytes()


def _card_frame(site: Site) -> tuple:
    """What a card may show besides its task's view."""
    return (site.title, site.as_of, site.errors, site.warnings, site.repo_url,
            [(s.id, s.title, s.type, s.limit) for s in site.stages])


class ThemeError(ConfigError):
    """A theme template is broken or tried something the sandbox forbids (exit status 2)."""


def _theme_message(spec: PageSpec, error: jinja2.TemplateError) -> str:
    where = getattr(error, "filename", None) or getattr(error, "name", None) or spec.template
    line = getattr(error, "lineno", None)
    kind = "not allowed in a theme" if isinstance(error, jinja2.sandbox.SecurityError) \
        else type(error).__name__
    return (f"theme template {where}{f':{line}' if line else ''} ({spec.path}): {kind}: "
            f"{error.message if hasattr(error, 'message') and error.message else error}")


def plan_pages(site: Site, templates: set[str] | None = None) -> list[PageSpec]:
    """Return every page of the site, in a stable order."""
    specs: list[PageSpec] = []
    for planner in PAGE_PLANNERS:
        specs.extend(planner(site, templates if templates is not None else set()))
    return specs


def _overview_pages(site: Site, templates: set[str]) -> Iterator[PageSpec]:
    yield PageSpec("index.html", "overview.html", {"section": "overview"})
    yield PageSpec("review/index.html", "review.html", {"section": "review"})
    yield PageSpec("people/index.html", "people.html", {"section": "people"})


def _board_pages(site: Site, templates: set[str]) -> Iterator[PageSpec]:
    for board in site.boards:
        # A task that joins or leaves a board is on it before or after the change, and
        # `pages_for` is asked about both sites.
        refs = None if board.kind == "all" else frozenset(
            [r for c in board.columns for r in c.refs] + board.expedited + board.unplaced)
        yield PageSpec(board.path, "board.html", {"section": "board", "board": board}, refs=refs)


def _project_pages(site: Site, templates: set[str]) -> Iterator[PageSpec]:
    for project in site.projects:
        near = set(project.refs)
        for ref in project.refs:
            near.update(link.ref for link in site.tasks[ref].depends_on)
        yield PageSpec(project.url, "project.html", {"section": "projects", "project": project},
                       refs=frozenset(near))
    projects = {project.id: project for project in site.projects}
    for ref, task in site.tasks.items():
        near = frozenset([ref, *map(_link_ref, task.depends_on), *map(_link_ref, task.needed_by)])
        yield PageSpec(task.url, "task.html", {"section": "projects", "task": task,
                                               "project": projects.get(task.project)}, refs=near)


_link_ref = attrgetter("ref")


def _people_pages(site: Site, templates: set[str]) -> Iterator[PageSpec]:
    for person in site.people:
        refs = frozenset([*person.holds, *person.owns, *(r for r, _ in person.collaborates)])
        yield PageSpec(person.url, "person.html", {"section": "people", "person": person},
                       refs=refs)


def _feed_pages(site: Site, templates: set[str]) -> Iterator[PageSpec]:
    yield PageSpec("board.json", make=feeds.board_json)
    yield PageSpec("calendar.ics", make=feeds.calendar_ics)
    yield PageSpec("feed.xml", make=feeds.atom_feed)


def _history_pages(site: Site, templates: set[str]) -> Iterator[PageSpec]:
    """Flow metrics and retrospectives, when the theme has their templates."""
    if "metrics.html" in templates:
        yield PageSpec("metrics/index.html", "metrics.html", {"section": "metrics"})
    if "retro.html" in templates:
        for project in site.projects:
            yield PageSpec(f"retro/{project.id}/index.html", "retro.html",
                           {"section": "projects", "project": project},
                           refs=frozenset(project.refs))


# The page families, in order. Add a planner (site, templates) -> Iterator[PageSpec] here.
PAGE_PLANNERS = [_overview_pages, _board_pages, _project_pages, _people_pages, _history_pages,
                 _feed_pages]


def renderer_for(site: Site) -> Renderer:
    """Return a renderer with the site's theme (its own `themes/<name>/`, then the default)."""
    return Renderer(site, theme_dirs(site.root, site.theme))


def render_site(site: Site, renderer: Renderer | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield (path, bytes) for every file of the site: static files, pages, feeds."""
    renderer = renderer or renderer_for(site)
    yield from renderer.static_files()
    for spec in renderer.specs:
        yield spec.path, renderer.render(spec)


def pages_for(site: Site, changed_refs: set[str], renderer: Renderer | None = None) -> set[str]:
    """Return the output paths a change to these task refs affects.

    Call it on the site before and after the change and take the union, so pages a task
    left (an old owner's page, its old project) are re-rendered too.
    """
    renderer = renderer or renderer_for(site)
    changed = set(changed_refs)
    paths = set()
    for spec in renderer.specs:
        if spec.refs is None or spec.refs & changed:
            paths.add(spec.path)
    for ref in changed:
        task = site.tasks.get(ref)
        if task is not None:
            paths.update(site.person(h).url for h in {*task.people, task.holder}
                         if h and site.person(h))
    return {p for p in paths if p in renderer.by_path or p.startswith("static/")}


def render_pages(site: Site, paths: Iterable[str],
                 renderer: Renderer | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield (path, bytes) for just these output paths (unknown paths are skipped)."""
    renderer = renderer or renderer_for(site)
    for path in sorted(set(paths)):
        spec = renderer.by_path.get(path)
        if spec is not None:
            yield path, renderer.render(spec)


if __name__ == "__main__":
    print(f"wrote {compile_default_theme()}")
