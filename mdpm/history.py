"""Stage history from git: every stage each task entered, when, in which commit, by whom.

The only module that runs git. One streaming pass: `git log --first-parent --raw -z` lists
the changed files of every commit, and one long-lived `git cat-file --batch` returns the new
blobs, whose front-matter says the stage. The result is cached under `.mdpm-cache/` by
commit, so a rebuild reads only the commits added since the last one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .load import decode, parse_yaml, split_front_matter

CACHE_DIR = ".mdpm-cache"
CACHE_FILE = "history.json"
CACHE_VERSION = 1
FIX_SHALLOW = ("this is a shallow clone: fetch the whole history (`git fetch --unshallow`, "
               "or `fetch-depth: 0` with actions/checkout in CI)")
_SIMPLE_STAGE = re.compile(r"^([A-Za-z0-9_-]+)(?:\s+#.*)?$")
_STAGE_LINE = re.compile(r"^stage[ \t]*:(.*)$", re.MULTILINE)
_READ_SIZE = 1 << 20
# The common case without decoding or YAML: the first line that is a simple `stage:` or the
# closing fence; any other `stage:` line (quoted, a list, ...) goes to the YAML parser.
_FAST_STAGE = re.compile(rb"^(?:stage[ \t]*:[ \t]*([A-Za-z0-9_-]*)(?:[ \t]+#[^\n]*)?[ \t]*$"
                         rb"|(?:---|\.\.\.)[ \t]*$|stage[ \t]*:)", re.MULTILINE)


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


def read_history(root: Path, refs=None, *, progress=None, config=None,
                 cache_dir: Path | None = None) -> History:
    """Return the stage history of the tasks `refs` (all tasks when None) at HEAD.

    `progress`, when given, is called with a short text now and then while mining.
    `cache_dir` defaults to root/.mdpm-cache; the cache is skipped in a shallow clone.
    """
    root = Path(root)
    first_stage = _first_stage(root, config)
    repo = _open_repo(root)
    if isinstance(repo, History):
        return repo
    cache_path = (Path(cache_dir) if cache_dir else root / CACHE_DIR) / CACHE_FILE
    state = _mine(repo, cache_path, progress)
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
        stream.write(("\r" + text + "\x1b[K") if tty else text + "\n")
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
    top = _git_or_none(root, "rev-parse", "--show-toplevel")
    if top is None:
        return History(message="not a git repository: stage history, flow metrics and stuck "
                               "work need the repository's git history (`git init`, commit)")
    head = _git_or_none(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if head is None:
        return History(message="no commits yet: stage history starts with the first commit")
    content = (root / "content" / "projects").resolve()
    top_path = Path(top).resolve()
    try:
        prefix = content.relative_to(top_path).as_posix() + "/"
    except ValueError:
        return History(message=f"{content} is outside the git repository {top_path}")
    shallow = _git_or_none(root, "rev-parse", "--is-shallow-repository") == "true"
    boundary = frozenset()
    if shallow:
        shallow_file = _git_or_none(root, "rev-parse", "--git-path", "shallow")
        path = Path(shallow_file) if shallow_file else None
        if path is not None and not path.is_absolute():
            path = root / path
        if path is not None and path.is_file():
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
    """Tracks of raw transitions per task file, as of `head`; what the cache stores."""

    prefix: str
    head: str | None = None
    commits: list = field(default_factory=list)
    """[sha, epoch, author] of the commits that made a transition."""
    tracks: list = field(default_factory=list)
    """Per task file: [[raw stage, commit index], ...]; "" means no `stage:` key."""
    alive: dict = field(default_factory=dict)
    """Path (relative to the top level) -> track index, for the files at `head`."""
    dead: dict = field(default_factory=dict)
    """Path -> track index of deleted files, resumed when the path comes back."""
    incomplete: set = field(default_factory=set)
    """Tracks that began at a shallow boundary: their start is unknown."""
    commit_index: dict = field(default_factory=dict)

    def new_track(self, incomplete: bool) -> int:
        self.tracks.append([])
        if incomplete:
            self.incomplete.add(len(self.tracks) - 1)
        return len(self.tracks) - 1

    def record(self, track: int, stage: str | None, commit: tuple) -> None:
        """Append a transition unless the stage is unknown or unchanged."""
        entries = self.tracks[track]
        if stage is None or (entries and entries[-1][0] == stage):
            return
        index = self.commit_index.get(commit[0])
        if index is None:
            index = self.commit_index[commit[0]] = len(self.commits)
            self.commits.append(list(commit))
        entries.append([stage, index])

    def transitions(self, first_stage: str, refs) -> dict[str, list[Transition]]:
        """Resolve stages and refs: {ref: [Transition, ...]} for the files at HEAD."""
        wanted = set(refs) if refs is not None else None
        times = [dt.datetime.fromtimestamp(c[1], dt.timezone.utc) for c in self.commits]
        result = {}
        for path, track in self.alive.items():
            ref = _ref_of(path, self.prefix)
            if ref is None or track in self.incomplete or (wanted is not None and ref not in wanted):
                continue
            found: list[Transition] = []
            for raw, index in self.tracks[track]:
                stage = raw or first_stage
                if not found or found[-1].stage != stage:
                    sha, _, author = self.commits[index]
                    found.append(Transition(stage, times[index], sha, author))
            if found:
                result[ref] = found
        return result

    def incomplete_count(self, refs) -> int:
        wanted = set(refs) if refs is not None else None
        return sum(1 for path, track in self.alive.items() if track in self.incomplete
                   and (wanted is None or _ref_of(path, self.prefix) in wanted))

    def to_json(self) -> dict:
        return {"version": CACHE_VERSION, "prefix": self.prefix, "head": self.head,
                "commits": self.commits, "tracks": self.tracks, "alive": self.alive,
                "dead": self.dead}

    @classmethod
    def from_json(cls, data: dict, prefix: str) -> _State | None:
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION \
                or data.get("prefix") != prefix:
            return None
        state = cls(prefix, data["head"], data["commits"], data["tracks"], data["alive"],
                    data["dead"])
        state.commit_index = {c[0]: i for i, c in enumerate(state.commits)}
        return state


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
    """Write the cache atomically, with a .gitignore so git never sees it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# mdpm's cache of mined git history\n*\n")
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
    commits = _read_log(repo, state.head if state else None, progress)
    if state is not None and commits and commits[-1].parent != state.head:
        state = None  # LAST is not on the first-parent line of HEAD
        commits = _read_log(repo, None, progress)
    state = state or _State(prefix)
    _apply(state, commits, repo)
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


def _read_log(repo: _Repo, since: str | None, progress) -> list[_Commit]:
    """Stream the first-parent log (newest first) and read every new task blob once."""
    total = _count_commits(repo.top, since) if progress else None
    args = ["git", "-c", "diff.renames=true", "log", "--first-parent", "--raw", "-z",
            "--no-abbrev", "-M", "--no-color", "--no-ext-diff", "--diff-merges=first-parent",
            "--format=%x01%H %ct %P%x00%aN", repo.head if since is None else f"{since}..{repo.head}"]
    blobs = _BlobReader(repo.top)
    log = subprocess.Popen(args, cwd=repo.top, env=_git_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    try:
        commits = _parse_log(log.stdout, repo.prefix, blobs.request, progress, total)
    finally:
        log.stdout.close()
        log.wait()
        stages = blobs.finish()
    for commit in commits:
        commit.changes = [(s, old, new, stages.get(blob) if blob else None)
                          for s, old, new, blob in commit.changes]
    if progress and total:
        progress(f"mining history: {total:,} commits read")
    return commits


def _count_commits(top: Path, since: str | None) -> int | None:
    spec = "HEAD" if since is None else f"{since}..HEAD"
    count = _git_or_none(top, "rev-list", "--first-parent", "--count", spec)
    return int(count) if count and count.isdigit() else None


def _parse_log(stream, prefix: bytes, request, progress, total) -> list[_Commit]:
    """Parse `git log --raw -z` output; keep only changes to task files under the prefix."""
    commits: list[_Commit] = []
    carry = b""
    pending: list[bytes] = []  # tokens of a raw entry not complete yet
    expect_author = False
    last_report = time.monotonic()
    while True:
        chunk = stream.read(_READ_SIZE)
        if not chunk:
            break
        tokens = (carry + chunk).split(b"\0")
        carry = tokens.pop()
        for token in tokens:
            if expect_author:
                commits[-1].author = token.decode("utf-8", "replace")
                expect_author = False
                continue
            if pending:
                pending.append(token)
                if _entry_complete(pending):
                    _add_change(commits[-1], pending, prefix, request)
                    pending = []
                continue
            token = token.lstrip(b"\n")
            if token.startswith(b"\x01"):
                sha, epoch, *parents = token[1:].decode("ascii").split(" ")
                commits.append(_Commit(sha, int(epoch), "", parents[0] if parents else None, []))
                expect_author = True
            elif token.startswith(b":"):
                pending = [token]
        if progress and time.monotonic() - last_report > 0.5:
            last_report = time.monotonic()
            of_total = f" of {total:,}" if total else ""
            progress(f"mining history: {len(commits):,}{of_total} commits")
    return commits


def _entry_complete(tokens: list[bytes]) -> bool:
    """A raw entry is its meta then one path, or two for a rename or copy."""
    status = tokens[0].rsplit(b" ", 1)[-1][:1]
    return len(tokens) == (3 if status in (b"R", b"C") else 2)


def _add_change(commit: _Commit, tokens: list[bytes], prefix: bytes, request) -> None:
    """Keep a raw entry that touches a task file; ask for its new blob."""
    meta = tokens[0].split(b" ")
    status = meta[4][:1].decode()
    old = tokens[1] if status in ("R", "C", "D") else None
    new = None if status == "D" else tokens[-1]
    old_is_task = old is not None and old.startswith(prefix) and old.endswith(b".md")
    new_is_task = new is not None and new.startswith(prefix) and new.endswith(b".md")
    if not (old_is_task or new_is_task):
        return
    blob = None if status == "D" else meta[3].decode()
    if blob and new_is_task:
        request(blob)
    commit.changes.append((status, _text(old) if old_is_task else None,
                           _text(new) if new_is_task else None, blob))


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

    def request(self, blob: str) -> None:
        if blob not in self.asked:
            self.asked.add(blob)
            self.process.stdin.write(blob.encode() + b"\n")

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
        found = _FAST_STAGE.search(data, 4)
        if found is not None and found.group(1) is not None:
            return found.group(1).decode("ascii")
        if found is not None and found.group(0)[:1] in (b"-", b"."):
            return ""  # the closing fence came first: no `stage:` key
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


def _apply(state: _State, commits: list[_Commit], repo: _Repo) -> None:
    """Replay commits oldest first: follow renames, deletions and re-additions."""
    for commit in reversed(commits):
        at_boundary = commit.sha in repo.boundary
        key = (commit.sha, commit.epoch, commit.author)
        changes = sorted(commit.changes, key=lambda c: c[0] not in ("D", "R"))
        for status, old, new, stage in changes:
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
            state.record(track, stage, key)


def _first_stage(root: Path, config) -> str:
    if config is None:
        from .config import load_config

        config, _ = load_config(root)
    return config.first_stage.id
