"""The status review: pure functions shared by `mdpm review` and the review page."""

from __future__ import annotations

import datetime as dt

from mdpm.history import History, Transition
from mdpm.review import blocked_tasks, format_review, is_blocked, overloaded_people, review
from mdpm.workspace import check, open_workspace

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)


def team(small_repo, write_tree):
    write_tree({
        "content/projects/p/a.md": "---\ntitle: A\nowner: alice\nstage: doing\n---\n",
        "content/projects/p/b.md": "---\ntitle: B\nowner: alice\nstage: doing\n---\n",
        "content/projects/p/c.md": "---\ntitle: C\nowner: alice\nstage: doing\n"
                                   "due: 2026-11-20\n---\n",
        "content/projects/p/d.md": "---\ntitle: D\nowner: bob\nstage: backlog\n"
                                   "depends-on: [a]\n---\n",
        "content/projects/p/e.md": "---\ntitle: E\nowner: bob\nstage: review\n"
                                   "collaborators: {editor: carol}\ndepends-on: [a, ghost]\n---\n",
        "content/projects/p/f.md": "---\ntitle: F\nowner: carol\nstage: backlog\n"
                                   "blocked: legal\n---\n",
    }, small_repo)
    workspace = open_workspace(small_repo)
    return workspace, check(workspace, NOW.date())


def test_review_finds_every_kind_of_trouble(small_repo, write_tree):
    workspace, problems = team(small_repo, write_tree)
    result = review(workspace.portfolio, problems, History(), NOW)
    doing = next(b for b in result.bottlenecks if b.stage == "doing")
    assert (doing.count, doing.limit, doing.over) == (3, 2, True)
    assert result.bottlenecks[0].stage == "doing"
    review_stage = next(b for b in result.bottlenecks if b.stage == "review")
    assert review_stage.at_limit and not review_stage.over
    blocked = {b.ref: b for b in result.blocked}
    assert set(blocked) == {"p/e", "p/f"}  # p/d waits in the backlog: not blocked yet
    assert blocked["p/e"].waiting_on == ("p/a", "p/ghost")
    assert blocked["p/f"].reason == "legal"
    assert [(o.handle, o.holds, o.limit) for o in result.overloaded] == [("alice", 3, 2)]
    assert [(o.ref, o.days) for o in result.overdue] == [("p/c", 5)]
    assert {p.code for p in result.dependency_problems} == {"dep-missing", "dep-order"}
    assert not result.stuck_known and result.history_message
    assert any("over its WIP limit" in a for a in result.alerts)


def test_stuck_comes_from_history(small_repo, write_tree):
    workspace, problems = team(small_repo, write_tree)
    at = NOW - dt.timedelta(days=10)
    history = History({"p/a": [Transition("doing", at, "abc")],
                       "p/b": [Transition("doing", NOW - dt.timedelta(days=2), "def")]},
                      status="complete", message="")
    result = review(workspace.portfolio, problems, history, NOW)
    assert [(s.ref, s.days) for s in result.stuck] == [("p/a", 10)]
    assert "Stuck (1):" in format_review(result, "T")


def test_format_review_text(small_repo, write_tree):
    workspace, problems = team(small_repo, write_tree)
    text = format_review(review(workspace.portfolio, problems, History(), NOW), "Team")
    assert text.startswith("Status review: Team, as of 2026-11-25")
    assert "Doing: 3/2 OVER LIMIT" in text
    assert "alice: holds 3, limit 2" in text
    assert "p/c: due 2026-11-20, 5 days late, in doing" in text


def test_all_clear(small_repo):
    workspace = open_workspace(small_repo)
    result = review(workspace.portfolio, [], History(), NOW)
    assert result.is_clear
    assert "All clear" in format_review(result, "T")


def test_blocked_tasks_follow_the_one_rule(small_repo, write_tree):
    workspace, _ = team(small_repo, write_tree)
    write_tree({
        "content/projects/p/g.md": "---\ntitle: G\nstage: done\nblocked: yes\n"
                                   "depends-on: [a]\n---\n",
        "content/projects/p/h.md": "---\ntitle: H\nstage: backlog\nblocked: yes\n"
                                   "depends-on: [a]\n---\n",
        "content/projects/p/i.md": "---\ntitle: I\nstage: doing\ndepends-on: [g]\n---\n",
    }, small_repo)
    portfolio = open_workspace(small_repo).portfolio
    found = blocked_tasks(portfolio)
    assert [b.ref for b in found] == sorted(t.ref for t in portfolio.tasks.values()
                                            if is_blocked(portfolio, t)) == ["p/e", "p/f", "p/h"]
    assert found[2].reason == "blocked; waiting on p/a"  # in the backlog, blocked by hand


def test_overloaded_people_counts_who_holds_the_task(small_repo, write_tree):
    write_tree({"mdpm.toml": (small_repo / "mdpm.toml").read_text()
                + "\n[people.dan]\nname = \"Dan\"\nwip = 0\n"}, small_repo)
    workspace, _ = team(small_repo, write_tree)
    write_tree({f"content/projects/q/r{i}.md": "---\ntitle: R\nowner: bob\nstage: review\n"
                "collaborators: {editor: carol}\n---\n" for i in range(3)}, small_repo)
    portfolio = open_workspace(small_repo).portfolio
    assert [(o.handle, o.holds, o.limit, o.refs) for o in overloaded_people(portfolio)] == [
        ("carol", 4, 2, ("p/e", "q/r0", "q/r1", "q/r2")), ("alice", 3, 2, ("p/a", "p/b", "p/c"))]
