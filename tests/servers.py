"""Start real Jupyter servers and a headless Chromium for the browser tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cadrelab import lab
from tests.conftest import REPO, free_port, require_executable

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    process.kill()
    pytest.fail(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def jupyter_server(
    command: Callable[[int], list[str]], root: Path, env: dict | None = None
) -> Iterator[str]:
    """Run a Jupyter server app (lab, voila …) on a free loopback port; yield its base URL.

    ``command`` maps the port to the command line.
    """
    port = free_port()
    process = subprocess.Popen(
        command(port),
        cwd=root,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/api/status", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def jupyter_lab_command(root: Path, token: str) -> Callable[[int], list[str]]:
    """`cadrelab lab`'s own command line, with the app exposed so a test can run commands."""
    lab.install_lab_defaults()
    return lambda port: [
        *lab.lab_command(port, token, open_browser=False, root=root),
        "--LabApp.expose_app_in_browser=True",
    ]


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000):
    """A Playwright page in Debian's chromium (never a downloaded browser)."""
    executable = require_executable("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
            yield page
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
