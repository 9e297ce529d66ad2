"""The package installs anywhere: from the wheel alone, in an empty folder outside the checkout,
the README's commands work (`cadrelab lab`, `data generate`, `sim run baseline`,
`workshop init`, `courses copy`)."""

from __future__ import annotations

import json
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port
from tests.servers import port_is_free, process_tree, stop_like_a_service, wait_for_http

pytestmark = pytest.mark.slow

TOKEN = "cadrelab-wheel-test"


@pytest.fixture(scope="module")
def room(installed_cadrelab, tmp_path_factory):
    """An empty working folder and a new home, both outside the checkout."""
    base = tmp_path_factory.mktemp("laptop")
    assert REPO not in base.parents
    (base / "work").mkdir()
    (base / "home").mkdir()
    return installed_cadrelab, base / "work", installed_cadrelab.env(base / "home")


def cadrelab(room, *argv: str, timeout: float = 600) -> subprocess.CompletedProcess:
    installed, work, env = room
    return subprocess.run(
        [str(installed.bin / "cadrelab"), *argv],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def test_the_wheel_carries_content_and_catalogues(installed_cadrelab):
    names = zipfile.ZipFile(installed_cadrelab.wheel).namelist()
    for expected in (
        "cadrelab/_content/reference/",
        "cadrelab/_content/courses/README.md",
        "cadrelab/_content/simulations/baseline.yaml",
        "cadrelab/_content/graders/nbgrader_config.py",
        "cadrelab/messages/hub.csv",
    ):
        assert any(name.startswith(expected) for name in names), expected


def test_cadrelab_comes_from_the_wheel_not_the_checkout(room):
    installed, work, env = room
    probe = subprocess.run(
        [
            str(installed.bin / "python"),
            "-c",
            "import cadrelab, cadrelab.content as c; print(cadrelab.__file__); "
            "print(c.checkout_root()); print(c.courses_dir())",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module, root, courses = probe.stdout.splitlines()
    assert Path(module).is_relative_to(installed.venv) and root == "None"
    assert Path(courses).is_relative_to(installed.venv) and (Path(courses) / "README.md").is_file()


def test_data_generate(room):
    done = cadrelab(room, "data", "generate", "--seed", "1", "--out", "du-lieu")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((room[1] / "du-lieu" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]


def test_sim_run_a_shipped_scenario_by_name(room):
    done = cadrelab(room, "sim", "run", "baseline", "--replications", "2", "--seed", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "a results table"


def test_workshop_init(room):
    done = cadrelab(room, "workshop", "init", "lop")
    assert done.returncode == 0, done.stderr
    source = room[1] / "lop" / "source"
    assert any(source.glob("*/*.ipynb")) and (room[1] / "lop" / ".cadrelab" / "secret").is_file()


def test_courses_copy(room):
    done = cadrelab(room, "courses", "copy", "khoa-hoc")
    assert done.returncode == 0, done.stderr
    notebooks = list((room[1] / "khoa-hoc").rglob("*.ipynb"))
    assert notebooks and not any("BEGIN SOLUTION" in p.read_text("utf-8") for p in notebooks)


def test_lab_serves_the_course_index_and_stops(room):
    installed, work, env = room
    port = free_port()
    process = subprocess.Popen(
        [str(installed.bin / "cadrelab"), "lab", f"--port={port}", "--no-browser"],
        cwd=work,
        env={**env, "JUPYTER_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/api/status", process)
    request = urllib.request.Request(f"{base}/api/contents/courses/README.md")
    request.add_header("Authorization", f"token {TOKEN}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["name"] == "README.md"
    assert stop_like_a_service(process, process_tree(process.pid)) == []
    assert port_is_free(port)
