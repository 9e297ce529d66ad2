"""What a trainee's code can and cannot reach inside the grading sandbox."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cadrelab.cli import main
from cadrelab.errors import InputError
from cadrelab.grading import sandbox
from cadrelab.grading.resource_budget import Limits, budget_for
from tests.conftest import REPO, require_executable

PROBE = r"""
import json, os, socket, sys
found = {}
found["uid"] = os.getuid()
found["trainee"] = os.environ.get("CADRELAB_TRAINEE")
found["cwd_files"] = sorted(os.listdir("."))
found["root"] = sorted(os.listdir("/"))
found["secret_visible"] = os.path.exists(SECRET)
found["repo_courses_visible"] = os.path.exists(COURSES)
found["processes"] = len([p for p in os.listdir("/proc") if p.isdigit()])
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    found["network"] = "open"
except OSError as exc:
    found["network"] = type(exc).__name__
try:
    open("/usr/lib/cadrelab-probe", "w")
    found["system_writable"] = True
except OSError:
    found["system_writable"] = False
print(json.dumps(found))
"""


def _run(
    cells: list[str],
    tmp_path: Path,
    limits: Limits | None = None,
    files: dict[str, str] | None = None,
    stopped: list | None = None,
) -> list[dict]:
    """Run ``cells`` in a real sandbox; the messages out, and (in ``stopped``) what ended it."""
    bwrap = require_executable("bwrap")
    stage = tmp_path / "stage"
    stage.mkdir()
    for name, text in (files or {}).items():
        (stage / name).write_text(text, encoding="utf-8")
    limits = limits or Limits(cell_timeout=10)
    budget = budget_for(limits)
    plan = {
        "limits": limits.for_runner(tree_held=budget.kind != "watchdog"),
        "cells": [{"key": f"c{i}", "source": s, "answer": True} for i, s in enumerate(cells)],
    }
    session = sandbox.start(
        stage, plan, limits, "hv001", bwrap, [tmp_path / "workshop"], None, tmp_path, budget
    )
    messages = []
    try:
        while True:
            message = session.receive(time.monotonic() + limits.cell_timeout + 2)
            messages.append(message)
            if message["op"] == "finished":
                return messages
    except (sandbox.SessionEnded, sandbox.SessionTimeout, sandbox.SessionOverBudget) as exc:
        if stopped is not None:
            stopped.append(exc)
        return messages
    finally:
        session.close()


def _stdout(messages: list[dict], key: str) -> str:
    done = next(m for m in messages if m["op"] == "done" and m["key"] == key)
    return "".join(o.get("text", "") for o in done["outputs"] if o["output_type"] == "stream")


def test_the_sandbox_sees_only_its_copy_and_no_network(tmp_path):
    secret = tmp_path / "workshop" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("scores", encoding="utf-8")
    probe = PROBE.replace("SECRET", repr(str(secret))).replace(
        "COURSES", repr(str(REPO / "courses"))
    )
    messages = _run([probe], tmp_path, files={"du_lieu.csv": "a,b\n"})
    found = json.loads(_stdout(messages, "c0"))
    assert found["uid"] == 65534
    assert found["trainee"] == "hv001"
    assert found["cwd_files"] == ["du_lieu.csv"]
    assert not found["secret_visible"] and not found["repo_courses_visible"]
    assert found["network"] != "open"
    assert found["system_writable"] is False
    assert found["processes"] <= 3
    assert "home" not in found["root"] and "srv" not in found["root"]


def test_limits_on_memory_output_and_time(tmp_path):
    limits = Limits(cell_timeout=1.5, memory_bytes=512 << 20, output_bytes=10_000)
    messages = _run(
        ["x = bytearray(2 << 30)", "print('y' * 1_000_000)", "while True: pass"], tmp_path, limits
    )
    first = next(m for m in messages if m.get("key") == "c0" and m["op"] == "done")
    assert first["error"]["ename"] == "MemoryError"
    second = next(m for m in messages if m.get("key") == "c1" and m["op"] == "done")
    assert len(_stdout(messages, "c1")) == 10_000 and second["dropped"] == 990_001
    assert not any(m.get("key") == "c2" and m["op"] == "done" for m in messages)


def test_a_stuck_cell_is_killed_from_outside(tmp_path):
    stopped: list = []
    started = time.monotonic()
    source = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
    _run([source], tmp_path, Limits(cell_timeout=1), stopped=stopped)
    assert time.monotonic() - started < 10
    assert isinstance(stopped[0], sandbox.SessionTimeout) and stopped[0].limit == "cell"


def test_readable_paths_never_include_the_repository_root():
    paths = sandbox.readable_paths()
    assert REPO not in paths
    assert not any(
        p in (REPO / "courses").parents or p == REPO / "courses"
        for p in paths
        if p != REPO / "src" and p not in REPO.parents
    )


def test_a_workshop_inside_a_readable_folder_is_refused(tmp_path):
    inside = sandbox.readable_paths()[0] / "workshop"
    with pytest.raises(InputError, match="contains"):
        sandbox.bwrap_argv("bwrap", tmp_path, {}, Limits(), [inside], [])


def test_missing_bubblewrap_refuses_loudly_unless_unsafe(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="--unsafe"):
        sandbox.check_sandbox(unsafe=False)
    assert sandbox.check_sandbox(unsafe=True) is None
    assert "WITHOUT a sandbox" in capsys.readouterr().err


def test_autograde_without_bubblewrap_exits_2(monkeypatch, tmp_path, capsys):
    from graders.fixtures import submissions as fixtures

    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    root = tmp_path / "lop"
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    code = main(["workshop", "autograde", "thuc-hanh-bai-01", "--dir", str(root)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "bubblewrap" in err[0]


def test_python_and_sources_under_tmp_stay_visible(tmp_path) -> None:
    """/tmp is a fresh tmpfs inside; it must be mounted before the environment's folders,
    or a checkout or venv living under /tmp (a CI clone, say) would vanish in the sandbox."""
    argv = sandbox.bwrap_argv("bwrap", tmp_path, {}, Limits(), [], None)
    tmpfs_at = next(i for i in range(len(argv) - 1) if argv[i : i + 2] == ["--tmpfs", "/tmp"])
    for path in sandbox.readable_paths():
        bound_at = next(
            i
            for i in range(len(argv) - 2)
            if argv[i : i + 3] == ["--ro-bind", str(path), str(path)]
        )
        assert bound_at > tmpfs_at, f"{path} is mounted before /tmp and would be hidden"
