"""Time `mdpm serve` from a file save to the reloaded page's new content being served.

    .venv/bin/python bench/serve.py                      # 100 x 100 = 10,000 tasks, 20 saves
    .venv/bin/python bench/serve.py --projects 10 --saves 10

A real `mdpm serve` runs as a subprocess on a generated repository. For each save the
bench does what an open browser tab does: it listens on the reload channel, saves a task
file (a new stage and a new line in the body; by in-place write or by the temp-file
rename editors use), waits for the `reload` event, fetches the task's page and checks it
shows the new line. It prints the save-to-served latency (median, p95, max, then each
save's in order), the server's own times for each save (from its log: the saved pages,
then the rest of the site), and the cold first build for comparison.
`--breakdown` also times each step of `update` (read, model, the saved pages) and of
`settle` (check, site model, page plan, render, write) in this process.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.gen import generate  # noqa: E402
from bench.installed import compile_package  # noqa: E402

STAGES = ("backlog", "ready", "doing", "review", "done")
TARGET_MS = 250.0


class Server:
    """`mdpm serve` in a subprocess; its log is collected by a thread."""

    def __init__(self, root: Path, temp: Path):
        env = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "mdpm", "-C", str(root), "serve",
                                      "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if " on http://" in line and not self.url:
                self.url = line.split(" on ", 1)[1].split()[0]
                self.ready.set()
        self.ready.set()

    def address(self) -> tuple[str, int]:
        host, port = self.url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
        return host, int(port)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:  # a rebuild in progress finishes first
            return self.proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def http_get(address: tuple[str, int], path: str) -> str:
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(1 << 16):
            data += chunk
    return data.decode("utf-8", "replace")


def current_version(address: tuple[str, int]) -> str:
    body = http_get(address, "/__mdpm__/status").split("\r\n\r\n", 1)[1]
    return re.search(r'"version": "([^"]+)"', body).group(1)


def page_version(page: str) -> str:
    """The build version a served page is at (from the script serve mode adds)."""
    return re.search(r'var version = "([^"]+)"', page).group(1)


def open_reload_channel(address: tuple[str, int], version: str, page: str) -> socket.socket:
    """Listen for reloads as an open `page` at `version` does; return once the stream is open."""
    sock = socket.create_connection(address, timeout=120)
    sock.sendall(f"GET /__mdpm__/events?v={version}&page={page} HTTP/1.1\r\n"
                 f"Host: bench\r\n\r\n".encode())
    head = b""
    while b"retry:" not in head:
        head += sock.recv(4096)
    return sock


def wait_reload(sock: socket.socket) -> None:
    received = b""
    while b"event: reload" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("the reload channel closed without a reload")
        received += chunk


def save(path: Path, marker: str, stage: str, by_rename: bool) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^stage: .*$", f"stage: {stage}", text, count=1)
    text = text.rstrip("\n") + f"\n\n{marker}\n"
    if by_rename:
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    else:
        path.write_text(text, encoding="utf-8")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def logged_times(lines: list[str], pattern: str) -> list[float]:
    return [float(m.group(1)) for line in lines if (m := re.search(pattern, line))]


def breakdown(root: Path, rng: random.Random, saves: int) -> None:
    """Time each step of the server's update in this process (the same code, no HTTP)."""
    from mdpm.live import LiveSite

    with tempfile.TemporaryDirectory(prefix="mdpm-bench-site-") as out:
        site_dir = Path(out) / "site"
        site_dir.mkdir()
        builder = LiveSite(root)
        started = time.perf_counter()
        builder.build(site_dir)
        print(f"in-process first build: {(time.perf_counter() - started) * 1000:.0f} ms "
              f"{builder.timings}")
        files = [f for f in sorted((root / "content" / "projects").glob("*/*.md"))
                 if not f.name.startswith("_")]
        steps: dict[str, dict[str, list[float]]] = {"update": {}, "settle": {}}
        for number in range(saves):
            path = rng.choice(files)
            save(path, f"breakdown-{number}", rng.choice(STAGES), by_rename=False)
            for name, call in (("update", lambda: builder.update(site_dir, {path})),
                               ("settle", lambda: builder.settle(site_dir))):
                started = time.perf_counter()
                call()
                taken = steps[name]
                taken.setdefault("total", []).append((time.perf_counter() - started) * 1000)
                for step, value in builder.timings.items():
                    taken.setdefault(step, []).append(value)
        builder.close()
        for name, taken in steps.items():
            print(f"in-process {name}, median per step: " + ", ".join(
                f"{step} {statistics.median(values):.0f}"
                + ("" if step in ("pages", "changed") else " ms")
                for step, values in taken.items()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=100, help="tasks per project")
    parser.add_argument("--commits", type=int, default=0, help="history commits (0: no git)")
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between saves")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--breakdown", action="store_true",
                        help="also time each step of an update, in this process")
    args = parser.parse_args(argv)
    compile_package(REPO / "mdpm")  # time mdpm as installed
    compile_package(REPO / "themes")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="mdpm-bench-serve-") as scratch:
        scratch = Path(scratch)
        started = time.perf_counter()
        summary = generate(scratch / "repo", projects=args.projects, tasks=args.tasks,
                           commits=args.commits)
        print(f"corpus: {summary.tasks} tasks in {args.projects} projects, "
              f"{time.perf_counter() - started:.1f} s to generate")
        temp = scratch / "tmp"
        temp.mkdir()
        started = time.perf_counter()
        server = Server(summary.root, temp)
        server.ready.wait(600)
        if not server.url:
            print("\n".join(server.lines[-20:]), file=sys.stderr)
            return 1
        first = time.perf_counter() - started
        address = server.address()
        files = sorted((summary.root / "content" / "projects").glob("*/*.md"))
        files = [f for f in files if not f.name.startswith("_")]
        latencies = []
        try:
            for number in range(args.saves):
                path = rng.choice(files)
                url = f"/projects/{path.parent.name}/{path.stem}/"
                marker = f"bench-save-{number}-{rng.randrange(1 << 30):x}"
                channel = open_reload_channel(address, current_version(address), url)
                began = time.perf_counter()
                save(path, marker, rng.choice(STAGES), by_rename=number % 2 == 1)
                while True:  # as a browser: reload on each event until the page shows the save
                    wait_reload(channel)
                    page = http_get(address, url)
                    channel.close()
                    if marker in page:
                        break
                    if time.perf_counter() - began > 60:
                        print(f"save {number}: {url} does not show the saved text",
                              file=sys.stderr)
                        return 1
                    channel = open_reload_channel(address, page_version(page), url)
                latencies.append((time.perf_counter() - began) * 1000)
                time.sleep(args.pause)
        finally:
            status = server.stop()
        left = list(temp.iterdir())
        if args.breakdown:
            breakdown(summary.root, rng, max(3, args.saves // 2))
    firsts = logged_times(server.lines, r"updated for .* in (\d+) ms")
    rests = logged_times(server.lines, r"updated the rest of the site in (\d+) ms")
    print(f"first build + start: {first * 1000:.0f} ms (cold, the whole site)")
    print(f"save -> reloaded page served, {len(latencies)} saves: "
          f"median {statistics.median(latencies):.0f} ms, "
          f"p95 {percentile(latencies, 0.95):.0f} ms, "
          f"min {min(latencies):.0f} ms, max {max(latencies):.0f} ms "
          f"(target <= {TARGET_MS:.0f} ms; includes the 100 ms debounce)")
    print("each save (ms): " + " ".join(f"{value:.0f}" for value in latencies))
    for label, times in (("saved pages (update)", firsts), ("rest of the site (settle)", rests)):
        if times:
            print(f"server, {label}: {len(times)} runs, median {statistics.median(times):.0f} ms, "
                  f"p95 {percentile(times, 0.95):.0f} ms, ratio to the first build "
                  f"{statistics.median(times) / (first * 1000):.4f}")
    print(f"server exit status {status}, temp folders left: {len(left)}")
    return 0 if percentile(latencies, 0.95) <= TARGET_MS else 2


if __name__ == "__main__":
    sys.exit(main())
