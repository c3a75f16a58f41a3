"""Flow metrics: pure functions of (tasks, transitions, now). Nothing here reads a clock."""

from __future__ import annotations

import datetime as dt

from .config import Config
from .history import Transition

DAY = 86400.0


def cycle_days(transitions: list[Transition], config: Config) -> float | None:
    """Days from first entering an active stage to (last) entering the done stage."""
    started = next((t.at for t in transitions if _is_active(t.stage, config)), None)
    if started is None or not transitions or not _is_done(transitions[-1].stage, config):
        return None
    finished = transitions[-1].at
    return round((finished - started).total_seconds() / DAY, 2)


def days_in_current_stage(transitions: list[Transition], now: dt.datetime) -> int | None:
    """Whole days since the task entered the stage it is in now, when history knows."""
    if not transitions:
        return None
    return int((now - transitions[-1].at).total_seconds() // DAY)


def _is_active(stage_id: str, config: Config) -> bool:
    stage = config.stage(stage_id)
    return stage is not None and stage.is_active


def _is_done(stage_id: str, config: Config) -> bool:
    stage = config.stage(stage_id)
    return stage is not None and stage.is_done
