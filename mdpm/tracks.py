"""Stage tracks of task files: replayed from `git log --raw` output, kept in mdpm's cache.

A track is the list of (stage, commit) a task file went through, followed across renames,
deletions and re-additions. `Replay` builds tracks from the log as it streams; `State` holds
them with the tables they point into, and is what the cache file stores.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
from array import array
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from .load import decode, parse_yaml, split_front_matter

CACHE_VERSION = 3
_SIMPLE_STAGE = re.compile(r"^([A-Za-z0-9_-]+)(?:\s+#.*)?$")
_STAGE_LINE = re.compile(r"^stage[ \t]*:(.*)$", re.MULTILINE)
# The common case without decoding or YAML: a plain `stage: word` line before the closing
# fence; anything else (quoted, a list, CRLF, a BOM, two stage keys...) goes to the parser.
_SIMPLE_LINE = re.compile(rb"stage[ \t]*:[ \t]*([A-Za-z0-9_-]*)(?:[ \t]+#[^\n]*)?[ \t]*$")


@dataclass
class State:
    """Tracks of raw transitions per task file, as of `head`; what the cache stores.

    Compact for a fast cache: stages and authors are tables, commits are columns, and a
    track is a list of (stage index, commit index) pairs.
    """

    prefix: str
    head: str | None = None
    stages: list = field(default_factory=list)
    """Raw stage values; "" means the file had no `stage:` key."""
    authors: list = field(default_factory=list)
    shas: str = ""
    """The ids of the commits that made a transition, end to end (`width` characters each);
    `epochs` and `by` (author index) align with them."""
    width: int = 40
    epochs: array = field(default_factory=lambda: array("q"))
    by: array = field(default_factory=lambda: array("i"))
    tracks: _Tracks = field(default_factory=lambda: _Tracks(array("i"), array("i")))
    alive: dict = field(default_factory=dict)
    """Path (bytes, relative to the top level) -> track index, for the files at `head`."""
    dead: dict = field(default_factory=dict)
    """Path -> track index of deleted files, resumed when the path comes back."""
    incomplete: set = field(default_factory=set)
    """Tracks that began at a shallow boundary: their start is unknown."""

    def new_track(self, incomplete: bool) -> int:
        track = self.tracks.new()
        if incomplete:
            self.incomplete.add(track)
        return track

    def sha(self, commit: int) -> str:
        return self.shas[commit * self.width:(commit + 1) * self.width]

    def tracks_of(self, refs) -> dict[str, int]:
        """{ref: track} of the task files at HEAD with a known start (all when refs is None)."""
        wanted = set(refs) if refs is not None else None
        task_file = _task_file(self.prefix)
        tracks = {}
        for path, track in self.alive.items():
            found = task_file.fullmatch(path)
            if found is not None and track not in self.incomplete and self.tracks.size(track):
                ref = found.group(1).decode("utf-8", "surrogateescape")
                if wanted is None or ref in wanted:
                    tracks[ref] = track
        return tracks

    def incomplete_count(self, refs) -> int:
        wanted = set(refs) if refs is not None else None
        task_file = _task_file(self.prefix)
        return sum(1 for path, track in self.alive.items() if track in self.incomplete
                   and (found := task_file.fullmatch(path)) is not None
                   and (wanted is None or found.group(1).decode("utf-8", "surrogateescape")
                        in wanted))

    def to_json(self) -> dict:
        # Numbers as base64 of machine arrays and paths as one string: a few big values that
        # JSON reads and writes at once, instead of 100,000s of small ones.
        lengths, entries = self.tracks.packed()
        return {"version": CACHE_VERSION, "prefix": self.prefix, "head": self.head,
                "byteorder": sys.byteorder, "stages": self.stages, "authors": self.authors,
                "shas": self.shas, "epochs": _pack(self.epochs), "by": _pack(self.by),
                "lengths": _pack(lengths), "entries": _pack(entries),
                "alive": _pack_paths(self.alive),
                "alive_tracks": _pack(array("i", self.alive.values())),
                "dead": _pack_paths(self.dead),
                "dead_tracks": _pack(array("i", self.dead.values()))}

    @classmethod
    def from_json(cls, data: dict, prefix: str) -> State | None:
        """The state a cache holds; None unless it is this format, for this folder, whole."""
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION \
                or data.get("prefix") != prefix or data.get("byteorder") != sys.byteorder:
            return None
        stages, authors, shas = data["stages"], data["authors"], data["shas"]
        epochs, by = _unpack("q", data["epochs"]), _unpack("i", data["by"])
        lengths, entries = _unpack("i", data["lengths"]), _unpack("i", data["entries"])
        alive = _unpack_paths(data["alive"], _unpack("i", data["alive_tracks"]))
        dead = _unpack_paths(data["dead"], _unpack("i", data["dead_tracks"]))
        width = len(shas) // len(epochs) if epochs else 40
        if not (_strings(stages) and _strings(authors) and isinstance(shas, str)
                and len(epochs) * width == len(shas) and len(by) == len(epochs)
                and sum(lengths) == len(entries) and _below(entries[0::2], len(stages))
                and _below(entries[1::2], len(epochs)) and _below(by, len(authors))
                and alive is not None and _below(alive.values(), len(lengths))
                and dead is not None and _below(dead.values(), len(lengths))):
            return None
        return cls(prefix, data["head"], stages, authors, shas, width, epochs, by,
                   _Tracks(lengths, entries), alive, dead)


class _Tracks:
    """The tracks as the cache holds them (flat), a track copied out only when it grows."""

    def __init__(self, lengths: array, entries: array):
        self._lengths, self._entries = lengths, entries
        self._starts = array("q", accumulate(lengths, initial=0))
        self._grown: dict[int, list] = {}
        self._count = len(lengths)

    def __len__(self) -> int:
        return self._count

    def new(self) -> int:
        self._grown[self._count] = []
        self._count += 1
        return self._count - 1

    def size(self, track: int) -> int:
        grown = self._grown.get(track)
        if grown is not None:
            return len(grown)
        return self._lengths[track]

    def view(self, track: int):
        """The track's [stage, commit, ...] entries, not to be changed."""
        grown = self._grown.get(track)
        if grown is not None:
            return grown
        return self._entries[self._starts[track]:self._starts[track + 1]]

    def growable(self, track: int) -> list:
        """The track's entries as a list to append to."""
        grown = self._grown.get(track)
        if grown is None:
            grown = self._grown[track] = self.view(track).tolist()
        return grown

    def packed(self) -> tuple[array, array]:
        """(lengths, entries) of every track, the flat form the cache keeps."""
        if not self._grown:
            return self._lengths, self._entries
        lengths, entries = array("i", self._lengths), array("i")
        lengths.extend([0] * (self._count - len(lengths)))
        old, done = len(self._lengths), 0  # the old tracks before `done` are copied
        for track in sorted(self._grown):
            stop = min(track, old)
            if stop > done:
                entries += self._entries[self._starts[done]:self._starts[stop]]
            done = max(done, min(track + 1, old))
            entries.extend(self._grown[track])
            lengths[track] = len(self._grown[track])
        entries += self._entries[self._starts[done]:self._starts[old]]
        return lengths, entries


def _pack(values: array) -> str:
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unpack(code: str, text: str) -> array:
    values = array(code)
    values.frombytes(base64.b64decode(text, validate=True))
    return values


def _pack_paths(paths: dict) -> str:
    return base64.b64encode(b"\0".join(paths)).decode("ascii")


def _unpack_paths(text: str, tracks: array) -> dict | None:
    joined = base64.b64decode(text, validate=True)
    paths = joined.split(b"\0") if joined else []
    return dict(zip(paths, tracks)) if len(paths) == len(tracks) else None


def _below(indexes, size: int) -> bool:
    """True when no index is `size` or more: a damaged cache must not crash a build (a
    negative one reads a wrong value, but only a cache crafted on purpose has one)."""
    return max(indexes, default=-1) < size


def _strings(values) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


def _task_file(prefix: str) -> re.Pattern:
    """A pattern of task file paths under the prefix; group 1 is the ref, `project/task`."""
    return re.compile(re.escape(prefix.encode("utf-8", "surrogateescape"))
                      + rb"([^/._][^/]*/[^/_][^/]*)\.md")


def load_state(path: Path, prefix: str) -> State | None:
    """The state cached at `path`; None when it is missing, unreadable or another format."""
    try:
        return State.from_json(json.loads(path.read_bytes()), prefix)
    except (OSError, ValueError, KeyError, TypeError, binascii.Error):
        return None


def save_state(path: Path, state: State) -> None:
    """Write the state to the cache at `path`, atomically."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(state.to_json(), separators=(",", ":")))
        os.replace(temp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time on the next build


# A raw entry (`:mode mode old new STATUS\0path\0`, two paths for a rename or copy) or a
# commit header (`\x01sha epoch parents\0author\0`). Entries first and `[^ ]+` rather than
# exact classes: twice as fast, and git's output has that shape.
_LOG_TOKEN = re.compile(
    rb":[^ ]+ [^ ]+ [^ ]+ ([^ ]+) "
    rb"(?:([RC])\d*\0([^\0]*)\0([^\0]*)\0|([A-BD-QS-Z])\d*\0([^\0]*)\0)"
    rb"|\x01([^ ]+) ([^ ]+) ?([^ \0]*)[^\0]*\0([^\0]*)\0")


class Replay:
    """Replays log output on a state as it streams: renames, deletions and re-additions.

    Each new version of a task file becomes an event (track, blob number, commit number);
    blobs are numbered in the order they are asked for, which is the order cat-file answers
    in, so `record` can turn events into transitions while the rest is still being read.
    """

    def __init__(self, state: State, prefix: bytes, boundary: frozenset, since: str | None):
        self.state, self.prefix = state, prefix
        self.boundary = frozenset(sha.encode() for sha in boundary)
        self.since = since.encode() if since else None
        self.diverged = False
        self.commits: list[tuple[bytes, bytes, bytes]] = []
        """(sha, epoch, author) of each commit read."""
        self.events: list = []
        """Flat: track, blob number, commit number, track, blob number, commit number..."""
        self.fresh: list[bytes] = []
        """Blobs not asked for yet."""
        self._asked: dict[bytes, int] = {}
        """Blob -> its number."""
        self._firsts: list[int] = []
        """Per blob number, the index of the first event with that blob."""
        self._held: list = []
        """The changes of the current commit other than edits of a tracked file."""
        self._recorded = 0
        """Events before this index are recorded."""
        self._stage_ids = {stage: i for i, stage in enumerate(state.stages)}
        self._author_ids = {author: i for i, author in enumerate(state.authors)}
        self._tracks: dict[int, list] = {}
        self._shas: list[str] = []
        self._last = -1

    def feed(self, data: bytes, end: int) -> None:
        """Replay the whole commits in data[:end]."""
        alive, prefix, held, commits = self.state.alive, self.prefix, self._held, self.commits
        events, asked, fresh, firsts = self.events, self._asked, self.fresh, self._firsts
        commit = len(commits) - 1
        for blob, renamed, old, new, status, path, sha, epoch, parent, author \
                in _LOG_TOKEN.findall(data, 0, end):
            if status == b"M":  # the common case, inline: a tracked file edited
                track = alive.get(path)
                if track is not None:
                    number = asked.get(blob)
                    if number is None:
                        number = asked[blob] = len(asked)
                        fresh.append(blob)
                        firsts.append(len(events))
                    events += (track, number, commit)
                    continue
            if sha:
                if held:
                    self._settle()
                if self.since is not None and not commits and parent != self.since:
                    self.diverged = True
                    return
                commits.append((sha, epoch, author))
                commit += 1
            elif renamed:
                old = old if old.startswith(prefix) and old.endswith(b".md") else None
                new = new if new.startswith(prefix) and new.endswith(b".md") else None
                if old is not None or new is not None:
                    held.append((renamed, old, new, blob))
            elif path.startswith(prefix) and path.endswith(b".md"):
                held.append((status, path, None, None) if status == b"D"
                            else (status, None, path, blob))
        if held:
            self._settle()

    @property
    def blob_count(self) -> int:
        """How many blobs were asked for."""
        return len(self._asked)

    def take_fresh(self) -> list[bytes]:
        """The blobs to ask for since the last call, in the order of their numbers."""
        fresh, self.fresh = self.fresh, []
        return fresh

    def _settle(self) -> None:
        """Apply the held changes of the current commit, freeing old paths first."""
        state, changes = self.state, self._held
        alive, dead = state.alive, state.dead
        if len(changes) > 1:  # a rename, then a new file at the old path
            changes.sort(key=lambda change: change[0] not in (b"D", b"R"))
        at_boundary = self.commits[-1][0] in self.boundary
        for status, old, new, blob in changes:
            track = None
            if status in (b"D", b"R") and old is not None and old in alive:
                track = alive.pop(old)
                if status == b"D" or new is None:
                    dead[old] = track
                    continue
            elif status == b"D" or new is None:
                continue
            if track is None:
                track = alive.get(new)
            if track is None:
                track = dead.pop(new, None)
            if track is None:
                track = state.new_track(at_boundary)
            alive[new] = track
            number = self._asked.get(blob)
            if number is None:
                number = self._asked[blob] = len(self._asked)
                self.fresh.append(blob)
                self._firsts.append(len(self.events))
            self.events += (track, number, len(self.commits) - 1)
        changes.clear()

    def record(self, stages: list) -> None:
        """Turn the events whose blobs are read into transitions: each known stage that
        differs from the track's last one. `stages` holds the raw stage of blob number i."""
        state, start = self.state, self._recorded
        # Events up to the first one with a blob not read yet: all their blobs are read.
        end = self._firsts[len(stages)] if len(stages) < len(self._firsts) else len(self.events)
        if end <= start:
            return
        stage_ids, tracks, commits = self._stage_ids, self._tracks, self.commits
        index, last = len(state.epochs) - 1, self._last
        events = iter(self.events[start:end])
        for track, number, commit in zip(events, events, events):
            stage = stages[number]
            if stage is None:
                continue  # unreadable, or not in a shallow clone
            stage_id = stage_ids.get(stage)
            if stage_id is None:
                stage_id = stage_ids[stage] = len(state.stages)
                state.stages.append(stage)
            entries = tracks.get(track)
            if entries is None:
                entries = tracks[track] = state.tracks.growable(track)
            if entries and entries[-2] == stage_id:
                continue
            if commit != last:  # events come in commit order: a commit is added once
                last, index = commit, index + 1
                self._add_commit(*commits[commit])
            entries += (stage_id, index)
        self._recorded, self._last = end, last

    def _add_commit(self, sha: bytes, epoch: bytes, author: bytes) -> None:
        state = self.state
        name = author.decode("utf-8", "replace")
        author_id = self._author_ids.get(name)
        if author_id is None:
            author_id = self._author_ids[name] = len(state.authors)
            state.authors.append(name)
        self._shas.append(sha.decode())
        state.epochs.append(int(epoch))
        state.by.append(author_id)

    def finish(self, stages: list) -> None:
        """Record the last events, once every blob is read."""
        self.record(stages)
        if self._shas:
            state = self.state
            state.width = len(self._shas[0]) if not state.shas else state.width
            state.shas += "".join(self._shas)


def stage_in(data: bytes) -> str | None:
    """Return the raw `stage:` of a task file's bytes: "" when absent, None when unreadable."""
    return stage_at(data, 0, len(data))


def stage_at(data: bytes, start: int, stop: int) -> str | None:
    """The raw `stage:` of the file in data[start:stop], read in place when it is plain."""
    if data.startswith(b"---\n", start, stop):
        fence = data.find(b"\n---", start + 3, stop)
        key = data.find(b"\nstage", start + 3, fence) if fence >= 0 else -1
        if key >= 0:
            found = _SIMPLE_LINE.match(data, key + 1, data.find(b"\n", key + 1, stop))
            if found is not None and data.find(b"\nstage", key + 1, fence) < 0:
                return found.group(1).decode("ascii")
        elif fence >= 0 and (fence + 4 == stop or data[fence + 4] == 10) \
                and data.find(b"\n...", start, fence) < 0 and data.find(b"stage", start, fence) < 0:
            return ""  # the front-matter ends without a `stage:` key
    return _stage_parsed(data[start:stop])


def _stage_parsed(data: bytes) -> str | None:
    """The stage of a file whose front-matter is not plain, read the way `load` reads it."""
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


