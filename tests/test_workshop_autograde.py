"""Parallel autograde: one writer, nothing lost when a run is interrupted, resumable."""

from __future__ import annotations

import json

import pytest

from cadrelab.cli import main
from cadrelab.grading import autograde as autograde_module
from cadrelab.grading import grade_records as results
from cadrelab.grading import sandbox
from cadrelab.grading.autograde import autograde
from cadrelab.grading.workshop import Workshop
from graders.fixtures import submissions as fixtures
from tests.conftest import require_executable

ASSIGNMENT = "thuc-hanh-bai-02"
NOTEBOOK = "tong-hop-thu"
SCORES = {"good": 5.0, "wrong": 0.0, "partly_wrong": 1.0, "blank": 0.0}


def make_workshop(tmp_path, kinds: list[str]) -> Workshop:
    root = tmp_path / "lop"
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    assert main(["workshop", "release", ASSIGNMENT, "--dir", str(root)]) == 0
    workshop = Workshop.open(root)
    released = json.loads(
        (workshop.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    )
    spec = fixtures.load_kinds()[ASSIGNMENT]["kinds"]
    for n, kind in enumerate(kinds):
        folder = workshop.submitted_dir / f"hv{n:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{NOTEBOOK}.ipynb").write_bytes(fixtures.build_notebook(released, spec[kind]))
    return workshop


def scores(workshop: Workshop) -> dict[str, float]:
    with workshop.gradebook() as gradebook:
        return {s.student.id: float(s.score) for s in gradebook.assignment_submissions(ASSIGNMENT)}


def test_an_interrupted_run_resumes_and_loses_nothing(tmp_path, monkeypatch):
    require_executable("bwrap")
    kinds = ["good", "wrong", "partly_wrong", "blank", "good", "partly_wrong"]
    workshop = make_workshop(tmp_path, kinds)
    real_write, merged = autograde_module.write_result, []

    def interrupted_after_two(gradebook, result, specs):
        if len(merged) == 2:
            raise KeyboardInterrupt
        real_write(gradebook, result, specs)
        merged.append(result.student)

    monkeypatch.setattr(autograde_module, "write_result", interrupted_after_two)
    with pytest.raises(KeyboardInterrupt):
        autograde(workshop, ASSIGNMENT, jobs=2, timeout=10, progress=False)
    done = {r.student for r in results.load_all(workshop.results_dir, ASSIGNMENT)}
    assert done == set(merged) and len(done) == 2
    monkeypatch.undo()

    summary = autograde(workshop, ASSIGNMENT, jobs=2, timeout=10, progress=False)
    assert (summary.graded, summary.skipped, summary.errors) == (4, 2, [])
    assert scores(workshop) == {f"hv{n:03d}": SCORES[k] for n, k in enumerate(kinds)}


def test_unsafe_mode_grades_without_the_sandbox(tmp_path, monkeypatch, capsys):
    workshop = make_workshop(tmp_path, ["good", "partly_wrong"])
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    summary = autograde(workshop, ASSIGNMENT, jobs=1, timeout=10, unsafe=True, progress=False)
    assert summary.graded == 2
    assert "WITHOUT a sandbox" in capsys.readouterr().err
    assert scores(workshop) == {"hv000": 5.0, "hv001": 1.0}
