"""Where a build comes from: its date and the git commit of the spec's repository.

No output may depend on the wall clock, so the date of a package is the spec's
product.date, else SOURCE_DATE_EPOCH (reproducible-builds.org), else the date of
the git commit the spec is in.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from techpack.errors import Problem, SpecError
from techpack.spec import LoadedSpec


@dataclass(frozen=True)
class GitInfo:
    commit: str
    dirty: bool  # the spec or a model differs from the commit
    date: dt.date
    changed: tuple[str, ...] = ()  # the inputs that differ, as git names them (relative to the repository)


def git_info(folder: Path, inputs: list[Path]) -> GitInfo | None:
    """The commit checked out in folder's repository, or None when there is none."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, timeout=30
        ).stdout.rstrip("\n")

    try:
        commit = git("rev-parse", "HEAD").strip()
        when = git("log", "-1", "--format=%cI", "HEAD").strip()
        status = git("status", "--porcelain", "--", *(str(p) for p in inputs))
    except (OSError, subprocess.SubprocessError):
        return None
    changed = tuple(line[3:] for line in status.splitlines() if line.strip())  # "XY path": two status letters, a space
    return GitInfo(commit=commit, dirty=bool(changed), date=dt.datetime.fromisoformat(when).date(), changed=changed)


def build_date(loaded: LoadedSpec, git: GitInfo | None) -> dt.date:
    """The date every output carries."""
    if loaded.spec.product.date:
        return loaded.spec.product.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (ValueError, OverflowError):
            raise SpecError(Problem("SOURCE_DATE_EPOCH", "", f"must be whole seconds since 1970, got {epoch!r}")) from None
    if git:
        return git.date
    raise SpecError(
        Problem(
            loaded.where("product", of_key=True),
            "product.date",
            "no date for the documents: give product.date (YYYY-MM-DD), set SOURCE_DATE_EPOCH, or build from a git commit",
        )
    )
