"""Shared test helpers.

Tests that need a real external part (Chromium, bubblewrap) skip with a visible
reason when it is missing on a developer's machine, but fail under CI, where
``.ci/run`` installs everything.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# Tools started by name (nbgrader runs `alembic`, Jupyter finds kernels) come from this venv.
os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def require_executable(name: str) -> str:
    """Path of ``name``; skip (locally) or fail (CI) when it is not installed."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cadrelab_command() -> list[str]:
    return [str(VENV_BIN / "cadrelab")]


# The suite must leave no server running (checked once, after every test).
from tests.servers import no_server_left  # noqa: E402, F401
from tests.wheel_env import installed_cadrelab  # noqa: E402, F401  (built once per session)
