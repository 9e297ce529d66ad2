"""`cadrelab lab` serves the trainee's own copy of the courses on 127.0.0.1 behind a token, in
Vietnamese, and stops like a service: SIGTERM or Ctrl-C end it, its kernels and its port.
`cadrelab sim dashboard` stops the same way.  `cadrelab courses copy` gives an editable copy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cadrelab import lab
from cadrelab.cli import main
from cadrelab.content import courses_dir
from tests.conftest import cadrelab_command, free_port
from tests.servers import (
    jupyter_server,
    port_is_free,
    process_tree,
    stop_like_a_service,
    wait_for_http,
)

TOKEN = "cadrelab-smoke-test-token"
SOLUTION_MARKERS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME")


def get(url: str, token: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def graded_notebooks(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*.ipynb")) if '"nbgrader"' in p.read_text("utf-8")]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def running_lab(home):
    """`cadrelab lab` itself, the command `make lab` ends with, for a trainee whose home is new."""

    def command(port: int) -> list[str]:
        return [*cadrelab_command(), "lab", f"--port={port}", "--no-browser"]

    with jupyter_server(command, home, {"JUPYTER_TOKEN": TOKEN, "HOME": str(home)}) as base:
        yield base, TOKEN


def test_status_answers_with_token(running_lab) -> None:
    base, token = running_lab
    status, body = get(f"{base}/api/status", token)
    assert status == 200
    assert "started" in json.loads(body)


def test_refuses_without_token(running_lab) -> None:
    base, _ = running_lab
    assert get(f"{base}/api/status")[0] == 403
    assert get(f"{base}/api/contents/courses")[0] == 403


def test_opens_on_course_index_in_vietnamese(running_lab) -> None:
    base, token = running_lab
    status, body = get(f"{base}/api/contents/{lab.COURSE_INDEX}", token)
    assert status == 200 and json.loads(body)["name"] == "README.md"
    settings = json.loads(lab.overrides_path().read_text(encoding="utf-8"))
    assert settings["@jupyterlab/translation-extension:plugin"]["locale"] == "vi_VN"
    status, body = get(f"{base}/lab/api/translations/vi_VN", token)
    assert status == 200 and json.loads(body)["data"], "Vietnamese language pack is not installed"


def test_serves_the_trainee_version_from_the_home_folder(running_lab, home) -> None:
    base, token = running_lab
    copy = home / "cadrelab" / "courses"
    exercises = graded_notebooks(copy)
    assert len(exercises) == len(graded_notebooks(courses_dir())) > 0
    served = exercises[0].relative_to(home / "cadrelab").as_posix()
    status, body = get(f"{base}/api/contents/{served}?content=1", token)
    assert status == 200
    text = json.dumps(json.loads(body)["content"], ensure_ascii=False)
    assert "VIẾT CODE CỦA ANH/CHỊ Ở ĐÂY" in text
    for path in exercises:
        content = path.read_text(encoding="utf-8")
        assert not any(marker in content for marker in SOLUTION_MARKERS), path


# --- stopping like a service ----------------------------------------------------------------


def start_server(command: list[str], home: Path) -> subprocess.Popen:
    env = {**os.environ, "JUPYTER_TOKEN": TOKEN, "HOME": str(home), "MPLBACKEND": "Agg"}
    process = subprocess.Popen(
        command, cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return process


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_lab_stops_with_its_kernels_and_frees_the_port(home, sig) -> None:
    port = free_port()
    command = [*cadrelab_command(), "lab", f"--port={port}", "--no-browser"]
    process = start_server(command, home)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/api/status", process)
    status, body = get(f"{base}/api/kernels", TOKEN, method="POST")
    assert status == 201, body
    tree = process_tree(process.pid)
    assert len(tree) >= 2, "the kernel runs under the server"
    assert "jupyterlab" in " ".join(tree[0].cmdline()), "cadrelab lab became JupyterLab"
    assert stop_like_a_service(process, tree, sig) == []
    assert port_is_free(port)


@pytest.mark.slow
def test_dashboard_stops_with_its_kernels_and_frees_the_port(home) -> None:
    port = free_port()
    command = [*cadrelab_command(), "sim", "dashboard", f"--port={port}", "--no-browser"]
    process = start_server(command, home)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/api/status?token={TOKEN}", process)
    get(f"{base}/?token={TOKEN}")  # the page starts the dashboard's kernel
    tree = process_tree(process.pid)
    assert len(tree) >= 2, "the dashboard's kernel runs under Voila"
    assert "voila" in " ".join(tree[0].cmdline()), "cadrelab sim dashboard became Voila"
    assert stop_like_a_service(process, tree) == []
    assert port_is_free(port)


# --- an editable copy of the courses ---------------------------------------------------------


def test_courses_copy_is_the_trainee_version_and_keeps_edits(tmp_path, capsys) -> None:
    folder = tmp_path / "khoa-hoc"
    assert main(["courses", "copy", str(folder)]) == 0
    exercise = graded_notebooks(folder)[0]
    assert not any(m in exercise.read_text(encoding="utf-8") for m in SOLUTION_MARKERS)
    index = folder / "README.md"
    edited = index.read_text(encoding="utf-8") + "\nGhi chú của tôi.\n"
    index.write_text(edited, encoding="utf-8")
    exercise.unlink()

    record = json.loads((folder / lab.COPY_STAMP).read_text(encoding="utf-8"))
    record["source"] = "an older package"
    (folder / lab.COPY_STAMP).write_text(json.dumps(record), encoding="utf-8")
    capsys.readouterr()
    assert main(["courses", "copy", str(folder)]) == 0
    out = capsys.readouterr().out
    assert index.read_text(encoding="utf-8") == edited, "an edited file is never overwritten"
    assert "README.md" in out and exercise.is_file(), "a deleted file comes back"


def test_courses_copy_with_solutions_is_for_trainers(tmp_path) -> None:
    folder = tmp_path / "nguon"
    assert main(["courses", "copy", str(folder), "--with-solutions"]) == 0
    assert any("BEGIN SOLUTION" in p.read_text(encoding="utf-8") for p in folder.rglob("*.ipynb"))


@pytest.mark.parametrize("edition", [[], ["--with-solutions"]], ids=["trainee", "solutions"])
def test_courses_copy_refuses_a_folder_with_other_files(tmp_path, capsys, edition) -> None:
    (tmp_path / "bao-cao.xlsx").write_bytes(b"work of someone")
    assert main(["courses", "copy", str(tmp_path), *edition]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "choose a new or empty folder" in err
    assert (tmp_path / "bao-cao.xlsx").read_bytes() == b"work of someone"


def test_courses_copy_refuses_to_mix_editions(tmp_path, capsys) -> None:
    assert main(["courses", "copy", str(tmp_path / "k")]) == 0
    assert main(["courses", "copy", str(tmp_path / "k"), "--with-solutions"]) == 2
    assert "trainee edition" in capsys.readouterr().err
