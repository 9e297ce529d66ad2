"""Compare a trainee's answer with the expected value, kind by kind: the one comparison.

The lesson self-checks and the exercises' hidden tests both judge through here, so
a value the self-check accepts (``"1.250.000 đ"`` for a sum of money, ``"05/03/2025"``
for a date) is accepted by the grader too::

    from cadrelab.checks.compare import judge
    assert judge(hen_moi, dung, kind="date")

Each comparison says whether the answer is right and, when it is not, what is off
(too large, a day off, missing items) without saying what the right value is.
Gentle hints are for the first wrong try; strong ones are added from the second.
Bad input raises :class:`AnswerFormatError` with a friendly Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import unicodedata
import warnings
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from cadrelab import calendar
from cadrelab.checks.reading import (
    AnswerFormatError,
    kind_name,
    parse_date,
    parse_money,
    parse_number,
    reject_blank,
    round_dong,
    scalar_from,
)
from cadrelab.errors import InputError
from cadrelab.i18n import t

KINDS = ("number", "money", "date", "text", "bool", "set", "list", "series", "frame")
SCALAR_KINDS = frozenset({"number", "money", "date", "text", "bool"})
FAR_OFF = 8.0
"""An answer this many times too large (or small) suggests a unit or percent mix-up."""
CLOSE = 0.01
"""Within 1 % of the expected value: probably a rounding step."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    gentle: tuple[str, ...] = ()
    strong: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    """How strictly to compare: tolerances for numbers, order for lists and tables."""

    rel_tol: float = 1e-6
    abs_tol: float = 0.0
    ordered: bool | None = None
    id_column: str | None = None


def infer_kind(expected: object) -> str:
    """The comparison kind for an expected value (``money`` must be asked for explicitly)."""
    if isinstance(expected, (bool, np.bool_)):
        return "bool"
    if isinstance(expected, (numbers.Real, Decimal)):
        return "number"
    if isinstance(expected, np.datetime64):
        expected = pd.Timestamp(expected)
    if isinstance(expected, dt.datetime) and expected.time() != dt.time(0):
        raise ValueError("expected has a time of day: pass expected.date() or use a checker")
    if isinstance(expected, dt.date):
        return "date"
    if isinstance(expected, str):
        return "text"
    if isinstance(expected, (set, frozenset)):
        return "set"
    if isinstance(expected, (list, tuple, np.ndarray, pd.Index)):
        return "list"
    if isinstance(expected, pd.Series):
        return "series"
    if isinstance(expected, pd.DataFrame):
        return "frame"
    raise ValueError(f"no comparison for expected values of type {type(expected).__name__}")


def compare(kind: str, answer: object, expected: object, options: Options) -> Outcome:
    """How ``answer`` compares with ``expected`` by the rules of ``kind``; raises
    :class:`AnswerFormatError` for an answer that cannot be read as that kind."""
    if kind not in COMPARERS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    reject_blank(answer)
    return COMPARERS[kind](answer, expected, options)


# --- scalars ----------------------------------------------------------------------------


def compare_number(answer: object, expected: object, options: Options) -> Outcome:
    value, target = parse_number(answer), float(expected)
    if math.isclose(value, target, rel_tol=options.rel_tol, abs_tol=options.abs_tol):
        return Outcome(True)
    return numeric_outcome(float(value), target)


def compare_money(answer: object, expected: object, options: Options) -> Outcome:
    amount = parse_money(answer)
    target = parse_money(expected)
    notes = (t("widgets.note.rounded_dong"),) if _has_fraction(scalar_from(answer)) else ()
    if abs(amount - target) <= options.abs_tol:
        return Outcome(True, notes=notes)
    outcome = numeric_outcome(float(amount), float(target))
    return Outcome(False, outcome.gentle, outcome.strong, notes)


def _has_fraction(answer: object) -> bool:
    if isinstance(answer, (float, Decimal)) and not isinstance(answer, bool):
        return math.isfinite(answer) and round_dong(answer) != answer
    return False


def numeric_outcome(value: float, target: float) -> Outcome:
    """Hints for a wrong number: sign, order of magnitude, then direction and closeness."""
    gentle: list[str] = []
    strong: list[str] = []
    if value * target < 0:
        gentle.append(t("widgets.hint.sign"))
    elif target != 0 and value != 0:
        ratio = abs(value / target)
        if ratio >= FAR_OFF:
            gentle.append(t("widgets.hint.far_larger"))
        elif ratio <= 1 / FAR_OFF:
            gentle.append(t("widgets.hint.far_smaller"))
        elif abs(value - target) <= CLOSE * abs(target):
            strong.append(t("widgets.hint.close"))
    if not gentle:
        strong.append(t("widgets.hint.larger" if value > target else "widgets.hint.smaller"))
    return Outcome(False, tuple(gentle), tuple(strong))


def compare_date(answer: object, expected: object, options: Options) -> Outcome:
    day, target = parse_date(answer), parse_date(expected)
    if day == target:
        return Outcome(True)
    gentle = []
    if isinstance(answer, str):
        gentle.append(t("widgets.hint.day_first"))
    if _is_working_day(target) and _is_working_day(day) is False:
        gentle.append(t("widgets.hint.day_off"))
    strong = (t("widgets.hint.later" if day > target else "widgets.hint.earlier"),)
    return Outcome(False, tuple(gentle), strong)


def _is_working_day(day: dt.date) -> bool | None:
    """Whether ``day`` is a working day, or None outside the calendar's years."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", calendar.CalendarDataWarning)
            return calendar.is_working_day(day)
    except InputError:
        return None


def compare_text(answer: object, expected: object, options: Options) -> Outcome:
    answer = scalar_from(answer)
    if not isinstance(answer, str):
        raise AnswerFormatError("widgets.text.wrong_kind", got=kind_name(answer))
    given, target = _plain_text(answer), _plain_text(str(expected))
    if given == target:
        return Outcome(True)
    if _without_marks(given) == _without_marks(target):
        return Outcome(False, (t("widgets.hint.diacritics"),))
    return Outcome(False, (t("widgets.hint.spelling"),))


def _plain_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


TRUE_WORDS = frozenset({"true", "đúng", "có", "phải", "yes"})
FALSE_WORDS = frozenset({"false", "sai", "không", "no"})


def compare_bool(answer: object, expected: object, options: Options) -> Outcome:
    answer = scalar_from(answer)
    if isinstance(answer, str) and _plain_text(answer) in TRUE_WORDS | FALSE_WORDS:
        answer = _plain_text(answer) in TRUE_WORDS
    if not isinstance(answer, bool):
        raise AnswerFormatError("widgets.bool.wrong_kind", got=kind_name(answer))
    return Outcome(answer == bool(expected))


# --- collections --------------------------------------------------------------------------


def as_items(value: object, id_column: str | None = None) -> list[Hashable]:
    """The items of a list-like answer: a list, a set, a boolean mask, a table of rows.

    A boolean Series gives the labels of its True rows; a DataFrame gives its
    ``id_column`` values, or its index labels when no column is named.
    """
    reject_blank(value)
    if isinstance(value, pd.DataFrame):
        if id_column is None:
            items = value.index.tolist()
        elif id_column in value.columns:
            items = value[id_column].tolist()
        else:
            raise AnswerFormatError("widgets.items.no_column", column=id_column)
    elif isinstance(value, pd.Series):
        if pd.api.types.is_bool_dtype(value.dtype):
            items = value.index[value.fillna(False).astype(bool).to_numpy()].tolist()
        else:
            items = value.tolist()
    elif (isinstance(value, np.ndarray) and value.ndim == 1) or isinstance(value, pd.Index):
        items = value.tolist()
    elif isinstance(value, (list, tuple, set, frozenset, dict)):
        items = list(value)
    else:
        raise AnswerFormatError("widgets.items.wrong_kind", got=kind_name(value))
    return [_item(v) for v in items]


def _item(value: object) -> Hashable:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and not pd.isna(value):
        return value.date()
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return tuple(_item(v) for v in value)
    if isinstance(value, Hashable):
        return value
    return repr(value)


def compare_set(answer: object, expected: object, options: Options) -> Outcome:
    given, target = as_items(answer, options.id_column), as_items(expected, options.id_column)
    notes = (t("widgets.note.duplicates"),) if len(set(given)) < len(given) else ()
    outcome = _set_outcome(set(given), set(target))
    return Outcome(outcome.ok, outcome.gentle, outcome.strong, notes)


def _set_outcome(given: set, target: set) -> Outcome:
    if given == target:
        return Outcome(True)
    missing, extra, right = target - given, given - target, given & target
    gentle = []
    if extra and not right and _item_kinds(given) != _item_kinds(target):
        gentle.append(
            t("widgets.hint.item_kind", given=_item_kinds(given), expected=_item_kinds(target))
        )
    if missing:
        gentle.append(t("widgets.hint.items_missing"))
    if extra:
        gentle.append(t("widgets.hint.items_extra"))
    strong = [
        t("widgets.hint.items_count", right=len(right), missing=len(missing), extra=len(extra))
    ]
    if extra:
        strong.append(t("widgets.hint.items_extra_example", item=_show(sorted(extra, key=repr)[0])))
    return Outcome(False, tuple(gentle), tuple(strong))


def _item_kinds(items: set) -> str:
    """What the items are, in words: "số", "chuỗi ký tự", …"""
    return ", ".join(sorted({t(ITEM_KINDS.get(type(v), "widgets.item_kind.other")) for v in items}))


ITEM_KINDS = {
    int: "widgets.item_kind.number",
    float: "widgets.item_kind.number",
    str: "widgets.item_kind.text",
    dt.date: "widgets.item_kind.date",
    pd.Timestamp: "widgets.item_kind.date",
    tuple: "widgets.item_kind.tuple",
}


def compare_list(answer: object, expected: object, options: Options) -> Outcome:
    if options.ordered is False:
        return compare_set(answer, expected, options)
    given, target = as_items(answer, options.id_column), as_items(expected, options.id_column)
    if given == target:
        return Outcome(True)
    if sorted(given, key=repr) == sorted(target, key=repr):
        return Outcome(False, (t("widgets.hint.order"),))
    if set(given) == set(target):
        return Outcome(False, (t("widgets.hint.repeats"),))
    return _set_outcome(set(given), set(target))


# --- tables -------------------------------------------------------------------------------


def compare_series(answer: object, expected: object, options: Options) -> Outcome:
    if not isinstance(answer, pd.Series):
        raise AnswerFormatError("widgets.series.wrong_kind", got=kind_name(answer))
    expected = _as_series(expected)
    if pd.api.types.is_bool_dtype(expected.dtype) and pd.api.types.is_bool_dtype(answer.dtype):
        return _set_outcome(set(as_items(answer)), set(as_items(expected)))
    gentle = _index_hints(answer.index, expected.index, options.ordered)
    if gentle:
        return Outcome(False, gentle)
    if options.ordered:
        answer = answer.set_axis(expected.index)
    same = same_values(answer.reindex(expected.index), expected, options)
    return _values_outcome([(label, None) for label in expected.index[~same]])


def _as_series(expected: object) -> pd.Series:
    if isinstance(expected, pd.Series):
        return expected
    raise ValueError("expected must be a pandas Series for kind 'series'")


def compare_frame(answer: object, expected: object, options: Options) -> Outcome:
    if not isinstance(answer, pd.DataFrame):
        raise AnswerFormatError("widgets.frame.wrong_kind", got=kind_name(answer))
    if not isinstance(expected, pd.DataFrame):
        raise ValueError("expected must be a pandas DataFrame for kind 'frame'")
    missing = [c for c in expected.columns if c not in answer.columns]
    extra = [c for c in answer.columns if c not in expected.columns]
    gentle = []
    if missing:
        gentle.append(t("widgets.hint.columns_missing", columns=_names(missing)))
    if extra:
        gentle.append(t("widgets.hint.columns_extra", columns=_names(extra)))
    gentle.extend(_index_hints(answer.index, expected.index, options.ordered))
    if gentle:
        return Outcome(False, tuple(gentle))
    if options.ordered:
        answer = answer.set_axis(expected.index)
    answer = answer.reindex(expected.index)
    wrong = []
    for column in expected.columns:
        same = same_values(answer[column], expected[column], options)
        wrong.extend((label, column) for label in expected.index[~same])
    return _values_outcome(wrong)


def _index_hints(given: pd.Index, target: pd.Index, ordered: bool | None) -> tuple[str, ...]:
    if ordered:
        if len(given) == len(target):
            return ()
        return (
            t(
                "widgets.hint.rows_more" if len(given) > len(target) else "widgets.hint.rows_fewer",
                rows=len(given),
            ),
        )
    if given.has_duplicates:
        return (t("widgets.hint.index_duplicates"),)
    if set(given) == set(target):
        return ()
    if len(given) != len(target):
        return (
            t(
                "widgets.hint.rows_more" if len(given) > len(target) else "widgets.hint.rows_fewer",
                rows=len(given),
            ),
        )
    return (t("widgets.hint.index_differs"),)


def _values_outcome(wrong: list[tuple[object, object]]) -> Outcome:
    if not wrong:
        return Outcome(True)
    label, column = wrong[0]
    gentle = (t("widgets.hint.values_wrong", count=len(wrong)),)
    if column is None:
        strong = (t("widgets.hint.value_example_row", row=_show(label)),)
    else:
        strong = (t("widgets.hint.value_example_cell", row=_show(label), column=_show(column)),)
    return Outcome(False, gentle, strong)


def same_values(given: pd.Series, target: pd.Series, options: Options) -> np.ndarray:
    """Element by element: numbers within tolerance, missing equals missing, text in NFC."""
    numeric = all(
        pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        for s in (given, target)
    )
    if numeric:
        a = given.to_numpy(dtype=float, na_value=np.nan)
        b = target.to_numpy(dtype=float, na_value=np.nan)
        return np.isclose(a, b, rtol=options.rel_tol, atol=options.abs_tol, equal_nan=True)
    return np.array(
        [_same_cell(a, b) for a, b in zip(given.tolist(), target.tolist(), strict=True)], dtype=bool
    )


def _same_cell(a: object, b: object) -> bool:
    a_missing, b_missing = _is_missing(a), _is_missing(b)
    if a_missing or b_missing:
        return a_missing and b_missing
    a, b = _item(a), _item(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _names(columns: list) -> str:
    return ", ".join(_show(c) for c in columns)


def _show(value: object) -> str:
    text = f"“{value}”" if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


COMPARERS: dict[str, Callable[[object, object, Options], Outcome]] = {
    "number": compare_number,
    "money": compare_money,
    "date": compare_date,
    "text": compare_text,
    "bool": compare_bool,
    "set": compare_set,
    "list": compare_list,
    "series": compare_series,
    "frame": compare_frame,
}


def judge(
    answer: object,
    expected: object,
    *,
    kind: str | None = None,
    rel_tol: float = 1e-6,
    abs_tol: float = 0.0,
    ordered: bool | None = None,
    id_column: str | None = None,
) -> bool:
    """Whether ``answer`` is right by the self-check's rules; False for unreadable answers.

    For hidden tests: they judge a trainee's value in the grader's own process.
    """
    options = Options(rel_tol=rel_tol, abs_tol=abs_tol, ordered=ordered, id_column=id_column)
    try:
        return compare(kind or infer_kind(expected), answer, expected, options).ok
    except AnswerFormatError:
        return False
