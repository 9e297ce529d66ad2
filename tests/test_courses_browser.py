"""A trainee's view: a lesson opened in JupyterLab in headless Chromium, all cells run."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO
from tests.servers import chromium_page, jupyter_lab_command, jupyter_server, screenshot

pytestmark = pytest.mark.browser

LESSON = "01-thu-tuc/01-mot-cua/bai-hoc.ipynb"
TOKEN = "cadrelab-browser-test"


def test_lesson_runs_in_jupyterlab_with_feedback_and_intake_desk(tmp_path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(REPO / "courses", root)
    env = {"CADRELAB_TRAINEE": "kiem-thu", "HOME": str(tmp_path / "home")}
    with (
        jupyter_server(jupyter_lab_command(root, TOKEN), root, env) as base,
        chromium_page() as page,
    ):
        page.goto(f"{base}/lab/tree/{LESSON}?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_function(
            "window.jupyterapp && window.jupyterapp.serviceManager.isReady", timeout=60_000
        )
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        feedback = page.wait_for_selector(".cadrelab-feedback", timeout=90_000)
        desk = page.wait_for_selector(".cadrelab-intake-desk", timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=90_000)
        assert feedback.inner_text().strip()
        assert desk.is_visible()
        assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
        desk.scroll_into_view_if_needed()
        shot = screenshot(page, "lesson-intake-desk")
    assert shot.stat().st_size > 10_000
