"""The portfolio built from real files: typed fields, holders, references, checklists."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mdpm.config import load_config_strict
from mdpm.errors import sort_problems
from mdpm.model import Collaborator, count_checklist
from mdpm.workspace import load_portfolio

TASK = "content/projects/{}.md"


def _portfolio(small_repo, write_tree, files):
    write_tree({TASK.format(ref): text for ref, text in files.items()}, root=small_repo)
    workspace = load_portfolio(load_config_strict(small_repo))
    return workspace.portfolio, sort_problems(workspace.problems)


def test_fields_are_typed(small_repo, write_tree):
    portfolio, problems = _portfolio(small_repo, write_tree, {"acme/draft": """\
        ---
        title: Draft the case study
        owner: "@Alice"
        collaborators:
          writer: bob
          editor: [carol, alice]
        stage: doing
        depends-on: [interview, other/brand-kit]
        due: 2026-12-15
        priority: High
        estimate: 3
        blocked: waiting for legal
        expedite: true
        tags: [content, 2026]
        created: 2026-11-01
        ---
        Body
        - [x] one
        - [ ] two
        """})
    assert problems == []
    task = portfolio.tasks["acme/draft"]
    assert (task.title, task.owner, task.owners, task.stage) == (
        "Draft the case study", "alice", ("alice",), "doing")
    assert task.collaborators == (Collaborator("bob", "writer"), Collaborator("carol", "editor"),
                                  Collaborator("alice", "editor"))
    assert task.depends_on == ("acme/interview", "other/brand-kit")
    assert (task.due, task.created) == (dt.date(2026, 12, 15), dt.date(2026, 11, 1))
    assert (task.priority, task.estimate, task.blocked, task.expedite) == (
        "high", 3.0, "waiting for legal", "yes")
    assert task.tags == ("content", "2026")
    assert task.checklist == (1, 2)
    assert task.key_lines["depends-on"] == 8 and task.body_line == 17
    assert task.path == "content/projects/acme/draft.md"


def test_defaults(small_repo, write_tree):
    portfolio, problems = _portfolio(small_repo, write_tree, {"acme/plain-task": "---\n---\n"})
    assert problems == []
    task = portfolio.tasks["acme/plain-task"]
    assert (task.title, task.stage, task.priority, task.owner, task.holder) == (
        "Plain task", "backlog", "normal", None, None)


def test_holder_is_the_owner_or_the_handoff_role(small_repo, write_tree):
    portfolio, _ = _portfolio(small_repo, write_tree, {
        "acme/a": "---\nowner: alice\ncollaborators: {editor: carol}\nstage: doing\n---\n",
        "acme/b": "---\nowner: alice\ncollaborators: {editor: carol}\nstage: review\n---\n",
        "acme/c": "---\nowner: alice\ncollaborators: [carol]\nstage: review\n---\n",
    })
    assert portfolio.tasks["acme/a"].holder == "alice"
    assert portfolio.tasks["acme/b"].holder == "carol"
    assert portfolio.tasks["acme/c"].holder is None  # nobody in the role: role-missing says so
    assert [t.ref for t in portfolio.held_by("carol")] == ["acme/b"]


def test_tasks_in_a_stage_in_portfolio_order_and_new_with_a_new_portfolio(small_repo, write_tree):
    portfolio, _ = _portfolio(small_repo, write_tree, {
        "acme/a": "---\nstage: doing\n---\n", "acme/b": "---\n---\n",
        "web/c": "---\nstage: doing\n---\n", "web/d": "---\nstage: nowhere\n---\n",
    })
    doing = portfolio.tasks_in("doing")
    assert [t.ref for t in doing] == ["acme/a", "web/c"]
    doing.clear()  # the caller's own list: the next answer is whole
    assert [t.ref for t in portfolio.tasks_in("doing")] == ["acme/a", "web/c"]
    assert [t.ref for t in portfolio.tasks_in("nowhere")] == ["web/d"]
    assert portfolio.tasks_in("review") == []
    # A portfolio updated while serving is a new one: it never answers from the old tasks.
    moved = dataclasses.replace(portfolio.tasks["acme/b"], stage="doing")
    updated = dataclasses.replace(portfolio, tasks={**portfolio.tasks, "acme/b": moved})
    assert [t.ref for t in updated.tasks_in("doing")] == ["acme/a", "acme/b", "web/c"]
    assert [t.ref for t in portfolio.tasks_in("doing")] == ["acme/a", "web/c"]


def test_references_within_and_across_projects(small_repo, write_tree):
    portfolio, problems = _portfolio(small_repo, write_tree, {
        "acme/a": "---\ndepends-on:\n  - b\n  - web/site\n  - b\n---\n",
        "acme/b": "---\n---\n",
        "web/site": "---\ndepends-on: acme/a, acme/b\n---\n",
    })
    assert problems == []
    assert portfolio.tasks["acme/a"].depends_on == ("acme/b", "web/site")
    assert portfolio.tasks["web/site"].depends_on == ("acme/a", "acme/b")
    assert sorted(t.ref for t in portfolio.dependents("acme/b")) == ["acme/a", "web/site"]
    assert list(portfolio.projects) == ["acme", "web"]


def test_bad_reference_is_reported(small_repo, write_tree):
    _, problems = _portfolio(small_repo, write_tree, {"acme/a": "---\ndepends-on: [a/b/c, Bad Ref]\n---\n"})
    assert [p.format() for p in problems] == [
        "content/projects/acme/a.md:2: error[dep-missing]: `Bad Ref` is not a task reference; "
        "write `task` or `project/task`",
        "content/projects/acme/a.md:2: error[dep-missing]: `a/b/c` is not a task reference; "
        "write `task` or `project/task`",
    ]


def test_wrong_types_for_every_known_key(small_repo, write_tree):
    _, problems = _portfolio(small_repo, write_tree, {"acme/a": """\
        ---
        title: [a]
        owner: {a: b}
        collaborators: 5
        stage: [doing]
        depends-on: {x: y}
        due: [1]
        priority: urgent
        estimate: lots
        blocked: [x]
        expedite: {}
        tags: {a: 1}
        created: true
        ---
        """})
    assert [p.format().split(": ", 1)[1] for p in problems] == [
        "error[frontmatter]: `title` must be text, not a list",
        "error[frontmatter]: `owner` must name a person by handle, not a mapping",
        "error[frontmatter]: `collaborators` must be a list of handles or a mapping role: handle",
        "error[frontmatter]: `stage` must be text, not a list",
        "error[frontmatter]: `depends-on` must be a list of words, like [a, b]",
        "error[date-invalid]: `due` must be a date written YYYY-MM-DD, not a list",
        "error[frontmatter]: priority `urgent` must be one of high, normal, low",
        "error[frontmatter]: `estimate` must be a number of working days, not 'lots'",
        "error[frontmatter]: `blocked` must be text, not a list",
        "error[frontmatter]: `expedite` must be text, not a mapping",
        "error[frontmatter]: `tags` must be a list of words, like [a, b]",
        "error[date-invalid]: `created` must be a date written YYYY-MM-DD, not `true`",
    ]
    assert [p.line for p in problems] == list(range(2, 14))


def test_numbers_and_odd_values_where_handles_are_expected(small_repo, write_tree):
    _, problems = _portfolio(small_repo, write_tree, {
        "acme/a": "---\nowner: 123\ncollaborators: [bob, 7, null, 'x y']\n---\n"})
    assert [p.format().split(": ", 1)[1] for p in problems] == [
        "error[frontmatter]: `owner` must name a person by handle, not a number (123)",
        "error[frontmatter]: `collaborators` must name a person by handle, not a number (7)",
        "error[frontmatter]: `collaborators` must name a person by handle, not an empty value",
        "error[id-invalid]: `x y` in `collaborators` is not a handle (ASCII letters, digits, ., "
        "- and _)",
    ]


def test_dates_are_real_days(small_repo, write_tree):
    _, problems = _portfolio(small_repo, write_tree, {
        "acme/a": "---\ndue: 2026-02-30\ncreated: 2026-1-5\n---\n",
        "acme/b": "---\ndue: 2028-02-29\ncreated: '2026-01-05'\n---\n"})
    assert [p.format() for p in problems] == [
        "content/projects/acme/a.md:2: error[date-invalid]: `due: 2026-02-30` is not a day of "
        "the calendar",
        "content/projects/acme/a.md:3: error[date-invalid]: `created: 2026-1-5` is not a date; "
        "write YYYY-MM-DD",
    ]


def test_unknown_key_is_a_warning_with_a_suggestion(small_repo, write_tree):
    _, problems = _portfolio(small_repo, write_tree, {"acme/a": "---\ndependson: [b]\n---\n"})
    assert [p.format() for p in problems] == [
        "content/projects/acme/a.md:2: warning[key-unknown]: unknown key `dependson`; did you "
        "mean `depends-on`?"]


def test_project_index_and_retro(small_repo, write_tree):
    portfolio, problems = _portfolio(small_repo, write_tree, {
        "acme/_index": "---\ntitle: Acme launch\nowner: bob\ndue: 2026-12-01\n---\nNotes\n",
        "acme/_retro": "What went well\n",
        "acme/a": "---\n---\n"})
    assert problems == []
    project = portfolio.projects["acme"]
    assert (project.title, project.owner, project.due, project.body, project.retro) == (
        "Acme launch", "bob", dt.date(2026, 12, 1), "Notes\n", "What went well\n")
    assert [t.ref for t in project.tasks] == ["acme/a"]


def test_html_in_fields_is_kept_as_text(small_repo, write_tree):
    portfolio, problems = _portfolio(small_repo, write_tree, {
        "acme/a": "---\ntitle: <script>alert(1)</script>\n---\n<img src=x onerror=alert(1)>\n"})
    assert problems == []
    assert portfolio.tasks["acme/a"].title == "<script>alert(1)</script>"


def test_count_checklist_ignores_fenced_code():
    body = "- [x] a\n* [ ] b\n1. [X] c\n```\n- [ ] not counted\n```\n  - [ ] nested\ntext [ ] no\n"
    assert count_checklist(body) == (2, 4)
    assert count_checklist("no boxes") == (0, 0)


_REFERENCE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\]", re.MULTILINE)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["- ", "* ", "+ ", "1. ", "12) ", "  ", "\t", "[ ]", "[x]",
                                 "[X]", "[y]", "text", "\n", "-", "[", "]", "a [ ] b"]),
                max_size=30).map("".join))
def test_count_checklist_matches_the_line_pattern(body):
    marks = _REFERENCE.findall(body)
    assert count_checklist(body) == (sum(m != " " for m in marks), len(marks))


_REFERENCE_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["- ", "1. ", "  ", "[ ]", "[x]", "text", "\n", "```", "~~~",
                                 "``", "\n```\n", "\n~~~py\n"]), max_size=30).map("".join))
def test_count_checklist_skips_fenced_code_as_the_line_patterns_do(body):
    marks = _REFERENCE.findall(_REFERENCE_FENCE.sub("", body))
    assert count_checklist(body) == (sum(m != " " for m in marks), len(marks))
