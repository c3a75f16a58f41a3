"""The GitHub workflows, the action and the pre-commit hook: valid, least privilege, pinned,
no expressions inside scripts; and the sign-off step run for real against a git remote."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SMALL_CONFIG

REPO_WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
SCAFFOLD_WORKFLOWS = sorted((REPO / "mdpm" / "scaffold" / "workflows").glob("*.yml"))
ALL_WORKFLOWS = REPO_WORKFLOWS + SCAFFOLD_WORKFLOWS
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
UNSAFE_IN_SCRIPT = re.compile(r"\$\{\{\s*(inputs\.|github\.event\.|github\.head_ref)")
WRITE_SCOPES_ALLOWED = {"pages": "write", "id-token": "write"}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    """Return the `on:` mapping (PyYAML reads the key `on` as True, YAML 1.1)."""
    on = workflow.get(True, workflow.get("on"))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def ids(paths):
    return [f"{p.parent.parent.name}/{p.name}" for p in paths]


def by_name(paths, name) -> dict:
    [path] = [p for p in paths if p.name == name]
    return load(path)


def test_the_expected_workflows_exist():
    assert {p.name for p in REPO_WORKFLOWS} >= {"tests.yml", "check.yml", "signoff.yml",
                                                "pages.yml"}
    assert {p.name for p in SCAFFOLD_WORKFLOWS} == {"check.yml", "signoff.yml", "pages.yml"}


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=ids(ALL_WORKFLOWS))
def test_workflow_is_least_privilege(path):
    workflow = load(path)
    assert workflow["permissions"] in ({"contents": "read"}, {}), "top level must be read-only"
    for name, job in workflow["jobs"].items():
        for scope, level in job.get("permissions", {}).items():
            if level == "write":
                assert WRITE_SCOPES_ALLOWED.get(scope) == "write", f"{name}: {scope}: write"
                assert any(s.get("uses", "").startswith("actions/deploy-pages@")
                           for s in job["steps"]), f"{name} writes but does not deploy"


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=ids(ALL_WORKFLOWS))
def test_actions_are_pinned_and_scripts_take_no_expressions(path):
    workflow = load(path)
    for job_name, _job, step in steps(workflow):
        if "uses" in step and step["uses"] != "./":  # ./ is this checkout's action.yml
            assert PINNED.match(step["uses"]), f"{job_name}: unpinned {step['uses']}"
        if "run" in step:
            assert not UNSAFE_IN_SCRIPT.search(step["run"]), f"{job_name}: expression in run"


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=ids(ALL_WORKFLOWS))
def test_checkouts_that_run_mdpm_fetch_the_whole_history(path):
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        job_steps = job.get("steps", [])
        runs_mdpm = any(re.search(r"\bmdpm (check|build)\b", s.get("run", "")) for s in job_steps)
        for step in job_steps:
            if step.get("uses", "").startswith("actions/checkout@"):
                options = step.get("with", {})
                assert options.get("persist-credentials") is False, name
                if runs_mdpm:
                    assert options.get("fetch-depth") == 0, f"{name}: needs fetch-depth: 0"


def test_tests_run_on_push_and_pull_request():
    workflow = by_name(REPO_WORKFLOWS, "tests.yml")
    assert set(triggers(workflow)) == {"push", "pull_request"}
    runs = "\n".join(s.get("run", "") for _, _, s in steps(workflow))
    uses = [s.get("uses", "") for _, _, s in steps(workflow)]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert "chromium" in runs and "pip install -e '.[test]'" in runs and "pytest" in runs


@pytest.mark.parametrize("paths", [REPO_WORKFLOWS, SCAFFOLD_WORKFLOWS], ids=["repo", "scaffold"])
def test_check_runs_on_pull_requests(paths):
    workflow = by_name(paths, "check.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    assert any("mdpm check --format github" in s.get("run", "") for _, _, s in steps(workflow))


@pytest.mark.parametrize("paths", [REPO_WORKFLOWS, SCAFFOLD_WORKFLOWS], ids=["repo", "scaffold"])
def test_signoff_runs_on_pull_requests_and_reviews(paths):
    workflow = by_name(paths, "signoff.yml")
    assert set(triggers(workflow)) == {"pull_request", "pull_request_review"}
    assert "submitted" in triggers(workflow)["pull_request_review"]["types"]
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    [step] = [s for s in job["steps"] if "gh api" in s.get("run", "")]
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "--approved-by" in step["run"] and "--author" in step["run"]


@pytest.mark.parametrize("paths", [REPO_WORKFLOWS, SCAFFOLD_WORKFLOWS], ids=["repo", "scaffold"])
def test_pages_builds_on_push_weekly_and_by_hand_and_deploys_from_main(paths):
    workflow = by_name(paths, "pages.yml")
    on = triggers(workflow)
    assert on["push"] == {"branches": ["main"]} and "workflow_dispatch" in on
    [schedule] = on["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday != "*", "weekly"
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "permissions" not in build  # the top level's contents: read
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"]]
    assert "actions/configure-pages" in uses and "actions/upload-pages-artifact" in uses
    runs = "\n".join(s.get("run", "") for s in build["steps"])
    assert "mdpm build --out _site" in runs
    assert re.search(r"\bmdpm review\n.*\} >> \"\$GITHUB_STEP_SUMMARY\"", runs, re.DOTALL)
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_scaffold_installs_mdpm_from_the_package_index_not_the_checkout():
    for path in SCAFFOLD_WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        assert "-e ." not in text and "cache: pip" not in text, path.name
        workflow = load(path)
        assert workflow["env"]["MDPM_PACKAGE"].startswith("mdpm")
        assert any('pip install "$MDPM_PACKAGE"' in s.get("run", "") for _, _, s in steps(workflow))


def test_action_metadata_passes_inputs_through_env_only():
    action = load(REPO / "action.yml")
    assert action["name"] and action["description"] and action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"command", "args", "version", "working-directory"}
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"]
        for value in step.get("env", {}).values():
            assert re.fullmatch(r"\$\{\{ inputs\.[\w-]+ \}\}", value)
    run = action["runs"]["steps"][1]["run"]
    assert "check|build) ;;" in run  # the allow-list


def test_pre_commit_hook_manifest():
    [hook] = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "mdpm-check" and hook["language"] == "python"
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("content/projects/acme/draft.md")
    assert pattern.search("team/mdpm.toml")
    assert not pattern.search("README.md")
    assert set(hook["stages"]) <= {"pre-commit", "pre-push", "manual"}


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_actionlint_accepts_the_workflows():
    result = subprocess.run(["actionlint", *map(str, ALL_WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the sign-off step, run as the runner would, against a real remote ---------------------

CONFIG = SMALL_CONFIG.replace('name = "Carol Example"', 'name = "Carol Example"\ngithub = "carol-gh"')
TASK = "---\ntitle: Draft\nowner: alice\ncollaborators: {editor: carol}\nstage: %s\n---\n"
FAKE_GH = """#!/bin/sh
# `gh api --paginate URL --jq EXPR`: print what the real gh prints, from $FAKE_REVIEWS.
test "$1" = api || exit 64
shift
expr=""
while [ $# -gt 0 ]; do
  case "$1" in --jq) expr="$2"; shift ;; --paginate) ;; *) echo "$1" >> "$FAKE_GH_LOG" ;; esac
  shift
done
for page in "$FAKE_REVIEWS"*; do jq -r "$expr" "$page"; done
"""


def review(login: str, state: str) -> dict:
    return {"user": {"login": login}, "state": state, "body": ""}


@pytest.fixture
def pull_request(git_repo, tmp_path_factory):
    """A clone of a repository whose feature branch moves a task out of review."""
    git_repo.commit("start", {"mdpm.toml": CONFIG,
                              "content/projects/acme/draft.md": TASK % "review"})
    clone = tmp_path_factory.mktemp("clone") / "work"
    subprocess.run(["git", "clone", "-q", str(git_repo.root), str(clone)], check=True)
    for key, value in (("user.email", "t@example.com"), ("user.name", "T")):
        subprocess.run(["git", "-C", str(clone), "config", key, value], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "-b", "feature"], check=True)
    (clone / "content/projects/acme/draft.md").write_text(TASK % "done")
    subprocess.run(["git", "-C", str(clone), "commit", "-qam", "done"], check=True)
    return clone


def run_signoff_step(workflow_path: Path, clone: Path, pages: list[list[dict]], tmp_path):
    workflow = load(workflow_path)
    [step] = [s for s in workflow["jobs"]["sign-off"]["steps"] if "gh api" in s.get("run", "")]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    for number, page in enumerate(pages):
        (tmp_path / f"reviews{number}").write_text(json.dumps(page))
    env = {**os.environ,
           "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                    os.environ["PATH"]]),
           "FAKE_REVIEWS": str(tmp_path / "reviews"), "FAKE_GH_LOG": str(tmp_path / "gh.log"),
           "GH_TOKEN": "token", "REPOSITORY": "org/team", "PR_NUMBER": "7",
           "PR_AUTHOR": "alice", "BASE_REF": "main"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                            cwd=clone, env=env, capture_output=True, text=True)
    assert (tmp_path / "gh.log").read_text().split() == ["repos/org/team/pulls/7/reviews"]
    return result


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


@needs_jq
@pytest.mark.parametrize("path", [REPO / ".github/workflows/signoff.yml",
                                  REPO / "mdpm/scaffold/workflows/signoff.yml"],
                         ids=["repo", "scaffold"])
def test_signoff_step_passes_with_the_latest_approval(pull_request, tmp_path, path):
    pages = [[review("bob", "APPROVED"), review("carol-gh", "CHANGES_REQUESTED")],
             [review("Carol-GH", "APPROVED"), review("carol-gh", "COMMENTED")]]
    result = run_signoff_step(path, pull_request, pages, tmp_path)
    assert "Approved by: Carol-GH,bob; author: alice" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


@needs_jq
def test_signoff_step_fails_when_the_approval_was_dismissed(pull_request, tmp_path):
    pages = [[review("carol-gh", "APPROVED"), review("carol-gh", "DISMISSED"),
              review("bob", "APPROVED"), {"user": None, "state": "APPROVED"}]]
    result = run_signoff_step(REPO / ".github/workflows/signoff.yml", pull_request, pages,
                              tmp_path)
    assert result.returncode == 1
    assert "Approved by: bob; author: alice" in result.stdout
    assert ("::error file=content/projects/acme/draft.md,line=5,title=mdpm signoff-missing::"
            "`acme/draft` moved `review` → `done` and needs the approval of carol (@carol-gh)"
            in result.stdout)


def test_init_writes_the_scaffold_workflows(tmp_path, capsys):
    from mdpm.cli import run

    assert run(["init", str(tmp_path / "team")]) == 0
    written = tmp_path / "team" / ".github" / "workflows"
    assert sorted(p.name for p in written.glob("*.yml")) == [p.name for p in SCAFFOLD_WORKFLOWS]
    for path in SCAFFOLD_WORKFLOWS:
        assert (written / path.name).read_bytes() == path.read_bytes()


def test_pages_build_and_review_steps_run_in_a_new_team_repository(tmp_path, capsys):
    from mdpm.cli import run

    team = tmp_path / "team"
    assert run(["init", str(team)]) == 0
    workflow = load(team / ".github/workflows/pages.yml")
    wanted = {"Build the site", "Status review"}
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    for step in workflow["jobs"]["build"]["steps"]:
        if step.get("name") in wanted:
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                     step["run"]], cwd=team, env=env, capture_output=True,
                                    text=True)
            assert result.returncode == 0, result.stderr
    assert (team / "_site" / "index.html").is_file()
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("```text\nStatus review: ") and text.endswith("```\n")
