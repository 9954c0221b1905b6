"""Errors a user can act on, and the exit codes the CLI maps them to.

An input error is a list of problems, each saying where (file:line:col, key path,
part number) and what to do. It never prints a traceback. Anything else that goes
wrong is a bug in techpack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

EXIT_FINDINGS = 1  # DFM findings at or above the allowed severity
EXIT_INPUT = 2  # the spec, a model or an option is wrong
EXIT_BUG = 3  # anything else: a bug in techpack


class Where(NamedTuple):
    """A place in a file; line and column are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    where: the file, line and column (Where), or a name such as SOURCE_DATE_EPOCH.
    key: the spec key path, "parts[2].material" (may be empty).
    message: what is wrong and, where we know, what to do.
    detail: further lines (a script's own error, say).
    """

    where: Where | str
    key: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        head = ": ".join(s for s in (str(self.where), self.key, self.message) if s)
        if self.detail:
            head += "\n" + "\n".join("    " + line for line in self.detail.splitlines())
        return head


class InputError(Exception):
    """The user's input is wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SpecError(InputError):
    """The spec file is not valid: YAML syntax, schema, or references."""


class ModelError(InputError):
    """A part's model could not be turned into one valid solid."""


class FindingsError(Exception):
    """DFM findings at or above the allowed severity stopped the build."""

    def __init__(self, findings: list):
        self.findings = findings
        super().__init__(f"{len(findings)} DFM finding(s) at or above the allowed severity")
