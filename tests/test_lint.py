"""The code stays lint-clean and consistently formatted (ruff, configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

PATHS = ["src", "tests", "benchmarks", "graders"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_check() -> None:
    result = ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_format() -> None:
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout[-4000:]
