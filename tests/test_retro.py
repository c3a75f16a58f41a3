"""The retrospective facts and `mdpm retro`, from a real git history with fixed dates."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SMALL_CONFIG
from mdpm import cli
from mdpm.history import read_history
from mdpm.retro import HandOff, retro_markdown, retro_view
from mdpm.workspace import open_workspace

T0 = 1_767_261_600  # 2026-01-01T10:00:00Z
DAY = 86400
NOW = dt.datetime(2026, 1, 20, 12, tzinfo=dt.timezone.utc)
INDEX = "---\ntitle: Acme case study\nowner: alice\ndue: 2026-01-10\n---\nThe case study.\n"


def task(owner: str, due: str, stage: str) -> str:
    return (f"---\ntitle: Task of {owner}\nowner: {owner}\ncollaborators:\n  editor: carol\n"
            f"due: {due}\nstage: {stage}\n---\nNotes.\n")


def _moves(repo, ref, owner, due, steps):
    for stage, day in steps:
        repo.commit(f"{ref} to {stage}", {f"content/projects/acme/{ref}.md": task(owner, due, stage)},
                    at=T0 + int(day * DAY))


@pytest.fixture
def acme(git_repo):
    git_repo.write({"mdpm.toml": SMALL_CONFIG, "content/projects/acme/_index.md": INDEX,
                    "content/projects/acme/_retro.md": "We learned to review earlier.\n"})
    steps = sorted([("a", "alice", "2026-01-06", s, d) for s, d in
                    (("backlog", 0), ("doing", 1), ("review", 3), ("done", 8))]
                   + [("b", "bob", "2026-01-10", s, d) for s, d in
                      (("backlog", 0.5), ("doing", 1.5), ("review", 2.5), ("done", 3.5))],
                   key=lambda x: x[4])
    for ref, owner, due, stage, day in steps:
        _moves(git_repo, ref, owner, due, [(stage, day)])
    return git_repo


def _retro(root):
    workspace = open_workspace(root)
    history = read_history(root, workspace.portfolio.tasks, config=workspace.config)
    return retro_view(workspace.portfolio, "acme", history, NOW), workspace


def test_planned_vs_actual_per_task(acme):
    retro, _ = _retro(acme.root)
    assert (retro.total, retro.done, retro.due, retro.start, retro.finished) == (
        2, 2, dt.date(2026, 1, 10), dt.date(2026, 1, 1), dt.date(2026, 1, 9))
    assert retro.late_days is None  # finished the day before it was due
    a, b = retro.tasks
    assert (a.ref, a.due, a.done, a.late_days, a.cycle_days, a.lead_days) == (
        "acme/a", dt.date(2026, 1, 6), dt.date(2026, 1, 9), 3, 7.0, 8.0)
    assert a.stage_days == {"backlog": 1.0, "doing": 2.0, "review": 5.0}
    assert (a.slowest_stage, a.slowest_holder) == ("review", "carol")
    assert (b.done, b.late_days, b.cycle_days) == (dt.date(2026, 1, 4), None, 2.0)
    assert [t.ref for t in retro.late] == ["acme/a"]
    assert retro.notes == "We learned to review earlier.\n"


def test_time_per_stage_and_hand_offs(acme):
    retro, _ = _retro(acme.root)
    assert [(s.stage, s.tasks, s.total_days, s.median_days) for s in retro.stages] == [
        ("backlog", 2, 2.0, 1.0), ("doing", 2, 3.0, 1.5), ("review", 2, 6.0, 3.0)]
    assert retro.slowest_stage.stage == "review"
    assert retro.handoffs == [HandOff("acme/a", "alice", "carol", "review", 5.0),
                              HandOff("acme/b", "bob", "carol", "review", 1.0)]
    assert retro.handoff_summary() == [("alice", "carol", "review", 1, 5.0),
                                       ("bob", "carol", "review", 1, 1.0)]


def test_markdown_states_the_facts(acme):
    retro, workspace = _retro(acme.root)
    text = retro_markdown(retro, {s.id: s.title for s in workspace.config.stages})
    assert text.startswith("# Retrospective: Acme case study\n")
    assert "- Finished: 2026-01-09, on time." in text
    assert "| Task of alice (`acme/a`) | alice | 2026-01-06 | 2026-01-09 | 3 | 7 | Review (5 d) |" in text
    assert ("- `acme/a` (Task of alice): 3 days late; most time in Review (5 days, held by carol)"
            in text)
    assert "| Review | 2 | 6 | 3 |" in text
    assert "| alice | carol | Review | 1 | 5 |" in text
    assert "Work waited longest in Review (median 3 days)" in text


def test_retro_command(acme, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    assert cli.run(["-C", str(acme.root), "retro", "acme"]) == 0
    out = capsys.readouterr().out
    assert "as of 2026-01-20" in out and "## Hand-offs" in out
    assert cli.run(["-C", str(acme.root), "retro", "acm"]) == 2
    assert "no project `acm`; did you mean `acme`?" in capsys.readouterr().err


def test_retro_without_git_says_so_and_guesses_nothing(write_tree, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    root = write_tree({"mdpm.toml": SMALL_CONFIG, "content/projects/acme/_index.md": INDEX,
                       "content/projects/acme/a.md": task("alice", "2026-01-06", "done")})
    assert cli.run(["-C", str(root), "retro", "acme"]) == 0
    out = capsys.readouterr().out
    assert "> History: not a git repository" in out
    assert "| Task of alice (`acme/a`) | alice | 2026-01-06 | — | — | — | — |" in out


def test_a_task_that_waited_in_the_intake_started_late(acme):
    import dataclasses

    from mdpm.retro import _why_late

    retro, _ = _retro(acme.root)
    a = retro.tasks[0]
    waited = dataclasses.replace(a, stage_days={"backlog": 9.0, "doing": 2.0},
                                 slowest_stage="backlog", slowest_holder="alice")
    assert _why_late(waited, retro) == "started late: 9 days in Backlog before work began"
    assert _why_late(a, retro) == "most time in Review (5 days, held by carol)"


def test_a_task_created_done_is_not_late_and_its_done_date_is_unknown(git_repo, tmp_path):
    """A team adopting mdpm mid-project adds finished work as `done`: its done date is unknown."""
    import json

    from mdpm.build import build

    git_repo.write({"mdpm.toml": SMALL_CONFIG, "content/projects/acme/_index.md": INDEX})
    git_repo.commit("adopt mdpm", {
        "content/projects/acme/old.md": task("alice", "2025-12-01", "done"),
        "content/projects/acme/old2.md": task("bob", "2025-12-05", "done")}, at=T0 + 5 * DAY)
    retro, workspace = _retro(git_repo.root)
    old, old2 = retro.tasks
    assert (old.done, old.done_unknown, old.late_days, old.cycle_days, old.lead_days) == (
        None, True, None, None, None)
    assert retro.late == [] and retro.finished is None and retro.late_days is None
    assert retro.all_done and retro.start is None  # no task shows when the work began
    text = retro_markdown(retro, {s.id: s.title for s in workspace.config.stages})
    assert ("| Task of alice (`acme/old`) | alice | 2025-12-01 | unknown (created as done) | — | — |"
            in text)
    assert ("- Finished: unknown (2 tasks created already done: the history does not show when "
            "they were finished); not judged late or on time.") in text
    assert "days after the due date" not in text and "days late" not in text
    out = tmp_path / "site"
    build(workspace, out, now=NOW, workers=1)
    page = (out / "retro" / "acme" / "index.html").read_text()
    assert page.count('data-done="unknown"') == 2 and 'data-history-unknown="2"' in page
    assert "after the due date" not in page and 'class="is-late"' not in page
    board = json.loads((out / "board.json").read_text())
    assert [t["cycle_days"] for t in board["tasks"]] == [None, None]
