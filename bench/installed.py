"""Byte-compile the mdpm a benchmark runs, as installing it does.

`pip install` writes every module's bytecode at install time, so a user's `mdpm` never
compiles its own source when it starts. A checkout may lack that bytecode (or hold a stale
one) and an environment may forbid writing it (PYTHONDONTWRITEBYTECODE): each timed process
would then spend about 0.2 s compiling mdpm before doing any work. The benchmarks call
`compile_package` first so that they time mdpm as installed.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_package(folder: Path) -> None:
    """Write the bytecode of every module under `folder` whose bytecode is missing or stale."""
    if not compileall.compile_dir(str(folder), quiet=1):
        raise SystemExit(f"cannot byte-compile {folder}")
