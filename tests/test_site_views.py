"""The view models of the site, against the plain rules they are computed from.

`build_site` works out many fields in one pass over the tasks (links shared between views,
per-project problem lists, board lists, the flow figures of each task); each test here
recomputes a field the slow, obvious way and compares.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdpm import metrics, schedule
from mdpm import site as site_module
from mdpm.history import History, Transition
from mdpm.review import counted_in, is_blocked, waiting_on
from mdpm.errors import Problem
from mdpm.site import Link, ProblemView, Step, TaskView, build_site, values_key, view_values
from mdpm.workspace import check, open_workspace

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)
CONFIG = """\
[site]
title = "Team"

[[stage]]
id = "backlog"
type = "queue"

[[stage]]
id = "ready"
type = "queue"

[[stage]]
id = "doing"
type = "active"
wip = 2

[[stage]]
id = "review"
type = "active"
handoff = "editor"

[[stage]]
id = "done"
type = "done"

[people.ann]
wip = 1
[people.bob]
[people.cat]
"""


def task(title: str, stage: str, owner: str = "ann", **fields) -> str:
    extra = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\nowner: {owner}\nstage: {stage}\n{extra}---\nBody of {title}.\n"


FILES = {
    "mdpm.toml": CONFIG,
    "content/projects/p/_index.md": "---\ntitle: Pea\n---\n",
    "content/projects/p/a.md": task("Alpha", "doing", due="2026-11-01"),
    "content/projects/p/b.md": task("Bravo", "ready", depends_on="[a, q/x, gone]",
                                    due="2026-12-01", estimate=2.5),
    "content/projects/p/c.md": task("Charlie", "backlog", depends_on="[a]"),
    "content/projects/p/d.md": task("Delta", "review", owner="bob",
                                    collaborators="{editor: cat, writer: ann}",
                                    depends_on="[b]"),
    "content/projects/p/e.md": task("Echo", "done", due="2026-10-01", depends_on="[a, b]"),
    "content/projects/p/f.md": task("Foxtrot", "doing", expedite="true", blocked="parts"),
    "content/projects/p/g.md": task("Golf", "doign", owner="cat"),
    "content/projects/q/x.md": task("X-ray", "done", owner="bob", due="2026-11-20"),
    "content/projects/q/y.md": task("Yankee", "doing", owner="[bob, cat]",
                                    depends_on="[x, p/a]", due="2026-11-27"),
    "content/projects/q/z.md": task("Zulu", "ready", owner="dan", depends_on="[y]",
                                    tags="[one, two]", created="2026-01-02"),
}
DAY = dt.timedelta(days=1)
HISTORY = History({
    "p/a": [Transition("backlog", NOW - 20 * DAY, "c1", "ann"),
            Transition("doing", NOW - 9.5 * DAY, "c2", "ann")],
    "p/b": [Transition("backlog", NOW - 20 * DAY, "c1", "ann")],  # as p/c: added together
    "p/c": [Transition("backlog", NOW - 20 * DAY, "c1", "ann")],
    "p/e": [Transition("ready", NOW - 30 * DAY, "c1", "ann"),
            Transition("doing", NOW - 25 * DAY, "c3", "bob"),
            Transition("done", NOW - 2 * DAY, "c4", "bob")],
    "q/x": [Transition("done", dt.datetime(2026, 5, 1, 23, 30, 5, 999,
                                           tzinfo=dt.timezone(dt.timedelta(hours=-5))),
                       "c5", "cat")],
    "q/y": [Transition("doing", NOW - 3 * DAY, "c6"), Transition("done", NOW - DAY, "c7"),
            Transition("doing", NOW - DAY / 2, "c8")],
}, status="complete", message="")


@pytest.fixture
def site(write_tree, tmp_path):
    workspace = open_workspace(write_tree(FILES, tmp_path / "repo"))
    return build_site(workspace, check(workspace, NOW.date()), HISTORY, NOW), workspace


def test_links_waiting_and_blocked_follow_the_review_rules(site):
    site, workspace = site
    portfolio = workspace.portfolio
    for ref, view in site.tasks.items():
        task = portfolio.tasks[ref]
        assert [link.ref for link in view.depends_on] == list(task.depends_on)
        assert [link.ref for link in view.needed_by] == sorted(
            t.ref for t in portfolio.tasks.values() if ref in t.depends_on)
        for link in view.depends_on + view.needed_by:
            other = portfolio.tasks.get(link.ref)
            assert link.url == (f"projects/{link.ref}/index.html" if other else None)
            assert link.title == (other.title if other else link.ref)
            assert link.done == bool(other and portfolio.is_done(other))
        assert view.waiting_on == waiting_on(portfolio, task)
        assert view.is_blocked == is_blocked(portfolio, task)
    assert site.tasks["p/b"].waiting_on == ("p/a", "p/gone")
    assert [(link.ref, link.stage) for link in site.tasks["p/b"].depends_on] == \
        [("p/a", "Doing"), ("q/x", "Done"), ("p/gone", "missing")]
    assert [link.ref for link in site.tasks["p/a"].needed_by] == ["p/b", "p/c", "p/e", "q/y"]
    assert [r for r, v in site.tasks.items() if v.is_blocked] == ["p/b", "p/d", "p/f", "q/y",
                                                                  "q/z"]


def test_flow_figures_are_those_of_the_metrics(site):
    site, workspace = site
    config = workspace.portfolio.config
    for ref, view in site.tasks.items():
        moves = HISTORY.of(ref)
        assert view.done_date_unknown == (view.done and bool(moves)
                                          and metrics.done_date_unknown(moves, config))
        assert view.days_in_stage == (None if view.done or not moves else
                                      metrics.days_in_current_stage(moves, NOW, config=config))
        assert view.cycle_days == (metrics.cycle_days(moves, config) if moves else None)
    assert site.tasks["p/a"].days_in_stage == 9
    assert site.tasks["p/e"].cycle_days == 23.0
    assert site.tasks["q/x"].done_date_unknown


def test_task_flow_matches_its_four_figures(site):
    config = site[1].portfolio.config
    kinds = metrics.stage_kinds(config)
    assert kinds == (frozenset({"doing", "review"}), frozenset({"done"}))
    stages = ["backlog", "doing", "review", "done", "gone"]
    for count in range(5):
        for path in itertools.product(stages, repeat=count):
            moves = [Transition(s, NOW - (count - i) * 1.7 * DAY, str(i))
                     for i, s in enumerate(path)]
            expected = (metrics.finished_at(moves, config),
                        metrics.done_date_unknown(moves, config),
                        metrics.days_in_current_stage(moves, NOW, config=config),
                        metrics.cycle_days(moves, config))
            assert metrics.task_flow(moves, config, NOW) == expected, path
            assert metrics.task_flow(moves, config, NOW, kinds) == expected, path


def test_history_steps_are_utc_seconds(site):
    site, _ = site
    steps = site.tasks["q/x"].history
    assert [(s.stage, s.stage_title, s.at, s.day, s.commit, s.author) for s in steps] == \
        [("done", "Done", "2026-05-02T04:30:05Z", "2026-05-02", "c5", "cat")]
    for ref, view in site.tasks.items():
        for step, move in zip(view.history, HISTORY.of(ref), strict=True):
            at = move.at.astimezone(dt.timezone.utc)
            assert step.at == at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
            assert step.day == at.date().isoformat()


def test_people_projects_and_stages_count_what_they_show(site):
    site, workspace = site
    portfolio = workspace.portfolio
    tasks = site.tasks
    for person in site.people:
        h = person.handle
        assert person.holds == [r for r, t in tasks.items()
                                if t.holder == h and t.active and not t.done]
        assert person.owns == [r for r, t in tasks.items() if h in t.owners and not t.done]
        assert person.collaborates == [(r, role) for r, t in tasks.items() if not t.done
                                       for who, role in t.collaborators if who == h]
        assert person.done == sum(1 for t in tasks.values() if t.done and h in t.people)
    assert [p.handle for p in site.people] == ["ann", "bob", "cat", "dan"] == portfolio.handles()
    for project in site.projects:
        views = [tasks[r] for r in project.refs]
        assert sorted(project.refs) == sorted(t.ref for t in portfolio.projects[project.id].tasks)
        assert [(s.id, n) for s, n in project.stage_counts] == \
            [(s.id, sum(1 for t in views if t.stage == s.id)) for s in site.stages]
        assert (project.done, project.total, project.blocked, project.overdue) == (
            sum(t.done for t in views), len(views), sum(t.is_blocked for t in views),
            sum(t.overdue_days is not None for t in views))
        folder = f"content/projects/{project.id}/"
        assert project.problems == [p for p in site.problems if p.problem.path.startswith(folder)]
        assert project.timeline == sorted((t.ref for t in views if t.due),
                                          key=lambda r: (tasks[r].due, r))
    assert {"dep-missing", "stage-unknown"} <= {p.code for p in site.project("p").problems}
    assert "person-unknown" in {p.code for p in site.project("q").problems}  # dan
    for stage in site.stages:
        assert stage.count == len(counted_in(portfolio, stage.id))
        assert sorted(stage.refs + stage.expedited) == sorted(
            t.ref for t in portfolio.tasks_in(stage.id))


def test_filtered_boards_keep_the_order_of_the_whole_board(site):
    site, _ = site
    whole, *filtered = site.boards
    assert whole.unplaced == ["p/g"]
    for board in filtered:
        def on_board(ref):
            task = site.tasks[ref]
            if board.kind == "project":
                return task.project == board.key
            return board.key in {*task.people, task.holder}

        assert [c.refs for c in board.columns] == \
            [[r for r in c.refs if on_board(r)] for c in whole.columns]
        assert board.expedited == [r for r in whole.expedited if on_board(r)]
        assert board.unplaced == [r for r in whole.unplaced if on_board(r)]
    cat = next(b for b in filtered if b.key == "cat")
    assert [r for c in cat.columns for r in c.refs] == ["q/y", "p/d"]  # holds Delta in review
    assert cat.unplaced == ["p/g"]


def test_drawing_key_follows_what_a_drawing_shows(write_tree, tmp_path):
    def keys(files):
        root = write_tree(files, tmp_path / "repo")
        workspace = open_workspace(root)
        site = build_site(workspace, check(workspace, NOW.date()), HISTORY, NOW)
        return {p.id: p.drawing_key for p in site.projects}

    before = keys(FILES)
    assert keys(FILES) == before  # the same content: the same keys
    body_only = dict(FILES)
    body_only["content/projects/p/a.md"] = FILES["content/projects/p/a.md"] + "More.\n"
    assert keys(body_only) == before
    for path, text in [
            ("content/projects/p/a.md", task("Alpha", "doing", due="2026-11-02")),
            ("content/projects/p/b.md", task("Bravo", "ready", depends_on="[a, q/x, gone]",
                                             due="2026-12-01", estimate=3)),
            ("content/projects/p/d.md", task("Delta", "review", owner="bob",
                                             collaborators="{editor: ann, writer: cat}",
                                             depends_on="[b]")),
            ("content/projects/q/x.md", task("X-ray!", "done", owner="bob",
                                             due="2026-11-20"))]:
        changed = keys({**FILES, path: text})
        assert changed["p"] != before["p"], path  # q/x: Bravo depends on it
        (tmp_path / "repo" / path).write_text(FILES[path])


def _other(value):
    """A value of the same kind as `value`, but different."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "!"
    if isinstance(value, tuple):
        return (*value, ("x", None)) if value and isinstance(value[0], tuple) else (*value, "x")
    return "x" if value is None else None


NESTED_ADDITIONS = {
    "depends_on": Link("p/zz", "Zed", None, "missing", False),
    "needed_by": Link("p/zz", "Zed", "projects/p/zz/index.html", "Ready", False),
    "history": Step("done", "Done", "2026-01-02T03:04:05Z", "2026-01-02", "c9", "ann"),
    "problems": ProblemView(Problem("x.md", 3, "due-invalid", "error", "no"), None),
}


def test_view_values_change_with_every_field_of_a_task_view(site):
    """The build keys pages by `view_values`: a field left out would leave a page stale."""
    views, _ = site
    for view in views.tasks.values():
        before = values_key(view_values(view))
        assert values_key(view_values(dataclasses.replace(view))) == before  # equal, not same
        for field in dataclasses.fields(TaskView):
            value = getattr(view, field.name)
            if field.name in NESTED_ADDITIONS:
                changed = [*value, NESTED_ADDITIONS[field.name]]
            else:
                changed = _other(value)
            assert values_key(view_values(dataclasses.replace(view, **{field.name: changed}))) \
                != before, (view.ref, field.name)


def test_values_key_follows_values_not_objects():
    """Equal values give equal keys, whether their objects are shared, interned or not."""
    import sys

    word = "".join(["sta", "ge"])  # not interned
    shared = ("x", 2.5)
    one = [sys.intern("stage"), shared, shared, {"a": [1.25, None, True]}, 2.5, -1]
    other = [word, ("x", 2.5), tuple(["x", 2.5]), {"a": [1.25, None, True]}, 5 / 2, -1]
    assert one == other and values_key(one) == values_key(other)
    assert values_key([2.5]) != values_key([2.25]) != values_key(["2.25"])
    assert values_key([1, True]) != values_key([1, 1])


def test_view_values_change_inside_links_steps_and_problems(site):
    views, _ = site
    with_all = [v for v in views.tasks.values() if v.depends_on and v.needed_by and v.history]
    assert with_all
    view = with_all[0]
    before = values_key(view_values(view))
    for name in ("depends_on", "needed_by", "history"):
        items = getattr(view, name)
        for item_field in dataclasses.fields(items[0]):
            item = dataclasses.replace(items[0], **{item_field.name: _other(
                getattr(items[0], item_field.name))})
            changed = dataclasses.replace(view, **{name: [item, *items[1:]]})
            assert values_key(view_values(changed)) != before, (name, item_field.name)
    problem = NESTED_ADDITIONS["problems"]
    with_problem = values_key(view_values(dataclasses.replace(view, problems=[problem])))
    for changed_problem in (ProblemView(problem.problem, "projects/p/a/index.html"),
                            ProblemView(dataclasses.replace(problem.problem, line=4), None),
                            ProblemView(dataclasses.replace(problem.problem, message="n"), None)):
        assert values_key(view_values(dataclasses.replace(view, problems=[changed_problem]))) \
            != with_problem


def test_critical_path_is_the_plans_for_any_start():
    tasks = {"a": (2, []), "b": (1, ["a"]), "c": (3, []), "d": (1, ["b", "c"]),
             "e": (None, ["a"]), "f": (0.5, ["d", "x"])}
    for start in (dt.date(2001, 1, 1), dt.date(2026, 11, 28), dt.date(2030, 2, 5)):
        assert schedule.critical_path(tasks) == schedule.plan(tasks, start).critical
    assert schedule.critical_path(tasks) == ["a", "b", "d", "f"]  # a+b ties c: a comes first
    assert schedule.critical_path({}) == []


_TITLES = st.sampled_from(["alpha", "Alpha", "beta", "Beta two", "gamma", "Émile", "zeta"])
_DAYS = st.one_of(st.none(), st.dates(min_value=dt.date(2026, 1, 1),
                                      max_value=dt.date(2026, 1, 20)), st.just(dt.date.max))


@given(st.lists(st.tuples(st.sampled_from(["high", "normal", "low", "odd"]), _DAYS, _TITLES,
                          st.one_of(st.none(), st.integers(min_value=0, max_value=5))),
                max_size=30))
def test_column_orders_are_those_of_their_rules(cards):
    """The columns' orders, sorted one column of numbers or titles at a time, against the
    rules written as one key per card."""
    from mdpm.model import Task

    tasks = [Task(ref=f"p/t{i:02}", project="p", id=f"t{i:02}", path="", title=title,
                  stage="s", priority=priority, due=due)
             for i, (priority, due, title, _) in enumerate(cards)]
    finished = {t.ref: NOW - DAY * done for t, (*_, done) in zip(tasks, cards)
                if done is not None}
    rank = {"high": 0, "normal": 1, "low": 2}

    def card_key(t):
        return (rank.get(t.priority, 1), t.due or dt.date.max, t.title.casefold(), t.ref)

    def done_key(t):
        if t.ref in finished:
            return (0, -finished[t.ref].timestamp(), 0, t.title.casefold(), t.ref)
        return (1, 0, -t.due.toordinal() if t.due else 0, t.title.casefold(), t.ref)

    assert site_module._card_order(tasks) == sorted(tasks, key=card_key)
    assert site_module._done_order(tasks, finished) == sorted(tasks, key=done_key)


@given(st.lists(st.tuples(_DAYS, st.lists(st.integers(min_value=0, max_value=12), max_size=3)),
                max_size=12), st.randoms())
def test_dependency_order_is_by_due_date_then_ref_then_dependencies(cards, random):
    from mdpm.model import Task

    tasks = [Task(ref=f"p/t{i:02}", project="p", id=f"t{i:02}", path="", title="t",
                  stage="s", due=due, depends_on=tuple(dict.fromkeys(f"p/t{d:02}" for d in deps)))
             for i, (due, deps) in enumerate(cards)]
    random.shuffle(tasks)
    plain = sorted(tasks, key=lambda t: (t.due or dt.date.max, t.ref))
    try:
        expected = schedule.topological_order({t.ref: t.depends_on for t in plain})
    except schedule.CycleError:
        expected = [t.ref for t in plain]
    assert site_module.dependency_order(tasks) == expected
