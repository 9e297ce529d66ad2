"""Trainees' own cases through the workshop: released per trainee, handed out, graded, guarded.

A one-lesson course whose set-up cell loads a trainee's dossiers: `release` writes each
roster trainee's case folder from the workshop secret, `handout` zips it with the
exercise, the trainee's code reads it, and the grader regenerates the same cases with
their ground truth.  The answer a trainee could compute from public code (the practice
cases) is wrong for the workshop's cases.
"""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from cadrelab.cli import main
from cadrelab.data import case_files, exercises
from cadrelab.data.exercises import generate_cases
from cadrelab.grading import grade_records
from cadrelab.grading.autograde import autograde
from cadrelab.grading.workshop import Workshop
from tests import real_courses
from tests.conftest import require_executable

EXERCISE = "nhap-mon-01"
ASSIGNMENT = "dem-ho-so-01"
TRAINEES = ("hv001", "hv002")
ONLINE = "Trực tuyến"
SOLUTION = "so_ho_so = int(ho_so['channel'].eq(TRUC_TUYEN).sum())"


FIXED_SECRET = bytes(range(32))


def _online(trainee: str, secret: bytes | None) -> int:
    """The answer: how many of the trainee's dossiers came in online."""
    return int(generate_cases(EXERCISE, trainee, secret)["dossiers"]["channel"].eq(ONLINE).sum())


def _cell(kind: str, grade_id: str, source: str, **nbgrader: object) -> dict:
    meta = {"grade_id": grade_id, "locked": False, "solution": False, "grade": False}
    meta |= {"schema_version": 3, "task": False, **nbgrader}
    cell = {"cell_type": kind, "id": grade_id, "metadata": {"nbgrader": meta}, "source": source}
    if kind == "code":
        cell |= {"outputs": [], "execution_count": None}
    return cell


def _course(root) -> None:  # type: ignore[no-untyped-def]
    notebook = {
        "cells": [
            _cell(
                "code",
                "chuan-bi",
                "from cadrelab.data import load_cases\n"
                f'ho_so = load_cases("{EXERCISE}")["dossiers"]\n'
                f"TRUC_TUYEN = {ONLINE!r}",
                locked=True,
            ),
            _cell(
                "code",
                "cau-1",
                f"### BEGIN SOLUTION\n{SOLUTION}\n### END SOLUTION",
                solution=True,
            ),
            _cell(
                "code",
                "kiem-tra-1",
                "assert isinstance(so_ho_so, int)\n### BEGIN HIDDEN TESTS\n"
                f"from cadrelab.data import load_cases as _nap\n"
                f'_ds = _nap("{EXERCISE}")["dossiers"]\n'
                "assert so_ho_so == int(_ds['channel'].eq(TRUC_TUYEN).sum())\n"
                "### END HIDDEN TESTS",
                grade=True,
                locked=True,
                points=1,
            ),
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    folder = root / "dem-ho-so" / "01"
    folder.mkdir(parents=True)
    (folder / "bai-tap.ipynb").write_text(json.dumps(notebook, ensure_ascii=False), "utf-8")


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> Workshop:
    courses = tmp_path_factory.mktemp("courses")
    _course(courses)
    return real_courses.open_workshop(tmp_path_factory.mktemp("w") / "lop", list(TRAINEES), courses)


def test_release_writes_each_trainees_own_cases_without_the_truth(workshop) -> None:
    secret = workshop.secret()
    for trainee in TRAINEES:
        folder = workshop.root / "cases" / trainee / EXERCISE
        read = case_files.read_case_folder(folder, exercise=EXERCISE, trainee=trainee)
        expected = generate_cases(EXERCISE, trainee, secret)
        pd.testing.assert_frame_equal(read["dossiers"], expected["dossiers"])
        assert not (folder / "defects.csv").exists()
    mine, theirs = (
        case_files.read_case_folder(
            workshop.root / "cases" / t / EXERCISE, exercise=EXERCISE, trainee=t
        )["dossiers"]
        for t in TRAINEES
    )
    assert not mine.equals(theirs)


def test_the_secret_stays_in_the_workshop(workshop) -> None:
    secret = workshop.secret_path.read_bytes().strip()
    assert workshop.secret_path.stat().st_mode & 0o077 == 0
    for folder in (workshop.release_dir, workshop.root / "cases", workshop.exchange_root):
        for path in folder.rglob("*"):
            assert not path.is_file() or secret not in path.read_bytes(), path


def test_handout_zips_hold_the_exercise_and_that_trainees_cases(workshop, tmp_path) -> None:
    assert (
        main(
            ["workshop", "handout", ASSIGNMENT, "--out", str(tmp_path), "--dir", str(workshop.root)]
        )
        == 0
    )
    for trainee in TRAINEES:
        with zipfile.ZipFile(tmp_path / f"{ASSIGNMENT}-{trainee}.zip") as archive:
            names = set(archive.namelist())
            manifest = json.loads(
                archive.read(f"{ASSIGNMENT}/du-lieu-rieng/{EXERCISE}/manifest.json")
            )
        assert f"{ASSIGNMENT}/bai-tap.ipynb" in names
        assert manifest["trainee"] == trainee


def test_a_trainee_unzipping_the_handout_works_on_their_cases(
    workshop, tmp_path, monkeypatch
) -> None:
    main(["workshop", "handout", ASSIGNMENT, "--out", str(tmp_path), "--dir", str(workshop.root)])
    with zipfile.ZipFile(tmp_path / f"{ASSIGNMENT}-hv001.zip") as archive:
        archive.extractall(tmp_path / "laptop")
    monkeypatch.chdir(tmp_path / "laptop" / ASSIGNMENT)
    monkeypatch.delenv(exercises.CASES_DIR_ENV, raising=False)
    monkeypatch.setenv("CADRELAB_TRAINEE", "hv001")
    loaded = exercises.load_cases(EXERCISE)
    expected = generate_cases(EXERCISE, "hv001", workshop.secret())
    pd.testing.assert_frame_equal(loaded["dossiers"], expected["dossiers"])


def test_grading_uses_the_workshop_cases_not_the_public_ones(workshop) -> None:
    require_executable("bwrap")
    released = real_courses.released_notebooks(workshop, ASSIGNMENT)
    kept = workshop.secret_path.read_bytes()
    # a fixed secret: a random one gives the public answer's count now and then by chance
    workshop.secret_path.write_text(FIXED_SECRET.hex(), encoding="ascii")
    try:
        _grade_public_and_workshop_answers(workshop, released)
    finally:
        workshop.secret_path.write_bytes(kept)


def _grade_public_and_workshop_answers(workshop, released) -> None:
    practice, real = _online("hv002", None), _online("hv002", workshop.secret())
    assert practice != real, "public code must not give the workshop's answer"
    answers = {
        "hv001": SOLUTION,
        "hv002": f"so_ho_so = {practice}",
    }
    for trainee, answer in answers.items():
        notebooks = {n: real_courses.filled(nb, {"cau-1": answer}) for n, nb in released.items()}
        real_courses.submit(workshop, trainee, ASSIGNMENT, notebooks)
    autograde(workshop, ASSIGNMENT, jobs=2, progress=False)
    scores = {
        r.student: r.auto_score for r in grade_records.load_all(workshop.results_dir, ASSIGNMENT)
    }
    assert scores == {"hv001": 1.0, "hv002": 0.0}


def test_a_workshop_without_its_secret_refuses_clearly(workshop, capsys) -> None:
    kept = workshop.secret_path.read_bytes()
    workshop.secret_path.unlink()
    try:
        assert main(["workshop", "release", ASSIGNMENT, "--dir", str(workshop.root)]) == 2
        error = capsys.readouterr().err
        assert "secret" in error and "khóa bí mật" in error and error[-1] == "\n"
        assert error.count("\n") == 1
    finally:
        workshop.secret_path.write_bytes(kept)


def test_releasing_cases_needs_a_roster(tmp_path, capsys) -> None:
    courses = tmp_path / "courses"
    _course(courses)
    root = tmp_path / "lop"
    assert main(["workshop", "init", str(root), "--courses", str(courses)]) == 0
    assert main(["workshop", "release", ASSIGNMENT, "--dir", str(root)]) == 2
    error = capsys.readouterr().err
    assert "roster import" in error and "Danh sách học viên" in error
