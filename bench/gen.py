"""Generate a deterministic synthetic mdpm repository, optionally with a git history.

    python bench/gen.py --projects 100 --tasks 100 --commits 50000 --out DIR

or, from Python (run from the repository root):

    from bench.gen import generate
    summary = generate("/tmp/corpus", projects=100, tasks=100, commits=50000)

See bench/README.md for every option and for what the corpus looks like.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

STAGES = ("backlog", "ready", "doing", "review", "done")
QUEUE, ACTIVE, DONE = ("backlog", "ready"), ("doing", "review"), ("done",)
STAGE_WEIGHTS = (30, 15, 10, 5, 40)
ROLES = ("writer", "editor", "designer", "web")
FIRST = ("ana", "ben", "carla", "dev", "eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea",
         "milo", "nia", "omar", "pia", "quinn", "rosa", "sam", "tove", "uma", "vik", "wes", "yara")
LAST = ("Ortiz", "Carter", "Mendes", "Patel", "Novak", "Lindqvist", "Berg", "Sato", "Kowalski",
        "Okafor", "Rossi", "Dubois", "Nguyen", "Haddad", "Silva", "Moreau", "Jensen", "Ivanova")
VERBS = ("Draft", "Review", "Design", "Publish", "Interview", "Edit", "Format", "Promote",
         "Plan", "Measure", "Translate", "Record", "Schedule", "Approve", "Update", "Archive")
THINGS = ("the case study", "the landing page", "the newsletter", "the launch post", "the brief",
          "the press kit", "the webinar", "the survey", "the social calendar", "the brand kit",
          "the pricing page", "the customer quote", "the video script", "the banner set")
WORDS = ("customer", "draft", "review", "budget", "launch", "audience", "message", "channel",
         "deadline", "feedback", "approval", "image", "headline", "story", "metric", "campaign",
         "brand", "partner", "quote", "release", "copy", "layout", "version", "asset", "legal")
TAGS = ("content", "web", "social", "design", "legal", "video", "seo", "events", "email", "pr")
EPOCH_START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.timezone.utc)


@dataclass
class Task:
    """One generated task: its fixed front-matter around the stage line, and its body."""

    project: str
    stem: str
    stage: str
    head: str  # front-matter lines before `stage:`
    tail: str  # front-matter lines after `stage:`, with the closing fence
    body: str
    deps: list[str] = field(default_factory=list)  # full references
    old_stem: str | None = None  # the name before a rename in the history
    walk: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.project}/{self.stem}"

    def text(self, stage: str | None = None) -> str:
        return f"{self.head}stage: {stage or self.stage}\n{self.tail}{self.body}"


@dataclass
class Summary:
    """What generate() made."""

    root: Path
    projects: int
    tasks: int
    people: int
    commits: int = 0
    transitions: int = 0
    renames: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {**self.__dict__, "root": str(self.root)}


def generate(out, projects: int = 10, tasks: int = 100, commits: int = 0, *, seed: int = 42,
             people: int = 0, git: bool | None = None, renames: int = 0, errors: int = 0,
             body_only: float = 0.1, cross_project: float = 0.05, days: int = 365,
             repack: bool = False, force: bool = False) -> Summary:
    """Write a repository of `projects` x `tasks` task files into `out`; return a Summary."""
    started = time.perf_counter()
    root = _prepare(Path(out), force)
    rng = random.Random(seed)
    handles = _people(people or max(6, min(len(FIRST) * 4, (projects * tasks) // 150 + 6)))
    corpus = _make_tasks(rng, projects, tasks, handles, cross_project)
    renamed = _pick_renames(rng, corpus, renames) if commits else []
    _inject_errors(rng, corpus, errors)
    summary = Summary(root, projects, projects * tasks, len(handles))
    if git or (git is None and commits):
        history = _History(rng, corpus, handles, commits, body_only, days)
        marks = history.write(root, renamed)
        summary.commits, summary.transitions = history.count, history.events
        summary.renames = len(renamed)
        _write_expected(root, corpus, history, marks)
    _write_tree(root, corpus, handles)
    if git or (git is None and commits):
        _git(root, "reset", "-q")
        if repack:
            _git(root, "repack", "-adfq")
            _git(root, "commit-graph", "write", "--reachable")
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _prepare(root: Path, force: bool) -> Path:
    if root.exists() and any(root.iterdir()):
        if not force:
            raise SystemExit(f"{root} is not empty; pass --force to replace it")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve()


def _people(count: int) -> list[tuple[str, str]]:
    """Return (handle, name) pairs; handles are unique and stable for a given count."""
    result = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        handle = first if i < len(FIRST) else f"{first}{i // len(FIRST) + 1}"
        result.append((handle, f"{first.capitalize()} {last}"))
    return result


def _make_tasks(rng, projects, per_project, handles, cross_project) -> list[list[Task]]:
    """Choose stages first, then dependencies that are acyclic and respect stage order."""
    corpus: list[list[Task]] = []
    done_refs: list[list[str]] = []
    names = [h for h, _ in handles]
    for p in range(projects):
        project = f"proj-{p + 1:03d}"
        tasks, done_here = [], []
        for t in range(per_project):
            stem = f"task-{t + 1:03d}"
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
            deps = _choose_deps(rng, t, per_project, stage, done_here, done_refs, cross_project)
            head, tail = _front_matter(rng, stage, deps, names)
            full = [d if "/" in d else f"{project}/{d}" for d in deps]
            tasks.append(Task(project, stem, stage, head, tail, _body(rng), deps=full))
            if stage in DONE:
                done_here.append(stem)
        corpus.append(tasks)
        done_refs.append([f"{project}/{s}" for s in done_here])
    return corpus


def _choose_deps(rng, index, per_project, stage, done_here, done_refs, cross_project) -> list[str]:
    """Depend only on earlier tasks (no cycles); an active or done task only on done ones."""
    if index == 0 or rng.random() > 0.3:
        return []
    deps = []
    for _ in range(rng.randint(1, 3)):
        if done_refs and rng.random() < cross_project:
            other = rng.randrange(len(done_refs))
            pool = done_refs[other] if stage not in QUEUE else [
                f"proj-{other + 1:03d}/task-{i + 1:03d}" for i in range(per_project)]
        else:
            pool = done_here if stage not in QUEUE else [f"task-{i + 1:03d}" for i in range(index)]
        if pool:
            deps.append(rng.choice(pool))
    return list(dict.fromkeys(deps))


def _front_matter(rng, stage, deps, names) -> tuple[str, str]:
    lines = ["---", f"title: {rng.choice(VERBS)} {rng.choice(THINGS)} ({rng.randint(1, 999)})"]
    owner, writer, editor = rng.sample(names, 3)
    if stage not in QUEUE or rng.random() < 0.8:
        lines.append(f"owner: {owner}")
    if stage == "review" or rng.random() < 0.7:
        lines += ["collaborators:", f"  writer: {writer}", f"  editor: {editor}"]
    elif rng.random() < 0.5:
        lines.append(f"collaborators: [{writer}, {editor}]")
    head = "\n".join(lines) + "\n"
    tail = []
    if deps:
        tail += ["depends-on:"] + [f"  - {d}" for d in deps] if rng.random() < 0.5 \
            else [f"depends-on: [{', '.join(deps)}]"]
    if rng.random() < 0.6:
        base = dt.date(2025, 3, 1) if stage in DONE else dt.date(2027, 6, 1)
        tail.append(f"due: {base + dt.timedelta(days=rng.randint(0, 300))}")
    tail.append(f"priority: {rng.choices(('high', 'normal', 'low'), (2, 6, 2))[0]}")
    if rng.random() < 0.4:
        tail.append(f"estimate: {rng.choice((0.5, 1, 2, 3, 5))}")
    if rng.random() < 0.5:
        tail.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
    if rng.random() < 0.05 and stage in ACTIVE:
        tail.append("blocked: waiting for legal")
    tail.append(f"created: {dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 200))}")
    return head, "\n".join(tail) + "\n---\n"


def _sentence(rng, words=(6, 14)) -> str:
    text = " ".join(rng.choices(WORDS, k=rng.randint(*words)))
    return text[0].upper() + text[1:] + "."


def _body(rng) -> str:
    """Return a 20-60 line Markdown body: headings, prose, checklist, lists, table, code."""
    parts = [f"## Context\n\n{_sentence(rng)} The **{rng.choice(WORDS)}** needs "
             f"`{rng.choice(WORDS)}` and a [link](https://example.com/{rng.choice(WORDS)}). "
             f"{_sentence(rng)}\n"]
    items = "\n".join(f"- [{'x' if rng.random() < 0.4 else ' '}] {_sentence(rng, (2, 5))}"
                      for _ in range(rng.randint(2, 7)))
    parts.append(f"## Checklist\n\n{items}\n")
    nested = "\n".join(f"- {rng.choice(WORDS)}\n  - {_sentence(rng, (2, 4))}"
                       for _ in range(rng.randint(1, 3)))
    numbered = "\n".join(f"{i}. {_sentence(rng, (3, 6))}" for i in range(1, rng.randint(2, 5)))
    parts.append(f"### Notes\n\n{nested}\n\n{numbered}\n")
    rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.choice(FIRST)} | {rng.randint(1, 99)} |"
                     for _ in range(rng.randint(2, 5)))
    parts.append(f"### Plan\n\n| item | who | days |\n|---|---|---|\n{rows}\n")
    if rng.random() < 0.5:
        parts.append(f"```yaml\n{rng.choice(WORDS)}: {rng.randint(1, 9)}\n"
                     f"{rng.choice(WORDS)}: [a, b]\n```\n")
    parts.append(_sentence(rng, (10, 30)) + "\n")
    return "\n" + "\n".join(parts)


def _pick_renames(rng, corpus, count) -> list[Task]:
    """Pick tasks that nothing depends on; they start under another name in the history."""
    depended = {ref for tasks in corpus for t in tasks for ref in t.deps}
    candidates = [t for tasks in corpus for t in tasks if t.ref not in depended]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    for task in chosen:
        task.old_stem = f"old-{task.stem}"
    return chosen


def _inject_errors(rng, corpus, count) -> None:
    """Break `count` tasks in rotating ways, so check has something to report."""
    flat = [t for tasks in corpus for t in tasks]
    kinds = ("dep-missing", "person-unknown", "date-invalid", "key-unknown")
    for i, task in enumerate(rng.sample(flat, min(count, len(flat)))):
        kind = kinds[i % len(kinds)]
        addition = {"dep-missing": "depends-on: [no-such-task]",
                    "person-unknown": "owner: nobody-here",
                    "date-invalid": "due: 2026-02-30",
                    "key-unknown": "dependson: [task-001]"}[kind]
        key = addition.split(":")[0] + ":"
        kept = [line for line in task.tail.splitlines() if not line.startswith(key)
                and not (kind == "dep-missing" and line.startswith("  - "))]
        head = [line for line in task.head.splitlines() if not line.startswith(key)]
        if kind == "person-unknown":
            head.append(addition)
        else:
            kept.insert(0, addition)
        task.head, task.tail = "\n".join(head) + "\n", "\n".join(kept) + "\n"


def _walk_back(rng, final: str, steps: int) -> list[str]:
    """Return steps+1 stages ending at `final`, each different from the one before."""
    walk = [final]
    for _ in range(steps):
        current = STAGES.index(walk[-1])
        if current > 0 and rng.random() < 0.75:
            previous = current - 1
        else:
            previous = rng.choice([i for i in range(len(STAGES)) if i != current])
        walk.append(STAGES[previous])
    walk.reverse()
    return walk


class _History:
    """Plan and stream a git fast-import history whose final tree is the corpus."""

    def __init__(self, rng, corpus, handles, commits, body_only, days):
        self.rng, self.corpus, self.handles = rng, corpus, handles
        self.commits, self.body_only = commits, body_only
        self.count = len(corpus) + commits
        gap = max(2, int(days * 86400 / max(1, self.count)))
        self.times, now = [], int(EPOCH_START.timestamp())
        for _ in range(self.count):
            now += rng.randint(1, 2 * gap - 1)
            self.times.append(now)
        self.plan = self._plan()
        self.events = 0

    def _plan(self) -> list[tuple[int, list[Task], bool]]:
        """Decide, per commit, its project, the tasks whose stage changes and if it is body-only."""
        changes = {id(t): 0 for tasks in self.corpus for t in tasks}
        plan = []
        for _ in range(self.commits):
            p = self.rng.randrange(len(self.corpus))
            tasks = self.corpus[p]
            chosen = self.rng.sample(tasks, min(len(tasks), self.rng.randint(1, 3)))
            body_only = self.rng.random() < self.body_only
            if not body_only:
                for t in chosen:
                    changes[id(t)] += 1
            plan.append((p, chosen, body_only))
        for tasks in self.corpus:
            for t in tasks:
                t.walk = _walk_back(self.rng, t.stage, changes[id(t)])
        return plan

    def write(self, root: Path, renamed: list[Task]) -> dict[int, str]:
        """Run git fast-import; return {mark: commit sha}."""
        _git(root, "init", "-q", "-b", "main")
        marks_file = root / ".git" / "gen-marks"
        proc = subprocess.Popen(["git", "fast-import", "--quiet", f"--export-marks={marks_file}"],
                                cwd=root, stdin=subprocess.PIPE)
        self.transitions: dict[str, list[list]] = {}
        rename_at = self._rename_commits(renamed)
        try:
            self._stream(proc.stdin, rename_at)
            proc.stdin.close()
        finally:
            if proc.wait() != 0:
                raise SystemExit("git fast-import failed")
        marks = {}
        for line in marks_file.read_text().splitlines():
            mark, sha = line.split()
            marks[int(mark[1:])] = sha
        marks_file.unlink()
        return marks

    def _rename_commits(self, renamed) -> dict[int, list[Task]]:
        at: dict[int, list[Task]] = {}
        first_free = len(self.corpus) + 1
        for task in renamed:
            mark = self.rng.randint(first_free, max(first_free, self.count))
            at.setdefault(mark, []).append(task)
        return at

    def _stream(self, out, rename_at) -> None:
        mark = 0
        position = {id(t): 0 for tasks in self.corpus for t in tasks}
        for tasks in self.corpus:
            mark += 1
            files = _root_files(self.corpus, self.handles) if mark == 1 else []
            files += [(self._path(t), t.text(t.walk[0])) for t in tasks]
            project = tasks[0].project
            files.append((f"content/projects/{project}/_index.md", _index_text(project)))
            for t in tasks:
                self._record(t, t.walk[0], mark)
            self._commit(out, mark, f"Add project {tasks[0].project}", files, [])
        for p, chosen, body_only in self.plan:
            mark += 1
            renames = []
            for t in rename_at.get(mark, []):
                renames.append((self._path(t), f"content/projects/{t.project}/{t.stem}.md"))
                t.old_stem = None
            files, verbs = [], []
            for t in chosen:
                if body_only or self.rng.random() < 0.1:
                    t.body = _tick(t.body)
                if not body_only:
                    position[id(t)] += 1
                    stage = t.walk[position[id(t)]]
                    self._record(t, stage, mark)
                    verbs.append(f"{t.stem} to {stage}")
                files.append((self._path(t), t.text(t.walk[position[id(t)]])))
            message = f"{self.corpus[p][0].project}: " + ("; ".join(verbs) or "update notes")
            self._commit(out, mark, message, files, renames)

    def _path(self, task: Task) -> str:
        return f"content/projects/{task.project}/{task.old_stem or task.stem}.md"

    def _record(self, task: Task, stage: str, mark: int) -> None:
        self.transitions.setdefault(task.ref, []).append([stage, self.times[mark - 1], mark])
        self.events += 1

    def _commit(self, out, mark, message, files, renames) -> None:
        handle, name = self.handles[mark % len(self.handles)]
        when = self.times[mark - 1]
        msg = message.encode()
        chunks = [f"commit refs/heads/main\nmark :{mark}\n"
                  f"author {name} <{handle}@example.com> {when} +0000\n"
                  f"committer {name} <{handle}@example.com> {when} +0000\n"
                  f"data {len(msg)}\n".encode(), msg, b"\n"]
        for old, new in renames:
            chunks.append(f"R {old} {new}\n".encode())
        for path, text in files:
            data = text.encode()
            chunks.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
            chunks += [data, b"\n"]
        out.write(b"".join(chunks))


def _tick(body: str) -> str:
    """Tick the first open checkbox, or untick the first ticked one when none is open."""
    if "- [ ] " in body:
        return body.replace("- [ ] ", "- [x] ", 1)
    return body.replace("- [x] ", "- [ ] ", 1)


def _index_text(project: str) -> str:
    return f"---\ntitle: Project {project[5:]}\n---\nA synthetic project for benchmarks.\n"


def _config_text(handles, wip: dict[str, int], per_person: int) -> str:
    lines = ['[site]', 'title = "Synthetic portfolio"', "",
             '[[stage]]\nid = "backlog"\ntype = "queue"\n',
             '[[stage]]\nid = "ready"\ntype = "queue"\n',
             f'[[stage]]\nid = "doing"\ntype = "active"\nwip = {wip["doing"]}\n',
             f'[[stage]]\nid = "review"\ntype = "active"\nwip = {wip["review"]}\n'
             'handoff = "editor"\nsignoff = "editor"\n',
             '[[stage]]\nid = "done"\ntype = "done"\n',
             f"[limits]\nper_person = {per_person}\nstale_days = 7\nexpedite = 1\n"]
    for handle, name in handles:
        lines.append(f'[people.{handle}]\nname = "{name}"\n')
    return "\n".join(lines)


def _holders(corpus) -> dict[str, int]:
    """Count the active tasks each person holds (the editor holds tasks in review)."""
    held: dict[str, int] = {}
    for tasks in corpus:
        for t in tasks:
            if t.stage not in ACTIVE:
                continue
            key = "  editor: " if t.stage == "review" else "owner: "
            for line in (t.head + t.tail).splitlines():
                if line.startswith(key):
                    holder = line[len(key):].strip()
                    held[holder] = held.get(holder, 0) + 1
    return held


def _root_files(corpus, handles) -> list[tuple[str, str]]:
    """Return mdpm.toml (with WIP limits that fit the corpus) and .gitignore."""
    per_person = max(_holders(corpus).values(), default=1)
    wip = {stage: max(1, sum(t.stage == stage for tasks in corpus for t in tasks))
           for stage in ACTIVE}
    return [("mdpm.toml", _config_text(handles, wip, per_person)),
            (".gitignore", "_site/\n.mdpm-cache/\n")]


def _write_tree(root: Path, corpus, handles) -> None:
    """Write the root files and the final state of every project file."""
    for name, text in _root_files(corpus, handles):
        (root / name).write_text(text)
    for tasks in corpus:
        folder = root / "content" / "projects" / tasks[0].project
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_index.md").write_text(_index_text(tasks[0].project))
        for t in tasks:
            with open(folder / f"{t.stem}.md", "w", encoding="utf-8", newline="\n") as handle:
                handle.write(t.text())


def _write_expected(root: Path, corpus, history: _History, marks: dict[int, str]) -> None:
    expected = {ref: [[stage, when, marks.get(mark, f":{mark}")] for stage, when, mark in events]
                for ref, events in history.transitions.items()}
    (root / "expected_transitions.json").write_text(json.dumps(expected, sort_keys=True))
    info = root / ".git" / "info"
    info.mkdir(parents=True, exist_ok=True)
    with open(info / "exclude", "a") as exclude:
        exclude.write("expected_transitions.json\n")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True,
                   env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null"})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the folder to write (must be empty)")
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=100, help="tasks per project")
    parser.add_argument("--commits", type=int, default=0, help="stage-change commits after the "
                        "one 'add project' commit per project (0: no history unless --git)")
    parser.add_argument("--git", action="store_true", help="make a git repo even with --commits 0")
    parser.add_argument("--renames", type=int, default=0, help="tasks renamed in the history")
    parser.add_argument("--errors", type=int, default=0, help="tasks to break on purpose")
    parser.add_argument("--people", type=int, default=0, help="people (default: by size)")
    parser.add_argument("--body-only", type=float, default=0.1,
                        help="share of commits that only tick a checkbox")
    parser.add_argument("--cross-project", type=float, default=0.05,
                        help="share of dependencies on another project")
    parser.add_argument("--days", type=int, default=365,
                        help="span of the history, from 2025-01-01")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repack", action="store_true", help="git repack -adf + commit-graph")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    args = parser.parse_args(argv)
    summary = generate(args.out, args.projects, args.tasks, args.commits, seed=args.seed,
                       people=args.people, git=args.git or None, renames=args.renames,
                       errors=args.errors, body_only=args.body_only,
                       cross_project=args.cross_project, days=args.days, repack=args.repack,
                       force=args.force)
    json.dump(summary.as_dict(), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
