"""Preloaded by the forkserver process that forks the workers on Linux (workers.Pool): it
ignores Ctrl-C while it preloads (the main process stops the build), registers the fonts
every PDF embeds, once for all the workers it forks, and it makes the
server leave, when the build's main process has gone, without tearing CadQuery and OCCT
down, which took a second that a caller reading the build's output (a CI step, a test) waited
for, since the server holds the same stdout and stderr. Imported anywhere else it does nothing.
The forked workers never run it: a forked child leaves with os._exit."""

import atexit
import multiprocessing.forkserver
import os
import signal
import sys


def _in_the_server() -> bool:
    """Whether this import runs inside multiprocessing.forkserver.main (its preloading)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is multiprocessing.forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


if _in_the_server():
    # Ctrl-C reaches the whole process group: the server ignores it while it preloads, as
    # multiprocessing has it do after; the build's main process stops the build and says so.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from techpack.fonts import register

    register()
    atexit.register(os._exit, 0)
