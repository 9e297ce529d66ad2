"""The class's results as two tables, for the report and the CSV export.

Scores come from nbgrader's gradebook (so manual grades given in the formgrader
count); statuses, skills and per-test outcomes from cadrelab's records; names
and units from the roster.  A trainee on the roster who has not submitted an
assignment that was released appears with the status ``missing``, or ``refused``
when collect refused the only submission proven to be theirs.  One record that
cannot be read or does not match the gradebook gives that trainee the status
``record_error`` and leaves everyone else's rows as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cadrelab.grading import grade_records as results
from cadrelab.grading import intake
from cadrelab.grading.intake import Outcome
from cadrelab.grading.roster import load_roster
from cadrelab.grading.workshop import Workshop

MISSING = "missing"
REFUSED = "refused"
RECORD_ERROR = "record_error"
# Statuses of the class tables that are not grading statuses (grade_records.Status).
CLASS_STATUSES = (MISSING, REFUSED, RECORD_ERROR)


@dataclass(frozen=True)
class RecordProblem:
    """A trainee's record that could not be used, and why (for the trainer)."""

    student: str
    assignment: str
    detail: str


@dataclass(frozen=True)
class ClassResults:
    submissions: pd.DataFrame
    items: pd.DataFrame
    assignments: list[str]
    intake: list[Outcome] = field(default_factory=list)


SUBMISSION_COLUMNS = [
    "student",
    "full_name",
    "unit",
    "assignment",
    "status",
    "score",
    "max_score",
    "percent",
    "needs_manual",
    "submitted_at",
    "notes",
]
ITEM_COLUMNS = [
    "student",
    "assignment",
    "notebook",
    "grade_id",
    "skill",
    "kind",
    "score",
    "max_score",
    "passed",
]


def load_records(
    results_dir: Path, assignment: str | None = None
) -> tuple[list[results.SubmissionResult], list[RecordProblem]]:
    """Every grading record, and a problem for each one that cannot be read."""
    folders = (
        [results_dir / assignment]
        if assignment
        else sorted(p for p in results_dir.glob("*") if p.is_dir())
    )
    records, problems = [], []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            record = results.load(path)
            if record is None or (record.student, record.assignment) != (path.stem, folder.name):
                problems.append(RecordProblem(path.stem, folder.name, "unreadable record"))
            else:
                records.append(record)
    return records, problems


def load_class(workshop: Workshop) -> ClassResults:
    roster = {t.id: t for t in load_roster(workshop)}
    released = (
        sorted(p.name for p in workshop.release_dir.glob("*") if p.is_dir())
        if workshop.release_dir.is_dir()
        else []
    )
    records, problems = load_records(workshop.results_dir)
    submissions, items = [], []
    seen = set()
    with workshop.gradebook() as gradebook:
        students = {s.id: s for s in gradebook.students}
        for record in records:
            try:  # one record that disagrees with the gradebook never stops the class
                row = _submission_row(gradebook, record, roster, students)
                record_items = _item_rows(gradebook, record)
            except Exception as exc:
                problems.append(
                    RecordProblem(record.student, record.assignment, type(exc).__name__)
                )
                continue
            seen.add((record.student, record.assignment))
            submissions.append(row)
            items.extend(record_items)
    for problem in problems:
        if (problem.student, problem.assignment) not in seen:
            seen.add((problem.student, problem.assignment))
            submissions.append(
                _placeholder(
                    roster, problem.student, problem.assignment, RECORD_ERROR, RECORD_ERROR
                )
            )
    outcomes = intake.load_outcomes(workshop)
    for outcome in outcomes:
        key = (outcome.trainee, outcome.assignment)
        if (
            outcome.refused
            and outcome.proven
            and outcome.assignment in released
            and key not in seen
        ):
            seen.add(key)
            submissions.append(_placeholder(roster, *key, REFUSED, outcome.code))
    for assignment in released:
        for student in sorted(roster):
            if (student, assignment) not in seen:
                submissions.append(_placeholder(roster, student, assignment, MISSING, ""))
    frame = pd.DataFrame(submissions, columns=SUBMISSION_COLUMNS)
    frame = frame.sort_values(["assignment", "student"], ignore_index=True)
    item_frame = pd.DataFrame(items, columns=ITEM_COLUMNS)
    assignments = sorted(set(released) | set(frame["assignment"]))
    return ClassResults(frame, item_frame, assignments, outcomes)


def _placeholder(roster: dict, student: str, assignment: str, status: str, notes: str) -> list:
    """A row for a trainee without a usable graded submission of ``assignment``."""
    trainee = roster.get(student)
    return [
        student,
        trainee.full_name if trainee else "",
        trainee.unit if trainee else "",
        assignment,
        status,
        0.0,
        float("nan"),
        float("nan"),
        False,
        "",
        notes,
    ]


def _submission_row(
    gradebook: object, record: results.SubmissionResult, roster: dict, students: dict
) -> list:
    submission = gradebook.find_submission(record.assignment, record.student)  # type: ignore[attr-defined]
    score, maximum = float(submission.score), float(submission.max_score)
    trainee = roster.get(record.student)
    student = students.get(record.student)
    full_name = (
        trainee.full_name
        if trainee
        else " ".join(
            p for p in (getattr(student, "last_name", ""), getattr(student, "first_name", "")) if p
        )
    )
    notes = sorted({note["code"] for nb in record.notebooks for note in nb.notes})
    return [
        record.student,
        full_name,
        trainee.unit if trainee else "",
        record.assignment,
        record.status.value,
        score,
        maximum,
        100 * score / maximum if maximum else 0.0,
        bool(submission.needs_manual_grade),
        record.timestamp or "",
        " ".join(notes),
    ]


def _item_rows(gradebook: object, record: results.SubmissionResult) -> list[list]:
    rows = []
    for notebook in record.notebooks:
        grades = {
            g.name: g
            for g in gradebook.find_submission_notebook(  # type: ignore[attr-defined]
                notebook.name, record.assignment, record.student
            ).grades
        }
        for test in notebook.tests:
            grade = grades[test.grade_id]
            score = float(grade.score)
            rows.append(
                [
                    record.student,
                    record.assignment,
                    notebook.name,
                    test.grade_id,
                    test.skill,
                    "test",
                    score,
                    test.points,
                    score >= test.points,
                ]
            )
        for item in notebook.manual:
            grade = grades[item.grade_id]
            graded = grade.manual_score is not None or grade.auto_score is not None
            score = float(grade.score) if graded else float("nan")
            rows.append(
                [
                    record.student,
                    record.assignment,
                    notebook.name,
                    item.grade_id,
                    item.skill,
                    "manual",
                    score,
                    item.points,
                    (score >= item.points) if graded else None,
                ]
            )
    return rows
