"""`mdpm move`: refuse moves that break a rule, say why, `--force`, sign-off notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdpm.cli import run


def _task(stage: str, owner: str = "alice", editor: str | None = "carol", deps: str = "",
          extra: str = "") -> str:
    lines = ["---", "title: A task  # keep me", f"owner: {owner}"]
    if editor:
        lines += ["collaborators:", f"  editor: {editor}"]
    lines.append(f"stage: {stage}")
    if deps:
        lines.append(f"depends-on: [{deps}]")
    return "\r\n".join(lines + [extra, "---", "Body text", ""]) if extra else \
        "\r\n".join(lines + ["---", "Body text", ""])


@pytest.fixture
def board(small_repo, write_tree):
    write_tree({
        "content/projects/p/a.md": _task("done").encode(),
        "content/projects/p/b.md": _task("doing", deps="a").encode(),
        "content/projects/p/c.md": _task("backlog", owner="bob").encode(),
        "content/projects/p/d.md": _task("backlog", owner="bob", deps="c").encode(),
        "content/projects/p/e.md": _task("backlog", owner="bob", editor=None).encode(),
        "content/projects/p/f.md": _task("review", owner="bob", editor="carol", deps="a").encode(),
    })
    return small_repo


def _bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "content/projects/p").glob("*.md"))}


def _move(root: Path, *args: str) -> int:
    return run(["-C", str(root), "move", *args])


def test_an_allowed_move_changes_only_the_stage_value(board, capsys):
    before = _bytes(board)
    assert _move(board, "p/c", "doing") == 0
    assert "moved p/c: backlog -> doing" in capsys.readouterr().out
    after = _bytes(board)
    assert after["c.md"] == before["c.md"].replace(b"stage: backlog", b"stage: doing")
    assert {k: v for k, v in after.items() if k != "c.md"} == \
        {k: v for k, v in before.items() if k != "c.md"}


def test_a_move_over_the_stage_limit_is_refused_with_the_reason(board, capsys):
    assert _move(board, "p/c", "doing") == 0
    before = _bytes(board)
    capsys.readouterr()
    assert _move(board, "p/e", "doing") == 1
    err = capsys.readouterr().err
    assert "refusing to move p/e from `backlog` to `doing`" in err
    assert "error[wip-stage]: stage `doing` holds 3 tasks, over its WIP limit of 2" in err
    assert "--force" in err
    assert _bytes(board) == before


def test_a_move_past_an_unfinished_dependency_is_refused(board, capsys):
    before = _bytes(board)
    assert _move(board, "p/d", "doing") == 1
    err = capsys.readouterr().err
    assert "error[dep-order]" in err and "`p/c`, which it depends on, is still in `backlog`" in err
    assert "wip" not in err
    assert _bytes(board) == before


def test_a_move_into_a_handoff_stage_without_the_role_is_refused(board, capsys):
    assert _move(board, "p/f", "done") == 0  # frees the review stage (wip 1)
    capsys.readouterr()
    assert _move(board, "p/e", "review") == 1
    err = capsys.readouterr().err
    assert "error[role-missing]" in err and "`editor`" in err


def test_only_problems_the_move_creates_are_reported_and_once(board, capsys):
    assert _move(board, "p/a", "doing", "--force") == 0  # b and f now break dep-order
    capsys.readouterr()
    assert _move(board, "p/c", "doing") == 1
    err = capsys.readouterr().err
    assert err.count("error[wip-stage]") == 1
    assert "content/projects/p/c.md:6: error[wip-stage]" in err
    assert "dep-order" not in err


def test_a_person_over_their_limit_is_refused(board, write_tree, capsys):
    write_tree({"content/projects/p/g.md": _task("doing", owner="carol", editor=None),
                "content/projects/p/h.md": _task("backlog", owner="carol", editor=None,
                                                 extra="expedite: launch moved up")})
    assert _move(board, "p/h", "doing") == 1
    err = capsys.readouterr().err
    assert "error[wip-person]: carol holds 3 active tasks, over their limit of 2" in err
    assert "wip-stage" not in err


def test_force_moves_anyway_and_says_what_it_broke(board, capsys):
    assert _move(board, "p/d", "done", "--force") == 0
    captured = capsys.readouterr()
    assert "moved p/d: backlog -> done" in captured.out
    assert "moved anyway (--force); it breaks:" in captured.err and "dep-order" in captured.err
    assert b"stage: done\r\n" in (board / "content/projects/p/d.md").read_bytes()


def test_moving_back_reports_what_it_breaks_for_dependents(board, capsys):
    assert _move(board, "p/a", "backlog") == 1
    err = capsys.readouterr().err
    assert "content/projects/p/b.md" in err and "content/projects/p/f.md" in err


def test_leaving_a_signoff_stage_names_the_reviewer(board, capsys, write_tree):
    assert _move(board, "p/f", "done") == 0
    out = capsys.readouterr().out
    assert "the pull request will need the approval of carol (Carol Example)" in out
    assert "`editor`" in out
    assert _move(board, "p/f", "review") == 0  # backward: no approval needed
    assert "approval" not in capsys.readouterr().out


def test_same_stage_unknown_stage_and_unknown_task(board, capsys):
    before = _bytes(board)
    assert _move(board, "p/b", "doing") == 0
    assert "already in `doing`" in capsys.readouterr().out
    assert _move(board, "p/b", "reveiw") == 2
    assert "did you mean `review`?" in capsys.readouterr().err
    assert _move(board, "p/bb", "done") == 2
    assert "no task `p/bb`" in capsys.readouterr().err
    assert _bytes(board) == before


def test_a_task_file_path_is_a_reference(board, capsys):
    path = board / "content/projects/p/c.md"
    assert _move(board, str(path), "doing") == 0
    assert b"stage: doing" in path.read_bytes()


def test_a_task_without_a_stage_key_gets_one_at_the_end(board, write_tree, capsys):
    write_tree({"content/projects/p/g.md": b"\xef\xbb\xbf---\ntitle: G\nowner: bob\n---\nx"})
    assert _move(board, "p/g", "doing") == 0
    assert (board / "content/projects/p/g.md").read_bytes() == \
        b"\xef\xbb\xbf---\ntitle: G\nowner: bob\nstage: doing\n---\nx"


def test_an_unparsable_task_is_not_touched(board, write_tree, capsys):
    bad = b"---\ntitle: [oops\nowner: bob\n---\n"
    write_tree({"content/projects/p/h.md": bad})
    assert _move(board, "p/h", "doing") == 1
    err = capsys.readouterr().err
    assert "content/projects/p/h.md:2: error[frontmatter]: a list `[` that is not closed" in err
    assert "owner-missing" not in err and str(board) not in err
    assert _move(board, "p/h", "doing", "--force") == 1
    assert "not touched" in capsys.readouterr().err
    assert (board / "content/projects/p/h.md").read_bytes() == bad


def test_a_task_that_is_not_utf8_is_reported_like_check(board, write_tree, capsys):
    bad = b"---\ntitle: Caf\xe9\nowner: bob\n---\n"
    write_tree({"content/projects/p/i.md": bad})
    assert _move(board, "p/i", "doing", "--force") == 1
    err = capsys.readouterr().err
    assert "  content/projects/p/i.md:2: error[encoding]: not UTF-8: byte 0xe9 in column 11" in err
    assert "offset" not in err and str(board) not in err
    assert (board / "content/projects/p/i.md").read_bytes() == bad
