"""Stopping a grading run: Ctrl-C stops at once and cleanly, a killed run leaves nothing running.

A class of slow submissions is graded by ``cadrelab workshop autograde`` in its own
process group; the test interrupts or kills it while sandboxes are running and then
looks for any process of the run left alive, and for staging folders left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cadrelab.cli import main
from cadrelab.grading import grade_records
from cadrelab.grading.workshop import Workshop
from graders.fixtures import submissions as fixtures
from tests import real_courses
from tests.conftest import require_executable

pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK = "thuc-hanh-bai-01", "so-theo-doi"
SLOW = "import time\ntime.sleep(10)"


def _slow_class(root: Path, trainees: int) -> Workshop:
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    assert main(["workshop", "release", ASSIGNMENT, "--dir", str(root)]) == 0
    workshop = Workshop.open(root)
    released = json.loads(
        (workshop.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    )
    slow = real_courses.filled(released, {"cau-1": SLOW})
    for n in range(trainees):
        real_courses.submit(workshop, f"hv{n:03d}", ASSIGNMENT, {f"{NOTEBOOK}.ipynb": slow})
    return workshop


MARKER = "CADRELAB_INTERRUPT_TEST"


def _start(workshop: Workshop) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    command = [
        str(bin_dir / "cadrelab"), "workshop", "autograde", ASSIGNMENT,
        "--jobs", "2", "--timeout", "60", "--dir", str(workshop.root),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        MARKER: str(workshop.root),
    }
    return subprocess.Popen(
        command, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True
    )


def _run_processes(workshop: Workshop) -> list[str]:
    """Processes of this workshop's grading run still alive: the command and its workers
    (they carry the marker in their environment) and the sandboxes (bwrap names the
    staging folder; the sandboxed runner dies with its bwrap)."""
    marker = f"{MARKER}={workshop.root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and (marker in environ or str(workshop.root) in command):
            found.append(f"{entry.name}: {command[:120]}")
    return found


def _wait_for_sandboxes(workshop: Workshop, process: subprocess.Popen) -> None:
    staging = workshop.state_dir / "staging"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(staging.glob("run-*/cadrelab-*/stage")):
            time.sleep(3)  # the sandboxes are starting or running
            return
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.2)
    pytest.fail("no sandbox started")


def _gone(workshop: Workshop, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _run_processes(workshop)
        if not left:
            return []
        time.sleep(0.2)
    return _run_processes(workshop)


def test_ctrl_c_stops_at_once_and_leaves_nothing(tmp_path) -> None:
    require_executable("bwrap")
    workshop = _slow_class(tmp_path / "lop", 6)
    process = _start(workshop)
    _wait_for_sandboxes(workshop, process)
    stopped_at = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert time.monotonic() - stopped_at < 15
    assert _gone(workshop, 10) == []
    assert not list((workshop.state_dir / "staging").glob("run-*"))
    assert len(grade_records.load_all(workshop.results_dir, ASSIGNMENT)) < 6


def test_a_killed_run_leaves_nothing_running_and_a_rerun_finishes(tmp_path) -> None:
    require_executable("bwrap")
    workshop = _slow_class(tmp_path / "lop", 3)
    process = _start(workshop)
    _wait_for_sandboxes(workshop, process)
    process.kill()  # SIGKILL to the main process only: no chance to clean up
    process.wait(timeout=30)
    assert _gone(workshop, 15) == []
    assert list((workshop.state_dir / "staging").glob("run-*"))  # what the killed run left
    rerun = _start(workshop)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read() if rerun.stderr else ""
    assert not list((workshop.state_dir / "staging").glob("run-*"))
    assert len(grade_records.load_all(workshop.results_dir, ASSIGNMENT)) == 3
