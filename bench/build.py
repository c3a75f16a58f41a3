"""Time `mdpm build` on a generated repository and, when Hugo is installed, Hugo on the same files.

    .venv/bin/python bench/build.py                      # 100 projects x 100 tasks
    .venv/bin/python bench/build.py --projects 10 --runs 3

Prints, for mdpm: a cold build (empty output, empty cache), a warm rebuild with nothing
changed, and a warm rebuild after one task file changed; wall time and the peak memory of
the largest process. Hugo (same Markdown files, minimal layouts: a page per task and a list
per project) is timed in the same run, alternating with mdpm, and the ratios are printed.
Each build is a separate process, as a user or CI would run it. mdpm runs from a snapshot
of this checkout (mdpm/ and themes/ copied into the work folder and byte-compiled, as
installing it does), so edits made to the working tree during the run do not count as
changes (a build reuses its caches only while mdpm's own code is unchanged).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.gen import generate  # noqa: E402
from bench.installed import compile_package  # noqa: E402

HUGO_CONFIG = """\
baseURL = "http://example.org/"
title = "bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
                            "<body><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><dl>"
                            "<dt>owner</dt><dd>{{ .Params.owner }}</dd>"
                            "<dt>stage</dt><dd>{{ .Params.stage }}</dd>"
                            "<dt>due</dt><dd>{{ .Params.due }}</dd></dl>"
                            "<ul>{{ range .Params.depends_on }}<li>{{ . }}</li>{{ end }}</ul>"
                            "{{ .Content }}{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}"
                          "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> "
                          "{{ .Params.stage }}</li>{{ end }}</ul>{{ end }}\n",
}


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, float]:
    """Run a command; return (wall seconds, peak RSS in MB of its largest process, CPU
    seconds of it and its children, user + system)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not the sum so far
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({code}):\n{process.stderr.read()}")
    process.stderr.close()
    return wall, round(usage.ru_maxrss / 1024), usage.ru_utime + usage.ru_stime


def snapshot(work: Path) -> Path:
    """Copy mdpm/ and themes/ into work/code; return the folder to put on PYTHONPATH."""
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "mdpm", code / "mdpm", ignore=ignore)
    shutil.copytree(REPO / "themes", code / "themes", ignore=ignore)
    compile_package(code / "mdpm")
    compile_package(code / "themes")  # the default theme's compiled templates
    return code


def mdpm_build(root: Path, out: Path, cache: Path, code: Path) -> tuple[float, int, float]:
    return run([sys.executable, "-m", "mdpm", "build", "-q", "--out", str(out)], root,
               {"MDPM_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1795608000",
                "PYTHONPATH": str(code)})


def hugo_site(root: Path, work: Path) -> Path:
    site = work / "hugo"
    (site / "layouts").mkdir(parents=True)
    (site / "hugo.toml").write_text(f'contentDir = "{root / "content"}"\n' + HUGO_CONFIG)
    for rel, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return site


def hugo_build(site: Path, out: Path) -> tuple[float, int, float]:
    shutil.rmtree(out, ignore_errors=True)
    return run(["hugo", "--quiet", "-s", str(site), "-d", str(out)], site)


def touch_one(root: Path) -> None:
    """Change one task: tick a checkbox or change its title."""
    task = sorted((root / "content" / "projects").glob("*/task-*.md"))[0]
    text = task.read_text()
    changed = text.replace("- [ ]", "- [x]", 1) if "- [ ]" in text else text.replace(
        "title: ", "title: Changed ", 1)
    task.write_text(changed)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--commits", type=int, default=0, help="stage-change commits to mine")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", metavar="DIR", help="work here and keep it")
    parser.add_argument("--out-root", metavar="DIR",
                        help="write both tools' sites under DIR (e.g. /dev/shm, in memory: "
                             "their own work without the disk's cost of making 10,000 "
                             "folders, which varies several-fold here from run to run)")
    args = parser.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="mdpm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    outputs = Path(tempfile.mkdtemp(prefix="mdpm-bench-out-", dir=args.out_root)) \
        if args.out_root else work
    root = work / "repo"
    if not root.exists():
        generate(root, args.projects, args.tasks, args.commits, git=True)
    count = args.projects * args.tasks
    hugo = shutil.which("hugo")
    site = hugo_site(root, work) if hugo and not (work / "hugo").exists() else work / "hugo"
    code = snapshot(work)
    figures: dict[str, list[tuple[float, int, float]]] = {k: [] for k in
                                                          ("cold", "warm", "one", "hugo")}
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        out, cache = outputs / "site", work / "cache"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        figures["cold"].append(mdpm_build(root, out, cache, code))
        if hugo:
            figures["hugo"].append(hugo_build(site, outputs / "hugo-out"))
        figures["warm"].append(mdpm_build(root, out, cache, code))
        touch_one(root)
        figures["one"].append(mdpm_build(root, out, cache, code))
    print(f"mdpm build, {count} tasks ({args.projects} x {args.tasks}), {args.runs} run(s), "
          f"median wall and CPU (user + system) time; peak RSS of the largest process; "
          f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
          f"sites written under {outputs}")
    labels = {"cold": "cold build (empty output and cache)", "warm": "warm, nothing changed",
              "one": "warm, one file changed", "hugo": "Hugo full build (same files)"}
    base = median([w for w, _, _ in figures["hugo"]]) if figures["hugo"] else None
    for key, label in labels.items():
        if not figures[key]:
            print(f"  {label:40s} (hugo not installed)")
            continue
        wall = median([w for w, _, _ in figures[key]])
        cpu = median([c for _, _, c in figures[key]])
        peak = max(m for _, m, _ in figures[key])
        ratio = f"  {wall / base:5.2f}x Hugo" if base and key != "hugo" else ""
        print(f"  {label:40s} {wall:7.2f} s  {1000 * wall / count:6.3f} ms/task  "
              f"cpu {cpu:6.2f} s  {peak:5d} MB{ratio}")
    if outputs != work:
        shutil.rmtree(outputs, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
