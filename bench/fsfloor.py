"""The file system's floor under a cold build: folders and files of a site, nothing rendered.

A cold `mdpm build` (and a Hugo build) of P x T tasks creates one folder and one
`index.html` per task page. This writes the same tree with bytes of the same size and no
rendering at all, so its time is what the file system alone costs a cold build on this disk:

    .venv/bin/python bench/fsfloor.py                      # 100 x 100 under $TMPDIR
    .venv/bin/python bench/fsfloor.py --dir /dev/shm       # the same in memory (tmpfs)

It prints wall and system time for the folders alone, the files alone and both, each in a
fresh temporary folder under --dir that is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

PAGE_BYTES = 6 * 1024  # about a task page of the 10k benchmark


def _timed(label: str, work, folder: str) -> None:
    before, started = os.times(), time.perf_counter()
    count = work(folder)
    wall, after = time.perf_counter() - started, os.times()
    system = after.system - before.system
    print(f"  {label:<28} {wall:6.2f} s wall  {system:6.2f} s system  "
          f"{wall / count * 1e3:6.3f} ms per entry ({count:,} entries)")


def _tree(projects: int, tasks: int, folders: bool, files: bool):
    data = b"x" * PAGE_BYTES

    def work(folder: str) -> int:
        made = 0
        for p in range(projects):
            project = os.path.join(folder, f"proj-{p:03d}")
            os.mkdir(project)
            for t in range(tasks):
                page = os.path.join(project, f"task-{t:03d}")
                if folders:
                    os.mkdir(page)
                    made += 1
                if files:
                    name = os.path.join(page, "index.html") if folders else page + ".html"
                    handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.write(handle, data)
                    os.close(handle)
                    made += 1
        return made

    return work


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where to write")
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=100)
    args = parser.parse_args(argv)
    print(f"{args.projects} x {args.tasks} task pages under {args.dir}, "
          f"{PAGE_BYTES:,} bytes each; load average {os.getloadavg()[0]:.1f}")
    for label, folders, files in (("folders only", True, False),
                                  ("files only (flat per project)", False, True),
                                  ("folders and index.html", True, True)):
        folder = tempfile.mkdtemp(prefix="mdpm-fsfloor-", dir=args.dir)
        try:
            _timed(label, _tree(args.projects, args.tasks, folders, files), folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
