"""Stage history from git: every stage each task entered, when, in which commit, by whom.

The only module that runs git. (Interface fixed first; the miner is being written.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Transition:
    """A task entered `stage` at `at` in `commit`."""

    stage: str
    at: dt.datetime
    commit: str
    author: str = ""


@dataclass
class History:
    """Transitions per task reference, oldest first, and how complete they are."""

    transitions: dict[str, list[Transition]] = field(default_factory=dict)
    status: str = "none"
    """"complete", "shallow" (a shallow clone: partial) or "none" (no git, no commits)."""
    message: str = "no git history: stage history, flow metrics and stuck work need a git repository"
    head: str | None = None

    @property
    def available(self) -> bool:
        return self.status != "none"

    def of(self, ref: str) -> list[Transition]:
        return self.transitions.get(ref, [])


def read_history(root: Path, refs, *, progress=None) -> History:
    """Return the stage history of the tasks `refs` (not yet mined: none)."""
    return History()
