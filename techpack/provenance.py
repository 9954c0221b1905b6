"""Where a build comes from: its date and the git commit of the spec's repository.

No output may depend on the wall clock, so the date of a package is the spec's
product.date, else SOURCE_DATE_EPOCH (reproducible-builds.org), else the date of
the git commit the spec is in.
"""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
from importlib.metadata import PackageNotFoundError, version
from dataclasses import dataclass
from pathlib import Path

from techpack.errors import InputError, Problem, SpecError
from techpack.limits import date_problem, source_date_epoch
from techpack.safety import UnsafeRepository, git_argv, git_env
from techpack.spec import LoadedSpec


@dataclass(frozen=True)
class GitInfo:
    commit: str
    dirty: bool  # the spec or a model differs from the commit
    date: dt.date
    changed: tuple[str, ...] = ()  # the inputs that differ, as git names them (relative to the repository)


def git_info(folder: Path, inputs: list[Path]) -> GitInfo | None:
    """The commit checked out in folder's repository, or None when there is none. git runs with
    configuration that cannot execute a command (techpack.safety.git_argv): the repository's
    hooks, fsmonitor and filter drivers do not run."""

    def git(*args: str) -> str:
        return subprocess.run(
            git_argv(folder, *args), capture_output=True, text=True, check=True, timeout=30, env=git_env()
        ).stdout.rstrip("\n")

    try:
        commit = git("rev-parse", "HEAD").strip()
        when = git("log", "-1", "--no-show-signature", "--format=%cI", "HEAD").strip()
        status = git("status", "--porcelain", "--ignore-submodules=all", "--", *(str(p) for p in inputs))
    except UnsafeRepository as exc:
        raise InputError(Problem(str(folder), "", f"the spec's git repository: {exc}")) from None
    except (OSError, subprocess.SubprocessError):
        return None
    changed = tuple(line[3:] for line in status.splitlines() if line.strip())  # "XY path": two status letters, a space
    return GitInfo(commit=commit, dirty=bool(changed), date=dt.datetime.fromisoformat(when).date(), changed=changed)


def build_date(loaded: LoadedSpec, git: GitInfo | None) -> dt.date:
    """The date every output carries: product.date, else SOURCE_DATE_EPOCH, else the commit's.
    A day a zip entry cannot carry (before 1980, after 2107) is refused, naming where it came from."""
    if loaded.spec.product.date:
        problem = date_problem(loaded.spec.product.date)
        if problem:
            raise SpecError(Problem(loaded.where("product", "date"), "product.date", f"{loaded.spec.product.date.isoformat()}: {problem}"))
        return loaded.spec.product.date
    epoch = source_date_epoch()
    if epoch:
        return epoch
    if git:
        problem = date_problem(git.date)
        if problem:
            raise SpecError(Problem(loaded.where("product", of_key=True), "product.date",
                                    f"the git commit {git.commit[:12]} is dated {git.date.isoformat()}: {problem}; give product.date or SOURCE_DATE_EPOCH"))
        return git.date
    raise SpecError(
        Problem(
            loaded.where("product", of_key=True),
            "product.date",
            "no date for the documents: give product.date (YYYY-MM-DD), set SOURCE_DATE_EPOCH, or build from a git commit",
        )
    )


@functools.cache
def occt_version() -> str:
    """OCCT's version ("7.9.3"): the first three numbers of the cadquery-ocp distribution's
    (7.9.3.1.1: OCCT's, then the bindings' build), read without loading OCCT."""
    try:
        return ".".join(version("cadquery-ocp").split(".")[:3])
    except PackageNotFoundError:  # OCP installed otherwise (conda's ocp, a source build): ask it, which loads it
        import OCP

        return ".".join(OCP.__version__.split(".")[:3])
