"""Worker processes: every part's work (its model script or STEP read, checks, STEP file,
drawing, per-part documents) runs in a worker, the way Sphinx writes documents in parallel
and merges in the main process; the main process never runs model code or OCCT's STEP reader.

Workers are started with `forkserver` on Linux (one server process imports CadQuery once,
while the main process starts up, and forks each worker from it) and with `spawn` on macOS
and Windows (each worker a fresh Python importing CadQuery itself); TECHPACK_START_METHOD
chooses (limits.start_method). Either way a worker shares nothing with the main process but
what its task is sent, and runs each task in the main process's environment and working
folder as they are when the task is sent. At most `jobs` workers run, each taking the next
task when done. They are the only CPU-heavy processes of a build: a worker computes its
drawing's hidden-line views itself, one after another, so a build never runs more than
`jobs` CPU-bound processes.

What a task may overrun is guarded, and a guard is kept by the main process, not asked of
the worker: before a model script runs or an exact view is computed, the worker says so
(`guarded`), and a worker past the guard's budget is killed. A killed view is done again
without its exact projection (the task is retried with that view on its fallback); a
killed model script, a worker that crashes (a segfault in OCCT) or exits is that task's
error, naming the part and its file. OCCT's console output in a worker goes nowhere near
standard output.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import importlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import wait
from typing import Any

from techpack.documents import DOCUMENTS
from techpack.errors import FindingsError, InputError, ModelError, Problem, Where
from techpack.limits import start_method

POLL_S = 0.05  # how often a guarded worker's CPU time is read
# what a build's worker imports before its first task (the forkserver, once): the geometry, the checks and
# every document's module (the registry loads them only when run: a worker runs them all)
WARM = ("techpack.pipeline", "techpack.geometry", "techpack.checks.run", *(f"techpack.documents.{d.module_name}" for d in DOCUMENTS))


@dataclasses.dataclass
class Task:
    """A call of a module-level function in a worker: fn is "module:function"."""

    fn: str
    args: tuple
    label: str  # for messages: "DL2-101 Base (models/base.py)"
    where: Where | str = ""  # where in the spec the task's input is named
    key: str = ""  # its key path there: "parts[0].model"
    fallbacks: frozenset[int] = frozenset()  # guarded steps to skip on a retry (their budget ran out)


NOT_STARTED = (
    "a worker process exited (code {code}) before it could run techpack: Python starts each worker by running again the "
    "program that started the build, so a script that calls techpack itself must do so under `if __name__ == \"__main__\":` "
    "(and cannot be read from standard input)"
)


class WorkerBug(RuntimeError):
    """An unexpected exception in a worker: a bug in techpack, with the worker's traceback."""


# --- in a worker -------------------------------------------------------------------------------

_TASK: dict[str, Any] = {}  # the current task in this worker: conn, fallbacks, count of guarded steps


def in_worker() -> bool:
    return bool(_TASK)


def say(level: str, text: str) -> None:
    """A message for the build's reporter (info, warning, progress): from a worker to the main
    process; in the main process it is dropped (the caller reports directly)."""
    if _TASK:
        _TASK["conn"].send(("say", level, text))


@contextlib.contextmanager
def guarded(kind: str, budget_s: float, what: str, clock: str = "cpu"):
    """Run the body under a budget kept by the main process: `budget_s` seconds of the
    worker's CPU time (clock "cpu", and at most twice that on the wall clock) or of the wall
    clock ("wall"). Yields False when this step is to be skipped (a retry after it ran out of
    budget), else True. Outside a worker there is no budget: the body runs, and yields True."""
    if not _TASK or budget_s <= 0:
        yield budget_s > 0 or not _TASK
        return
    _TASK["count"] += 1
    key = _TASK["count"]
    if key in _TASK["fallbacks"]:
        yield False
        return
    conn = _TASK["conn"]
    conn.send(("guard", key, kind, float(budget_s), what, clock))
    try:
        yield True
    finally:
        conn.send(("guard", None, None, None, None, None))


def _worker_main(conn, warm: tuple[str, ...]) -> None:  # pragma: no cover - runs in the worker process
    """A worker: say it has started, import the `warm` modules (while the main process starts
    up too), then run each task sent until told to stop (None), in the main process's
    environment as it was when the task was sent (a forked worker starts with its server's,
    and a worker outlives a build). Ctrl-C is the main process's to handle (it kills the
    workers); OCCT's console output goes to the null device, not to stdout. A worker whose main
    process has gone before it started (a build stopped while the forkserver preloaded) leaves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send(("started",))
    except OSError:  # the pipe is broken: no build to work for
        os._exit(0)
    _die_with_parent()
    fd = os.open(os.devnull, os.O_WRONLY)  # OCCT's console: where it matters, console.captured_output has it first
    os.dup2(fd, 1)
    os.close(fd)
    for module in warm:
        importlib.import_module(module)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            message = None
        if message is None:  # done: leave without tearing OCCT and the modules down (a second, for nothing)
            sys.stdout.flush()
            os._exit(0)
        task_id, fn, args, fallbacks, environ = message
        if environ != os.environ:
            os.environ.clear()
            os.environ.update(environ)
        _TASK.update(conn=conn, fallbacks=fallbacks, count=0)
        try:
            module, name = fn.split(":")
            result = getattr(importlib.import_module(module), name)(*args)
            reply = ("done", task_id, result)
        except InputError as exc:  # ModelError and SpecError too: the user's input
            reply = ("input", task_id, exc)
        except OSError as exc:  # writing the part's documents (a full disk): the main process says where
            reply = ("oserror", task_id, exc)
        except BaseException:  # noqa: BLE001 - a bug: its traceback goes to the main process
            reply = ("bug", task_id, traceback.format_exc())
        finally:
            _TASK.clear()
        try:
            conn.send(reply)
        except Exception:  # noqa: BLE001 - a result that does not pickle is a bug too
            conn.send(("bug", task_id, traceback.format_exc()))


def _die_with_parent() -> None:  # pragma: no cover - runs in the worker process
    """On Linux: killed when its parent goes (the main process, or the forkserver, which leaves
    with it), so a build killed with SIGKILL leaves no worker running on."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# --- in the main process -----------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Any
    task: int | None = None
    used: bool = False  # has been given a task
    guard: tuple | None = None  # (key, kind, budget, what, clock, wall start, cpu start)
    started: bool = False  # it has said so: it got as far as running techpack


class Pool:
    """At most `jobs` spawned workers; `run(tasks)` returns their results in order. The
    problems of every failed task are raised together (InputError); a bug in a worker is
    raised as WorkerBug. Use as a context manager: leaving it kills what still runs."""

    def __init__(self, jobs: int, log, warm: tuple[str, ...] = ()):
        self.jobs = max(1, jobs)
        self.log = log
        self.warm = warm
        self.workers: list[_Worker] = []
        self.context = multiprocessing.get_context(start_method())
        if self.context.get_start_method() == "forkserver":  # the server imports what every worker needs, once
            self.context.set_forkserver_preload(["techpack.forkserver", *warm])

    def start(self, n: int | None = None) -> "Pool":
        """Start n workers (default: jobs) now, so that they import while the caller does too;
        with forkserver, start the server (which imports) and fork the workers when tasks come:
        asking it for a worker now would wait here until it has imported."""
        if self.context.get_start_method() == "forkserver":
            multiprocessing.forkserver.ensure_running()
            return self
        while len(self.workers) < min(n or self.jobs, self.jobs):
            self._start()
        return self

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close(kill=exc[0] is not None)

    def close(self, kill: bool = False) -> None:
        for w in self.workers:
            if kill or w.task is not None or not w.used:  # one never used may still be importing: not worth waiting for
                w.process.kill()
            else:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
        for w in self.workers:
            w.process.join(5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self.workers = []

    def _start(self) -> _Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(theirs, self.warm), daemon=True)
        process.start()
        theirs.close()
        w = _Worker(process, mine)
        self.workers.append(w)
        return w

    def _stop(self, w: _Worker) -> None:
        w.process.kill()
        w.process.join()
        w.conn.close()
        self.workers.remove(w)

    def run(self, tasks: list[Task], done=None, log=None) -> list[Any]:
        """Each task's result, in order; `done(k, n, task)` is called as each finishes, and
        what the workers say goes to `log` (default: the pool's). The failed tasks' problems
        are raised together, in the tasks' order (not the order they failed in). If this
        stops half-way (a bug, a full disk, Ctrl-C), the workers still on a task are killed."""
        self.log = log or self.log
        try:
            return self._run(tasks, done)
        except BaseException:
            for w in [w for w in self.workers if w.task is not None]:
                self._stop(w)
            raise

    def _run(self, tasks: list[Task], done) -> list[Any]:
        pending = list(range(len(tasks)))
        results: dict[int, Any] = {}
        failed: dict[int, list[Problem]] = {}
        kinds: set[type] = set()  # of the errors: raised as that class when they are all one
        lost = 0

        def over(k: int, problems: list[Problem], kind: type) -> None:
            failed[k] = problems
            kinds.add(kind)
            if done:
                done(len(results) + len(failed), len(tasks), tasks[k])

        while pending or any(w.task is not None for w in self.workers):
            idle = [w for w in self.workers if w.task is None]
            while pending and (idle or len(self.workers) < self.jobs):
                w = idle.pop() if idle else self._start()
                k = pending[0]
                try:
                    w.conn.send((k, tasks[k].fn, tasks[k].args, tasks[k].fallbacks, dict(os.environ)))
                except (BrokenPipeError, OSError):  # it died while idle (or starting): another one takes the task
                    self._stop(w)
                    lost += 1
                    if lost > self.jobs + 2:
                        raise WorkerBug(f"worker processes die before taking a task (exit code {w.process.exitcode})") from None
                    continue
                pending.pop(0)
                w.task, w.guard, w.used = k, None, True
            busy = [w for w in self.workers if w.task is not None]
            timeout = POLL_S if any(w.guard for w in busy) else None
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
            for w in busy:
                k, reply = w.task, None
                while reply is None and w.conn.poll():  # all it said, so that a guard it has left is not judged late
                    try:
                        message = w.conn.recv()
                    except (EOFError, OSError):
                        break
                    if message[0] in ("say", "guard", "started"):
                        self._note(w, message)
                    else:
                        reply = message
                if reply is not None:
                    kind, _, value = reply
                    w.task, w.guard = None, None
                    if kind == "done":
                        results[k] = value
                        if done:
                            done(len(results) + len(failed), len(tasks), tasks[k])
                    elif kind == "input":
                        over(k, value.problems, type(value))
                    elif kind == "oserror":
                        raise value
                    else:
                        raise WorkerBug(f"in the worker on {tasks[k].label}:\n{value}")
                elif not w.process.is_alive():
                    w.process.join()
                    self._stop(w)
                    if not w.started:  # it never ran techpack: the program that started the build is at fault
                        raise InputError(Problem("", "", NOT_STARTED.format(code=w.process.exitcode)))
                    over(k, [_died(tasks[k], w.process.exitcode)], ModelError)
                elif w.guard and (took := self._over(w)) is not None:
                    key, kind, budget, what, *_ = w.guard
                    self._stop(w)
                    if kind == "view":  # done again, that view from its fallback
                        self.log.info(f"  {tasks[k].label}: {what}: exact projection over its {budget:g} s budget; drawn from the polygonal one")
                        tasks[k] = dataclasses.replace(tasks[k], fallbacks=tasks[k].fallbacks | {key})
                        pending.insert(0, k)
                    else:
                        over(k, [Problem(tasks[k].where, tasks[k].key,
                                         f"{tasks[k].label}: {what} ran past its {budget:g} s limit and was stopped ({took:.1f} s)")], ModelError)
        if failed:
            raise (kinds.pop() if len(kinds) == 1 else InputError)([p for k in sorted(failed) for p in failed[k]])
        return [results[k] for k in range(len(tasks))]

    def _note(self, w: _Worker, message: tuple) -> None:
        if message[0] == "started":
            w.started = True
        elif message[0] == "say":
            _, level, text = message
            getattr(self.log, level)(text)
        elif message[1] is None:
            w.guard = None
        else:
            w.guard = (*message[1:], time.monotonic(), _cpu_seconds(w.process.pid))

    def _over(self, w: _Worker) -> float | None:
        """How long a guarded step has run, if it is past its budget; else None."""
        key, kind, budget, what, clock, wall0, cpu0 = w.guard
        wall = time.monotonic() - wall0
        if clock == "wall":
            return wall if wall > budget else None
        cpu = _cpu_seconds(w.process.pid)
        if cpu is not None and cpu0 is not None:
            used = cpu - cpu0
            return used if used > budget or wall > 2 * budget else None
        return wall if wall > budget else None  # no CPU clock here (not Linux): the wall clock


def _cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by a process (user + system), from /proc; None where there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _died(task: Task, code: int | None) -> Problem:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"crashed ({name})" + (": OCCT failed inside on this model" if name in ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE") else "")
    else:
        how = f"exited with code {code} before it finished (a model script calling exit() or os._exit()?)"
    return Problem(task.where, task.key, f"{task.label}: the worker building it {how}")


_SHARED: dict[str, Any] = {}


def shared(jobs: int | None, log) -> Pool:
    """The process's pool, kept between builds (a test run or a script building many specs pays
    for starting workers once): made again when the number of workers or how they are started
    (TECHPACK_START_METHOD) changes, closed at exit. A build that fails
    half-way (Ctrl-C, a bug) closes it with `discard()`."""
    key = (jobs or default_jobs(), start_method())  # the environment goes with each task
    pool = _SHARED.get("pool")
    if pool is not None and (_SHARED["key"] != key or any(not w.process.is_alive() for w in pool.workers)):
        discard()
        pool = None
    if pool is None:
        pool = Pool(key[0], log, WARM)
        _SHARED.update(pool=pool, key=key)
    pool.log = log
    return pool


@contextlib.contextmanager
def borrowed(jobs: int | None, log, start: bool = False):
    """The shared pool for one build: kept for the next when the build ends normally or with an
    input error (every task has finished); killed when it stops half-way (Ctrl-C, SIGTERM, a bug,
    a full disk), since a task may still be running."""
    pool = shared(jobs, log)
    if start:
        pool.start()
    try:
        yield pool
    except (InputError, FindingsError):
        raise
    except BaseException:
        discard()
        raise


def discard() -> None:
    """Kill the shared pool's workers (after a build stopped half-way)."""
    pool = _SHARED.pop("pool", None)
    _SHARED.pop("key", None)
    if pool is not None:
        pool.close(kill=True)


def _close_shared() -> None:
    pool = _SHARED.pop("pool", None)
    if pool is not None:
        pool.close()


atexit.register(_close_shared)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
