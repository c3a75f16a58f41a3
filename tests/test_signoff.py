"""Sign-offs with real git repositories: `mdpm check --base REF --approved-by ... --author ...`."""

from __future__ import annotations

import json

import pytest

from conftest import SMALL_CONFIG
from mdpm.cli import run
from mdpm.signoff import check_changes
from mdpm.workspace import open_workspace

CONFIG = SMALL_CONFIG.replace('[people.carol]\nname = "Carol Example"',
                              '[people.carol]\nname = "Carol Example"\ngithub = "Carol-GH"')


def task(stage: str, editor: str | None = "carol", owner: str = "alice", deps: str = "") -> str:
    lines = ["---", "title: Draft the story", f"owner: {owner}"]
    if editor:
        lines += ["collaborators:", f"  editor: {editor}"]
    lines.append(f"stage: {stage}")
    if deps:
        lines.append(f"depends-on: [{deps}]")
    return "\n".join(lines) + "\n---\nBody.\n"


@pytest.fixture
def repo(git_repo):
    """A repository on main with one task in review, and a feature branch checked out."""
    git_repo.commit("start", {"mdpm.toml": CONFIG,
                              "content/projects/acme/draft.md": task("review"),
                              "content/projects/acme/outline.md": task("done")})
    git_repo.git("checkout", "-q", "-b", "feature")
    return git_repo


def check_json(repo, capsys, *extra: str) -> tuple[int, list[dict]]:
    capsys.readouterr()
    status = run(["-C", str(repo.root), "check", "--format", "json", "--base", "main", *extra])
    return status, json.loads(capsys.readouterr().out)


def signoffs(problems: list[dict]) -> list[dict]:
    return [p for p in problems if p["code"] == "signoff-missing"]


def test_approved_move_passes(repo, capsys):
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys, "--approved-by", "carol", "--author", "alice")
    assert status == 0
    assert signoffs(problems) == []


def test_missing_approval_fails_at_the_stage_line_naming_the_approver(repo, capsys):
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys, "--author", "alice")
    assert status == 1
    [problem] = signoffs(problems)
    assert problem["path"] == "content/projects/acme/draft.md"
    assert problem["line"] == 6  # the `stage:` line
    assert problem["severity"] == "error"
    assert problem["message"] == (
        "`acme/draft` moved `review` → `done` and needs the approval of carol (@Carol-GH) "
        "(`editor`, to leave `review`); nobody has approved yet")


def test_wrong_approver_fails_and_says_who_approved(repo, capsys):
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys, "--approved-by", "bob", "--author", "alice")
    assert status == 1
    [problem] = signoffs(problems)
    assert "needs the approval of carol (@Carol-GH)" in problem["message"]
    assert problem["message"].endswith("; approved by bob only")


def test_author_cannot_sign_off_their_own_task(repo, capsys):
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys, "--approved-by", "carol", "--author", "carol-gh")
    assert status == 1
    [problem] = signoffs(problems)
    assert ("carol (@Carol-GH) made this change and cannot sign off their own task "
            "(their approval is ignored)") in problem["message"]


def test_github_logins_map_to_people_ignoring_case(repo, capsys):
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys, "--approved-by", "someone,CAROL-gh",
                                  "--author", "alice")
    assert status == 0, problems


def test_a_login_that_is_not_in_people_does_not_count(repo, capsys):
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys, "--approved-by", "mallory")
    assert status == 1
    assert signoffs(problems)[0]["message"].endswith("approved by mallory only")


@pytest.mark.parametrize("before, after", [("backlog", "doing"), ("doing", "review"),
                                           ("done", "review"), ("review", "backlog")])
def test_moves_that_do_not_leave_a_signoff_stage_need_nothing(git_repo, capsys, before, after):
    git_repo.commit("start", {"mdpm.toml": CONFIG,
                              "content/projects/acme/draft.md": task(before)})
    git_repo.commit("move", {"content/projects/acme/draft.md": task(after)})
    capsys.readouterr()
    status = run(["-C", str(git_repo.root), "check", "--format", "json", "--base", "HEAD~1"])
    assert signoffs(json.loads(capsys.readouterr().out)) == []
    assert status == 0


def test_jumping_over_the_signoff_stage_needs_it(git_repo, capsys):
    git_repo.commit("start", {"mdpm.toml": CONFIG,
                              "content/projects/acme/draft.md": task("doing")})
    git_repo.commit("skip review", {"content/projects/acme/draft.md": task("done")})
    capsys.readouterr()
    status = run(["-C", str(git_repo.root), "check", "--format", "json", "--base", "HEAD~1"])
    [problem] = signoffs(json.loads(capsys.readouterr().out))
    assert status == 1
    assert "moved `doing` → `done`" in problem["message"]


def test_a_task_added_past_the_signoff_stage_is_caught(repo, capsys):
    repo.commit("add", {"content/projects/acme/launch.md": task("done", editor="bob")})
    status, problems = check_json(repo, capsys, "--author", "alice")
    [problem] = signoffs(problems)
    assert status == 1
    assert problem["path"] == "content/projects/acme/launch.md"
    assert problem["message"].startswith(
        "`acme/launch` is new in stage `done`, past a sign-off, and needs the approval of bob")


def test_a_task_added_in_or_before_the_signoff_stage_needs_nothing(repo, capsys):
    repo.commit("add", {"content/projects/acme/idea.md": task("backlog"),
                        "content/projects/acme/check.md": task("review", owner="bob")})
    status, problems = check_json(repo, capsys)
    assert signoffs(problems) == []


def test_a_move_without_anyone_in_the_role_says_so(repo, capsys):
    repo.commit("add", {"content/projects/acme/nobody.md": task("done", editor=None)})
    status, problems = check_json(repo, capsys)
    [problem] = signoffs(problems)
    assert "the task has no `editor` collaborator" in problem["message"]


def test_the_approver_is_the_one_at_the_base_not_one_named_in_the_change(repo, capsys):
    # The change makes bob the editor and moves the task; carol (editor at main) must approve.
    repo.commit("reassign and finish", {"content/projects/acme/draft.md":
                                        task("done", editor="bob")})
    status, problems = check_json(repo, capsys, "--approved-by", "bob", "--author", "alice")
    assert status == 1
    assert "needs the approval of carol" in signoffs(problems)[0]["message"]


def test_deleted_tasks_are_listed_not_errors(repo, capsys):
    repo.git("rm", "-q", "content/projects/acme/outline.md")
    repo.commit("drop outline")
    status, problems = check_json(repo, capsys)
    assert status == 0
    capsys.readouterr()
    run(["-C", str(repo.root), "check", "--format", "markdown", "--base", "main"])
    out = capsys.readouterr().out
    assert "#### Deleted tasks" in out
    assert "- `acme/outline` (was in `done`)" in out


def test_a_renamed_task_is_matched_not_new(repo, capsys):
    repo.git("mv", "content/projects/acme/draft.md", "content/projects/acme/first-draft.md")
    repo.commit("rename")
    status, problems = check_json(repo, capsys)
    assert status == 0
    workspace = open_workspace(repo.root)
    changes = check_changes(workspace, "main")
    [transition] = changes.transitions
    assert (transition.ref, transition.renamed_from) == ("acme/first-draft", "acme/draft")
    assert transition.direction == "renamed" and changes.deleted == []


def test_a_renamed_and_moved_task_keeps_its_approver(repo, capsys):
    repo.git("mv", "content/projects/acme/draft.md", "content/projects/acme/final.md")
    repo.commit("rename and finish", {"content/projects/acme/final.md": task("done")})
    status, problems = check_json(repo, capsys, "--approved-by", "bob")
    [problem] = signoffs(problems)
    assert problem["path"] == "content/projects/acme/final.md"
    assert "`acme/final` moved `review` → `done`" in problem["message"]
    status, problems = check_json(repo, capsys, "--approved-by", "carol")
    assert status == 0


def test_merges_from_main_are_not_counted_as_changes(repo, capsys):
    repo.git("checkout", "-q", "main")
    repo.commit("main moves on", {"content/projects/acme/other.md": task("doing", owner="bob")})
    repo.git("checkout", "-q", "feature")
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    repo.git("merge", "-q", "--no-edit", "main")
    status, problems = check_json(repo, capsys, "--approved-by", "carol")
    assert status == 0
    changes = check_changes(open_workspace(repo.root), "main", approved_by="carol")
    assert [t.ref for t in changes.transitions] == ["acme/draft"]


def test_uncommitted_edits_in_the_working_tree_count(repo, capsys):
    repo.write({"content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys)
    assert status == 1 and len(signoffs(problems)) == 1


def test_removing_signoff_from_the_config_in_the_same_change_does_not_waive_it(repo, capsys):
    repo.commit("no more sign-off", {
        "mdpm.toml": CONFIG.replace('signoff = "editor"\n', ""),
        "content/projects/acme/draft.md": task("done")})
    status, problems = check_json(repo, capsys)
    assert status == 1 and len(signoffs(problems)) == 1


def test_bad_ref_is_a_usage_error(repo, capsys):
    status = run(["-C", str(repo.root), "check", "--base", "no-such-branch"])
    err = capsys.readouterr().err
    assert status == 2
    assert "mdpm: error: --base `no-such-branch` is not a commit in this repository" in err
    assert "Traceback" not in err


def test_base_outside_a_git_repository_is_a_usage_error(write_tree, capsys):
    root = write_tree({"mdpm.toml": CONFIG, "content/projects/acme/draft.md": task("review")})
    status = run(["-C", str(root), "check", "--base", "main"])
    assert status == 2
    assert "is not a commit" in capsys.readouterr().err


def test_markdown_lists_transitions_signoffs_and_a_graph(repo, capsys):
    repo.commit("work", {"content/projects/acme/draft.md": task("done", deps="outline"),
                         "content/projects/acme/promo.md": task("doing", owner="bob")})
    capsys.readouterr()
    status = run(["-C", str(repo.root), "check", "--format", "markdown", "--base", "main",
                  "--approved-by", "carol-gh", "--author", "alice"])
    out = capsys.readouterr().out
    assert status == 0
    assert "| `acme/draft` | `review` → `done` | editor: carol | :white_check_mark: signed off |" in out
    assert "| `acme/promo` | new in `doing` | — | — |" in out
    assert "- :white_check_mark: `acme/draft` leaving `review`: carol (editor): approved by carol" in out
    assert "Approved by: carol (@carol-gh); author: alice." in out
    assert "```mermaid\nflowchart LR" in out
    assert "acme/outline" in out and "-->" in out


def test_github_format_annotates_the_missing_signoff(repo, capsys, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    repo.commit("draft done", {"content/projects/acme/draft.md": task("done")})
    capsys.readouterr()
    status = run(["-C", str(repo.root), "check", "--format", "github", "--base", "main"])
    out = capsys.readouterr().out
    assert status == 1
    assert "::error file=content/projects/acme/draft.md,line=6,title=mdpm signoff-missing::" in out
    assert "#### Required sign-offs" in summary.read_text(encoding="utf-8")


def test_a_team_folder_inside_a_larger_repository(git_repo, capsys):
    git_repo.commit("start", {"team/mdpm.toml": CONFIG,
                              "team/content/projects/acme/draft.md": task("review")})
    git_repo.git("mv", "team/content/projects/acme/draft.md", "team/content/projects/acme/v2.md")
    git_repo.write({"team/content/projects/acme/v2.md": task("done")})
    capsys.readouterr()
    status = run(["-C", str(git_repo.root / "team"), "check", "--format", "json",
                  "--base", "HEAD"])
    [problem] = signoffs(json.loads(capsys.readouterr().out))
    assert status == 1
    assert problem["path"] == "content/projects/acme/v2.md"
    assert "`acme/v2` moved `review` → `done`" in problem["message"]


def test_what_main_did_after_the_branch_left_it_is_not_counted(repo, capsys):
    repo.git("checkout", "-q", "main")
    repo.commit("finish on main", {"content/projects/acme/draft.md": task("done"),
                                   "content/projects/acme/extra.md": task("backlog")})
    repo.git("checkout", "-q", "feature")
    repo.commit("unrelated", {"content/projects/acme/idea.md": task("backlog")})
    changes = check_changes(open_workspace(repo.root), "main")
    assert [(t.ref, t.direction) for t in changes.transitions] == [("acme/idea", "new")]
    assert changes.deleted == []


@pytest.mark.parametrize("ref", ["--help", " ", "main..feature"])
def test_refs_that_are_not_commits_are_usage_errors(repo, capsys, ref):
    status = run(["-C", str(repo.root), "check", f"--base={ref}"])
    assert status == 2
    assert "mdpm: error: --base" in capsys.readouterr().err
