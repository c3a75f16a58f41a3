"""board.json, calendar.ics and feed.xml: shapes, validity, stable ids."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdpm import feeds
from sitecheck import build_copy, copy_broken

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_broken(tmp_path_factory.mktemp("broken"))
    (root / "mdpm.toml").write_text((root / "mdpm.toml").read_text().replace(
        "[site]", '[site]\nbase_url = "https://example.org/status"', 1)
        if "[site]" in (root / "mdpm.toml").read_text() else
        '[site]\nbase_url = "https://example.org/status"\n' + (root / "mdpm.toml").read_text())
    out = root / "_site"
    build_copy(root, out)
    return out


def test_board_json_has_every_key_with_types(site):
    data = json.loads((site / "board.json").read_text())
    assert set(data) == {"generated", "stages", "people", "tasks", "problems"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["generated"])
    for stage in data["stages"]:
        assert set(stage) == {"id", "type", "limit", "count"}
        assert stage["type"] in ("queue", "active", "done")
        assert stage["limit"] is None or isinstance(stage["limit"], int)
        assert isinstance(stage["count"], int)
    for person in data["people"]:
        assert set(person) == {"handle", "name", "holds", "limit"}
        assert isinstance(person["holds"], int)
    keys = {"ref", "project", "title", "owner", "holder", "collaborators", "stage", "depends_on",
            "due", "priority", "blocked", "expedite", "url", "history", "cycle_days"}
    assert data["tasks"]
    for task in data["tasks"]:
        assert set(task) == keys
        assert task["ref"] == f"{task['project']}/{task['ref'].split('/')[1]}"
        assert task["url"] == f"projects/{task['ref']}/"
        assert task["due"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", task["due"])
        assert all(set(c) == {"handle", "role"} for c in task["collaborators"])
        assert isinstance(task["depends_on"], list) and isinstance(task["history"], list)
    doing = next(s for s in data["stages"] if s["id"] == "doing")
    assert doing == {"id": "doing", "type": "active", "limit": 2, "count": 3}
    for problem in data["problems"]:
        assert set(problem) == {"code", "severity", "path", "line", "message"}
    assert {"wip-stage", "dep-cycle"} <= {p["code"] for p in data["problems"]}


def unfold(raw: bytes) -> list[str]:
    text = raw.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_calendar_is_rfc5545(site):
    raw = (site / "calendar.ics").read_bytes()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    data = json.loads((site / "board.json").read_text())
    assert len(events) == sum(1 for t in data["tasks"] if t["due"])
    uids = [e["UID"] for e in events]
    assert len(set(uids)) == len(uids) and all(u.endswith("@mdpm") for u in uids)
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART;VALUE=DATE", "SUMMARY"):
            assert prop in event
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
        assert re.fullmatch(r"\d{8}", event["DTSTART;VALUE=DATE"])
        assert event["URL"].startswith("https://example.org/status/projects/")
    injected = next(e for e in events if e["UID"] == "format/injection@mdpm")
    assert injected["SUMMARY"] == "Due: <script>alert(1)</script>"


def test_ics_escaping_and_folding():
    from mdpm.feeds import fold, ics_text

    assert ics_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    parts = folded.encode().split(b"\r\n")
    assert all(len(p) <= 75 for p in parts)
    assert folded.replace("\r\n ", "") == line
    for part in parts:
        part.decode("utf-8")  # never split inside a character


def test_atom_feed_is_valid_and_ids_are_stable(site, tmp_path):
    tree = ET.parse(site / "feed.xml").getroot()
    assert tree.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert tree.find(f"{ATOM}{name}") is not None
    assert tree.find(f"{ATOM}author/{ATOM}name") is not None
    entries = tree.findall(f"{ATOM}entry")
    assert entries
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text
        assert entry.find(f"{ATOM}link").get("href").startswith("https://example.org/status/")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert any("<script>alert(1)</script>" in t for t in titles)  # text, escaped in the XML


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab&<>\"'\n\r\t é\u2028"))))
def test_xml_escaping_is_that_of_saxutils(text):
    from xml.sax import saxutils

    assert feeds.escape(text) == saxutils.escape(text)
    assert feeds.quoteattr(text) == saxutils.quoteattr(text)
