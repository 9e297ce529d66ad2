"""Serve the planners' dashboard (``simulations/dashboard.ipynb``) with Voila.

Local only (127.0.0.1), behind a token (``JUPYTER_TOKEN`` or a fresh random
one, printed in the URL), without tracebacks sent to the page, and with idle
kernels culled: a planner who closes the tab gets their kernel shut down by
Voila at once, and one whose browser vanished gets it culled after
:data:`CULL_IDLE_SECONDS` of inactivity (checked every :data:`CULL_INTERVAL_SECONDS`).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from pathlib import Path

from cadrelab.content import simulations_dir
from cadrelab.i18n import t
from cadrelab.service import run_in_foreground
from cadrelab.sim.scenario.problems import keyed_error

NOTEBOOK = "dashboard.ipynb"
DEFAULT_PORT = 8866
CULL_IDLE_SECONDS = 900
CULL_INTERVAL_SECONDS = 60


def dashboard_command(
    port: int,
    token: str,
    open_browser: bool = False,
    root: Path | None = None,
    cull_idle_seconds: int = CULL_IDLE_SECONDS,
    cull_interval_seconds: int = CULL_INTERVAL_SECONDS,
) -> list[str]:
    """The Voila command line that ``cadrelab sim dashboard`` runs (tests run the same one)."""
    root = root or simulations_dir()
    return [
        sys.executable,
        "-m",
        "voila",
        str(root / NOTEBOOK),
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.root_dir={root}",
        f"--Voila.open_browser={open_browser}",
        f"--Voila.token={token}",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_seconds}",
        f"--MappingKernelManager.cull_interval={cull_interval_seconds}",
        "--MappingKernelManager.cull_connected=False",
    ]


def dashboard_url(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/?token={token}"


def start_dashboard(port: int = DEFAULT_PORT, open_browser: bool = True) -> int:
    """Become Voila until it is stopped: SIGTERM or Ctrl-C stop it and its kernels."""
    if importlib.util.find_spec("voila") is None:
        raise keyed_error("dashboard.error.no_voila", field="voila")
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    print(t("dashboard.started", url=dashboard_url(port, token)), flush=True)
    return run_in_foreground(dashboard_command(port, token, open_browser))
