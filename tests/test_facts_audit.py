"""The audit of the fact tables, on the shipped tables and on broken copies."""

from __future__ import annotations

import json

import pytest

from cadrelab import cli, reference
from cadrelab.cli.facts import course_usage
from cadrelab.reference.audit import audit, status_table
from tests.conftest import REPO
from tests.reference_copies import (  # noqa: F401 (fixtures)
    edit_key,
    fresh_caches_fixture,
    tables_fixture,
)

# --- the shipped tables -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_problems():
    reference.clear_caches()
    return audit(course_usage())


@pytest.mark.slow
def test_shipped_tables_have_no_structural_problem(shipped_problems) -> None:
    """Every fact loads, names a document, and has no gap between its versions."""
    structural = [str(p) for p in shipped_problems if p.kind != "unverified_use"]
    assert structural == []


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="lessons and exercises still use facts not yet checked against an official text; "
    "remove this marker once `cadrelab facts audit` is clean",
)
def test_cadrelab_facts_audit_is_clean(shipped_problems, capsys) -> None:
    assert shipped_problems == []
    assert cli.main(["facts", "audit"]) == 0


@pytest.mark.slow
def test_usage_covers_lessons_and_exercises() -> None:
    used = course_usage()
    tables = {ref.table for ref in used}
    assert {"procedures", "calendar_days", "provinces", "fee_schedules"} <= tables
    users = {user for who in used.values() for user in who}
    assert all(user.endswith(".ipynb") for user in users)


def test_readme_holds_the_current_count_by_status() -> None:
    readme = (REPO / "datasets" / "README.md").read_text(encoding="utf-8")
    assert status_table() in readme, "run: cadrelab facts count --readme datasets/README.md"


# --- broken copies ----------------------------------------------------------------------------


def test_a_source_without_a_document_is_a_problem(tables) -> None:
    row = edit_key(tables, "fee_schedules", "CT-CHUKY", "source", "theo quy định hiện hành")
    problems = [p for p in audit() if p.kind == "source"]
    assert [(p.error.row, p.error.field) for p in problems] == [(row, "source")]
    assert "fee_schedules.csv" in str(problems[0]) and problems[0].line_vi


def test_a_gap_between_versions_is_a_problem(tables) -> None:
    row = edit_key(tables, "fee_schedules", "TNCN-BDS", "valid_to", "2026-05-31")
    problems = [p for p in audit() if p.kind == "gap"]
    assert len(problems) == 1
    assert "2026-06-01 to 2026-06-30" in str(problems[0])
    assert f"after row {row}" in str(problems[0])


def test_a_table_that_does_not_load_is_one_problem_and_the_others_are_still_audited(tables):
    edit_key(tables, "procedures", "HT-KS", "status", "")
    edit_key(tables, "fee_schedules", "CT-CHUKY", "source", "không rõ")
    kinds = sorted(p.kind for p in audit())
    assert kinds == ["load", "source"]


def test_an_unverified_fact_used_by_a_lesson_is_a_problem(tables) -> None:
    edit_key(tables, "fee_schedules", "CT-BANSAO", "status", "unverified")
    edit_key(tables, "fee_schedules", "CT-BANSAO", "status_note", "chưa đối chiếu")
    ref = reference.FEES.ref(reference.fee_rule("CT-BANSAO", on="2025-09-15"))
    problems = audit({ref: {"03-tai-chinh/01/bai-tap.ipynb"}})
    assert [p.kind for p in problems if p.kind == "unverified_use"] == ["unverified_use"]
    line = str(next(p for p in problems if p.kind == "unverified_use"))
    assert "'CT-BANSAO'" in line and "03-tai-chinh/01/bai-tap.ipynb" in line


def test_the_audit_command_prints_one_line_per_problem_and_fails(tables, tmp_path, capsys):
    course = tmp_path / "courses" / "01-x" / "01-y"
    course.mkdir(parents=True)
    (course / "bai-hoc.ipynb").write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "outputs": [],
                        "execution_count": None,
                        "source": "from cadrelab import reference\n"
                        "reference.procedure('HT-KS', on='2025-09-15')",
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
        encoding="utf-8",
    )
    edit_key(tables, "fee_schedules", "CT-CHUKY", "source", "không rõ")
    import cadrelab.content as where

    original = where.courses_dir
    where.courses_dir = lambda: tmp_path / "courses"
    try:
        code = cli.main(["facts", "audit"])
    finally:
        where.courses_dir = original
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == 2 and "2 problem(s)" in err
    assert any("'HT-KS' is used by 01-x/01-y/bai-hoc.ipynb" in line for line in lines)
    assert any("CT-CHUKY" not in line and "'source'" in line for line in lines)
