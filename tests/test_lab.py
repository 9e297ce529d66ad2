"""`make lab` serves JupyterLab on 127.0.0.1 behind a token, in Vietnamese."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from cadrelab import lab
from tests.conftest import cadrelab_command
from tests.servers import jupyter_server


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
def running_lab(tmp_path_factory):
    """`cadrelab lab` itself, the command `make lab` ends with."""
    token = "cadrelab-smoke-test-token"

    def command(port: int) -> list[str]:
        return [*cadrelab_command(), "lab", f"--port={port}", "--no-browser"]

    root = tmp_path_factory.mktemp("lab")
    with jupyter_server(command, root, {"JUPYTER_TOKEN": token}) as base:
        yield base, token


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
