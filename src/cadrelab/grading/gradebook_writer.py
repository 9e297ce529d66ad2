"""Write one graded submission into nbgrader's gradebook (the main process is the only writer).

Mirrors nbgrader's SaveAutoGrades: a test's auto score is set and a manual score a
trainer already gave is kept (and flagged for review); an unchanged answer cell
gets the comment "No response." and an unanswered manually graded cell scores 0.
Submissions that did not end as ``graded`` are flagged, so the formgrader shows them.
"""

from __future__ import annotations

import warnings
from typing import Any

from cadrelab.grading.grade_records import Status, SubmissionResult
from cadrelab.grading.rebuild import NotebookSpec


def write_result(gradebook: Any, result: SubmissionResult, specs: dict[str, NotebookSpec]) -> None:
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # nbgrader's add_submission builds rows under autoflush and SQLAlchemy warns about it.
        warnings.simplefilter("ignore", SAWarning)
        _write(gradebook, result, specs)


def _write(gradebook: Any, result: SubmissionResult, specs: dict[str, NotebookSpec]) -> None:
    gradebook.update_or_create_student(result.student)
    extra = {"timestamp": result.timestamp} if result.timestamp else {}
    submission = gradebook.update_or_create_submission(result.assignment, result.student, **extra)
    # The submission's rows, by name, in one pass (a query per cell costs seconds per class).
    submitted = {notebook.name: notebook for notebook in submission.notebooks}
    for notebook in result.notebooks:
        rows = submitted[notebook.name]
        grades = {grade.name: grade for grade in rows.grades}
        comments = {comment.name: comment for comment in rows.comments}
        for test in notebook.tests:
            entry = grades[test.grade_id]
            entry.auto_score = test.score
            entry.needs_manual_grade = entry.manual_score is not None
        for item in notebook.manual:
            entry = grades[item.grade_id]
            if item.answered:
                entry.auto_score = None
                entry.needs_manual_grade = True
            else:
                entry.auto_score = 0.0
                entry.needs_manual_grade = entry.manual_score is not None
        for cell in specs[notebook.name].cells:
            if cell.role in ("answer", "manual", "task"):
                unanswered = cell.grade_id in notebook.unanswered
                comments[cell.grade_id].auto_comment = "No response." if unanswered else None
        rows.flagged = notebook.status is not Status.GRADED
    gradebook.db.commit()
