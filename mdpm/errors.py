"""Problems (findings reported as data) and the exceptions that end a command."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the content or the configuration, at a file and line."""

    path: str
    line: int
    code: str
    severity: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        """Return the problem as `path:line: severity[code]: message`."""
        return f"{self.path}:{self.line}: {self.severity}[{self.code}]: {self.message}"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


def sort_problems(problems) -> list[Problem]:
    """Return problems sorted by file, then line, then code; duplicates dropped."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.code, p.message))


def has_errors(problems) -> bool:
    return any(p.is_error for p in problems)


class MdpmError(Exception):
    """An error that ends a command with a message and an exit status."""

    exit_status = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(MdpmError):
    """mdpm.toml is missing or invalid (exit status 2)."""

    exit_status = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 problems: list[Problem] | None = None):
        super().__init__(message, path=path, line=line)
        self.problems = problems or []


class UsageError(MdpmError):
    """A command was called wrongly (exit status 2)."""

    exit_status = 2


class ContentError(MdpmError):
    """The content cannot be used for what was asked (exit status 1)."""

    exit_status = 1


class GitError(MdpmError):
    """A git command failed."""

    exit_status = 1
