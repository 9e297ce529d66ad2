"""Run a server in the foreground the way a service manager expects.

``cadrelab lab`` and ``cadrelab sim dashboard`` start a Jupyter server and must stop
with it: SIGTERM (a service manager, a test harness) or Ctrl-C has to reach the
server itself, which then shuts down its kernels and frees its port.  On POSIX the
command replaces itself with the server (``os.execv``: same process id, nothing in
between); on Windows, which has no ``exec``, it runs the server as a child and
passes stop requests on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence

STOP_GRACE_SECONDS = 20


def run_in_foreground(command: Sequence[str]) -> int:
    """Become ``command`` (POSIX) or run it until it ends (Windows); its exit status."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(command[0], list(command))
    return _run_child(list(command))


def _run_child(command: list[str]) -> int:
    """Windows: the child shares the console, so Ctrl-C reaches it too; SIGTERM is passed on."""
    process = subprocess.Popen(command)
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        try:
            return process.wait(timeout=STOP_GRACE_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.kill()
            return process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
