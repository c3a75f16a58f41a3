"""The JSON Schema of a task's front-matter: shipped, printed, and in step with the model."""

from __future__ import annotations

import json

import pytest

from mdpm.cli import run
from mdpm.load import load_documents
from mdpm.model import PRIORITIES, TASK_KEYS
from mdpm.schema import task_schema

jsonschema = pytest.importorskip("jsonschema")


def _validator():
    schema = task_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_mdpm_schema_prints_the_shipped_schema(capsys):
    assert run(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == task_schema()
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_knows_exactly_the_model_keys():
    schema = task_schema()
    assert set(schema["properties"]) == set(TASK_KEYS)
    assert schema["properties"]["priority"]["enum"] == list(PRIORITIES)
    assert schema["additionalProperties"] is False


def test_every_file_init_and_the_playbook_make_is_valid(tmp_path, capsys):
    root = tmp_path / "r"
    assert run(["init", str(root)]) == 0
    sets = ["--set", "associate=ana", "--set", "writer=ben", "--set", "manager=carla",
            "--set", "designer=dev", "--set", "web=eli", "--set", "social=fay"]
    if (root / "templates" / "case-study").is_dir():
        assert run(["-C", str(root), "new", "project", "acme", "--template", "case-study",
                    *sets, "--start", "2026-12-01"]) == 0
    assert run(["-C", str(root), "new", "task", "newsletter", "Extra", "--owner", "ana",
                "--due", "2026-12-24"]) == 0
    docs, problems = load_documents(root)
    assert problems == []
    validator = _validator()
    tasks = [d for d in docs if d.kind == "task"]
    assert len(tasks) >= 5
    for doc in tasks:
        assert list(validator.iter_errors(doc.meta)) == [], doc.rel


@pytest.mark.parametrize("meta, fragment", [
    ({"title": "x", "reviewr": "bob"}, "'reviewr' was unexpected"),
    ({"title": "x", "priority": "urgent"}, "'urgent' is not one of"),
    ({"title": "x", "due": "12/01/2026"}, "does not match"),
    ({"title": "x", "due": "2026-02-30"}, "is not a 'date'"),
    ({"title": "x", "owner": ["a", "b"]}, "is not of type 'string'"),
    ({"title": "x", "estimate": -1}, "less than the minimum"),
    ({"title": "x", "depends-on": ["Bad Ref"]}, "is not valid under any of the given schemas"),
])
def test_the_schema_rejects_what_check_rejects(meta, fragment):
    errors = [e.message for e in _validator().iter_errors(meta)]
    assert any(fragment in message for message in errors), errors
