"""Start JupyterLab the way trainees should see it: local only, with a token, in Vietnamese.

The Vietnamese interface and the Markdown preview for the course index are set in
JupyterLab's ``overrides.json`` of this environment, so they are defaults a trainee
can still change in Settings.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cadrelab import atomic
from cadrelab.content import courses_dir

COURSE_INDEX = "courses/README.md"

LAB_DEFAULTS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "vi_VN"},
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
    # Training rooms are often offline; do not ask trainees about fetching Jupyter news.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}


def overrides_path() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def install_lab_defaults() -> Path:
    """Merge cadrelab's defaults into this environment's JupyterLab ``overrides.json``."""
    path = overrides_path()
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for plugin, settings in LAB_DEFAULTS.items():
        current.setdefault(plugin, {}).update(settings)
    atomic.write_text(path, json.dumps(current, ensure_ascii=False, indent=2) + "\n")
    return path


def lab_command(port: int, token: str, open_browser: bool, root: Path | None = None) -> list[str]:
    root = root or courses_dir().parent
    # Containers, CI and Binder-like machines often run as root; Jupyter refuses that by default.
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={open_browser}",
        f"--LabApp.default_url=/lab/tree/{COURSE_INDEX}",
        *as_root,
    ]


def start_lab(port: int = 8888, open_browser: bool = True) -> int:
    """Run JupyterLab in the foreground until it is stopped; returns its exit status."""
    install_lab_defaults()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    print(f"JupyterLab: http://127.0.0.1:{port}/lab/tree/{COURSE_INDEX}?token={token}", flush=True)
    return subprocess.call(lab_command(port, token, open_browser))
