"""``workshop feedback``: one Vietnamese HTML page per graded notebook, with nothing hidden leaked.

A page shows the trainee's own cells and outputs, each visible test with its
result and message, manual grades once a trainer has given them, and the total
from the gradebook.  Hidden tests never appear: their regions are cut from the
test source, and a failure inside one is shown only as a short message (the
judge decides this from the line that failed, not by searching text).  Pages go
to ``feedback/<trainee>/<assignment>/<notebook>.html`` (nbgrader's layout), and
through the exchange to trainees who submitted that way.

Every piece of trainee text is escaped.  A record or autograded notebook that
cannot be read, or disagrees with the gradebook, gives that trainee a short page
saying so (and the trainer one error line); everyone else gets their pages.
"""

from __future__ import annotations

import json
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from cadrelab import atomic
from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.grading import render
from cadrelab.grading.defences import DEFENCES
from cadrelab.grading.escaping import html_text
from cadrelab.grading.exchange import folder_time
from cadrelab.grading.grade_records import NotebookResult, SubmissionResult, TestResult
from cadrelab.grading.judge import hidden_lines, visible_source
from cadrelab.grading.labels import note_sentence, status_label
from cadrelab.grading.rebuild import cell_source, nbgrader_metadata
from cadrelab.grading.scores import RecordProblem, load_records
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import t

OUTPUT_TEXT_LIMIT = 20_000
EXCHANGE_KEY_BYTES = 4096
LOCAL_TIME = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Grades:
    """What the gradebook says about one submitted notebook."""

    name: str
    score: float
    max_score: float
    needs_manual: bool
    cells: dict[str, tuple[float | None, float | None, float]]  # id: (auto, manual, max)


def _grades(gradebook: object, notebook: str, assignment: str, student: str) -> Grades:
    submitted = gradebook.find_submission_notebook(notebook, assignment, student)  # type: ignore[attr-defined]
    student_row = gradebook.find_student(student)  # type: ignore[attr-defined]
    name = " ".join(p for p in (student_row.last_name, student_row.first_name) if p) or student
    cells = {g.name: (g.auto_score, g.manual_score, float(g.max_score)) for g in submitted.grades}
    return Grades(
        name,
        float(submitted.score),
        float(submitted.max_score),
        bool(submitted.needs_manual_grade),
        cells,
    )


def _outputs(outputs: object) -> str:
    parts = []
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            text = str(output.get("text", ""))
            if len(text) > OUTPUT_TEXT_LIMIT:
                text = text[:OUTPUT_TEXT_LIMIT] + "\n" + t("grading.feedback.cut")
            parts.append(render.pre(text, "out err" if output.get("name") == "stderr" else "out"))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data")
            if not isinstance(data, dict):
                continue
            if isinstance(data.get("image/png"), str):
                png = "".join(ch for ch in data["image/png"] if ch.isalnum() or ch in "+/=\n")
                parts.append(f'<img alt="" src="data:image/png;base64,{png}">')
            elif isinstance(data.get("text/plain"), str):
                parts.append(render.pre(data["text/plain"][:OUTPUT_TEXT_LIMIT], "out"))
        elif kind == "error":
            lines = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
            parts.append(
                render.pre("\n".join(str(x) for x in lines)[:OUTPUT_TEXT_LIMIT], "out err")
            )
    return "".join(parts)


def render_notebook(
    assignment: str,
    notebook: dict,
    graded: NotebookResult,
    record: SubmissionResult,
    grades: Grades,
) -> str:
    tests = {test.grade_id: test for test in graded.tests}
    status = graded.status
    title = t("grading.feedback.title", assignment=assignment, notebook=graded.name)
    total = t(
        "grading.feedback.total",
        score=render.number(grades.score),
        max=render.number(grades.max_score),
    )
    when = (
        t("grading.feedback.submitted", time=local_time(record.timestamp))
        if record.timestamp
        else ""
    )
    pending = t("grading.feedback.pending_manual") if grades.needs_manual else ""
    head = [
        f"<h1>{html_text(title)}</h1>",
        f"<p>{html_text(t('grading.feedback.trainee', name=grades.name, id=record.student))}"
        + (f" · {html_text(when)}" if when else "")
        + "</p>",
        f"<p>{html_text(t('grading.feedback.status'))}: "
        f'<span class="status-{html_text(status.value)}">'
        f"{html_text(status_label(status.value))}</span></p>",
        f'<p class="total">{html_text(total)}'
        + (f' <span class="muted">({html_text(pending)})</span>' if pending else "")
        + "</p>",
    ]
    notes = [
        note_sentence(
            str(note.get("code")),
            str(note.get("grade_id") or ""),
            detail=str(note.get("detail") or "")[:200],
        )
        for note in graded.notes
        if isinstance(note, dict) and note.get("code") in DEFENCES
    ]
    if notes:
        head.append(
            "<ul>" + "".join(f"<li>{html_text(n)}</li>" for n in dict.fromkeys(notes)) + "</ul>"
        )
    body = []
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        meta = nbgrader_metadata(cell)
        grade_id = meta.get("grade_id", "")
        source = cell_source(cell)
        if grade_id in tests:
            body.append(_test_block(source, tests[grade_id]))
        elif cell.get("cell_type") == "markdown":
            body.append(render.markdown(source))
            if meta.get("grade"):
                body.append(_manual_line(grades.cells.get(grade_id)))
        elif cell.get("cell_type") == "code":
            body.append(render.pre(source, "code") + _outputs(cell.get("outputs") or []))
            if meta.get("grade") and meta.get("solution"):
                body.append(_manual_line(grades.cells.get(grade_id)))
    return render.page(
        title, "<header>" + "\n".join(head) + "</header>\n<main>" + "\n".join(body) + "</main>"
    )


def _test_block(source: str, test: TestResult) -> str:
    passed = test.passed
    badge = t(
        "grading.feedback.test_passed" if passed else "grading.feedback.test_failed",
        score=render.number(test.score),
        max=render.number(test.points),
    )
    parts = [
        f'<div class="test {"pass" if passed else "fail"}">',
        f'<p class="badge">{html_text(badge)}</p>',
        render.pre(visible_source(source), "code"),
    ]
    if hidden_lines(source):
        parts.append(f'<p class="muted">{html_text(t("grading.feedback.has_hidden"))}</p>')
    if not passed and test.message:
        parts.append(render.pre(test.shown_message, "out err"))
    parts.append("</div>")
    return "".join(parts)


def _manual_line(grade: tuple[float | None, float | None, float] | None) -> str:
    if grade is None:
        return ""
    auto, manual, maximum = grade
    score = manual if manual is not None else auto
    if score is None:
        text = t("grading.feedback.manual_pending", max=render.number(maximum))
    else:
        text = t(
            "grading.feedback.manual_score", score=render.number(score), max=render.number(maximum)
        )
    return f'<p class="badge">{html_text(text)}</p>'


def local_time(stamp: str) -> str:
    """A stored submission time as a trainee reads it (Vietnam time), or as stored."""
    try:
        moment = folder_time(stamp).astimezone(ZoneInfo(LOCAL_TIME))
    except (ValueError, OSError, KeyError):
        return stamp
    return moment.strftime("%d/%m/%Y %H:%M")


@dataclass
class FeedbackRun:
    """The pages written, and the trainees whose record could not be shown."""

    pages: list[Path] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)


def generate_feedback(workshop: Workshop, assignment: str) -> FeedbackRun:
    """Write every graded submission's feedback pages; release them through the exchange."""
    workshop.require_assignment(assignment)
    records, problems = load_records(workshop.results_dir, assignment)
    run = FeedbackRun(problems=problems)
    students = []
    with workshop.gradebook() as gradebook:
        for record in records:
            try:  # one broken record or notebook never stops the class's feedback
                run.pages += _record_pages(workshop, gradebook, assignment, record)
            except Exception as exc:
                run.problems.append(RecordProblem(record.student, assignment, type(exc).__name__))
                continue
            students.append(record.student)
    for problem in run.problems:
        notices = _notice_pages(workshop, problem)
        run.pages += notices
        if notices:
            students.append(problem.student)
    run.problems += _release(workshop, assignment, students)
    return run


def _record_pages(
    workshop: Workshop, gradebook: object, assignment: str, record: SubmissionResult
) -> list[Path]:
    folder = workshop.feedback_dir / record.student / assignment
    pages = {}
    for graded in record.notebooks:
        path = workshop.autograded_dir / record.student / assignment / f"{graded.name}.ipynb"
        notebook = json.loads(path.read_text(encoding="utf-8"))
        grades = _grades(gradebook, graded.name, assignment, record.student)
        pages[folder / f"{graded.name}.html"] = render_notebook(
            assignment, notebook, graded, record, grades
        )
    for target, page in pages.items():  # written only once every page of the record is made
        atomic.write_text(target, page)
    _copy_exchange_keys(workshop, record.student, assignment, folder)
    return list(pages)


def _notice_pages(workshop: Workshop, problem: RecordProblem) -> list[Path]:
    """A short page in place of each notebook's feedback, saying it could not be made."""
    try:
        normalise_trainee_id(problem.student)
    except InputError:
        return []
    folder = workshop.feedback_dir / problem.student / problem.assignment
    title = t("grading.feedback.unavailable_title", assignment=problem.assignment)
    body = (
        f"<h1>{html_text(title)}</h1>"
        f"<p>{html_text(t('grading.feedback.trainee', name=problem.student, id=problem.student))}"
        f"</p><p>{html_text(t('grading.feedback.unavailable'))}</p>"
    )
    pages = []
    for notebook in sorted((workshop.release_dir / problem.assignment).glob("*.ipynb")):
        target = folder / f"{notebook.stem}.html"
        atomic.write_text(target, render.page(title, body))
        pages.append(target)
    _copy_exchange_keys(workshop, problem.student, problem.assignment, folder)
    return pages


def _copy_exchange_keys(workshop: Workshop, student: str, assignment: str, folder: Path) -> None:
    """nbgrader's release_feedback names each page by the submission's secret (small regular
    files only: never through a link a submission might hold)."""
    submitted = workshop.submitted_dir / student / assignment
    for name in ("timestamp.txt", "submission_secret.txt"):
        try:
            info = os.lstat(submitted / name)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size <= EXCHANGE_KEY_BYTES:
            atomic.write_bytes(folder / name, (submitted / name).read_bytes())


def _release(workshop: Workshop, assignment: str, students: list[str]) -> list[RecordProblem]:
    if not (workshop.exchange_root / workshop.course_id).is_dir():
        return []
    api = workshop.api()
    problems = []
    for student in students:
        folder = workshop.feedback_dir / student / assignment
        if (folder / "submission_secret.txt").exists() and (folder / "timestamp.txt").exists():
            for page in folder.glob("*.html"):
                page.chmod(0o644)  # nbgrader copies the mode: the trainee's own user must read it
            with warnings.catch_warnings():
                # nbgrader 0.9 passes a misspelt keyword to traitlets, which warns
                warnings.simplefilter("ignore", DeprecationWarning)
                outcome = api.release_feedback(assignment, student)
            if not outcome.get("success"):
                problems.append(RecordProblem(student, assignment, "feedback not released"))
    return problems
