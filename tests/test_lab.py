"""`make lab` serves JupyterLab on 127.0.0.1 behind a token, in Vietnamese."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from cadrelab import lab
from tests.conftest import cadrelab_command, free_port


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def running_lab():
    port, token = free_port(), "cadrelab-smoke-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token}
    process = subprocess.Popen(
        [*cadrelab_command(), "lab", "--port", str(port), "--no-browser"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{process.stdout.read()}")
        try:
            get(f"{base}/api/status")
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("JupyterLab did not answer within 60 s")
    yield base, token
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
