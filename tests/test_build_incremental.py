"""A rebuild after a change equals a fresh build of the changed content, byte for byte.

Every build here runs on the forked worker pool (as large sites do) with the caches of the
build before it: kept pages, stored cards, Markdown and drawings. A cache entry used after
its inputs changed would leave a page that differs from the fresh build.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil

import pytest

from mdpm import build as build_module
from mdpm import cli, feeds
from mdpm.build import build
from mdpm.errors import UsageError
from mdpm.render import default_theme_dir
from mdpm.workspace import open_workspace
from sitecheck import NOW, build_copy, copy_broken, html_pages, tree_bytes

LIMITS = ("content", "projects", "limits")


def _edit(root, name, old, new):
    path = root.joinpath(*LIMITS, name)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _owner_to_erin(root):
    _edit(root, "held-1.md", "owner: dan", "owner: erin")


def _renamed(root):
    _edit(root, "held-1.md", "title: Dan's first task", "title: Renamed <b>task</b>")


def _done(root):
    _edit(root, "doing-a.md", "stage: doing", "stage: done")


def _ticked(root):
    _edit(root, "doing-a.md", "- [ ] finished", "- [x] finished")


def _removed(root):
    root.joinpath(*LIMITS, "held-2.md").unlink()


def _added(root):
    root.joinpath(*LIMITS, "new-one.md").write_text(
        "---\ntitle: A new one\nowner: gina\nstage: backlog\ndepends_on: [limits/held-1]\n---\n"
        "Some *text*.\n")


def _site_title(root):
    config = root / "mdpm.toml"
    config.write_text(config.read_text().replace('title = "Broken on purpose"',
                                                 'title = "Renamed site"'))


def _priority(root):
    _edit(root, "doing-a.md", "stage: doing", "stage: doing\npriority: high")


def _due(root):
    _edit(root, "doing-a.md", "due: 2099-01-01", "due: 2099-01-02")


def _body_only(root):
    _edit(root, "doing-a.md", "- [ ] finished", "- [ ] finished\n\nSome *notes*.")


def _base_url(root):
    config = root / "mdpm.toml"
    config.write_text(config.read_text().replace(
        "[site]\n", '[site]\nbase_url = "https://example.org/status"\n', 1))


CHANGES = [_owner_to_erin, _renamed, _done, _ticked, _removed, _added, _site_title, _priority,
           _due, _body_only, _base_url]


@pytest.fixture
def pooled(monkeypatch):
    """Render every site on the worker pool, however few its pages."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork (Linux)")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(build_module, "_CHUNK", 4)
    monkeypatch.setattr(build_module, "_workers", lambda: 2)


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__.strip("_"))
def test_a_rebuild_after_a_change_equals_a_fresh_build(tmp_path, pooled, change):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    before = tree_bytes(out)
    change(root)
    result = build_copy(root, out, cache=cache)
    fresh_out = tmp_path / "fresh"
    build_copy(root, fresh_out, cache=tmp_path / "fresh-cache")
    rebuilt, fresh = tree_bytes(out), tree_bytes(fresh_out)
    assert rebuilt.keys() == fresh.keys()
    assert [path for path in rebuilt if rebuilt[path] != fresh[path]] == []
    assert 0 < result.written and rebuilt != before


@pytest.fixture
def apart(monkeypatch):
    """A large site (as far as the build can tell) whose rebuild renders a few pages: every
    other chunk here, the others on one forked child; returns the calls of that path."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork (Linux)")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 20)  # the fixture has 30-odd tasks
    monkeypatch.setattr(build_module, "_CHUNK", 2)
    monkeypatch.setattr(build_module, "_workers", lambda: 2)
    calls: list[int] = []
    render_apart = build_module._render_apart
    monkeypatch.setattr(build_module, "_render_apart",
                        lambda chunks: calls.append(len(chunks)) or render_apart(chunks))
    return calls


@pytest.mark.parametrize("change", [_ticked, _body_only, _priority, _due],
                         ids=lambda c: c.__name__.strip("_"))
def test_a_small_rebuild_of_a_large_site_on_two_processes_equals_a_fresh_build(
        tmp_path, apart, change):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    apart.clear()  # the first build renders every page: on the pool
    change(root)
    build_copy(root, out, cache=cache)
    assert apart and apart[0] > 1  # the rebuild's chunks went both ways
    fresh_out = tmp_path / "fresh"
    build_copy(root, fresh_out, cache=tmp_path / "fresh-cache")
    rebuilt, fresh = tree_bytes(out), tree_bytes(fresh_out)
    assert rebuilt.keys() == fresh.keys()
    assert [path for path in rebuilt if rebuilt[path] != fresh[path]] == []


def test_an_owner_change_moves_the_task_between_people(tmp_path, pooled):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    _owner_to_erin(root)
    build_copy(root, out, cache=cache)
    pages = html_pages(out)

    def cards(page):
        return {a["data-task"] for a in pages[page].find("article")}

    assert "limits/held-1" not in cards("board/person/dan/index.html")
    assert "limits/held-1" in cards("board/person/erin/index.html")
    held = 'data-task="limits/held-1"'
    assert held not in (out / "people" / "dan" / "index.html").read_text()
    assert held in (out / "people" / "erin" / "index.html").read_text()


def test_a_page_changed_outside_the_build_is_written_again(tmp_path, pooled):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    page = out / "projects" / "limits" / "held-1" / "index.html"
    right = page.read_bytes()
    page.write_bytes(b"edited by hand")
    build_copy(root, out, cache=cache)
    assert page.read_bytes() == right


def test_stored_cards_of_another_theme_are_not_used(tmp_path, pooled):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    theme = root / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    shutil.copy(default_theme_dir() / "templates" / "_card.html", theme / "_card.html")
    card = theme / "_card.html"
    card.write_text(card.read_text().replace('<article class="card', '<article class="card own'))
    os.utime(card, ns=(1, 1))
    build_copy(root, out, cache=cache)
    board = (out / "board" / "index.html").read_text()
    assert 'class="card own' in board


def test_a_symlink_where_a_new_page_goes_is_refused(tmp_path):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    _added(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "projects" / "limits" / "new-one").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="symbolic link"):
        build_copy(root, out, cache=cache)
    assert list(elsewhere.iterdir()) == []
    assert not list(tmp_path.glob(".mdpm-stage-*"))  # nothing left half-done


def test_a_theme_can_replace_the_page_header(tmp_path):
    root = copy_broken(tmp_path / "repo")
    templates = root / "themes" / "brand" / "templates"
    templates.mkdir(parents=True)
    (templates / "_header.html").write_text(
        '<header class="brand-header"><a href="{{ root }}index.html">{{ site.title }}</a>'
        '{% for link in nav if link.current %} · {{ link.label }}{% endfor %}</header>\n')
    config = root / "mdpm.toml"
    config.write_text(config.read_text().replace('[site]\n', '[site]\ntheme = "brand"\n', 1))
    out = tmp_path / "site"
    build_copy(root, out, cache=tmp_path / "cache")
    task = (out / "projects" / "limits" / "held-1" / "index.html").read_text()
    board = (out / "board" / "index.html").read_text()
    assert '<header class="brand-header"><a href="../../../index.html">' in task
    assert task.count("brand-header") == 1 and "· Overview" not in task
    assert '<a href="../index.html">Broken on purpose</a> · Board</header>' in board


SUMMARIES = ("board.json", "calendar.ics", "feed.xml", "metrics/index.html")


def _rendered_summaries(monkeypatch) -> list[str]:
    """Record which summary pages a build (on this process) renders."""
    made: list[str] = []
    for name, path in (("board_json", "board.json"), ("calendar_ics", "calendar.ics"),
                       ("atom_feed", "feed.xml")):
        original = getattr(feeds, name)
        monkeypatch.setattr(feeds, name, lambda site, f=original, p=path: made.append(p) or f(site))
    original_render = build_module._render_chunk

    def render_chunk(indexes):
        renderer = build_module._WORKER["job"][0]
        made.extend(renderer.specs[i].path for i in indexes
                    if renderer.specs[i].path == "metrics/index.html")
        return original_render(indexes)
    monkeypatch.setattr(build_module, "_render_chunk", render_chunk)
    return made


def test_the_feeds_and_metrics_are_kept_when_what_they_show_did_not_change(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(build_module, "_workers", lambda: 1)
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    made = _rendered_summaries(monkeypatch)
    _ticked(root)  # a checklist: none of them shows it
    build_copy(root, out, cache=cache)
    assert made == []
    _due(root)  # the calendar, board.json and feed show the due date... or the task
    build_copy(root, out, cache=cache)
    assert sorted(made) == sorted(SUMMARIES)
    build_copy(root, tmp_path / "fresh", cache=tmp_path / "fresh-cache")
    assert tree_bytes(out) == tree_bytes(tmp_path / "fresh")


@pytest.mark.parametrize("later", [dt.timedelta(seconds=30), dt.timedelta(days=1)],
                         ids=["seconds", "a-day"])
def test_a_rebuild_at_another_time_equals_a_fresh_build(tmp_path, pooled, later):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    build_copy(root, out, now=NOW + later, cache=cache)
    build_copy(root, tmp_path / "fresh", now=NOW + later, cache=tmp_path / "fresh-cache")
    assert tree_bytes(out) == tree_bytes(tmp_path / "fresh")


TASK = "---\ntitle: {title}\nowner: alice\nstage: {stage}\ndue: 2026-12-01\n---\n- [ ] one\n"
CONFIG = ('[site]\ntitle = "T"\n[[stage]]\nid = "todo"\ntype = "queue"\n[[stage]]\n'
          'id = "doing"\ntype = "active"\n[[stage]]\nid = "done"\ntype = "done"\n'
          '[people.alice]\n')


def _git_build(repo, out, cache):
    """Build with the history read from git, as `mdpm build` does."""
    return build(open_workspace(repo.root), out, now=NOW, cache_dir=cache)


def test_a_new_commit_changes_the_metrics_and_feeds_as_a_fresh_build_does(git_repo, tmp_path,
                                                                         pooled):
    files = {"mdpm.toml": CONFIG}
    files.update({f"content/projects/p/t{i}.md": TASK.format(title=f"Task {i}", stage="todo")
                  for i in range(6)})
    git_repo.commit("start", files)
    git_repo.commit("work", {"content/projects/p/t1.md": TASK.format(title="Task 1",
                                                                     stage="doing")})
    out, cache = tmp_path / "site", tmp_path / "cache"
    _git_build(git_repo, out, cache)
    before = tree_bytes(out)
    git_repo.commit("finish", {"content/projects/p/t1.md": TASK.format(title="Task 1",
                                                                       stage="done")})
    _git_build(git_repo, out, cache)
    git_repo.commit("only history", {"content/projects/p/t2.md": TASK.format(
        title="Task 2", stage="doing")})
    git_repo.commit("back", {"content/projects/p/t2.md": TASK.format(title="Task 2",
                                                                     stage="todo")})
    _git_build(git_repo, out, cache)  # the files are as before; the history is not
    _git_build(git_repo, tmp_path / "fresh", tmp_path / "fresh-cache")
    rebuilt, fresh = tree_bytes(out), tree_bytes(tmp_path / "fresh")
    assert [path for path in rebuilt if rebuilt[path] != fresh.get(path)] == []
    assert rebuilt.keys() == fresh.keys()
    assert rebuilt["feed.xml"] != before["feed.xml"]
    assert rebuilt["metrics/index.html"] != before["metrics/index.html"]


def test_a_theme_metrics_page_is_rendered_whatever_it_shows(tmp_path, pooled):
    root = copy_broken(tmp_path / "repo")
    templates = root / "themes" / "brand" / "templates"
    templates.mkdir(parents=True)
    (templates / "metrics.html").write_text(
        '{% for t in site.tasks.values() %}{{ t.ref }} {{ t.checklist }}\n{% endfor %}')
    config = root / "mdpm.toml"
    config.write_text(config.read_text().replace('[site]\n', '[site]\ntheme = "brand"\n', 1))
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    before = (out / "metrics" / "index.html").read_text()
    _ticked(root)
    build_copy(root, out, cache=cache)
    after = (out / "metrics" / "index.html").read_text()
    assert after != before
    build_copy(root, tmp_path / "fresh", cache=tmp_path / "fresh-cache")
    assert after == (tmp_path / "fresh" / "metrics" / "index.html").read_text()


def test_cache_groups_lost_behind_their_index_are_made_again(tmp_path, pooled):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    lost = [group for name in ("markdown", "drawings", "cards")
            for group in (cache / name).glob("??.json")]
    assert lost and all((cache / name / "index.json").is_file()
                        for name in ("markdown", "drawings", "cards"))
    for group in lost:
        group.unlink()  # the indexes still list every entry
    _site_title(root)  # every page again; the drawings' keys stay
    build_copy(root, out, cache=cache)
    build_copy(root, tmp_path / "fresh", cache=tmp_path / "fresh-cache")
    assert tree_bytes(out) == tree_bytes(tmp_path / "fresh")


def _broken_yaml(root):
    _edit(root, "doing-a.md", "stage: doing", "stage: [doing")


def _fixed_yaml(root):
    _edit(root, "doing-a.md", "stage: [doing", "stage: doing")


def _stage_review(root):
    _edit(root, "held-1.md", "stage: work", "stage: review")


def test_mdpm_build_after_each_edit_equals_a_build_from_nothing(tmp_path, monkeypatch, reads):
    """`mdpm build` takes the files it did not see change from the load snapshot (their
    stamps and folders from the walk that looks for changes): after each edit its site is the
    one a build with no cache makes, and only the edited files are read."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    monkeypatch.delenv("CI", raising=False)
    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    edits = [_renamed, _stage_review, _added, _removed, _broken_yaml, _fixed_yaml]
    past = 1_700_000_000_000_000_000  # old enough for the snapshot to keep every file
    for step, edit in enumerate([None, *edits]):
        if edit is not None:
            edit(root)
        for path in root.joinpath("content").rglob("*.md"):  # an edit gets a time of its own
            if path.stat().st_mtime_ns > past + 1000:
                os.utime(path, ns=(past + step, past + step))
        reads.clear()
        monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
        assert cli.run(["-C", str(root), "build", "-q", "--out", str(out)]) in (0, 1)
        if step:
            assert reads == ([] if edit in (_removed,) else
                            ["new-one.md"] if edit is _added else
                            ["held-1.md"] if edit in (_renamed, _stage_review) else
                            ["doing-a.md"])
        cold = tmp_path / f"cold-{step}"
        monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / f"cold-cache-{step}"))
        assert cli.run(["-C", str(root), "build", "-q", "--out", str(cold)]) in (0, 1)
        rebuilt, fresh = tree_bytes(out), tree_bytes(cold)
        assert rebuilt.keys() == fresh.keys()
        assert [path for path in rebuilt if rebuilt[path] != fresh[path]] == [], edit
