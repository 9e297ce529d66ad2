"""A trainee's view: a lesson opened in JupyterLab in headless Chromium, all cells run."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.conftest import REPO
from tests.servers import chromium_page, jupyter_lab_command, jupyter_server, screenshot

pytestmark = pytest.mark.browser

LESSON = "01-thu-tuc/01-mot-cua/bai-hoc.ipynb"
TOKEN = "cadrelab-browser-test"
KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""


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
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # JupyterLab detaches cells scrolled out of view (and re-renders them when scrolled
        # back), so use locators, which look the element up again on every call.
        feedback = page.locator(".cadrelab-feedback").first
        desk = page.locator(".cadrelab-intake-desk").first
        feedback.wait_for(state="attached", timeout=90_000)
        desk.wait_for(state="attached", timeout=90_000)
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
        feedback.scroll_into_view_if_needed()
        expect(feedback).to_contain_text(
            re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]")
        )
        desk.scroll_into_view_if_needed()
        expect(desk).to_contain_text("Tiếp nhận", timeout=30_000)
        shot = screenshot(page, "lesson-intake-desk")
    assert shot.stat().st_size > 10_000
