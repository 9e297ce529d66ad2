"""Self-checks: right answers pass, wrong ones get graded hints that never give the answer away.

Each test registers its question the way a course does (a :class:`LessonCheck` with the
expected value, or a rule, and hint keys), and the notebook side only names it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cadrelab import calendar
from cadrelab.checks.compare import Options, judge
from cadrelab.checks.registry import LessonCheck
from cadrelab.data.providers import format_dong
from cadrelab.errors import InputError
from cadrelab.i18n import catalogue
from cadrelab.widgets import install_friendly_errors, load_answers
from cadrelab.widgets.selfcheck import SelfCheck, split_key

pytestmark = pytest.mark.filterwarnings("ignore::cadrelab.calendar.CalendarDataWarning")


@pytest.fixture
def answers(tmp_path, monkeypatch):
    monkeypatch.setenv("CADRELAB_ANSWERS_DIR", str(tmp_path))
    return tmp_path


_MISSING = object()


class Questions(dict):
    """The questions a test asks, looked up by the self-check as the course registry is."""

    def __call__(self, key: str) -> LessonCheck:
        return self[key]


def new_check(**options) -> SelfCheck:
    return SelfCheck(questions=Questions(), **options)


@pytest.fixture
def check(answers) -> SelfCheck:
    return new_check()


@pytest.fixture
def hint_texts(monkeypatch):
    """Register hint texts under test keys (the course's hints are catalogue rows)."""

    def add(*texts: str) -> tuple[str, ...]:
        keys = []
        for number, text in enumerate(texts):
            key = f"test.hint.{number}"
            monkeypatch.setitem(catalogue(), key, {"vi": text, "en": text})
            keys.append(key)
        return tuple(keys)

    return add


def quiet(
    check: SelfCheck,
    key: str,
    answer: object,
    expected: object = _MISSING,
    *,
    checker=None,
    kind: str | None = None,
    hints: tuple[str, ...] = (),
    **options,
):
    """Register question ``key`` (expected value or rule) and check ``answer`` against it."""
    if checker is not None:
        question = LessonCheck(key, accept=lambda value, data: checker(value), hints=hints)
    else:
        question = LessonCheck(
            key, expected=lambda data: expected, kind=kind, options=Options(**options), hints=hints
        )
    check._questions[key] = question
    return check(key, answer, show=False)


# --- right and wrong, kind by kind ---------------------------------------------------------

RIGHT = [
    # (answer, expected, options)
    (250_000, 250_000, {}),
    (0.1 + 0.2, 0.3, {}),
    (12.34, 12.3, {"abs_tol": 0.05}),
    (1_000_400, 1_000_000, {"rel_tol": 0.001}),
    ("12,5", 12.5, {}),
    (np.int64(7), 7, {}),
    ("1.250.000 đ", 1_250_000, {"kind": "money"}),
    (1_250_000.4, 1_250_000, {"kind": "money"}),
    (24_691.5, 24_692, {"kind": "money"}),
    (1_250_100, 1_250_000, {"kind": "money", "abs_tol": 100}),
    (dt.date(2025, 3, 10), dt.date(2025, 3, 10), {}),
    ("10/03/2025", dt.date(2025, 3, 10), {}),
    (pd.Timestamp("2025-03-10 16:00"), dt.date(2025, 3, 10), {}),
    (np.datetime64("2025-03-10"), dt.date(2025, 3, 10), {}),
    ("10/03/2025", pd.Timestamp("2025-03-10"), {}),
    ([pd.Timestamp("2025-03-10")], {dt.date(2025, 3, 10)}, {}),
    ("  đất trồng LÚA  ", "Đất trồng lúa", {}),
    (True, True, {}),
    ("Sai", False, {}),
    (["HS-02", "HS-01"], {"HS-01", "HS-02"}, {}),
    (np.array([3, 1, 2]), {1, 2, 3}, {}),
    (pd.Series([True, False, True], index=[10, 11, 12]), {10, 12}, {}),
    (pd.DataFrame({"ma": ["A", "C"]}, index=[5, 9]), {5, 9}, {}),
    (pd.DataFrame({"ma": ["A", "C"]}), {"A", "C"}, {"id_column": "ma"}),
    ([1, 2, 3], [1, 2, 3], {}),
    ([3, 1, 2], [1, 2, 3], {"ordered": False}),
    (pd.Series([1.0, 2.0], index=["a", "b"]), pd.Series([2.0, 1.0], index=["b", "a"]), {}),
    (
        pd.DataFrame({"x": [1, 2], "y": ["u", "v"]}, index=[7, 8]).iloc[::-1],
        pd.DataFrame({"y": ["u", "v"], "x": [1.0, 2.0]}, index=[7, 8]),
        {},
    ),
    (
        pd.DataFrame({"x": [1, 2]}),
        pd.DataFrame({"x": [1, 2]}, index=[4, 5]),
        {"ordered": True},
    ),
]

WRONG = [
    (250_001, 250_000, {}),
    (12.4, 12.3, {"abs_tol": 0.05}),
    ("1.250.001 đ", 1_250_000, {"kind": "money"}),
    (dt.date(2025, 3, 11), dt.date(2025, 3, 10), {}),
    ("Đất trồng lúa nước", "Đất trồng lúa", {}),
    (False, True, {}),
    (["HS-01"], {"HS-01", "HS-02"}, {}),
    (["HS-01", "HS-02", "HS-03"], {"HS-01", "HS-02"}, {}),
    (pd.Series([True, True, True], index=[10, 11, 12]), {10, 12}, {}),
    ([3, 1, 2], [1, 2, 3], {}),
    ([1, 1, 2], [1, 2, 2], {}),
    (pd.Series([1.0, 2.5], index=["a", "b"]), pd.Series([1.0, 2.0], index=["a", "b"]), {}),
    (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1, 2]}, index=[4, 5]), {}),
    (pd.DataFrame({"x": [1, 3]}, index=[4, 5]), pd.DataFrame({"x": [1, 2]}, index=[4, 5]), {}),
    (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1, 2], "y": [0, 0]}), {}),
]


@pytest.mark.parametrize(("answer", "expected", "options"), RIGHT)
def test_right_answers_pass(check, answer, expected, options) -> None:
    result = quiet(check, "bai-tap.cau-1", answer, expected, **options)
    assert result.ok, result.text
    assert judge(answer, expected, **options)


@pytest.mark.parametrize(("answer", "expected", "options"), WRONG)
def test_wrong_answers_fail(check, answer, expected, options) -> None:
    result = quiet(check, "bai-tap.cau-1", answer, expected, **options)
    assert result.status == "wrong"
    assert not result and not judge(answer, expected, **options)
    assert len(result.lines) >= 1


# --- graded hints --------------------------------------------------------------------------


def test_hints_grow_stronger_with_each_wrong_try(check, hint_texts) -> None:
    texts = [
        "Thuế TNCN tính trên giá chuyển nhượng.",
        "Dùng giá cao hơn giữa giá hợp đồng và bảng giá.",
    ]
    hints = hint_texts(*texts)
    first = quiet(check, "dat-dai-01.thue", 30_000_000, 40_000_000, kind="money", hints=hints)
    second = quiet(check, "dat-dai-01.thue", 30_000_000, 40_000_000, kind="money", hints=hints)
    third = quiet(check, "dat-dai-01.thue", 30_000_000, 40_000_000, kind="money", hints=hints)
    assert first.lines == (texts[0],)
    assert second.lines[0] == texts[1] and "nhỏ hơn đáp án" in second.text
    assert third.lines == second.lines
    assert check.wrong_tries("dat-dai-01.thue") == 3


def test_generic_hints_without_author_hints(check) -> None:
    first = quiet(check, "a.b", 10, 11)
    second = quiet(check, "a.b", 10, 11)
    assert "từng bước" in first.text
    assert "Vẫn chưa đúng" in second.text and "nhỏ hơn" in second.text


def test_right_answer_after_wrong_ones(check) -> None:
    quiet(check, "a.b", 10, 11)
    assert quiet(check, "a.b", 11, 11).ok


@pytest.mark.parametrize(
    ("answer", "expected", "words"),
    [
        (2_500_000, 25_000, "lớn hơn đáp án nhiều lần"),
        (25, 25_000, "nhỏ hơn đáp án nhiều lần"),
        (-500, 500, "Dấu"),
        (0.02, 2, "phần trăm"),
    ],
)
def test_unit_and_sign_mistakes_are_named_at_once(check, answer, expected, words) -> None:
    assert words in quiet(check, "a.b", answer, expected).text


def test_close_answer_points_at_rounding(check) -> None:
    quiet(check, "a.b", 100_300, 100_000)
    assert "làm tròn" in quiet(check, "a.b", 100_300, 100_000).text


def test_day_off_and_day_first_hints(check) -> None:
    saturday = dt.date(2025, 3, 8)
    assert not calendar.is_working_day(saturday)
    result = quiet(check, "a.ngay", "08/03/2025", dt.date(2025, 3, 10))
    assert "ngày nghỉ" in result.text and "ngày trước, tháng sau" in result.text


def test_diacritics_hint(check) -> None:
    assert "dấu tiếng Việt" in quiet(check, "a.b", "Dat trong lua", "Đất trồng lúa").text


def test_set_hints_count_but_never_name_missing_items(check) -> None:
    expected = {"HS-001", "HS-002", "HS-003"}
    quiet(check, "a.b", ["HS-001", "HS-999"], expected)
    second = quiet(check, "a.b", ["HS-001", "HS-999"], expected)
    assert "1 mục đúng, thiếu 2 mục, thừa 1 mục" in second.text
    assert "HS-999" in second.text
    assert "HS-002" not in second.text and "HS-003" not in second.text


def test_item_kind_mix_up_is_named(check) -> None:
    assert "số" in quiet(check, "a.b", ["1", "2"], {1, 2}).text


def test_frame_hints_name_columns_and_cells(check) -> None:
    expected = pd.DataFrame({"phi": [2000, 4000], "so_ban": [1, 2]}, index=["a", "b"])
    missing = quiet(check, "a.b", expected[["phi"]], expected)
    assert "thiếu cột: “so_ban”" in missing.text
    wrong = expected.assign(phi=[2000, 5000])
    quiet(check, "a.c", wrong, expected)
    assert "dòng “b”, cột “phi”" in quiet(check, "a.c", wrong, expected).text


def test_reset_index_is_suspected(check) -> None:
    expected = pd.Series([1, 2], index=[10, 20])
    assert "reset_index" in quiet(check, "a.b", pd.Series([1, 2]), expected).text


# --- the expected value never shows --------------------------------------------------------


def forms_of_number(number: int) -> list[str]:
    return [str(number), f"{number:,}".replace(",", "."), f"{number:,}", format_dong(number)]


def shows(text: str, form: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", text) is not None


@settings(max_examples=60, deadline=None)
@given(
    expected=st.integers(min_value=-(10**9), max_value=10**9),
    answer=st.integers(min_value=-(10**9), max_value=10**9) | st.floats(-1e10, 1e10),
    kind=st.sampled_from(["number", "money"]),
)
def test_number_hints_never_contain_the_expected_value(expected, answer, kind) -> None:
    assume(round(answer) != expected)
    check = new_check(record=None)
    texts = [quiet(check, "a.b", answer, expected, kind=kind).text for _ in range(3)]
    texts.append(quiet(check, "a.b", str(answer), expected, kind=kind).text)
    for text in texts:
        assert not any(shows(text, form) for form in forms_of_number(expected)), text


@settings(max_examples=60, deadline=None)
@given(
    expected=st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
    answer=st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
    as_text=st.booleans(),
)
def test_date_hints_never_contain_the_expected_date(expected, answer, as_text) -> None:
    assume(answer != expected)
    check = new_check(record=None)
    given_answer = answer.strftime("%d/%m/%Y") if as_text else answer
    texts = [quiet(check, "a.b", given_answer, expected).text for _ in range(3)]
    forms = [
        expected.strftime("%d/%m/%Y"),
        expected.isoformat(),
        f"{expected.day}/{expected.month}/{expected.year}",
    ]
    for text in texts:
        assert not any(form in text for form in forms), text


def test_author_hint_that_leaks_the_value_is_blanked(check, hint_texts) -> None:
    expected = 1_234_000
    hints = hint_texts(f"Đáp án là {format_dong(expected)} hay {expected}")
    result = quiet(check, "a.b", 1, expected, kind="money", hints=hints)
    assert "1.234.000" not in result.text and "1234000" not in result.text
    assert "…" in result.text


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected", "options", "words"),
    [
        ("mười hai", 12, {}, "Không đọc được số"),
        ("31/2/2025", dt.date(2025, 3, 10), {}, "chỉ có 28 ngày"),
        ("2025-13-01", dt.date(2025, 3, 10), {}, "Không có tháng 13"),
        ("", 12, {}, "để trống"),
        (None, 12, {}, "None"),
        (..., dt.date(2025, 3, 10), {}, "thay dấu ..."),
        (..., {1, 2}, {}, "thay dấu ..."),
        ("1 triệu", 1_000_000, {"kind": "money"}, "bằng chữ số"),
        ("1,2,3", {1, 2, 3}, {}, "danh sách"),
        (12, "LUC", {}, "chuỗi ký tự"),
        ("có lẽ", True, {}, "True (đúng)"),
        ([1, 2], pd.Series([1, 2]), {}, "Series"),
        (pd.Series([1, 2]), pd.DataFrame({"x": [1, 2]}), {}, "DataFrame"),
        (pd.DataFrame({"x": [1]}), {1}, {"id_column": "ma"}, "không có cột “ma”"),
        (float("nan"), 3.5, {}, "NaN"),
        (pd.Series([42]), 42, {}, ".iloc[0]"),
    ],
)
def test_bad_input_gets_a_friendly_message(check, answer, expected, options, words) -> None:
    result = quiet(check, "a.b", answer, expected, **options)
    assert result.status == "invalid"
    assert words in result.text
    assert result.text == unicodedata.normalize("NFC", result.text)
    assert check.wrong_tries("a.b") == 0


def test_checker_function(check) -> None:
    def is_even(answer):
        return answer % 2 == 0, "Số chẵn chia hết cho 2."

    assert quiet(check, "a.b", 4, checker=is_even).ok
    wrong = quiet(check, "a.b", 3, checker=is_even)
    assert wrong.status == "wrong" and "chia hết cho 2" in wrong.text
    broken = quiet(check, "a.b", "bốn", checker=is_even)
    assert broken.status == "invalid" and "TypeError" in broken.text
    assert quiet(check, "a.b", 7, checker=lambda a: a > 5).ok


def test_author_mistakes_raise(check) -> None:
    with pytest.raises(ValueError, match="exercise"):
        quiet(check, "no-dot-here", 1, 1)
    with pytest.raises(ValueError, match="exactly one"):
        LessonCheck("a.b")
    with pytest.raises(KeyError, match=r"a\.unregistered"):
        SelfCheck()("a.unregistered", 1)
    with pytest.raises(TypeError, match="kq="):
        check._questions["a.sim"] = LessonCheck("a.sim", expected=lambda d: d["kq"], given=("kq",))
        check("a.sim", 1, show=False)
    with pytest.raises(ValueError, match="time of day"):
        quiet(check, "a.b", 1, pd.Timestamp("2025-03-10 09:30"))
    with pytest.raises(ValueError, match="unknown kind"):
        quiet(check, "a.b", 1, 1, kind="colour")
    with pytest.raises(InputError):
        split_key("Bai Tap.cau")


# --- storing and showing -------------------------------------------------------------------


def test_every_answer_is_stored(check, answers) -> None:
    quiet(check, "thu-tuc-01.ngay-hen", "07/03/2025", dt.date(2025, 3, 10))
    quiet(check, "thu-tuc-01.ngay-hen", dt.date(2025, 3, 10), dt.date(2025, 3, 10))
    quiet(check, "thu-tuc-01.phi", "abc", 2000, kind="money")
    assert load_answers(answers, "thu-tuc-01") == {"ngay-hen": dt.date(2025, 3, 10), "phi": "abc"}


def test_a_store_failure_is_said_not_raised(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CADRELAB_ANSWERS_DIR", str(blocker / "answers"))
    result = quiet(new_check(), "a.b", 1, 1)
    assert result.ok and result.saved_to is None
    assert "Không lưu được câu trả lời" in result.text


def test_plain_python_prints_once(check, capsys) -> None:
    quiet(check, "a.b", 1, 1)
    result = check("a.b", 1)
    result._ipython_display_()
    out = capsys.readouterr().out
    assert out.count("Đúng rồi!") == 1


def test_english_when_asked(check, monkeypatch) -> None:
    monkeypatch.setenv("CADRELAB_LANG", "en")
    assert "Correct" in quiet(check, "a.b", 1, 1).text


def test_input_errors_in_a_notebook_cell_show_one_line(capsys) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell(config=config)
    assert install_friendly_errors(shell)
    result = shell.run_cell("from cadrelab.widgets import parse_date\nparse_date('31/2/2025')")
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, InputError)
    assert "chỉ có 28 ngày" in out and "Traceback" not in out


def test_in_a_real_kernel_feedback_shows_and_input_errors_stay_errors(tmp_path, monkeypatch):
    """What nbgrader sees: feedback as HTML, and a bad-input cell failing with a one-line error."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("CADRELAB_ANSWERS_DIR", str(tmp_path))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from cadrelab.widgets import check, parse_date\n"
            "check('hoc-nhap-mon-01.tong-ho-so', '31')"
        ),
        nbformat.v4.new_code_cell("parse_date('31/2/2025')"),
    ]
    NotebookClient(notebook, timeout=60, allow_errors=True, kernel_name="python3").execute()
    (shown,) = notebook.cells[0].outputs
    assert shown.output_type == "display_data" and "cadrelab-feedback" in shown.data["text/html"]
    errors = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "AnswerFormatError"
    assert "chỉ có 28 ngày" in errors[0].traceback[0] and len(errors[0].traceback) == 1
    assert "Chưa đúng" in shown.data["text/plain"]
    assert load_answers(tmp_path, "hoc-nhap-mon-01") == {"tong-ho-so": "31"}


def test_a_question_gets_the_values_the_notebook_hands_over(check) -> None:
    check._questions["a.sim"] = LessonCheck(
        "a.sim", expected=lambda data: data["kq"] * 2, given=("kq",)
    )
    assert check("a.sim", 8, kq=4, show=False).ok
    assert not check("a.sim", 9, kq=4, show=False).ok
