"""The flow-metrics page: its view model and the SVG charts mdpm draws itself.

Every chart is an accessible SVG (role="img", <title> and <desc>) with the same numbers as a
data table beside it, so the page works without JavaScript, without images and for screen
readers. Pure functions of (portfolio, history, now); no I/O.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from html import escape

from . import metrics
from .history import History

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 18, 46
CFD_DAYS = 365
SCATTER_DAYS = 365
THROUGHPUT_WEEKS = 26
TABLE_ROWS = 200
PALETTE = ("#8c96a8", "#5b8def", "#e0a21b", "#c2569b", "#2a9d5c", "#7a5cc7", "#d0643b",
           "#3aa6b9")
PERCENTILE_COLOURS = {50: "#2a9d5c", 85: "#e0a21b", 95: "#a4201a"}


@dataclass
class Chart:
    """One chart: the SVG and the data table that says the same."""

    id: str
    title: str
    desc: str
    svg: str
    headers: tuple[str, ...]
    rows: list[tuple]
    note: str = ""


@dataclass
class StageRow:
    stage: str
    title: str
    visits: int
    median_days: float | None
    p85_days: float | None
    current: int
    current_median_days: float | None
    bottleneck: bool


@dataclass
class MetricsView:
    """Everything the metrics page shows, as of `as_of`."""

    as_of: str
    available: bool
    status: str
    message: str
    stale_days: int = 7
    summary: list[tuple[str, str, str]] = field(default_factory=list)
    """(label, value, explanation) of the headline figures."""
    charts: list[Chart] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    stuck: list[metrics.Stuck] = field(default_factory=list)
    forecasts: list[metrics.Forecast] = field(default_factory=list)
    created_done: int = 0
    """Tasks whose file was created already done: their done date is unknown."""
    history_start: str = ""
    """The day the first task changed stage ("" before any did)."""

    min_done: int = metrics.FORECAST_MIN_DONE
    min_weeks: int = metrics.FORECAST_MIN_WEEKS
    horizon_weeks: int = metrics.FORECAST_HORIZON_WEEKS

    @staticmethod
    def days(value: float | None) -> str:
        return metrics.whole_days(value)

    @staticmethod
    def duration(value: float | None) -> str:
        return _days(value)


def metrics_view(portfolio, history: History, now: dt.datetime) -> MetricsView:
    """Return the view model of the metrics page."""
    view = MetricsView(now.date().isoformat(), history.available, history.status,
                       history.message, portfolio.config.limits.stale_days)
    if not history.available:
        return view
    config = portfolio.config
    tasks = list(portfolio.tasks.values())
    done = metrics.completions(tasks, history, config)
    times, stuck = metrics.stage_times_and_stuck(tasks, history, config, now)
    # a stage where nothing has stayed half a day yet is not where work waits
    worst = {t.stage for t in metrics.bottleneck_stages(times, config)[:1]
             if max(t.median_days or 0, t.current_median_days or 0) >= 0.5}
    view.stages = [StageRow(t.stage, config.stage(t.stage).title, t.visits, t.median_days,
                            t.p85_days, t.current, t.current_median_days, t.stage in worst)
                   for t in times]
    view.stuck = stuck
    view.forecasts = metrics.forecasts(portfolio, history, now)
    view.created_done = sum(1 for t in tasks
                            if metrics.done_date_unknown(history.of(t.ref), config))
    start = metrics.history_start(tasks, history)
    view.history_start = start.date().isoformat() if start else ""
    weeks = metrics.weeks_since(start, now)
    aging = metrics.aging_wip(tasks, history, config, now)
    view.summary = _summary(done, aging, now, weeks, view.created_done)
    stage_titles = {s.id: s.title for s in config.stages}
    view.charts = [
        cfd_chart(metrics.cumulative_flow(tasks, history, config, now, CFD_DAYS), stage_titles,
                  view.created_done),
        cycle_chart([c for c in done if c.cycle_days is not None
                     and (now - c.finished).days < SCATTER_DAYS]),
        throughput_chart(metrics.throughput_per_week(done, now, min(THROUGHPUT_WEEKS, weeks))
                         if weeks else []),
        aging_chart(aging, [s for s in config.stages if s.is_active], times),
    ]
    return view


def _summary(done: list[metrics.Completion], aging: list[metrics.Aging], now: dt.datetime,
             weeks: int, created_done: int) -> list[tuple[str, str, str]]:
    cycles = [c.cycle_days for c in done if c.cycle_days is not None]
    leads = [c.lead_days for c in done if c.lead_days is not None]
    recent = min(4, weeks)
    if recent:
        per_week = sum(n for _, n in metrics.throughput_per_week(done, now, recent)) / recent
        throughput = (f"{per_week:.1f} / week",
                      f"tasks finished, average over the last {metrics.plural(recent, 'week')}")
    else:
        throughput = ("—", "no task has changed stage yet, so no week of throughput is known")
    unknown = (f"; {metrics.plural(created_done, 'task')} created already done, finish date "
               "unknown, not counted") if created_done else ""
    return [
        ("Cycle time, 85 %", _days(metrics.percentile(cycles, 85)),
         "85 % of finished tasks took at most this long from first active stage to done"),
        ("Cycle time, median", _days(metrics.percentile(cycles, 50)), "half took less"),
        ("Lead time, median", _days(metrics.percentile(leads, 50)), "from created to done"),
        ("Throughput", *throughput),
        ("Work in progress", str(len(aging)), "tasks in an active stage now"),
        ("Finished", str(len(done)), "tasks seen moving into done" + unknown),
    ]


def _days(value: float | None) -> str:
    if value is None:
        return "—"
    text = metrics.whole_days(value)
    return f"{text} day" if text in ("1", "< 1") else f"{text} days"


# --- the charts ---------------------------------------------------------------------------


def cfd_chart(flow: list[tuple[dt.date, dict[str, int]]], titles: dict[str, str],
              created_done: int = 0) -> Chart:
    """Cumulative flow: a band per stage, stacked with done at the bottom."""
    title = "Cumulative flow"
    left_out = (f" {metrics.plural(created_done, 'task')} created already done "
                f"{'is' if created_done == 1 else 'are'} left out: when "
                f"{'it was' if created_done == 1 else 'they were'} finished is unknown."
                if created_done else "")
    if not flow:
        return _empty("cfd", title, "No stage history yet." + left_out)
    stages = list(titles)
    if len(flow) == 1:
        day, counts = flow[0]
        return _empty("cfd", title, f"The history covers one day so far ({day}): "
                      + ", ".join(f"{titles[s]} {counts.get(s, 0)}" for s in stages)
                      + ". The chart starts with the second day." + left_out)
    top = max(sum(counts.values()) for _, counts in flow) or 1
    plot = _Plot(len(flow) - 1 or 1, top)
    parts = [plot.y_axis(), plot.x_dates([d for d, _ in flow])]
    lower = [0] * len(flow)
    for i, stage in enumerate(reversed(stages)):
        upper = [low + counts.get(stage, 0) for low, (_, counts) in zip(lower, flow)]
        points = [(plot.x(j), plot.y(v)) for j, v in enumerate(upper)]
        points += [(plot.x(j), plot.y(v)) for j, v in reversed(list(enumerate(lower)))]
        colour = PALETTE[(len(stages) - 1 - i) % len(PALETTE)]
        parts.append(f'<polygon points="{_points(points)}" fill="{colour}" fill-opacity=".85">'
                     f'<title>{escape(titles[stage])}</title></polygon>')
        lower = upper
    legend = [(titles[s], PALETTE[i % len(PALETTE)]) for i, s in enumerate(stages)]
    first, last = flow[0], flow[-1]
    desc = (f"Tasks in each stage at the end of each day from {first[0]} to {last[0]}. On "
            f"{last[0]}: " + ", ".join(f"{titles[s]} {last[1].get(s, 0)}" for s in stages)
            + "." + left_out)
    weekly = [(d, c) for d, c in flow if d.weekday() == 0 or (d, c) == last]
    rows = [(d.isoformat(), *(c.get(s, 0) for s in stages)) for d, c in weekly]
    return Chart("cfd", title, desc, _svg("cfd", title, desc, parts, legend),
                 ("Day", *(titles[s] for s in stages)), rows[-TABLE_ROWS:],
                 "One row per week (Mondays) and the last day.")


def cycle_chart(done: list[metrics.Completion]) -> Chart:
    """Cycle-time scatter: a dot per finished task, with the 50/85/95th percentile lines."""
    title = "Cycle time"
    if not done:
        return _empty("cycle", title, "No task has finished with a known cycle time yet.")
    values = [c.cycle_days for c in done]
    lines = {p: metrics.percentile(values, p) for p in metrics.PERCENTILES}
    first = min(c.finished for c in done).date()
    last = max(c.finished for c in done).date()
    span = max(1, (last - first).days)
    plot = _Plot(span, max(values) or 1)
    parts = [plot.y_axis("days"), plot.x_dates([first + dt.timedelta(days=i) for i in range(span + 1)])]
    for c in done:
        x, y = plot.x((c.finished.date() - first).days), plot.y(c.cycle_days)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#2455c3" fill-opacity=".6">'
                     f'<title>{escape(c.ref)}: {_days(c.cycle_days)}, done '
                     f'{c.finished.date()}</title></circle>')
    for p, value in lines.items():
        y = plot.y(value)
        colour = PERCENTILE_COLOURS[p]
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{WIDTH - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end" '
                     f'fill="{colour}" class="label">{p} %: {metrics.whole_days(value)} d</text>')
    desc = (f"{metrics.plural(len(done), 'task')} finished between {first} and {last}. "
            + "; ".join(f"{p} % took at most {_days(v)}" for p, v in lines.items()) + ".")
    rows = [(c.ref, c.finished.date().isoformat(), metrics.whole_days(c.cycle_days))
            for c in sorted(done, key=lambda c: (c.finished, c.ref), reverse=True)]
    note = f"The latest {TABLE_ROWS} of {len(rows)}." if len(rows) > TABLE_ROWS else ""
    return Chart("cycle", title, desc, _svg("cycle", title, desc, parts),
                 ("Task", "Done", "Cycle time (days)"), rows[:TABLE_ROWS], note)


def throughput_chart(weeks: list[tuple[dt.date, int]]) -> Chart:
    """Tasks finished per week: a bar per week."""
    title = "Throughput"
    if not weeks:
        return _empty("throughput", title, "No task has changed stage since the history began, "
                      "so no week of throughput is known yet.")
    top = max(n for _, n in weeks) or 1
    plot = _Plot(len(weeks), top)
    band = (WIDTH - LEFT - RIGHT) / len(weeks)
    parts = [plot.y_axis()]
    for i, (week, count) in enumerate(weeks):
        x, y = LEFT + i * band + band * 0.15, plot.y(count)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{band * 0.7:.1f}" '
                     f'height="{plot.y(0) - y:.1f}" fill="#2a9d5c"><title>week of {week}: '
                     f'{count} finished</title></rect>')
        if i % max(1, len(weeks) // 6) == 0:
            parts.append(f'<text x="{x + band * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle" class="tick">{week.strftime("%b %d")}</text>')
    total = sum(n for _, n in weeks)
    desc = (f"Tasks finished per week over the last {metrics.plural(len(weeks), 'week')}, "
            f"from the week of {weeks[0][0]}: {total} in all, at most {top} in one week.")
    rows = [(w.isoformat(), n) for w, n in reversed(weeks)]
    return Chart("throughput", title, desc, _svg("throughput", title, desc, parts),
                 ("Week of", "Finished"), rows)


def aging_chart(aging: list[metrics.Aging], active_stages, times) -> Chart:
    """Aging work in progress: a column per active stage, a dot per task at its age."""
    title = "Aging work in progress"
    if not aging or not active_stages:
        return _empty("aging", title, "No task is in an active stage with known history.")
    top = max(a.age_days for a in aging) or 1
    p85 = {t.stage: t.p85_days for t in times}
    plot = _Plot(len(active_stages), top)
    band = (WIDTH - LEFT - RIGHT) / len(active_stages)
    parts = [plot.y_axis("days")]
    for i, stage in enumerate(active_stages):
        centre = LEFT + band * (i + 0.5)
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                     f'class="tick">{escape(stage.title)}</text>')
        typical = p85.get(stage.id)
        if typical is not None and typical <= top:
            y = plot.y(typical)
            parts.append(f'<line x1="{centre - band * 0.4:.1f}" x2="{centre + band * 0.4:.1f}" '
                         f'y1="{y:.1f}" y2="{y:.1f}" stroke="#e0a21b" stroke-width="1.5" '
                         f'stroke-dasharray="5 3"><title>85 % of past stays in '
                         f'{escape(stage.title)}: {_days(typical)}</title></line>')
        here = [a for a in aging if a.stage == stage.id]
        for j, item in enumerate(here):
            offset = ((j * 37) % 61 - 30) / 30 * band * 0.3  # a fixed spread, not random
            late = typical is not None and item.stage_days > typical
            parts.append(f'<circle cx="{centre + offset:.1f}" cy="{plot.y(item.age_days):.1f}" '
                         f'r="4" fill="{"#a4201a" if late else "#2455c3"}" fill-opacity=".75">'
                         f'<title>{escape(item.ref)}: {_days(item.age_days)} since started, '
                         f'{_days(item.stage_days)} in {escape(stage.title)}</title></circle>')
    desc = (f"{metrics.plural(len(aging), 'task')} in progress by stage and age (days since "
            f"first active). Oldest: {aging[0].ref}, {_days(aging[0].age_days)}. Dashed lines: "
            "85 % of past stays in the stage; red dots are longer in their stage than that.")
    rows = [(a.ref, a.stage, str(a.age_days), str(a.stage_days)) for a in aging]
    return Chart("aging", title, desc, _svg("aging", title, desc, parts),
                 ("Task", "Stage", "Age (days)", "In stage (days)"), rows[:TABLE_ROWS],
                 f"The oldest {TABLE_ROWS} of {len(rows)}." if len(rows) > TABLE_ROWS else "")


# --- drawing -------------------------------------------------------------------------------


class _Plot:
    """Maps data to the plot area: x from 0 to `x_max`, y from 0 to a round top."""

    def __init__(self, x_max: float, y_max: float):
        self.x_max = x_max
        self.step = _nice_step(y_max)
        self.y_max = math.ceil(y_max / self.step) * self.step or self.step

    def x(self, value: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * value / self.x_max

    def y(self, value: float) -> float:
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / self.y_max

    def y_axis(self, unit: str = "") -> str:
        parts = []
        value = 0.0
        while value <= self.y_max + 1e-9:
            y = self.y(value)
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                         f'class="grid"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                         f'class="tick">{value:g}</text>')
            value += self.step
        if unit:
            parts.append(f'<text x="12" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2:.1f}" '
                         f'transform="rotate(-90 12 {TOP + (HEIGHT - TOP - BOTTOM) / 2:.1f})" '
                         f'text-anchor="middle" class="tick">{unit}</text>')
        return "".join(parts)

    def x_dates(self, days: list[dt.date]) -> str:
        """Month ticks along the x axis."""
        parts = []
        every = max(1, len(days) // 7)
        for i, day in enumerate(days):
            if i % every == 0:
                x = self.x(i * self.x_max / max(1, len(days) - 1))
                parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                             f'class="tick">{day.strftime("%b %d")}</text>')
        return "".join(parts)


def _nice_step(top: float) -> float:
    """A round grid step that gives about five lines up to `top`."""
    raw = max(top, 1) / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power) if factor * power >= 1 else 1.0
    return float(10 * power)


def _points(points) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _svg(chart_id: str, title: str, desc: str, parts: list[str],
         legend: list[tuple[str, str]] | None = None) -> str:
    """Wrap drawn parts in an accessible SVG element, with an optional legend."""
    height = HEIGHT
    extra = []
    if legend:
        x = LEFT
        for label, colour in legend:
            extra.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="12" height="12" '
                         f'fill="{colour}"/><text x="{x + 16}" y="{HEIGHT - 4}" '
                         f'class="tick">{escape(label)}</text>')
            x += 28 + 7 * len(label)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" '
            f'data-chart="{chart_id}"><title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
            f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" class="axis"/>'
            + "".join(parts) + "".join(extra) + "</svg>")


def _empty(chart_id: str, title: str, message: str) -> Chart:
    return Chart(chart_id, title, message, "", (), [], message)
