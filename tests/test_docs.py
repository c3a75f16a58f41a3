"""The README and the CLI agree: every command is documented, and CI runs the README's command."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from mdpm.cli import build_parser

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return sorted(subparsers.choices)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert "Example: mdpm" in capsys.readouterr().out
    assert f"`mdpm {command}" in README


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    setup = [b for b in blocks if b.startswith("pip install")]
    assert setup[:2] == ["pip install -e . && mdpm check && mdpm build",
                         "pip install -e '.[test]' && python -m pytest -q"]
    assert setup[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_every_docs_page_is_linked_from_the_readme():
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f"`docs/{page.name}`" in README, page.name


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "mdpm", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("mdpm ")
