"""A whole workshop, end to end: 30 trainees on the fixture course, hostile ones among them.

init → roster → release → trainees fill the released notebook (right, wrong, hostile)
and submit through the nbgrader exchange or as exported zips → collect → autograde
--jobs 2 → feedback → report → export.  Every trainee's score on every test and the
status of every submission are checked, and that no hostile submission raised a score,
reached the gradebook or saw a hidden test.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from cadrelab.cli import main
from cadrelab.grading import grade_records as results
from cadrelab.grading.autograde import autograde
from cadrelab.grading.leaks import find_leaks, secrets_of
from cadrelab.grading.submission_codes import submission_code
from cadrelab.grading.submission_zips import pack_submission
from cadrelab.grading.workshop import Workshop
from graders.fixtures import submissions as fixtures
from tests.conftest import require_executable

pytestmark = pytest.mark.slow

ASSIGNMENT = "thuc-hanh-bai-01"
NOTEBOOK = "so-theo-doi"
POINTS = {"kiem-tra-cau-1": 2.0, "kiem-tra-cau-2": 3.0, "kiem-tra-cau-3": 2.0}

# kind: (status, questions whose test passes, manual answer written)
EXPECTED = {
    "good": ("graded", {1, 2, 3}, True),
    "wrong": ("graded", set(), False),
    "partly_wrong": ("graded", {1}, False),
    "blank": ("graded", set(), False),
    "copied": ("graded", {1, 3}, False),
    "infinite_loop": ("timed_out", {1}, False),
    "os_exit": ("crashed", {1}, False),
    "memory_hog": ("crashed", {1}, False),
    "big_output": ("graded", {1, 2, 3}, True),
    "invalid_json": ("invalid_notebook", set(), False),
    "deleted_cells": ("tampered", {1}, False),
    "edited_locked": ("tampered", set(), False),
    "reads_hidden": ("graded", set(), False),
    "writes_gradebook": ("graded", set(), False),
    "transformer": ("tampered", {1}, False),
}
BY_EXCHANGE = (
    ["good"] * 6
    + ["wrong"] * 2
    + ["partly_wrong"] * 2
    + ["blank"] * 2
    + [
        "infinite_loop",
        "os_exit",
        "invalid_json",
        "deleted_cells",
        "edited_locked",
        "memory_hog",
        "big_output",
        "reads_hidden",
        "writes_gradebook",
        "transformer",
    ]
)
BY_ZIP = ["good"] * 3 + ["wrong", "partly_wrong", "copied", "blank", "deleted_cells"]
TRAINEES = {f"hv{n:03d}": kind for n, kind in enumerate(BY_EXCHANGE + BY_ZIP, start=1)}
NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Thu Dung",
    "Hoàng Minh Đức",
    "Vũ Thị Hà",
]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    return code, out.getvalue()


def counts_for(trainee: str, release: Path) -> dict[str, int]:
    """The right answer to question 2 for ``trainee`` (what a neighbour would copy)."""
    spec = importlib.util.spec_from_file_location("ho_so_for_test", release / "ho_so.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    old = os.environ.get("CADRELAB_TRAINEE")
    os.environ["CADRELAB_TRAINEE"] = trainee
    try:
        dossiers = module.tao_ho_so(ASSIGNMENT)
    finally:
        if old is None:
            os.environ.pop("CADRELAB_TRAINEE")
        else:
            os.environ["CADRELAB_TRAINEE"] = old
    counts: dict[str, int] = {}
    for dossier in dossiers:
        counts[dossier["trang_thai"]] = counts.get(dossier["trang_thai"], 0) + 1
    return counts


@pytest.fixture(scope="module")
def workshop_run(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    require_executable("bwrap")
    tmp = tmp_path_factory.mktemp("e2e")
    root = tmp / "lop"
    assert (
        run(
            "workshop",
            "init",
            str(root),
            "--course-id",
            "lop-thu-nghiem",
            "--courses",
            str(fixtures.COURSES),
        )[0]
        == 0
    )
    roster = tmp / "danh-sach.csv"
    roster.write_text(
        "ma_hoc_vien,ho_ten,don_vi,email\n"
        + "".join(
            f"{trainee},{NAMES[n % len(NAMES)]},Xã Tân Lập,\n" for n, trainee in enumerate(TRAINEES)
        ),
        encoding="utf-8",
    )
    assert run("workshop", "roster", "import", str(roster), "--dir", str(root))[0] == 0
    assert run("workshop", "release", "--all", "--dir", str(root))[0] == 0

    workshop = Workshop.open(root)
    kinds = fixtures.load_kinds()[ASSIGNMENT]["kinds"]
    fetched = workshop.exchange_root / workshop.course_id / "outbound" / ASSIGNMENT
    copied = {"copied_counts": repr(counts_for("hv001", fetched))}
    zips = tmp / "usb"
    for trainee, kind in TRAINEES.items():
        home = tmp / "homes" / trainee
        fixtures.write_submission(fetched, home / ASSIGNMENT, NOTEBOOK, kinds[kind], copied)
        if trainee in list(TRAINEES)[len(BY_EXCHANGE) :]:
            code = submission_code(workshop.secret(), trainee)
            pack_submission(home / ASSIGNMENT, ASSIGNMENT, trainee, code, zips / f"{trainee}.zip")
        else:
            fixtures.exchange_submit(workshop, home, ASSIGNMENT, trainee)

    steps = {
        "collect": run("workshop", "collect", "--zips", str(zips), "--dir", str(root)),
        "autograde": run(
            "workshop", "autograde", ASSIGNMENT, "--jobs", "2", "--timeout", "6", "--dir", str(root)
        ),
        "feedback": run("workshop", "feedback", ASSIGNMENT, "--dir", str(root)),
        "report": run("workshop", "report", "--dir", str(root)),
        "export": run("workshop", "export", str(tmp / "diem.csv"), "--dir", str(root)),
    }
    return SimpleNamespace(
        root=root, workshop=workshop, steps=steps, csv=tmp / "diem.csv", copied=copied
    )


def test_every_step_succeeds(workshop_run):
    for step, (code, _) in workshop_run.steps.items():
        assert code == 0, step
    assert "Đã chấm 30 bài" in workshop_run.steps["autograde"][1]


def test_copied_answer_is_someone_elses(workshop_run):
    copier = next(t for t, kind in TRAINEES.items() if kind == "copied")
    fetched = workshop_run.workshop.release_dir / ASSIGNMENT
    assert repr(counts_for(copier, fetched)) != workshop_run.copied["copied_counts"]


def test_every_score_and_status(workshop_run):
    workshop = workshop_run.workshop
    with workshop.gradebook() as gradebook:
        for trainee, kind in TRAINEES.items():
            status, passing, answered = EXPECTED[kind]
            record = results.load(results.record_path(workshop.results_dir, ASSIGNMENT, trainee))
            assert record is not None, trainee
            assert record.status.value == status, (trainee, kind, record.notebooks[0].notes)
            submitted = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, trainee)
            assert submitted.flagged == (status != "graded"), (trainee, kind)
            for question, (grade_id, points) in enumerate(POINTS.items(), start=1):
                grade = gradebook.find_grade(grade_id, NOTEBOOK, ASSIGNMENT, trainee)
                expected = points if question in passing else 0.0
                assert grade.auto_score == expected, (trainee, kind, grade_id)
                assert grade.manual_score is None
            manual = gradebook.find_grade("cau-4", NOTEBOOK, ASSIGNMENT, trainee)
            assert manual.needs_manual_grade == answered, (trainee, kind)
            assert manual.auto_score == (None if answered else 0.0), (trainee, kind)
            total = sum(POINTS[f"kiem-tra-cau-{q}"] for q in passing)
            assert float(submitted.score) == total, (trainee, kind)


def _outputs(workshop: Workshop, trainee: str, grade_id: str) -> str:
    path = workshop.autograded_dir / trainee / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(
        c
        for c in notebook["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )
    return "".join(o.get("text", "") for o in cell["outputs"])


def test_hostile_code_found_neither_gradebook_nor_hidden_tests(workshop_run):
    workshop = workshop_run.workshop
    writer = next(t for t, kind in TRAINEES.items() if kind == "writes_gradebook")
    reader = next(t for t, kind in TRAINEES.items() if kind == "reads_hidden")
    assert "đã sửa: []" in _outputs(workshop, writer, "cau-1")
    assert "tìm thấy kiểm tra ẩn: []" in _outputs(workshop, reader, "cau-1")
    with workshop.gradebook() as gradebook:
        scores = [
            g.auto_score
            for s in gradebook.assignment_submissions(ASSIGNMENT)
            for nb in s.notebooks
            for g in nb.grades
        ]
    assert max(s for s in scores if s is not None) <= max(POINTS.values())


def test_big_output_is_cut_and_graded(workshop_run):
    trainee = next(t for t, kind in TRAINEES.items() if kind == "big_output")
    record = results.load(
        results.record_path(workshop_run.workshop.results_dir, ASSIGNMENT, trainee)
    )
    assert any(note["code"] == "output_truncated" for note in record.notebooks[0].notes)
    assert len(_outputs(workshop_run.workshop, trainee, "cau-1")) <= 256_000


def test_feedback_is_vietnamese_and_hides_hidden_tests(workshop_run):
    workshop = workshop_run.workshop
    secrets = secrets_of(workshop.source_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    assert secrets.hidden
    for trainee, kind in TRAINEES.items():
        page = workshop.feedback_dir / trainee / ASSIGNMENT / f"{NOTEBOOK}.html"
        text = page.read_text(encoding="utf-8")
        assert "Phản hồi bài thuc-hanh-bai-01" in text and 'lang="vi"' in text
        assert not [leak for leak in find_leaks(page, secrets) if leak.kind == "hidden_test"]
        if kind == "partly_wrong":
            assert "Một kiểm tra ẩn chưa đạt" in text
    exchange_feedback = workshop.exchange_root / workshop.course_id / "feedback"
    assert len(list(exchange_feedback.glob("*.html"))) == len(BY_EXCHANGE)


def test_report_lists_progress_and_attention(workshop_run):
    reports = workshop_run.root / "reports"
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert (reports / "report-heatmap.png").read_bytes().startswith(b"\x89PNG")
    assert "Học viên × kỹ năng" in html and "data:image/png;base64," in html
    for title in ("Theo dõi hạn xử lý", "Tổng hợp số liệu", "Mã hồ sơ", "Hiểu quy trình"):
        assert title in html
    for trainee, kind in TRAINEES.items():
        if EXPECTED[kind][0] != "graded":
            assert f"<td>{trainee}</td>" in html, (trainee, kind)


def test_export_has_one_row_per_trainee_and_assignment(workshop_run):
    text = workshop_run.csv.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * len(TRAINEES)
    first = {r["ma_hoc_vien"]: r for r in rows if r["bai"] == ASSIGNMENT}
    for trainee, kind in TRAINEES.items():
        status, passing, _ = EXPECTED[kind]
        assert first[trainee]["ma_trang_thai"] == status
        assert float(first[trainee]["diem"]) == sum(POINTS[f"kiem-tra-cau-{q}"] for q in passing)
    assert {r["ma_trang_thai"] for r in rows if r["bai"] == "thuc-hanh-bai-02"} == {"missing"}


def test_second_run_grades_only_what_changed(workshop_run):
    workshop = workshop_run.workshop
    again = autograde(workshop, ASSIGNMENT, jobs=2, timeout=6, progress=False)
    assert (again.graded, again.skipped) == (0, len(TRAINEES))
    blank = next(t for t, kind in TRAINEES.items() if kind == "blank")
    folder = workshop.submitted_dir / blank / ASSIGNMENT
    kinds = fixtures.load_kinds()[ASSIGNMENT]["kinds"]
    released = json.loads(
        (workshop.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    )
    (folder / f"{NOTEBOOK}.ipynb").write_bytes(fixtures.build_notebook(released, kinds["good"]))
    third = autograde(workshop, ASSIGNMENT, jobs=2, timeout=6, progress=False)
    assert (third.graded, third.skipped) == (1, len(TRAINEES) - 1)
    with workshop.gradebook() as gradebook:
        assert gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, blank).score == 7
