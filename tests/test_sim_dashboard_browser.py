"""A planner's view: the Voila dashboard in headless Chromium: run, change staff, run again,
download the results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cadrelab.sim.dashboard import dashboard_command
from tests.conftest import REPO
from tests.servers import chromium_page, jupyter_server, screenshot

pytestmark = pytest.mark.browser

TOKEN = "cadrelab-dashboard-test"
ON_TIME = ".cadrelab-kpi[data-key='on_time_rate']"
SECONDS = 60_000


def run_and_wait(page, previous_status: str | None = None) -> None:
    """Press run and wait until the status says the run (and its figures) are done."""
    page.locator("button.cadrelab-run").click()
    status = page.locator(".cadrelab-status")
    if previous_status:
        expect(status).not_to_have_text(previous_status, timeout=SECONDS)
    expect(status).to_contain_text("Xong", timeout=SECONDS)


def test_dashboard_runs_changes_staff_and_shows_new_figures(tmp_path) -> None:
    env = {"HOME": str(tmp_path / "home"), "MPLBACKEND": "Agg"}
    command = lambda port: dashboard_command(port, TOKEN)  # noqa: E731  (what the CLI runs)
    with jupyter_server(command, REPO, env) as base, chromium_page() as page:
        page.goto(f"{base}/?token={TOKEN}")
        page.locator("button.cadrelab-run").wait_for(timeout=90_000)
        expect(page.locator(".cadrelab-dashboard")).to_contain_text("Cán bộ và vai trò")

        run_and_wait(page)
        on_time_before = page.locator(ON_TIME).inner_text()
        wait_figure = page.locator(".cadrelab-dashboard img").first
        figure_before = wait_figure.get_attribute("src")
        assert (
            page.locator(".cadrelab-kpi-base[data-key='on_time_rate']").inner_text()
            == on_time_before
        ), "unchanged staff: the same figures as the base"

        # no one left for land dossiers: the scenario check's message, not a traceback
        page.locator(".cadrelab-officer-dc-1 input").uncheck()
        page.locator(".cadrelab-officer-dc-2 input").uncheck()
        page.locator("button.cadrelab-run").click()
        error = page.locator(".cadrelab-error")
        expect(error).to_contain_text("không cán bộ nào đảm nhiệm vai trò", timeout=SECONDS)
        assert "Traceback" not in page.locator("body").inner_text()

        # one land officer fewer: land dossiers pile up, fewer are on time
        page.locator(".cadrelab-officer-dc-2 input").check()
        run_and_wait(page, page.locator(".cadrelab-status").inner_text())
        expect(error).to_have_count(0)
        on_time_after = page.locator(ON_TIME).inner_text()
        assert _mean(on_time_after) < _mean(on_time_before), (on_time_before, on_time_after)
        expect(wait_figure).not_to_have_attribute("src", figure_before or "", timeout=SECONDS)

        with page.expect_download() as download:
            page.locator(".cadrelab-downloads a[download='ket-qua.json']").click()
        saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert "dc-1" not in saved["scenario"]["officers"] and "dc-1" in saved["base"]["officers"]

        page.get_by_role("tab", name="Mức bận").click()
        expect(page.locator(".cadrelab-dashboard img").nth(2)).to_be_visible()

        # one simulated day, drawn from the run's records when its tab is opened
        page.get_by_role("tab", name="Một ngày").click()
        day = page.locator("img.cadrelab-day")
        expect(day).to_be_visible(timeout=SECONDS)
        page.wait_for_function(
            "() => { const i = document.querySelector('img.cadrelab-day');"
            " return i && i.complete && i.naturalWidth > 300; }",
            timeout=SECONDS,
        )
        expect(page.locator(".cadrelab-dashboard")).to_contain_text("mỗi khung hình 20 phút")
        shot = screenshot(page, "sim-dashboard")
    assert shot.stat().st_size > 30_000


def _mean(cell: str) -> float:
    """``94,5 [93,1; 95,7]`` -> 94.5."""
    return float(cell.split(" [")[0].replace(".", "").replace(",", "."))
