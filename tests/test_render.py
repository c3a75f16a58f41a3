"""Rendering: Markdown, the theme search path, the page plan and partial re-rendering."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import jinja2
import pytest

from mdpm.history import History
from mdpm.markdown import MarkdownCache, ShardedCache, content_key, group_of, render_markdown
import mdpm.render as render_module
from mdpm.render import (_ENV_OPTIONS, COMPILED, _add_helpers, _compiled_loader,
                         compile_default_theme, make_env, pages_for, render_pages, render_site,
                         renderer_for, templates_stamp)
from mdpm.theme import default_theme_dir
from mdpm.site import build_site, dependency_order
from mdpm.workspace import check, open_workspace
from sitecheck import NOW, build_copy


def test_markdown_gfm_features():
    html = render_markdown("- [x] done\n- [ ] todo\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                           "~~old~~ www.example.com")
    assert '<input type="checkbox" checked="" disabled="" aria-label="done">' in html
    assert '<input type="checkbox" disabled="" aria-label="not done">' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<del>old</del>" in html
    assert 'href="http://www.example.com"' in html


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
    "<iframe src=x></iframe>", "[d](data:text/html,<script>alert(1)</script>)",
    "<svg onload=alert(1)>", "<a href='javascript:alert(1)'>x</a>",
    "![i](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<input type=text onfocus=alert(1) autofocus>",
])
def test_markdown_drops_active_content(payload):
    html = render_markdown(payload).lower()
    for bad in ("<script", "onerror", "onload", "onfocus", "javascript:", "data:", "<iframe",
                "<svg", 'type="text"'):
        assert bad not in html


def test_markdown_cache_renders_each_text_once(tmp_path):
    path = tmp_path / "md"
    cache = MarkdownCache(path)
    html = cache.render_all(["# One", "# Two"])
    assert html[content_key("# One")] == "<h3>One</h3>\n"
    cache.save()
    again = MarkdownCache(path)
    assert sum(len(json.loads(f.read_text())["entries"]) for f in path.glob("??.json")) == 2
    assert again.render_all(["# One"]) == {content_key("# One"): "<h3>One</h3>\n"}
    assert not again.dirty
    again.save(keep={content_key("# One")})
    assert sum(len(json.loads(f.read_text())["entries"]) for f in path.glob("??.json")) == 1
    assert MarkdownCache(path).render_all(["# Two"]) == {content_key("# Two"): "<h3>Two</h3>\n"}


def _stored(path):
    """The cache's only group file and its JSON."""
    (group,) = path.glob("??.json")
    return group, json.loads(group.read_text())


def test_markdown_cache_is_json_keyed_by_the_renderer(tmp_path):
    path = tmp_path / "md"
    cache = MarkdownCache(path)
    cache.render_all(["hello"])
    cache.save()
    group, data = _stored(path)
    (key,) = data["entries"]
    assert key == content_key("hello")  # the settings are the files' version, below
    data["version"] = "other"
    data["entries"] = {key: "<script>alert(1)</script>"}  # made by other settings
    group.write_text(json.dumps(data))
    assert "script" not in MarkdownCache(path).render_all(["hello"])[content_key("hello")]
    data["version"] = json.loads((path / "index.json").read_text())["version"]
    data["entries"] = {key: ["not", "html"]}  # the right key, a value of the wrong kind
    group.write_text(json.dumps(data))
    assert MarkdownCache(path).render_all(["hello"]) == {content_key("hello"): "<p>hello</p>\n"}
    group.write_bytes(pickle.dumps({"entries": 1}))
    (path / "index.json").write_bytes(pickle.dumps({"keys": 1}))
    assert MarkdownCache(path).render_all(["hello"]) == {content_key("hello"): "<p>hello</p>\n"}


def test_markdown_cache_survives_a_lost_group_file(tmp_path):
    path = tmp_path / "md"
    cache = MarkdownCache(path)
    cache.render_all(["# One"])
    cache.save()
    group, _ = _stored(path)
    group.unlink()  # the index still lists the text
    again = MarkdownCache(path)
    assert again.render_all(["# One"]) == {content_key("# One"): "<h3>One</h3>\n"}
    again.save(keep={content_key("# One")})  # the index is mended
    assert json.loads((path / "index.json").read_text())["keys"] == {}


def test_hashed_keys_are_grouped_by_their_first_characters():
    assert [group_of(key) for key in ("00ab", "3f00", "40cd", "ff12")] == ["00", "3f", "00", "3f"]
    other = group_of("not a hash")
    assert other == group_of("not a hash") and len(other) == 2 and int(other, 16) < 64


def test_a_save_keeping_some_keys_reads_only_the_groups_it_drops_from(tmp_path):
    keys = ["00" + "a" * 30, "00" + "b" * 30, "01" + "c" * 30, "02" + "d" * 30]
    cache = ShardedCache(tmp_path / "c", "v")
    cache.update({key: key.upper() for key in keys})
    cache.save()
    again = ShardedCache(tmp_path / "c", "v")
    again.save(keep={keys[0], keys[2], keys[3]})
    assert set(again._groups) == {"00"}  # "01" and "02" lose nothing: not read
    last = ShardedCache(tmp_path / "c", "v")
    assert [last.get(key) for key in keys] == [keys[0].upper(), None, keys[2].upper(),
                                               keys[3].upper()]
    last.save(keep={keys[2]})
    assert sorted(path.name for path in (tmp_path / "c").iterdir()) == ["01.json", "index.json"]
    assert json.loads((tmp_path / "c/index.json").read_text())["keys"] == {"01": [keys[2]]}


def test_unsafe_links_become_plain_text():
    html = render_markdown("[x](javascript:alert(1)) [y](data:text/html,x) ![i](javascript:x)"
                           " [ok](https://example.org)")
    assert 'href=""' not in html and 'src=""' not in html
    assert html.count("href=") == 1 and 'href="https://example.org"' in html
    assert ">x</a>" in html and ">y</a>" in html


def test_site_theme_overrides_one_template_and_extends_the_default(tmp_path, write_tree):
    root = write_tree({
        "mdpm.toml": '[site]\ntitle = "T"\ntheme = "brand"\n',
        "content/projects/p/a.md": "---\ntitle: A\nowner: x\n---\n",
        "themes/brand/templates/overview.html":
            '{% extends "default:overview.html" %}{% block title %}Brand home{% endblock %}',
        "themes/brand/static/style.css": "body { color: red }",
    })
    out = tmp_path / "site"
    build_copy(root, out)
    index = (out / "index.html").read_text()
    assert "<title>Brand home · T</title>" in index
    assert 'data-stage="backlog"' not in index and "Work in progress" in index
    assert (out / "static" / "style.css").read_text() == "body { color: red }"
    assert (out / "static" / "board.js").is_file()  # the rest falls back to the default
    assert "Board" in (out / "board" / "index.html").read_text()


def test_unknown_theme_is_a_config_error(tmp_path, write_tree, capsys):
    from mdpm import cli

    root = write_tree({"mdpm.toml": '[site]\ntheme = "nope"\n'})
    assert cli.run(["-C", str(root), "build", "--out", str(tmp_path / "o")]) == 2
    assert "theme `nope` not found" in capsys.readouterr().err


def small_site(write_tree):
    root = write_tree({
        "mdpm.toml": "[[stage]]\nid = \"backlog\"\n[[stage]]\nid = \"doing\"\n"
                     "[[stage]]\nid = \"done\"\n",
        "content/projects/p/a.md": "---\ntitle: A\nowner: ann\nstage: done\n---\n",
        "content/projects/p/b.md": "---\ntitle: B\nowner: bo\ndepends-on: [a]\nstage: doing\n"
                                   "---\n",
        "content/projects/q/c.md": "---\ntitle: C\nowner: cy\n---\n",
    })
    workspace = open_workspace(root)
    problems = check(workspace, NOW.date())
    return build_site(workspace, problems, History(), NOW)


def test_pages_for_a_change(write_tree):
    site = small_site(write_tree)
    paths = pages_for(site, {"p/a"})
    assert {"projects/p/a/index.html", "projects/p/b/index.html", "projects/p/index.html",
            "board/index.html", "board/project/p/index.html", "index.html",
            "review/index.html", "people/ann/index.html", "board.json"} <= paths
    assert "projects/q/c/index.html" not in paths
    assert "board/project/q/index.html" not in paths
    assert "board/person/ann/index.html" in paths  # a's owner's board and page only
    assert not {"board/person/cy/index.html", "people/cy/index.html"} & paths
    rendered = dict(render_pages(site, paths))
    assert set(rendered) == paths & set(rendered)
    full = dict(render_site(site))
    assert all(full[p] == rendered[p] for p in rendered)


def test_every_page_links_relative_to_its_depth(write_tree):
    site = small_site(write_tree)
    pages = dict(render_site(site, renderer_for(site)))
    assert b'href="static/style.css"' in pages["index.html"]
    assert b'href="../../../static/style.css"' in pages["projects/p/a/index.html"]
    assert b'href="../../../static/style.css"' in pages["board/person/ann/index.html"]


def test_dependency_order_survives_cycles(write_tree):
    site = small_site(write_tree)
    assert site.project("p").refs == ["p/a", "p/b"]
    from mdpm.model import Task

    loop = [Task(ref="x/a", project="x", id="a", path="", title="", stage="s",
                 depends_on=("x/b",)),
            Task(ref="x/b", project="x", id="b", path="", title="", stage="s",
                 depends_on=("x/a",))]
    assert sorted(dependency_order(loop)) == ["x/a", "x/b"]


def test_body_headings_sit_below_the_page_headings():
    html = render_markdown("# Top\n\n### Deep\n\n# Again\n")
    assert html == "<h3>Top</h3>\n<h4>Deep</h4>\n<h3>Again</h3>\n"


# --- the default theme's compiled templates ----------------------------------------------------


def _compiled_files(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_the_shipped_compiled_templates_are_those_of_the_templates(tmp_path):
    """A template of the default theme was changed without `python -m mdpm.render`."""
    shipped = default_theme_dir() / COMPILED
    made_with = (shipped / "STAMP").read_text().split()[1]
    if made_with != jinja2.__version__:
        pytest.skip(f"compiled with Jinja {made_with}, Jinja {jinja2.__version__} installed: "
                    f"mdpm compiles the templates at run time")
    theme = tmp_path / "default"
    shutil.copytree(default_theme_dir() / "templates", theme / "templates")
    made = compile_default_theme(theme)
    assert _compiled_files(made) == _compiled_files(shipped), \
        "run `python -m mdpm.render` to compile the default theme's templates again"


def test_the_default_theme_renders_from_its_compiled_templates_and_alike():
    dirs = (default_theme_dir(),)
    env = make_env(dirs, templates_stamp(dirs))
    compiled = env.loader.loaders[0]
    assert isinstance(compiled, jinja2.ModuleLoader)
    assert compiled.load(env, "task.html").name == "task.html"
    plain = jinja2.Environment(loader=jinja2.FileSystemLoader(str(dirs[0] / "templates")),
                               **_ENV_OPTIONS)
    _add_helpers(plain)
    context = {"root": "../", "section": "x", "site": {"title": "<T>", "as_of": "2026-11-25"},
               "nav": [{"url": "board/index.html", "label": "Board", "current": True}]}
    assert env.get_template("_header.html").render(context) \
        == plain.get_template("_header.html").render(context)


def test_compiled_templates_are_not_used_once_a_template_changed(tmp_path):
    theme = tmp_path / "default"
    shutil.copytree(default_theme_dir() / "templates", theme / "templates")
    compile_default_theme(theme)
    assert _compiled_loader(theme) is not None
    card = theme / "templates" / "_card.html"
    card.write_text(card.read_text() + "<!-- changed -->\n")
    assert _compiled_loader(theme) is None
    (theme / COMPILED / "STAMP").unlink()
    assert _compiled_loader(theme) is None


def test_a_site_built_with_and_without_the_compiled_templates_is_the_same(tmp_path, monkeypatch):
    example = Path(__file__).resolve().parent.parent
    build_copy(example, tmp_path / "compiled", cache=tmp_path / "cache-1")
    make_env.cache_clear()
    monkeypatch.setattr(render_module, "_compiled_loader", lambda theme: None)
    try:
        build_copy(example, tmp_path / "plain", cache=tmp_path / "cache-2")
    finally:
        make_env.cache_clear()
    first, second = tmp_path / "compiled", tmp_path / "plain"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_icons_are_spans_drawn_by_one_generated_stylesheet(write_tree):
    from mdpm.render import ICONS, icons_css

    site = small_site(write_tree)
    renderer = renderer_for(site)
    files = dict(render_site(site, renderer))
    css = files["static/icons.css"].decode()
    assert css == icons_css().decode()
    for name, html in ICONS.items():
        assert html == f'<span class="icon i-{name}" aria-hidden="true"></span>'
        assert f'.i-{name} {{ --icon: url("data:image/svg+xml,%3Csvg ' in css
    assert "<svg" not in css and '"' not in css.split("url(")[1].split('"')[1]  # one URL each
    pages = [data.decode() for path, data in files.items() if path.endswith(".html")]
    used = {name for page in pages for name in
            re.findall(r'<span class="icon i-([a-z]+)" aria-hidden="true"></span>', page)}
    assert "check" in used  # a done task's badge
    assert all(f".i-{name} {{" in css for name in used)
    assert not any('<svg class="icon"' in page for page in pages)  # no inline SVG icon
    assert 'href="../static/icons.css"' in files["board/index.html"].decode()
    assert b'href="../../../static/icons.css"' in files["projects/p/a/index.html"]


def test_a_theme_can_draw_its_own_icons(tmp_path, write_tree):
    root = write_tree({
        "mdpm.toml": '[site]\ntheme = "brand"\n',
        "content/projects/p/a.md": "---\ntitle: A\nowner: x\ndue: 2026-12-01\n---\n",
        "themes/brand/static/icons.css": ".icon { background: red }",
    })
    build_copy(root, tmp_path / "site")
    assert (tmp_path / "site" / "static" / "icons.css").read_text() == ".icon { background: red }"
