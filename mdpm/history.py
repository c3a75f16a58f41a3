"""Stage history from git: every stage each task entered, when, in which commit, by whom.

The only module that runs git. One streaming pass: `git log --first-parent --raw -z` lists
the changed files of every commit, and one long-lived `git cat-file --batch` returns the new
blobs, whose front-matter says the stage. The result is cached by commit in mdpm's cache
folder (`mdpm.cache.cache_dir`, outside the work tree), so a rebuild reads only the commits
added since the last one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .cache import cache_dir as cache_folder
from .load import cache_file_name, decode, parse_yaml, split_front_matter

CACHE_STEM = "history"
CACHE_VERSION = 2
FIX_SHALLOW = ("this is a shallow clone: fetch the whole history (`git fetch --unshallow`, "
               "or `fetch-depth: 0` with actions/checkout in CI)")
_SIMPLE_STAGE = re.compile(r"^([A-Za-z0-9_-]+)(?:\s+#.*)?$")
_STAGE_LINE = re.compile(r"^stage[ \t]*:(.*)$", re.MULTILINE)
_READ_SIZE = 1 << 20
PROGRESS_EVERY = 0.5
"""Seconds between progress reports while mining (none for a walk shorter than this)."""
# The common case without decoding or YAML: a plain `stage: word` line before the closing
# fence; anything else (quoted, a list, CRLF, a BOM, two stage keys...) goes to the parser.
_SIMPLE_LINE = re.compile(rb"stage[ \t]*:[ \t]*([A-Za-z0-9_-]*)(?:[ \t]+#[^\n]*)?[ \t]*$")


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


def read_history(root: Path, refs=None, *, progress=None, config=None,
                 cache_dir: Path | None = None) -> History:
    """Return the stage history of the tasks `refs` (all tasks when None) at HEAD.

    `progress`, when given, is called with a short text now and then while mining.
    `cache_dir` defaults to `mdpm.cache.cache_dir(root)`; the cache is skipped in a shallow
    clone.
    """
    root = Path(root)
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
    transitions = state.transitions(first_stage, refs)
    if repo.shallow:
        left_out = state.incomplete_count(refs)
        message = (f"history is partial: {left_out} task(s) began before the first commit of "
                   f"this clone and are left out; {FIX_SHALLOW}")
        return History(transitions, "shallow", message, repo.head)
    return History(transitions, "complete", "", repo.head)


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


# --- the mined state, kept in the cache ----------------------------------------------------


@dataclass
class _State:
    """Tracks of raw transitions per task file, as of `head`; what the cache stores.

    Compact for a fast cache: stages, authors and commits are tables, and a track is a flat
    list of (stage index, commit index) pairs.
    """

    prefix: str
    head: str | None = None
    stages: list = field(default_factory=list)
    """Raw stage values; "" means the file had no `stage:` key."""
    authors: list = field(default_factory=list)
    commits: list = field(default_factory=list)
    """[sha, epoch, author index] of the commits that made a transition."""
    tracks: list = field(default_factory=list)
    """Per task file: [stage index, commit index, stage index, commit index, ...]."""
    alive: dict = field(default_factory=dict)
    """Path (relative to the top level) -> track index, for the files at `head`."""
    dead: dict = field(default_factory=dict)
    """Path -> track index of deleted files, resumed when the path comes back."""
    incomplete: set = field(default_factory=set)
    """Tracks that began at a shallow boundary: their start is unknown."""
    _index: dict | None = None

    def new_track(self, incomplete: bool) -> int:
        self.tracks.append([])
        if incomplete:
            self.incomplete.add(len(self.tracks) - 1)
        return len(self.tracks) - 1

    def record(self, track: int, stage: str | None, commit: tuple) -> None:
        """Append a transition unless the stage is unknown or unchanged."""
        if stage is None:
            return
        entries = self.tracks[track]
        stage_id = self._intern("stage", stage, self.stages)
        if entries and entries[-2] == stage_id:
            return
        sha, epoch, author = commit
        key = ("commit", sha)
        index = self._lookup().get(key)
        if index is None:
            index = self._index[key] = len(self.commits)
            self.commits.append([sha, epoch, self._intern("author", author, self.authors)])
        entries += (stage_id, index)

    def _lookup(self) -> dict:
        if self._index is None:
            self._index = {("stage", v): i for i, v in enumerate(self.stages)}
            self._index.update((("author", v), i) for i, v in enumerate(self.authors))
            self._index.update((("commit", c[0]), i) for i, c in enumerate(self.commits))
        return self._index

    def _intern(self, kind: str, value: str, table: list) -> int:
        index = self._lookup().get((kind, value))
        if index is None:
            index = self._index[(kind, value)] = len(table)
            table.append(value)
        return index

    def transitions(self, first_stage: str, refs) -> Mapping[str, list[Transition]]:
        """The files at HEAD as {ref: [Transition, ...]}, resolved when first asked for."""
        wanted = set(refs) if refs is not None else None
        tracks = {}
        for path, track in self.alive.items():
            ref = _ref_of(path, self.prefix)
            if ref is not None and track not in self.incomplete and self.tracks[track] \
                    and (wanted is None or ref in wanted):
                tracks[ref] = track
        return _Transitions(self, first_stage, tracks)

    def incomplete_count(self, refs) -> int:
        wanted = set(refs) if refs is not None else None
        return sum(1 for path, track in self.alive.items() if track in self.incomplete
                   and (wanted is None or _ref_of(path, self.prefix) in wanted))

    def to_json(self) -> dict:
        # Commit ids as one string and two number lists: far quicker to (de)serialise.
        return {"version": CACHE_VERSION, "prefix": self.prefix, "head": self.head,
                "stages": self.stages, "authors": self.authors,
                "shas": "".join(c[0] for c in self.commits),
                "epochs": [c[1] for c in self.commits], "by": [c[2] for c in self.commits],
                "tracks": self.tracks, "alive": self.alive, "dead": self.dead}

    @classmethod
    def from_json(cls, data: dict, prefix: str) -> _State | None:
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION \
                or data.get("prefix") != prefix:
            return None
        shas, epochs, by = data["shas"], data["epochs"], data["by"]
        width = len(shas) // len(epochs) if epochs else 40
        commits = [[shas[i * width:(i + 1) * width], epoch, author]
                   for i, (epoch, author) in enumerate(zip(epochs, by))]
        if len(commits) * width != len(shas) or len(by) != len(epochs):
            return None
        return cls(prefix, data["head"], data["stages"], data["authors"], commits,
                   data["tracks"], data["alive"], data["dead"])


class _Transitions(Mapping):
    """{ref: transitions}, each list built from the raw track the first time it is read."""

    def __init__(self, state: _State, first_stage: str, tracks: dict[str, int]):
        self._state, self._first_stage, self._tracks = state, first_stage, tracks
        self._resolved: dict[str, list[Transition]] = {}
        self._times: dict[int, dt.datetime] = {}

    def __getitem__(self, ref: str) -> list[Transition]:
        found = self._resolved.get(ref)
        if found is None:
            found = self._resolved[ref] = self._resolve(self._tracks[ref])
        return found

    def __iter__(self):
        return iter(self._tracks)

    def __len__(self) -> int:
        return len(self._tracks)

    def __contains__(self, ref) -> bool:
        return ref in self._tracks

    def __repr__(self) -> str:
        return f"<transitions of {len(self)} tasks>"

    def _resolve(self, track: int) -> list[Transition]:
        state, found = self._state, []
        raw = state.tracks[track]
        for i in range(0, len(raw), 2):
            stage = state.stages[raw[i]] or self._first_stage
            if found and found[-1].stage == stage:
                continue
            commit = raw[i + 1]
            at = self._times.get(commit)
            sha, epoch, author = state.commits[commit]
            if at is None:
                at = self._times[commit] = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
            found.append(Transition(stage, at, sha, state.authors[author]))
        return found


def _ref_of(path: str, prefix: str) -> str | None:
    """Return `project/task` for a task file path under the prefix, else None."""
    if not path.startswith(prefix) or not path.endswith(".md"):
        return None
    parts = path[len(prefix):-3].split("/")
    if len(parts) != 2 or parts[0].startswith((".", "_")) or parts[1].startswith("_") \
            or not parts[0] or not parts[1]:
        return None
    return f"{parts[0]}/{parts[1]}"


def _load_cache(path: Path, prefix: str) -> _State | None:
    try:
        return _State.from_json(json.loads(path.read_bytes()), prefix)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_cache(path: Path, state: _State) -> None:
    """Write the cache atomically."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(state.to_json(), separators=(",", ":")))
        os.replace(temp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time on the next build


# --- mining ----------------------------------------------------------------------------------


def _mine(repo: _Repo, cache_path: Path, progress) -> _State:
    """Bring the cached state up to HEAD: mine LAST..HEAD, or everything when needed."""
    prefix = repo.prefix.decode("utf-8", "surrogateescape")
    state = None if repo.shallow else _load_cache(cache_path, prefix)
    if state is not None and state.head == repo.head:
        return state
    if state is not None and not _is_ancestor(repo.top, state.head, repo.head):
        state = None  # history was rewritten (rebase, reset, another branch): start over
    commits, stages = _read_log(repo, state.head if state else None, progress)
    if state is not None and commits and commits[-1].parent != state.head:
        state = None  # LAST is not on the first-parent line of HEAD
        commits, stages = _read_log(repo, None, progress)
    state = state or _State(prefix)
    _apply(state, commits, stages, repo.boundary)
    state.head = repo.head
    if not repo.shallow:
        _save_cache(cache_path, state)
    return state


def _is_ancestor(top: Path, older: str | None, newer: str) -> bool:
    if not older:
        return False
    result = subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=top,
                            env=_git_env(), capture_output=True)
    return result.returncode == 0


@dataclass
class _Commit:
    sha: str
    epoch: int
    author: str
    parent: str | None
    changes: list
    """(status letter, old path or None, new path or None, new blob or None)."""


def _read_log(repo: _Repo, since: str | None, progress) -> tuple[list[_Commit], dict]:
    """Stream the first-parent log (newest first) and read every new task blob once."""
    started = time.monotonic()
    total = _count_commits(repo.top, since) if progress else None
    args = ["git", "-c", "diff.renames=true", "log", "--first-parent", "--raw", "-z",
            "--no-abbrev", "-M", "--no-color", "--no-ext-diff", "--diff-merges=first-parent",
            "--format=%x01%H %ct %P%x00%aN", repo.head if since is None else f"{since}..{repo.head}"]
    blobs = _BlobReader(repo.top)
    with tempfile.TemporaryFile() as errors:
        log = subprocess.Popen(args, cwd=repo.top, env=_git_env(), stdout=subprocess.PIPE,
                               stderr=errors)
        try:
            commits = _parse_log(log.stdout, repo.prefix, blobs.request, progress, total)
        finally:
            log.stdout.close()
            log.wait()
            stages = blobs.finish()
        if log.returncode != 0:
            errors.seek(0)
            reason = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise _GitFailed(f"`git log` failed: {reason[-1] if reason else log.returncode}")
    if progress and time.monotonic() - started > PROGRESS_EVERY:  # only after a long walk
        progress(f"mining history: {len(commits):,} commits read\n")
    return commits, stages


class _GitFailed(Exception):
    """Git could not read the history (a damaged or partial repository)."""


def _count_commits(top: Path, since: str | None) -> int | None:
    spec = "HEAD" if since is None else f"{since}..HEAD"
    count = _git_or_none(top, "rev-list", "--first-parent", "--count", spec)
    return int(count) if count and count.isdigit() else None


def _parse_log(stream, prefix: bytes, request, progress, total) -> list[_Commit]:
    """Parse `git log --raw -z` output; keep only changes to task files under the prefix."""
    commits: list[_Commit] = []
    carry = b""
    last_report = time.monotonic()
    while True:
        chunk = stream.read(_READ_SIZE)
        data = carry + chunk
        # Parse whole commits only: cut before the last commit header seen so far.
        cut = data.rfind(b"\x01") if chunk else len(data)
        piece, carry = data[:max(cut, 0)], data[max(cut, 0):]
        blobs = _parse_piece(piece, prefix, commits)
        if blobs:
            request(blobs)
        if not chunk:
            break
        if progress and time.monotonic() - last_report > PROGRESS_EVERY:
            last_report = time.monotonic()
            of_total = f" of {total:,}" if total else ""
            progress(f"mining history: {len(commits):,}{of_total} commits")
    return commits


# A commit header (`\x01sha epoch parents\0author\0`) or a raw entry
# (`:mode mode old new STATUS\0path\0`, two paths for a rename or copy).
_LOG_TOKEN = re.compile(
    rb"\n?\x01(?P<sha>[0-9a-f]+) (?P<epoch>-?\d+) ?(?P<parent>[0-9a-f]*)[^\0]*\0(?P<author>[^\0]*)\0"
    rb"|\n?:[0-7]+ [0-7]+ [0-9a-f]+ (?P<blob>[0-9a-f]+) "
    rb"(?:(?P<renamed>[RC])\d*\0(?P<old>[^\0]*)\0(?P<new>[^\0]*)\0|(?P<status>[A-Z])\d*\0(?P<path>[^\0]*)\0)")


def _parse_piece(piece: bytes, prefix: bytes, commits: list[_Commit]) -> list[str]:
    """Add the commits of a piece of log output; return the task blobs to read."""
    blobs = []
    commit = commits[-1] if commits else None
    for match in _LOG_TOKEN.finditer(piece):
        sha = match.group("sha")
        if sha is not None:
            commit = _Commit(sha.decode(), int(match.group("epoch")),
                             match.group("author").decode("utf-8", "replace"),
                             match.group("parent").decode() or None, [])
            commits.append(commit)
            continue
        status = match.group("renamed")
        if status is None:
            status, path = match.group("status"), match.group("path")
            old, new = (path, None) if status == b"D" else (None, path)
        else:
            old, new = match.group("old"), match.group("new")
        old_is_task = old is not None and old.startswith(prefix) and old.endswith(b".md")
        new_is_task = new is not None and new.startswith(prefix) and new.endswith(b".md")
        if not (old_is_task or new_is_task):
            continue
        blob = None if status == b"D" else match.group("blob").decode()
        if blob and new_is_task:
            blobs.append(blob)
        commit.changes.append((status.decode(), _text(old) if old_is_task else None,
                               _text(new) if new_is_task else None, blob))
    return blobs


def _text(path: bytes) -> str:
    return path.decode("utf-8", "surrogateescape")


class _BlobReader:
    """One `git cat-file --batch`: blobs asked for while the log streams, read by a thread."""

    def __init__(self, top: Path):
        self.process = subprocess.Popen(["git", "cat-file", "--batch", "--buffer"], cwd=top,
                                        env=_git_env(), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.asked: set[str] = set()
        self.stages: dict[str, str | None] = {}
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def request(self, blobs: list[str]) -> None:
        """Ask for blobs not asked for yet, in one write."""
        fresh = [b for b in blobs if b not in self.asked]
        self.asked.update(fresh)
        if fresh:
            try:
                self.process.stdin.write(("\n".join(fresh) + "\n").encode())
            except OSError as exc:  # cat-file died: say so instead of a traceback
                raise _GitFailed(f"`git cat-file` stopped: {exc.strerror}") from None

    def finish(self) -> dict[str, str | None]:
        """Close the request stream, wait for the last answer; return {blob: raw stage}."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.thread.join()
        self.process.wait()
        return self.stages

    def _read(self) -> None:
        """Parse `<sha> blob <size>\\n<data>\\n` answers from big reads, not line by line."""
        out = self.process.stdout
        buffer = b""
        while True:
            chunk = out.read1(_READ_SIZE) if hasattr(out, "read1") else out.read(_READ_SIZE)
            if not chunk:
                break
            buffer = self._consume(buffer + chunk if buffer else chunk)
        out.close()

    def _consume(self, buffer: bytes) -> bytes:
        """Take every complete answer off the buffer; return what is left."""
        pos = 0
        end = len(buffer)
        while True:
            newline = buffer.find(b"\n", pos)
            if newline < 0:
                break
            parts = buffer[pos:newline].split(b" ")
            if len(parts) < 3 or parts[1] != b"blob":
                self.stages[parts[0].decode()] = None  # "missing" (a shallow boundary)
                pos = newline + 1
                continue
            stop = newline + 1 + int(parts[2])
            if stop + 1 > end:
                break
            self.stages[parts[0].decode()] = stage_in(buffer[newline + 1:stop])
            pos = stop + 1
        return buffer[pos:]


def stage_in(data: bytes) -> str | None:
    """Return the raw `stage:` of a task file's bytes: "" when absent, None when unreadable."""
    if data.startswith(b"---\n"):
        fence = data.find(b"\n---", 3)
        key = data.find(b"\nstage", 3, fence) if fence > 0 else -1
        if key > 0:
            found = _SIMPLE_LINE.match(data, key + 1, data.find(b"\n", key + 1))
            if found is not None and data.find(b"\nstage", key + 1, fence) < 0:
                return found.group(1).decode("ascii")
        elif fence > 0 and data[fence + 4:fence + 5] in (b"\n", b"") \
                and b"\n..." not in data[:fence] and b"stage" not in data[:fence]:
            return ""  # the front-matter ends without a `stage:` key
    text, problem = decode(data, "")
    if problem is not None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        return None
    yaml_text = parts[0]
    lines = _STAGE_LINE.findall(yaml_text)
    if not lines:
        return ""
    if len(lines) == 1:
        simple = _SIMPLE_STAGE.match(lines[0].strip())
        if simple:
            return simple.group(1)
    return _stage_from_yaml(yaml_text)


def _stage_from_yaml(yaml_text: str) -> str | None:
    """The careful way, for quoted, commented or odd values: the real YAML parser."""
    try:
        meta, _ = parse_yaml(yaml_text)
    except Exception:  # any YAML error: the stage of that version is unknown
        return None
    if not isinstance(meta, dict):
        return None
    value = meta.get("stage")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value).strip()


def _apply(state: _State, commits: list[_Commit], stages: dict, boundary: frozenset) -> None:
    """Replay commits oldest first: follow renames, deletions and re-additions."""
    for commit in reversed(commits):
        at_boundary = commit.sha in boundary
        key = (commit.sha, commit.epoch, commit.author)
        changes = commit.changes
        if len(changes) > 1:  # free the old paths first: a rename, then a new file there
            changes = sorted(changes, key=lambda c: c[0] not in ("D", "R"))
        for status, old, new, blob in changes:
            if status in ("D", "R") and old is not None and old in state.alive:
                track = state.alive.pop(old)
                if status == "D" or new is None:
                    state.dead[old] = track
                    continue
            elif status == "D":
                continue
            else:
                track = None
            if new is None:
                continue
            if track is None:
                track = state.alive.get(new)
            if track is None:
                track = state.dead.pop(new, None)
            if track is None:
                track = state.new_track(at_boundary)
            state.alive[new] = track
            state.record(track, stages.get(blob), key)


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
    from .metrics import stale_problems

    return stale_problems(workspace.portfolio, read_workspace_history(workspace), now)
