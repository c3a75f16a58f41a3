"""The build runs no code and trusts no data a commit can plant, and deletes only its own files."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from mdpm import cli
from mdpm.cache import cache_dir
from mdpm.write import MARKER
from sitecheck import copy_broken

TASK = "---\ntitle: Draft\nowner: alice\nstage: doing\n---\nBody with `code`\n"


class Planted:
    """A pickle that, when loaded, creates a file: proof that code ran."""

    def __init__(self, proof: Path):
        self.proof = proof

    def __reduce__(self):
        return (Path.touch, (self.proof,))


def test_planted_cache_files_never_run(git_repo, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MDPM_CACHE_DIR", raising=False)
    proof = tmp_path / "code-ran"
    git_repo.commit("add", {"mdpm.toml": '[site]\ntitle = "T"\n[people.alice]\n',
                            "content/projects/p/draft.md": TASK})
    planted = git_repo.root / ".mdpm-cache"
    (planted / "templates").mkdir(parents=True)
    for name in ("markdown.pickle", "drawings.pickle", "pages.pickle"):
        (planted / name).write_bytes(pickle.dumps(Planted(proof)))
    (planted / "markdown.json").write_text('{"version": "x", "entries": {}}')
    for template in ("base.html", "task.html", "overview.html"):
        (planted / "templates" / f"{template}.cache").write_bytes(pickle.dumps(Planted(proof)))
    out = tmp_path / "site"
    for _ in range(2):  # a cold build, then a warm one that reads its own caches
        assert cli.run(["-C", str(git_repo.root), "build", "--out", str(out)]) == 0
    assert not proof.exists()
    assert (out / "projects/p/draft/index.html").is_file()
    where = cache_dir(git_repo.root)
    assert where == (git_repo.root / ".git" / "mdpm-cache").resolve()
    assert (where / "markdown" / "index.json").is_file()
    assert not list(where.rglob("*.pickle")) and not (where / "templates").exists()


def test_cache_dir_choice(tmp_path_factory, tmp_path, monkeypatch, git_repo):
    monkeypatch.setenv("MDPM_CACHE_DIR", str(tmp_path / "ci-cache"))
    assert cache_dir(git_repo.root) == tmp_path / "ci-cache"
    monkeypatch.delenv("MDPM_CACHE_DIR")
    sub = git_repo.root / "team"
    sub.mkdir()
    assert cache_dir(sub) == (git_repo.root / ".git" / "mdpm-cache").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    plain = tmp_path_factory.mktemp("no-git")
    found = cache_dir(plain)
    assert found.parent == tmp_path / "xdg" / "mdpm" and len(found.name) == 16
    assert cache_dir(plain) == found != cache_dir(tmp_path_factory.mktemp("other"))


def _init(tmp_path: Path) -> Path:
    root = copy_broken(tmp_path / "repo")
    (root / "templates" / "case-study").mkdir(parents=True)
    (root / "templates" / "case-study" / "plan.md").write_text("keep me")
    return root


@pytest.mark.parametrize("setup, out", [
    ("symlink-to-templates", "_site"),
    ("marker-in-content", "content"),
    ("marker-in-templates", "templates/case-study"),
    (None, "themes/brand"),
    (None, ".git/site"),
    (None, "."),
    (None, ".."),
])
def test_output_folders_that_overlap_the_repository_are_refused(tmp_path, capsys, setup, out):
    root = _init(tmp_path)
    if setup == "symlink-to-templates":
        (root / "templates" / MARKER).touch()
        (root / "_site").symlink_to("templates")
    elif setup == "marker-in-content":
        (root / "content" / MARKER).touch()
    elif setup == "marker-in-templates":
        (root / "templates" / "case-study" / MARKER).touch()
    before = sorted(p for p in root.rglob("*"))
    assert cli.run(["-C", str(root), "build", "--out", out]) == 2
    err = capsys.readouterr().err
    assert "refusing" in err and "Traceback" not in err
    assert sorted(p for p in root.rglob("*")) == before
    assert (root / "templates" / "case-study" / "plan.md").read_text() == "keep me"


def test_a_spoofed_marker_is_not_a_manifest(tmp_path, capsys):
    root = _init(tmp_path)
    other = tmp_path / "docs"
    other.mkdir()
    (other / "precious.txt").write_text("mine")
    (other / MARKER).write_text("This folder is written by `mdpm build`\n")
    assert cli.run(["-C", str(root), "build", "--out", str(other)]) == 2
    assert "not written by mdpm build" in capsys.readouterr().err
    assert (other / "precious.txt").read_text() == "mine"


def test_only_files_of_the_manifest_are_removed(tmp_path, capsys):
    root = _init(tmp_path)
    out = tmp_path / "site"
    assert cli.run(["-C", str(root), "build", "--out", str(out)]) == 0
    (out / "CNAME").write_text("status.example.org")  # added by hand: not mdpm's to delete
    (root / "content/projects/limits/held-1.md").unlink()
    assert cli.run(["-C", str(root), "build", "--out", str(out)]) == 0
    assert not (out / "projects/limits/held-1/index.html").exists()
    assert (out / "CNAME").read_text() == "status.example.org"


def test_a_symlink_inside_the_site_is_refused(tmp_path, capsys):
    root = _init(tmp_path)
    out = tmp_path / "site"
    assert cli.run(["-C", str(root), "build", "--out", str(out)]) == 0
    os.replace(out / "static", tmp_path / "moved")
    (out / "static").symlink_to(root / "templates")
    assert cli.run(["-C", str(root), "build", "--out", str(out)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (root / "templates" / "case-study" / "plan.md").read_text() == "keep me"


@pytest.mark.parametrize("out", ["/proc/mdpm-site", "/sys/mdpm-site", "/dev/null/site"])
def test_an_unwritable_output_is_a_clear_error(tmp_path, capsys, out):
    root = _init(tmp_path)
    assert cli.run(["-C", str(root), "build", "--out", out]) in (1, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "mdpm: error: " in err and out.split("/")[1] in err


def test_a_read_only_parent_keeps_the_old_site(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root ignores permissions")
    root = _init(tmp_path)
    parent = tmp_path / "ro"
    parent.mkdir()
    out = parent / "site"
    assert cli.run(["-C", str(root), "build", "--out", str(out)]) == 0
    (root / "content/projects/limits/held-1.md").unlink()
    parent.chmod(0o555)
    try:
        assert cli.run(["-C", str(root), "build", "--out", str(out)]) == 1
    finally:
        parent.chmod(0o755)
    assert "cannot write" in capsys.readouterr().err
    assert (out / "projects/limits/held-1/index.html").is_file()


def test_a_theme_runs_in_the_sandbox(tmp_path, capsys):
    root = copy_broken(tmp_path / "repo")
    toml = root / "mdpm.toml"
    toml.write_text(toml.read_text().replace("[site]\n", '[site]\ntheme = "evil"\n', 1))
    proof = tmp_path / "theme-ran-code"
    (root / "themes/evil/templates").mkdir(parents=True)
    (root / "themes/evil/templates/overview.html").write_text(
        "{{ cycler.__init__.__globals__.os.system('touch %s') }}" % proof)
    status = cli.run(["-C", str(root), "build", "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert status == 2 and not proof.exists()
    assert "overview.html" in err and "not allowed in a theme" in err and "Traceback" not in err
