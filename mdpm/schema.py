"""The JSON Schema (draft 2020-12) of a task's front-matter, shipped with the package."""

from __future__ import annotations

import json
from importlib import resources

SCHEMA_FILE = "task.schema.json"


def schema_text() -> str:
    """Return the schema file's text, as shipped."""
    return resources.files("mdpm").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def task_schema() -> dict:
    """Return the schema as a dict."""
    return json.loads(schema_text())
