"""The command line: parse flags, make one library call, turn the outcome into an exit status."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from . import __version__
from .errors import ConfigError, MdpmError, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on usage errors; keep it, but say it our way
        self.print_usage(sys.stderr)
        print(f"mdpm: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mdpm", description="Project management as code: Markdown task "
                     "files in git, a CI gate and a static status site.",
                     epilog="Example: mdpm check && mdpm build --out _site")
    parser.add_argument("--version", action="version", version=f"mdpm {__version__}")
    parser.add_argument("-C", dest="directory", metavar="DIR", default=None,
                        help="run as if started in DIR")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in (_add_init, _add_check, _add_build, _add_serve, _add_review, _add_new, _add_move,
                _add_graph, _add_retro, _add_export, _add_import, _add_schema, _add_codeowners):
        add(commands)
    return parser


def _command(commands, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=help_text, description=help_text,
                               epilog=f"Example: {example}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_init(commands):
    cmd = _command(commands, "init", "make a working mdpm repository", "mdpm init marketing")
    cmd.add_argument("dir", nargs="?", default=".", help="folder to set up (default: here)")
    cmd.add_argument("--playbook", metavar="NAME", default=None,
                     help="the playbook to copy into templates/ (default: case-study; "
                     "`none` for none)")


def _add_check(commands):
    cmd = _command(commands, "check", "check the rules: WIP limits, dependencies, sign-offs",
                   "mdpm check --format github --base origin/main")
    cmd.add_argument("--format", choices=("text", "github", "json", "markdown"), default="text")
    cmd.add_argument("--base", metavar="REF", help="also check the moves made since git REF")
    cmd.add_argument("--approved-by", metavar="H1,H2", default="",
                     help="handles (or GitHub logins) who approved the change")
    cmd.add_argument("--author", metavar="HANDLE", default="",
                     help="who made the change (cannot sign off their own task)")


def _add_build(commands):
    cmd = _command(commands, "build", "check, then render the status site",
                   "mdpm build --out _site --strict")
    cmd.add_argument("--out", metavar="DIR", default="_site", help="output folder (default _site)")
    cmd.add_argument("--strict", action="store_true", help="exit 1 when there are errors")
    cmd.add_argument("--quiet", "-q", action="store_true", help="print only problems")


def _add_serve(commands):
    cmd = _command(commands, "serve", "build, watch the files and reload open pages",
                   "mdpm serve --port 8000 --open")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=8000)
    cmd.add_argument("--open", action="store_true", help="open the site in a browser")


def _add_review(commands):
    _command(commands, "review", "print the status review: bottlenecks, blocked, stuck, "
             "overloaded, overdue", "mdpm review")


def _add_new(commands):
    cmd = _command(commands, "new", "make a project or a task", "mdpm new task acme 'Draft'")
    kinds = cmd.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser)
    kinds.required = True
    project = kinds.add_parser("project", help="a project, from a playbook when given",
                               epilog="Example: mdpm new project acme --template case-study "
                               "--set writer=bob --start 2026-12-01")
    project.add_argument("id")
    project.add_argument("--template", metavar="NAME")
    project.add_argument("--set", metavar="ROLE=HANDLE", action="append", default=[])
    project.add_argument("--start", metavar="DATE")
    project.add_argument("--title")
    task = kinds.add_parser("task", help="a task file",
                            epilog="Example: mdpm new task acme 'Draft the story' --owner bob")
    task.add_argument("project")
    task.add_argument("title")
    task.add_argument("--owner")
    task.add_argument("--stage")
    task.add_argument("--depends-on", metavar="REF,...", default="")
    task.add_argument("--due", metavar="DATE")


def _add_move(commands):
    cmd = _command(commands, "move", "change a task's stage, refusing what breaks a rule",
                   "mdpm move acme/draft review")
    cmd.add_argument("ref", help="PROJECT/TASK")
    cmd.add_argument("stage")
    cmd.add_argument("--force", action="store_true", help="move even if it breaks a rule")


def _add_graph(commands):
    cmd = _command(commands, "graph", "print a project's dependency graph",
                   "mdpm graph acme --format mermaid")
    cmd.add_argument("project")
    cmd.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid")


def _add_retro(commands):
    cmd = _command(commands, "retro", "print a project's retrospective facts as Markdown",
                   "mdpm retro acme > content/projects/acme/_retro.md")
    cmd.add_argument("project")


def _add_export(commands):
    cmd = _command(commands, "export", "write every task as CSV or JSON",
                   "mdpm export --format csv > tasks.csv")
    cmd.add_argument("--format", choices=("csv", "json"), default="csv")
    cmd.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")


def _add_import(commands):
    cmd = _command(commands, "import", "make a project's tasks from a CSV file",
                   "mdpm import tasks.csv --project acme")
    cmd.add_argument("file")
    cmd.add_argument("--project", required=True)


def _add_schema(commands):
    _command(commands, "schema", "print the JSON Schema of a task's front-matter",
             "mdpm schema > task.schema.json")


def _add_codeowners(commands):
    _command(commands, "codeowners", "print a CODEOWNERS file: who reviews each project",
             "mdpm codeowners > .github/CODEOWNERS")


# --- handlers: each takes the parsed args and returns an exit status ------------------------


def _start_dir(args) -> Path:
    return Path(args.directory) if args.directory else Path.cwd()


def _run_check(args) -> int:
    from .report import run_check

    return run_check(_start_dir(args), args)


def _run_graph(args) -> int:
    from .graph import graph_dot, graph_mermaid, graph_svg
    from .workspace import open_workspace

    portfolio = open_workspace(_start_dir(args)).portfolio
    render = {"mermaid": graph_mermaid, "dot": graph_dot, "svg": graph_svg}[args.format]
    sys.stdout.write(render(portfolio, args.project))
    return EXIT_OK


def _run_build(args) -> int:
    from . import clock
    from .build import run_build

    return run_build(_start_dir(args), args.out, strict=args.strict, quiet=args.quiet,
                     now=clock.now(), stream=sys.stderr, keep=getattr(args, "kept", None))


def _run_serve(args) -> int:
    from .config import find_root
    from .serve import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a port is a number from 0 to 65535")
    return serve(find_root(_start_dir(args)), host=args.host, port=args.port,
                 open_browser=args.open)


def _run_review(args) -> int:
    from . import clock
    from .history import read_workspace_history
    from .review import format_review, review
    from .workspace import check, open_workspace

    workspace = open_workspace(_start_dir(args))
    now = clock.now()
    problems = check(workspace, now.date())
    history = read_workspace_history(workspace)
    result = review(workspace.portfolio, problems, history, now)
    print(format_review(result, workspace.config.site.title), end="")
    return 0


def _run_init(args) -> int:
    from .scaffold import DEFAULT_PLAYBOOK, init

    result = init(Path(args.dir), args.playbook or DEFAULT_PLAYBOOK)
    print(f"mdpm: made a repository in {result.root} ({len(result.files)} files)")
    if result.playbook:
        sets = " ".join(f"--set {role}=HANDLE" for role in result.roles)
        print(f"A playbook is in templates/{result.playbook}/; start a project from it with:\n"
              f"  mdpm new project ID --template {result.playbook} {sets} --start YYYY-MM-DD")
    first = "" if result.in_git else "git init, then "
    print(f"Next: {first}`mdpm check` and `mdpm build` (the site goes to _site/).")
    return EXIT_OK


def _run_new(args) -> int:
    from . import clock
    from .config import find_root, load_config_strict
    from .render import plural
    from .scaffold import new_project, new_task, parse_assignments, parse_date

    config = load_config_strict(find_root(_start_dir(args)))
    if args.kind == "task":
        from .workspace import load_portfolio

        made = new_task(load_portfolio(config), args.project, args.title, owner=args.owner,
                        stage=args.stage, depends_on=args.depends_on, due=args.due)
        if made.renamed:
            print(f"mdpm: {made.slug}.md exists, wrote {made.path.name}", file=sys.stderr)
        print(made.path.relative_to(config.root).as_posix())
        return EXIT_OK
    paths, plan = new_project(config, args.id, template=args.template,
                              assignments=parse_assignments(args.set),
                              start=parse_date(args.start, "--start"), title=args.title,
                              today=clock.now().date())
    for path in paths:
        print(path.relative_to(config.root).as_posix())
    if plan is not None:
        critical = " -> ".join(ref.split("/")[-1] for ref in plan.critical)
        print(f"mdpm: {plural(len(paths) - 1, 'task')} scheduled {plan.start} .. {plan.end}; "
              f"critical path: {critical}", file=sys.stderr)
    return EXIT_OK


def _run_move(args) -> int:
    from . import clock
    from .config import find_root, load_config_strict
    from .move import apply_move, plan_move

    config = load_config_strict(find_root(_start_dir(args)))
    move, _ = plan_move(config, args.ref, args.stage, clock.now().date())
    if move.old == move.new:
        print(f"mdpm: {move.task.ref} is already in `{move.new}`")
        return EXIT_OK
    if move.broken and not args.force:
        print(f"mdpm: refusing to move {move.task.ref} from `{move.old}` to `{move.new}`; "
              "it would break:", file=sys.stderr)
        for problem in move.broken:
            print(f"  {problem.format()}", file=sys.stderr)
        print("Use --force to move it anyway.", file=sys.stderr)
        return EXIT_CONTENT
    apply_move(config, move, force=args.force)
    print(f"mdpm: moved {move.task.ref}: {move.old} -> {move.new}")
    if move.broken:
        print("mdpm: moved anyway (--force); it breaks:", file=sys.stderr)
        for problem in move.broken:
            print(f"  {problem.format()}", file=sys.stderr)
    if move.signoff:
        print(f"mdpm: {move.signoff}")
    return EXIT_OK


def _run_export(args) -> int:
    from .config import find_root, load_config_strict
    from .render import plural
    from .tabular import export_csv, export_json, readable_portfolio

    portfolio, unreadable = readable_portfolio(load_config_strict(find_root(_start_dir(args))))
    text = export_csv(portfolio) if args.format == "csv" else export_json(portfolio)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    if unreadable:
        files = len({problem.path for problem in unreadable})
        print(f"mdpm: left out {plural(files, 'unreadable task file')}; fix and export again:",
              file=sys.stderr)
        for problem in unreadable:
            print(problem.format(), file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


def _run_import(args) -> int:
    from . import clock
    from .tabular import format_import, import_csv
    from .workspace import open_workspace

    workspace = open_workspace(_start_dir(args))
    result = import_csv(workspace, Path(args.file), args.project, clock.now().date())
    out, err = format_import(result, workspace.root)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return EXIT_OK


def _run_schema(args) -> int:
    from .schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def _run_codeowners(args) -> int:
    from .codeowners import codeowners, repository_prefix
    from .workspace import open_workspace

    workspace = open_workspace(_start_dir(args))
    sys.stdout.write(codeowners(workspace.portfolio, repository_prefix(workspace.root)))
    return EXIT_OK


def _run_retro(args) -> int:
    from . import clock
    from .history import read_workspace_history
    from .retro import find_project, retro_markdown, retro_view
    from .workspace import open_workspace

    workspace = open_workspace(_start_dir(args))
    find_project(workspace.portfolio, args.project)
    history = read_workspace_history(workspace)
    result = retro_view(workspace.portfolio, args.project, history, clock.now())
    titles = {s.id: s.title for s in workspace.config.stages}
    print(retro_markdown(result, titles), end="")
    return 0


HANDLERS = {
    "check": _run_check,
    "retro": _run_retro,
    "init": _run_init,
    "new": _run_new,
    "move": _run_move,
    "export": _run_export,
    "import": _run_import,
    "schema": _run_schema,
    "build": _run_build,
    "review": _run_review,
    "graph": _run_graph,
    "codeowners": _run_codeowners,
    "serve": _run_serve,
}


QUICK_EXIT = frozenset({"check", "build"})
"""Commands that leave by `os._exit` once their output is flushed: a large check or build
holds a million small objects, and freeing them one by one at exit costs more than the
rules. Both have closed every file they wrote before they return, and put what they made
in `args.kept` instead of letting it go (freeing it when they return costs the same)."""


def main(argv: list[str] | None = None) -> None:
    """Run mdpm with `argv` (default: sys.argv) and exit with its status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.kept = []
    status = _run_args(parser, args)
    if args.command in QUICK_EXIT and threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            pass
        os._exit(status)
    sys.exit(status)


def run(argv: list[str] | None = None) -> int:
    """Run mdpm and return the exit status instead of exiting."""
    parser = build_parser()
    return _run_args(parser, parser.parse_args(argv))


def _run_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.directory and not Path(args.directory).is_dir():
        print(f"mdpm: error: -C {args.directory}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    handler = HANDLERS.get(args.command)
    if handler is None:
        print(f"mdpm: `{args.command}` is not available in this version", file=sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except ConfigError as exc:
        _print_error(exc)
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_USAGE
    except MdpmError as exc:
        _print_error(exc)
        return exc.exit_status
    except KeyboardInterrupt:
        print("mdpm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _print_error(exc: MdpmError) -> None:
    print(f"mdpm: error: {exc}", file=sys.stderr)


__all__ = ["main", "run", "build_parser", "UsageError"]
