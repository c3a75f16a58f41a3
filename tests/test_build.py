"""`mdpm build` end to end: every page and hook, links, determinism, atomic writes, XSS."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from mdpm import cli
from mdpm.write import MARKER, write_site
from sitecheck import (NOW, broken_links, build_copy, copy_broken, copy_example, html_pages,
                       tree_bytes, tree_stats)

EXAMPLE_PRESENT = (Path(__file__).resolve().parent.parent / "content" / "projects").is_dir()
needs_example = pytest.mark.skipif(not EXAMPLE_PRESENT, reason="the example content is missing")


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    out = root / "_site"
    result = build_copy(root, out)
    return root, out, result


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory):
    root = copy_broken(tmp_path_factory.mktemp("broken"))
    out = root / "_site"
    result = build_copy(root, out)
    return root, out, result


@needs_example
def test_example_has_every_page(example_site):
    root, out, result = example_site
    data = json.loads((out / "board.json").read_text())
    expected = {"index.html", "board/index.html", "review/index.html", "people/index.html",
                "board.json", "calendar.ics", "feed.xml", "static/style.css"}
    projects = {t["project"] for t in data["tasks"]}
    expected |= {f"projects/{p}/index.html" for p in projects}
    expected |= {f"board/project/{p}/index.html" for p in projects}
    expected |= {f"projects/{t['ref']}/index.html" for t in data["tasks"]}
    expected |= {f"people/{p['handle']}/index.html" for p in data["people"]}
    expected |= {f"board/person/{p['handle']}/index.html" for p in data["people"]}
    missing = [p for p in sorted(expected) if not (out / p).is_file()]
    assert not missing
    assert result.pages == len(list(p for p in out.rglob("*") if p.is_file())) - 1  # marker
    assert (out / MARKER).is_file()


@needs_example
def test_board_hooks(example_site):
    root, out, _ = example_site
    data = json.loads((out / "board.json").read_text())
    page = html_pages(out)["board/index.html"]
    for stage in data["stages"]:
        columns = page.find("section", data_stage=stage["id"])
        assert len(columns) == 1
        column = columns[0]
        assert column["data-count"] == str(stage["count"])
        if stage["limit"] is None:
            assert "data-limit" not in column
        else:
            assert column["data-limit"] == str(stage["limit"])
        over = stage["limit"] is not None and stage["count"] > stage["limit"]
        assert ("data-over" in column) == over
    cards = {a["data-task"] for a in page.find("article") if "data-task" in a}
    assert cards == {t["ref"] for t in data["tasks"]}


def test_over_limit_column_is_marked_in_words(broken_site):
    _, out, _ = broken_site
    text = (out / "board" / "index.html").read_text()
    page = html_pages(out)["board/index.html"]
    over = page.find("section", data_over="true")
    assert [c["data-stage"] for c in over] == ["doing"]
    assert over[0]["data-count"] == "3" and over[0]["data-limit"] == "2"
    assert "Over limit by 1" in text


def test_problems_are_listed_with_hooks(broken_site):
    _, out, result = broken_site
    page = html_pages(out)["index.html"]
    shown = {a["data-problem"] for a in page.find("li") if "data-problem" in a}
    assert shown == {p.code for p in result.problems}
    for code in ("wip-stage", "dep-cycle", "frontmatter", "id-duplicate", "overdue"):
        assert code in shown


def test_unparseable_files_are_listed_not_fatal(broken_site):
    _, out, result = broken_site
    assert result.has_errors
    index = (out / "index.html").read_text()
    assert "content/projects/format/invalid-yaml.md" in index
    assert "content/projects/format/latin1.md" in index


@needs_example
def test_every_page_is_well_formed_and_accessible(example_site, broken_site):
    for _, out, _ in (example_site, broken_site):
        for rel, page in html_pages(out).items():
            assert not page.errors, (rel, page.errors)
            assert len(page.find("h1")) == 1, rel
            assert len(page.find("main")) == 1, rel
            assert page.find("nav", aria_label="Main"), rel
            assert page.find("a", href="#main"), rel
            ids = page.ids()
            assert len(ids) == len(set(ids)), (rel, sorted(i for i in ids if ids.count(i) > 1))
            levels = [int(tag[1]) for tag, _ in page.tags if re.fullmatch(r"h[1-6]", tag)]
            assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (rel, levels)
            for field in page.find("input"):
                if field.get("type") == "search":
                    assert page.find("label", **{"for": field["id"]}), rel


@needs_example
def test_every_internal_link_resolves(example_site, broken_site):
    for _, out, _ in (example_site, broken_site):
        pages = html_pages(out)
        assert not broken_links(out, pages)
        for rel, page in pages.items():
            for _, attrs in page.tags:
                href = attrs.get("href", "")
                assert not href.endswith("/") or href.startswith("http"), (rel, href)
                assert not href.startswith("/"), (rel, href)


@needs_example
def test_task_page_shows_fields_dependencies_and_missing_history(example_site):
    root, out, _ = example_site
    data = json.loads((out / "board.json").read_text())
    task = next(t for t in data["tasks"] if t["depends_on"])
    text = (out / "projects" / task["ref"] / "index.html").read_text()
    dep = task["depends_on"][0]
    assert f'href="../../../projects/{dep}/index.html"' in text
    assert "History is missing" in text
    needed = (out / "projects" / dep / "index.html").read_text()
    assert f'href="../../../projects/{task["ref"]}/index.html"' in needed


@needs_example
def test_project_page_orders_tasks_by_dependency(example_site):
    root, out, _ = example_site
    data = json.loads((out / "board.json").read_text())
    deps = {t["ref"]: t["depends_on"] for t in data["tasks"]}
    for project in {t["project"] for t in data["tasks"]}:
        page = html_pages(out)[f"projects/{project}/index.html"]
        rows = [a["data-task"] for a in page.find("tr") if "data-task" in a]
        position = {ref: i for i, ref in enumerate(rows)}
        for ref in rows:
            for dep in deps[ref]:
                if dep in position:
                    assert position[dep] < position[ref], (dep, ref)


def test_filtered_boards_show_only_their_cards(broken_site):
    _, out, _ = broken_site
    data = json.loads((out / "board.json").read_text())
    page = html_pages(out)["board/project/limits/index.html"]
    cards = {a["data-task"] for a in page.find("article")}
    assert cards == {t["ref"] for t in data["tasks"] if t["project"] == "limits"}
    person = html_pages(out)["board/person/dan/index.html"]
    for card in person.find("article"):
        assert "dan" in card["data-people"].split()


def test_build_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_broken(tmp_path / "repo")
    assert cli.run(["-C", str(root), "build", "-q", "--out", str(tmp_path / "a")]) == 0
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache2"))
    assert cli.run(["-C", str(root), "build", "-q", "--out", str(tmp_path / "b")]) == 0
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert "2026-11-18" in first["index.html"].decode()  # SOURCE_DATE_EPOCH's day


def test_unchanged_files_are_not_rewritten(tmp_path):
    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    build_copy(root, out)
    before = tree_stats(out)
    again = build_copy(root, out)
    assert again.written == 0 and again.unchanged == len(before) - 1
    assert tree_stats(out) == before
    task = root / "content" / "projects" / "limits" / "held-1.md"
    task.write_text(task.read_text().replace("title:", "title: Renamed", 1))
    third = build_copy(root, out)
    after = tree_stats(out)
    changed = {p for p in after if after[p] != before.get(p)}
    assert "projects/limits/held-1/index.html" in changed
    assert "projects/stages/unknown-stage/index.html" not in changed
    assert 0 < third.written < len(before) / 2


def test_a_rebuild_from_caches_equals_a_fresh_build(tmp_path):
    root = copy_broken(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    assert (cache / "cards" / "index.json").is_file()  # the all-projects board's cards
    task = root / "content" / "projects" / "limits" / "held-1.md"
    task.write_text(task.read_text().replace("title:", "title: Renamed", 1))
    build_copy(root, out, cache=cache)
    build_copy(root, tmp_path / "fresh", cache=tmp_path / "fresh-cache")
    cached, fresh = tree_bytes(out), tree_bytes(tmp_path / "fresh")
    assert cached.keys() == fresh.keys()
    assert [k for k in cached if cached[k] != fresh[k]] == []
    assert "Renamed" in cached["board/index.html"].decode()


def test_removed_pages_disappear(tmp_path):
    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    build_copy(root, out)
    (root / "content" / "projects" / "limits" / "held-1.md").unlink()
    result = build_copy(root, out)
    assert not (out / "projects" / "limits" / "held-1" / "index.html").exists()
    assert result.removed >= 1


def test_old_site_stays_whole_when_a_build_fails(tmp_path):
    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    build_copy(root, out)
    before = tree_bytes(out)

    def failing_pages():
        yield "index.html", b"<p>new</p>"
        yield "board/index.html", b"<p>new</p>"
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        write_site(failing_pages(), out)
    assert tree_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".mdpm-")] == []


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path):
    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    stale = tmp_path / ".mdpm-new-site-abc123"
    (stale / "board").mkdir(parents=True)
    (stale / "board" / "index.html").write_text("half")
    build_copy(root, out)
    assert not stale.exists()
    assert (out / "index.html").is_file()


def test_a_build_killed_while_moving_files_is_finished_next_time(tmp_path):
    from mdpm.write import _recover

    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    build_copy(root, out)
    stage = tmp_path / ".mdpm-stage-site-killed"
    stage.mkdir()
    (stage / "0").write_bytes(b"new board")
    (stage / "journal.json").write_text(json.dumps({"moves": [["0", "board/index.html"]],
                                                    "remove": ["review/index.html"]}))
    _recover(out)
    assert (out / "board" / "index.html").read_bytes() == b"new board"
    assert not (out / "review").exists()
    assert not stage.exists()
    build_copy(root, out)
    assert b"data-stage" in (out / "board" / "index.html").read_bytes()
    assert (out / "review" / "index.html").is_file()


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path, capsys):
    root = copy_broken(tmp_path / "repo")
    keep = tmp_path / "docs"
    keep.mkdir()
    (keep / "precious.txt").write_text("mine")
    status = cli.run(["-C", str(root), "build", "--out", str(keep)])
    assert status == 2
    assert "not written by mdpm build" in capsys.readouterr().err
    assert (keep / "precious.txt").read_text() == "mine"


def test_cli_exit_status_and_strict(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_broken(tmp_path / "repo")
    assert cli.run(["-C", str(root), "build", "--out", "out"]) == 0
    err = capsys.readouterr().err
    assert "error[wip-stage]" in err and "written" in err
    assert (root / "out" / "index.html").is_file()
    assert cli.run(["-C", str(root), "build", "--strict", "--out", "out"]) == 1



def test_build_leaves_quickly_with_all_its_output_its_status_and_its_site(tmp_path):
    """`mdpm build` exits without tearing its objects down; nothing printed or written may
    be lost."""
    import subprocess
    import sys

    root = copy_broken(tmp_path / "repo")
    env = {**os.environ, "MDPM_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "mdpm", "-C", str(root), "build", "--strict",
                           "--out", "out"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1
    assert "error[wip-stage]" in done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith("mdpm: wrote out: ")
    manifest = json.loads((root / "out" / MARKER).read_text())
    assert manifest["files"] and all((root / "out" / rel).is_file() for rel in manifest["files"])
    assert not list(root.glob(".mdpm-new-*")) and not list(root.glob(".mdpm-stage-*"))

def test_quick_exit_commands_leave_what_they_made_to_the_caller(tmp_path, monkeypatch):
    """`mdpm check` and `mdpm build` put their workspace (and the build its site) in
    `args.kept`: the caller leaves by `os._exit`, so freeing them first would be wasted."""
    from mdpm.site import Site
    from mdpm.workspace import Workspace

    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_broken(tmp_path / "repo")
    parser = cli.build_parser()
    for command in (["check"], ["build", "--out", "out"]):
        args = parser.parse_args(["-C", str(root), *command])
        args.kept = []
        assert cli._run_args(parser, args) in (0, 1)
        assert any(isinstance(kept, Workspace) for kept in args.kept), command
    assert any(isinstance(kept, tuple) and isinstance(kept[0], Site) for kept in args.kept)


XSS = [
    "<script>alert('t')</script>",
    "<img src=x onerror=alert('i')>",
    "<svg onload=alert('s')>",
    "<iframe src=javascript:alert('f')></iframe>",
    "<a href=\"javascript:alert('a')\">x</a>",
    "<a href=\"data:text/html,<script>alert('d')</script>\">d</a>",
    "\"><script>alert('q')</script>",
    "<body onload=alert('b')>",
]


def xss_repo(write_tree) -> Path:
    payloads = " ".join(XSS)
    body = "\n\n".join(XSS + ["[j](javascript:alert('j'))", "![d](data:image/svg+xml,<svg "
                              "onload=alert('x')>)", "<details open ontoggle=alert('t')>"])
    tags = json.dumps(XSS)
    return write_tree({
        "mdpm.toml": '[site]\ntitle = "<script>alert(\'site\')</script>"\n'
                     '[[stage]]\nid = "backlog"\n[[stage]]\nid = "doing"\nwip = 1\n'
                     '[[stage]]\nid = "done"\n',
        "content/projects/evil/_index.md": f"---\ntitle: {json.dumps(payloads)}\n"
                                           f"summary: {json.dumps(payloads)}\n---\n{body}\n",
        "content/projects/evil/payload.md":
            f"---\ntitle: {json.dumps(payloads)}\nowner: {json.dumps(XSS[1])}\n"
            f"stage: doing\ntags: {tags}\nblocked: {json.dumps(XSS[0])}\n"
            f"expedite: {json.dumps(XSS[2])}\ncollaborators:\n  {json.dumps(XSS[3])}: bob\n"
            f"depends-on: [other]\n---\n{body}\n",
        "content/projects/evil/other.md": "---\ntitle: fine\nowner: bob\nstage: doing\n---\n"
                                          "- [ ] <b>tick</b>\n",
    })


def assert_no_live_payload(out: Path) -> None:
    for rel, page in html_pages(out).items():
        for tag, attrs in page.tags:
            assert tag not in ("iframe", "object", "embed", "frame"), (rel, tag)
            if tag == "body":
                assert set(attrs) <= {"class"}, (rel, attrs)
            if tag == "script":
                assert attrs.get("src", "").endswith(("static/board.js", "static/project.js")), rel
            for name, value in attrs.items():
                assert not name.startswith("on"), (rel, tag, name)
                lowered = (value or "").strip().lower()
                if name in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not lowered.startswith(("javascript:", "data:", "vbscript:")), \
                        (rel, value)
        raw = (out / rel).read_text()
        assert "<script>alert" not in raw, rel
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", raw, re.IGNORECASE), rel


def test_xss_payloads_never_become_markup(tmp_path, write_tree):
    root = xss_repo(write_tree)
    out = tmp_path / "site"
    build_copy(root, out)
    assert_no_live_payload(out)
    task_page = (out / "projects" / "evil" / "payload" / "index.html").read_text()
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in task_page  # shown as text


def test_broken_fixture_injection_is_inert(broken_site):
    _, out, _ = broken_site
    assert_no_live_payload(out)
    text = (out / "projects" / "format" / "injection" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_review_command_prints_the_review(tmp_path, capsys):
    root = copy_broken(tmp_path / "repo")
    assert cli.run(["-C", str(root), "review"]) == 0
    out = capsys.readouterr().out
    assert "Bottlenecks" in out and "Doing: 3/2 OVER LIMIT" in out
    assert "Overdue" in out and "format/overdue" in out


def test_history_reaches_pages_and_feeds(git_repo):
    git_repo.commit("config", {"mdpm.toml": "[[stage]]\nid = \"backlog\"\n[[stage]]\n"
                                            "id = \"doing\"\n[[stage]]\nid = \"done\"\n"})
    task = "---\ntitle: Draft\nowner: ann\nstage: {}\n---\nBody\n"
    path = "content/projects/acme/draft.md"
    git_repo.commit("add", {path: task.format("backlog")})
    git_repo.commit("start", {path: task.format("doing")})
    git_repo.commit("finish", {path: task.format("done")})
    from mdpm.build import build
    from mdpm.workspace import open_workspace

    out = git_repo.root / "_site"
    result = build(open_workspace(git_repo.root), out, now=NOW, cache_dir=git_repo.root / ".c")
    if result.history_status == "none":
        pytest.skip("history is not mined yet")
    data = json.loads((out / "board.json").read_text())
    history = data["tasks"][0]["history"]
    assert [h["stage"] for h in history] == ["backlog", "doing", "done"]
    assert data["tasks"][0]["cycle_days"] == pytest.approx(1 / 24, abs=0.01)
    feed = (out / "feed.xml").read_text()
    assert feed.count("<entry>") == 3
    page = (out / "projects" / "acme" / "draft" / "index.html").read_text()
    assert "History is missing" not in page and page.count('class="stage-pill stage-') >= 4


def test_progress_is_reported(tmp_path):
    root = copy_broken(tmp_path / "repo")
    seen = []
    from mdpm.build import build
    from mdpm.history import History
    from mdpm.workspace import open_workspace

    build(open_workspace(root), tmp_path / "out", now=NOW, history=History(),
          progress=lambda step, done, total: seen.append((step, done, total)),
          cache_dir=tmp_path / "c")
    assert ("pages", seen[-1][2], seen[-1][2]) == seen[-1]
    assert os.path.isdir(tmp_path / "out")


def test_cli_skips_a_build_when_nothing_changed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_broken(tmp_path / "repo")
    out = tmp_path / "site"
    args = ["-C", str(root), "build", "--out", str(out)]
    assert cli.run(args) == 0
    capsys.readouterr()
    assert cli.run(args) == 0
    err = capsys.readouterr().err
    assert "is up to date" in err and "error[wip-stage]" in err
    assert cli.run([*args, "--strict"]) == 1
    capsys.readouterr()
    (out / "review" / "index.html").unlink()  # the output was touched: build again
    assert cli.run(args) == 0
    assert "is up to date" not in capsys.readouterr().err
    assert (out / "review" / "index.html").is_file()
    task = root / "content" / "projects" / "limits" / "held-1.md"
    task.write_text(task.read_text().replace("title:", "title: New", 1))
    assert cli.run(args) == 0
    assert "is up to date" not in capsys.readouterr().err
    assert "New" in (out / "projects" / "limits" / "held-1" / "index.html").read_text()


def test_a_build_looks_at_each_content_file_once(tmp_path, monkeypatch):
    """The walk that tells whether anything changed gives the load snapshot its stamps."""
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_broken(tmp_path / "repo")
    task = root / "content" / "projects" / "limits" / "held-1.md"
    looked: list[str] = []
    stat = os.stat

    def counting(path, *args, **kwargs):
        looked.append(os.fspath(path))
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting)
    assert cli.run(["-C", str(root), "build", "--out", str(tmp_path / "site")]) == 0
    assert looked.count(str(task)) == 1
