"""Working days, dependency order, schedules and critical paths on hand-computed graphs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdpm.errors import ContentError
from mdpm.schedule import (CycleError, add_working_days, critical_path, next_working_day, plan,
                           project_critical_path, project_plan, schedule, task_days,
                           topological_order, working_days_between)
from mdpm.workspace import open_workspace

# The week of 2026-11-23: Monday 23 ... Friday 27, Saturday 28, Sunday 29, Monday 30.
MON, TUE, WED, THU, FRI, SAT, SUN = (dt.date(2026, 11, d) for d in range(23, 30))
NEXT_MON = dt.date(2026, 11, 30)


def day(d: int) -> dt.date:
    """A day of November 2026, or of December when past 30."""
    return dt.date(2026, 11, d) if d <= 30 else dt.date(2026, 12, d - 30)


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize("start, days, end", [
    (MON, 1, MON),          # one day ends the day it starts
    (MON, 5, FRI),
    (THU, 3, NEXT_MON),     # Thu, Fri, (weekend), Mon
    (FRI, 6, day(34)),      # Fri, Mon..Fri of the next week -> Friday 4 December
    (SAT, 1, NEXT_MON),     # a weekend start rolls to Monday
    (SUN, 2, day(31)),
    (MON, 2.5, WED),        # fractions round up
    (MON, 0.1, MON),
    (MON, 0, MON),          # zero counts as one day
])
def test_add_working_days(start, days, end):
    assert add_working_days(start, days) == end


@pytest.mark.parametrize("start, end, count", [
    (MON, FRI, 5),
    (THU, NEXT_MON, 3),
    (FRI, NEXT_MON, 2),
    (SAT, SUN, 0),
    (MON, MON, 1),
    (TUE, MON, 0),
    (NEXT_MON, MON, -4),   # like end - start + 1 in working days
])
def test_working_days_between(start, end, count):
    assert working_days_between(start, end) == count


def test_next_working_day_skips_the_weekend():
    assert next_working_day(THU) == FRI
    assert next_working_day(FRI) == NEXT_MON
    assert next_working_day(SAT) == NEXT_MON


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
       st.integers(min_value=1, max_value=400))
def test_working_days_between_inverts_add(start, days):
    end = add_working_days(start, days)
    assert end.weekday() < 5
    assert working_days_between(start, end) == days
    brute = sum(1 for i in range((end - start).days + 1)
                if (start + dt.timedelta(days=i)).weekday() < 5)
    assert brute == days


def test_task_days():
    assert [task_days(e) for e in (None, 0, 0.5, 1, 1.01, 4)] == [1, 1, 1, 1, 2, 4]


# --- order ----------------------------------------------------------------------------------


def test_topological_order_keeps_the_given_order_between_equals():
    graph = {"c": [], "a": ["c"], "b": [], "d": ["a", "b"]}
    assert topological_order(graph) == ["c", "a", "b", "d"]
    assert topological_order({"z": [], "y": [], "x": []}) == ["z", "y", "x"]


def test_topological_order_puts_dependencies_first_even_when_given_late():
    assert topological_order({"d": ["b", "c"], "c": ["a"], "b": ["a"], "a": []}) == \
        ["a", "c", "b", "d"]


def test_topological_order_ignores_unknown_dependencies():
    assert topological_order({"a": ["other/x"], "b": ["a", "gone"]}) == ["a", "b"]


def test_topological_order_names_the_cycle():
    graph = {"start": [], "b": ["c", "start"], "c": ["d"], "d": ["b"], "after": ["b"]}
    with pytest.raises(CycleError) as caught:
        topological_order(graph)
    assert caught.value.cycle == ["b", "c", "d"]
    assert str(caught.value) == "dependency cycle: b -> c -> d -> b"
    assert isinstance(caught.value, ContentError) and caught.value.exit_status == 1


def test_topological_order_self_dependency_is_a_cycle():
    with pytest.raises(CycleError, match="a -> a"):
        topological_order({"a": ["a"]})


def _plain_order(graph: dict[str, list[str]]) -> list[str] | None:
    """The order by its definition: again and again, the first ref (in the given order) whose
    dependencies are all taken; None when some never are (a cycle)."""
    order: list[str] = []
    left = list(graph)
    while left:
        ready = [r for r in left if all(d in order or d not in graph for d in graph[r])]
        if not ready:
            return None
        order.append(ready[0])
        left.remove(ready[0])
    return order


@given(st.integers(min_value=0, max_value=12).flatmap(lambda n: st.lists(
    st.lists(st.integers(min_value=0, max_value=n + 1), max_size=4), min_size=n, max_size=n)),
    st.booleans())
def test_topological_order_is_the_first_ready_ref_each_time(deps, forward_only):
    """Graphs in the given order (the quick path), graphs that are not, with cycles, unknown
    refs and repeated dependencies."""
    refs = [f"t{i}" for i in range(len(deps))]
    graph = {ref: [f"t{d}" for d in ds if not forward_only or d < i]
             for i, (ref, ds) in enumerate(zip(refs, deps))}
    expected = _plain_order(graph)
    if expected is None:
        with pytest.raises(CycleError):
            topological_order(graph)
    else:
        assert topological_order(graph) == expected
    reordered = dict(reversed(graph.items()))
    if expected is not None:
        assert topological_order(reordered) == _plain_order(reordered)


@given(st.integers(min_value=0, max_value=10).flatmap(lambda n: st.lists(
    st.tuples(st.sampled_from([None, 0, 0.5, 1, 2.5, 4]),
              st.lists(st.integers(min_value=0, max_value=n), max_size=3)),
    min_size=n, max_size=n)))
def test_critical_path_is_the_plans(tasks):
    """`critical_path` makes the passes of `plan` in one loop: the same chain."""
    graph = {f"t{i}": (estimate, [f"t{d}" for d in ds if d < i or d >= len(tasks)])
             for i, (estimate, ds) in enumerate(tasks)}
    assert critical_path(graph) == plan(graph, MON).critical


# --- schedules ------------------------------------------------------------------------------

DIAMOND = {
    "a": (2, []),
    "b": (3, ["a"]),
    "c": (1, ["a"]),
    "d": (2, ["b", "c"]),
}


def test_diamond_schedule_by_hand():
    # a Mon-Tue; b Wed-Fri; c Wed; d waits for b: Mon 30 - Tue 1 Dec.
    assert schedule(DIAMOND, MON) == {
        "a": (MON, TUE),
        "b": (WED, FRI),
        "c": (WED, WED),
        "d": (NEXT_MON, day(31)),
    }


def test_diamond_critical_path_and_slack():
    result = plan(DIAMOND, MON)
    assert result.critical == ["a", "b", "d"]
    assert critical_path(DIAMOND) == ["a", "b", "d"]
    assert result.slack == {"a": 0, "b": 0, "c": 2, "d": 0}
    assert (result.start, result.end) == (MON, day(31))


def test_chain_across_a_weekend():
    tasks = {"draft": (3, []), "edit": (2, ["draft"]), "publish": (0.5, ["edit"])}
    assert schedule(tasks, THU) == {
        "draft": (THU, NEXT_MON),      # Thu, Fri, Mon
        "edit": (day(31), day(32)),    # Tue 1, Wed 2 December
        "publish": (day(33), day(33)),
    }


def test_a_task_without_estimate_takes_one_day():
    tasks = {"a": (None, []), "b": (2, ["a"]), "c": (None, ["b"])}
    assert schedule(tasks, FRI) == {
        "a": (FRI, FRI),
        "b": (NEXT_MON, day(31)),
        "c": (day(32), day(32)),
    }
    assert critical_path(tasks) == ["a", "b", "c"]


def test_a_weekend_start_begins_on_monday():
    assert schedule({"a": (1, [])}, SAT) == {"a": (NEXT_MON, NEXT_MON)}


def test_critical_path_ties_go_to_the_first_given():
    tasks = {"x": (2, []), "y": (2, []), "z": (1, ["y", "x"])}
    assert critical_path(tasks) == ["x", "z"]
    assert critical_path({"p": (3, []), "q": (3, [])}) == ["p"]


def test_critical_path_follows_the_longest_chain_not_the_most_tasks():
    tasks = {"s1": (1, []), "s2": (1, ["s1"]), "s3": (1, ["s2"]), "long": (5, []),
             "end": (1, ["s3", "long"])}
    assert critical_path(tasks) == ["long", "end"]
    result = plan(tasks, MON)
    assert result.slack["s1"] == 2 and result.slack["long"] == 0


def test_independent_tasks_start_together():
    result = plan({"a": (1, []), "b": (4, []), "c": (2, [])}, MON)
    assert {ref: d[0] for ref, d in result.dates.items()} == {"a": MON, "b": MON, "c": MON}
    assert result.critical == ["b"]
    assert result.slack == {"a": 3, "b": 0, "c": 2}


def test_empty_plan():
    result = plan({}, MON)
    assert result.dates == {} and result.critical == [] and result.end == MON


def test_schedule_raises_on_a_cycle():
    with pytest.raises(CycleError):
        schedule({"a": (1, ["b"]), "b": (1, ["a"])}, MON)


# --- on a real project ----------------------------------------------------------------------


def _task(title, *, estimate=None, deps=(), stage="backlog"):
    lines = [f"title: {title}", f"stage: {stage}"]
    if estimate is not None:
        lines.append(f"estimate: {estimate}")
    if deps:
        lines.append(f"depends-on: [{', '.join(deps)}]")
    return "---\n" + "\n".join(lines) + "\n---\nBody.\n"


@pytest.fixture
def diamond_repo(small_repo, write_tree):
    base = "content/projects/acme/"
    write_tree({
        base + "_index.md": "---\ntitle: Acme\nstart: 2026-11-23\n---\n",
        base + "interview.md": _task("Interview", estimate=2),
        base + "draft.md": _task("Draft", estimate=3, deps=["interview"]),
        base + "photos.md": _task("Photos", estimate=1, deps=["interview", "brand/kit"]),
        base + "publish.md": _task("Publish", deps=["draft", "photos"]),
        "content/projects/brand/kit.md": _task("Brand kit", estimate=30),
    }, root=small_repo)
    return small_repo


def test_project_critical_path_counts_only_dependencies_inside_the_project(diamond_repo):
    portfolio = open_workspace(diamond_repo).portfolio
    result = project_critical_path(portfolio, "acme")
    assert result.critical == ["acme/interview", "acme/draft", "acme/publish"]
    assert result.slack == {"acme/interview": 0, "acme/draft": 0, "acme/photos": 2,
                            "acme/publish": 0}


def test_project_plan_starts_on_the_project_start(diamond_repo):
    portfolio = open_workspace(diamond_repo).portfolio
    result = project_plan(portfolio, "acme")
    assert result.dates["acme/interview"] == (MON, TUE)
    assert result.dates["acme/publish"] == (NEXT_MON, NEXT_MON)
    assert project_plan(portfolio, "acme", THU).dates["acme/interview"] == (THU, FRI)


def test_remaining_work_leaves_done_tasks_out(small_repo, write_tree):
    base = "content/projects/acme/"
    write_tree({
        base + "brief.md": _task("Brief", estimate=5, stage="done"),
        base + "draft.md": _task("Draft", estimate=2, deps=["brief"]),
        base + "photos.md": _task("Photos", estimate=1),
        base + "publish.md": _task("Publish", estimate=1, deps=["draft", "photos"]),
    }, root=small_repo)
    portfolio = open_workspace(small_repo).portfolio
    assert project_critical_path(portfolio, "acme").critical == \
        ["acme/brief", "acme/draft", "acme/publish"]
    left = project_plan(portfolio, "acme", WED, remaining=True)
    assert "acme/brief" not in left.dates
    assert left.dates["acme/draft"] == (WED, THU)
    assert left.end == FRI
    assert left.critical == ["acme/draft", "acme/publish"]
