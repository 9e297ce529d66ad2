"""Start real Jupyter servers and a headless Chromium for the browser tests, stop servers the
way a service manager does, and make sure the suite leaves none running."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
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


def process_tree(pid: int) -> list[psutil.Process]:
    """``pid`` and every process under it (kernels of a Jupyter server, say)."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def port_is_free(port: int) -> bool:
    """True when a new server could listen on ``port`` (as servers do, past TIME_WAIT)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop_like_a_service(
    process: subprocess.Popen, tree: list[psutil.Process], sig: int = signal.SIGTERM
) -> list[str]:
    """Send ``sig`` to the server as a service manager (SIGTERM) or a terminal (SIGINT) would;
    what still runs 30 s later (killed then, and described for the assertion)."""
    process.send_signal(sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    _, alive = psutil.wait_procs(tree, timeout=10)
    survivors = [f"{p.pid} {' '.join(_cmdline(p))[:120]}" for p in alive]
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    if process.poll() is None:
        process.kill()
        process.wait()
    return survivors


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return ["?"]


# Helpers the standard library keeps for the whole life of the process: not servers.
_LIFELONG_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


@pytest.fixture(scope="session", autouse=True)
def no_server_left():
    """After the whole suite: no process a test started is still running (servers included)."""
    yield
    children = [
        p
        for p in psutil.Process().children(recursive=True)
        if not any(helper in " ".join(_cmdline(p)) for helper in _LIFELONG_HELPERS)
    ]
    _, alive = psutil.wait_procs(children, timeout=10)
    alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    described = [f"{p.pid} {' '.join(_cmdline(p))[:160]}" for p in alive]
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    assert not described, "processes left running by the tests:\n" + "\n".join(described)
