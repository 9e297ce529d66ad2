"""A class whose names are formulas and markup, with broken records: every page and export
is made for everyone, and none carries trainee text as code.

Trainees with hostile names hand in signed zips (one a written answer with raw HTML,
one a zip with a link inside); after autograde one trainee's record and another's
graded notebook are damaged.  feedback, report, export and the roster sheet then run
through the command line as a trainer runs them, within the stated time.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from nbconvert.filters.markdown import markdown2html

from cadrelab.grading.escaping import FORMULA_STARTS
from cadrelab.grading.grade_records import Status
from graders.fixtures import hostile_intake
from graders.fixtures import submissions as fixtures
from tests.conftest import require_executable
from tests.intake_helpers import (
    ASSIGNMENT,
    NOTEBOOK,
    maker,
    released_workshop,
    run_cli,
)
from tests.test_workshop_exports import runs_nothing

pytestmark = pytest.mark.slow

NAMES = {
    "hv001": '=HYPERLINK("http://x.example","bấm vào") Lê',
    "hv002": "+84 Trần Văn Bình",
    "hv003": "-1+2 Phạm Thu Dung",
    "hv004": "@SUM(1+1) Hoàng Minh",
    "hv005": "<script>alert('x')</script> Vũ Thị Hà",
    "hv006": '"><img src=x onerror=alert(1)> Đỗ Văn Cường',
}
RAW_ANSWER = '<script>alert("tra-loi")</script> <img src=x onerror=alert(2)> **Theo dõi** hằng ngày'
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "section", "div",
    "span", "h1", "h2", "h3", "p", "pre", "code", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "th", "td", "img", "br", "strong", "em", "a", "blockquote", "hr",
}  # fmt: skip


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    require_executable("bwrap")
    tmp = tmp_path_factory.mktemp("xuat")
    workshop = released_workshop(tmp / "lop", list(NAMES.items()))
    kinds = fixtures.load_kinds()[ASSIGNMENT]["kinds"]
    usb = tmp / "usb"
    usb.mkdir()
    for trainee in NAMES:
        kind = dict(kinds["good"])
        if trainee == "hv002":
            kind["answers"] = {**kind["answers"], "cau-4": RAW_ANSWER}
        work = tmp / "bai" / trainee / ASSIGNMENT
        fixtures.write_submission(workshop.release_dir / ASSIGNMENT, work, NOTEBOOK, kind)
        make = maker(workshop, work, trainee, "hv001")
        if trainee == "hv006":  # signed, but with a link inside: refused, proven to be hv006's
            hostile_intake.ZIP_KINDS["zip_symlink_member"][1](make, usb / f"{trainee}.zip")
        else:
            make.good_zip(usb / f"{trainee}.zip")
    steps = {"collect": run_cli("workshop", "collect", "--zips", usb, "--dir", workshop.root)}
    steps["autograde"] = run_cli(
        "workshop", "autograde", ASSIGNMENT, "--jobs", "2", "--dir", workshop.root, timeout=900
    )  # grading is the grader's to time (benchmarks/); this only guards against a hang
    record = workshop.results_dir / ASSIGNMENT / "hv003.json"
    record.write_text(record.read_text(encoding="utf-8")[:200], encoding="utf-8")
    graded = workshop.autograded_dir / "hv004" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    graded.write_text('{"cells": 7', encoding="utf-8")
    steps["feedback"] = run_cli("workshop", "feedback", ASSIGNMENT, "--dir", workshop.root)
    steps["report"] = run_cli("workshop", "report", "--dir", workshop.root)
    steps["export"] = run_cli("workshop", "export", tmp / "diem.csv", "--dir", workshop.root)
    steps["sheet_html"] = run_cli(
        "workshop", "roster", "sheet", "--out", tmp / "phieu.html", "--dir", workshop.root
    )
    steps["sheet_csv"] = run_cli(
        "workshop", "roster", "sheet", "--out", tmp / "phieu.csv", "--dir", workshop.root
    )
    return workshop, tmp, steps


def test_every_step_completes(class_run):
    _, _, steps = class_run
    assert steps["collect"].returncode == 2 and "hv006.zip" in steps["collect"].stderr
    assert steps["autograde"].returncode == 0, steps["autograde"].stderr
    feedback = steps["feedback"]
    assert feedback.returncode == 2
    problems = [line for line in feedback.stderr.splitlines() if line.startswith("cadrelab:")]
    assert sorted(line.split(":")[2].strip() for line in problems) == ["hv003", "hv004"]
    assert "Traceback" not in feedback.stderr
    for step in ("report", "export", "sheet_html", "sheet_csv"):
        assert steps[step].returncode == 0, (step, steps[step].stderr)


def test_everyone_gets_a_feedback_page_and_broken_records_say_so(class_run):
    workshop, _, _ = class_run
    for trainee in ("hv001", "hv002", "hv005"):
        page = workshop.feedback_dir / trainee / ASSIGNMENT / f"{NOTEBOOK}.html"
        text = page.read_text(encoding="utf-8")
        assert "Điểm:" in text and f"({trainee})" in text and "chưa tạo được" not in text
    for trainee in ("hv003", "hv004"):
        page = workshop.feedback_dir / trainee / ASSIGNMENT / f"{NOTEBOOK}.html"
        assert "chưa tạo được trang phản hồi" in page.read_text(encoding="utf-8")
    assert not (workshop.feedback_dir / "hv006").exists()


def _pages(workshop, tmp: Path) -> list[Path]:
    return [
        *workshop.feedback_dir.rglob("*.html"),
        *workshop.reports_dir.glob("*.html"),
        tmp / "phieu.html",
    ]


def test_no_page_runs_trainee_text(class_run):
    workshop, tmp, _ = class_run
    pages = _pages(workshop, tmp)
    assert len(pages) >= 7
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert runs_nothing(text, PAGE_TAGS), page
        for name in NAMES.values():
            assert "<" not in name or name not in text, (page, name)
        assert "<script>alert" not in text and "<img src=x" not in text, page
    sheet = (tmp / "phieu.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Vũ Thị Hà" in sheet


def test_a_written_answer_with_html_is_text_in_the_graded_notebook(class_run):
    workshop, _, _ = class_run
    graded = workshop.autograded_dir / "hv002" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    cells = json.loads(graded.read_text(encoding="utf-8"))["cells"]
    answer = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "cau-4")
    source = "".join(answer["source"]) if isinstance(answer["source"], list) else answer["source"]
    assert "<script" not in source and "<img" not in source
    assert runs_nothing(markdown2html(source))


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_no_csv_cell_is_a_formula(class_run):
    workshop, tmp, _ = class_run
    files = [tmp / "diem.csv", tmp / "phieu.csv", *workshop.reports_dir.glob("*.csv")]
    assert len(files) >= 6
    for path in files:
        for row in _csv_rows(path):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (path.name, cell)


def test_the_export_has_a_status_for_everyone(class_run):
    _, tmp, _ = class_run
    header, *rows = _csv_rows(tmp / "diem.csv")
    table = [dict(zip(header, row, strict=True)) for row in rows]
    mine = {r["ma_hoc_vien"]: r for r in table if r["bai"] == ASSIGNMENT}
    statuses = {t: r["ma_trang_thai"] for t, r in mine.items()}
    assert sorted(statuses) == sorted(NAMES)
    assert (statuses.pop("hv003"), statuses.pop("hv006")) == ("record_error", "refused")
    assert set(statuses.values()) <= {status.value for status in Status}, (
        "graded, whatever the load"
    )
    assert mine["hv006"]["ghi_chu"] == "submission_link"
    assert mine["hv001"]["ho_ten"] == "'" + NAMES["hv001"]
    assert len(table) == 2 * len(NAMES)


def test_the_report_lists_refused_and_broken_submissions(class_run):
    workshop, _, _ = class_run
    report = (workshop.reports_dir / "report.html").read_text(encoding="utf-8")
    assert "Bài nộp bị từ chối khi thu bài" in report and "hv006.zip" in report
    assert "<td>hv003</td>" in report and "<td>hv006</td>" in report
    refused = _csv_rows(workshop.reports_dir / "report-refused.csv")
    assert refused[1][0] == "hv006.zip" and "liên kết" in refused[1][-1]
