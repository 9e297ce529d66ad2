"""Rebuilding a submission from the gradebook's copy, and judging it on data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadrelab.grading import value_codec as capture
from cadrelab.grading.judge import Judge, hidden_lines, visible_source
from cadrelab.grading.rebuild import CellSpec, NotebookSpec, build

TEST_SOURCE = (
    "assert isinstance(tong, int)\n"
    "### BEGIN HIDDEN TESTS\n"
    "assert tong == 42, f'expected {42}'\n"
    "### END HIDDEN TESTS"
)


def spec_cell(
    grade_id: str, role: str, source: str, points: float | None = None, released: str | None = None
) -> CellSpec:
    meta = {
        "grade_id": grade_id,
        "locked": role in ("locked", "test"),
        "solution": role == "answer",
        "grade": role == "test",
    }
    if points is not None:
        meta["points"] = points
    return CellSpec(
        grade_id,
        "code",
        role,
        released if released is not None else source,
        source,
        "checksum",
        points,
        {"nbgrader": meta},
        "skill",
    )


SPEC = NotebookSpec(
    "nb",
    (
        spec_cell("setup", "locked", "base = 40"),
        spec_cell("answer", "answer", "", released="# VIẾT CODE\nraise NotImplementedError()"),
        spec_cell("test", "test", TEST_SOURCE, 2.0, released=visible_source(TEST_SOURCE)),
    ),
    {},
)


def submitted(cell: CellSpec, source: str | None = None, **meta: object) -> dict:
    nbgrader = {**cell.metadata["nbgrader"], **meta}
    return {
        "cell_type": "code",
        "metadata": {"nbgrader": nbgrader},
        "source": cell.released_source if source is None else source,
    }


def free(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source}


def test_an_untouched_submission_needs_no_notes():
    setup, answer, test = SPEC.cells
    plan = build(SPEC, [submitted(setup), submitted(answer, "tong = base + 2"), submitted(test)])
    assert plan.notes == [] and not plan.tampered
    assert [c.source for c in plan.cells] == ["base = 40", "tong = base + 2", TEST_SOURCE]


def test_deleted_and_edited_cells_are_restored_and_marked():
    setup, answer, _ = SPEC.cells
    plan = build(SPEC, [submitted(setup, "base = 0"), submitted(answer, "tong = 42")])
    assert plan.tampered
    assert {(n.code, n.grade_id) for n in plan.notes} == {
        ("restored_edited", "setup"),
        ("restored_deleted", "test"),
    }
    assert [c.source for c in plan.cells] == ["base = 40", "tong = 42", TEST_SOURCE]


def test_raised_points_and_changed_roles_are_tampering():
    setup, answer, test = SPEC.cells
    plan = build(
        SPEC,
        [
            submitted(setup),
            submitted(answer, "tong = 42"),
            submitted(test, points=100, solution=True),
        ],
    )
    note = next(n for n in plan.notes if n.code == "metadata_changed")
    assert note.tampering and note.detail == "role, points"


def test_free_cells_stay_where_they_were_and_canonical_order_wins():
    setup, answer, test = SPEC.cells
    plan = build(
        SPEC,
        [
            free("x = 1"),
            submitted(test),
            submitted(answer, "tong = 42"),
            free("y = 2"),
            submitted(setup),
        ],
    )
    assert [c.role for c in plan.cells] == ["free", "locked", "answer", "free", "test"]
    assert plan.cells[3].source == "y = 2"
    assert any(n.code == "reordered" for n in plan.notes) and not plan.tampered


def test_duplicate_ids_keep_the_first_cell():
    setup, answer, test = SPEC.cells
    plan = build(
        SPEC,
        [
            submitted(setup),
            submitted(answer, "tong = 1"),
            submitted(answer, "tong = 42"),
            submitted(test),
        ],
    )
    assert [c.source for c in plan.cells if c.role == "answer"] == ["tong = 1"]
    assert [c.source for c in plan.cells if c.role == "free"] == ["tong = 42"]


def judge(effects: dict, stopped_at: str | None = None, tmp: Path = Path(".")):
    setup, answer, test = SPEC.cells
    plan = build(SPEC, [submitted(setup), submitted(answer, "anything"), submitted(test)])
    key = next(c.key for c in plan.cells if c.role == "answer")
    return Judge(tmp, "hv001", None).verdict(plan, {key: effects}, stopped_at), plan


def test_tests_run_on_the_captured_values(tmp_path):
    verdict, _ = judge({"set": {"tong": capture.encode(42)}}, tmp=tmp_path)
    assert verdict.tests[0].score == 2.0


def test_a_hidden_failure_says_only_that(tmp_path):
    verdict, _ = judge({"set": {"tong": capture.encode(41)}}, tmp=tmp_path)
    test = verdict.tests[0]
    assert test.score == 0 and test.hidden_failure and test.message == "hidden_failed"
    assert any("tong == 42" in line for line in test.trace)


def test_a_visible_failure_shows_its_line(tmp_path):
    verdict, _ = judge({"set": {"tong": capture.encode("42")}}, tmp=tmp_path)
    test = verdict.tests[0]
    assert not test.hidden_failure and "assert isinstance(tong, int)" in test.message


def test_values_that_are_not_data_fail_tests(tmp_path):
    for effect in (
        {"set": {"tong": {"$": "opaque", "type": "x.Y", "why": "?"}}},
        {"set": {"tong": {"$": "eval", "v": "42"}}},
        {"set": {"__builtins__": capture.encode({}), "tong": capture.encode(1)}},
        {"deleted": ["base"], "set": {}},
    ):
        verdict, _ = judge(effect, tmp=tmp_path)
        assert verdict.tests[0].score == 0, effect


def test_tests_after_a_dead_kernel_never_pass(tmp_path):
    _, plan = judge({}, tmp=tmp_path)
    answer_key = next(c.key for c in plan.cells if c.role == "answer")
    verdict, _ = judge({"set": {"tong": capture.encode(42)}}, stopped_at=answer_key, tmp=tmp_path)
    assert verdict.tests[0].score == 0 and verdict.tests[0].message == "kernel_stopped"


@pytest.mark.parametrize(
    ("ending", "score"), [("0.5", 0.5), ("7", 2.0), ("True", 2.0), ("-1", 2.0), ("'text'", 2.0)]
)
def test_partial_credit_follows_nbgrader(tmp_path, ending, score):
    spec = NotebookSpec("nb", (spec_cell("t", "test", ending, 2.0),), {})
    plan = build(spec, [])
    assert Judge(tmp_path, "hv001", None).verdict(plan, {}, None).tests[0].score == score


def test_hidden_regions_are_found_by_line():
    assert hidden_lines(TEST_SOURCE) == {2, 3, 4}
    assert visible_source(TEST_SOURCE) == "assert isinstance(tong, int)"


def test_nothing_of_a_test_is_sent_to_the_sandbox():
    setup, answer, test = SPEC.cells
    plan = build(SPEC, [submitted(setup), submitted(answer, "tong = 42"), submitted(test)])
    sent = "\n".join(cell.source for cell in plan.cells if cell.runs_in_sandbox)
    assert "assert" not in sent and "HIDDEN" not in sent
    assert [c.key for c in plan.cells if c.trainee_code] == [plan.cells[1].key]
