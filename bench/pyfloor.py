"""The floor under a cold build in Python: task pages only, with the libraries the site uses.

A cold `mdpm build` must at least, for every task file: read it, split off its front
matter, render its body with cmark-gfm in safe mode and clean the result with nh3
(`mdpm.markdown.render_markdown`, as the site does), fill a Jinja template with autoescape,
and write the page as `<project>/<task>/index.html`. This does only that, on both cores (a
forked process per half of the files), in a fresh Python process, and times Hugo on the
same files and the same output folder alternating with it (the layouts of `bench/build.py`):

    .venv/bin/python bench/pyfloor.py --out-root /dev/shm        # 100 x 100, in memory
    .venv/bin/python bench/pyfloor.py --repo /tmp/corpus --runs 5

The floor leaves out everything else a build does: no YAML is parsed (the template gets
the front matter's raw lines), no rules, board, project, people, review, retrospective or
history page, no drawing, no cache. So it is a lower bound: a Python build of this site
cannot be faster than it on this machine. It prints the floor's wall and CPU time, Hugo's,
their ratio, and the floor's CPU per step.
"""

from __future__ import annotations

import argparse
import json
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

from bench.build import hugo_build, hugo_site, run  # noqa: E402
from bench.gen import generate  # noqa: E402

TEMPLATE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}"
            "</title></head><body><main><h1>{{ title }}</h1><dl>{% for line in fields %}"
            "<dd>{{ line }}</dd>{% endfor %}</dl><div class=\"prose\">{{ body|safe }}</div>"
            "</main></body></html>\n")
STEPS = ("read", "markdown", "template", "write")


def task_files(root: Path) -> list[str]:
    """Every task file (not a project's _index.md), in a stable order."""
    found = []
    for project in sorted(os.scandir(root / "content" / "projects"), key=lambda e: e.name):
        if project.is_dir():
            found += sorted(e.path for e in os.scandir(project.path)
                            if e.name.endswith(".md") and e.name != "_index.md")
    return found


def split_front_matter(text: str) -> tuple[list[str], str]:
    """The front matter's lines and the body, without parsing the YAML."""
    _, head, body = text.split("---\n", 2)
    return head.splitlines(), body


def build_pages(files: list[str], out: str, spent: dict[str, float]) -> None:
    """Render and write one page per task file, adding each step's CPU time to spent."""
    import jinja2

    from mdpm.markdown import render_markdown
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    clock = time.process_time
    for path in files:
        started = clock()
        with open(path, encoding="utf-8") as handle:
            lines, body = split_front_matter(handle.read())
        read = clock()
        html = render_markdown(body)
        rendered = clock()
        title = next((line[7:] for line in lines if line.startswith("title: ")), path)
        page = template.render(title=title, fields=lines, body=html).encode()
        filled = clock()
        project, name = path.rsplit(os.sep, 2)[-2:]
        folder = os.path.join(out, project, name[:-3])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "index.html"), "wb") as handle:
            handle.write(page)
        written = clock()
        for step, start, end in zip(STEPS, (started, read, rendered, filled),
                                    (read, rendered, filled, written)):
            spent[step] += end - start


def worker_main(root: Path, out: str) -> None:
    """The floor itself (a fresh process): fork once, each half of the files per process;
    print the CPU per step, summed over both, as JSON."""
    files = task_files(root)
    reader, writer = os.pipe()
    child = os.fork()
    half = files[:len(files) // 2] if child == 0 else files[len(files) // 2:]
    spent = dict.fromkeys(STEPS, 0.0)
    build_pages(half, out, spent)
    if child == 0:
        os.write(writer, json.dumps(spent).encode())
        os._exit(0)
    os.close(writer)
    other = json.loads(os.read(reader, 65536))
    os.waitpid(child, 0)
    print(json.dumps({step: spent[step] + other[step] for step in STEPS}))


def floor_build(root: Path, out: Path) -> tuple[float, int, float, dict[str, float]]:
    """Time the floor in a fresh process; (wall, peak MB, CPU, CPU per step)."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, __file__, "--worker", str(root), str(out)]
    steps_file = out.parent / "floor-steps.json"
    env = {"PYTHONPATH": str(REPO), "FLOOR_STEPS": str(steps_file)}
    wall, peak, cpu = run(command, root, env)
    return wall, peak, cpu, json.loads(steps_file.read_text())


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--worker"]:
        import contextlib
        import io
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            worker_main(Path(sys.argv[2]), sys.argv[3])
        if captured.getvalue():  # the parent, after the fork: hand the figures back
            Path(os.environ["FLOOR_STEPS"]).write_text(captured.getvalue())
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--repo", type=Path, help="an existing mdpm repository to use")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out-root", metavar="DIR",
                        help="write both sites under DIR (e.g. /dev/shm, in memory)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mdpm-pyfloor-"))
    outputs = Path(tempfile.mkdtemp(prefix="mdpm-pyfloor-out-", dir=args.out_root))
    try:
        root = args.repo.resolve() if args.repo else work / "repo"
        if not args.repo:
            generate(root, args.projects, args.tasks)
        hugo = shutil.which("hugo")
        site = hugo_site(root, work) if hugo else None
        floors, hugos = [], []
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            floors.append(floor_build(root, outputs / "floor"))
            if site:
                hugos.append(hugo_build(site, outputs / "hugo"))
        count = len(task_files(root))
        print(f"task pages only, {count} tasks, {args.runs} run(s), median; load average "
              f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; under {outputs}")
        wall = statistics.median(f[0] for f in floors)
        cpu = statistics.median(f[2] for f in floors)
        print(f"  Python floor (2 processes)  {wall:6.2f} s wall  cpu {cpu:6.2f} s  "
              f"{max(f[1] for f in floors):4d} MB")
        steps = {s: statistics.median(f[3][s] for f in floors) for s in STEPS}
        print("    CPU per step: " + ", ".join(f"{s} {v:.2f} s" for s, v in steps.items())
              + f"; the rest (start-up, imports, fork) {cpu - sum(steps.values()):.2f} s")
        if hugos:
            hugo_wall = statistics.median(h[0] for h in hugos)
            hugo_cpu = statistics.median(h[2] for h in hugos)
            print(f"  Hugo (task and list pages)  {hugo_wall:6.2f} s wall  cpu {hugo_cpu:6.2f} s"
                  f"  {max(h[1] for h in hugos):4d} MB")
            print(f"  floor / Hugo: {wall / hugo_wall:.2f}x wall, {cpu / hugo_cpu:.2f}x CPU")
        else:
            print("  Hugo: not installed")
    finally:
        shutil.rmtree(outputs, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
