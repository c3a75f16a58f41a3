"""Live preview: serve the site from a temp folder, rebuild what a save changed, reload pages.

The pieces: `LiveState` (a version that moves on every rebuild, and the problems to show),
`resolve_request` (never a path outside the site), the HTTP handler (static files, the
reload channel as server-sent events, the script and the problem overlay injected into
HTML responses only here, never on disk), `Preview` (a builder, a server and a watcher
started and stopped together) and `serve` (the command, with clean shutdown on signals).
"""

from __future__ import annotations

import collections
import errno
import html
import ipaddress
import itertools
import json
import mimetypes
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Protocol
from urllib.parse import parse_qs, quote, unquote

from .errors import ERROR, ConfigError, MdpmError, Problem, UsageError
from .watch import DEBOUNCE_SECONDS, Watcher

CHANNEL = "/__mdpm__/"
EVENTS_PATH = CHANNEL + "events"
STATUS_PATH = CHANNEL + "status"
PING_SECONDS = 10.0
SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/atom+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


@dataclass
class Built:
    """The outcome of a build step: the problems to show, and the site files it rewrote."""

    problems: list[Problem] = field(default_factory=list)
    pages: set[str] | None = None
    """Site-relative paths whose bytes changed; None when any page may have changed."""


class Builder(Protocol):
    """What the preview needs from a site builder.

    A builder may also have `settle(out_dir, interrupted, before_writing) -> Built | None`:
    `update` then writes what is needed at once (the saved pages) and `settle`, called
    from another thread after each update, the rest. And `close()`, called once the
    preview stopped (to end what the builder started, such as a settling process).
    """

    def build(self, out_dir: Path) -> Built: ...

    def update(self, out_dir: Path, changed: set[Path]) -> Built | None:
        """Update out_dir; None when nothing changed (open pages stay)."""


class LiveState:
    """The build version open pages are at, what each version changed, the problems shown."""

    def __init__(self, keep: int = 200):
        self._token = os.urandom(4).hex()  # a restarted server never repeats a version
        self._counter = itertools.count(1)
        self.version = f"{self._token}.0"
        self.problems: list[Problem] = []
        self.closing = False
        self._changes: collections.deque = collections.deque(maxlen=keep)
        self._cond = threading.Condition()

    def publish(self, built: Built) -> str:
        """Record a finished build step; wake every page waiting for a reload."""
        with self._cond:
            pages = built.pages if built.problems == self.problems else None
            self.problems = list(built.problems)
            self.version = f"{self._token}.{next(self._counter)}"
            self._changes.append((self.version, None if pages is None else set(pages)))
            self._cond.notify_all()
            return self.version

    def wait_past(self, version: str, timeout: float) -> str:
        """Wait until the version differs from `version` (or timeout, or closing)."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != version or self.closing, timeout)
            return self.version

    def changed_since(self, version: str, page: str | None) -> bool:
        """Tell whether the site file `page` (None: any) changed after `version`."""
        with self._cond:
            versions = [v for v, _ in self._changes]
            if version not in versions:
                return version != self.version  # unknown or too old: reload to be sure
            later = list(self._changes)[versions.index(version) + 1:]
            return any(pages is None or page is None or page in pages for _, pages in later)

    def close(self) -> None:
        with self._cond:
            self.closing = True
            self._cond.notify_all()


# --- paths ---------------------------------------------------------------------------------


class Refused(Exception):
    """A request for something that is not a file of the site."""


def resolve_request(site_dir: Path, raw_path: str) -> tuple[Path | None, str | None]:
    """Map a request path to (file, None), or (None, redirect location) for a folder.

    Raises Refused for anything that would leave the site: `..` (raw or %-encoded),
    backslashes, NUL bytes, symlinks that point outside. Returns (None, None) when
    there is no such file; folders without index.html are never listed.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    decoded = unquote(path, errors="strict") if "%" in path else path
    if "\x00" in decoded or "\\" in decoded:
        raise Refused(raw_path)
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise Refused(raw_path)
    root = site_dir.resolve()
    target = root.joinpath(*parts)
    resolved = target.resolve()
    if resolved != root and not resolved.is_relative_to(root):
        raise Refused(raw_path)
    if resolved.is_dir():
        if parts and not decoded.endswith("/"):
            return None, quote("/" + "/".join(parts) + "/")
        target = target / "index.html"
        resolved = target.resolve()
        if not resolved.is_relative_to(root):
            raise Refused(raw_path)
    return (resolved, None) if resolved.is_file() else (None, None)


def site_file(url_path: str) -> str | None:
    """Return the site file a page URL shows (`/x/` -> `x/index.html`); None if unsure."""
    try:
        decoded = unquote(url_path.split("?", 1)[0], errors="strict")
    except UnicodeDecodeError:
        return None
    if not decoded.startswith("/") or "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    if decoded.endswith("/"):
        parts.append("index.html")
    return "/".join(parts)


def content_type(path: Path) -> str:
    """Return the Content-Type of a site file."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed is None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


# --- what serve mode adds to HTML ----------------------------------------------------------

_RELOAD_SCRIPT = """<script data-mdpm-live>(function () {
  var version = %s;
  var source = new EventSource(%s + "?v=" + encodeURIComponent(version) +
                               "&page=" + encodeURIComponent(location.pathname));
  source.addEventListener("reload", function () { source.close(); location.reload(); });
  var close = document.getElementById("mdpm-overlay-close");
  if (close) close.addEventListener("click", function () {
    document.getElementById("mdpm-overlay").remove();
  });
})();</script>"""

_OVERLAY = """<div id="mdpm-overlay" role="alert" style="position:fixed;left:0;right:0;top:0;\
z-index:2147483647;max-height:60vh;overflow:auto;background:#fff4f4;color:#5c0011;\
border-bottom:3px solid #c0102a;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;\
padding:.75rem 1rem;box-shadow:0 2px 12px rgba(0,0,0,.25)">
<button id="mdpm-overlay-close" type="button" aria-label="Hide" style="float:right">&times;</button>
<strong>mdpm serve: %s</strong>
<ul style="margin:.5rem 0 0;padding-left:1.25rem">%s</ul>
<p style="margin:.5rem 0 0;color:#555">Save a fix and this page reloads by itself.</p>
</div>"""

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def overlay_html(problems: list[Problem]) -> str:
    """Return the banner listing problems as `file:line: message`, or '' when none."""
    if not problems:
        return ""
    items = "".join(
        f'<li data-problem="{html.escape(p.code)}"><code>{html.escape(p.path)}:{p.line}</code>'
        f": {html.escape(p.severity)}[{html.escape(p.code)}]: {html.escape(p.message)}</li>"
        for p in problems)
    count = len(problems)
    title = f"{count} problem{'s' if count != 1 else ''} in your last change"
    return _OVERLAY % (title, items)


def inject(page: bytes, version: str, problems: list[Problem]) -> bytes:
    """Add the overlay and the reload script to an HTML page, before </body>."""
    script = _RELOAD_SCRIPT % (json.dumps(version), json.dumps(EVENTS_PATH))
    addition = (overlay_html(problems) + script).encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + addition
    cut = ends[-1].start()
    return page[:cut] + addition + page[cut:]


def _not_found_page(path: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title>"
            f"</head><body><h1>Not found</h1><p><code>{html.escape(path)}</code> is not a page "
            f"of this site. <a href=\"/\">Overview</a></p></body></html>").encode("utf-8")


# --- the HTTP server -------------------------------------------------------------------------


class SiteServer(ThreadingHTTPServer):
    """A threaded HTTP server over one site folder, with the live reload channel."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, site_dir: Path, state: LiveState, log: Callable[[str], None]):
        self.site_dir = site_dir
        self.state = state
        self.log = log
        super().__init__(address, SiteRequestHandler)


class SiteRequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD for the site's files; no listings, nothing outside the site."""

    server: SiteServer
    server_version = "mdpm-serve"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        route = self.path.split("?", 1)[0]
        if route == EVENTS_PATH:
            self._events()
        elif route == STATUS_PATH:
            self._status(send_body)
        else:
            self._file(send_body)

    def _file(self, send_body: bool) -> None:
        try:
            found, redirect = resolve_request(self.server.site_dir, self.path)
        except (Refused, UnicodeDecodeError, ValueError):
            self._send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8",
                       send_body)
            return
        if redirect:
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain; charset=utf-8", send_body,
                       {"Location": redirect})
            return
        state = self.server.state
        if found is None:
            page = inject(_not_found_page(self.path), state.version, state.problems)
            self._send(HTTPStatus.NOT_FOUND, page, CONTENT_TYPES[".html"], send_body)
            return
        try:
            data = found.read_bytes()
        except OSError:  # replaced between resolving and reading: the next request has it
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"Retry\n", "text/plain; charset=utf-8",
                       send_body, {"Retry-After": "1"})
            return
        kind = content_type(found)
        if kind.startswith("text/html"):
            data = inject(data, state.version, state.problems)
        self._send(HTTPStatus.OK, data, kind, send_body)

    def _status(self, send_body: bool) -> None:
        state = self.server.state
        body = json.dumps({"version": state.version,
                           "problems": [p.as_dict() for p in state.problems]}).encode()
        self._send(HTTPStatus.OK, body, "application/json", send_body)

    def _events(self) -> None:
        """Stream server-sent events: `reload` once a build changed the page's file."""
        params = parse_qs(self.path.partition("?")[2])
        seen = params.get("v", [""])[0]
        page = site_file(params.get("page", [""])[0])
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.server.state
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not state.closing:
                version = state.wait_past(seen, PING_SECONDS)
                if state.closing:
                    return
                if version == seen:
                    self.wfile.write(b": ping\n\n")  # finds pages that went away
                    self.wfile.flush()
                elif state.changed_since(seen, page):
                    self.wfile.write(f"event: reload\ndata: {version}\n\n".encode())
                    self.wfile.flush()
                    return
                else:  # other pages changed; this one is still what the build would write
                    seen = version
        except OSError:
            return

    def _send(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool,
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if args and str(args[1]).startswith(("4", "5")) and str(args[1]) != "404":
            self.server.log(f"mdpm serve: {self.address_string()} {format % args}")


# --- a builder, a server and a watcher together ---------------------------------------------


def failure_problems(exc: BaseException) -> list[Problem]:
    """Return what to show for a build that raised: the config's problems, or its message."""
    if isinstance(exc, ConfigError) and exc.problems:
        return [p for p in exc.problems if p.is_error]
    if isinstance(exc, MdpmError):
        return [Problem(exc.path or "(build)", exc.line or 1, "build", ERROR, exc.message)]
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return [Problem("(build)", 1, "build", ERROR,
                    f"the build failed: {type(exc).__name__}: {exc}{place}")]


class Preview:
    """Build once, serve the folder, and on each settled batch of saves update and reload."""

    def __init__(self, root: Path, builder: Builder, site_dir: Path, *, host: str = "127.0.0.1",
                 port: int = 0, delay: float = DEBOUNCE_SECONDS,
                 log: Callable[[str], None] = lambda message: None):
        self.root = root
        self.builder = builder
        self.site_dir = site_dir
        self.host = host
        self.port = port
        self.delay = delay
        self.log = log
        self.state = LiveState()
        self.server: SiteServer | None = None
        self.watcher: Watcher | None = None
        self._server_thread: threading.Thread | None = None
        self._settle_thread: threading.Thread | None = None
        self._settle_wanted = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.rebuilds = 0

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Take the port, start watching, run the first build, then serve."""
        try:
            self.server = SiteServer((self.host, self.port), self.site_dir, self.state, self.log)
        except OSError as exc:
            raise UsageError(_bind_message(self.host, self.port, exc)) from None
        # Watch before the first build, so a save made while it runs is not missed.
        self.watcher = Watcher(self.root, self.rebuild, delay=self.delay,
                               ignore_dirs=[self.site_dir], warn=self.log)
        self.watcher.start()
        self._run(lambda: self.builder.build(self.site_dir), "built the site")
        self._server_thread = threading.Thread(target=self.server.serve_forever,
                                               kwargs={"poll_interval": 0.2},
                                               name="mdpm-http", daemon=True)
        self._server_thread.start()
        settle = getattr(self.builder, "settle", None)
        if settle is not None:
            self._settle_thread = threading.Thread(target=self._settle_loop, args=(settle,),
                                                   name="mdpm-settle", daemon=True)
            self._settle_thread.start()

    def rebuild(self, changed: set[Path]) -> None:
        """Update the site for a batch of changed paths and tell open pages to reload."""
        self._run(lambda: self.builder.update(self.site_dir, changed),
                  _describe(changed, self.root))
        self._settle_wanted.set()

    def _settle_loop(self, settle: Callable) -> None:
        """Bring the rest of the site up to date after updates, off the watcher's thread."""
        while not self._stopping.is_set():
            if not self._settle_wanted.wait(0.2):
                continue
            self._settle_wanted.clear()
            started = time.perf_counter()
            try:
                built = settle(self.site_dir, interrupted=self._stopping.is_set,
                               before_writing=self._wait_for_pending_saves)
            except Exception as exc:  # shown like any failed build; the server goes on
                built = Built(failure_problems(exc))
            if built is None:
                continue
            self.state.publish(built)
            took = (time.perf_counter() - started) * 1000
            self.log(f"mdpm serve: updated the rest of the site in {took:.0f} ms"
                     + (f", {len(built.pages)} file(s) changed" if built.pages is not None else ""))

    def _wait_for_pending_saves(self, limit: float = 2.0) -> None:
        """Wait (a little) until saves the watcher holds have gone through `update`."""
        deadline = time.monotonic() + limit
        while (self.watcher is not None and self.watcher.debouncer.pending
               and not self._stopping.is_set() and time.monotonic() < deadline):
            time.sleep(0.01)

    def _run(self, step: Callable[[], Built | None], what: str) -> None:
        with self._lock:
            started = time.perf_counter()
            try:
                built = step()
            except Exception as exc:  # a broken edit must never stop the server
                built = Built(failure_problems(exc))
            if built is None:  # saved without a change the site shows
                return
            self.rebuilds += 1
            self.state.publish(built)
            took = (time.perf_counter() - started) * 1000
            problems = built.problems
            self.log(f"mdpm serve: {what} in {took:.0f} ms"
                     + (f", {len(problems)} problem(s) shown on the pages" if problems else ""))
            for problem in problems:
                self.log(f"  {problem.format()}")

    def stop(self) -> None:
        """Stop the watcher, close the reload streams and the server; wait for the threads."""
        self._stopping.set()
        if self.watcher is not None:
            self.watcher.stop()
        if self._settle_thread is not None:
            self._settle_thread.join(timeout=120)  # it stops at its next step
        if self._lock.acquire(timeout=120):  # let a running update finish writing
            self._lock.release()
        close = getattr(self.builder, "close", None)
        if close is not None:
            close()
        self.state.close()
        if self._server_thread is not None:
            self.server.shutdown()  # waits for serve_forever: only when it runs
            self._server_thread.join(timeout=5)
        if self.server is not None:
            self.server.server_close()

    def __enter__(self) -> "Preview":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _describe(changed: set[Path], root: Path) -> str:
    names = sorted(p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
                   for p in changed)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"updated for {shown}"


def _bind_message(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; try `mdpm serve --port {port + 1}`"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}; use a port above 1023"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def is_loopback(host: str) -> bool:
    """Tell whether a host name or address only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the command ---------------------------------------------------------------------------


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          builder: Builder | None = None, out=None) -> int:
    """Run the live preview until SIGINT or SIGTERM; return the exit status."""
    out = out or sys.stderr

    def log(message: str) -> None:
        print(message, file=out, flush=True)

    if not is_loopback(host):
        log(f"mdpm serve: warning: listening on {host}, so other machines can read this site; "
            "the preview server is meant for this machine only")
    stop, serving = threading.Event(), threading.Event()

    def on_signal(signum, frame) -> None:
        stop.set()
        if not serving.is_set():  # still in the first build: abandon it
            raise KeyboardInterrupt

    temp = Path(tempfile.mkdtemp(prefix="mdpm-serve-"))
    site_dir = temp / "site"  # the writer's own temp folders go beside it, inside `temp`
    site_dir.mkdir()
    previous = _on_signals(on_signal)
    # Hand the interpreter over more often, so the threads that answer pages and send
    # reloads are not held up for long by an update (or by a settle, where it cannot run
    # in a process of its own).
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    preview = None
    try:
        if builder is None:
            from .config import load_config_strict
            from .live import LiveSite

            load_config_strict(root)  # a broken mdpm.toml at the start ends with exit 2
            builder = LiveSite(root)
        preview = Preview(root, builder, site_dir, host=host, port=port, log=log)
        preview.start()
        serving.set()
        log(f"mdpm serve: serving {root} on {preview.url} (Ctrl-C to stop)")
        if open_browser:
            _open_browser(preview.url)
        while not stop.wait(0.5):
            pass
        log("mdpm serve: stopping")
        return 0
    finally:
        if preview is not None:
            preview.stop()
        _restore_signals(previous)
        sys.setswitchinterval(switch_interval)
        shutil.rmtree(temp, ignore_errors=True)


def _on_signals(handler) -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def _restore_signals(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _open_browser(url: str) -> None:
    import webbrowser

    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
