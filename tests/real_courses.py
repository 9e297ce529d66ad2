"""A workshop run on the real courses: released, filled by trainees, graded in the sandbox.

Shared by the real-course grading, shortcut and leak tests: one workshop per test
session (:func:`graded_workshop`), built through the commands a trainer types, with
submissions written as a trainee's saved notebook, every assignment graded once and
given feedback.  Trainees: two who hand in the model solution, one who hands in the
release blank, one who types every answer in as a constant and one who takes the
shortcuts of :mod:`graders.fixtures.shortcuts`.
"""

from __future__ import annotations

import json
from pathlib import Path

from cadrelab.cli import main
from cadrelab.grading.autograde import autograde
from cadrelab.grading.feedback import generate_feedback
from cadrelab.grading.rebuild import nbgrader_metadata
from cadrelab.grading.workshop import Workshop
from graders.fixtures import shortcuts
from tests.conftest import REPO

COURSES = REPO / "courses"
TIMESTAMP = "2026-12-01 08:00:00.000000 UTC"
SOLVERS = ("hv001", "hv002")
BLANK = "hv003"
LITERAL = "hv-chep"  # types every answer in as a constant
SHORTCUT = "hv-tat"  # takes the preloaded table, the removed column
TRAINEES = (*SOLVERS, BLANK, LITERAL, SHORTCUT)
_graded: dict[str, Workshop] = {}


def open_workshop(root: Path, trainees: list[str], courses: Path = COURSES) -> Workshop:
    """A released workshop of ``courses`` with ``trainees`` on its roster."""
    assert main(["workshop", "init", str(root), "--courses", str(courses)]) == 0
    roster = root.parent / f"{root.name}-ds.csv"
    rows = "".join(f"{who},Học viên {who},Xã Thử,\n" for who in trainees)
    roster.write_text("ma_hoc_vien,ho_ten,don_vi,email\n" + rows, encoding="utf-8")
    assert main(["workshop", "roster", "import", str(roster), "--dir", str(root)]) == 0
    assert main(["workshop", "release", "--all", "--dir", str(root)]) == 0
    return Workshop.open(root)


def solutions(source_notebook: dict) -> dict[str, str]:
    """The model answer of every answer cell, markers removed."""
    return {
        nbgrader_metadata(cell)["grade_id"]: shortcuts.solution_source(cell)
        for cell in source_notebook["cells"]
        if nbgrader_metadata(cell).get("solution")
    }


def filled(released: dict, answers: dict[str, str]) -> dict:
    """The released notebook with ``answers`` typed into its answer cells."""
    notebook = json.loads(json.dumps(released))
    for cell in notebook["cells"]:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return notebook


def submit(workshop: Workshop, trainee: str, assignment: str, notebooks: dict[str, dict]) -> None:
    """What collect leaves in ``submitted/``: the trainee's notebooks and a timestamp."""
    folder = workshop.submitted_dir / trainee / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, notebook in notebooks.items():
        (folder / name).write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    (folder / "timestamp.txt").write_text(TIMESTAMP, encoding="utf-8")


def released_notebooks(workshop: Workshop, assignment: str) -> dict[str, dict]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((workshop.release_dir / assignment).glob("*.ipynb"))
    }


def source_notebook(workshop: Workshop, assignment: str, name: str) -> dict:
    return json.loads((workshop.source_dir / assignment / name).read_text(encoding="utf-8"))


def submit_solutions(workshop: Workshop, trainee: str, assignment: str) -> None:
    notebooks = {
        name: filled(released, solutions(source_notebook(workshop, assignment, name)))
        for name, released in released_notebooks(workshop, assignment).items()
    }
    submit(workshop, trainee, assignment, notebooks)


def submit_blank(workshop: Workshop, trainee: str, assignment: str) -> None:
    submit(workshop, trainee, assignment, released_notebooks(workshop, assignment))


def submit_shortcuts(workshop: Workshop, assignment: str) -> None:
    """The literal trainee everywhere; the shortcut trainee where the assignment has shortcuts."""
    secret = workshop.secret()
    typed, short = {}, {}
    for name, released in released_notebooks(workshop, assignment).items():
        source = source_notebook(workshop, assignment, name)
        if not any(nbgrader_metadata(cell).get("solution") for cell in released["cells"]):
            typed[name] = short[name] = released
            continue
        typed[name] = shortcuts.literal_notebook(released, source, LITERAL, secret)
        if assignment in shortcuts.SHORTCUTS:
            short[name] = shortcuts.shortcut_notebook(released, source, assignment)
    submit(workshop, LITERAL, assignment, typed)
    if assignment in shortcuts.SHORTCUTS:
        submit(workshop, SHORTCUT, assignment, short)


def graded_workshop(tmp_path_factory) -> Workshop:
    """The session's workshop of the real courses, every assignment graded and given feedback."""
    if "real" not in _graded:
        workshop = open_workshop(tmp_path_factory.mktemp("real") / "lop", list(TRAINEES))
        for assignment in workshop.assignments():
            for trainee in SOLVERS:
                submit_solutions(workshop, trainee, assignment)
            submit_blank(workshop, BLANK, assignment)
            if assignment in shortcuts.TARGETS:
                submit_shortcuts(workshop, assignment)
            summary = autograde(workshop, assignment, jobs=2, progress=False)
            assert not summary.errors, summary.errors
            generate_feedback(workshop, assignment)
        _graded["real"] = workshop
    return _graded["real"]
