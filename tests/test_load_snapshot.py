"""The load snapshot: a warm load gives what a cold one gives, and never a stale file."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import shutil
from pathlib import Path

import pytest

from bench.gen import generate
from mdpm import snapshot
from mdpm.config import load_config_strict
from mdpm.load import cache_file_name
from mdpm.model import Task
from mdpm.workspace import load_portfolio

REPO = Path(__file__).resolve().parent.parent
OLD = 1_700_000_000_000_000_000
"""A modification time far enough in the past for a file to be stored."""
TASK = "content/projects/acme/{}.md"


def _age(root: Path, ns: int = OLD) -> None:
    for path in (root / "content").rglob("*.md"):
        os.utime(path, ns=(ns, ns))


def _load(root: Path, *, cache: bool, bodies: bool = True):
    return load_portfolio(load_config_strict(root), cache=cache, bodies=bodies)


def _same(warm, cold) -> None:
    """Assert two workspaces hold equal tasks, projects and problems (in the same order)."""
    assert list(warm.portfolio.tasks) == list(cold.portfolio.tasks)
    for ref, task in cold.portfolio.tasks.items():
        other = warm.portfolio.tasks[ref]
        for field in dataclasses.fields(Task):
            assert getattr(other, field.name) == getattr(task, field.name), (ref, field.name)
            assert type(getattr(other, field.name)) is type(getattr(task, field.name))
    assert warm.portfolio.projects == cold.portfolio.projects
    assert warm.problems == cold.problems


def _copy(source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("_site", ".git"))
    _age(root)
    return root


def _generated(tmp_path: Path) -> Path:
    root = generate(tmp_path / "gen", projects=3, tasks=25, errors=12, git=False).root
    (root / TASK.format("x").replace("acme", "proj-001")).write_bytes(
        b"---\ntitle: caf\xe9\n---\n")
    (root / "content/projects/proj-002/bom.md").write_bytes(
        b"\xef\xbb\xbf---\r\ntitle: Bom\r\ncollaborators:\r\n  editor: ana\r\n---\r\n- [x] a\r\n")
    _age(root)
    return root


@pytest.fixture(params=["example", "broken", "generated"])
def corpus(request, tmp_path) -> Path:
    if request.param == "generated":
        return _generated(tmp_path)
    return _copy(REPO if request.param == "example" else REPO / "tests/fixtures/broken",
                 tmp_path)


@pytest.mark.parametrize("bodies", [True, False], ids=["bodies", "checklists"])
def test_a_warm_load_gives_what_a_cold_load_gives(corpus, reads, bodies):
    cold = _load(corpus, cache=False, bodies=bodies)
    assert cold.problems or corpus.name == "repo"
    first = _load(corpus, cache=True, bodies=bodies)
    reads.clear()
    warm = _load(corpus, cache=True, bodies=bodies)
    assert reads == []  # every file from the snapshot
    _same(first, cold)
    _same(warm, cold)


def test_a_load_with_bodies_after_one_without_reads_the_bodies(corpus, reads):
    cold = _load(corpus, cache=False)
    _load(corpus, cache=True, bodies=False)
    reads.clear()
    _same(_load(corpus, cache=True, bodies=True), cold)
    assert reads == [name for name in reads if name not in ("_index.md", "_retro.md")]
    assert reads  # the tasks, for their bodies
    reads.clear()
    _same(_load(corpus, cache=True), cold)
    assert reads == []


def _small(write_tree, tmp_path, files: dict | None = None) -> Path:
    from tests.conftest import SMALL_CONFIG

    root = write_tree({"mdpm.toml": SMALL_CONFIG,
                       "content/projects/acme/_index.md": "---\ntitle: Acme\n---\nAbout.\n",
                       TASK.format("a"): "---\ntitle: Able\nowner: alice\n---\n- [ ] one\n",
                       TASK.format("b"): "---\ntitle: Baker\nstage: review\ncollaborators:\n"
                                         "  editor: bob\n---\nBody b\n",
                       **(files or {})}, root=tmp_path / "small")
    _age(root)
    return root


def test_a_file_changed_to_the_same_size_is_read_again(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    path = root / TASK.format("a")
    path.write_text(path.read_text().replace("Able", "Ably"))
    os.utime(path, ns=(OLD + 1, OLD + 1))
    reads.clear()
    warm = _load(root, cache=True)
    assert reads == ["a.md"]
    assert warm.portfolio.tasks["acme/a"].title == "Ably"
    _same(warm, _load(root, cache=False))
    reads.clear()
    assert _load(root, cache=True).portfolio.tasks["acme/a"].title == "Ably"
    assert reads == []  # the new content was stored


def test_a_file_replaced_by_another_inode_is_read_again(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    path = root / TASK.format("a")
    other = path.with_name("a.tmp")
    other.write_text(path.read_text().replace("Able", "Ably"))
    os.utime(other, ns=(OLD, OLD))  # same size, same time: only the inode differs
    os.replace(other, path)
    assert _load(root, cache=True).portfolio.tasks["acme/a"].title == "Ably"


def test_a_file_changed_just_now_is_not_stored(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path)
    (root / TASK.format("a")).write_text("---\ntitle: Fresh\n---\n")
    _load(root, cache=True)
    reads.clear()
    assert _load(root, cache=True).portfolio.tasks["acme/a"].title == "Fresh"
    assert reads == ["a.md"]


def test_deleted_and_added_files(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    (root / TASK.format("a")).unlink()
    write_tree({TASK.format("c"): "---\ntitle: Charlie\nstage: doing\n---\n"}, root=root)
    _age(root)
    reads.clear()
    warm = _load(root, cache=True)
    assert reads == ["c.md"]
    assert list(warm.portfolio.tasks) == ["acme/b", "acme/c"]
    _same(warm, _load(root, cache=False))
    (root / TASK.format("c")).unlink()
    assert list(_load(root, cache=True).portfolio.tasks) == ["acme/b"]


def test_a_changed_config_makes_every_file_read_again(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path)
    before = _load(root, cache=True)
    assert before.portfolio.tasks["acme/b"].holder == "bob"  # review hands off to the editor
    config = root / "mdpm.toml"
    config.write_text(config.read_text().replace('handoff = "editor"\n', ""))
    reads.clear()
    warm = _load(root, cache=True)
    assert sorted(reads) == ["_index.md", "a.md", "b.md"]
    assert warm.portfolio.tasks["acme/b"].holder is None
    _same(warm, _load(root, cache=False))


def test_another_version_of_mdpm_reads_every_file_again(write_tree, tmp_path, reads,
                                                        monkeypatch):
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    monkeypatch.setattr(snapshot, "__version__", "0.0.0-other")
    reads.clear()
    _load(root, cache=True)
    assert len(reads) == 3


def _snapshot_file(root: Path, stem: str) -> Path:
    return Path(os.environ["MDPM_CACHE_DIR"]) / cache_file_name(stem, root)


def _edit_columns(file: Path, edit) -> None:
    """Change the columns of a snapshot file, keeping its header (a well-formed forgery)."""
    text = file.read_text()
    end = text.index("\n}}\n") + 4
    data = json.loads(text[:end])
    edit(data["columns"])
    columns = ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in data["columns"].items())
    file.write_text('{"header": %s, "token": %s, "columns": {\n%s\n}}\n%s'
                    % (json.dumps(data["header"]), json.dumps(data["token"]), columns,
                       text[end:]))


def _set(name: str, value):
    """Set the first entry's value of a column (of a numbered column: the value it names)."""
    def edit(columns):
        column = columns[name]
        if isinstance(column, dict):
            column["values"][column["numbers"][0]] = value
        else:
            column[0] = value
    return edit


def _numbers(name: str, numbers):
    def edit(columns):
        columns[name]["numbers"] = numbers
    return edit


@pytest.mark.parametrize("stem, damage", [
    ("load", lambda text: text[:len(text) // 2]),
    ("load", lambda text: "\x00garbage"),
    ("load", lambda text: '{"header": 5}'),
    ("load", lambda text: "[]"),
    ("bodies", lambda text: text[:-3]),
    ("bodies", lambda text: text + "more"),
    ("bodies", lambda text: text[:-5] + "\udcff" + text[-4:]),
    ("load", lambda text: ""),
], ids=["truncated", "garbage", "header", "list", "bodies-truncated", "bodies-longer",
        "bodies-not-utf8", "empty"])
def test_a_damaged_snapshot_is_not_used(write_tree, tmp_path, reads, stem, damage):
    root = _small(write_tree, tmp_path)
    cold = _load(root, cache=False)
    _load(root, cache=True)
    file = _snapshot_file(root, stem)
    file.write_bytes(damage(file.read_text()).encode("utf-8", "surrogateescape"))
    reads.clear()
    _same(_load(root, cache=True), cold)
    assert reads
    _same(_load(root, cache=True), cold)


@pytest.mark.parametrize("edit", [
    _set("t.title", 5), _set("t.owners", ["x", 3]), _set("t.due", "2026-02-30"),
    _set("t.key_lines", 99), _set("t.problems", [[1, "x"]]), _set("t.ticked", "1"),
    _set("t.collaborators", [7]), _set("t.collaborators", [[1, 2]]), _set("d.meta", "text"),
    _set("t.key_lines", {"title": "two"}), _set("t.estimate", "1"),
    lambda columns: columns["t.ref"].append("acme/z"),
    lambda columns: columns["t.tags"]["numbers"].append(0),
    lambda columns: columns.pop("t.holder"),
    _numbers("t.tags", [0, 0, 9]), _numbers("t.tags", [0, 0, -1]),
    _numbers("t.tags", [0, 0, "0"]), _numbers("t.tags", "000"),
    lambda columns: columns.update({"t.tags": [[], [], []]}),
    lambda columns: columns["t.tags"].update({"more": []}),
], ids=["title", "owners", "date", "key-lines", "problem", "checklist", "collaborators",
        "pair", "meta", "line", "estimate", "length", "numbered-length", "column",
        "number-over", "number-under", "number-text", "numbers-text", "not-numbered",
        "numbered-key"])
def test_a_snapshot_of_the_wrong_shape_is_not_used(write_tree, tmp_path, reads, edit):
    root = _small(write_tree, tmp_path, {TASK.format("c"): "---\ndue: 2026-01-02\n---\n"})
    cold = _load(root, cache=False)
    _load(root, cache=True)
    _edit_columns(_snapshot_file(root, "load"), edit)
    reads.clear()
    _same(_load(root, cache=True), cold)
    assert reads


def test_the_well_formed_forgery_above_is_used(write_tree, tmp_path, reads):
    """The forgeries of the test above are refused for their values, not for their layout."""
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    _edit_columns(_snapshot_file(root, "load"), _set("t.title", "Forged"))
    reads.clear()
    assert _load(root, cache=True).portfolio.tasks["acme/a"].title == "Forged"
    assert reads == []


def test_entries_are_added_apart_then_written_afresh(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    file = _snapshot_file(root, "load")
    added = file.with_name(file.name + ".added")
    first = file.read_bytes()
    path = root / TASK.format("a")
    for n in range(1, 80):
        path.write_text(f"---\ntitle: Take {n}\n---\n- [x] done\n")
        os.utime(path, ns=(OLD + n, OLD + n))
        warm = _load(root, cache=True)
        assert warm.portfolio.tasks["acme/a"].title == f"Take {n}"
        _same(warm, _load(root, cache=False))
        if n == 1:
            assert file.read_bytes() == first  # only the small file was written
            assert json.loads(added.read_text())["columns"]["t.key"] == [TASK.format("a")]
        reads.clear()
        _load(root, cache=True)
        assert reads == []  # the changed file's new entry is used
    assert file.read_bytes() != first  # written afresh
    assert len(json.loads(file.read_text())["columns"]["t.key"]) < 70
    cold = _load(root, cache=False)
    reads.clear()
    _same(_load(root, cache=True), cold)
    assert reads == []


def _added_file(root: Path, stem: str) -> Path:
    file = _snapshot_file(root, stem)
    return file.with_name(file.name + ".added")


def _with_one_added_entry(write_tree, tmp_path, text: str) -> Path:
    """A snapshot whose main file holds every task and whose `.added` file holds `a` again,
    changed to `text`; return the repository."""
    root = _small(write_tree, tmp_path)
    _load(root, cache=True)
    path = root / TASK.format("a")
    path.write_text(text)
    os.utime(path, ns=(OLD + 1, OLD + 1))
    _load(root, cache=True)
    return root


def test_the_added_entries_of_another_snapshot_are_not_used(write_tree, tmp_path, reads):
    root = _with_one_added_entry(write_tree, tmp_path, "---\ntitle: Second\n---\n")
    _edit_columns(_added_file(root, "load"), _set("t.title", "Forged"))
    assert _load(root, cache=True).portfolio.tasks["acme/a"].title == "Forged"  # well formed
    forged = _added_file(root, "load").read_bytes()
    _snapshot_file(root, "load").unlink()
    _load(root, cache=True)  # writes a snapshot afresh, with another token
    assert not _added_file(root, "load").exists()
    _added_file(root, "load").write_bytes(forged)
    reads.clear()
    assert _load(root, cache=True).portfolio.tasks["acme/a"].title == "Second"
    assert reads == []  # the first file is used all the same


@pytest.mark.parametrize("stem", ["load", "bodies"])
def test_damaged_added_entries_are_left_out(write_tree, tmp_path, reads, stem):
    root = _with_one_added_entry(write_tree, tmp_path, "---\ntitle: Second\n---\nNew body.\n")
    added = _added_file(root, stem)
    added.write_bytes(added.read_bytes()[:-3])
    cold = _load(root, cache=False)
    reads.clear()
    _same(_load(root, cache=True), cold)
    assert reads == ["a.md"]  # the other files come from the first file
    reads.clear()
    _same(_load(root, cache=True), cold)
    assert reads == []  # and the entry was added again


def test_odd_files_load_the_same_warm(write_tree, tmp_path, reads):
    root = _small(write_tree, tmp_path, {
        TASK.format("latin"): b"---\ntitle: caf\xe9\n---\n",
        TASK.format("bom"): b"\xef\xbb\xbf---\r\ntitle: B\r\n---\r\n- [x] y\r\n",
        TASK.format("cr"): b"---\rtitle: C\r---\rbody\r",
        TASK.format("nofence"): "just text\n",
        TASK.format("numbers"): "---\n1: one\ntitle: N\n---\n",
        TASK.format("Bad Name"): "---\ntitle: x\n---\n",
        "content/projects/acme/_retro.md": "Went well.\n",
        "content/projects/acme/q\u00e9.md": "---\ntitle: Q\n---\n",
        "content/projects/other/_index.md": "---\n1: one\ntitle: Other\n---\n",
    })
    with open(os.fsencode(root / "content/projects/acme") + b"/raw\xff.md", "wb") as handle:
        handle.write(b"---\ntitle: Raw\n---\n")
    _age(root)
    cold = _load(root, cache=False)
    assert any("raw\ufffd.md" in p.path for p in cold.problems)
    _load(root, cache=True)
    reads.clear()
    _same(_load(root, cache=True), cold)
    assert reads == ["_index.md"]  # the key 1 would come back from JSON as "1": not stored


def test_task_fields_are_passed_in_order():
    assert snapshot.TASK_FIELDS == tuple(f.name for f in dataclasses.fields(Task))


def test_a_load_leaves_a_heap_its_caller_froze_frozen(write_tree, tmp_path):
    """`mdpm serve` freezes its heap before forking: a load must not thaw it."""
    root = _small(write_tree, tmp_path)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        _load(root, cache=True)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
