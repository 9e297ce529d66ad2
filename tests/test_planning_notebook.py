"""The planners' notebooks: committed clean, and they run top to bottom."""

from __future__ import annotations

import unicodedata

import nbformat
import pytest
from nbclient import NotebookClient

from tests.sim_helpers import SIMULATIONS

PLANNING = SIMULATIONS / "planning.ipynb"
DASHBOARD = SIMULATIONS / "dashboard.ipynb"
CELL_TIMEOUT_SECONDS = 300  # a hung cell, not a time budget (performance is in benchmarks/)


@pytest.mark.parametrize("path", [PLANNING, DASHBOARD], ids=lambda p: p.name)
def test_committed_without_outputs(path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        assert unicodedata.is_normalized("NFC", cell.source)
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_dashboard_notebook_stays_a_few_lines() -> None:
    code = [c.source for c in nbformat.read(DASHBOARD, as_version=4).cells]
    assert len(code) == 1 and len(code[0].splitlines()) <= 5
    assert "ScenarioPanel()" in code[0]


def execute(path, env_home, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("HOME", str(env_home))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=CELL_TIMEOUT_SECONDS, resources={"metadata": {"path": str(SIMULATIONS)}}
    ).execute()
    return nb


@pytest.mark.slow
def test_planning_notebook_runs_with_its_figures_and_conclusion(tmp_path, monkeypatch) -> None:
    nb = execute(PLANNING, tmp_path, monkeypatch)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 7, "waits, on-time, utilisation, queues and differences"
    day = [o for o in outputs if "data:image/gif;base64," in o.get("data", {}).get("text/html", "")]
    assert len(day) == 1, "one animated day"
    conclusion = next(
        o.data["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})
    )
    for words in ("Thiếu công chức địa chính", "Phương án 1", "Phương án 2", "giờ ["):
        assert words in conclusion


def test_dashboard_notebook_shows_the_panel(tmp_path, monkeypatch) -> None:
    nb = execute(DASHBOARD, tmp_path, monkeypatch)
    (output,) = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in output.data
