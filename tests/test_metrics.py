"""Flow metrics against values computed by hand, and once end to end from a real git history."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SMALL_CONFIG
from mdpm import metrics
from mdpm.config import load_config
from mdpm.history import History, Transition, read_history
from mdpm.workspace import open_workspace

T0 = dt.datetime(2026, 1, 1, 10, tzinfo=dt.timezone.utc)  # a Thursday
NOW = T0 + dt.timedelta(days=30)
D = dt.timedelta(days=1)

# stage moves per task, as (stage, offset from T0)
MOVES = {
    "acme/a": [("backlog", 0 * D), ("doing", 1 * D), ("review", 3 * D), ("done", 4 * D)],
    "acme/b": [("backlog", 0 * D), ("doing", 2 * D), ("done", 7.5 * D)],
    "acme/c": [("backlog", 1 * D), ("doing", 10 * D)],
    "beta/d": [("backlog", 0 * D), ("doing", 20 * D), ("review", 27 * D)],
}
FINAL = {"acme/a": "done", "acme/b": "done", "acme/c": "doing", "beta/d": "review",
         "beta/e": "backlog"}


def _history(moves=MOVES) -> History:
    return History({ref: [Transition(stage, T0 + off, f"c-{ref}-{i}", "Test")
                          for i, (stage, off) in enumerate(steps)]
                    for ref, steps in moves.items()}, "complete", "", "head")


@pytest.fixture
def workspace(write_tree):
    files = {"mdpm.toml": SMALL_CONFIG}
    for ref, stage in FINAL.items():
        owner = "owner: alice\ncollaborators: {editor: bob}\n"
        files[f"content/projects/{ref}.md"] = f"---\ntitle: {ref}\nstage: {stage}\n{owner}---\n"
    return open_workspace(write_tree(files))


@pytest.fixture
def tasks(workspace):
    return list(workspace.portfolio.tasks.values())


def config(workspace):
    return workspace.config


def test_cycle_and_lead_time(workspace):
    history, cfg = _history(), workspace.config
    assert metrics.cycle_days(history.of("acme/a"), cfg) == 3.0
    assert metrics.lead_days(history.of("acme/a"), cfg) == 4.0
    assert metrics.cycle_days(history.of("acme/b"), cfg) == 5.5
    assert metrics.lead_days(history.of("acme/b"), cfg) == 7.5
    assert metrics.cycle_days(history.of("acme/c"), cfg) is None
    assert metrics.lead_days(history.of("beta/e"), cfg) is None


def test_reopened_task_counts_to_its_last_finish(workspace):
    moves = [Transition("doing", T0, "1"), Transition("done", T0 + D, "2"),
             Transition("doing", T0 + 2 * D, "3"), Transition("done", T0 + 5 * D, "4")]
    assert metrics.cycle_days(moves, workspace.config) == 5.0
    assert metrics.cycle_days(moves[:3], workspace.config) is None


def test_time_in_each_stage(workspace):
    history, cfg = _history(), workspace.config
    assert metrics.time_in_stages(history.of("acme/a"), cfg, NOW) == {
        "backlog": 1.0, "doing": 2.0, "review": 1.0}
    assert metrics.time_in_stages(history.of("acme/c"), cfg, NOW) == {
        "backlog": 9.0, "doing": 20.0}


def test_days_in_current_stage():
    assert metrics.days_in_current_stage(_history().of("beta/d"), NOW) == 3
    assert metrics.days_in_current_stage([], NOW) is None


def test_percentile_interpolates_between_ranks():
    assert metrics.percentile([1, 2, 9, 20], 50) == 5.5
    assert metrics.percentile([1, 2, 9, 20], 85) == 15.05
    assert metrics.percentile([7], 95) == 7
    assert metrics.percentile([], 50) is None


def test_stage_times_and_bottlenecks(workspace, tasks):
    times = metrics.stage_times(tasks, _history(), workspace.config, NOW)
    by_stage = {t.stage: t for t in times}
    assert set(by_stage) == {"backlog", "doing", "review"}
    assert (by_stage["backlog"].visits, by_stage["backlog"].median_days,
            by_stage["backlog"].p85_days) == (4, 5.5, 15.05)
    assert (by_stage["doing"].visits, by_stage["doing"].median_days,
            by_stage["doing"].p85_days, by_stage["doing"].current,
            by_stage["doing"].current_median_days) == (3, 5.5, 6.55, 1, 20.0)
    assert (by_stage["review"].median_days, by_stage["review"].current) == (1.0, 1)
    ranked = metrics.bottleneck_stages(times, workspace.config)
    assert [t.stage for t in ranked] == ["doing", "review"]  # not the intake backlog


def test_stuck_by_stale_days_and_by_the_stage_percentile(workspace, tasks):
    stuck = metrics.stuck_tasks(tasks, _history(), workspace.config, NOW)
    assert stuck == [metrics.Stuck("acme/c", "doing", 20, True, 6.55),
                     metrics.Stuck("beta/d", "review", 3, False, 1.0)]


def test_stage_times_and_stuck_at_once_as_each_alone(workspace, tasks):
    history, cfg = _history(), workspace.config
    assert metrics.stage_times_and_stuck(tasks, history, cfg, NOW) == (
        metrics.stage_times(tasks, history, cfg, NOW),
        metrics.stuck_tasks(tasks, history, cfg, NOW))
    assert metrics.stage_times_and_stuck(tasks, History(), cfg, NOW)[1] == []


def test_stage_times_of_tasks_moved_by_one_commit(workspace, tasks):
    """Tasks moved together share their stays' times; each still counts once, in its stage."""
    moves = {ref: [("backlog", 0 * D), ("doing", 9 * D)] for ref in ("acme/c", "beta/d")}
    moves["acme/a"] = [("backlog", 0 * D), ("doing", 9 * D), ("done", 12 * D)]
    times = {t.stage: t for t in metrics.stage_times(tasks, _history(moves), workspace.config, NOW)}
    assert (times["backlog"].visits, times["backlog"].median_days) == (3, 9.0)
    assert (times["doing"].visits, times["doing"].median_days, times["doing"].current,
            times["doing"].current_median_days, times["doing"].total_days) == (1, 3.0, 2, 21.0,
                                                                                45.0)
    stuck = metrics.stuck_tasks(tasks, _history(moves), workspace.config, NOW)
    assert stuck == [metrics.Stuck("acme/c", "doing", 21, True, 3.0)]  # beta/d is in review


def test_stale_problem_for_check(workspace):
    problems = metrics.stale_problems(workspace.portfolio, _history(), NOW)
    assert [p.format() for p in problems] == [
        "content/projects/acme/c.md:3: warning[stale]: in `doing` for 20 days (since "
        "2026-01-11), over stale_days = 7: move it on, split it, or mark it `blocked:`"]


def test_no_history_means_no_figures(workspace, tasks):
    empty = History()
    assert metrics.stuck_tasks(tasks, empty, workspace.config, NOW) == []
    assert metrics.stale_problems(workspace.portfolio, empty, NOW) == []
    assert metrics.cumulative_flow(tasks, empty, workspace.config, NOW) == []
    assert metrics.aging_wip(tasks, empty, workspace.config, NOW) == []
    assert metrics.completions(tasks, empty, workspace.config) == []


def test_throughput_per_week(workspace, tasks):
    done = metrics.completions(tasks, _history(), workspace.config)
    assert [(c.ref, c.cycle_days, c.lead_days) for c in done] == [
        ("acme/a", 3.0, 4.0), ("acme/b", 5.5, 7.5)]
    monday = dt.date(2026, 1, 5)
    assert metrics.throughput_per_week(done, NOW) == [
        (monday, 2), (monday + 7 * D, 0), (monday + 14 * D, 0), (monday + 21 * D, 0)]
    assert metrics.throughput_per_week(done, NOW, weeks=2) == [
        (monday + 14 * D, 0), (monday + 21 * D, 0)]


def test_cumulative_flow_counts_tasks_per_stage_at_each_day_end(workspace, tasks):
    flow = dict(metrics.cumulative_flow(tasks, _history(), workspace.config, NOW))
    assert len(flow) == 31 and min(flow) == dt.date(2026, 1, 1) and max(flow) == NOW.date()
    zero = {"backlog": 0, "doing": 0, "review": 0, "done": 0}
    assert flow[dt.date(2026, 1, 1)] == {**zero, "backlog": 3}
    assert flow[dt.date(2026, 1, 2)] == {**zero, "backlog": 3, "doing": 1}
    assert flow[dt.date(2026, 1, 5)] == {**zero, "backlog": 2, "doing": 1, "done": 1}
    assert flow[dt.date(2026, 1, 31)] == {**zero, "doing": 1, "review": 1, "done": 2}
    assert all(sum(v.values()) == (3 if d == dt.date(2026, 1, 1) else 4) for d, v in flow.items())
    last_week = metrics.cumulative_flow(tasks, _history(), workspace.config, NOW, days=7)
    assert [d for d, _ in last_week][0] == dt.date(2026, 1, 25)
    assert last_week[0][1] == {**zero, "doing": 2, "done": 2}


def test_aging_wip(workspace, tasks):
    assert metrics.aging_wip(tasks, _history(), workspace.config, NOW) == [
        metrics.Aging("acme/c", "doing", 20.0, 20.0), metrics.Aging("beta/d", "review", 10.0, 3.0)]


def test_forecast_with_steady_throughput_is_exact():
    done = [metrics.Completion(f"p/t{w}-{i}", NOW - dt.timedelta(weeks=w), None, None)
            for w in range(12) for i in range(2)]
    result = metrics.forecast_project("p", 5, done, NOW, since=NOW - dt.timedelta(weeks=11))
    assert result.dates == {p: NOW.date() + dt.timedelta(weeks=3) for p in (50, 85, 95)}
    assert (result.sample_weeks, result.sample_done, result.beyond) == (12, 24, ())


def test_forecast_is_seeded_and_ordered():
    done = [metrics.Completion(f"p/t{w}", NOW - dt.timedelta(weeks=w), None, None)
            for w in (0, 2, 3, 3, 3, 7)]
    since = NOW - dt.timedelta(weeks=7)
    first = metrics.forecast_project("p", 10, done, NOW, seed=7, since=since)
    assert first == metrics.forecast_project("p", 10, done, NOW, seed=7, since=since)
    assert first.dates[50] <= first.dates[85] <= first.dates[95]
    assert first.dates[50] > NOW.date()


def test_forecast_without_throughput_says_why():
    result = metrics.forecast_project("p", 3, [], NOW)
    assert result.dates is None and result.reason == (
        "not enough history yet: needs at least 5 completed tasks over at least 3 weeks "
        "(none of its tasks has changed stage yet)")
    assert metrics.forecast_project("p", 0, [], NOW).dates[95] == NOW.date()


def _done_weekly(counts):
    """Completions: counts[w] tasks finished w weeks before NOW."""
    return [metrics.Completion(f"p/t{w}-{i}", NOW - dt.timedelta(weeks=w), None, None)
            for w, n in enumerate(counts) for i in range(n)]


def test_thin_history_gives_no_forecast_but_says_what_it_needs():
    weeks = lambda n: NOW - dt.timedelta(weeks=n - 1)  # noqa: E731: n calendar weeks of history
    four_done = metrics.forecast_project("p", 3, _done_weekly([1, 1, 1, 1]), NOW, since=weeks(5))
    assert four_done.dates is None and four_done.reason == (
        "not enough history yet: needs at least 5 completed tasks over at least 3 weeks "
        "(has 4 over 5 weeks)")
    one_week = metrics.forecast_project("p", 3, _done_weekly([6]), NOW, since=weeks(1))
    assert one_week.dates is None and one_week.reason.endswith("(has 6 over 1 week)")
    two_weeks = metrics.forecast_project("p", 3, _done_weekly([3, 3]), NOW, since=weeks(2))
    assert two_weeks.dates is None and "(has 6 over 2 weeks)" in two_weeks.reason
    enough = metrics.forecast_project("p", 3, _done_weekly([2, 2, 1]), NOW, since=weeks(3))
    assert enough.dates is not None and enough.reason == ""


def test_a_slow_forecast_stops_at_the_horizon_and_says_why():
    done = _done_weekly([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])  # 5 tasks in 12 weeks
    result = metrics.forecast_project("p", 200, done, NOW, since=NOW - dt.timedelta(weeks=11))
    horizon = NOW.date() + dt.timedelta(weeks=metrics.FORECAST_HORIZON_WEEKS)
    assert result.beyond == (50, 85, 95) and set(result.dates.values()) == {horizon}
    assert result.reason == ("at its pace of 0.4 tasks a week (the last 12 weeks), 200 open "
                             "tasks can take more than 52 weeks")
    assert max(result.dates.values()) <= horizon


def test_forecasts_per_open_project(workspace):
    found = {f.project: f for f in metrics.forecasts(workspace.portfolio, _history(), NOW)}
    assert set(found) == {"acme", "beta"}
    # acme: 2 done since its first move (Friday 2026-01-02), 5 calendar weeks to now
    assert (found["acme"].remaining, found["acme"].sample_done, found["acme"].sample_weeks) == (1, 2, 5)
    assert found["acme"].dates is None and "(has 2 over 5 weeks)" in found["acme"].reason
    assert found["beta"].remaining == 2 and found["beta"].dates is None
    assert found["beta"].sample_weeks == 2  # from beta/d's first move on 2026-01-21


def test_metrics_from_a_real_history(git_repo):
    git_repo.write({"mdpm.toml": SMALL_CONFIG})
    start = int(T0.timestamp())
    path = "content/projects/acme/a.md"
    git_repo.commit("add", {path: "---\ntitle: A\n---\n"}, at=start)
    git_repo.commit("go", {path: "---\ntitle: A\nstage: doing\n---\n"}, at=start + 86400)
    git_repo.commit("fin", {path: "---\ntitle: A\nstage: done\n---\n"}, at=start + 4 * 86400)
    config, _ = load_config(git_repo.root)
    moves = read_history(git_repo.root, None, config=config).of("acme/a")
    assert metrics.cycle_days(moves, config) == 3.0 and metrics.lead_days(moves, config) == 4.0
    assert metrics.time_in_stages(moves, config, NOW) == {"backlog": 1.0, "doing": 3.0}


# --- the metrics page: view model, SVG charts, built pages, a real browser ------------------

from mdpm import charts  # noqa: E402


def test_metrics_view_without_history_draws_nothing(workspace):
    view = charts.metrics_view(workspace.portfolio, History(), NOW)
    assert not view.available and view.charts == [] and "no git history" in view.message


def test_metrics_view_charts_are_accessible_and_match_their_tables(workspace):
    view = charts.metrics_view(workspace.portfolio, _history(), NOW)
    assert [c.id for c in view.charts] == ["cfd", "cycle", "throughput", "aging"]
    for chart in view.charts:
        assert chart.svg.startswith("<svg ") and 'role="img"' in chart.svg
        assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in chart.svg
        assert f'<title id="{chart.id}-title">{chart.title}</title>' in chart.svg
        assert chart.rows and len(chart.headers) == len(chart.rows[0])
    cycle = view.charts[1]
    assert cycle.rows == [("acme/b", "2026-01-08", "6"), ("acme/a", "2026-01-05", "3")]
    assert "50 %: 4 d" in cycle.svg and cycle.svg.count("<circle") == 2
    assert "50 % took at most 4 days" in cycle.desc  # whole days: 4.25 shown as 4
    throughput = view.charts[2]
    # from the week of the first transition (Thursday 2026-01-01) to now, newest first
    assert throughput.rows[-2:] == [("2026-01-05", 2), ("2025-12-29", 0)] and len(throughput.rows) == 5
    aging = view.charts[3]
    assert aging.rows == [("acme/c", "doing", "20", "20"), ("beta/d", "review", "10", "3")]
    assert [s.stage for s in view.stages if s.bottleneck] == ["doing"]
    assert [s.ref for s in view.stuck] == ["acme/c", "beta/d"]
    assert dict((label, value) for label, value, _ in view.summary)["Finished"] == "2"


def _built(git_repo, tmp_path, history=True):
    from mdpm.build import build

    files = {"mdpm.toml": SMALL_CONFIG,
             "content/projects/acme/_index.md": "---\ntitle: Acme\ndue: 2026-01-20\n---\n",
             "content/projects/acme/_retro.md": "# What we learned\n\nReview earlier.\n"}
    git_repo.write(files)
    start = int(T0.timestamp())
    text = "---\ntitle: Task {n}\nowner: alice\ncollaborators: {{editor: bob}}\ndue: 2026-01-0{d}\nstage: {s}\n---\n"
    for n in range(3):
        for i, stage in enumerate(["backlog", "doing", "review", "done"][: 4 - n]):
            git_repo.commit(f"t{n} {stage}", {f"content/projects/acme/t{n}.md":
                                                text.format(n=n, d=n + 3, s=stage)},
                            at=start + (n * 4 + i) * 86400)
    root = git_repo.root
    if history == "shallow":
        root = tmp_path / "shallow"
        subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}",
                        str(root)], check=True)
    elif not history:
        root = tmp_path / "plain"
        subprocess.run(["git", "clone", "-q", str(git_repo.root), str(root)], check=True)
        shutil.rmtree(root / ".git")
    workspace = open_workspace(root)
    out = tmp_path / "site"
    build(workspace, out, now=NOW, workers=1)
    return out


import shutil  # noqa: E402
import subprocess  # noqa: E402


def test_built_metrics_and_retro_pages(git_repo, tmp_path):
    out = _built(git_repo, tmp_path)
    page = (out / "metrics" / "index.html").read_text()
    for chart in ("cfd", "cycle", "throughput", "aging"):
        assert f'data-chart="{chart}"' in page
    assert 'data-task="acme/t1"' in page  # stuck in review for weeks
    retro = (out / "retro" / "acme" / "index.html").read_text()
    assert 'data-task="acme/t0"' in retro and "What we learned</h" in retro
    assert retro.count("<h1") == 1


def test_built_pages_without_git_say_history_is_missing(git_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    out = _built(git_repo, tmp_path, history=False)
    page = (out / "metrics" / "index.html").read_text()
    assert 'data-history="none"' in page and "fetch-depth: 0" in page and "<svg" not in page
    retro = (out / "retro" / "acme" / "index.html").read_text()
    assert 'data-history="none"' in retro


def test_built_pages_in_a_shallow_clone_say_history_is_partial(git_repo, tmp_path):
    out = _built(git_repo, tmp_path, history="shallow")
    page = (out / "metrics" / "index.html").read_text()
    assert 'data-history="shallow"' in page and "fetch-depth: 0" in page
    assert "3 task(s) began before the first commit of this clone" in page
    assert "<circle" not in page  # no task's history is known: nothing drawn, nothing guessed
    assert 'data-history="shallow"' in (out / "retro" / "acme" / "index.html").read_text()


@pytest.mark.browser
def test_metrics_page_in_a_browser(git_repo, tmp_path, page):
    out = _built(git_repo, tmp_path)
    page.goto((out / "metrics" / "index.html").as_uri())
    charts_found = page.locator("svg.chart")
    assert charts_found.count() == 4
    for i in range(4):
        svg = charts_found.nth(i)
        box = svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
        assert svg.get_attribute("role") == "img"
    page.locator("#cycle summary").click()
    assert page.locator("#cycle table tbody tr").count() == 1
    page.goto((out / "retro" / "acme" / "index.html").as_uri())
    assert page.locator("tbody tr[data-task]").count() == 3


# --- what history cannot show: tasks created already done, thin data -----------------------


def _task_text(stage: str, due: str = "2026-01-20") -> str:
    return f"---\ntitle: Task\nowner: alice\ndue: {due}\nstage: {stage}\n---\n"


def _commit_days(git_repo, steps):
    """Commit (day offset from T0, {task: stage}) steps into project acme."""
    for day, stages in steps:
        git_repo.commit(f"day {day}", {f"content/projects/acme/{name}.md": _task_text(stage)
                                       for name, stage in stages.items()},
                        at=int((T0 + day * D).timestamp()))
    workspace = open_workspace(git_repo.root)
    history = read_history(git_repo.root, workspace.portfolio.tasks, config=workspace.config)
    return workspace, history


def test_a_task_created_done_has_no_done_date_and_no_throughput(git_repo):
    git_repo.write({"mdpm.toml": SMALL_CONFIG})
    workspace, history = _commit_days(git_repo, [
        (0, {"old": "done", "reopened": "done", "new": "backlog"}),
        (1, {"new": "doing"}), (2, {"reopened": "doing"}), (3, {"new": "done"}),
        (4, {"reopened": "done"})])
    cfg, tasks = workspace.config, list(workspace.portfolio.tasks.values())
    old = history.of("acme/old")
    assert [t.stage for t in old] == ["done"]
    assert metrics.finished_at(old, cfg) is None and metrics.done_date_unknown(old, cfg)
    assert metrics.cycle_days(old, cfg) is None and metrics.lead_days(old, cfg) is None
    assert metrics.days_in_current_stage(old, NOW, cfg) is None
    assert metrics.days_in_current_stage(old, NOW) == 30  # without config: since the file was added
    # entering done by a real move is known; a reopened task's lead time is not (it existed before)
    reopened = history.of("acme/reopened")
    assert metrics.cycle_days(reopened, cfg) == 2.0 and metrics.lead_days(reopened, cfg) is None
    done = metrics.completions(tasks, history, cfg)
    assert [(c.ref, c.cycle_days, c.lead_days) for c in done] == [
        ("acme/new", 2.0, 3.0), ("acme/reopened", 2.0, None)]
    assert sum(n for _, n in metrics.throughput_per_week(done, NOW)) == 2
    flow = dict(metrics.cumulative_flow(tasks, history, cfg, NOW))
    zero = {"backlog": 0, "doing": 0, "review": 0, "done": 0}
    assert flow[T0.date()] == {**zero, "backlog": 1}  # the two created done are not arrivals
    assert flow[NOW.date()] == {**zero, "done": 2}
    view = charts.metrics_view(workspace.portfolio, history, NOW)
    assert view.created_done == 1 and view.history_start == "2026-01-02"
    summary = {label: (value, hint) for label, value, hint in view.summary}
    assert summary["Finished"] == ("2", "tasks seen moving into done; 1 task created already "
                                   "done, finish date unknown, not counted")
    assert "1 task created already done is left out" in view.charts[0].desc


def test_only_creations_give_no_throughput_and_no_forecast(git_repo):
    git_repo.write({"mdpm.toml": SMALL_CONFIG})
    workspace, history = _commit_days(git_repo, [
        (0, {f"done{i}": "done" for i in range(6)} | {"open": "doing", "later": "backlog"})])
    view = charts.metrics_view(workspace.portfolio, history, NOW)
    summary = {label: value for label, value, _ in view.summary}
    assert (summary["Throughput"], summary["Lead time, median"], summary["Finished"]) == (
        "—", "—", "0")
    assert view.history_start == "" and view.created_done == 6
    assert view.charts[2].svg == "" and "no week of throughput is known" in view.charts[2].desc
    [forecast] = view.forecasts
    assert forecast.dates is None and forecast.reason.startswith(
        "not enough history yet: needs at least 5 completed tasks over at least 3 weeks")


def test_one_week_of_history_says_1_week(git_repo):
    git_repo.write({"mdpm.toml": SMALL_CONFIG})
    monday = (NOW.date() - dt.date(2026, 1, 1)).days - NOW.weekday()  # now's Monday, from T0
    workspace, history = _commit_days(git_repo, [
        (monday, {"a": "backlog", "b": "backlog"}), (monday + 1, {"a": "done"})])
    view = charts.metrics_view(workspace.portfolio, history, NOW)
    summary = {label: (value, hint) for label, value, hint in view.summary}
    assert summary["Throughput"] == ("1.0 / week", "tasks finished, average over the last 1 week")
    assert "over the last 1 week, from the week of 2026-01-26:" in view.charts[2].desc
    assert view.forecasts[0].reason.endswith("(has 1 over 1 week)")
