"""What techpack itself reads, writes and runs, kept inside what the user meant.

- Reading: a file techpack reads (the spec, a template) must be a regular file of a bounded
  size; a FIFO or a device is refused before it is read (it would block or never end).
- Writing: the output folder must be a folder we can write to; an output never replaces an
  input (a spec named like the package); the package is staged in a temporary folder of the
  output folder that a later build removes if a killed build left it behind.
- Running: git runs with configuration that cannot execute a command (hooks, fsmonitor, the
  repository's filter drivers, signature checks off), so that `techpack check` in a
  repository someone handed over runs nothing of theirs.

Model scripts and templates are different: they are the repository's code, trusted like a
Makefile (templates are still rendered in Jinja's sandbox).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from techpack.errors import InputError, Problem, Where
from techpack.limits import size_words

# --- reading -------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def path_problem(path: str | Path) -> str | None:
    """Why a path cannot name a file at all (a NUL in it), or None."""
    if "\0" in os.fspath(path):
        return "a path cannot hold a NUL character"
    return None


def os_reason(exc: OSError) -> str:
    """An OSError in words: 'a symlink loop', 'permission denied', ..."""
    if exc.errno == getattr(errno, "ELOOP", None):
        return "a symlink loop (a link that points back to itself)"
    if exc.errno == errno.ENOENT:
        return "not found"
    return (exc.strerror or str(exc)).rstrip(".").lower() if exc.strerror else str(exc)


def read_regular_file(path: Path, display: str, max_bytes: int, what: str = "file", error: type[InputError] = InputError) -> bytes:
    """The bytes of the regular file at path, at most max_bytes; an `error` naming display when
    it is missing, not a regular file, unreadable or too big. Its type is checked with stat
    before it is opened (opening a device can act on it, reading a FIFO blocks, /dev/zero never
    ends), and again on the open file (O_NONBLOCK: a FIFO swapped in meanwhile cannot block)."""

    def refuse(message: str) -> InputError:
        return error(Problem(Where(display), "", message))

    problem = path_problem(path)
    if problem:
        raise refuse(problem)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise refuse("file not found") from None
    except OSError as exc:
        raise refuse(f"cannot read the {what}: {os_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse(f"is a folder; give the {what} in it")
    if not stat.S_ISREG(info.st_mode):
        raise refuse(f"is {_kind(info.st_mode)}, not a regular file; give the {what} itself")
    if info.st_size > max_bytes:
        raise refuse(f"the {what} is {size_words(info.st_size)}; a {what} is at most {size_words(max_bytes)}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise refuse(f"cannot read the {what}: {os_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse(f"is {_kind(info.st_mode)}, not a regular file; give the {what} itself")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:  # it grew while we read it
                raise refuse(f"the {what} is over {size_words(max_bytes)}; a {what} is at most {size_words(max_bytes)}")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise refuse(f"cannot read the {what}: {os_reason(exc)}") from None
    finally:
        os.close(fd)


def regular_file_problem(path: Path) -> str | None:
    """Why path is not an existing regular file we can read, in words ('is a FIFO (named pipe),
    not a regular file', 'not found', 'a symlink loop ...'), or None. Follows symlinks."""
    problem = path_problem(path)
    if problem:
        return problem
    try:
        info = os.stat(path)
    except OSError as exc:
        return os_reason(exc)
    if not stat.S_ISREG(info.st_mode):
        return f"is {_kind(info.st_mode)}, not a regular file"
    return None


# --- writing -------------------------------------------------------------------------------


def check_output_folder(out: Path, option: str = "-o") -> None:
    """Refuse, before anything is built, an output folder that cannot be written: a NUL in its
    path, a file where it or one of its parents should be a folder, a folder we may not write
    to (read-only, or not ours). It need not exist: the build makes it."""

    def refuse(reason: str) -> InputError:
        return InputError(Problem(option, "", f"cannot write {os.fspath(out)!r}: {reason}"))

    problem = path_problem(out)
    if problem:
        raise refuse(problem)
    path = Path(out).absolute()
    for p in (path, *path.parents):
        try:
            info = os.stat(p)
        except (FileNotFoundError, NotADirectoryError):
            continue  # made by the build; or a file above it, found further up
        except OSError as exc:
            raise refuse(f"{p}: {os_reason(exc)}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise refuse("it is a file, not a folder" if p == path else f"{p} is a file, so no folder can be made in it")
        if not os.access(p, os.W_OK | os.X_OK):
            why = "read-only file system" if _read_only_fs(p) else "permission denied"
            raise refuse(f"the folder is not writable ({why})" if p == path else f"the folder {p} is not writable ({why})")
        return


def _read_only_fs(p: Path) -> bool:
    try:
        return bool(os.statvfs(p).f_flag & getattr(os, "ST_RDONLY", 1))
    except (OSError, AttributeError):
        return False


_EDQUOT, _ELOOP = getattr(errno, "EDQUOT", errno.ENOSPC), getattr(errno, "ELOOP", errno.ENOENT)  # not on every platform
WRITE_ERRNOS = {errno.ENOSPC, _EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR,
                errno.EEXIST, errno.ENOENT, errno.EISDIR, errno.ENAMETOOLONG, _ELOOP, errno.EIO}
STORAGE_ERRNOS = {errno.ENOSPC, _EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}  # raised by write(), with no file name


def output_problem(exc: OSError, outputs: Iterable[Path]) -> Problem | None:
    """An OSError met while writing into one of outputs (the output folder or file the user
    named) as an input problem: 'cannot write PATH: No space left on device'. None when the
    error is not about those outputs (then it is a bug, and stays one)."""
    outs = [Path(o) for o in outputs if o is not None]
    if not outs or exc.errno not in WRITE_ERRNOS:
        return None
    reason = exc.strerror or os_reason(exc)
    for name in (exc.filename, exc.filename2):
        if name is None or isinstance(name, int):
            continue
        target = Path(os.fsdecode(name)).absolute()
        for out in outs:
            root = out.absolute()
            if target == root or target.is_relative_to(root) or (root.is_relative_to(target) and exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EACCES, errno.EROFS)):
                shown = os.fspath(out) if target == root else os.fspath(out / target.relative_to(root)) if target.is_relative_to(root) else str(target)
                if exc.errno == errno.ENOENT:
                    reason = f"the folder {os.path.dirname(shown) or '.'} does not exist"
                return Problem("", "", f"cannot write {shown}: {reason}")
        return None  # about another file: not ours to explain
    if exc.errno in STORAGE_ERRNOS:  # write() into a full disk names no file
        return Problem("", "", f"cannot write into {os.fspath(outs[0])}: {reason}")
    return None


def _key(path: Path) -> Path:
    """path with its folder's symlinks resolved (the entry itself left as named)."""
    path = Path(path).absolute()
    return Path(os.path.realpath(path.parent)) / path.name


def refuse_overwriting_inputs(inputs: list[Path], outputs: list[Path]) -> None:
    """Raise an InputError naming both when writing an output would replace an input (the same
    path, the same file through a symlink, or, on a case-insensitive disk, the same name):
    `techpack build P-1_revA.zip -o .` with a spec named like the package."""
    problems = []
    for out in outputs:
        out_key = _key(out)
        for src in inputs:
            src_keys = {_key(src), Path(os.path.realpath(src))}
            same = out_key in src_keys or Path(os.path.realpath(out)) in src_keys
            if not same:
                try:
                    same = os.path.exists(out) and os.path.samefile(out, src)
                except OSError:
                    same = False
            if same:
                problems.append(Problem(Where(os.fspath(src)), "", f"is an input, and the build would write {os.fspath(out)} over it; "
                                        f"rename the input or give another output folder (-o)"))
    if problems:
        raise InputError(problems)


STAGING_LOCK = ".lock"  # held by the build that owns a staging folder, for as long as it runs
STAGING_SETTLE_S = 60  # a staging folder without its lock file younger than this may be being created


def staging_pattern(name: str) -> re.Pattern:
    """The names of the temporary folders a build of package `name` stages in: `.NAME.` and
    tempfile's 8 random characters (techpack's own pattern; nothing else matches)."""
    return re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}")


@contextmanager
def staging_folder(out_dir: Path, name: str) -> Iterator[Path]:
    """A temporary folder `.NAME.xxxxxxxx` in out_dir to stage a package in, locked for as long
    as the build runs (so that another build's remove_stale leaves it alone), and removed
    afterwards. The same folder tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{name}.")
    makes, plus the lock."""
    tmp = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{name}."))
    lock = _lock(tmp / STAGING_LOCK, create=True)
    try:
        yield tmp
    finally:
        if lock is not None:
            os.close(lock)
        shutil.rmtree(tmp, ignore_errors=True)


def remove_stale(out_dir: Path, name: str) -> list[Path]:
    """Remove the staging folders of package `name` that killed builds left in out_dir: the
    folders named `.NAME.xxxxxxxx` (techpack's own pattern, nothing else) whose build is not
    running (its lock is free). Returns the folders removed."""
    removed = []
    pattern = staging_pattern(name)
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):  # never a symlink to elsewhere, never a file
                continue
            lock_path = Path(entry.path) / STAGING_LOCK
            if lock_path.exists():
                fd = _lock(lock_path, create=False)
                if fd is None:
                    continue  # a live build holds it
                os.close(fd)
            elif time.time() - entry.stat(follow_symlinks=False).st_mtime < STAGING_SETTLE_S:
                continue  # just made, its lock not yet taken
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _lock(path: Path, create: bool) -> int | None:
    """An fd holding an exclusive lock on the file at path, or None when another process holds
    it (or it cannot be opened). The lock dies with the process, even on SIGKILL."""
    try:
        fd = os.open(path, (os.O_RDWR | os.O_CREAT) if create else os.O_RDWR)
    except OSError:
        return None
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        os.close(fd)
        return None
    return fd


def build_inputs(loaded) -> list[Path]:
    """Every file a build reads from the spec's repository: the spec, each model, each photo,
    and the templates of its templates/ folder (for refuse_overwriting_inputs)."""
    spec = loaded.spec
    out = [loaded.path]
    out += [loaded.folder / p.model for p in spec.parts]
    out += [loaded.folder / photo for p in spec.parts for photo in p.photos]
    templates = loaded.folder / "templates"
    if templates.is_dir():
        out += sorted(p for p in templates.iterdir() if p.is_file())
    return list(dict.fromkeys(out))


# --- running git ---------------------------------------------------------------------------

# Configuration that makes git run a program during rev-parse, log, status or archive, each
# switched off. Read from `git help config`:
#   core.fsmonitor        a hook or command git status runs to learn which files changed
#   core.hooksPath        hooks (post-index-change runs when status rewrites the index)
#   log.showSignature     git log runs gpg.program (or gpg.ssh.program) on signed commits
#   filter.<driver>.*     clean/process run by status on files whose stat changed, smudge by
#                         archive: the repository's drivers are switched off below (_filters)
# No diff is produced (so diff.external and textconv cannot run), no remote is contacted (so
# no ssh, credential helper or askpass), output is captured (so no pager).
SAFE_GIT_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=" + os.devnull,
    "log.showSignature=false",
)
GIT_TIMEOUT_S = 120


def git_env() -> dict[str, str]:
    """The environment git runs in: no system configuration (GIT_CONFIG_NOSYSTEM), never a
    prompt, no optional locks (status does not rewrite the index, so no index hooks)."""
    env = dict(os.environ)
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""})
    return env


def _config_args(pairs: Iterable[str]) -> list[str]:
    out = []
    for pair in pairs:
        out += ["-c", pair]
    return out


class UnsafeRepository(Exception):
    """The repository's git configuration holds something techpack cannot switch off."""


def repository_filters(repo: Path) -> list[str]:
    """The filter drivers the repository's own configuration (.git/config, its worktree config
    and what they include) defines: a repository handed over as a folder brings its config
    along, and status or archive would run their clean, process or smudge commands. The user's
    global configuration (git-lfs, say) is theirs and is kept."""
    argv = ["git", "-C", os.fspath(repo), *_config_args(SAFE_GIT_CONFIG), "config", "--show-scope", "--get-regexp", r"^filter\."]
    try:
        got = subprocess.run(argv, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, env=git_env(), check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    names = []
    for line in got.stdout.splitlines():
        scope, _, rest = line.partition("\t")
        key = rest.split(" ", 1)[0]
        if scope in ("global", "command"):
            continue
        name = key[len("filter."):].rpartition(".")[0]
        if "=" in name or "\n" in name or not name:
            raise UnsafeRepository(f"its git configuration defines a filter driver named {name!r}, which techpack cannot switch off")
        if name not in names:
            names.append(name)
    return names


def git_argv(repo: Path, *args: str) -> list[str]:
    """`git -C repo ARGS` with every configuration that could run a command switched off,
    the repository's own filter drivers included. Raises UnsafeRepository when a driver cannot
    be switched off; run it with env=git_env()."""
    pairs = list(SAFE_GIT_CONFIG)
    for name in repository_filters(repo):
        pairs += [f"filter.{name}.clean=", f"filter.{name}.smudge=", f"filter.{name}.process=", f"filter.{name}.required=false"]
    return ["git", "-C", os.fspath(repo), *_config_args(pairs), *args]
