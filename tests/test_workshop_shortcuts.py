"""Shortcuts score nothing: typed-in answers, the preloaded table, a removed column.

One workshop of the real courses, graded in the sandbox: a trainee who types every
answer in as a constant (the right value for their own cases), one who takes the table
already loaded or a column the question says was removed, and one who hands in the
released notebook blank.  On every question a shortcut is aimed at, it scores no more
than the blank notebook: the hidden tests run the answer cell again on fresh cases.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

from cadrelab.grading import grade_records
from cadrelab.grading.autograde import autograde
from cadrelab.grading.rebuild import nbgrader_metadata
from graders.fixtures import shortcuts
from tests import real_courses
from tests.conftest import require_executable

pytestmark = pytest.mark.slow

BLANK, LITERAL, SHORTCUT = "hv-trong", "hv-chep", "hv-tat"


def _is_exercise(notebook: dict) -> bool:
    return any(nbgrader_metadata(cell).get("solution") for cell in notebook["cells"])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_executable("bwrap")
    workshop = real_courses.open_workshop(
        tmp_path_factory.mktemp("shortcuts") / "lop", [BLANK, LITERAL, SHORTCUT]
    )
    secret = workshop.secret()
    literals = {}
    for assignment in shortcuts.TARGETS:
        released = real_courses.released_notebooks(workshop, assignment)
        by_kind: dict[str, dict[str, dict]] = {LITERAL: {}, SHORTCUT: {}}
        for name, notebook in released.items():
            source = real_courses.source_notebook(workshop, assignment, name)
            if not _is_exercise(notebook):
                by_kind[LITERAL][name] = by_kind[SHORTCUT][name] = notebook
                continue
            by_kind[LITERAL][name] = shortcuts.literal_notebook(notebook, source, LITERAL, secret)
            literals[assignment] = (source, by_kind[LITERAL][name])
            if assignment in shortcuts.SHORTCUTS:
                by_kind[SHORTCUT][name] = shortcuts.shortcut_notebook(notebook, source, assignment)
        real_courses.submit_blank(workshop, BLANK, assignment)
        real_courses.submit(workshop, LITERAL, assignment, by_kind[LITERAL])
        if assignment in shortcuts.SHORTCUTS:
            real_courses.submit(workshop, SHORTCUT, assignment, by_kind[SHORTCUT])
        summary = autograde(workshop, assignment, jobs=2, progress=False)
        assert not summary.errors, summary.errors
    scores = {
        (record.student, record.assignment): {
            test.grade_id: test.score for notebook in record.notebooks for test in notebook.tests
        }
        for record in grade_records.load_all(workshop.results_dir)
    }
    return workshop, scores, literals


@pytest.mark.parametrize("assignment", sorted(shortcuts.TARGETS))
def test_a_shortcut_scores_no_more_than_blank_where_it_is_aimed(graded, assignment) -> None:
    _, scores, _ = graded
    blank = scores[(BLANK, assignment)]
    for kind, targets in shortcuts.TARGETS[assignment].items():
        trainee = LITERAL if kind == "literal" else SHORTCUT
        taken = scores[(trainee, assignment)]
        assert set(targets) <= set(taken), (kind, set(targets) - set(taken))
        above = {t: taken[t] for t in targets if taken[t] > blank[t]}
        assert not above, f"{kind} scores above blank on {above}"


def test_the_typed_in_answers_are_the_right_values(graded) -> None:
    """The literal kind is a faithful shortcut: its constants equal the model solution's values."""
    workshop, _, literals = graded
    for assignment, (source, typed) in literals.items():
        right = shortcuts.solution_values(source, LITERAL, workshop.secret())
        cells = {nbgrader_metadata(c).get("grade_id"): c for c in typed["cells"]}
        checked = 0
        for grade_id, values in right.items():
            namespace: dict = {}
            exec(cells[grade_id]["source"], namespace)
            for name, value in values.items():
                try:
                    shortcuts.literal(value)
                except shortcuts.NotALiteral:
                    continue
                assert _same(namespace[name], value), (assignment, grade_id, name)
                checked += 1
        assert checked, assignment


def _same(typed: object, right: object) -> bool:
    if isinstance(right, pd.DataFrame):
        pd.testing.assert_frame_equal(typed, right, check_dtype=False, check_index_type=False)
        return True
    if isinstance(right, pd.Series):
        pd.testing.assert_series_equal(typed, right, check_dtype=False, check_index_type=False)
        return True
    if isinstance(right, np.ndarray):
        return np.array_equal(typed, right)
    return bool(typed == right)


def test_literals_of_every_kind_read_back() -> None:
    values = [
        3,
        2.5,
        "Xã Đông Hòa",
        True,
        None,
        dt.date(2025, 9, 5),
        pd.Timestamp("2025-09-05 16:10"),
        [1, "a"],
        ("a", 2.0),
        {"HS-1": ["Tờ khai"]},
        {1, 2},
        np.array(["2025-09-05"], dtype="datetime64[D]"),
        pd.Series([1.5, 2.0], index=["a", "b"], name="x"),
        pd.DataFrame({"ma": ["001"], "ngay": [pd.Timestamp("2025-07-01")]}),
    ]
    namespace = {"dt": dt, "io": io, "np": np, "pd": pd}
    for value in values:
        assert _same(eval(shortcuts.literal(value), namespace), value), value
    with pytest.raises(shortcuts.NotALiteral):
        shortcuts.literal(len)
