"""Stage history from git: every stage each task entered, when, in which commit, by whom.

The only module that runs git. One streaming pass: `git log --reverse --first-parent --raw
-z` lists the changed files of every commit, oldest first, and one long-lived `git cat-file
--batch` returns the new blobs, whose front-matter says the stage. A long history is listed
as a few ranges at once, one `git log` per core. Python replays each commit as it arrives
(renames, deletions) and records a transition as soon as its blob is read. The result is
cached by commit in mdpm's cache folder (`mdpm.cache.cache_dir`, outside the work tree), so a
rebuild reads only the commits added since the last one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, repeat
from operator import floordiv
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None

from .cache import cache_dir as cache_folder
from .load import cache_file_name
from .tracks import Replay, State, load_state, save_state, stage_at
from .tracks import stage_in  # noqa: F401 (part of this module's API)

CACHE_STEM = "history"
FIX_SHALLOW = ("this is a shallow clone: fetch the whole history (`git fetch --unshallow`, "
               "or `fetch-depth: 0` with actions/checkout in CI)")
_READ_SIZE = 1 << 20
_ANSWERS_SIZE = 8 << 20
# Python works on what git wrote in pieces of at least this size (while git is still
# writing): fewer, bigger steps, each with the interpreter's data still in the CPU caches.
_BATCH_SIZE = 256 << 10
PROGRESS_EVERY = 0.5
"""Seconds between progress reports while mining (none for a walk shorter than this)."""
POLL_EVERY = 0.002
"""Seconds to wait when git has written nothing new yet."""
ROTATE_AT = 64 << 20
"""Bytes of answers one `git cat-file` writes before the next requests go to a new one."""
PART_SIZE = 2000
MAX_PARTS = 4
"""A long history is read as up to MAX_PARTS ranges of at least PART_SIZE commits, one
`git log` each, on as many cores."""


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

    transitions: Mapping[str, list[Transition]] = field(default_factory=dict)
    status: str = "none"
    """"complete", "shallow" (a shallow clone: partial) or "none" (no git, no commits)."""
    message: str = "no git history: stage history, flow metrics and stuck work need a git repository"
    head: str | None = None

    @property
    def available(self) -> bool:
        return self.status != "none"

    def of(self, ref: str) -> list[Transition]:
        return self.transitions.get(ref, [])


class _MinedHistory(History):
    """A history read from git; its transitions are worked out all at once when first read
    (by the views, the metrics, the stale check), not while mining."""

    def __init__(self, state: State, first_stage: str, tracks: dict[str, int], status: str,
                 message: str, head: str):
        self.status, self.message, self.head = status, message, head
        self._mined = (state, first_stage, tracks)

    @cached_property
    def transitions(self) -> dict[str, list[Transition]]:
        """Then a plain dict: reading a task's transitions is one C call."""
        return _transitions(*self._mined)


def read_history(root: Path, refs=None, *, progress=None, config=None,
                 cache_dir: Path | None = None) -> History:
    """Return the stage history of the tasks `refs` (all tasks when None) at HEAD.

    `progress`, when given, is called with a short text now and then while mining.
    `cache_dir` defaults to `mdpm.cache.cache_dir(root)`; the cache is skipped in a shallow
    clone.
    """
    root = Path(root)
    if not hasattr(os, "pread"):  # reading git's output as it grows needs positioned reads
        return History(message="stage history needs a POSIX system (Linux, macOS, BSD): "
                       "flow metrics and stuck work are left out here")
    first_stage = _first_stage(root, config)
    repo = _open_repo(root)
    if isinstance(repo, History):
        return repo
    folder = Path(cache_dir) if cache_dir else cache_folder(root)
    cache_path = folder / cache_file_name(CACHE_STEM, root)
    try:
        state = _mine(repo, cache_path, progress)
    except _GitFailed as exc:
        return History(message=f"{exc}: stage history, flow metrics and stuck work are left out")
    tracks = state.tracks_of(refs)
    if repo.shallow:
        left_out = state.incomplete_count(refs)
        message = (f"history is partial: {left_out} task(s) began before the first commit of "
                   f"this clone and are left out; {FIX_SHALLOW}")
        return _MinedHistory(state, first_stage, tracks, "shallow", message, repo.head)
    return _MinedHistory(state, first_stage, tracks, "complete", "", repo.head)


def terminal_progress(stream=None):
    """Return a progress callback that writes to stderr (one updating line on a terminal)."""
    stream = stream or sys.stderr
    tty = hasattr(stream, "isatty") and stream.isatty()

    def report(text: str) -> None:
        line = text.rstrip("\n")
        if tty:  # one line, rewritten; a text ending in a newline is the last one
            stream.write("\r" + line + "\x1b[K" + ("\n" if text.endswith("\n") else ""))
        else:
            stream.write(line + "\n")
        stream.flush()

    return report


# --- the repository ------------------------------------------------------------------------


@dataclass
class _Repo:
    top: Path
    prefix: bytes
    """The task folder relative to the git top level: b"content/projects/"."""
    head: str
    shallow: bool
    boundary: frozenset


def _open_repo(root: Path) -> _Repo | History:
    """Find git, the top level and HEAD; a History saying why when there is no history."""
    if shutil.which("git") is None:
        return History(message="git is not installed: stage history, flow metrics and stuck "
                               "work need git and the repository's history")
    # One call in the common case; on failure, two more to say what is missing.
    found = (_git_or_none(root, "rev-parse", "--show-toplevel", "--is-shallow-repository",
                          "--git-path", "shallow", "HEAD^{commit}") or "").split("\n")
    if len(found) != 4:
        if _git_or_none(root, "rev-parse", "--show-toplevel") is None:
            return History(message="not a git repository: stage history, flow metrics and "
                                   "stuck work need the repository's git history (`git init`, "
                                   "commit)")
        return History(message="no commits yet: stage history starts with the first commit")
    top, shallow_answer, shallow_file, head = found
    content = (root / "content" / "projects").resolve()
    top_path = Path(top).resolve()
    try:
        prefix = content.relative_to(top_path).as_posix() + "/"
    except ValueError:
        return History(message=f"{content} is outside the git repository {top_path}")
    shallow = shallow_answer == "true"
    boundary = frozenset()
    if shallow:
        path = Path(shallow_file)
        path = path if path.is_absolute() else root / path
        if path.is_file():
            boundary = frozenset(path.read_text().split())
    return _Repo(top_path, prefix.encode("utf-8", "surrogateescape"), head, shallow, boundary)


def _git_env() -> dict:
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_PAGER": "cat"}


def _git_or_none(cwd: Path, *args: str) -> str | None:
    """Run a read-only git command; its stripped output, or None when it fails."""
    try:
        result = subprocess.run(["git", *args], cwd=cwd, env=_git_env(), capture_output=True,
                                text=True, errors="surrogateescape")
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


# --- transitions --------------------------------------------------------------------------


def _transitions(state: State, first_stage: str,
                 tracks: dict[str, int]) -> dict[str, list[Transition]]:
    """{ref: transitions, oldest first} of the tracks: each stage the task entered.

    Worked out for every track at once, a column at a time, not track by track (there are
    10,000s). Equal transitions (tasks added or moved by one commit) are one object: they
    are frozen.
    """
    lengths, entries = state.tracks.packed()
    keys = list(zip(entries[0::2], entries[1::2]))  # (stage, commit) of each entry
    names = [stage or first_stage for stage in state.stages]  # no `stage:`: the first stage
    made = _made(state, names, dict.fromkeys(keys))
    moves = list(map(made.__getitem__, keys))
    bounds = list(accumulate(map(floordiv, lengths, repeat(2)), initial=0))  # in pairs
    found = {ref: moves[bounds[track]:bounds[track + 1]] for ref, track in tracks.items()}
    repeated = _repeated_first_stage(state, first_stage, entries, bounds)
    if repeated:
        for ref, track in tracks.items():
            if track in repeated:
                found[ref] = _merged(found[ref])
    return found


def _repeated_first_stage(state: State, first_stage: str, entries: array,
                          bounds: list[int]) -> set[int]:
    """The tracks where a version without `stage:` is next to one in the first stage: the
    same stage twice in a row, to be merged."""
    if "" not in state.stages or first_stage not in state.stages:
        return set()
    empty, first = state.stages.index(""), state.stages.index(first_stage)
    stages, repeated, at = entries[0::2], set(), -1
    while True:  # array.index: the few versions without `stage:`, found in C
        try:
            at = stages.index(empty, at + 1)
        except ValueError:
            return repeated
        track = bisect_right(bounds, at) - 1
        if at > bounds[track] and stages[at - 1] == first \
                or at + 1 < bounds[track + 1] and stages[at + 1] == first:
            repeated.add(track)


def _made(state: State, names: list[str], made: dict) -> dict:
    """Fill {(stage, commit): None} with the transitions they stand for."""
    times = list(map(dt.datetime.fromtimestamp, state.epochs, repeat(dt.timezone.utc)))
    shas, width = state.shas, state.width
    shas = [shas[at:at + width] for at in range(0, len(shas), width)]
    authors = list(map(state.authors.__getitem__, state.by))
    new, fill = object.__new__, object.__setattr__
    for key in made:
        stage, commit = key
        move = made[key] = new(Transition)
        # All fields at once: a frozen dataclass's __init__ sets them one by one through
        # object.__setattr__, twice as slow, and there are 10,000s of transitions.
        fill(move, "__dict__", {"stage": names[stage], "at": times[commit],
                                "commit": shas[commit], "author": authors[commit]})
    return made


def _merged(moves: list[Transition]) -> list[Transition]:
    """The moves without a repeat of the stage before (no stage, then the first stage)."""
    return [move for i, move in enumerate(moves) if not i or move.stage != moves[i - 1].stage]


# --- mining ----------------------------------------------------------------------------------


def _mine(repo: _Repo, cache_path: Path, progress) -> State:
    """Bring the cached state up to HEAD: mine LAST..HEAD, or everything when needed."""
    prefix = repo.prefix.decode("utf-8", "surrogateescape")
    state = None if repo.shallow else load_state(cache_path, prefix)
    if state is not None and state.head == repo.head:
        return state
    if state is not None and not _is_ancestor(repo.top, state.head, repo.head):
        state = None  # history was rewritten (rebase, reset, another branch): start over
    if state is None or not _read_log(repo, state, state.head, progress):
        state = State(prefix)  # no cache, or LAST is not on the first-parent line of HEAD
        _read_log(repo, state, None, progress)
    state.head = repo.head
    if not repo.shallow:
        save_state(cache_path, state)
    return state


def _is_ancestor(top: Path, older: str | None, newer: str) -> bool:
    if not older:
        return False
    result = subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=top,
                            env=_git_env(), capture_output=True)
    return result.returncode == 0


def _read_log(repo: _Repo, state: State, since: str | None, progress) -> bool:
    """Replay SINCE..HEAD (all of HEAD when None) on `state`, oldest first.

    False, with `state` untouched, when SINCE is not the parent of the oldest commit (it is
    not on the first-parent line of HEAD).
    """
    started = time.monotonic()
    total, ranges = _plan(repo, since)
    replay = Replay(state, repo.prefix, repo.boundary, since)
    blobs = _BlobReader(repo.top)
    # All parts at once: git diffs each part on its own core while Python replays the first.
    logs = [_Child(_log_command(spec), repo.top) for spec in ranges]
    try:
        for log in logs:
            _replay_log(log, replay, blobs, progress, total)
            if replay.diverged:
                return False
            if log.process.returncode != 0:
                raise _GitFailed(f"`git log` failed: {log.reason()}")
        stages = blobs.finish()
        if len(stages) != replay.blob_count:
            raise _GitFailed(f"`git cat-file` stopped: {blobs.children[-1].reason()}")
        replay.finish(stages)
    finally:
        for log in logs:
            log.close()
        blobs.close()
    if progress and time.monotonic() - started > PROGRESS_EVERY:  # only after a long walk
        progress(f"mining history: {len(replay.commits):,} commits read\n")
    return True


def _plan(repo: _Repo, since: str | None) -> tuple[int | None, list[str]]:
    """Count the commits to read, and cut them into ranges that git can diff in parallel."""
    spec = repo.head if since is None else f"{since}..{repo.head}"
    count = _git_or_none(repo.top, "rev-list", "--first-parent", "--count", spec)
    count = int(count) if count and count.isdigit() else None
    parts = min(_cores(), MAX_PARTS, (count or 0) // PART_SIZE)
    if parts < 2:
        return count, [spec]
    # HEAD~k follows first parents: the cuts lie on the line being read, oldest first.
    names = [f"{repo.head}~{count * i // parts}" for i in range(parts - 1, 0, -1)]
    cuts = (_git_or_none(repo.top, "rev-parse", *names) or "").split()
    if len(cuts) != len(names):
        return count, [spec]
    starts, ends = [since, *cuts], [*cuts, repo.head]
    return count, [end if start is None else f"{start}..{end}" for start, end in zip(starts, ends)]


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _log_command(spec: str) -> list[str]:
    # Oldest first, so each commit is replayed as it arrives; first-parent, with git's
    # rename detection; the first parent is there to check SINCE.
    return ["git", "-c", "diff.renames=true", "log", "--reverse", "--first-parent", "--raw",
            "-z", "--no-abbrev", "-M", "--no-color", "--no-ext-diff",
            "--diff-merges=first-parent", "--format=%x01%H %ct %P%x00%aN", spec]


class _GitFailed(Exception):
    """Git could not read the history (a damaged or partial repository)."""


class _Child:
    """A git command writing to an unnamed temporary file, which is read as it grows.

    A file, not a pipe: git writes 4 KiB at a time, and a pipe would wake Python for each
    piece (thousands of wake-ups, a third of the Python time); a file is read when Python is
    ready for more, all that is there at once, and git never waits for Python.
    """

    def __init__(self, args: list[str], cwd: Path, stdin=None):
        self.output, self.errors = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        self.process = subprocess.Popen(args, cwd=cwd, env=_git_env(), stdin=stdin,
                                        stdout=self.output, stderr=self.errors)
        self.offset = 0  # pread: git's writes move the shared file offset, not this one

    def written(self) -> int:
        """How many bytes git wrote so far."""
        return os.fstat(self.output.fileno()).st_size

    def unread(self) -> int:
        """How many bytes git wrote that were not read yet."""
        return self.written() - self.offset

    def read(self, size: int) -> bytes:
        """What git wrote since the last read, at most `size` bytes (b"": nothing yet)."""
        chunk = os.pread(self.output.fileno(), size, self.offset)
        self.offset += len(chunk)
        return chunk

    def reason(self) -> str:
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.process.returncode}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        _close_input(self)
        self.process.wait()
        self.output.close()
        self.errors.close()


def _close_input(child: _Child) -> None:
    """Close the child's stdin (when it has one): it ends once it has answered."""
    if child.process.stdin and not child.process.stdin.closed:
        try:
            child.process.stdin.close()
        except OSError:
            pass


def _replay_log(log: _Child, replay: Replay, blobs: _BlobReader, progress, total) -> None:
    """Feed one log to the replay in big pieces of whole commits, until git is done."""
    carry = b""
    last_report = time.monotonic()
    while not replay.diverged:
        done = log.process.poll() is not None  # before reading: then b"" means the end
        chunk = log.read(_READ_SIZE) if done or log.unread() >= _BATCH_SIZE else b""
        if not chunk:
            if done:
                break
            if blobs.take():
                replay.record(blobs.stages)
            else:  # nothing new from either: let git work
                time.sleep(POLL_EVERY)
            continue
        data = carry + chunk if carry else chunk
        cut = max(data.rfind(b"\x01"), 0)  # whole commits only: up to the last header
        replay.feed(data, cut)
        carry = data[cut:]
        blobs.request(replay.take_fresh())
        if blobs.take():
            replay.record(blobs.stages)
        if progress and time.monotonic() - last_report > PROGRESS_EVERY:
            last_report = time.monotonic()
            of_total = f" of {total:,}" if total else ""
            progress(f"mining history: {len(replay.commits):,}{of_total} commits")
    if carry and not replay.diverged:
        replay.feed(carry, len(carry))
        blobs.request(replay.take_fresh())


def _widen_pipe(stream) -> None:
    """Make a pipe hold 1 MiB, not 64 KiB, so that a write to it does not wait (Linux)."""
    try:
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, _READ_SIZE)
    except (AttributeError, OSError):
        pass


class _BlobReader:
    """`git cat-file --batch`: blobs asked for while the log streams, read as they come.

    Each cat-file writes to a temporary file; once one has written ROTATE_AT bytes, the
    next requests go to a new one, and the old file is dropped when read to its end, so the
    disk holds a bounded slice of the answers, not every version of every task.
    """

    def __init__(self, top: Path):
        self.top = top
        self.children = deque([self._start()])
        """Oldest first: answers are read from the first, requests go to the last."""
        self.stages: list[str | None] = []
        """The raw stage of each blob, in the order asked for."""
        self._buffer = b""

    def _start(self) -> _Child:
        child = _Child(["git", "cat-file", "--batch=%(objecttype) %(objectsize)", "--buffer"],
                       self.top, stdin=subprocess.PIPE)
        _widen_pipe(child.process.stdin)  # so that a request never waits for git
        return child

    def request(self, blobs: list[bytes]) -> None:
        """Ask for blobs, in one write."""
        if not blobs:
            return
        if self.children[-1].written() >= ROTATE_AT:
            _close_input(self.children[-1])  # it answers what it was asked, then ends
            self.children.append(self._start())
        try:
            self.children[-1].process.stdin.write(b"\n".join(blobs) + b"\n")
            self.children[-1].process.stdin.flush()
        except OSError as exc:  # cat-file died: say so instead of a traceback
            raise _GitFailed(f"`git cat-file` stopped: {exc.strerror}") from None

    def take(self, at_least: int = _BATCH_SIZE) -> bool:
        """Read the answers that came since the last call, if there are `at_least` bytes;
        False when there were none."""
        oldest = self.children[0]
        if len(self.children) > 1 and oldest.process.poll() is not None \
                and not oldest.unread():
            oldest.close()  # read to its end: every answer it gave is taken
            self.children.popleft()
            oldest, self._buffer = self.children[0], b""
        if oldest.unread() < max(at_least, 1):
            return False
        chunk = oldest.read(_ANSWERS_SIZE)
        if chunk:
            buffer = self._buffer + chunk if self._buffer else chunk
            self._buffer = self._consume(buffer)
        return bool(chunk)

    def finish(self) -> list[str | None]:
        """Close the request stream and read the last answers."""
        _close_input(self.children[-1])
        for child in self.children:
            child.process.wait()
        while self.take(at_least=1) or len(self.children) > 1:
            pass
        return self.stages

    def close(self) -> None:
        for child in self.children:
            child.close()

    def _consume(self, buffer: bytes) -> bytes:
        """Take every complete `<type> <size>\\n<data>\\n` answer off the buffer."""
        pos, end, stages = 0, len(buffer), self.stages
        while True:
            newline = buffer.find(b"\n", pos)
            if newline < 0:
                break
            kind, _, size = buffer[pos:newline].partition(b" ")
            if not size.isdigit():  # `<sha> missing` (a shallow boundary): no data
                stages.append(None)
                pos = newline + 1
                continue
            stop = newline + 1 + int(size)
            if stop >= end:
                break
            stages.append(stage_at(buffer, newline + 1, stop) if kind == b"blob" else None)
            pos = stop + 1
        return buffer[pos:]


def _first_stage(root: Path, config) -> str:
    if config is None:
        from .config import load_config

        config, _ = load_config(root)
    return config.first_stage.id


def read_workspace_history(workspace) -> History:
    """Mine the history of a loaded workspace, showing progress when stderr is a terminal."""
    progress = terminal_progress() if sys.stderr.isatty() else None
    return read_history(workspace.root, workspace.portfolio.tasks, config=workspace.config,
                        progress=progress)


def stale_warnings(workspace, now: dt.datetime) -> list:
    """The `stale` check of `mdpm check`: mine the history, then flag long stays in a stage."""
    history = read_workspace_history(workspace)
    if not history.available:
        return []  # nothing to measure a stay by (and no metrics code to load)
    from .metrics import stale_problems

    return stale_problems(workspace.portfolio, history, now)
