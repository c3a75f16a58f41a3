"""Machine-readable outputs: board.json, calendar.ics (RFC 5545) and feed.xml (Atom, RFC 4287)."""

from __future__ import annotations

import datetime as dt
import json

from .site import Site, TaskView

FEED_LIMIT = 500
"""At most this many stage changes in the feed, the latest first."""


# --- board.json -----------------------------------------------------------------------------


def board_json(site: Site) -> bytes:
    """Return every stage, person, task and problem as JSON (the SPEC's shape, all keys)."""
    data = {
        "generated": site.generated,
        "stages": [{"id": s.id, "type": s.type, "limit": s.limit, "count": s.count}
                   for s in site.stages],
        "people": [{"handle": p.handle, "name": p.name, "holds": len(p.holds), "limit": p.limit}
                   for p in site.people],
        "tasks": [_task_json(t) for t in site.tasks.values()],
        "problems": [p.problem.as_dict() for p in site.problems],
    }
    return json_lines(data).encode("utf-8")


def json_lines(data: dict) -> str:
    """Return a JSON object with a line per key and per list item: readable and diffable,
    and made by the C encoder (`indent` would switch to the pure-Python one, ten times slower)."""
    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    fields = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join(" " + dumps(item) for item in value)
            fields.append(f"{dumps(key)}: [\n{items}\n]")
        else:
            fields.append(f"{dumps(key)}: {dumps(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def _task_json(task: TaskView) -> dict:
    return {
        "ref": task.ref, "project": task.project, "title": task.title,
        "owner": task.owner, "holder": task.holder,
        "collaborators": [{"handle": h, "role": r} for h, r in task.collaborators],
        "stage": task.stage, "depends_on": [link.ref for link in task.depends_on],
        "due": task.due, "priority": task.priority, "blocked": task.blocked,
        "expedite": task.expedite, "url": f"projects/{task.ref}/",
        "history": [{"stage": s.stage, "at": s.at, "commit": s.commit[:7]} for s in task.history],
        "cycle_days": task.cycle_days,
    }


# --- calendar.ics ---------------------------------------------------------------------------


def calendar_ics(site: Site) -> bytes:
    """Return an iCalendar with one all-day event per task that has a due date."""
    stamp = site.generated.replace("-", "").replace(":", "")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mdpm//status site//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{ics_text(site.title)}"]
    for task in site.tasks.values():
        if task.due:
            lines += _event(site, task, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def _event(site: Site, task: TaskView, stamp: str) -> list[str]:
    day = dt.date.fromisoformat(task.due)
    lines = ["BEGIN:VEVENT", f"UID:{task.ref}@mdpm", f"DTSTAMP:{stamp}",
             f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
             f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
             f"SUMMARY:{ics_text(f'Due: {task.title}')}",
             f"DESCRIPTION:{ics_text(_describe(task))}",
             f"CATEGORIES:{ics_text(task.project)}",
             "TRANSP:TRANSPARENT"]
    if task.done:
        lines.append("STATUS:CONFIRMED")
    if site.base_url:
        lines.append(f"URL:{site.base_url}/{task.url}")
    return lines + ["END:VEVENT"]


def _describe(task: TaskView) -> str:
    parts = [f"{task.ref} in {task.stage_title}"]
    if task.holder:
        parts.append(f"held by {task.holder}")
    if task.blocked:
        parts.append(f"blocked: {task.blocked}")
    return "\n".join(parts)


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at `limit` octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    parts, start, width = [], 0, limit
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, width = end, limit - 1  # continuation lines begin with one space
    return "\r\n ".join(parts)


# --- feed.xml -------------------------------------------------------------------------------


def atom_feed(site: Site) -> bytes:
    """Return an Atom feed: the stage changes from history, else one entry per task."""
    if site.history_available:
        entries = _change_entries(site)
    else:
        entries = [(site.generated, task, None) for task in site.tasks.values()]
    updated = max((at for at, _, _ in entries), default=site.generated)
    base = site.base_url
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(site.title)}: stage changes</title>",
        f"  <id>{escape(_feed_id(site))}</id>",
        f"  <updated>{updated}</updated>",
        "  <author><name>mdpm</name></author>",
        "  <generator>mdpm</generator>",
    ]
    if base:
        head.append(f"  <link rel=\"self\" href={quoteattr(base + '/feed.xml')}/>")
        head.append(f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(base + '/')}/>")
    body = [_entry(site, at, task, step) for at, task, step in entries]
    return ("\n".join(head + body + ["</feed>"]) + "\n").encode("utf-8")


def _feed_id(site: Site) -> str:
    return site.base_url + "/feed.xml" if site.base_url else "urn:mdpm:feed"


def _change_entries(site: Site) -> list:
    changes = [(step.at, task, step) for task in site.tasks.values() for step in task.history]
    changes.sort(key=lambda c: (c[0], c[1].ref, c[2].stage), reverse=True)
    return changes[:FEED_LIMIT]


def _entry(site: Site, at: str, task: TaskView, step) -> str:
    if step is not None:
        title = f"{task.title}: now in {step.stage_title}"
        key = f"{task.ref}/{step.stage}/{step.commit or step.at}"
        summary = f"{task.ref} entered {step.stage_title} on {step.day}"
        if step.author:
            summary += f" ({step.author})"
    else:
        title = f"{task.title} ({task.stage_title})"
        key = task.ref
        summary = f"{task.ref} is in {task.stage_title}"
    entry_id = f"{site.base_url}/{task.url}#{key}" if site.base_url else f"urn:mdpm:{key}"
    href = f"{site.base_url}/{task.url}" if site.base_url else task.url
    return "\n".join([
        "  <entry>",
        f"    <title>{escape(title)}</title>",
        f"    <id>{escape(entry_id)}</id>",
        f"    <updated>{at}</updated>",
        f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(href)}/>",
        f"    <summary>{escape(summary)}</summary>",
        "  </entry>",
    ])


# XML escaping as `xml.sax.saxutils` does it (importing that module pulls in urllib, http and
# email: about 30 ms of every build).

def escape(text: str) -> str:
    """Escape &, < and > for XML text."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """Escape and quote an XML attribute value (as `xml.sax.saxutils.quoteattr`)."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'
