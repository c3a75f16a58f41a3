"""Shared fixtures: file trees in temp dirs, git repositories with fixed dates, the browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from mdpm import workspace

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO / "mdpm.toml"
CHROMIUM = os.environ.get("MDPM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]

SMALL_CONFIG = """\
[site]
title = "Test team"

[[stage]]
id = "backlog"
type = "queue"

[[stage]]
id = "doing"
type = "active"
wip = 2

[[stage]]
id = "review"
type = "active"
wip = 1
handoff = "editor"
signoff = "editor"

[[stage]]
id = "done"
type = "done"

[limits]
per_person = 2

[people.alice]
name = "Alice Example"

[people.bob]
name = "Bob Example"

[people.carol]
name = "Carol Example"
"""


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run tests marked slow (long benchmarks and big corpora)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8", newline="")
    return root


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Keep every test's caches in a temp folder, never in the user's ~/.cache."""
    if "MDPM_CACHE_DIR" not in os.environ:
        monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path_factory.mktemp("mdpm-cache")))


@pytest.fixture
def write_tree(tmp_path):
    """Write {relative path: text or bytes} under tmp_path (text is dedented); return the root."""

    def write(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        return _write_tree(root or tmp_path, files)

    return write


@pytest.fixture
def small_repo(write_tree):
    """A repository with the small test workflow and no tasks yet; returns its root."""
    return write_tree({"mdpm.toml": SMALL_CONFIG})


class GitRepo:
    """A real git repository in a temp dir whose commits have fixed, increasing dates."""

    def __init__(self, root: Path):
        self.root = root
        self.clock = 1_767_261_600  # 2026-01-01T10:00:00Z
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "user.name", "Test")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict | None = None) -> str:
        full_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
        result = subprocess.run(["git", *args], cwd=self.root, env=full_env, check=True,
                                capture_output=True, text=True)
        return result.stdout.strip()

    def write(self, files: dict[str, str | bytes]) -> None:
        _write_tree(self.root, files)

    def commit(self, message: str, files: dict[str, str | bytes] | None = None, *,
               at: int | None = None, author: str = "Test <test@example.com>") -> str:
        """Write files, stage everything, commit at `at` (or one hour after the last one)."""
        if files:
            self.write(files)
        self.clock = at if at is not None else self.clock + 3600
        date = f"@{self.clock} +0000"
        name, email = author.split(" <")
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message,
                 env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
                      "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">"),
                      "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email.rstrip(">")})
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def git_repo(tmp_path):
    """An empty git repository (main branch) with fixed commit dates."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return GitRepo(tmp_path)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("MDPM_REQUIRE_BROWSER"):
            pytest.fail(f"no chromium at {CHROMIUM}")
        pytest.skip(f"no chromium at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def reads(monkeypatch):
    """The names of the files read from disk (not taken from the load snapshot), in order."""
    counted: list[str] = []
    original = workspace.read_document

    def counting(root, path, project, kind):
        counted.append(os.path.basename(path))
        return original(root, path, project, kind)

    monkeypatch.setattr(workspace, "read_document", counting)
    return counted
