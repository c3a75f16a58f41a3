"""`mdpm export` and `mdpm import`: spreadsheet-safe CSV, JSON, validation before writing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mdpm.cli import run
from mdpm.tabular import COLUMNS, column_key, guard_cell, unguard_cell


@pytest.fixture
def repo(small_repo, write_tree):
    write_tree({
        "content/projects/acme/interview.md": """\
            ---
            title: Interview the customer
            owner: alice
            collaborators:
              editor: carol
              writer: [bob, alice]
            stage: done
            due: 2026-11-02
            estimate: 1.5
            tags: [customer, "=SUM(A1)"]
            created: 2026-10-01
            ---
            Body
            """,
        "content/projects/acme/draft.md": """\
            ---
            title: "=HYPERLINK(\\"http://x\\") draft, with comma"
            owner: bob
            collaborators: [alice]
            stage: doing
            depends-on: [interview, other/thing]
            priority: high
            blocked: +waiting for legal
            expedite: true
            ---
            """,
        "content/projects/acme/zeta.md": "---\ntitle: \"@mention\\ttab\"\n---\n",
        "content/projects/other/thing.md":
            "---\ntitle: Über-Ding 🚀\nstage: done\nowner: carol\n---\n",
    })
    return small_repo


def _export(root: Path, capsys, *extra: str) -> str:
    assert run(["-C", str(root), "export", *extra]) == 0
    return capsys.readouterr().out


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_export_csv_has_every_field_and_guards_formulas(repo, capsys):
    rows = _rows(_export(repo, capsys))
    assert rows[0] == list(COLUMNS)
    by_id = {row[1]: dict(zip(COLUMNS, row)) for row in rows[1:]}
    assert set(by_id) == {"interview", "draft", "zeta", "thing"}
    draft = by_id["draft"]
    assert draft["title"] == "'=HYPERLINK(\"http://x\") draft, with comma"
    assert draft["depends-on"] == "interview, other/thing"
    assert draft["blocked"] == "'+waiting for legal" and draft["expedite"] == "yes"
    assert draft["collaborators"] == "alice" and draft["priority"] == "high"
    interview = by_id["interview"]
    assert interview["collaborators"] == "editor: carol, writer: bob, writer: alice"
    assert interview["estimate"] == "1.5" and interview["due"] == "2026-11-02"
    assert interview["tags"] == "customer, =SUM(A1)"  # not at the start of the cell
    assert by_id["zeta"]["title"] == "'@mention\ttab"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_json_is_typed(repo, capsys):
    rows = json.loads(_export(repo, capsys, "--format", "json"))
    interview = next(r for r in rows if r["id"] == "interview")
    assert interview["collaborators"] == {"editor": "carol", "writer": ["bob", "alice"]}
    assert interview["estimate"] == 1.5 and interview["tags"] == ["customer", "=SUM(A1)"]
    assert interview["blocked"] is None
    assert list(interview) == list(COLUMNS)


def test_export_to_a_file(repo, capsys, tmp_path):
    out = tmp_path / "tasks.csv"
    assert run(["-C", str(repo), "export", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"project,id,title")
    assert b"\r\n" in out.read_bytes()


def test_round_trip_export_import_export_gives_the_same_rows(repo, capsys, tmp_path):
    exported = _rows(_export(repo, capsys))
    acme = [exported[0]] + [r for r in exported[1:] if r[0] == "acme"]
    source = repo.parent / f"{repo.name}-acme.csv"
    with source.open("w", newline="", encoding="utf-8-sig") as handle:  # with a BOM
        csv.writer(handle).writerows(acme)
    assert run(["-C", str(repo), "import", str(source), "--project", "copy"]) == 0
    assert "imported 3 tasks into copy" in capsys.readouterr().err
    again = _rows(_export(repo, capsys))
    copy = [r[1:] for r in again[1:] if r[0] == "copy"]
    assert copy == [r[1:] for r in acme[1:]]
    run(["-C", str(repo), "check", "--format", "json"])
    shape = {"frontmatter", "date-invalid", "key-unknown", "person-unknown", "stage-unknown",
             "dep-missing", "id-invalid", "id-duplicate"}
    problems = json.loads(capsys.readouterr().out)
    assert [p for p in problems if "/copy/" in p["path"] and p["code"] in shape] == []
    text = (repo / "content/projects/copy/interview.md").read_text()
    assert text.startswith("---\ntitle: Interview the customer\nowner: alice\ncollaborators: "
                           "{editor: carol, writer: [bob, alice]}\nstage: done\n")


def _import(root: Path, tmp_path: Path, data: bytes | str, project: str = "new") -> int:
    path = root.parent / f"{root.name}-in.csv"  # outside the repository
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return run(["-C", str(root), "import", str(path), "--project", project])


def test_headers_are_case_insensitive_with_aliases(repo, capsys, tmp_path):
    data = "Title,ID,Depends on,DUE DATE,Assignee,Status\r\nFirst,first,,2026-12-01,bob,doing\r\n" \
           "Second,,first,,,\r\n"
    assert _import(repo, tmp_path, data) == 0, capsys.readouterr().err
    first = (repo / "content/projects/new/first.md").read_text()
    assert first == "---\ntitle: First\nowner: bob\nstage: doing\ndue: 2026-12-01\n---\n"
    second = (repo / "content/projects/new/second.md").read_text()
    assert second == "---\ntitle: Second\ndepends-on: [first]\n---\n"


def test_import_into_an_existing_project_suffixes_slugs(repo, capsys, tmp_path):
    assert _import(repo, tmp_path, "title\nDraft\nDraft\n", project="acme") == 0
    names = sorted(p.name for p in (repo / "content/projects/acme").glob("draft*.md"))
    assert names == ["draft-2.md", "draft-3.md", "draft.md"]


@pytest.mark.parametrize("data, messages", [
    ("owner,stage\nbob,doing\n", ["no `title` column"]),
    ("title,colour,Size\nA,red,2\n", ["unknown column(s) 'colour', 'Size'",
                                       "known columns: project, id, title"]),
    ("title,due\nA,2026-12-01\nB,12/01/2026\nC,2026-02-30\n",
     ["row 3: due `12/01/2026` is not a date", "row 4: due `2026-02-30` is not a day"]),
    ("title,stage\nA,doing\nB,reveiw\n", ["row 3: stage `reveiw` is not in the workflow",
                                          "did you mean `review`?"]),
    ("title,owner,collaborators\nA,zed,\nB,bob,editor: zoe\n",
     ["row 2: owner `zed` is not in [people]", "row 3: collaborator `zoe`"]),
    ("title,priority,estimate\nA,urgent,\nB,,-2\nC,,lots\n",
     ["row 2: priority `urgent`", "row 3: estimate `-2`", "row 4: estimate `lots`"]),
    ("title,depends-on\nA,nothing\n", ["row 2: depends on `nothing`"]),
    ("title,tags\nA,\n\n,urgent\n", ["row 4: the title is empty"]),
    ("title,id\nA,x\nB,x\n", ["row 3: id `x` is used twice"]),
    (b"title\nCaf\xe9\n", ["not UTF-8", "row 2", "save the CSV as UTF-8"]),
])
def test_bad_csv_gives_row_numbered_errors_and_writes_nothing(repo, capsys, tmp_path, data,
                                                              messages):
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    assert _import(repo, tmp_path, data) == 1
    err = capsys.readouterr().err
    for message in messages:
        assert message in err, err
    assert "Traceback" not in err
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before


def test_import_usage_errors(repo, capsys, tmp_path):
    assert _import(repo, tmp_path, "title\nA\n", project="Bad Project") == 2
    assert run(["-C", str(repo), "import", str(tmp_path / "missing.csv"), "--project", "x"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_guard_and_unguard_are_inverse():
    for text in ("=1+1", "+x", "-x", "@x", "\tx", "\rx", "plain", "'quoted'", "", "'=x", "''+x"):
        assert unguard_cell(guard_cell(text)) == text
    assert column_key(" Depends_On ") == "depends-on"
    assert column_key("Due Date") == "due" and column_key("colour") is None
