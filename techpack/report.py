"""Progress and timing for a build: a live line on a terminal, plain lines in CI.

Each stage's wall time and the process's peak memory after it are kept, for
`--verbose` and the benchmark.
"""

from __future__ import annotations

import resource
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class StageTime:
    name: str
    seconds: float
    peak_rss_mb: float


class Reporter:
    """Say what a build is doing. verbosity: 0 quiet, 1 normal, 2 verbose."""

    def __init__(self, verbosity: int = 1, stream: TextIO | None = None):
        self.verbosity = verbosity
        self.stream = stream or sys.stderr
        self.live = verbosity >= 1 and self.stream.isatty()
        self.stages: list[StageTime] = []
        self._pending = False

    def _write(self, text: str) -> None:
        if self._pending:
            self.stream.write("\r\x1b[K")
            self._pending = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def info(self, text: str) -> None:
        if self.verbosity >= 1:
            self._write(text)

    def detail(self, text: str) -> None:
        if self.verbosity >= 2:
            self._write(text)

    def progress(self, k: int, n: int, text: str) -> None:
        """Item k of n: one updating line on a terminal, one line each otherwise."""
        if self.verbosity < 1:
            return
        line = f"[{k}/{n}] {text}"
        if self.live:
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self._pending = True
        else:
            self._write(line)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - start
            self.stages.append(StageTime(name, took, peak_rss_mb()))
            self._stage_done(name, took)

    def _stage_done(self, name: str, took: float) -> None:
        if self._pending:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._pending = False
        self.detail(f"  {name}: {took:.2f} s, peak memory {peak_rss_mb():.0f} MB")
