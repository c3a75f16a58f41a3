"""The example repository, the case-study playbook and the fixture that breaks every rule."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from mdpm import cli
from mdpm.check import check as run_rules
from mdpm.check import find_cycles
from mdpm.config import ID_RE, load_config
from mdpm.load import load_documents, read_document
from mdpm.model import build_model
from mdpm.workspace import check, open_workspace

REPO = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"
PLAYBOOK = REPO / "templates" / "case-study"
CASE_STUDY = "acme-case-study"
NOV_25_2026_NOON = "1795608000"  # the day the example content describes

# Every problem the broken fixture must produce, with its exact line.
EXPECTED = {
    ("deps/cycle-a.md", 4, "dep-cycle"),
    ("deps/missing.md", 5, "dep-missing"),
    ("deps/order-second.md", 4, "dep-order"),
    ("format/bad-day.md", 4, "date-invalid"),
    ("format/duplicate-key.md", 4, "frontmatter"),
    ("format/estimate-type.md", 4, "frontmatter"),
    ("format/latin1.md", 2, "encoding"),
    ("format/no-front-matter.md", 1, "frontmatter"),
    ("format/not-a-mapping.md", 2, "frontmatter"),
    ("format/overdue.md", 5, "overdue"),
    ("format/tab.md", 4, "frontmatter"),
    ("format/unknown-key.md", 4, "key-unknown"),
    ("format/unterminated.md", 1, "frontmatter"),
    ("format/vague-date.md", 4, "date-invalid"),
    ("ids/Bad Name.md", 1, "id-invalid"),
    ("ids/Report.md", 1, "id-invalid"),
    ("ids/report.md", 1, "id-duplicate"),
    ("limits/doing-a.md", 4, "wip-stage"),
    ("limits/doing-b.md", 4, "wip-stage"),
    ("limits/doing-c.md", 4, "wip-stage"),
    ("limits/expedite-1.md", 5, "expedite-over"),
    ("limits/expedite-2.md", 5, "expedite-over"),
    ("limits/held-1.md", 3, "wip-person"),
    ("limits/held-2.md", 3, "wip-person"),
    ("limits/held-3.md", 3, "wip-person"),
    ("limits/review-no-editor.md", 5, "role-missing"),
    ("people/bad-handle.md", 3, "id-invalid"),
    ("people/bad-handle.md", 4, "id-invalid"),
    ("people/no-owner.md", 3, "owner-missing"),
    ("people/stranger.md", 3, "person-unknown"),
    ("people/stranger.md", 4, "person-unknown"),
    ("people/two-owners.md", 3, "owner-many"),
    ("stages/unknown-stage.md", 4, "stage-unknown"),
}
# Reported, but the line is open to debate: the unclosed `[` is on line 3, the parser notices
# on line 4; a project owner has no key lines in the model yet (line 1 today, 3 would be exact).
LOOSE = {
    ("format/invalid-yaml.md", "frontmatter"): {3, 4},
    ("people/_index.md", "person-unknown"): {1, 3},
}
EVERY_CODE = {
    "wip-stage", "wip-person", "dep-missing", "dep-cycle", "dep-order", "owner-missing",
    "owner-many", "role-missing", "expedite-over", "person-unknown", "stage-unknown",
    "frontmatter", "id-invalid", "id-duplicate", "date-invalid", "key-unknown", "overdue",
    "encoding",
}
VALID_FILES = ("format/bom-crlf.md", "format/injection.md")


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of the broken fixture, checked as of a fixed day."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV_25_2026_NOON)
    return shutil.copytree(BROKEN, tmp_path / "broken")


def _check_json(root: Path, capsys) -> tuple[int, list[dict]]:
    status = cli.run(["-C", str(root), "check", "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def _short(path: str) -> str:
    return path.removeprefix("content/projects/")


# The example repository

def test_example_passes_check(capsys):
    assert cli.run(["-C", str(REPO), "check"]) == 0
    assert "error[" not in capsys.readouterr().out


def test_example_shows_one_overdue_warning_on_its_day(monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV_25_2026_NOON)
    status, problems = _check_json(REPO, capsys)
    assert status == 0
    assert [(p["code"], _short(p["path"])) for p in problems] == [
        ("overdue", f"{CASE_STUDY}/legal-logo-approval.md")]


def test_case_study_has_29_tasks_with_one_owner_each():
    portfolio = open_workspace(REPO).portfolio
    tasks = portfolio.projects[CASE_STUDY].tasks
    assert len(tasks) == 29
    for task in tasks:
        assert len(task.owners) == 1 and task.owner, task.ref
        assert task.owner in portfolio.config.people, task.ref
        assert task.collaborators and all(c.role for c in task.collaborators), task.ref


def test_case_study_is_mid_flight():
    portfolio = open_workspace(REPO).portfolio
    tasks = portfolio.projects[CASE_STUDY].tasks
    stages = {t.stage for t in tasks}
    assert {"backlog", "ready", "doing", "review", "done"} <= stages
    assert all(t.collaborator("manager") for t in tasks if t.stage == "review")
    assert [t.id for t in tasks if t.blocked] == ["legal-logo-approval"]
    for task in portfolio.tasks.values():
        if task.stage == "ready":  # ready means nothing it waits for is left
            assert all(portfolio.is_done(portfolio.tasks[r]) for r in task.depends_on), task.ref
    for task in tasks:
        for ref in task.depends_on:
            needed = portfolio.tasks[ref]
            assert task.due and needed.due and needed.due <= task.due, (task.ref, ref)
        if task.stage == "done":
            assert task.checklist[0] == task.checklist[1] > 0, task.ref


def test_example_has_a_finished_project_with_retro_notes():
    portfolio = open_workspace(REPO).portfolio
    finished = [p for p in portfolio.projects.values()
                if p.tasks and all(portfolio.is_done(t) for t in p.tasks)]
    assert finished and all(p.retro.strip() for p in finished)
    assert any("late" in p.retro for p in finished)


# The fixture that breaks every rule

def test_broken_fixture_reports_every_rule_at_its_line(broken, capsys):
    status, problems = _check_json(broken, capsys)
    assert status == 1
    found = {(_short(p["path"]), p["line"], p["code"]) for p in problems}
    assert EXPECTED <= found, sorted(EXPECTED - found)
    extra = found - EXPECTED
    assert {(path, code) for path, _, code in extra} == set(LOOSE), sorted(extra)
    for path, line, code in extra:
        assert line in LOOSE[(path, code)], (path, line, code)
    assert {p["code"] for p in problems} == EVERY_CODE
    assert len(problems) == len(found), "a problem is reported twice"


def test_broken_fixture_names_the_cycle_in_order(broken, capsys):
    _, problems = _check_json(broken, capsys)
    cycles = [p["message"] for p in problems if p["code"] == "dep-cycle"]
    assert cycles == ["dependency cycle: deps/cycle-a -> deps/cycle-b -> deps/cycle-c "
                      "-> deps/cycle-a"]


def test_broken_fixture_reads_bom_crlf_and_html_as_plain_values(broken):
    workspace = open_workspace(broken)
    problems = check(workspace, dt.date(2026, 11, 25))
    assert not [p for p in problems if _short(p.path) in VALID_FILES]
    tasks = workspace.portfolio.tasks
    windows = tasks["format/bom-crlf"]
    assert (windows.title, windows.owner, windows.tags) == ("Saved by a Windows editor", "carol",
                                                            ("windows",))
    assert windows.checklist == (1, 2)
    script = tasks["format/injection"]
    assert script.title == "<script>alert(1)</script>"
    assert "onerror=alert(1)" in script.body and "javascript:alert(1)" in script.body


def test_broken_fixture_text_output_is_sorted_and_matches_json(broken, capsys):
    status = cli.run(["-C", str(broken), "check"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    _, problems = _check_json(broken, capsys)
    assert lines == [f"{p['path']}:{p['line']}: {p['severity']}[{p['code']}]: {p['message']}"
                     for p in problems]
    keys = [(p["path"], p["line"]) for p in problems]
    assert keys == sorted(keys)


def test_broken_fixture_latin1_file_is_bytes_not_utf8():
    data = (BROKEN / "content/projects/format/latin1.md").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert (BROKEN / "content/projects/format/bom-crlf.md").read_bytes().startswith(
        b"\xef\xbb\xbf---\r\n")


# The case-study playbook

def _playbook_roles() -> dict:
    doc, problems = read_document(PLAYBOOK.parent, PLAYBOOK / "_index.md", "case-study", "index")
    assert not problems
    assert doc.meta["title"] == "Client case study"
    return doc.meta["roles"]


def _playbook_as_repo(tmp_path: Path, roles: dict) -> Path:
    """Copy the playbook into a repository whose people are the playbook's roles."""
    root = tmp_path / "playbook"
    shutil.copytree(PLAYBOOK, root / "content" / "projects" / "case-study")
    people = "".join(f'\n[people.{role}]\nname = "{role}"\n' for role in roles)
    (root / "mdpm.toml").write_text('[[stage]]\nid = "backlog"\ntype = "queue"\n\n'
                                    '[[stage]]\nid = "done"\ntype = "done"\n' + people)
    return root


def test_playbook_roles_are_the_brief_roles():
    roles = _playbook_roles()
    assert set(roles) == {"associate", "writer", "manager", "designer", "web", "social"}
    assert all(isinstance(text, str) and text.strip() for text in roles.values())


def test_playbook_tasks_use_roles_and_form_a_dag(tmp_path):
    roles = _playbook_roles()
    root = _playbook_as_repo(tmp_path, roles)
    config, config_problems = load_config(root)
    assert not config_problems
    docs, load_problems = load_documents(root)
    portfolio, model_problems = build_model(docs, config)
    problems = [*load_problems, *model_problems, *run_rules(portfolio, dt.date(2026, 1, 1))]
    # `roles` is a template-only key; everything else must be clean, including
    # person-unknown (owners and collaborators are roles) and dep-missing / dep-cycle.
    assert [(p.path, p.code) for p in problems] == [
        ("content/projects/case-study/_index.md", "key-unknown")]
    assert find_cycles(portfolio) == []
    tasks = [d for d in docs if d.kind == "task"]
    assert len(tasks) == 29
    for doc in tasks:
        assert ID_RE.match(doc.stem), doc.stem
        assert not {"stage", "due"} & set(doc.meta), doc.stem
        assert doc.meta["owner"] in roles, doc.stem
        collaborators = doc.meta.get("collaborators", {})
        assert isinstance(collaborators, dict), doc.stem
        assert all(r in roles and h in roles for r, h in collaborators.items()), doc.stem
        estimate = doc.meta["estimate"]
        assert isinstance(estimate, (int, float)) and estimate > 0, doc.stem
        assert portfolio.tasks[doc.ref].checklist[1] > 0, doc.stem


def test_example_case_study_follows_the_playbook():
    portfolio = open_workspace(REPO).portfolio
    project = portfolio.projects[CASE_STUDY]
    handles = {c.role: c.handle for c in portfolio.tasks[f"{CASE_STUDY}/retro"].collaborators}
    handles["associate"] = project.owner
    for path in sorted(PLAYBOOK.glob("[!_]*.md")):
        doc, _ = read_document(PLAYBOOK.parent, path, "case-study", "task")
        task = portfolio.tasks[f"{CASE_STUDY}/{path.stem}"]
        assert task.owner == handles[doc.meta["owner"]], task.ref
        assert task.depends_on == tuple(f"{CASE_STUDY}/{d}" for d in doc.meta.get("depends-on", []))
        assert {c.role: c.handle for c in task.collaborators} == {
            role: handles[who] for role, who in doc.meta.get("collaborators", {}).items()}


def test_playbook_makes_a_project_that_passes_check(tmp_path, capsys):
    root = tmp_path / "team"
    root.mkdir()
    shutil.copy(REPO / "mdpm.toml", root / "mdpm.toml")
    shutil.copytree(PLAYBOOK, root / "templates" / "case-study")
    people = ["associate=ana", "writer=ben", "manager=carla", "designer=dev", "web=eli",
              "social=fay"]
    sets = [arg for pair in people for arg in ("--set", pair)]
    assert cli.run(["-C", str(root), "new", "project", "beta-case-study", "--template",
                    "case-study", *sets, "--start", "2027-01-04"]) == 0
    assert cli.run(["-C", str(root), "check"]) == 0
    tasks = open_workspace(root).portfolio.projects["beta-case-study"].tasks
    assert len(tasks) == 29
    assert {t.owner for t in tasks} == {"ana", "ben", "carla", "dev", "eli", "fay"}
    assert all(t.due and t.due >= dt.date(2027, 1, 4) for t in tasks)
