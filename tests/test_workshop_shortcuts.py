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
import json

import numpy as np
import pandas as pd
import pytest

from cadrelab.grading import grade_records
from cadrelab.grading.rebuild import nbgrader_metadata
from graders.fixtures import shortcuts
from tests import real_courses
from tests.conftest import require_executable

pytestmark = pytest.mark.slow

BLANK, LITERAL, SHORTCUT = real_courses.BLANK, real_courses.LITERAL, real_courses.SHORTCUT


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_executable("bwrap")
    workshop = real_courses.graded_workshop(tmp_path_factory)
    scores = {
        (record.student, record.assignment): {
            test.grade_id: test.score for notebook in record.notebooks for test in notebook.tests
        }
        for record in grade_records.load_all(workshop.results_dir)
    }
    return workshop, scores


@pytest.mark.parametrize("assignment", sorted(shortcuts.TARGETS))
def test_a_shortcut_scores_no_more_than_blank_where_it_is_aimed(graded, assignment) -> None:
    _, scores = graded
    blank = scores[(BLANK, assignment)]
    for kind, targets in shortcuts.TARGETS[assignment].items():
        trainee = LITERAL if kind == "literal" else SHORTCUT
        taken = scores[(trainee, assignment)]
        assert set(targets) <= set(taken), (kind, set(targets) - set(taken))
        above = {t: taken[t] for t in targets if taken[t] > blank[t]}
        assert not above, f"{kind} scores above blank on {above}"


def test_the_typed_in_answers_are_the_right_values(graded) -> None:
    """The literal kind is a faithful shortcut: its constants equal the model solution's values."""
    workshop, _ = graded
    for assignment in shortcuts.TARGETS:
        source = real_courses.source_notebook(workshop, assignment, "bai-tap.ipynb")
        typed = json.loads(
            (workshop.submitted_dir / LITERAL / assignment / "bai-tap.ipynb").read_text("utf-8")
        )
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


def _in_nanoseconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates to one unit: a table read back from JSON keeps the dates, not their unit."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    return frame.astype(dict.fromkeys(dates, "datetime64[ns]"))


def _same(typed: object, right: object) -> bool:
    if isinstance(right, pd.DataFrame):
        pd.testing.assert_frame_equal(
            _in_nanoseconds(typed),
            _in_nanoseconds(right),
            check_dtype=False,
            check_index_type=False,
            check_names=False,  # the axes' own names do not survive JSON; labels and values do
        )
        return True
    if isinstance(right, pd.Series):
        assert typed.name == right.name
        return _same(typed.to_frame(name="value"), right.to_frame(name="value"))
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
