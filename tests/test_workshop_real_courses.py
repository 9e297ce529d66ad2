"""Every exercise of the real courses, graded through the real workshop path for two trainees.

The trainer's solution typed into the released notebook scores every autograded point
with status "graded", for each of two trainees (each on their own cases); the released
notebook handed in blank scores at most a fifth.  The workshop is the session's one
(:func:`tests.real_courses.graded_workshop`), shared with the shortcut and leak tests.
"""

from __future__ import annotations

import pytest

from cadrelab.grading import grade_records
from cadrelab.grading.grade_records import Status
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
