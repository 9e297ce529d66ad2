"""The working calendar: official schedules, the deadline convention, and properties."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadrelab import calendar, reference
from cadrelab.calendar import CalendarDataWarning, WorkingCalendar
from cadrelab.errors import InputError

D = dt.date


def days_off(start: dt.date, end: dt.date) -> list[dt.date]:
    span = (end - start).days + 1
    days = (start + dt.timedelta(n) for n in range(span))
    return [d for d in days if not calendar.is_working_day(d)]


def closed_run(start: dt.date, end: dt.date) -> None:
    """Every day from start to end is off, and the days just outside are working days."""
    assert days_off(start, end) == [start + dt.timedelta(n) for n in range((end - start).days + 1)]
    assert (
        calendar.is_working_day(start - dt.timedelta(1)) or (start - dt.timedelta(1)).weekday() >= 5
    )
    assert calendar.is_working_day(end + dt.timedelta(1))


# --- official schedules ------------------------------------------------------------


def test_2025_tet_nine_days_off() -> None:
    # Tết Ất Tỵ: civil servants off Saturday 25/1 to Sunday 2/2/2025.
    closed_run(D(2025, 1, 25), D(2025, 2, 2))


def test_2025_reunification_swap() -> None:
    # Friday 2/5 swapped with Saturday 26/4/2025: off 30/4 to 4/5.
    assert calendar.is_working_day(D(2025, 4, 26))
    closed_run(D(2025, 4, 30), D(2025, 5, 4))


def test_2025_national_day_and_hung_kings() -> None:
    closed_run(D(2025, 8, 30), D(2025, 9, 2))
    assert not calendar.is_working_day(D(2025, 4, 7))


def test_2026_tet_nine_days_off() -> None:
    # Tết Bính Ngọ: Saturday 14/2 to Sunday 22/2/2026.
    closed_run(D(2026, 2, 14), D(2026, 2, 22))


def test_2026_hung_kings_on_sunday_moves_to_monday() -> None:
    assert not calendar.is_working_day(D(2026, 4, 27))
    closed_run(D(2026, 4, 30), D(2026, 5, 3))


def test_2026_national_day_swap() -> None:
    # Monday 31/8 swapped with Saturday 22/8/2026: off 29/8 to 2/9.
    assert calendar.is_working_day(D(2026, 8, 22))
    closed_run(D(2026, 8, 29), D(2026, 9, 2))


def test_2026_new_year_and_culture_day() -> None:
    assert not calendar.is_working_day(D(2026, 1, 1))
    assert calendar.is_working_day(D(2026, 1, 2))
    assert not calendar.is_working_day(D(2026, 11, 24))


def test_working_days_in_2025_and_2026() -> None:
    # 261 weekdays each year, minus the holidays on weekdays, plus the make-up Saturday:
    # 2025: 1/1, 27–31/1, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9 (12 days); make-up 26/4.
    # 2026: 1/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9, 24/11 (13 days); make-up 22/8.
    assert calendar.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 261 - 12 + 1
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 13 + 1


# --- the deadline convention --------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def test_receipt_day_not_counted() -> None:
    assert calendar.deadline(at(D(2025, 3, 3), 9), 3) == D(2025, 3, 6)


def test_same_day_procedure() -> None:
    assert calendar.deadline(at(D(2025, 3, 3), 9), 0) == D(2025, 3, 3)
    assert calendar.deadline(at(D(2025, 3, 3), 15, 0), 0) == D(2025, 3, 3)


def test_after_cutoff_counts_from_next_working_day() -> None:
    assert calendar.deadline(at(D(2025, 3, 3), 15, 1), 0) == D(2025, 3, 4)
    assert calendar.deadline(at(D(2025, 3, 7), 16), 1) == D(2025, 3, 11)


def test_weekend_and_tet_receipt() -> None:
    assert calendar.deadline(at(D(2025, 3, 8), 10), 0) == D(2025, 3, 10)
    # An online dossier filed during Tết 2025 counts from Monday 3/2.
    assert calendar.deadline(at(D(2025, 1, 29), 10), 2) == D(2025, 2, 5)


def test_deadline_across_a_make_up_saturday() -> None:
    assert calendar.deadline(at(D(2026, 8, 21), 9), 1) == D(2026, 8, 22)


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="working days"):
        calendar.deadline(at(D(2025, 3, 3), 9), -1)
    with pytest.raises(InputError, match="date and time"):
        calendar.deadline(D(2025, 3, 3), 1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="outside"):
        calendar.is_working_day(D(1990, 1, 1))


def test_year_without_override_data_warns_once() -> None:
    cal = WorkingCalendar(reference.calendar_overrides())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal.is_working_day(D(2027, 3, 1))
        cal.is_working_day(D(2027, 3, 2))
    assert [w.category for w in caught] == [CalendarDataWarning]
    assert "2027" in str(caught[0].message)


def test_office_hours_are_data() -> None:
    hours = calendar.office_hours()
    assert hours.sessions == ((dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))
    assert hours.cutoff == dt.time(15)
    assert hours.minutes_per_day == 480


# --- properties ---------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 1))
days = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@given(moments, counts)
def test_deadline_never_before_receipt_nor_on_a_day_off(received: dt.datetime, n: int) -> None:
    due = calendar.deadline(received, n)
    assert due >= received.date()
    assert calendar.is_working_day(due)


@given(moments, counts)
def test_deadline_is_n_working_days_after_effective_receipt(received: dt.datetime, n: int) -> None:
    cal = calendar.default_calendar()
    due = calendar.deadline(received, n)
    assert calendar.working_days_between(cal.effective_receipt_day(received), due) == n


@given(moments, counts, counts)
def test_deadline_monotone_in_days(received: dt.datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert calendar.deadline(received, low) <= calendar.deadline(received, high)


@given(days, days, days)
def test_working_day_counts_monotone_and_additive(a: dt.date, b: dt.date, c: dt.date) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc = calendar.working_days_between(a, b), calendar.working_days_between(b, c)
    assert 0 <= ab <= calendar.working_days_between(a, c)
    assert ab + bc == calendar.working_days_between(a, c)
    assert calendar.working_days_between(c, a) == -calendar.working_days_between(a, c)


@given(days, st.integers(min_value=-40, max_value=40))
def test_add_working_days_inverts_the_count(day: dt.date, n: int) -> None:
    result = calendar.add_working_days(day, n)
    assert calendar.is_working_day(result)
    one = dt.timedelta(days=1)
    if n > 0:  # working days in (day, result]
        assert calendar.working_days_between(day, result) == n
    elif n < 0:  # working days in [result, day)
        assert calendar.working_days_between(result - one, day - one) == -n
    else:
        assert result >= day


@settings(max_examples=30)
@given(st.lists(st.tuples(moments, counts), min_size=1, max_size=50))
def test_vectorised_deadlines_match_scalar(cases: list[tuple[dt.datetime, int]]) -> None:
    received = np.array([r for r, _ in cases], dtype="datetime64[s]")
    n = np.array([k for _, k in cases])
    many = calendar.default_calendar().deadline_many(received, n)
    assert [d.astype(object) for d in many] == [calendar.deadline(r, k) for r, k in cases]


@settings(max_examples=30)
@given(days, st.integers(min_value=-3, max_value=60))
def test_working_days_from_lists_exactly_the_working_days(first: dt.date, span: int) -> None:
    last = first + dt.timedelta(days=span)
    listed = [d.astype(object) for d in calendar.default_calendar().working_days_from(first, last)]
    every_day = (first + dt.timedelta(k) for k in range(span + 1))
    assert listed == [d for d in every_day if calendar.is_working_day(d)]
