"""No solution code and no hidden-test text in what trainees receive: release/ and feedback/.

Checked for the fixture course and for every graded lesson under courses/, so the
check grows with the course.  Each exercise is released, then graded and given
feedback for a blank submission (the release as it is) and for one filled with the
solution's own code (whose feedback may show that code, the trainee's, but never a
hidden test); the fixture course adds submissions that pass the visible tests and
fail the hidden ones.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from cadrelab.cli import main
from cadrelab.grading.autograde import autograde
from cadrelab.grading.feedback import generate_feedback
from cadrelab.grading.leaks import find_leaks, lesson_secrets, secrets_of
from cadrelab.grading.lessons import discover_lessons, is_graded_notebook
from cadrelab.grading.workshop import Workshop
from graders.fixtures import submissions as fixtures
from tests.conftest import REPO, require_executable

pytestmark = pytest.mark.slow

ORIGINS = {"fixture": fixtures.COURSES, "courses": REPO / "courses"}
EXERCISES = [
    (origin, lesson.assignment)
    for origin, root in ORIGINS.items()
    for lesson in discover_lessons(root)
]
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def test_the_fixture_course_is_among_the_checked_exercises():
    fixture = {a for origin, a in EXERCISES if origin == "fixture"}
    assert fixture == {"thuc-hanh-bai-01", "thuc-hanh-bai-02"}


def _solution_filled(source_notebook: dict, released: dict) -> dict:
    """The released notebook with every answer cell holding the solution's own text."""
    solutions = {}
    for cell in source_notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            solutions[meta["grade_id"]] = "\n".join(
                line for line in text.splitlines() if not MARKER.match(line)
            )
    filled = json.loads(json.dumps(released))
    for cell in filled["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell["source"] = solutions[grade_id]
    return filled


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Workshop]:
    """One released and graded workshop per origin that has exercises."""
    require_executable("bwrap")
    workshops = {}
    for origin in sorted({origin for origin, _ in EXERCISES}):
        root = tmp_path_factory.mktemp(origin) / "lop"
        assert main(["workshop", "init", str(root), "--courses", str(ORIGINS[origin])]) == 0
        roster = root.parent / "ds.csv"
        roster.write_text("ma_hoc_vien,ho_ten,don_vi,email\nhv001,Lê Văn An,Xã A,\n", "utf-8")
        assert main(["workshop", "roster", "import", str(roster), "--dir", str(root)]) == 0
        assert main(["workshop", "release", "--all", "--dir", str(root)]) == 0
        workshop = Workshop.open(root)
        kinds = fixtures.load_kinds()
        for assignment in workshop.assignments():
            release = workshop.release_dir / assignment
            for path in sorted(release.glob("*.ipynb")):
                released = json.loads(path.read_text(encoding="utf-8"))
                source = json.loads(
                    (workshop.source_dir / assignment / path.name).read_text(encoding="utf-8")
                )
                versions = {
                    "blank": path.read_bytes(),
                    "solution": json.dumps(_solution_filled(source, released)).encode(),
                }
                for kind in ("wrong", "partly_wrong") if origin == "fixture" else ():
                    versions[kind] = fixtures.build_notebook(
                        released, kinds[assignment]["kinds"][kind]
                    )
                for trainee, data in versions.items():
                    folder = workshop.submitted_dir / f"leak-{trainee}" / assignment
                    if not folder.exists():
                        shutil.copytree(release, folder)
                    (folder / path.name).write_bytes(data)
            autograde(workshop, assignment, jobs=2, timeout=20, progress=False)
            generate_feedback(workshop, assignment)
        workshops[origin] = workshop
    return workshops


@pytest.mark.parametrize(
    ("origin", "assignment"), EXERCISES, ids=[f"{o}:{a}" for o, a in EXERCISES]
)
def test_no_solution_or_hidden_test_reaches_trainees(graded, origin, assignment):
    workshop = graded[origin]
    source = workshop.source_dir / assignment
    secrets = lesson_secrets(source)
    assert secrets.solution, f"{source} has no solution region to protect"
    outbound = workshop.exchange_root / workshop.course_id / "outbound" / assignment
    assert find_leaks(workshop.release_dir / assignment, secrets) == []
    assert find_leaks(outbound, secrets) == []
    for notebook in sorted(n for n in source.glob("*.ipynb") if is_graded_notebook(n)):
        feedback = sorted(workshop.feedback_dir.glob(f"leak-*/{assignment}/{notebook.stem}.html"))
        assert len(feedback) >= 2
        for page in feedback:
            # a trainee's own code may match the solution; feedback must add nothing to it
            trainee = page.relative_to(workshop.feedback_dir).parts[0]
            own = _own_text(workshop.submitted_dir / trainee / assignment / notebook.name)
            found = [leak for leak in find_leaks(page, secrets) if leak.line not in own]
            assert found == [], page


def _own_text(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells
    )
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def test_the_leak_check_finds_planted_text(tmp_path):
    notebook = fixtures.COURSES / "thuc-hanh" / "bai-01" / "so-theo-doi.ipynb"
    secrets = secrets_of(notebook)
    hidden, solution = sorted(secrets.hidden)[0], sorted(secrets.solution)[0]
    page = tmp_path / "phan-hoi.html"
    page.write_text(f"<pre><span>{html.escape(solution)}</span></pre>", encoding="utf-8")
    planted = tmp_path / "bai.ipynb"
    planted.write_text(
        json.dumps(
            {"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [{"text": hidden}]}]}
        ),
        encoding="utf-8",
    )
    clean = tmp_path / "sach.html"
    clean.write_text("<p>Kiểm tra: đạt</p>", encoding="utf-8")
    assert [leak.kind for leak in find_leaks(page, secrets)] == ["solution"]
    assert [leak.kind for leak in find_leaks(planted, secrets)] == ["hidden_test"]
    assert find_leaks(clean, secrets) == []
