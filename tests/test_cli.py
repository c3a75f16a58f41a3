"""`mdpm check` end to end, in-process: formats, exit statuses, GitHub annotations and summary."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdpm.cli import run
from mdpm.report import escape_data, escape_property

from conftest import SMALL_CONFIG

BROKEN = {
    "content/projects/acme/a.md": "---\nstage: doin\nowner: zed\n---\n",
    "content/projects/acme/b.md": "---\ntitle: x\ndependson: [a]\n---\n",
}


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("CI", "true")


def _repo(small_repo, write_tree, files):
    write_tree(files, root=small_repo)
    return str(small_repo)


def test_clean_repository_exits_0(small_repo, write_tree, capsys):
    root = _repo(small_repo, write_tree, {"content/projects/acme/a.md": "---\ntitle: A\n---\n"})
    assert run(["-C", root, "check"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "mdpm: 1 tasks checked, no problems\n"


def test_text_format(small_repo, write_tree, capsys):
    root = _repo(small_repo, write_tree, BROKEN)
    assert run(["-C", root, "check"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "content/projects/acme/a.md:2: error[stage-unknown]: stage `doin` is not in the workflow "
        "(backlog, doing, review, done); did you mean `doing`?",
        "content/projects/acme/a.md:3: error[person-unknown]: `zed` is not in [people] of "
        "mdpm.toml; add [people.zed] or fix the handle",
        "content/projects/acme/b.md:3: warning[key-unknown]: unknown key `dependson`; did you "
        "mean `depends-on`?",
    ]
    assert err == "mdpm: 2 tasks checked: 2 errors, 1 warning\n"


def test_warnings_alone_exit_0(small_repo, write_tree, capsys):
    root = _repo(small_repo, write_tree, {"content/projects/acme/b.md": BROKEN["content/projects/acme/b.md"]})
    assert run(["-C", root, "check"]) == 0


def test_json_format(small_repo, write_tree, capsys):
    root = _repo(small_repo, write_tree, BROKEN)
    assert run(["-C", root, "check", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(d["path"], d["line"], d["code"], d["severity"]) for d in data] == [
        ("content/projects/acme/a.md", 2, "stage-unknown", "error"),
        ("content/projects/acme/a.md", 3, "person-unknown", "error"),
        ("content/projects/acme/b.md", 3, "key-unknown", "warning"),
    ]
    assert set(data[0]) == {"code", "severity", "path", "line", "message"}


def test_github_format_annotations_and_summary(small_repo, write_tree, capsys, tmp_path,
                                               monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    root = _repo(small_repo, write_tree, BROKEN)
    assert run(["-C", root, "check", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert ("::error file=content/projects/acme/a.md,line=2,title=mdpm stage-unknown::stage "
            "`doin` is not in the workflow (backlog, doing, review, done); did you mean `doing`?"
            in out.splitlines())
    assert ("::warning file=content/projects/acme/b.md,line=3,title=mdpm key-unknown::unknown "
            "key `dependson`; did you mean `depends-on`?" in out.splitlines())
    text = summary.read_text()
    assert text.startswith("previous step\n## mdpm check: Test team\n")
    assert "**2 errors, 1 warning**" in text
    assert "| `content/projects/acme/a.md:3` | error | `person-unknown` | `zed` is not in " \
           "[people] of mdpm.toml; add [people.zed] or fix the handle |" in text


def test_github_annotations_stop_at_ten_per_severity_and_the_summary_has_all(
        small_repo, write_tree, capsys, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    files = {f"content/projects/acme/t{i:02d}.md": "---\nstage: nope\nowner: zed\ndue: 2026-01-01\n"
             "colour: red\n---\n" for i in range(8)}
    root = _repo(small_repo, write_tree, files)
    assert run(["-C", root, "check", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[-1] == ("::notice title=mdpm::12 more problems (32 in all) are listed in the "
                         "job summary and the log above")
    assert sum(line.startswith("content/projects/") for line in lines) == 32
    table_rows = [line for line in summary.read_text().splitlines() if line.startswith("| `")]
    assert len(table_rows) == 32


def test_github_summary_not_written_without_the_variable(small_repo, write_tree, capsys, tmp_path):
    root = _repo(small_repo, write_tree, BROKEN)
    assert run(["-C", root, "check", "--format", "github"]) == 1
    assert list(tmp_path.glob("**/*summary*")) == []


def test_annotation_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_escapes_odd_paths_and_messages(write_tree, capsys):
    root = write_tree({"mdpm.toml": SMALL_CONFIG,
                       "content/projects/acme/a,b:c.md": "---\nstage: 100%\n---\n"})
    assert run(["-C", str(root), "check", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "::error file=content/projects/acme/a%2Cb%3Ac.md,line=1,title=mdpm id-invalid::" in out
    assert "title=mdpm stage-unknown::stage `100%25` is not in the workflow" in out


def test_markdown_format(small_repo, write_tree, capsys):
    root = _repo(small_repo, write_tree, BROKEN)
    assert run(["-C", root, "check", "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("## mdpm check: Test team\n\n**2 errors, 1 warning**\n")


def test_usage_errors_exit_2(small_repo, tmp_path, capsys):
    assert run(["-C", str(tmp_path / "missing"), "check"]) == 2
    assert capsys.readouterr().err == f"mdpm: error: -C {tmp_path / 'missing'}: no such folder\n"
    with pytest.raises(SystemExit) as info:
        run(["-C", str(small_repo), "check", "--format", "xml"])
    assert info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_no_content_folder_and_empty_projects(small_repo, capsys):
    assert run(["-C", str(small_repo), "check"]) == 0
    (small_repo / "content/projects/empty").mkdir(parents=True)
    assert run(["-C", str(small_repo), "check"]) == 0
    assert capsys.readouterr().err.count("mdpm: 0 tasks checked, no problems") == 2


def test_runs_from_a_subfolder(small_repo, write_tree, monkeypatch, capsys):
    _repo(small_repo, write_tree, BROKEN)
    monkeypatch.chdir(small_repo / "content/projects/acme")
    assert run(["check"]) == 1
    assert "content/projects/acme/a.md:2: error[stage-unknown]" in capsys.readouterr().out


def test_parse_cache_gives_the_same_answer(small_repo, write_tree, capsys, monkeypatch):
    monkeypatch.delenv("CI")
    cache = small_repo.with_name(small_repo.name + "-cache")
    monkeypatch.setenv("MDPM_CACHE_DIR", str(cache))
    root = _repo(small_repo, write_tree, {**BROKEN, "content/projects/acme/c.md": "no fence\n"})
    for path in small_repo.rglob("*.md"):  # old enough to be cached
        import os
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert run(["-C", root, "check", "--format", "json"]) == 1
    first = capsys.readouterr().out
    assert len(list(cache.glob("load-*.json"))) == 1
    assert not (small_repo / ".mdpm-cache").exists()
    assert run(["-C", root, "check", "--format", "json"]) == 1
    assert capsys.readouterr().out == first
    (small_repo / "content/projects/acme/a.md").write_text("---\nstage: doing\nowner: alice\n---\n")
    assert run(["-C", root, "check", "--format", "json"]) == 1
    assert "stage-unknown" not in capsys.readouterr().out


def test_a_crafted_cache_is_only_data(small_repo, write_tree, capsys, monkeypatch):
    monkeypatch.delenv("CI")
    root = _repo(small_repo, write_tree, BROKEN)
    cache = small_repo.with_name(small_repo.name + "-cache")
    monkeypatch.setenv("MDPM_CACHE_DIR", str(cache))
    assert run(["-C", root, "check"]) == 1
    (file,) = cache.glob("load-*.json")
    file.write_text('{"header": [1], "entries": 5}')
    assert run(["-C", root, "check"]) == 1
    file.write_bytes(b"\x80garbage")
    assert run(["-C", root, "check"]) == 1


_FRONT_MATTER_TEXT = st.lists(
    st.sampled_from(list("abcdefgho:-[]{},#'\"|>&*!%@` \n\t\\0123456789.~") +
                    ["stage: ", "owner: ", "depends-on: ", "due: ", "title: ", "collaborators:\n  ",
                     "\n- ", "2026-02-30", "\u00e9", "\ufeff", "\x00", "\r", "---", "\udc80"]),
    max_size=60).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_FRONT_MATTER_TEXT)
def test_random_front_matter_never_raises(small_repo, text):
    task = small_repo / "content/projects/acme/task.md"
    task.parent.mkdir(parents=True, exist_ok=True)
    task.write_bytes(("---\n" + text + "\n---\nbody\n").encode("utf-8", "surrogatepass"))
    (small_repo / "content/projects/acme/other.md").write_text(textwrap.dedent("""\
        ---
        depends-on: [task]
        ---
        """))
    status = run(["-C", str(small_repo), "check", "--format", "json"])
    assert status in (0, 1)


def test_summary_is_cut_to_fit_the_limit():
    from mdpm.errors import Problem
    from mdpm.report import summary_markdown

    problems = [Problem(f"content/projects/a/t{i}.md", 2, "overdue", "warning", "x" * 100)
                for i in range(100)]
    text = summary_markdown(problems, "T", limit=3000)
    assert len(text.encode()) <= 3000
    assert text.rstrip().endswith("more: the job log lists every problem.")
    assert len(summary_markdown(problems, "T").splitlines()) == 6 + 100


def test_unwritable_summary_is_a_warning(small_repo, write_tree, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-folder" / "summary.md"))
    root = _repo(small_repo, write_tree, BROKEN)
    assert run(["-C", root, "check", "--format", "github"]) == 1
    err = capsys.readouterr().err
    assert "mdpm: warning: cannot write the job summary to " in err
    assert "No such file or directory" in err


def test_check_leaves_quickly_with_all_its_output_and_its_status(capsys):
    """`mdpm check` exits without tearing its objects down; nothing printed may be lost."""
    import subprocess
    import sys
    from pathlib import Path

    broken = Path(__file__).parent / "fixtures" / "broken"
    assert run(["-C", str(broken), "check", "--format", "json"]) == 1
    expected = json.loads(capsys.readouterr().out)
    done = subprocess.run([sys.executable, "-m", "mdpm", "-C", str(broken), "check",
                           "--format", "json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert json.loads(done.stdout) == expected and len(expected) > 30
