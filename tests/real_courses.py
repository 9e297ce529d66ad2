"""A workshop run on the real courses: released, filled by trainees, graded in the sandbox.

Shared by the real-course grading tests: one workshop per test session, built through
the commands a trainer types, with submissions written as a trainee's saved notebook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from cadrelab.cli import main
from cadrelab.grading.rebuild import cell_source, nbgrader_metadata
from cadrelab.grading.workshop import Workshop
from tests.conftest import REPO

COURSES = REPO / "courses"
SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
TIMESTAMP = "2026-12-01 08:00:00.000000 UTC"


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
    found = {}
    for cell in source_notebook["cells"]:
        meta = nbgrader_metadata(cell)
        if meta.get("solution"):
            lines = cell_source(cell).splitlines()
            found[meta["grade_id"]] = "\n".join(x for x in lines if not SOLUTION_MARKER.match(x))
    return found


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
