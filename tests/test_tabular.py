"""`mdpm export` and `mdpm import`: spreadsheet-safe CSV, JSON, validation before writing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mdpm.cli import run
from mdpm.tabular import COLUMNS, column_key, guard_cell, unguard_cell
from mdpm.workspace import open_workspace


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
            Body, with a comma and "quotes";
            a second line.

            - [ ] call them
            - [x] book the room
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
        "content/projects/acme/zeta.md":
            "---\ntitle: \"@mention\\ttab\"\n---\n- [ ] first\n- [x] second, \"done\"\n",
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


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # with a BOM, as Excel
        csv.writer(handle).writerows(rows)
    return path


def _project_files(root: Path, project: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / f"content/projects/{project}").iterdir())
            if p.is_file()}


def test_round_trip_export_import_export_gives_the_same_rows(repo, capsys, tmp_path):
    exported = _rows(_export(repo, capsys))
    assert exported[0][-1] == "body"
    acme = [row[1:] for row in exported if row[0] in ("acme", "project")]  # no project column
    interview = dict(zip(COLUMNS[1:], next(r for r in acme if r[0] == "interview")))
    assert interview["body"] == ('Body, with a comma and "quotes";\na second line.\n\n'
                                 "- [ ] call them\n- [x] book the room")
    zeta = dict(zip(COLUMNS[1:], next(r for r in acme if r[0] == "zeta")))
    assert zeta["body"] == "'- [ ] first\n- [x] second, \"done\""  # guarded: starts with -
    source = _write_csv(repo.parent / f"{repo.name}-acme.csv", acme)
    assert run(["-C", str(repo), "import", str(source), "--project", "copy"]) == 0
    assert "imported 3 tasks into copy: 3 created, 0 updated, 0 unchanged" in \
        capsys.readouterr().err
    again = _rows(_export(repo, capsys))
    copy = [r[1:] for r in again[1:] if r[0] == "copy"]
    assert copy == acme[1:]
    run(["-C", str(repo), "check", "--format", "json"])
    shape = {"frontmatter", "date-invalid", "key-unknown", "person-unknown", "stage-unknown",
             "dep-missing", "id-invalid", "id-duplicate"}
    problems = json.loads(capsys.readouterr().out)
    assert [p for p in problems if "/copy/" in p["path"] and p["code"] in shape] == []
    text = (repo / "content/projects/copy/interview.md").read_text()
    assert text.startswith("---\ntitle: Interview the customer\nowner: alice\ncollaborators: "
                           "{editor: carol, writer: [bob, alice]}\nstage: done\n")
    assert text.endswith('---\nBody, with a comma and "quotes";\na second line.\n\n'
                         "- [ ] call them\n- [x] book the room\n")
    workspace = open_workspace(repo)
    assert workspace.portfolio.tasks["copy/interview"].checklist == (1, 2)


def test_reimporting_an_unchanged_export_changes_no_byte(repo, capsys):
    rows = _rows(_export(repo, capsys))
    before = _project_files(repo, "acme")
    source = _write_csv(repo.parent / "same.csv", [r for r in rows if r[0] in ("acme", "project")])
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 0
    captured = capsys.readouterr()
    assert "imported 3 tasks into acme: 0 created, 0 updated, 3 unchanged" in captured.err
    assert captured.out == ""
    assert _project_files(repo, "acme") == before


def _edited_export(repo: Path, capsys, edits: dict[str, dict[str, str]],
                   extra: list[dict[str, str]] = ()) -> Path:
    """Export acme, change cells as a spreadsheet user would, add rows; return the CSV."""
    rows = _rows(_export(repo, capsys))
    table = [dict(zip(COLUMNS, r)) for r in rows[1:] if r[0] == "acme"]
    for row in table:
        row.update(edits.get(row["id"], {}))
    table.extend({c: new.get(c, "") for c in COLUMNS} for new in extra)
    return _write_csv(repo.parent / "edited.csv", [list(COLUMNS)] +
                      [[row[c] for c in COLUMNS] for row in table])


def test_import_updates_existing_tasks_in_place_and_creates_new_ones(repo, capsys):
    before = _project_files(repo, "acme")
    source = _edited_export(repo, capsys, {
        "interview": {"title": "Interview the client",
                      "body": "Rewritten, \"all\" of it\n- [ ] one"},
        "zeta": {"owner": "carol", "due": "2026-12-15"},
    }, [{"project": "acme", "id": "launch", "title": "Launch", "depends-on": "draft"}])
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 0
    captured = capsys.readouterr()
    assert "imported 4 tasks into acme: 1 created, 2 updated, 1 unchanged" in captured.err
    assert captured.out.split() == ["content/projects/acme/launch.md",
                                    "content/projects/acme/interview.md",
                                    "content/projects/acme/zeta.md"]
    after = _project_files(repo, "acme")
    assert after["draft.md"] == before["draft.md"]
    old_interview = before["interview.md"].decode()
    head = old_interview[:old_interview.index("---\nBody") + 4]
    assert after["interview.md"].decode() == \
        head.replace("title: Interview the customer", "title: Interview the client") + \
        'Rewritten, "all" of it\n- [ ] one\n'
    assert after["zeta.md"] == (b'---\ntitle: "@mention\\ttab"\nowner: carol\ndue: 2026-12-15\n'
                                b'---\n- [ ] first\n- [x] second, "done"\n')
    assert after["launch.md"] == b"---\ntitle: Launch\ndepends-on: [draft]\n---\n"


def test_a_bad_row_in_an_update_writes_nothing(repo, capsys):
    before = _project_files(repo, "acme")
    source = _edited_export(repo, capsys, {"interview": {"title": "Changed"},
                                           "zeta": {"stage": "reveiw"}},
                            [{"title": "New task"}])
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 1
    err = capsys.readouterr().err
    assert "1 problem in edited.csv; nothing was written" in err
    assert "row 4: stage `reveiw` is not in the workflow" in err
    assert _project_files(repo, "acme") == before


def test_a_failed_write_puts_back_the_files_already_updated(repo, capsys):
    (repo / "content/projects/acme/blocker.md").mkdir()  # a folder where a file must go
    before = _project_files(repo, "acme")
    source = _edited_export(repo, capsys, {"interview": {"title": "Changed"}},
                            [{"id": "blocker", "title": "Blocker"}])
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 2
    assert "not a regular file" in capsys.readouterr().err
    assert _project_files(repo, "acme") == before


def test_a_row_for_an_unreadable_task_file_is_refused_like_check(repo, write_tree, capsys):
    write_tree({"content/projects/acme/bad.md": "---\ntitle: [oops\n---\n"})
    before = _project_files(repo, "acme")
    source = _write_csv(repo.parent / "bad.csv", [["id", "title"], ["zeta", "Z"], ["bad", "B"]])
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv: row 3: content/projects/acme/bad.md:2: error[frontmatter]: " in err
    assert _project_files(repo, "acme") == before


def test_an_id_too_long_for_a_file_name_is_refused(repo, capsys):
    long_id = "i" * 300
    source = _write_csv(repo.parent / "long.csv", [["id", "title"], [long_id, "Long"],
                                                   ["", "w " * 300]])
    before = _project_files(repo, "acme")
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 1
    err = capsys.readouterr().err
    assert "long.csv: row 2: id `iiiiiiiiiiiiiiiiiiii...` is 300 characters long; use at most 100" \
        in err and "Traceback" not in err
    assert _project_files(repo, "acme") == before


def test_rows_of_another_project_are_refused(repo, capsys):
    source = _write_csv(repo.parent / "mixed.csv", [["project", "title"], ["acme", "A"],
                                                    ["other", "B"], ["", "C"]])
    before = _project_files(repo, "acme")
    assert run(["-C", str(repo), "import", str(source), "--project", "acme"]) == 1
    err = capsys.readouterr().err
    assert "1 problem in mixed.csv" in err
    assert "mixed.csv: row 3: is for project `other`, not `acme` (--project)" in err
    assert _project_files(repo, "acme") == before


def test_export_leaves_out_unreadable_files_and_says_why(repo, write_tree, capsys):
    write_tree({"content/projects/acme/bad.md": "---\ntitle: Bad yaml\nowner: [ana, ben\n---\n",
                "content/projects/acme/latin.md": b"---\ntitle: Caf\xe9\n---\n"})
    assert run(["-C", str(repo), "export"]) == 1
    captured = capsys.readouterr()
    ids = [row[1] for row in _rows(captured.out)[1:]]
    assert ids == ["draft", "interview", "zeta", "thing"]
    assert "Bad" not in captured.out and "ana, ben" not in captured.out
    assert "mdpm: left out 2 unreadable task files" in captured.err
    assert "content/projects/acme/bad.md:3: error[frontmatter]: " in captured.err
    assert "content/projects/acme/latin.md:2: error[encoding]: " in captured.err
    assert run(["-C", str(repo), "export", "--format", "json"]) == 1
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ids


def test_an_import_that_breaks_a_rule_is_written_with_a_warning(repo, capsys):
    data = "title,owner,stage\nOne,alice,doing\nTwo,carol,doing\nThree,carol,backlog\n"
    source = repo.parent / "wip.csv"
    source.write_text(data)  # doing (WIP 2) gets 2 more tasks besides the expedited draft: fine
    assert run(["-C", str(repo), "import", str(source), "--project", "new"]) == 0
    assert "will fail" not in capsys.readouterr().err
    source.write_text("title,owner,stage\nFour,alice,doing\n")
    assert run(["-C", str(repo), "import", str(source), "--project", "new"]) == 0
    err = capsys.readouterr().err
    assert "imported 1 task into new: 1 created" in err
    assert "mdpm: warning: mdpm check will fail: the import causes 3 errors:\n" in err
    for name in ("one", "two", "four"):
        assert f"  content/projects/new/{name}.md:4: error[wip-stage]: stage `doing` holds 3" \
            in err
    assert (repo / "content/projects/new/four.md").exists()
    assert run(["-C", str(repo), "check"]) == 1


def test_one_row_is_one_task(repo, capsys, tmp_path):
    assert _import(repo, tmp_path, "title\nOnly\n") == 0
    assert "imported 1 task into new: 1 created, 0 updated, 0 unchanged\n" in \
        capsys.readouterr().err


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
    ("title,colour,Size\nA,red,2\n", ["unknown columns 'colour', 'Size'",
                                       "delete or rename the columns",
                                       "Known columns: project, id, title"]),
    ("title,Colour\nA,red\n", ["unknown column 'Colour'; delete or rename the column."]),
    ("title,due\nA,12/15/2026\nB,15.12.2026\nC,12/01/2026\nD,2026/12/15\n",
     ["row 2: due `12/15/2026` is not a date; write 2026-12-15\n",
      "row 3: due `15.12.2026` is not a date; write 2026-12-15\n",
      "row 4: due `12/01/2026` is not a date; write YYYY-MM-DD (2026-01-12 or 2026-12-01?)",
      "row 5: due `2026/12/15` is not a date; write 2026-12-15\n"]),
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
