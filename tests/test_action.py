"""Run the composite action (`action.yml`) the way the runner does, against a sample repository.

Each `run:` step is executed with `bash --noprofile --norc -eo pipefail` (the runner's `bash`
shell), the step's `env` with `${{ inputs.* }}` substituted, GITHUB_ACTION_PATH pointing at
this checkout (so mdpm installs from it), and the runner's files (GITHUB_PATH, the step
summary). The real install (pip, from this checkout) is slow, so it runs with --runslow; the other
tests start from a venv made of this test run's packages, which the install step accepts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SMALL_CONFIG

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TASK = "---\ntitle: Draft\nowner: alice\ncollaborators: {editor: carol}\nstage: %s\n---\nText.\n"


class Runner:
    """Just enough of the Actions runner to run a composite action's steps."""

    def __init__(self, temp: Path, workspace: Path):
        self.temp = temp
        self.workspace = workspace
        self.path_file = temp / "github_path"
        self.path_file.touch()

    def run_action(self, inputs: dict[str, str]) -> tuple[int, str, str]:
        """Run every step in order; stop at the first that fails, like the runner."""
        given = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(given)
        assert not unknown, f"not inputs of the action: {unknown}"
        given.update(inputs)
        out, err = [], []
        for step in ACTION["runs"]["steps"]:
            status, stdout, stderr = self.run_step(step, given)
            out.append(stdout)
            err.append(stderr)
            if status != 0:
                return status, "".join(out), "".join(err)
        return 0, "".join(out), "".join(err)

    def run_step(self, step: dict, inputs: dict[str, str]) -> tuple[int, str, str]:
        assert step["shell"] == "bash"
        env = {key: self.evaluate(value, inputs) for key, value in step.get("env", {}).items()}
        extra_path = [line for line in self.path_file.read_text().splitlines() if line]
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("GITHUB_", "VIRTUAL_ENV", "PYTHON"))}
        base["PATH"] = os.pathsep.join([*reversed(extra_path), self.system_path()])
        full_env = {**base, "GITHUB_ACTIONS": "true", "CI": "true",
                    "GITHUB_ACTION_PATH": str(REPO), "GITHUB_WORKSPACE": str(self.workspace),
                    "RUNNER_TEMP": str(self.temp), "GITHUB_PATH": str(self.path_file),
                    "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"), **env}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                 step["run"]], cwd=self.workspace, env=full_env,
                                capture_output=True, text=True, timeout=300)
        return result.returncode, result.stdout, result.stderr

    @staticmethod
    def evaluate(value: str, inputs: dict[str, str]) -> str:
        """Substitute `${{ inputs.x }}` as the runner does; refuse any other expression."""
        def substitute(match: re.Match) -> str:
            expression = match.group(1)
            assert expression.startswith("inputs."), f"unexpected expression {expression}"
            return inputs[expression.removeprefix("inputs.")]
        return EXPRESSION.sub(substitute, str(value))

    @staticmethod
    def system_path() -> str:
        """PATH without this test run's venv, so the action must install its own mdpm."""
        venv_bin = str(Path(sys.executable).parent)
        return os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A sample team repository: a git clone with a feature branch that finishes a task."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin = tmp_path_factory.mktemp("origin")
    files = {"mdpm.toml": SMALL_CONFIG, "content/projects/acme/draft.md": TASK % "review",
             "content/projects/acme/outline.md": TASK % "backlog"}
    for rel, text in files.items():
        (origin / rel).parent.mkdir(parents=True, exist_ok=True)
        (origin / rel).write_text(text)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=origin, check=True)
    subprocess.run([*git, "add", "-A"], cwd=origin, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=origin, check=True)
    workspace = tmp_path_factory.mktemp("workspace") / "team"
    subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=workspace, check=True)
    (workspace / "content/projects/acme/draft.md").write_text(TASK % "done")
    subprocess.run([*git, "commit", "-qam", "finish the draft"], cwd=workspace, check=True)
    return workspace


@pytest.fixture(scope="module")
def runner(workspace, tmp_path_factory):
    """A runner whose mdpm venv is already there, made from this test run's packages.

    The install step still runs: it validates `version`, finds the venv installed from the
    same source and skips pip (as a second use of the action in one job does). The install
    itself is tested by the slow `test_install_from_the_local_checkout`.
    """
    temp = tmp_path_factory.mktemp("runner_temp")
    venv = temp / "mdpm-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [site] = (venv / "lib").glob("python*/site-packages")
    (site / "test-run.pth").write_text("\n".join(p for p in sys.path if p) + "\n")
    mdpm = venv / "bin" / "mdpm"
    mdpm.write_text(f"#!{venv / 'bin' / 'python'}\nfrom mdpm.cli import main\nmain()\n")
    mdpm.chmod(0o755)
    (venv / ".mdpm-source").write_text(str(REPO))
    return Runner(temp, workspace)


@pytest.mark.slow
def test_install_from_the_local_checkout(workspace, tmp_path):
    fresh = Runner(tmp_path, workspace)
    status, out, err = fresh.run_action({"version": "local", "args": "--base origin/main"})
    assert status == 1, out + err
    assert re.search(r"^mdpm \d+\.\d+", out, re.MULTILINE)  # the install step's --version
    assert "title=mdpm signoff-missing" in out
    assert (tmp_path / "mdpm-venv" / ".mdpm-source").read_text() == str(REPO)


def test_check_annotates_and_writes_the_summary(runner):
    status, out, err = runner.run_action({"command": "check",
                                          "args": "--base origin/main --approved-by 'bob'"})
    assert status == 1, out + err
    assert re.search(r"^mdpm \d+\.\d+", out, re.MULTILINE)  # the install step's --version
    assert ("::error file=content/projects/acme/draft.md,line=5,title=mdpm signoff-missing::"
            "`acme/draft` moved `review` → `done` and needs the approval of carol") in out
    assert "#### Required sign-offs" in (runner.temp / "summary.md").read_text()
    venv_bin = runner.temp / "mdpm-venv" / "bin"
    assert (venv_bin / "mdpm").exists()
    assert str(venv_bin) in runner.path_file.read_text().splitlines()


def test_check_passes_with_the_approval(runner):
    status, out, err = runner.run_action({"args": "--base origin/main --approved-by carol,bob"})
    assert status == 0, out + err


def test_build_in_a_working_directory_writes_the_site(runner):
    site = runner.temp / "site out"
    status, out, err = runner.run_action({"command": "build", "args": f"--out '{site}'",
                                          "working-directory": "content/projects"})
    assert status == 0, out + err
    assert (site / "index.html").is_file()
    assert (site / "board" / "index.html").is_file()


def test_a_command_outside_the_allow_list_is_refused(runner):
    status, out, _ = runner.run_action({"command": "serve; touch /tmp/x"})
    assert status == 2
    assert "::error title=mdpm::input 'command' must be check or build" in out


def test_arguments_are_never_run_by_a_shell(runner):
    marker = runner.temp / "pwned"
    status, out, err = runner.run_action({"args": f"--format text $(touch {marker}) `touch {marker}`"})
    assert status == 2  # mdpm refuses the unknown arguments
    assert not marker.exists()
    assert "unrecognized arguments" in err


def test_unbalanced_quotes_and_bad_versions_are_clear_errors(runner):
    status, out, _ = runner.run_action({"args": "--base 'origin/main"})
    assert status == 2 and "input 'args' cannot be split" in out
    status, out, _ = runner.run_action({"version": "1.0; rm -rf /"})
    assert status == 2 and "input 'version' must be" in out


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_scripts_pass_shellcheck(tmp_path):
    workflows = [*(REPO / ".github/workflows").glob("*.yml"),
                 *(REPO / "mdpm/scaffold/workflows").glob("*.yml")]
    scripts = [step["run"] for step in ACTION["runs"]["steps"]]
    for path in workflows:
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            scripts += [s["run"] for s in job.get("steps", []) if "run" in s]
    for number, script in enumerate(scripts):
        file = tmp_path / f"step{number}.sh"
        file.write_text("#!/bin/bash\n" + EXPRESSION.sub("expr", script))
        result = subprocess.run(["shellcheck", "-S", "warning", str(file)], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout
