"""cadrelab as a trainee or a hub installs it: a wheel built from this checkout, in a fresh
virtual environment outside it, with its dependencies from the package registry.

Built once per test session (about a minute and a half) and shared by the wheel test and
the hub test.  The environment uses the system's Python (``/usr/bin/python3``) in a
folder every user can read, so that trainees' servers on the hub, each running as its
own Unix user, can run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

SYSTEM_PYTHON = Path("/usr/bin/python3")
# sbin too: the hub creates trainees' accounts with adduser
SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]


@dataclass(frozen=True)
class Installed:
    root: Path  # readable by everyone; holds dist/ and venv/
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, home: Path) -> dict[str, str]:
        """A clean environment: this venv first on PATH, a new home, no checkout on the path."""
        keep = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "LANG", "LC_"))}
        return {
            **keep,
            "PATH": os.pathsep.join([str(self.bin), *SYSTEM_PATH]),
            "HOME": str(home),
            "MPLBACKEND": "Agg",
        }


def _usable(python: Path) -> bool:
    if not python.is_file():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def build_and_install() -> Installed:
    """Build the wheel and install it, with the ``hub`` extra, into a new environment."""
    if not _usable(SYSTEM_PYTHON):
        message = f"{SYSTEM_PYTHON} (3.11 or newer, with venv) is missing (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="cadrelab-wheel-"))
    root.chmod(0o755)
    dist, venv = root / "dist", root / "venv"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(REPO)], root)
    (wheel,) = dist.glob("cadrelab-*.whl")
    _run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], root)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", f"{wheel}[hub]"], root)
    return Installed(root, wheel, venv)


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


@pytest.fixture(scope="session")
def installed_cadrelab():
    installed = build_and_install()
    yield installed
    shutil.rmtree(installed.root, ignore_errors=True)
