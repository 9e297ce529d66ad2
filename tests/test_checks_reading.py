"""Reading trainees' numbers, money and dates the Vietnamese way, with friendly refusals."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrelab.checks.reading import (
    AnswerFormatError,
    format_date,
    parse_date,
    parse_money,
    parse_number,
)
from cadrelab.data.providers import format_dong


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", 1250000),
        ("1.250.000", 1250000),
        ("1 250 000", 1250000),
        ("1,250,000", 1250000),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("0.125", 0.125),
        ("1234.567", 1234.567),
        ("1.250.000,75", 1250000.75),
        ("-3", -3),
        ("2%", 0.02),
        ("0,5%", 0.005),
        ("  42 ", 42),
    ],
)
def test_parse_number_reads_vietnamese_and_python_styles(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7), (np.int64(7), 7), (2.5, 2.5), (np.float32(0.5), 0.5), (Decimal("3"), 3)],
)
def test_parse_number_accepts_numbers(value: object, expected: float) -> None:
    assert parse_number(value) == expected


def test_ambiguous_thousands_are_refused_with_both_readings() -> None:
    with pytest.raises(AnswerFormatError) as error:
        parse_number("1.250")
    assert "1250" in error.value.message_vi and "1,25" in error.value.message_vi


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("mười nghìn", "Không đọc được số"),
        ("", "để trống"),
        ("   ", "để trống"),
        (None, "None"),
        (..., "thay dấu ..."),
        (True, "True/False"),
        (math.nan, "NaN"),
        (math.inf, "vô cực"),
        (pd.Series([5]), ".iloc[0]"),
        (pd.Series([5, 6, 7]), ".sum()"),
        ([1, 2], ".sum()"),
        (print, "quên gọi hàm"),
        (dt.date(2025, 3, 5), "cần một số"),
        (pd.NA, "giá trị trống"),
    ],
)
def test_parse_number_refuses_kindly(value: object, words: str) -> None:
    with pytest.raises(AnswerFormatError) as error:
        parse_number(value)
    message = error.value.message_vi
    assert words in message
    assert message == unicodedata.normalize("NFC", message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.250.000 đ", 1250000),
        ("1.250.000đ", 1250000),
        ("1 250 000 đồng", 1250000),
        ("1250000 VND", 1250000),
        ("VNĐ 1.250.000", 1250000),
        ("1.250.000,00 đ", 1250000),
        ("1,250,000.00", 1250000),
        ("1.250", 1250),
        ("-50.000 đ", -50000),
        (1250000, 1250000),
        (1250000.0, 1250000),
        (24691.5, 24692),
        (24691.49, 24691),
        (Decimal("0.5"), 1),
        (np.int64(5000), 5000),
    ],
)
def test_parse_money(value: object, expected: int) -> None:
    assert parse_money(value) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1 triệu", "bằng chữ số"),
        ("250k", "bằng chữ số"),
        ("năm mươi", "Không đọc được"),
        ("1.25.000", "Không đọc được"),
    ],
)
def test_parse_money_refuses_words_and_bad_grouping(text: str, words: str) -> None:
    with pytest.raises(AnswerFormatError) as error:
        parse_money(text)
    assert words in error.value.message_vi


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_money_reads_what_the_data_package_writes(amount: int) -> None:
    assert parse_money(format_dong(amount)) == amount


@pytest.mark.parametrize(
    "value",
    [
        "05/03/2025",
        "5/3/2025",
        "05-03-2025",
        "05.03.2025",
        "2025-03-05",
        "2025/03/05",
        "ngày 5 tháng 3 năm 2025",
        "Ngày 05 tháng 03 năm 2025",
        "2025-03-05 00:00:00",
        "05/03/2025 15:40",
        dt.date(2025, 3, 5),
        dt.datetime(2025, 3, 5, 9, 30),
        pd.Timestamp("2025-03-05"),
        np.datetime64("2025-03-05"),
    ],
)
def test_parse_date_reads_day_first(value: object) -> None:
    assert parse_date(value) == dt.date(2025, 3, 5)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("31/2/2025", "không có thật: tháng 2 năm 2025 chỉ có 28 ngày"),
        ("29/02/2024 ", None),
        ("2025-13-01", "Không có tháng 13"),
        ("03/25/2025", "Không có tháng 25"),
        ("05/03/25", "bốn chữ số"),
        ("hôm nay", "ngày/tháng/năm"),
        ("", "để trống"),
        (20250305, "cần một ngày"),
    ],
)
def test_parse_date_explains_impossible_dates(text: object, words: str | None) -> None:
    if words is None:
        assert parse_date(text) == dt.date(2024, 2, 29)
        return
    with pytest.raises(AnswerFormatError) as error:
        parse_date(text)
    assert words in error.value.message_vi


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_format_date_round_trips(day: dt.date) -> None:
    assert parse_date(format_date(day)) == day
    assert parse_date(day.isoformat()) == day
