"""Every exercise of the real courses, graded through the real workshop path for two trainees.

The trainer's solution typed into the released notebook scores every autograded point
with status "graded", for each of two trainees (each on their own cases); the released
notebook handed in blank scores at most a fifth.  The workshop is the session's one
(:func:`tests.real_courses.graded_workshop`), shared with the shortcut and leak tests.
"""

from __future__ import annotations

import json

import pytest

from cadrelab.grading import grade_records
from cadrelab.grading.grade_records import Status
from cadrelab.grading.rebuild import nbgrader_metadata
from cadrelab.grading.workshop import Workshop
from tests import real_courses
from tests.conftest import require_executable
from tests.courses import exercises

pytestmark = pytest.mark.slow

SOLVERS = real_courses.SOLVERS
BLANK = real_courses.BLANK


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Workshop:
    require_executable("bwrap")
    return real_courses.graded_workshop(tmp_path_factory)


def test_every_exercise_of_the_courses_is_graded(graded) -> None:
    assert sorted(graded.assignments()) == sorted(e.id for e in exercises())


def _records(workshop: Workshop) -> dict[tuple[str, str], grade_records.SubmissionResult]:
    return {
        (record.student, record.assignment): record
        for record in grade_records.load_all(workshop.results_dir)
    }


def test_the_solution_scores_every_point_for_each_trainee(graded) -> None:
    records = _records(graded)
    problems = []
    for assignment in graded.assignments():
        for trainee in SOLVERS:
            record = records[(trainee, assignment)]
            for notebook in record.notebooks:
                failed = [
                    f"{test.grade_id}: {test.message[:200]}"
                    for test in notebook.tests
                    if not test.passed
                ]
                if notebook.status is not Status.GRADED or failed:
                    problems.append(
                        (
                            trainee,
                            assignment,
                            notebook.name,
                            notebook.status,
                            notebook.notes,
                            failed,
                        )
                    )
    assert not problems, "\n".join(map(str, problems))


def test_a_blank_notebook_scores_at_most_a_fifth(graded) -> None:
    records = _records(graded)
    for assignment in graded.assignments():
        record = records[(BLANK, assignment)]
        assert record.auto_points > 0
        assert record.auto_score <= record.auto_points / 5, (assignment, record.auto_score)


def test_a_blank_notebook_runs_and_fails_every_test(graded) -> None:
    """Handed in blank: only the answer cells fail (NotImplementedError), every test scores 0."""
    records = _records(graded)
    for assignment in graded.assignments():
        for notebook in records[(BLANK, assignment)].notebooks:
            assert notebook.status is Status.GRADED, (assignment, notebook.status)
            assert [t.grade_id for t in notebook.tests if t.score > 0] == [], assignment
            run = json.loads(
                (graded.autograded_dir / BLANK / assignment / f"{notebook.name}.ipynb").read_text(
                    encoding="utf-8"
                )
            )
            for cell in run["cells"]:
                meta = nbgrader_metadata(cell)
                if cell["cell_type"] != "code" or (meta.get("grade") and not meta.get("solution")):
                    continue
                errors = [o.get("ename") for o in cell.get("outputs", []) if o.get("ename")]
                allowed = {"NotImplementedError"} if meta.get("solution") else set()
                assert set(errors) <= allowed, (assignment, meta.get("grade_id"), errors)
