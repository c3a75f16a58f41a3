"""Print problems for people and machines: text, GitHub annotations and summary, JSON."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

from . import clock, codeowners
from .errors import Problem, has_errors, sort_problems
from .history import stale_warnings
from .workspace import check, open_workspace

MAX_ANNOTATIONS = 10  # GitHub shows 10 errors and 10 warnings per step; the summary has all
SUMMARY_LIMIT = 1000 * 1000  # GitHub refuses a step summary over 1 MiB


def run_check(start: Path, args) -> int:
    """`mdpm check`: print every problem; 1 when any is an error."""
    # A CI run starts from a fresh checkout, where no file's mtime matches the cache.
    workspace = open_workspace(start, cache=not os.environ.get("CI"), bodies=False)
    kept = getattr(args, "kept", None)
    if kept is not None:  # see `cli.QUICK_EXIT`
        kept.append(workspace)
    problems = check(workspace, clock.now().date())
    problems = sort_problems([*problems, *codeowners.stale_problems(workspace)])
    problems = sort_problems([*problems, *stale_warnings(workspace, clock.now())])
    extra_markdown = ""
    if getattr(args, "base", None):
        from .signoff import check_changes

        changes = check_changes(workspace, args.base, approved_by=args.approved_by,
                                author=getattr(args, "author", ""))
        problems = sorted([*problems, *changes.problems],
                          key=lambda p: (p.path, p.line, p.code, p.message))
        extra_markdown = changes.markdown()
    fmt = args.format
    if fmt == "json":
        print(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    elif fmt == "github":
        print_github(problems, workspace.config.site.title)
        write_step_summary(summary_markdown(problems, workspace.config.site.title,
                                            limit=SUMMARY_LIMIT - len(extra_markdown))
                           + extra_markdown)
    elif fmt == "markdown":
        print(summary_markdown(problems, workspace.config.site.title) + extra_markdown)
    else:
        print_text(problems, len(workspace.portfolio.tasks))
    return 1 if has_errors(problems) else 0


def print_text(problems: list[Problem], task_count: int, stream=None) -> None:
    stream = stream or sys.stdout
    for problem in problems:
        print(problem.format(), file=stream)
    print(totals_line(problems, task_count), file=sys.stderr)


def totals_line(problems: list[Problem], task_count: int) -> str:
    counts = Counter(p.severity for p in problems)
    errors, warnings = counts.get("error", 0), counts.get("warning", 0)
    if not problems:
        return f"mdpm: {task_count} tasks checked, no problems"
    return (f"mdpm: {task_count} tasks checked: {errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}")


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def print_github(problems: list[Problem], title: str, stream=None) -> None:
    """Print every problem, and the first few of each severity as annotations."""
    stream = stream or sys.stdout
    shown: Counter = Counter()
    for problem in problems:
        print(problem.format(), file=stream)
        if shown[problem.severity] >= MAX_ANNOTATIONS:
            continue
        shown[problem.severity] += 1
        print(f"::{problem.severity} file={escape_property(problem.path)},line={problem.line},"
              f"title={escape_property(f'mdpm {problem.code}')}::{escape_data(problem.message)}",
              file=stream)
    hidden = len(problems) - sum(shown.values())
    if hidden:
        print(f"::notice title=mdpm::{hidden} more problems ({len(problems)} in all) are listed "
              "in the job summary and the log above", file=stream)


def summary_markdown(problems: list[Problem], title: str, limit: int | None = None) -> str:
    """Return a Markdown report of all problems (for the job summary or a PR comment).

    With `limit` (in bytes), rows that do not fit are replaced by a line that counts them.
    """
    counts = Counter(p.severity for p in problems)
    lines = [f"## mdpm check: {title}", ""]
    if not problems:
        lines.append("No problems. :white_check_mark:")
        return "\n".join(lines) + "\n"
    errors, warnings = counts.get("error", 0), counts.get("warning", 0)
    lines += [f"**{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}**",
              "", "| Where | Severity | Rule | Problem |", "|---|---|---|---|"]
    size = sum(len(line.encode()) + 1 for line in lines) + 200
    for shown, p in enumerate(problems):
        row = f"| `{_cell(p.path)}:{p.line}` | {p.severity} | `{p.code}` | {_cell(p.message)} |"
        size += len(row.encode()) + 1
        if limit is not None and size > limit:
            lines += ["", f"... and {len(problems) - shown} more: the job log lists every problem."]
            break
        lines.append(row)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_step_summary(markdown: str) -> None:
    """Append to $GITHUB_STEP_SUMMARY when set; failing to write it is only a warning."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown + "\n")
    except OSError as exc:
        print(f"mdpm: warning: cannot write the job summary to {path}: {exc.strerror}",
              file=sys.stderr)
