"""What the pages say: review sections, task details, problem messages, card order, the graph."""

from __future__ import annotations

import datetime as dt
import re

from mdpm import cli
from mdpm.history import History, Transition
from mdpm.review import format_review, review
from mdpm.workspace import check, open_workspace
from sitecheck import build_copy, html_pages

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)
CONFIG = """\
[site]
title = "Team"

[[stage]]
id = "backlog"
type = "queue"

[[stage]]
id = "ready"
type = "queue"
wip = 10

[[stage]]
id = "doing"
type = "active"
wip = 6

[[stage]]
id = "done"
type = "done"

[people.ann]
[people.bob]
"""


def task(title: str, stage: str, **fields) -> str:
    extra = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\nowner: ann\nstage: {stage}\n{extra}---\n"


def repo(write_tree, tmp_path):
    return write_tree({
        "mdpm.toml": CONFIG,
        "content/projects/p/a.md": task("Alpha", "doing"),
        "content/projects/p/b.md": task("Bravo", "doing", estimate=3),
        "content/projects/p/c.md": task("Charlie", "ready", depends_on="[a]"),
        "content/projects/p/d.md": task("Delta", "ready"),
        "content/projects/p/e.md": task("Echo", "backlog", depends_on="[a]"),
        "content/projects/p/f.md": task("Foxtrot", "done", due="2026-10-01", estimate=1),
        "content/projects/p/g.md": task("Golf", "done", due="2026-11-01", depends_on="[f]"),
        "content/projects/p/h.md": task("Hotel", "done", due="2026-09-01", estimate=2.5),
    }, tmp_path / "repo")


def test_only_stages_at_their_limit_are_bottlenecks(write_tree, tmp_path):
    workspace = open_workspace(repo(write_tree, tmp_path))
    result = review(workspace.portfolio, check(workspace, NOW.date()), History(), NOW)
    assert result.bottlenecks == []  # doing 2/6 and ready 2/10: busy, not bottlenecks
    assert [(q.stage, q.count) for q in result.queues] == [("ready", 2)]
    text = format_review(result, "Team")
    assert "Bottlenecks (at or over the WIP limit): none" in text
    assert "Longest queues (1):\n  - Ready: 2 tasks waiting" in text
    # Echo waits in the backlog for Alpha: not blocked. Charlie is next to start: blocked.
    assert [b.ref for b in result.blocked] == ["p/c"]
    assert "Stuck: unknown (" in text and "Stuck (" not in text


def test_review_page_separates_bottlenecks_queues_and_unknown_stuck(write_tree, tmp_path):
    root = repo(write_tree, tmp_path)
    out = tmp_path / "site"
    build_copy(root, out, cache=tmp_path / "cache")
    text = (out / "review/index.html").read_text()
    bottlenecks = text[text.index('id="bottlenecks-h"'):text.index('id="queues-h"')]
    assert "No stage is at its limit." in bottlenecks and "busiest" not in text
    queues = text[text.index('id="queues-h"'):text.index('id="waits-h"')]
    assert 'data-stage="ready"' in queues and "2 tasks waiting" in queues
    stuck = text[text.index('id="stuck-h"'):text.index('id="overloaded-h"')]
    assert 'class="count"' not in stuck and "Unknown: history is missing" in stuck
    overview = (out / "index.html").read_text()
    assert "1 task blocked" in overview


def test_review_page_ages_are_whole_days(write_tree, tmp_path):
    root = repo(write_tree, tmp_path)
    at = NOW - dt.timedelta(minutes=30)
    history = History({"p/a": [Transition("ready", at - dt.timedelta(hours=2), "c1"),
                               Transition("doing", at, "c2")],
                       "p/d": [Transition("ready", at, "c3")]},
                      status="complete", message="")
    out = tmp_path / "site"
    build_copy(root, out, history=history, cache=tmp_path / "cache")
    waits = (out / "review/index.html").read_text()
    waits = waits[waits.index('id="waits-h"'):waits.index('id="blocked-h"')]
    assert "data-stage" in waits
    assert not re.search(r"\d\.\d+ days", waits), waits


def test_task_page_details(write_tree, tmp_path):
    root = repo(write_tree, tmp_path)
    created = NOW - dt.timedelta(days=3)
    history = History({"p/f": [Transition("done", created, "c1")],
                       "p/g": [Transition("done", created, "c2")]},
                      status="complete", message="")
    out = tmp_path / "site"
    build_copy(root, out, history=history, cache=tmp_path / "cache")
    golf = (out / "projects/p/g/index.html").read_text()
    assert "in this stage" not in golf  # created already done: no age
    assert "when it was finished is unknown" in golf
    assert "(Done)" in golf and "(done)" not in golf
    foxtrot = (out / "projects/p/f/index.html").read_text()
    assert "1 working day<" in foxtrot and "(Done)" in foxtrot  # needed by Golf, done
    assert "3 working days<" in (out / "projects/p/b/index.html").read_text()
    assert "2.5 working days<" in (out / "projects/p/h/index.html").read_text()


def test_problem_messages_show_code_spans(write_tree, tmp_path):
    root = repo(write_tree, tmp_path)
    (root / "content/projects/p/x.md").write_text(task("X <b>y</b>", "doign"))
    out = tmp_path / "site"
    build_copy(root, out, cache=tmp_path / "cache")
    text = (out / "index.html").read_text()
    message = re.search(r'data-problem="stage-unknown".*?<span class="msg">(.*?)</span>', text,
                        re.S).group(1)
    assert "<code>doign</code>" in message and "`" not in message


def test_board_card_order(write_tree, tmp_path):
    root = repo(write_tree, tmp_path)
    (root / "content/projects/p/d.md").write_text(task("Delta", "ready", priority="high"))
    (root / "content/projects/p/i.md").write_text(task("India", "ready", priority="high",
                                                       due="2026-12-01"))
    out = tmp_path / "site"
    build_copy(root, out, cache=tmp_path / "cache")
    page = html_pages(out)["board/index.html"]

    def column(stage):
        text = (out / "board/index.html").read_text()
        start = text.index(f'data-stage="{stage}"')
        end = text.index("</section>", start)
        return re.findall(r'data-task="([^"]+)"', text[start:end])

    assert page.find("section", data_stage="ready")
    assert column("ready") == ["p/i", "p/d", "p/c"]  # high with a due date, high, normal
    assert column("done") == ["p/g", "p/f", "p/h"]  # no history: latest due date first
    history = History({"p/h": [Transition("doing", NOW - dt.timedelta(days=9), "1"),
                               Transition("done", NOW - dt.timedelta(days=1), "2")],
                       "p/f": [Transition("doing", NOW - dt.timedelta(days=9), "3"),
                               Transition("done", NOW - dt.timedelta(days=2), "4")]},
                      status="complete", message="")
    build_copy(root, out, history=history, cache=tmp_path / "cache")
    assert column("done") == ["p/h", "p/f", "p/g"]  # most recently done first


def test_project_graph_caption_and_script(write_tree, tmp_path):
    root = repo(write_tree, tmp_path)
    out = tmp_path / "site"
    build_copy(root, out, cache=tmp_path / "cache")
    text = (out / "projects/p/index.html").read_text()
    assert "Scroll sideways to follow the critical path" in text
    assert "data-graph-scroll" in text and 'src="../../static/project.js"' in text
    assert (out / "static/project.js").is_file()
    assert re.search(r"<svg[^>]*class=\"mdpm-graph\"[^>]*role=\"group\"", text)


def test_review_command_without_git(write_tree, tmp_path, capsys):
    root = repo(write_tree, tmp_path)
    cli.run(["-C", str(root), "review"])
    out = capsys.readouterr().out
    assert "Stuck: unknown" in out and "Stuck (1)" not in out


def test_a_rebuild_renders_only_pages_whose_inputs_changed(tmp_path, monkeypatch):
    from mdpm.render import Renderer
    from sitecheck import copy_example, tree_bytes

    root = copy_example(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    build_copy(root, out, cache=cache)
    rendered = []
    real = Renderer.render
    monkeypatch.setattr(Renderer, "render",
                        lambda self, spec: rendered.append(spec.path) or real(self, spec))
    build_copy(root, out, cache=cache)
    assert all(p.endswith(("board.json", "calendar.ics", "feed.xml")) or p.count("/") <= 1
               for p in rendered), rendered  # only the summary pages and feeds
    task = next((root / "content/projects/q3-newsletter").glob("[!_]*.md"))
    task.write_text(task.read_text().replace("title: ", "title: Renamed ", 1))
    rendered.clear()
    build_copy(root, out, cache=cache)
    assert "projects/q3-newsletter/index.html" in rendered
    assert f"projects/q3-newsletter/{task.stem}/index.html" in rendered
    assert "board/project/q3-newsletter/index.html" in rendered
    assert "projects/acme-case-study/index.html" not in rendered
    assert "board/project/acme-case-study/index.html" not in rendered
    fresh = tmp_path / "fresh"
    monkeypatch.setattr(Renderer, "render", real)
    build_copy(root, fresh, cache=tmp_path / "other-cache")
    assert tree_bytes(out) == tree_bytes(fresh)  # kept pages are exactly what a full build makes
