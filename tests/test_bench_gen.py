"""The synthetic repository generator used by the benchmarks: deterministic, clean, true history."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from bench.gen import generate
from mdpm.cli import run


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def test_same_seed_same_bytes_and_check_is_clean(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")
    monkeypatch.setenv("CI", "true")
    first = generate(tmp_path / "a", projects=4, tasks=30)
    generate(tmp_path / "b", projects=4, tasks=30)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert (first.tasks, first.projects) == (120, 4)
    assert run(["-C", str(tmp_path / "a"), "check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    text = (tmp_path / "a/content/projects/proj-002/task-007.md").read_text()
    assert text.startswith("---\ntitle: ") and "\nstage: " in text and "## Context" in text


def test_errors_are_injected_on_purpose(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")
    monkeypatch.setenv("CI", "true")
    generate(tmp_path, projects=2, tasks=20, errors=4)
    assert run(["-C", str(tmp_path), "check", "--format", "json"]) == 1
    codes = sorted(p["code"] for p in json.loads(capsys.readouterr().out))
    assert codes == ["date-invalid", "dep-missing", "key-unknown", "person-unknown"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_matches_expected_transitions(tmp_path):
    summary = generate(tmp_path, projects=3, tasks=15, commits=120, renames=3)
    assert summary.commits == 123 and summary.renames == 3
    assert subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout == ""
    expected = json.loads((tmp_path / "expected_transitions.json").read_text())
    assert sum(map(len, expected.values())) == summary.transitions
    assert _mined(tmp_path) == expected
    dates = subprocess.run(["git", "log", "--format=%ct"], cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.split()
    assert [int(d) for d in dates] == sorted({int(d) for d in dates}, reverse=True)


def _mined(root) -> dict:
    """Transitions read back from git the slow, obvious way: each version of each file."""
    log = subprocess.run(["git", "log", "--reverse", "-M", "--name-status", "--format=%x00%H %ct",
                          "--", "content/"], cwd=root, capture_output=True, text=True,
                         check=True).stdout
    stage_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    found: dict[str, list] = {}
    for chunk in log.split("\0")[1:]:
        header, *changes = chunk.strip().split("\n")
        sha, when = header.split()
        for change in filter(None, changes):
            status, *paths = change.split("\t")
            path = paths[-1]
            if not path.endswith(".md") or "/_" in path:
                continue
            if status.startswith("R"):
                name_of[path] = name_of.pop(paths[0])
                stage_of[path] = stage_of.pop(paths[0])
            key = name_of.setdefault(path, path)
            blob = subprocess.run(["git", "show", f"{sha}:{path}"], cwd=root, capture_output=True,
                                  text=True, check=True).stdout
            stage = re.search(r"^stage: (\S+)", blob, re.M).group(1)
            if stage_of.get(path) != stage:
                found.setdefault(key, []).append([stage, int(when), sha])
                stage_of[path] = stage
    final = {name_of[path]: path for path in name_of}
    return {final[key][len("content/projects/"):-3]: events for key, events in found.items()}
