"""Every rule of `mdpm check`, on real files in a temp repository."""

from __future__ import annotations

import datetime as dt

import pytest

from mdpm import check as check_api
from mdpm.config import load_config_strict
from mdpm.workspace import check, load_portfolio

TODAY = dt.date(2026, 12, 1)
check_module = __import__("mdpm.check", fromlist=["RULES"])


def _problems(repo, write_tree, files, today=TODAY):
    write_tree({f"content/projects/{ref}.md": text for ref, text in files.items()}, root=repo)
    workspace = load_portfolio(load_config_strict(repo))
    return [p.format() for p in check(workspace, today)]


def _task(stage="backlog", owner=None, **extra) -> str:
    lines = ["---", f"stage: {stage}"]
    if owner:
        lines.append(f"owner: {owner}")
    for key, value in extra.items():
        lines.append(f"{key.replace('_', '-')}: {value}")
    return "\n".join(lines) + "\n---\n"


EDITOR = "{editor: carol}"

# One scenario per rule: (files, the problems that rule must report).
SCENARIOS = {
    "wip-stage": ({"a/t1": _task("doing", "alice"), "a/t2": _task("doing", "bob"),
                   "a/t3": _task("doing", "carol")},
                  [f"content/projects/a/t{i}.md:2: error[wip-stage]: stage `doing` holds 3 "
                   "tasks, over its WIP limit of 2; finish one before starting another"
                   for i in (1, 2, 3)]),
    "wip-person": ({"a/t1": _task("doing", "alice"), "a/t2": _task("doing", "alice"),
                    "b/t3": _task("review", "bob", collaborators="{editor: alice}")},
                   [f"content/projects/{ref}.md:{line}: error[wip-person]: alice holds 3 active "
                    "tasks, over their limit of 2 (a/t1, a/t2, b/t3); finish or hand over one "
                    "before taking another" for ref, line in (("a/t1", 3), ("a/t2", 3), ("b/t3", 4))]),
    "dep-missing": ({"a/t1": _task(depends_on="[t2, zz/x, a/t22]"), "a/t2": _task()},
                    ["content/projects/a/t1.md:3: error[dep-missing]: depends on `a/t22`, which "
                     "does not exist; did you mean `a/t2`?",
                     "content/projects/a/t1.md:3: error[dep-missing]: depends on `zz/x`, which "
                     "does not exist; there is no such project"]),
    "dep-cycle": ({"a/t1": _task(depends_on="[t2]"), "a/t2": _task(depends_on="[b/t3]"),
                   "b/t3": _task(depends_on="[a/t1]"), "a/self": _task(depends_on="[self]")},
                  ["content/projects/a/self.md:3: error[dep-cycle]: dependency cycle: a/self -> "
                   "a/self",
                   "content/projects/a/t1.md:3: error[dep-cycle]: dependency cycle: a/t1 -> a/t2 "
                   "-> b/t3 -> a/t1"]),
    "dep-order": ({"a/t1": _task("doing", "alice", depends_on="[t2]"), "a/t2": _task("backlog")},
                  ["content/projects/a/t1.md:2: error[dep-order]: is in `doing` but `a/t2`, which "
                   "it depends on, is still in `backlog`; finish that first or move this back"]),
    "owner-missing": ({"a/t1": _task("doing")},
                      ["content/projects/a/t1.md:2: error[owner-missing]: has no owner but is in "
                       "`doing`; add `owner: HANDLE`"]),
    "owner-many": ({"a/t1": _task("backlog", "[alice, bob]")},
                   ["content/projects/a/t1.md:3: error[owner-many]: has 2 owners (alice, bob); a "
                    "task has exactly one owner: list the others under `collaborators`"]),
    "role-missing": ({"a/t1": _task("review", "alice", collaborators="[bob]")},
                     ["content/projects/a/t1.md:2: error[role-missing]: is in `review`, where the "
                      "`editor` holds the task, but has no collaborator in that role; add "
                      "`editor: HANDLE` under `collaborators`"]),
    "expedite-over": ({"a/t1": _task("doing", "alice", expedite="launch"),
                       "a/t2": _task("doing", "bob", expedite="true")},
                      [f"content/projects/a/t{i}.md:4: error[expedite-over]: 2 expedited tasks in "
                       "progress, over the limit of 1 (a/t1, a/t2)" for i in (1, 2)]),
    "person-unknown": ({"a/t1": _task("backlog", "alicia", collaborators="[zed]"),
                        "a/_index": "---\nowner: zed\n---\n"},
                       ["content/projects/a/_index.md:2: error[person-unknown]: `zed` is not in "
                        "[people] of mdpm.toml; add [people.zed] or fix the handle",
                        "content/projects/a/t1.md:3: error[person-unknown]: `alicia` is not in "
                        "[people] of mdpm.toml; did you mean `alice`?",
                        "content/projects/a/t1.md:4: error[person-unknown]: `zed` is not in "
                        "[people] of mdpm.toml; add [people.zed] or fix the handle"]),
    "stage-unknown": ({"a/t1": _task("doin")},
                      ["content/projects/a/t1.md:2: error[stage-unknown]: stage `doin` is not in "
                       "the workflow (backlog, doing, review, done); did you mean `doing`?"]),
    "overdue": ({"a/t1": _task("doing", "alice", due="2026-11-28"),
                 "a/t2": _task("done", "alice", due="2026-01-01")},
                ["content/projects/a/t1.md:4: warning[overdue]: was due 2026-11-28 (3 days ago) "
                 "and is still in `doing`"]),
}


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_rule_reports_its_problems(small_repo, write_tree, code):
    files, expected = SCENARIOS[code]
    found = _problems(small_repo, write_tree, files)
    assert [p for p in found if f"[{code}]" in p] == expected
    assert [p for p in found if f"[{code}]" not in p] == []


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_without_the_rule_the_problem_is_not_found(small_repo, write_tree, monkeypatch, code):
    files, _ = SCENARIOS[code]
    rule_of = {"wip-stage": "stage_over_limit", "wip-person": "person_over_limit",
               "dep-missing": "dependency_missing", "dep-cycle": "dependency_cycle",
               "dep-order": "dependency_order", "owner-missing": "owner_problems",
               "owner-many": "owner_problems", "role-missing": "role_missing",
               "expedite-over": "expedite_over_limit", "person-unknown": "person_unknown",
               "stage-unknown": "stage_unknown", "overdue": "overdue"}
    rules = tuple(r for r in check_module.RULES if r.__name__ != rule_of[code])
    assert len(rules) == len(check_module.RULES) - 1
    monkeypatch.setattr(check_module, "RULES", rules)
    assert [p for p in _problems(small_repo, write_tree, files) if f"[{code}]" in p] == []


def test_a_clean_repository_has_no_problems(small_repo, write_tree):
    assert _problems(small_repo, write_tree, {
        "a/t1": _task("done", "alice"),
        "a/t2": _task("doing", "alice", depends_on="[t1]", due="2027-01-01"),
        "a/t3": _task("review", "bob", collaborators=EDITOR),
        "b/t4": _task("backlog", depends_on="[a/t2]"),
    }) == []


def test_expedited_tasks_do_not_count_against_the_stage_limit(small_repo, write_tree):
    assert _problems(small_repo, write_tree, {
        "a/t1": _task("doing", "alice"), "a/t2": _task("doing", "bob"),
        "a/t3": _task("doing", "carol", expedite="launch moved up")}) == []


def test_people_are_not_checked_when_none_are_listed(write_tree):
    root = write_tree({"mdpm.toml": "[site]\ntitle = 'x'\n"})
    assert _problems(root, write_tree, {"a/t1": _task("doing", "anyone")}) == []


def test_all_problems_in_one_run_sorted_by_file_and_line(small_repo, write_tree):
    found = _problems(small_repo, write_tree, {
        "b/z": _task("doin", "zed"),
        "a/y": "---\ntitle: [broken\n---\n",
        "a/x": _task("doing", due="2026-02-30", dependson="[y]"),
    })
    assert found == [
        "content/projects/a/x.md:2: error[owner-missing]: has no owner but is in `doing`; add "
        "`owner: HANDLE`",
        "content/projects/a/x.md:3: error[date-invalid]: `due: 2026-02-30` is not a day of the "
        "calendar",
        "content/projects/a/x.md:4: warning[key-unknown]: unknown key `dependson`; did you mean "
        "`depends-on`?",
        "content/projects/a/y.md:2: error[frontmatter]: a list `[` that is not closed by `]` on "
        "this line (YAML: did not find expected ',' or ']')",
        "content/projects/b/z.md:2: error[stage-unknown]: stage `doin` is not in the workflow "
        "(backlog, doing, review, done); did you mean `doing`?",
        "content/projects/b/z.md:3: error[person-unknown]: `zed` is not in [people] of "
        "mdpm.toml; add [people.zed] or fix the handle",
    ]


def test_long_dependency_chain_and_a_long_cycle(small_repo, write_tree):
    count = 3000  # far deeper than Python's recursion limit
    files = {f"a/t{i}": _task(depends_on=f"[t{i + 1}]") for i in range(count)}
    files[f"a/t{count}"] = _task()
    assert _problems(small_repo, write_tree, files) == []
    files[f"a/t{count}"] = _task(depends_on="[t0]")
    found = _problems(small_repo, write_tree, files)
    assert len(found) == 1
    refs = " -> ".join(f"a/t{i}" for i in range(count + 1))
    assert found[0] == (f"content/projects/a/t0.md:3: error[dep-cycle]: dependency cycle: "
                        f"{refs} -> a/t0")


def test_find_cycles_names_each_cycle_once_in_order(small_repo, write_tree):
    write_tree({f"content/projects/{ref}.md": text for ref, text in {
        "a/x": _task(depends_on="[y]"), "a/y": _task(depends_on="[z, x]"),
        "a/z": _task(depends_on="[x]"), "b/p": _task(depends_on="[q]"),
        "b/q": _task(depends_on="[p]")}.items()}, root=small_repo)
    portfolio = load_portfolio(load_config_strict(small_repo)).portfolio
    assert check_module.find_cycles(portfolio) == [["a/x", "a/y"], ["b/p", "b/q"]]


def test_tasks_that_only_lead_to_a_cycle_or_hang_off_one_are_not_on_it(small_repo, write_tree):
    """Tasks are left out of the search for cycles once all they depend on is left out: a
    chain into a cycle, a task that a cycle depends on, and a task depending on itself."""
    write_tree({f"content/projects/{ref}.md": text for ref, text in {
        "a/head": _task(depends_on="[tail]"), "a/tail": _task(depends_on="[x, gone]"),
        "a/x": _task(depends_on="[y, leaf]"), "a/y": _task(depends_on="[x]"),
        "a/leaf": _task(depends_on="[root]"), "a/root": _task(),
        "a/self": _task(depends_on="[self, leaf]"), "a/loner": _task(depends_on="[nowhere]"),
        "b/p": _task(depends_on="[a/head, q]"), "b/q": _task(depends_on="[p]")}.items()},
        root=small_repo)
    portfolio = load_portfolio(load_config_strict(small_repo)).portfolio
    assert check_module.find_cycles(portfolio) == [["a/self"], ["a/x", "a/y"], ["b/p", "b/q"]]


def test_public_check_is_the_workspace_check():
    assert check_api is check
