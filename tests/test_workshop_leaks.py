"""Nothing a trainee receives gives the answers away.

* No solution code and no hidden-test text in release/ and feedback/: checked for the
  fixture course and for every graded lesson under courses/, so the check grows with the
  course.  Each exercise is released, then graded and given feedback for a blank
  submission (the release as it is) and for one filled with the solution's own code
  (whose feedback may show that code, the trainee's, but never a hidden test); the
  fixture course adds submissions that pass the visible tests and fail the hidden ones.
* No expected answer and no defect truth in what a trainee of a workshop receives: the
  release, their case folders, the teaching notebooks (as released and in the trainee
  version of the courses), nor what the package's public functions give without the
  workshop secret.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from cadrelab.checks.method import fresh_cases
from cadrelab.checks.registry import LessonData, lesson_checks
from cadrelab.cli import main
from cadrelab.data import load_cases
from cadrelab.data.exercises import EXERCISES as CASE_EXERCISES
from cadrelab.data.exercises import generate_cases, workshop_cases
from cadrelab.grading.autograde import autograde
from cadrelab.grading.case_handout import assignment_exercises, trainee_cases_dir
from cadrelab.grading.feedback import generate_feedback
from cadrelab.grading.leaks import find_leaks, lesson_secrets, secrets_of
from cadrelab.grading.lessons import discover_lessons, is_graded_notebook
from cadrelab.grading.trainee_version import build_trainee_courses
from cadrelab.grading.workshop import Workshop
from graders.fixtures import shortcuts
from graders.fixtures import submissions as fixtures
from tests import real_courses
from tests.conftest import REPO, require_executable
from tests.test_courses_lessons import MODEL_ANSWERS

pytestmark = pytest.mark.slow

ORIGINS = {"fixture": fixtures.COURSES, "courses": REPO / "courses"}
EXERCISES = [
    (origin, lesson.assignment)
    for origin, root in ORIGINS.items()
    for lesson in discover_lessons(root)
]


def test_the_fixture_course_is_among_the_checked_exercises():
    fixture = {a for origin, a in EXERCISES if origin == "fixture"}
    assert fixture == {"thuc-hanh-bai-01", "thuc-hanh-bai-02"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Workshop]:
    """One released and graded workshop per origin: the fixture course's own, and the session's
    workshop of the real courses (solutions and blank notebooks, graded, with feedback)."""
    require_executable("bwrap")
    workshops = {"courses": real_courses.graded_workshop(tmp_path_factory)}
    for origin in sorted({origin for origin, _ in EXERCISES} - set(workshops)):
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
                    "solution": json.dumps(
                        real_courses.filled(released, real_courses.solutions(source))
                    ).encode(),
                }
                for kind in ("wrong", "partly_wrong"):
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
        feedback = sorted(workshop.feedback_dir.glob(f"*/{assignment}/{notebook.stem}.html"))
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


# --- expected answers and defect truth -------------------------------------------------------

TRAINEE = "hv001"
LONG_NUMBER = 1_000_000
ANSWER_FREE = ("dap_an", "defects_of", "source_hidden")
SOLUTION_LENGTH = 20


def answer_forms(value: object) -> set[str]:
    """How a distinctive answer would read if it were written into a file; none for common ones.

    Collections of three or more items (as Python and JSON lists, sorted), dicts of two
    or more entries, fractional numbers and large whole numbers (sums of money).
    """
    if isinstance(value, (set, frozenset, list, tuple)) and len(value) >= 3:
        items = sorted(value, key=repr)
        if all(isinstance(i, (int, str)) and not isinstance(i, bool) for i in items):
            return {repr(items), json.dumps(items, ensure_ascii=False), ",".join(map(str, items))}
    if isinstance(value, dict) and len(value) >= 2:
        return {repr(value), json.dumps(value, ensure_ascii=False, default=str)}
    if isinstance(value, float) and not value.is_integer() and len(repr(value)) >= 7:
        return {repr(value)}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= LONG_NUMBER:
        return {str(value), f"{value:,}".replace(",", ".")}
    return set()


def received_texts(folders: list[Path]) -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8", errors="replace")
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def truth_texts(cases) -> set[str]:
    """The defect truth as it would read in a file: its detail lines (one per defect)."""
    return {detail for detail in cases.defects["detail"].astype(str) if len(detail) >= 12}


@pytest.fixture(scope="module")
def trainee_version(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trainee") / "courses"
    build_trainee_courses(REPO / "courses", out)
    return out


@pytest.mark.parametrize(
    "assignment",
    [a for origin, a in EXERCISES if origin == "courses"],
)
def test_no_expected_answer_or_truth_reaches_a_workshop_trainee(graded, assignment):
    workshop = graded["courses"]
    secret = workshop.secret()
    cases_dir = trainee_cases_dir(workshop, TRAINEE)
    received = received_texts(
        [
            workshop.release_dir / assignment,
            *(cases_dir / exercise for exercise in assignment_exercises(workshop, assignment)),
        ]
    )
    assert received
    forms: set[str] = set()
    for path in sorted((workshop.source_dir / assignment).glob("*.ipynb")):
        if is_graded_notebook(path):
            source = json.loads(path.read_text(encoding="utf-8"))
            for values in shortcuts.solution_values(source, TRAINEE, secret).values():
                for value in values.values():
                    forms |= answer_forms(value)
    truth = set()
    for exercise in assignment_exercises(workshop, assignment):
        truth |= truth_texts(generate_cases(exercise, TRAINEE, secret))
    for path, text in received.items():
        leaked = {form for form in forms | truth if form in text}
        assert not leaked, f"{path} shows {sorted(leaked)[:3]}"
        assert "row_key" not in text and "defects" not in path.name, path


@pytest.mark.parametrize("exercise", sorted(CASE_EXERCISES))
def test_public_functions_without_the_secret_give_other_cases(graded, exercise, monkeypatch):
    """Practice cases, and fresh cases made outside the grader, are never the workshop's."""
    workshop = graded["courses"]
    monkeypatch.delenv("CADRELAB_CASES_DIR", raising=False)
    monkeypatch.chdir(workshop.root.parent)
    theirs = generate_cases(exercise, TRAINEE, workshop.secret())
    with workshop_cases(workshop.secret()):
        graders_fresh = fresh_cases(exercise)
    for other in (load_cases(exercise, TRAINEE), fresh_cases(exercise), graders_fresh):
        assert any(not other[name].equals(theirs[name]) for name in theirs.tables), exercise
        if len(theirs.defects):
            assert not other.defects.equals(theirs.defects), exercise


def test_teaching_notebooks_hold_no_answer_as_released_and_as_trainees_open_them(
    graded, trainee_version, monkeypatch
):
    workshop = graded["courses"]
    monkeypatch.setenv("CADRELAB_TRAINEE", TRAINEE)
    forms: set[str] = set()
    with workshop_cases(workshop.secret()):
        for question in lesson_checks().values():
            if question.expected is not None and not question.given:
                forms |= answer_forms(question.expected(LessonData()))
    assert forms
    teaching = sorted(workshop.release_dir.glob("*/bai-hoc.ipynb"))
    teaching += sorted(trainee_version.glob("*/*/bai-hoc.ipynb"))
    assert len(teaching) == 2 * len([a for origin, a in EXERCISES if origin == "courses"])
    for path in teaching:
        text = path.read_text(encoding="utf-8")
        assert not [word for word in ANSWER_FREE if word in text], path
        assert not {form for form in forms if form in text}, path


def test_the_trainee_version_shows_no_lesson_solution(trainee_version):
    """Course pages and notebooks as trainees open them hold none of the lessons' model answers."""
    solutions = {
        code
        for answers in MODEL_ANSWERS.values()
        for code in answers.values()
        if len(code) >= SOLUTION_LENGTH
    }
    pages = received_texts([trainee_version])
    assert any(path.suffix == ".md" for path in pages)
    for path, text in pages.items():
        assert not {code for code in solutions if code in text}, path
