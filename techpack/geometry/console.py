"""Catch what native code (OCCT) prints on the process's standard output and error.

OCCT's STEP reader and writer print their messages ("**** ERR StepFile ...", transfer
statistics) with C++ streams straight to file descriptors 1 and 2, below Python's
sys.stdout: `techpack check --format json` would not be JSON any more. `captured_output()`
points those descriptors at a temporary file while the block runs and gives back what was
written there, as text without the terminal colour codes OCCT adds.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass

_LOCK = threading.RLock()  # the descriptors are the process's: one capture at a time (nesting is fine)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _c_flush():
    """libc's fflush, to push out what C stdio (and std::cout, synced with it) still buffers;
    None where it cannot be found (the capture still works for unbuffered writes)."""
    try:
        if sys.platform == "win32":
            return ctypes.CDLL("ucrtbase").fflush
        name = ctypes.util.find_library("c")
        return ctypes.CDLL(name).fflush if name else ctypes.CDLL(None).fflush
    except (OSError, AttributeError):
        return None


_FFLUSH = _c_flush()


def _flush_all() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: nothing of ours to keep
            pass
    if _FFLUSH is not None:
        _FFLUSH(None)  # fflush(NULL): every C output stream


def _dup(fd: int) -> int | None:
    """A copy of fd to restore it from, or None when fd is not open (run with stdout closed)."""
    try:
        return os.dup(fd)
    except OSError:
        return None


@dataclass
class Captured:
    """What native code printed while captured_output() was active; `text` is set when the block ends."""

    text: str = ""

    @property
    def lines(self) -> list[str]:
        """The non-blank lines, stripped."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


@contextlib.contextmanager
def captured_output(fds: tuple[int, ...] = (1, 2)) -> Iterator[Captured]:
    """Redirect the file descriptors fds (default standard output and error) into one
    temporary file for the duration of the block; the Captured it yields holds what was
    written, colour codes removed, once the block is over (also when it raises). Python's
    own streams are flushed first, so nothing printed before is caught or reordered.

    Process-wide (file descriptors are shared by all threads): captures are serialised by a
    lock, and what another thread writes to these descriptors meanwhile is caught too."""
    got = Captured()
    with _LOCK, tempfile.TemporaryFile() as sink:
        _flush_all()
        saved = [_dup(fd) for fd in fds]
        try:
            for fd in fds:
                os.dup2(sink.fileno(), fd)
            yield got
        finally:
            _flush_all()
            for fd, copy in zip(fds, saved):
                if copy is None:  # it was closed before: closed again
                    os.close(fd)
                else:
                    os.dup2(copy, fd)
                    os.close(copy)
            sink.seek(0)
            got.text = _ANSI.sub("", sink.read().decode("utf-8", errors="replace"))
