"""Course notebooks: structure, nbgrader metadata, counts, execution and release checks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict

import nbformat
import pytest

from tests.conftest import REPO
from tests.courses import (
    COURSES_DIR,
    courses,
    exercises,
    is_autograded_test,
    is_manual_answer,
    lessons,
    nbgrader_meta,
    notebooks,
)

SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
NOTEBOOK_SECONDS = 20
TRAINEE = "kiem-thu"
COURSES_INDEX = REPO / "courses" / "README.md"


def read(path):
    return nbformat.read(path, as_version=4)


# --- structure and counts -----------------------------------------------------------


@pytest.mark.parametrize("course", courses(), ids=lambda p: p.name)
def test_course_has_readme_and_two_lessons(course) -> None:
    readme = (course / "README.md").read_text(encoding="utf-8")
    for heading in ("Mục tiêu", "Thời lượng", "Yêu cầu", "Ghi chú cho giảng viên"):
        assert heading in readme, f"{course.name}/README.md lacks a '{heading}' section"
    assert len(lessons(course)) >= 2
    for lesson in lessons(course):
        assert {p.name for p in lesson.glob("*.ipynb")} == {"bai-hoc.ipynb", "bai-tap.ipynb"}


def test_course_counts() -> None:
    cells = [c for path in notebooks() for c in read(path).cells]
    assert len(notebooks()) >= 14
    assert sum(1 for c in cells if is_autograded_test(c)) >= 45
    assert sum(1 for c in cells if is_manual_answer(c)) >= 3


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_committed_clean(path) -> None:
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for cell in nb.cells:
        assert unicodedata.is_normalized("NFC", cell.source), f"cell {cell.get('id')} is not NFC"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "outputs are committed"
    first, last = nb.cells[0].source, nb.cells[-1].source
    assert "Câu hỏi" in first and "Mục tiêu" in first, "first cell: questions and objectives"
    assert "Điểm chính" in last, "last cell: key points"


@pytest.mark.parametrize("exercise", exercises(), ids=lambda e: e.id)
def test_exercise_nbgrader_metadata(exercise) -> None:
    nb = read(exercise.notebook)
    grade_ids = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        assert meta.get("schema_version") == 3
        grade_ids.append(meta["grade_id"])
        if meta.get("grade"):
            assert meta.get("points", 0) > 0, f"{meta['grade_id']}: graded cell without points"
        if is_autograded_test(cell):
            assert meta.get("locked"), f"{meta['grade_id']}: test cells must be locked"
        if meta.get("solution") and cell.cell_type == "code":
            assert SOLUTION.search(cell.source), f"{meta['grade_id']}: no solution region"
    assert len(grade_ids) == len(set(grade_ids)), "grade ids must be unique"
    assert any(HIDDEN.search(c.source) for c in nb.cells if is_autograded_test(c)), (
        "no hidden tests"
    )


def test_exercises_cover_every_lesson() -> None:
    assert {e.lesson for e in exercises()} == set(lessons())


def test_no_legal_fact_is_typed_into_a_course_notebook() -> None:
    """Amounts, rates and deadlines come from the reference tables for a day, never typed in."""
    from cadrelab.reference.usage import hard_coded_facts

    findings = hard_coded_facts(notebooks())
    assert not findings, "\n".join(map(str, findings))


# --- every source notebook runs, through nbval ----------------------------------------


def test_source_notebooks_run_with_nbval(tmp_path) -> None:
    """Run nbval on a copy of courses/ so outputs and answer files stay out of the tree."""
    copy = tmp_path / "courses"
    shutil.copytree(REPO / "courses", copy)
    report = tmp_path / "nbval.xml"
    env = {
        **os.environ,
        "CADRELAB_TRAINEE": TRAINEE,
        "HOME": str(tmp_path / "home"),
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            f"--nbval-cell-timeout={NOTEBOOK_SECONDS}",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={report}",
            "--rootdir",
            str(tmp_path),
            str(copy),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    seconds = defaultdict(float)
    for case in ET.parse(report).iter("testcase"):
        seconds[case.get("classname", "").split("::")[0]] += float(case.get("time", 0))
    slow = {name: round(total, 1) for name, total in seconds.items() if total > NOTEBOOK_SECONDS}
    assert not slow, f"notebooks over {NOTEBOOK_SECONDS} s: {slow}"
    assert len(seconds) == len(notebooks())


# --- release versions ----------------------------------------------------------------


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Every exercise released the way a trainer does it: `cadrelab workshop init` + `release`."""
    from cadrelab.grading.release import release
    from cadrelab.grading.roster import import_roster
    from cadrelab.grading.setup import init_workshop

    root = tmp_path_factory.mktemp("workshop")
    workshop, _ = init_workshop(root / "lop", courses_root=COURSES_DIR)
    roster = root / "ds.csv"
    roster.write_text(f"ma_hoc_vien,ho_ten,don_vi,email\n{TRAINEE},Học viên thử,Xã Thử,\n", "utf-8")
    import_roster(workshop, roster)
    release(workshop, [exercise.id for exercise in exercises()], to_exchange=False)
    return workshop.release_dir


@pytest.mark.parametrize("exercise", exercises(), ids=lambda e: e.id)
def test_release_has_no_solutions_or_hidden_tests(released, exercise) -> None:
    from cadrelab.grading.leaks import find_leaks, lesson_secrets

    text = (released / exercise.id / exercise.notebook.name).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    secrets = lesson_secrets(exercise.lesson)
    assert secrets.solution, "the exercise has no solution region to protect"
    assert find_leaks(released / exercise.id, secrets) == []


def test_course_index_lists_every_course_and_its_links_resolve() -> None:
    index = COURSES_INDEX.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", index)
    missing = [link for link in links if not (COURSES_INDEX.parent / link).exists()]
    assert not missing, f"broken links in courses/README.md: {missing}"
    for course in courses():
        assert f"{course.name}/README.md" in links, f"{course.name} is not in the course index"
