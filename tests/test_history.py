"""The history stage on real git repositories with fixed commit dates."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
from array import array

import pytest

from conftest import SMALL_CONFIG
from mdpm import cli
from mdpm import history as history_module
from mdpm.config import load_config
from mdpm.history import History, read_history, stage_in, terminal_progress
from mdpm.load import cache_file_name
from mdpm.tracks import CACHE_VERSION, stage_at

T0 = 1_767_261_600  # 2026-01-01T10:00:00Z
HOUR = 3600
DAY = 86400
BODY = "".join(f"Line {i} of the notes about this task, long enough to be recognised.\n"
               for i in range(12))


def task(stage: str | None, title: str = "A task", extra: str = "", body: str = BODY) -> str:
    stage_line = f"stage: {stage}\n" if stage is not None else ""
    return f"---\ntitle: {title}\n{stage_line}{extra}---\n{body}"


def at(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def stages(history: History, ref: str) -> list[tuple[str, int]]:
    return [(t.stage, int(t.at.timestamp())) for t in history.of(ref)]


@pytest.fixture
def repo(git_repo):
    git_repo.write({"mdpm.toml": SMALL_CONFIG})
    return git_repo


def mine(repo, refs=None, **kwargs) -> History:
    config, _ = load_config(repo.root)
    return read_history(repo.root, refs, config=config, **kwargs)


def test_created_then_moved_forward_with_commit_and_author(repo):
    c1 = repo.commit("add", {"content/projects/acme/draft.md": task("backlog")}, at=T0,
                     author="Alice A <alice@example.com>")
    c2 = repo.commit("start", {"content/projects/acme/draft.md": task("doing")}, at=T0 + DAY,
                     author="Bob B <bob@example.com>")
    history = mine(repo)
    assert history.status == "complete" and history.available and history.head == c2
    assert history.of("acme/draft") == [
        _t("backlog", T0, c1, "Alice A"), _t("doing", T0 + DAY, c2, "Bob B")]


def _t(stage, epoch, commit, author):
    from mdpm.history import Transition

    return Transition(stage, at(epoch), commit, author)


def test_no_stage_key_is_the_first_stage_and_same_stage_edits_are_ignored(repo):
    repo.commit("add", {"content/projects/acme/a.md": task(None)}, at=T0)
    repo.commit("explicit", {"content/projects/acme/a.md": task("backlog")}, at=T0 + HOUR)
    repo.commit("retitle", {"content/projects/acme/a.md": task("backlog", "New title")},
                at=T0 + 2 * HOUR)
    repo.commit("body", {"content/projects/acme/a.md": task("backlog", body=BODY + "more\n")},
                at=T0 + 3 * HOUR)
    repo.commit("go", {"content/projects/acme/a.md": task("doing", "New title")},
                at=T0 + 4 * HOUR)
    assert stages(mine(repo), "acme/a") == [("backlog", T0), ("doing", T0 + 4 * HOUR)]


def test_a_version_without_stage_between_others_is_in_the_first_stage(repo):
    a, b, c = (f"content/projects/acme/{name}.md" for name in "abc")
    repo.commit("add", {a: task("backlog"), b: task("doing"), c: task("ready")}, at=T0)
    repo.commit("drop", {a: task(None), b: task(None), c: task("doing")}, at=T0 + HOUR)
    repo.commit("go", {a: task("doing"), b: task("backlog")}, at=T0 + 2 * HOUR)
    repo.commit("drop again", {a: task(None)}, at=T0 + 3 * HOUR)
    repo.commit("explicit", {a: task("backlog")}, at=T0 + 4 * HOUR)
    history = mine(repo)
    assert stages(history, "acme/a") == [
        ("backlog", T0), ("doing", T0 + 2 * HOUR), ("backlog", T0 + 3 * HOUR)]
    assert stages(history, "acme/b") == [("doing", T0), ("backlog", T0 + HOUR)]
    assert stages(history, "acme/c") == [("ready", T0), ("doing", T0 + HOUR)]


def test_tasks_moved_by_one_commit_share_equal_transitions_in_lists_of_their_own(repo):
    from dataclasses import FrozenInstanceError

    files = {f"content/projects/acme/t{i}.md": task("backlog", f"Task {i}") for i in range(3)}
    commit = repo.commit("add three", files, at=T0, author="Alice A <alice@example.com>")
    history = mine(repo)
    first, second = history.of("acme/t0"), history.of("acme/t1")
    assert first == second == [_t("backlog", T0, commit, "Alice A")] and first is not second
    assert hash(first[0]) == hash(_t("backlog", T0, commit, "Alice A"))
    assert repr(first[0]) == repr(_t("backlog", T0, commit, "Alice A"))
    with pytest.raises(FrozenInstanceError):
        first[0].stage = "doing"
    first.append(first[0])
    assert history.of("acme/t1") == [_t("backlog", T0, commit, "Alice A")]


def test_stage_edited_and_reverted_records_both_moves(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("doing")}, at=T0)
    repo.commit("oops", {"content/projects/acme/a.md": task("done")}, at=T0 + HOUR)
    repo.git("revert", "--no-edit", "HEAD",
             env={"GIT_AUTHOR_DATE": f"@{T0 + 2 * HOUR} +0000",
                  "GIT_COMMITTER_DATE": f"@{T0 + 2 * HOUR} +0000"})
    assert stages(mine(repo), "acme/a") == [
        ("doing", T0), ("done", T0 + HOUR), ("doing", T0 + 2 * HOUR)]


def test_rename_and_move_to_another_project_keep_the_history(repo):
    repo.commit("add", {"content/projects/acme/draft.md": task("backlog")}, at=T0)
    repo.commit("go", {"content/projects/acme/draft.md": task("doing")}, at=T0 + HOUR)
    repo.git("mv", "content/projects/acme/draft.md", "content/projects/acme/write-up.md")
    repo.commit("rename", at=T0 + 2 * HOUR)
    (repo.root / "content/projects/beta").mkdir(parents=True)
    repo.git("mv", "content/projects/acme/write-up.md", "content/projects/beta/write-up.md")
    repo.commit("move and review", {"content/projects/beta/write-up.md": task("review")},
                at=T0 + 3 * HOUR)
    history = mine(repo)
    assert stages(history, "beta/write-up") == [
        ("backlog", T0), ("doing", T0 + HOUR), ("review", T0 + 3 * HOUR)]
    assert history.of("acme/draft") == [] and history.of("acme/write-up") == []


def test_merges_follow_the_first_parent_at_the_merge_time(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog"),
                        "content/projects/acme/b.md": task("backlog")}, at=T0)
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("start a on a branch", {"content/projects/acme/a.md": task("doing")},
                at=T0 + HOUR)
    repo.commit("review a on a branch", {"content/projects/acme/a.md": task("review")},
                at=T0 + 2 * HOUR)
    repo.git("checkout", "-q", "main")
    repo.commit("start b on main", {"content/projects/acme/b.md": task("doing")},
                at=T0 + 3 * HOUR)
    date = f"@{T0 + 4 * HOUR} +0000"
    repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic",
             env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    merge = repo.git("rev-parse", "HEAD")
    history = mine(repo)
    # On main, a went from backlog straight to review when the branch was merged.
    assert stages(history, "acme/a") == [("backlog", T0), ("review", T0 + 4 * HOUR)]
    assert history.of("acme/a")[-1].commit == merge
    assert stages(history, "acme/b") == [("backlog", T0), ("doing", T0 + 3 * HOUR)]


def test_several_tasks_in_one_commit(repo):
    files = {f"content/projects/acme/t{i}.md": task("backlog", f"Task {i}") for i in range(5)}
    repo.commit("add five", files, at=T0)
    moved = {f"content/projects/acme/t{i}.md": task("doing", f"Task {i}") for i in range(3)}
    commit = repo.commit("start three", moved, at=T0 + DAY)
    history = mine(repo)
    for i in range(5):
        expected = [("backlog", T0)] + ([("doing", T0 + DAY)] if i < 3 else [])
        assert stages(history, f"acme/t{i}") == expected
    assert history.of("acme/t0")[-1].commit == commit


def test_deleted_and_re_added_file_continues_its_history(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("doing")}, at=T0)
    repo.git("rm", "-q", "content/projects/acme/a.md")
    repo.commit("drop", at=T0 + HOUR)
    assert mine(repo).of("acme/a") == []
    repo.commit("back", {"content/projects/acme/a.md": task("review")}, at=T0 + 2 * HOUR)
    assert stages(mine(repo), "acme/a") == [("doing", T0), ("review", T0 + 2 * HOUR)]


def test_non_task_files_and_unreadable_versions_are_skipped(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog"),
                        "content/projects/acme/_index.md": task("doing"),
                        "content/projects/acme/notes/deep.md": task("doing"),
                        "README.md": task("doing")}, at=T0)
    repo.commit("broken yaml", {"content/projects/acme/a.md": "---\nstage: [doing\n---\n"},
                at=T0 + HOUR)
    repo.commit("fixed", {"content/projects/acme/a.md": task("review")}, at=T0 + 2 * HOUR)
    history = mine(repo)
    assert set(history.transitions) == {"acme/a"}
    assert stages(history, "acme/a") == [("backlog", T0), ("review", T0 + 2 * HOUR)]


def test_refs_limit_the_answer(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog"),
                        "content/projects/acme/b.md": task("backlog")}, at=T0)
    assert set(mine(repo, ["acme/b"]).transitions) == {"acme/b"}


STAGE_CASES = [
    ("---\nstage: doing\n---\n", "doing"),
    ("---\nstage: doing   # started Monday\n---\n", "doing"),
    ("---\nstage: 'review'\n---\n", "review"),
    ('---\nstage: "done"\n---\n', "done"),
    ("---\ntitle: x\n---\nstage: doing\n", ""),
    ("---\nstage:\n---\n", ""),
    ("---\nstage: [a, b]\n---\n", None),
    ("---\nstage: a\nstage: b\n---\n", None),
    ("---\nstages: x\n---\n", ""),
    ("---\nnotes: |\n  stage: x\nstage: doing\n---\n", "doing"),
    ("no front-matter\nstage: doing\n", None),
    ("\ufeff---\r\nstage: doing\r\n---\r\n", "doing"),
]


@pytest.mark.parametrize("text, expected", STAGE_CASES)
def test_stage_in_reads_only_the_front_matter(text, expected):
    assert stage_in(text.encode("utf-8")) == expected


@pytest.mark.parametrize("text, expected", [*STAGE_CASES, ("---\nstage: doing\n", None)])
def test_stage_read_in_place_looks_at_that_file_only(text, expected):
    # As cat-file answers: a header before, the next answer after (a fence and a stage).
    data = text.encode("utf-8")
    buffer = b"blob 99\n" + data + b"\n" + b"blob 20\n---\nstage: wrong\n---\n"
    assert stage_at(buffer, 8, 8 + len(data)) == expected


def test_cache_mines_only_new_commits_and_survives_a_rebase(repo, monkeypatch):
    monkeypatch.delenv("MDPM_CACHE_DIR", raising=False)
    repo.commit("add", {"content/projects/acme/a.md": task("backlog")}, at=T0)
    first = mine(repo)
    # In git's own folder: no commit can plant a crafted cache there.
    cache = repo.root / ".git" / "mdpm-cache" / cache_file_name("history", repo.root)
    assert json.loads(cache.read_text())["head"] == first.head
    assert not (repo.root / ".mdpm-cache").exists()
    assert repo.git("status", "--porcelain", "--ignored") == ""
    repo.commit("go", {"content/projects/acme/a.md": task("doing")}, at=T0 + HOUR)
    assert stages(mine(repo), "acme/a") == [("backlog", T0), ("doing", T0 + HOUR)]
    # Rewrite history: the cached head is no longer an ancestor.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit("review instead", {"content/projects/acme/a.md": task("review")},
                at=T0 + 2 * HOUR)
    assert stages(mine(repo), "acme/a") == [("backlog", T0), ("review", T0 + 2 * HOUR)]
    cache.write_text("{not json")
    assert stages(mine(repo), "acme/a") == [("backlog", T0), ("review", T0 + 2 * HOUR)]


def test_incremental_equals_cold(repo):
    for i in range(6):
        repo.commit(f"c{i}", {f"content/projects/acme/t{i % 3}.md":
                              task(["backlog", "doing", "review", "done"][i // 2])},
                    at=T0 + i * HOUR)
        incremental = mine(repo)
    cold = mine(repo, cache_dir=repo.root / "fresh-cache")
    assert incremental.transitions == cold.transitions and cold.transitions


def test_shallow_clone_says_partial_and_guesses_nothing(repo, tmp_path):
    repo.commit("add", {"content/projects/acme/old.md": task("backlog")}, at=T0)
    repo.commit("go", {"content/projects/acme/old.md": task("doing")}, at=T0 + HOUR)
    repo.commit("new", {"content/projects/acme/new.md": task("backlog")}, at=T0 + 2 * HOUR)
    repo.commit("go new", {"content/projects/acme/new.md": task("doing")}, at=T0 + 3 * HOUR)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{repo.root}", str(clone)],
                   check=True)
    config, _ = load_config(clone)
    history = read_history(clone, None, config=config)
    assert history.status == "shallow" and history.available
    assert "fetch-depth: 0" in history.message and "1 task(s)" in history.message
    assert history.of("acme/old") == []  # began before the clone: not guessed
    assert stages(history, "acme/new") == [("backlog", T0 + 2 * HOUR), ("doing", T0 + 3 * HOUR)]
    assert not (clone / ".git" / "mdpm-cache").exists() and not (clone / ".mdpm-cache").exists()
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(tmp_path / "one")],
                   check=True)
    assert read_history(tmp_path / "one", None, config=config).transitions == {}


def test_no_git_and_no_commits(write_tree, tmp_path, monkeypatch):
    root = write_tree({"mdpm.toml": SMALL_CONFIG})
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    history = read_history(root, None)
    assert history.status == "none" and "not a git repository" in history.message
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    assert "no commits yet" in read_history(root, None).message
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "git is not installed" in read_history(root, None).message


def test_project_below_the_git_top_level(git_repo):
    git_repo.write({"team/mdpm.toml": SMALL_CONFIG})
    git_repo.commit("add", {"team/content/projects/acme/a.md": task("doing")}, at=T0)
    history = read_history(git_repo.root / "team", None)
    assert stages(history, "acme/a") == [("doing", T0)]


def test_progress_is_reported_only_for_a_long_walk(repo, monkeypatch):
    repo.commit("add", {"content/projects/acme/a.md": task("doing")}, at=T0)
    seen = []
    mine(repo, progress=seen.append, cache_dir=repo.root / "c1")
    assert seen == []  # a short walk stays quiet
    monkeypatch.setattr("mdpm.history.PROGRESS_EVERY", -1.0)
    mine(repo, progress=seen.append, cache_dir=repo.root / "c2")
    assert seen and seen[-1] == "mining history: 1 commits read\n"


def test_terminal_progress_writes_lines(capsys):
    import sys

    terminal_progress(sys.stderr)("mining history: 5 commits")
    assert capsys.readouterr().err == "mining history: 5 commits\n"


def test_check_warns_about_stale_tasks_from_history(repo, capsys, monkeypatch):
    text = "---\ntitle: Slow\nowner: alice\nstage: {}\n---\n"
    repo.commit("add", {"content/projects/acme/slow.md": text.format("backlog")}, at=T0)
    repo.commit("go", {"content/projects/acme/slow.md": text.format("doing")}, at=T0 + DAY)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 10 * DAY))
    assert cli.run(["-C", str(repo.root), "check"]) == 0
    out = capsys.readouterr().out
    assert ("content/projects/acme/slow.md:4: warning[stale]: in `doing` for 9 days (since "
            "2026-01-02), over stale_days = 7") in out
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 5 * DAY))
    cli.run(["-C", str(repo.root), "check"])
    assert "stale" not in capsys.readouterr().out


def test_damaged_repository_gives_no_history_and_a_reason(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("doing")}, at=T0)
    repo.commit("go", {"content/projects/acme/a.md": task("review")}, at=T0 + HOUR)
    parent = repo.git("rev-parse", "HEAD~1")
    obj = repo.root / ".git" / "objects" / parent[:2] / parent[2:]
    obj.chmod(0o644)
    obj.unlink()  # the older commit is gone
    history = mine(repo)
    assert history.status == "none" and "`git log` failed" in history.message


def _alias_bomb(levels: int = 9) -> str:
    lines = ["---", "title: bomb", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join([*lines, "stage: 'doing'", "---", ""])  # quoted: read by the parser


def test_a_blob_with_yaml_aliases_is_an_unknown_stage_not_a_hang(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog")}, at=T0)
    repo.commit("bomb", {"content/projects/acme/a.md": _alias_bomb()}, at=T0 + HOUR)
    repo.commit("loop", {"content/projects/acme/a.md": "---\nstage: &s [*s]\n---\n"},
                at=T0 + 2 * HOUR)
    repo.commit("fix", {"content/projects/acme/a.md": task("review")}, at=T0 + 3 * HOUR)
    assert stage_in(_alias_bomb().encode()) is None
    assert stages(mine(repo), "acme/a") == [("backlog", T0), ("review", T0 + 3 * HOUR)]


def all_transitions(history: History) -> dict:
    return {ref: history.of(ref) for ref in history.transitions}


def _tangled_history(repo) -> None:
    """Renames, a move with an edit, a deletion and a re-addition, spread over 12 commits."""
    repo.commit("add", {f"content/projects/acme/{n}.md": task("backlog") for n in "abcd"},
                at=T0)
    repo.commit("a starts", {"content/projects/acme/a.md": task("doing")})
    repo.git("mv", "content/projects/acme/a.md", "content/projects/acme/a2.md")
    repo.commit("rename a")
    repo.commit("b starts", {"content/projects/acme/b.md": task("doing")})
    repo.git("rm", "-q", "content/projects/acme/c.md")
    repo.commit("drop c")
    (repo.root / "content/projects/beta").mkdir(parents=True)
    repo.git("mv", "content/projects/acme/a2.md", "content/projects/beta/a2.md")
    repo.commit("move a and review", {"content/projects/beta/a2.md": task("review")})
    repo.commit("c is back", {"content/projects/acme/c.md": task("review")})
    repo.git("mv", "content/projects/acme/b.md", "content/projects/acme/b-old.md")
    repo.commit("rename b, new b", {"content/projects/acme/b.md": task("backlog", "New b")})
    repo.commit("a done", {"content/projects/beta/a2.md": task("done")})
    for stage in ("doing", "review", "done"):
        repo.commit(f"d to {stage}", {"content/projects/acme/d.md": task(stage)})


def _spy_plans(monkeypatch) -> list:
    plans, plan = [], history_module._plan

    def spy(*args):
        plans.append(plan(*args))
        return plans[-1]

    monkeypatch.setattr(history_module, "_plan", spy)
    return plans


def test_a_long_history_read_in_parallel_parts_equals_one_part(repo, monkeypatch,
                                                                  tmp_path_factory):
    _tangled_history(repo)
    plans = _spy_plans(monkeypatch)
    whole = mine(repo, cache_dir=tmp_path_factory.mktemp("one"))
    assert len(plans[-1][1]) == 1
    monkeypatch.setattr(history_module, "PART_SIZE", 1)
    monkeypatch.setattr(history_module, "_cores", lambda: 4)
    parts = mine(repo, cache_dir=tmp_path_factory.mktemp("four"))
    assert len(plans[-1][1]) == 4  # cuts after commits 3, 6 and 9 of 12
    assert all_transitions(parts) == all_transitions(whole)
    assert stages(parts, "beta/a2") == [("backlog", T0), ("doing", T0 + HOUR),
                                        ("review", T0 + 5 * HOUR), ("done", T0 + 8 * HOUR)]
    assert stages(parts, "acme/c") == [("backlog", T0), ("review", T0 + 6 * HOUR)]
    assert stages(parts, "acme/b") == [("backlog", T0), ("doing", T0 + 3 * HOUR),
                                       ("backlog", T0 + 7 * HOUR)]


def test_incremental_in_parallel_parts_equals_cold(repo, monkeypatch, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    cached = repo.commit("add", {"content/projects/acme/a.md": task("backlog")}, at=T0 - DAY)
    mine(repo, cache_dir=folder)
    _tangled_history(repo)  # 12 more commits, read as 4 ranges from the cached commit
    plans = _spy_plans(monkeypatch)
    monkeypatch.setattr(history_module, "PART_SIZE", 1)
    monkeypatch.setattr(history_module, "_cores", lambda: 4)
    incremental = mine(repo, cache_dir=folder)
    assert len(plans[-1][1]) == 4 and plans[-1][1][0].startswith(f"{cached}..")
    cold = mine(repo, cache_dir=tmp_path_factory.mktemp("cold"))
    assert all_transitions(incremental) == all_transitions(cold) and cold.transitions


def test_a_cache_from_an_older_format_is_ignored_and_replaced(repo, tmp_path_factory):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog")}, at=T0)
    head = repo.commit("go", {"content/projects/acme/a.md": task("doing")}, at=T0 + HOUR)
    folder = tmp_path_factory.mktemp("cache")
    cache = folder / cache_file_name("history", repo.root)
    cache.write_text(json.dumps({  # the previous format, claiming `done` at HEAD
        "version": 2, "prefix": "content/projects/", "head": head, "stages": ["done"],
        "authors": ["X"], "shas": head, "epochs": [T0], "by": [0], "tracks": [[0, 0]],
        "alive": {"content/projects/acme/a.md": 0}, "dead": {}}))
    assert stages(mine(repo, cache_dir=folder), "acme/a") == [("backlog", T0),
                                                              ("doing", T0 + HOUR)]
    assert json.loads(cache.read_text())["version"] == CACHE_VERSION


def test_a_damaged_cache_is_ignored(repo, tmp_path_factory):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog")}, at=T0)
    repo.commit("go", {"content/projects/acme/a.md": task("doing")}, at=T0 + HOUR)
    folder = tmp_path_factory.mktemp("cache")
    expected = [("backlog", T0), ("doing", T0 + HOUR)]
    assert stages(mine(repo, cache_dir=folder), "acme/a") == expected
    cache = folder / cache_file_name("history", repo.root)
    good = json.loads(cache.read_text())
    for key, value in [("lengths", "AAAAAA=="), ("entries", "AAAA"), ("shas", "abc"),
                       ("alive", "!!"), ("byteorder", "middle"), ("stages", [1]),
                       ("alive_tracks", base64.b64encode(array("i", [10]).tobytes()).decode())]:
        cache.write_text(json.dumps({**good, key: value}))
        assert stages(mine(repo, cache_dir=folder), "acme/a") == expected, key


def test_each_version_is_read_once_and_gives_its_stage_everywhere(repo, monkeypatch):
    asked, request = [], history_module._BlobReader.request
    monkeypatch.setattr(history_module._BlobReader, "request",
                        lambda self, blobs: asked.extend(blobs) or request(self, blobs))
    same = task("doing")  # one blob, in two files and three commits
    repo.commit("add", {"content/projects/acme/a.md": task("backlog"),
                        "content/projects/acme/b.md": same}, at=T0)
    repo.commit("swap", {"content/projects/acme/a.md": same,
                         "content/projects/acme/b.md": task("review")}, at=T0 + HOUR)
    repo.commit("back", {"content/projects/acme/a.md": task("backlog"),
                         "content/projects/acme/b.md": same}, at=T0 + 2 * HOUR)
    history = mine(repo)
    assert stages(history, "acme/a") == [("backlog", T0), ("doing", T0 + HOUR),
                                         ("backlog", T0 + 2 * HOUR)]
    assert stages(history, "acme/b") == [("doing", T0), ("review", T0 + HOUR),
                                         ("doing", T0 + 2 * HOUR)]
    assert len(asked) == len(set(asked)) == 3


def test_a_cached_commit_merged_from_a_branch_is_mined_again(repo):
    repo.commit("add", {"content/projects/acme/a.md": task("backlog")}, at=T0)
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("a on a branch", {"content/projects/acme/a.md": task("doing")}, at=T0 + HOUR)
    mine(repo)  # the cache is at the branch's head
    repo.git("checkout", "-q", "main")
    repo.commit("b", {"content/projects/acme/b.md": task("backlog")}, at=T0 + 2 * HOUR)
    date = f"@{T0 + 3 * HOUR} +0000"
    repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic",
             env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    # The cached commit is an ancestor of HEAD but not on its first-parent line.
    assert stages(mine(repo), "acme/a") == [("backlog", T0), ("doing", T0 + 3 * HOUR)]


def test_answers_split_over_several_cat_files_give_the_same_history(repo, monkeypatch,
                                                                    tmp_path_factory):
    _tangled_history(repo)
    whole = mine(repo, cache_dir=tmp_path_factory.mktemp("one"))
    started, start = [], history_module._BlobReader._start
    monkeypatch.setattr(history_module._BlobReader, "_start",
                        lambda self: started.append(1) or start(self))
    monkeypatch.setattr(history_module, "ROTATE_AT", 0)  # a new cat-file for each request,
    monkeypatch.setattr(history_module, "_READ_SIZE", 256)  # made for every few commits
    monkeypatch.setattr(history_module, "_BATCH_SIZE", 1)
    rotated = mine(repo, cache_dir=tmp_path_factory.mktemp("rotated"))
    assert len(started) > 3
    assert all_transitions(rotated) == all_transitions(whole) and whole.transitions


def test_a_cat_file_that_stops_gives_no_history_and_a_reason(repo, monkeypatch):
    repo.commit("add", {"content/projects/acme/a.md": task("doing")}, at=T0)

    def broken(self):
        return history_module._Child(["git", "cat-file", "--no-such-option"], self.top,
                                     stdin=subprocess.PIPE)

    monkeypatch.setattr(history_module._BlobReader, "_start", broken)
    history = mine(repo)
    assert history.status == "none" and "`git cat-file` stopped" in history.message


def test_without_positioned_reads_history_is_missing_not_a_crash(git_repo, monkeypatch):
    monkeypatch.delattr(os, "pread")
    history = read_history(git_repo.root)
    assert history.status == "none" and "POSIX" in history.message
