"""mdpm serve: path safety, editor saves, debounce, reload channel, overlay, shutdown."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from watchdog.events import FileModifiedEvent, FileMovedEvent, DirModifiedEvent

from mdpm.errors import Problem, UsageError
from mdpm.serve import (Built, Preview, Refused, content_type, inject, is_loopback, overlay_html,
                        resolve_request)
from mdpm.watch import ChangeFilter, Debouncer, event_paths, is_ignored


WAIT = 10.0  # seconds a change may take to show, on a busy machine


# --- helpers -------------------------------------------------------------------------------


class PageBuilder:
    """A small builder for the server's own tests: one page per Markdown file, as text.

    A file containing BOOM makes the build raise, as a broken template would.
    """

    def __init__(self, root: Path):
        self.root = root
        self.calls: list[set[Path]] = []

    def build(self, out_dir: Path) -> Built:
        return self._render(out_dir)

    def update(self, out_dir: Path, changed: set[Path], **hooks) -> Built:
        self.calls.append(changed)
        return self._render(out_dir)

    def _render(self, out_dir: Path) -> Built:
        pages = {"index.html": "<p>home</p>"}
        for path in sorted((self.root / "content").rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            if "BOOM" in text:
                raise ValueError(f"cannot render {path.name}")
            pages[f"{path.parent.name}/{path.stem}/index.html"] = f"<main>{text}</main>"
        for rel, body in pages.items():
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
        return Built([])


def get(url: str, path: str) -> tuple[int, str, dict]:
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    finally:
        conn.close()


def raw_get(url: str, target: str) -> tuple[int, bytes]:
    """Send a request line byte for byte, as no client library would normalise it."""
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        chunk = sock.recv(4096)
        assert chunk, f"the stream closed before {marker!r}"
        received += chunk
    return received


def wait_for(predicate, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the change to show")


def page_shows(url: str, path: str, text: str):
    return lambda: text in get(url, path)[1]


@pytest.fixture
def preview(tmp_path):
    root = tmp_path / "repo"
    (root / "content" / "acme").mkdir(parents=True)
    (root / "mdpm.toml").write_text("[site]\n", encoding="utf-8")
    (root / "content" / "acme" / "draft.md").write_text("first version", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    builder = PageBuilder(root)
    logs: list[str] = []
    with Preview(root, builder, site, port=0, delay=0.1, log=logs.append) as live:
        live.logs = logs
        yield live


# --- paths ---------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    (site / "board").mkdir(parents=True)
    (site / "empty").mkdir()
    (site / "index.html").write_text("home")
    (site / "board" / "index.html").write_text("board")
    (site / "style.css").write_text("body{}")
    (tmp_path / "secret.txt").write_text("secret")
    return site


def test_root_and_folders_serve_their_index(site):
    assert resolve_request(site, "/") == ((site / "index.html").resolve(), None)
    assert resolve_request(site, "/board/") == ((site / "board" / "index.html").resolve(), None)
    assert resolve_request(site, "/board/?x=1#top")[0] == (site / "board" / "index.html").resolve()
    assert resolve_request(site, "/board") == (None, "/board/")


def test_missing_files_and_folders_without_index_are_not_found(site):
    assert resolve_request(site, "/nope.html") == (None, None)
    assert resolve_request(site, "/empty/") == (None, None)


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/board/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
    "/board/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/a%00b", "/..",
])
def test_paths_that_leave_the_site_are_refused(site, target):
    with pytest.raises(Refused):
        resolve_request(site, target)


def test_symlinks_out_of_the_site_are_refused_and_inside_allowed(site, tmp_path):
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "outside").symlink_to(tmp_path)
    (site / "alias.css").symlink_to(site / "style.css")
    with pytest.raises(Refused):
        resolve_request(site, "/leak.txt")
    with pytest.raises(Refused):
        resolve_request(site, "/outside/secret.txt")
    assert resolve_request(site, "/alias.css")[0] == (site / "style.css").resolve()


def test_content_types():
    assert content_type(Path("a/index.html")) == "text/html; charset=utf-8"
    assert content_type(Path("style.css")) == "text/css; charset=utf-8"
    assert content_type(Path("app.js")) == "text/javascript; charset=utf-8"
    assert content_type(Path("board.json")) == "application/json"
    assert content_type(Path("calendar.ics")) == "text/calendar; charset=utf-8"
    assert content_type(Path("feed.xml")) == "application/atom+xml; charset=utf-8"
    assert content_type(Path("graph.svg")) == "image/svg+xml"
    assert content_type(Path("blob.unknownext")) == "application/octet-stream"


def test_loopback_hosts():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


# --- what serve mode adds to pages ---------------------------------------------------------


def test_script_goes_before_the_last_body_end():
    page = b"<html><body><p>x</p></BODY></html>"
    result = inject(page, "abc.1", [])
    assert result.index(b"data-mdpm-live") < result.index(b"</BODY>")
    assert b'"abc.1"' in result and b'id="mdpm-overlay"' not in result
    assert inject(b"<p>fragment</p>", "v", []).startswith(b"<p>fragment</p><script")


def test_overlay_lists_file_line_and_message_escaped():
    problem = Problem("content/projects/acme/draft.md", 3, "frontmatter", "error",
                      "not valid YAML: <bad>")
    shown = overlay_html([problem])
    assert "content/projects/acme/draft.md:3" in shown
    assert "&lt;bad&gt;" in shown and "<bad>" not in shown
    assert 'data-problem="frontmatter"' in shown
    assert overlay_html([]) == ""


# --- editor events -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "draft.md.swp", ".draft.md.swp", "draft.md~", ".#draft.md", "#draft.md#", "4913",
    "draft.md___jb_tmp___", "draft.md___jb_old___", ".draft.md.tmp", "draft.md.kate-swp",
])
def test_editor_temp_files_are_ignored(name):
    assert is_ignored(Path("/r/content/projects/acme") / name)


def test_real_files_are_not_ignored():
    assert not is_ignored(Path("/r/content/projects/acme/draft.md"))
    assert not is_ignored(Path("/r/content/projects/acme/_index.md"))


def test_a_move_counts_both_ends_and_folder_modifications_nothing():
    moved = FileMovedEvent("/r/content/a/x.md___jb_tmp___", "/r/content/a/x.md")
    assert event_paths(moved) == [Path("/r/content/a/x.md___jb_tmp___"), Path("/r/content/a/x.md")]
    assert event_paths(FileModifiedEvent("/r/content/a/x.md")) == [Path("/r/content/a/x.md")]
    assert event_paths(DirModifiedEvent("/r/content/a")) == []


def test_only_inputs_of_the_site_count(tmp_path):
    wanted = ChangeFilter(tmp_path, ignore_dirs=[tmp_path / "content" / "_site"])
    assert wanted.wants(tmp_path / "mdpm.toml")
    assert wanted.wants(tmp_path / "content" / "projects" / "a" / "x.md")
    assert wanted.wants(tmp_path / "themes" / "mine" / "base.html")
    assert not wanted.wants(tmp_path / "README.md")
    assert not wanted.wants(tmp_path / ".git" / "index")
    assert not wanted.wants(tmp_path / "content" / "_site" / "index.html")
    assert not wanted.wants(tmp_path / "content" / "projects" / "a" / "x.md.swp")
    assert not wanted.wants(tmp_path.parent / "elsewhere.md")


def test_debouncer_hands_over_a_burst_once_after_it_settles():
    batches: list[set] = []
    done = threading.Event()
    debouncer = Debouncer(lambda batch: (batches.append(batch), done.set()), delay=0.3)
    debouncer.start()
    try:
        started = time.monotonic()
        for i in range(10):
            debouncer.add([Path(f"/f{i % 3}")])
            time.sleep(0.02)
        assert done.wait(WAIT)
        assert time.monotonic() - started >= 0.3 + 9 * 0.02
        time.sleep(0.4)
        assert batches == [{Path("/f0"), Path("/f1"), Path("/f2")}]
    finally:
        debouncer.stop()


# --- a live server, files saved the ways editors save them ---------------------------------


def draft_of(live) -> Path:
    return live.root / "content" / "acme" / "draft.md"


def test_first_build_is_served_with_the_reload_script_never_written_to_disk(preview):
    status, body, headers = get(preview.url, "/acme/draft/")
    assert status == 200 and "first version" in body and "data-mdpm-live" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    on_disk = (preview.site_dir / "acme" / "draft" / "index.html").read_text()
    assert "data-mdpm-live" not in on_disk and "EventSource" not in on_disk
    assert get(preview.url, "/")[0] == 200


def test_in_place_write_shows(preview):
    draft_of(preview).write_text("edited in place", encoding="utf-8")
    wait_for(page_shows(preview.url, "/acme/draft/", "edited in place"))


def test_atomic_rename_of_a_temp_file_shows(preview):
    draft = draft_of(preview)
    temp = draft.with_name(".draft.md.tmp")
    temp.write_text("saved by rename", encoding="utf-8")
    os.replace(temp, draft)
    wait_for(page_shows(preview.url, "/acme/draft/", "saved by rename"))


def test_vim_style_save_shows(preview):
    draft = draft_of(preview)
    probe = draft.with_name("4913")
    probe.write_text("")
    probe.unlink()
    backup = draft.with_name("draft.md~")
    os.rename(draft, backup)
    draft.write_text("saved by vim", encoding="utf-8")
    backup.unlink()
    wait_for(page_shows(preview.url, "/acme/draft/", "saved by vim"))


def test_jetbrains_safe_write_shows(preview):
    draft = draft_of(preview)
    temp = draft.with_name("draft.md___jb_tmp___")
    old = draft.with_name("draft.md___jb_old___")
    temp.write_text("saved by jetbrains", encoding="utf-8")
    os.rename(draft, old)
    os.rename(temp, draft)
    old.unlink()
    wait_for(page_shows(preview.url, "/acme/draft/", "saved by jetbrains"))


def test_delete_and_recreate_shows(preview):
    draft = draft_of(preview)
    draft.unlink()
    draft.write_text("recreated", encoding="utf-8")
    wait_for(page_shows(preview.url, "/acme/draft/", "recreated"))


def test_a_burst_of_saves_ends_in_the_last_one_with_few_rebuilds(preview):
    draft = draft_of(preview)
    before = preview.rebuilds
    for i in range(20):
        draft.write_text(f"save number {i}", encoding="utf-8")
    wait_for(page_shows(preview.url, "/acme/draft/", "save number 19"))
    time.sleep(0.3)
    assert 1 <= preview.rebuilds - before <= 3


def test_temp_files_alone_do_not_rebuild(preview):
    before = preview.rebuilds
    swap = draft_of(preview).with_name(".draft.md.swp")
    swap.write_bytes(b"\0vim swap")
    swap.unlink()
    time.sleep(0.4)
    assert preview.rebuilds == before


def test_a_new_project_folder_is_watched(preview):
    project = preview.root / "content" / "beta"
    project.mkdir()
    (project / "plan.md").write_text("new project", encoding="utf-8")
    wait_for(page_shows(preview.url, "/beta/plan/", "new project"))


def test_a_failed_build_keeps_serving_and_shows_the_problem_until_fixed(preview):
    draft = draft_of(preview)
    draft.write_text("BOOM", encoding="utf-8")
    wait_for(page_shows(preview.url, "/acme/draft/", 'id="mdpm-overlay"'))
    status, body, _ = get(preview.url, "/acme/draft/")
    assert status == 200 and "first version" in body  # the last good page
    assert "ValueError: cannot render draft.md" in body
    draft.write_text("fixed", encoding="utf-8")
    wait_for(lambda: 'id="mdpm-overlay"' not in get(preview.url, "/acme/draft/")[1])
    assert "fixed" in get(preview.url, "/acme/draft/")[1]


def test_status_reports_version_and_problems(preview):
    status, body, headers = get(preview.url, "/__mdpm__/status")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["problems"] == []


def test_reload_event_arrives_after_a_save(preview):
    version = preview.state.version
    host, port = preview.server.server_address[:2]
    with socket.create_connection((host, port), timeout=WAIT) as sock:
        sock.sendall(f"GET /__mdpm__/events?v={version} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        received = sock.recv(4096)
        assert b"text/event-stream" in received and b"event: reload" not in received
        draft_of(preview).write_text("reload me", encoding="utf-8")
        while b"event: reload" not in received:
            chunk = sock.recv(4096)
            assert chunk, "the stream closed without a reload event"
            received += chunk
    assert preview.state.version.encode() in received


def test_a_page_at_an_old_version_reloads_at_once(preview):
    host, port = preview.server.server_address[:2]
    with socket.create_connection((host, port), timeout=WAIT) as sock:
        sock.sendall(b"GET /__mdpm__/events?v=stale HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while b"event: reload" not in received:
            chunk = sock.recv(4096)
            assert chunk
            received += chunk


def test_traversal_over_a_raw_socket_is_refused(preview, tmp_path):
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    (preview.site_dir / "leak.txt").symlink_to(tmp_path / "secret.txt")
    for target in ("/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt",
                   "/%2e%2e/%2e%2e/secret.txt", "/acme/%2E%2E/%2E%2E/secret.txt", "/leak.txt",
                   "//../secret.txt", "/..%2fsecret.txt"):
        status, data = raw_get(preview.url, target)
        assert status == 403, target
        assert b"TOP SECRET" not in data


def test_folders_are_never_listed_and_redirect_to_a_slash(preview):
    (preview.site_dir / "bare").mkdir()
    (preview.site_dir / "bare" / "file.txt").write_text("x")
    status, body, _ = get(preview.url, "/bare/")
    assert status == 404 and "file.txt" not in body
    status, _, headers = get(preview.url, "/acme/draft")
    assert status == 301 and headers["Location"] == "/acme/draft/"
    status, _, headers = get(preview.url, "//evil.example/acme")
    assert status == 404 or headers.get("Location", "").startswith("/evil.example")


# --- the command, as a process -------------------------------------------------------------


def start_serve(root: Path, temp: Path, *args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mdpm", "-C", str(root), "serve", "--port",
                             "0", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, text=True)
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if " on http://" in line:
            return proc, line.split(" on ", 1)[1].split()[0]
    proc.kill()
    proc.wait()
    raise AssertionError("mdpm serve did not start:\n" + "".join(seen))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_process_stops_cleanly_and_leaves_no_temp_folder(live_repo, tmp_path, sig):
    root = live_repo
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc, url = start_serve(root, temp)
    try:
        assert list(temp.iterdir()), "the site is served from a temp folder"
        status, body, _ = get(url, "/")
        assert status == 200 and "data-mdpm-live" in body
    finally:
        stopped_cleanly(proc, sig, temp)
    with pytest.raises(OSError):
        get(url, "/")


def stopped_cleanly(proc, sig, temp: Path) -> None:
    """Send `sig` to a running `mdpm serve`; check it ends with status 0, no traceback and
    no temp folder left."""
    try:
        proc.send_signal(sig)
        output, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    assert list(temp.iterdir()) == []


def children_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except FileNotFoundError:  # a thread (one per request) that ended meanwhile
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="settles apart on Linux")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_settling_process_never_outlives_the_server(live_repo, tmp_path, sig):
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc, url = start_serve(live_repo, temp)
    try:
        draft = live_repo / "content/projects/acme/draft.md"
        draft.write_text(task_text("Draft the story", "doing"), encoding="utf-8")

        def moved():
            board = get(url, "/board/")[1]
            return board.index('data-stage="doing"') < board.index('data-task="acme/draft"')

        wait_for(moved)
        settlers = children_of(proc.pid)
        assert settlers, "the rest of the site is settled by a child process"
    finally:
        stopped_cleanly(proc, sig, temp)
    for pid in settlers:
        assert not Path(f"/proc/{pid}").exists() or \
            "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]


def test_serve_with_a_broken_config_at_the_start_exits_2(small_repo, capsys):
    from mdpm.cli import run

    (small_repo / "mdpm.toml").write_text("[[stage]]\nid = 'a'\ntype = 'activ'\n")
    assert run(["-C", str(small_repo), "serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "mdpm.toml" in err and "activ" in err


def test_listening_beyond_this_machine_warns(live_repo, capsys):
    from mdpm.serve import serve

    # 203.0.113.1 (TEST-NET-3) is no address of this machine: the bind fails after the warning.
    with pytest.raises(UsageError, match="cannot listen on 203.0.113.1"):
        serve(live_repo, host="203.0.113.1", port=0, builder=PageBuilder(live_repo))
    assert "warning: listening on 203.0.113.1" in capsys.readouterr().err


def test_serve_on_a_taken_port_exits_2(live_repo, capsys):
    from mdpm.cli import run

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run(["-C", str(live_repo), "serve", "--port", str(port)]) == 2
    assert f"port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err


# --- the incremental builder behind the command ---------------------------------------------

MINI_THEME = {
    "base.html": """\
        <!doctype html><html><head><meta charset="utf-8"><title>{{ site.title }}</title></head>
        <body>{% block main %}{% endblock %}</body></html>
        """,
    "overview.html": """\
        {% extends "base.html" %}{% block main %}<h1>{{ site.title }}</h1>
        {% for p in site.problems %}<p data-problem="{{ p.code }}">{{ p.problem.message }}</p>
        {% endfor %}{% endblock %}""",
    "board.html": """\
        {% extends "base.html" %}{% block main %}{% for c in board.columns %}
        <section data-stage="{{ c.stage.id }}">{% for r in c.refs %}<p data-task="{{ r }}">
        {{ site.tasks[r].title }}</p>{% endfor %}</section>{% endfor %}{% endblock %}""",
    "task.html": """\
        {% extends "base.html" %}{% block main %}<h1>{{ task.title }}</h1>
        <p class="stage">{{ task.stage }}</p>{{ site.html(task.body_key)|safe }}{% endblock %}""",
    "project.html": """\
        {% extends "base.html" %}{% block main %}<h1>{{ project.title }}</h1>
        {% for r in project.refs %}<p data-task="{{ r }}">{{ site.tasks[r].title }}</p>
        {% endfor %}{% endblock %}""",
    **{name: '{% extends "base.html" %}{% block main %}' + name + "{% endblock %}"
       for name in ("review.html", "people.html", "person.html", "metrics.html", "retro.html")},
}


def task_text(title: str, stage: str = "backlog", body: str = "Notes.") -> str:
    return f"---\ntitle: {title}\nowner: alice\nstage: {stage}\n---\n{body}\n"


@pytest.fixture
def live_repo(write_tree):
    from conftest import SMALL_CONFIG

    files = {"mdpm.toml": SMALL_CONFIG.replace('title = "Test team"',
                                               'title = "Test team"\ntheme = "mini"'),
             "content/projects/acme/draft.md": task_text("Draft the story"),
             "content/projects/acme/edit.md": task_text("Edit the story"),
             "content/projects/beta/plan.md": task_text("Plan the launch")}
    files.update({f"themes/mini/templates/{name}": text for name, text in MINI_THEME.items()})
    return write_tree(files, Path(write_tree({}) / "repo"))


def live_site(root: Path, site_dir: Path, apart: bool):
    import datetime as dt

    from mdpm.live import LiveSite

    site_dir.mkdir()
    builder = LiveSite(root, now=lambda: dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc),
                       apart=apart)
    assert builder.build(site_dir).problems == []
    builder.site_dir = site_dir
    return builder


@pytest.fixture(params=[True, False], ids=["settle-apart", "settle-here"])
def live(live_repo, tmp_path, request):
    """The builder, settling in a forked process and on the calling thread."""
    builder = live_site(live_repo, tmp_path / "site", request.param)
    yield builder
    builder.close()


@pytest.fixture
def live_here(live_repo, tmp_path):
    """The builder, settling on the calling thread."""
    return live_site(live_repo, tmp_path / "site", False)


@pytest.fixture
def live_apart(live_repo, tmp_path):
    """The builder, settling in a forked process."""
    builder = live_site(live_repo, tmp_path / "site", True)
    yield builder
    builder.close()


def inodes(site_dir: Path) -> dict[str, int]:
    return {p.relative_to(site_dir).as_posix(): p.stat().st_ino
            for p in site_dir.rglob("*") if p.is_file()}


def test_a_saved_task_rewrites_only_the_pages_it_touches(live):
    before = inodes(live.site_dir)
    path = live.root / "content/projects/acme/draft.md"
    path.write_text(task_text("Draft the story", "doing", "Now with **more**."), encoding="utf-8")
    assert live.update(live.site_dir, {path}).problems == []
    assert live.settle(live.site_dir).problems == []
    after = inodes(live.site_dir)
    changed = {p for p in after if before.get(p) != after[p]}
    assert "projects/acme/draft/index.html" in changed
    assert "board/index.html" in changed
    assert "projects/beta/plan/index.html" not in changed
    assert "projects/beta/index.html" not in changed
    page = (live.site_dir / "projects/acme/draft/index.html").read_text()
    assert "<strong>more</strong>" in page and '<p class="stage">doing</p>' in page
    board = (live.site_dir / "board/index.html").read_text()
    assert board.index('data-stage="doing"') < board.index('data-task="acme/draft"')


def test_after_a_settle_every_board_is_as_a_fresh_build_makes_it(write_tree, tmp_path):
    import datetime as dt

    from conftest import SMALL_CONFIG
    from mdpm.live import LiveSite

    root = write_tree({"mdpm.toml": SMALL_CONFIG,  # the default theme: boards show counts
                       "content/projects/acme/draft.md": task_text("Draft the story"),
                       "content/projects/beta/plan.md": task_text("Plan the launch")})
    now = lambda: dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)  # noqa: E731
    live, site, fresh = LiveSite(root, now=now), tmp_path / "site", tmp_path / "fresh"
    live.build(site)
    path = root / "content/projects/acme/draft.md"
    path.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
    live.update(site, {path})
    live.settle(site)
    live.close()
    LiveSite(root, now=now).build(fresh)
    boards = sorted(p.relative_to(fresh).as_posix() for p in (fresh / "board").rglob("*.html"))
    assert "board/project/beta/index.html" in boards  # its stage counts changed too
    assert [b for b in boards if (fresh / b).read_bytes() != (site / b).read_bytes()] == []


def test_a_broken_symlink_saved_while_serving_is_a_warning_until_it_goes(live):
    """As `mdpm build` says of it (`file-skipped`); never read, never a failed update."""
    folder = live.root / "content/projects/acme"
    for name, target in [("loop.md", "loop.md"), ("gone.md", "missing.md")]:
        (folder / name).symlink_to(target)
        assert live.update(live.site_dir, {folder / name}) is not None
        live.settle(live.site_dir)
        overview = (live.site_dir / "index.html").read_text(encoding="utf-8")
        assert 'data-problem="file-skipped"' in overview
        assert "cannot be followed (it loops, or what it names is missing)" in overview
        assert any(p.path == f"content/projects/acme/{name}" and p.code == "file-skipped"
                   for p in live.problems)
        assert live.update(live.site_dir, {folder / name}) is None  # no change: no reload
    live.build(live.site_dir)  # as at the start of `mdpm serve`
    assert sorted(p.path for p in live.problems if p.code == "file-skipped") == [
        "content/projects/acme/gone.md", "content/projects/acme/loop.md"]
    for name in ("loop.md", "gone.md"):
        (folder / name).unlink()
        assert live.update(live.site_dir, {folder / name}) is not None
        live.settle(live.site_dir)
    assert 'data-problem="file-skipped"' not in \
        (live.site_dir / "index.html").read_text(encoding="utf-8")


def test_a_save_without_a_change_needs_no_reload(live):
    path = live.root / "content/projects/acme/draft.md"
    path.write_bytes(path.read_bytes())
    assert live.update(live.site_dir, {path}) is None


def test_a_broken_save_shows_file_line_and_message_until_fixed(live):
    path = live.root / "content/projects/acme/draft.md"
    path.write_text("---\ntitle: Draft\nstage: [doing\n---\nbody\n", encoding="utf-8")
    shown = live.update(live.site_dir, {path}).problems
    assert [(p.path, p.code) for p in shown] == [("content/projects/acme/draft.md", "frontmatter")]
    assert shown[0].line in (3, 4) and "YAML" in shown[0].message
    path.write_text(task_text("Draft, fixed"), encoding="utf-8")
    assert live.update(live.site_dir, {path}).problems == []
    assert "Draft, fixed" in (live.site_dir / "projects/acme/draft/index.html").read_text()


def test_a_deleted_task_leaves_and_a_new_one_arrives(live):
    old = live.root / "content/projects/acme/edit.md"
    old.unlink()
    new = live.root / "content/projects/acme/publish.md"
    new.write_text(task_text("Publish the story"), encoding="utf-8")
    assert live.update(live.site_dir, {old, new}).problems == []
    live.settle(live.site_dir)
    assert not (live.site_dir / "projects/acme/edit/index.html").exists()
    assert "Publish the story" in (live.site_dir / "projects/acme/publish/index.html").read_text()
    project = (live.site_dir / "projects/acme/index.html").read_text()
    assert "acme/publish" in project and "acme/edit" not in project


def test_a_new_project_folder_is_found(live):
    folder = live.root / "content/projects/gamma"
    folder.mkdir()
    (folder / "idea.md").write_text(task_text("An idea"), encoding="utf-8")
    live.update(live.site_dir, {folder})
    assert "An idea" in (live.site_dir / "projects/gamma/idea/index.html").read_text()


def test_a_theme_change_rebuilds_every_page(live):
    template = live.root / "themes/mini/templates/task.html"
    template.write_text(MINI_THEME["task.html"].replace("<h1>", "<h1 class=new>"),
                        encoding="utf-8")
    live.update(live.site_dir, {template})
    for ref in ("acme/draft", "acme/edit", "beta/plan"):
        assert "<h1 class=new>" in (live.site_dir / f"projects/{ref}/index.html").read_text()


def test_a_broken_config_keeps_the_last_site_and_shows_its_errors(live):
    from mdpm.errors import ConfigError

    config = live.root / "mdpm.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace('type = "active"\nwip = 2', 'type = "actve"\nwip = 2'),
                      encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        live.update(live.site_dir, {config})
    assert any(p.path == "mdpm.toml" and "actve" in p.message for p in raised.value.problems)
    assert (live.site_dir / "projects/acme/draft/index.html").is_file()
    draft = live.root / "content/projects/acme/draft.md"
    draft.write_text(task_text("Draft while broken"), encoding="utf-8")
    with pytest.raises(ConfigError):  # still broken: a content save does not hide it
        live.update(live.site_dir, {draft})
    config.write_text(good, encoding="utf-8")
    assert live.update(live.site_dir, {config}).problems == []
    assert "Draft while broken" in (live.site_dir / "projects/acme/draft/index.html").read_text()


def test_serve_with_the_real_builder_shows_a_move_on_the_board(live_repo, tmp_path):
    from mdpm.live import LiveSite

    site_dir = tmp_path / "served"
    site_dir.mkdir()
    with Preview(live_repo, LiveSite(live_repo), site_dir, port=0) as live_preview:
        url = live_preview.url
        draft = live_repo / "content/projects/acme/draft.md"
        temp = draft.with_name(".draft.md.tmp")
        temp.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
        os.replace(temp, draft)

        def moved():
            board = get(url, "/board/")[1]
            return board.index('data-stage="doing"') < board.index('data-task="acme/draft"')

        wait_for(moved)
        draft.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
        wait_for(page_shows(url, "/board/", "content/projects/acme/draft.md:2"))
        assert get(url, "/projects/beta/plan/")[0] == 200
        draft.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
        wait_for(lambda: 'id="mdpm-overlay"' not in get(url, "/board/")[1])


def test_after_saves_the_kept_model_and_problems_equal_a_fresh_read(live):
    import datetime as dt

    from mdpm.workspace import check, load_portfolio

    acme = live.root / "content/projects/acme"
    (acme / "draft.md").write_text(task_text("Draft", "doing", "- [x] a\n- [ ] b"),
                                   encoding="utf-8")
    (acme / "edit.md").write_text("---\ntitle: Edit\nowner: zed\nstage: review\n---\n",
                                  encoding="utf-8")
    (acme / "_index.md").write_text("---\ntitle: Acme launch\nowner: bob\n---\nNotes\n",
                                    encoding="utf-8")
    changed = {acme / "draft.md", acme / "edit.md", acme / "_index.md"}
    live.update(live.site_dir, changed)
    live.settle(live.site_dir)
    fresh = load_portfolio(live.config)
    assert live.portfolio == fresh.portfolio
    assert live.problems == check(fresh, dt.date(2026, 11, 25))
    assert any(p.code == "person-unknown" for p in live.problems)
    # then single task files: saved, removed, added (the project is not rebuilt whole)
    (acme / "draft.md").write_text(task_text("Draft", "done", "- [x] a\n- [x] b"),
                                   encoding="utf-8")
    (acme / "edit.md").unlink()
    (acme / "aaa-first.md").write_text("---\ntitle: First\nowner: [x\n---\n", encoding="utf-8")
    live.update(live.site_dir, {acme / "draft.md", acme / "edit.md", acme / "aaa-first.md"})
    live.settle(live.site_dir)
    fresh = load_portfolio(live.config)
    assert live.portfolio == fresh.portfolio
    assert list(live.portfolio.tasks) == list(fresh.portfolio.tasks)
    assert live.problems == check(fresh, dt.date(2026, 11, 25))
    assert "Acme launch" in (live.site_dir / "projects/acme/draft/index.html").read_text() or \
        "Acme launch" in (live.site_dir / "projects/acme/index.html").read_text()


def test_other_files_in_a_project_folder_change_nothing(live):
    note = live.root / "content/projects/acme/notes.txt"
    note.write_text("not a task", encoding="utf-8")
    assert live.update(live.site_dir, {note}) is None


def test_the_saved_page_comes_first_and_is_not_rewritten_when_the_rest_follows(live):
    path = live.root / "content/projects/acme/draft.md"
    path.write_text(task_text("Draft the story", "doing", "First *look*."), encoding="utf-8")
    first = live.update(live.site_dir, {path})
    # (the project page lists titles only in this theme: its bytes did not change)
    assert first.pages == {"projects/acme/draft/index.html"}
    assert "<em>look</em>" in (live.site_dir / "projects/acme/draft/index.html").read_text()
    board = (live.site_dir / "board/index.html").read_text()
    assert board.index('data-task="acme/draft"') < board.index('data-stage="doing"')  # not yet
    rest = live.settle(live.site_dir)
    assert "board/index.html" in rest.pages
    assert "projects/acme/draft/index.html" not in rest.pages  # the first render was right
    board = (live.site_dir / "board/index.html").read_text()
    assert board.index('data-stage="doing"') < board.index('data-task="acme/draft"')
    assert live.settle(live.site_dir) is None  # nothing left


def test_one_settle_covers_every_save_since_the_last(live_here):
    live = live_here
    draft = live.root / "content/projects/acme/draft.md"
    draft.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
    live.update(live.site_dir, {draft})
    assert live.settle(live.site_dir, interrupted=lambda: True) is None
    plan = live.root / "content/projects/beta/plan.md"
    plan.write_text(task_text("Plan the launch", "doing"), encoding="utf-8")
    live.update(live.site_dir, {plan})
    assert "board/index.html" in live.settle(live.site_dir).pages
    board = (live.site_dir / "board/index.html").read_text()
    doing = board.index('data-stage="doing"')
    assert doing < board.index('data-task="acme/draft"')
    assert doing < board.index('data-task="beta/plan"')


def test_a_settle_overtaken_by_a_newer_save_keeps_the_newer_page(live_here, monkeypatch):
    live = live_here
    draft = live.root / "content/projects/acme/draft.md"
    draft.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
    live.update(live.site_dir, {draft})
    real_compose = live._compose

    def compose_then_save(*args, **kwargs):  # a save arrives while the settle computes
        result = real_compose(*args, **kwargs)
        draft.write_text(task_text("Draft the story", "review", "Newer."), encoding="utf-8")
        live.update(live.site_dir, {draft})
        return result

    monkeypatch.setattr(live, "_compose", compose_then_save)
    first = live.settle(live.site_dir)
    monkeypatch.setattr(live, "_compose", real_compose)
    assert "board/index.html" in first.pages  # the rest of the site moved on...
    assert "projects/acme/draft/index.html" not in first.pages  # ...but not over the newer page
    page = (live.site_dir / "projects/acme/draft/index.html").read_text()
    assert '<p class="stage">review</p>' in page and "Newer." in page
    assert live.unsettled == {"acme/draft"}
    live.settle(live.site_dir)
    board = (live.site_dir / "board/index.html").read_text()
    assert board.index('data-stage="review"') < board.index('data-task="acme/draft"')
    assert live.settle(live.site_dir) is None


def test_a_saved_page_is_made_with_the_tasks_that_depend_on_it(live):
    from mdpm.live import _neighbourhood

    plan = live.root / "content/projects/beta/plan.md"
    plan.write_text("---\ntitle: Plan the launch\nowner: alice\nstage: backlog\n"
                    "depends-on: [acme/draft]\n---\nNotes.\n", encoding="utf-8")
    live.update(live.site_dir, {plan})
    live.settle(live.site_dir)
    small = _neighbourhood(live.portfolio, {"acme/draft"}, set())
    assert set(small.tasks) == {"acme/draft", "beta/plan"}
    small = _neighbourhood(live.portfolio, {"beta/plan"}, set())
    assert set(small.tasks) == {"acme/draft", "beta/plan"}
    assert set(_neighbourhood(live.portfolio, {"acme/edit"}, set()).tasks) == {"acme/edit"}


def test_a_save_while_the_settler_works_keeps_its_page_and_is_settled_next(live_apart):
    live = live_apart
    draft = live.root / "content/projects/acme/draft.md"
    draft.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
    live.update(live.site_dir, {draft})

    def save_meanwhile():  # the settler sent its pages; a newer save is updated first
        draft.write_text(task_text("Draft the story", "review", "Newer."), encoding="utf-8")
        live.update(live.site_dir, {draft})

    first = live.settle(live.site_dir, before_writing=save_meanwhile)
    assert "board/index.html" in first.pages
    assert "projects/acme/draft/index.html" not in first.pages
    page = (live.site_dir / "projects/acme/draft/index.html").read_text()
    assert '<p class="stage">review</p>' in page and "Newer." in page
    assert live.unsettled == {"acme/draft"}
    live.settle(live.site_dir)  # the settler hears of the newer save
    board = (live.site_dir / "board/index.html").read_text()
    assert board.index('data-stage="review"') < board.index('data-task="acme/draft"')
    assert live.settle(live.site_dir) is None


def test_the_settler_is_another_process_that_keeps_the_site_between_settles(live_apart):
    live = live_apart
    draft = live.root / "content/projects/acme/draft.md"
    plan = live.root / "content/projects/beta/plan.md"
    for stage in ("doing", "review", "done"):
        for path, title in ((draft, "Draft the story"), (plan, "Plan the launch")):
            path.write_text(task_text(title, stage), encoding="utf-8")
            live.update(live.site_dir, {path})
            live.settle(live.site_dir)
        pid = live._settler.pid
        assert pid not in (0, os.getpid()) and Path(f"/proc/{pid}").exists()
    fresh = live.root.parent / "fresh"
    live_site(live.root, fresh, False)
    pages = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    assert [p for p in pages if (fresh / p).read_bytes() != (live.site_dir / p).read_bytes()] == []
    live.close()
    assert live._settler is None
    assert not Path(f"/proc/{pid}").exists()


def test_a_settler_that_dies_makes_the_next_save_rebuild_everything(live_apart):
    live = live_apart
    draft = live.root / "content/projects/acme/draft.md"
    draft.write_text(task_text("Draft the story", "doing"), encoding="utf-8")
    live.update(live.site_dir, {draft})
    live.settle(live.site_dir)
    os.kill(live._settler.pid, signal.SIGKILL)
    draft.write_text(task_text("Draft the story", "review"), encoding="utf-8")
    live.update(live.site_dir, {draft})
    assert live.settle(live.site_dir) is None
    draft.write_text(task_text("Draft the story", "done"), encoding="utf-8")
    assert live.update(live.site_dir, {draft}).pages is None  # every page, rebuilt
    board = (live.site_dir / "board/index.html").read_text()
    assert board.index('data-stage="done"') < board.index('data-task="acme/draft"')


def test_pages_reload_only_when_their_file_changed():
    from mdpm.serve import LiveState

    state = LiveState()
    start = state.publish(Built([], None))
    state.publish(Built([], {"projects/a/x/index.html", "board/index.html"}))
    assert state.changed_since(start, "board/index.html")
    assert not state.changed_since(start, "projects/b/y/index.html")
    assert state.changed_since(start, None)
    assert state.changed_since("unknown.3", "projects/b/y/index.html")
    middle = state.version
    problem = Problem("content/projects/a/x.md", 2, "frontmatter", "error", "bad")
    state.publish(Built([problem], {"projects/a/x/index.html"}))
    assert state.changed_since(middle, "projects/b/y/index.html")  # the banner changed


@pytest.mark.parametrize("url, file", [
    ("/", "index.html"), ("/board/", "board/index.html"),
    ("/projects/a/b/", "projects/a/b/index.html"),
    ("/board.json", "board.json"), ("/a%20b/", "a b/index.html"), ("/../x", None), ("", None),
])
def test_page_urls_map_to_site_files(url, file):
    from mdpm.serve import site_file

    assert site_file(url) == file


def test_a_page_of_another_project_does_not_reload(preview_live):
    url, root = preview_live
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    version = json.loads(get(url, "/__mdpm__/status")[1])["version"]
    streams = {}
    for page in ("/projects/beta/plan/", "/projects/acme/draft/"):
        sock = socket.create_connection((host, int(port)), timeout=WAIT)
        sock.sendall(f"GET /__mdpm__/events?v={version}&page={page} HTTP/1.1\r\n"
                     f"Host: x\r\n\r\n".encode())
        read_until(sock, b"retry:")
        streams[page] = sock
    try:
        draft = root / "content/projects/acme/draft.md"
        draft.write_text(task_text("Draft the story", "backlog", "Changed body."), encoding="utf-8")
        read_until(streams["/projects/acme/draft/"], b"event: reload")
        wait_for(lambda: json.loads(get(url, "/__mdpm__/status")[1])["version"] != version)
        time.sleep(0.5)
        streams["/projects/beta/plan/"].setblocking(False)
        with pytest.raises(BlockingIOError):
            streams["/projects/beta/plan/"].recv(4096)
    finally:
        for sock in streams.values():
            sock.close()


@pytest.fixture
def preview_live(live_repo, tmp_path):
    from mdpm.live import LiveSite

    site_dir = tmp_path / "served"
    site_dir.mkdir()
    with Preview(live_repo, LiveSite(live_repo), site_dir, port=0) as running:
        yield running.url, live_repo
