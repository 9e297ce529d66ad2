"""Hostile and broken submissions against the real grading pipeline, one per defence.

Every grading defence in the registry names its fixtures; each is handed in by its own
trainee on the fixture course and graded in the sandbox with a class-sized run, next
to a blank notebook.  Each must get its note and a status at least as serious as the
defence's, never score more than blank when its answers are junk, and leave the run,
the feedback pages and the export complete for everyone.  A few also attack a real
course exercise, and a notebook or a whole submission that is a link is refused.
"""

from __future__ import annotations

import csv
import json
import os
import time

import pytest

from cadrelab.cli import main
from cadrelab.grading import grade_records
from cadrelab.grading.autograde import autograde
from cadrelab.grading.defences import DEFENCES
from cadrelab.grading.feedback import generate_feedback
from cadrelab.grading.grade_records import Status
from cadrelab.grading.intake import DEFENCES as INTAKE_DEFENCES
from cadrelab.grading.resource_budget import Limits
from cadrelab.grading.workshop import Workshop
from graders.fixtures import hostile_grading
from graders.fixtures import submissions as fixtures
from tests import real_courses
from tests.conftest import require_executable

pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK = hostile_grading.ASSIGNMENT, hostile_grading.NOTEBOOK
LIMITS = Limits(cell_timeout=15, submission_seconds=45, cpu_seconds=3, memory_bytes=768 << 20)
CLASS_RUN_SECONDS = 600  # the whole hostile class, two workers on two cores, generous for load
BLANK = "hv-blank"


def _trainee(name: str) -> str:
    return "hv-" + name.replace("_", "-")


def _grading_defences() -> dict[str, str]:
    """fixture name: the note code it must produce, for every grading-stage defence."""
    return {
        fixture: code
        for code, defence in DEFENCES.items()
        if code not in INTAKE_DEFENCES
        for fixture in defence.fixtures
    }


def test_every_grading_defence_has_its_fixture() -> None:
    known = set(hostile_grading.FIXTURES) | set(hostile_grading.WORKSHOP_FAULTS)
    wanted = _grading_defences()
    assert set(wanted) <= known, set(wanted) - known
    assert known <= set(wanted), known - set(wanted)


def _submit(workshop: Workshop, trainee: str, data: bytes | None) -> None:
    folder = workshop.submitted_dir / trainee / ASSIGNMENT
    folder.mkdir(parents=True)
    if data is not None:
        (folder / f"{NOTEBOOK}.ipynb").write_bytes(data)
    (folder / "timestamp.txt").write_text(real_courses.TIMESTAMP, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory) -> tuple[Workshop, dict, float]:
    require_executable("bwrap")
    root = tmp_path_factory.mktemp("hostile") / "lop"
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    assert main(["workshop", "release", ASSIGNMENT, "--dir", str(root)]) == 0
    workshop = Workshop.open(root)
    released = json.loads(
        (workshop.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    )
    _submit(workshop, BLANK, json.dumps(released).encode())
    for name, fixture in hostile_grading.FIXTURES.items():
        _submit(workshop, _trainee(name), hostile_grading.build(released, fixture))
    # links to another trainee's work: the notebook, and the whole submission folder
    other = workshop.submitted_dir / BLANK / ASSIGNMENT
    linked = workshop.submitted_dir / "hv-notebook-link" / ASSIGNMENT
    linked.mkdir(parents=True)
    os.symlink(other / f"{NOTEBOOK}.ipynb", linked / f"{NOTEBOOK}.ipynb")
    (workshop.submitted_dir / "hv-folder-link").mkdir()
    os.symlink(other, workshop.submitted_dir / "hv-folder-link" / ASSIGNMENT)
    started = time.monotonic()
    summary = autograde(workshop, ASSIGNMENT, jobs=2, progress=False, limits=LIMITS)
    seconds = time.monotonic() - started
    assert not summary.errors, summary.errors
    records = {r.student: r for r in grade_records.load_all(workshop.results_dir, ASSIGNMENT)}
    return workshop, records, seconds


def test_the_class_run_completes_in_time(hostile_class) -> None:
    _, records, seconds = hostile_class
    assert len(records) == len(hostile_grading.FIXTURES) + 3
    assert seconds < CLASS_RUN_SECONDS


@pytest.mark.parametrize("name", sorted(hostile_grading.FIXTURES))
def test_each_fixture_gets_its_note_and_status(hostile_class, name) -> None:
    _, records, _ = hostile_class
    record = records[_trainee(name)]
    code = _grading_defences()[name]
    defence = DEFENCES[code]
    notes = [note["code"] for notebook in record.notebooks for note in notebook.notes]
    assert code in notes, (name, notes)
    if defence.status is not None:
        assert record.status.rank <= defence.status.rank, (name, record.status, notes)
    if defence.tampering:
        assert record.status.rank <= Status.TAMPERED.rank or record.status is Status.INVALID


@pytest.mark.parametrize(
    "name", sorted(name for name, f in hostile_grading.FIXTURES.items() if f.junk)
)
def test_junk_never_scores_more_than_blank(hostile_class, name) -> None:
    _, records, _ = hostile_class
    assert records[_trainee(name)].auto_score <= records[BLANK].auto_score


def test_links_to_another_trainees_work_are_refused(hostile_class) -> None:
    _, records, _ = hostile_class
    for trainee in ("hv-notebook-link", "hv-folder-link"):
        record = records[trainee]
        assert record.status is Status.INVALID and record.auto_score == 0
        assert any(n["code"] == "submission_link" for nb in record.notebooks for n in nb.notes)


def test_a_fault_of_the_grader_is_its_own_status(tmp_path) -> None:
    require_executable("bwrap")
    root = tmp_path / "lop"
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    assert main(["workshop", "release", ASSIGNMENT, "--dir", str(root)]) == 0
    workshop = Workshop.open(root)
    real_courses.submit(
        workshop,
        "hv001",
        ASSIGNMENT,
        {
            f"{NOTEBOOK}.ipynb": json.loads(
                (workshop.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text("utf-8")
            )
        },
    )
    hostile_grading.WORKSHOP_FAULTS["grader_side_failure"](workshop.release_dir / ASSIGNMENT)
    autograde(workshop, ASSIGNMENT, jobs=1, progress=False, limits=LIMITS)
    record = grade_records.load_all(workshop.results_dir, ASSIGNMENT)[0]
    assert record.status is Status.GRADER_ERROR
    assert {t.message for nb in record.notebooks for t in nb.tests} == {"grader_error"}
    page = generate_feedback(workshop, ASSIGNMENT)
    text = next(workshop.feedback_dir.rglob("*.html")).read_text(encoding="utf-8")
    assert "không phải lỗi của anh/chị" in text, page


def test_feedback_and_export_are_complete_and_escaped(hostile_class, tmp_path) -> None:
    workshop, records, _ = hostile_class
    generate_feedback(workshop, ASSIGNMENT)
    pages = {p.parent.parent.name: p for p in workshop.feedback_dir.rglob(f"{NOTEBOOK}.html")}
    readable = {
        student for student, record in records.items() if record.status is not Status.INVALID
    }
    assert readable <= set(pages)
    for page in pages.values():
        assert "<script>alert" not in page.read_text(encoding="utf-8")
    out = tmp_path / "diem.csv"
    assert main(["workshop", "export", str(out), "--dir", str(workshop.root)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    exported = {row[next(iter(row))] for row in rows}
    assert set(records) <= exported


def test_a_real_exercise_resists_the_same_attacks(tmp_path) -> None:
    require_executable("bwrap")
    attacks = ("forged_protocol", "forged_outputs", "child_memory", "thousands_of_cells")
    trainees = ["hv-blank", *(_trainee(a) for a in attacks)]
    workshop = real_courses.open_workshop(tmp_path / "lop", trainees)
    assignment = workshop.assignments()[0]
    released = real_courses.released_notebooks(workshop, assignment)
    real_courses.submit(workshop, "hv-blank", assignment, released)
    for attack in attacks:
        fixture = hostile_grading.FIXTURES[attack]
        notebooks = {
            name: json.loads(hostile_grading.build(notebook, fixture) or b"{}")
            for name, notebook in released.items()
        }
        real_courses.submit(workshop, _trainee(attack), assignment, notebooks)
    summary = autograde(workshop, assignment, jobs=2, progress=False, limits=LIMITS)
    assert not summary.errors
    records = {r.student: r for r in grade_records.load_all(workshop.results_dir, assignment)}
    for attack in attacks:
        record = records[_trainee(attack)]
        assert record.auto_score <= records["hv-blank"].auto_score, attack
        assert record.status is not Status.GRADED, attack
