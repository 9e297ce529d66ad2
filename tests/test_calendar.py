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
T15 = dt.time(15)


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


def test_2026_new_year_swap() -> None:
    # Friday 2/1/2026 swapped with Saturday 10/1/2026: off Thursday 1/1 to Sunday 4/1.
    closed_run(D(2026, 1, 1), D(2026, 1, 4))
    assert calendar.is_working_day(D(2026, 1, 10))
    row = next(r for r in reference.calendar_days() if r.date == D(2026, 1, 10))
    assert "12729/VPCP-KGVX" in row.source


def test_2026_tet_nine_days_off() -> None:
    # Tết Bính Ngọ: Saturday 14/2 to Sunday 22/2/2026, no make-up day.
    closed_run(D(2026, 2, 14), D(2026, 2, 22))


def test_2026_hung_kings_on_sunday_moves_to_monday() -> None:
    assert not calendar.is_working_day(D(2026, 4, 27))
    closed_run(D(2026, 4, 30), D(2026, 5, 3))


def test_2026_national_day_swap() -> None:
    # Monday 31/8 swapped with Saturday 22/8/2026: off 29/8 to 2/9.
    assert calendar.is_working_day(D(2026, 8, 22))
    closed_run(D(2026, 8, 29), D(2026, 9, 2))


def test_24_november_2026_is_a_working_day_until_a_law_makes_it_a_holiday() -> None:
    # The holidays package marks it; no amended Labour Code was found in force.
    assert calendar.is_working_day(D(2026, 11, 24))


def test_working_days_in_2025_and_2026() -> None:
    # 261 weekdays each year, minus the weekdays off, plus the make-up Saturdays:
    # 2025: 1/1, 27–31/1, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9 (12 days); make-up 26/4.
    # 2026: 1/1, 2/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9 (13 days); make-up 10/1, 22/8.
    assert calendar.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 261 - 12 + 1
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 13 + 2


def test_every_entered_day_has_a_document() -> None:
    for row in reference.calendar_days():
        assert "/" in row.source or "Bộ luật" in row.source, row


def test_years_with_a_notice_ignore_the_package_and_others_fall_back_with_a_warning() -> None:
    cal = WorkingCalendar(reference.calendar_days())
    assert {2025, 2026} <= cal.years_with_notices
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal.is_working_day(D(2026, 11, 24))
        assert cal.is_working_day(D(2028, 3, 1)) is True
        cal.is_working_day(D(2028, 3, 2))
    assert [w.category for w in caught] == [CalendarDataWarning]
    assert "2028" in str(caught[0].message)


# --- the deadline convention --------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def test_receipt_day_not_counted() -> None:
    assert calendar.deadline(at(D(2025, 9, 8), 9), 3) == D(2025, 9, 11)


def test_no_cut_off_unless_given() -> None:
    assert calendar.deadline(at(D(2025, 9, 8), 16, 30), 0) == D(2025, 9, 8)
    assert calendar.deadline(at(D(2025, 9, 12), 16), 1) == D(2025, 9, 15)


def test_after_cut_off_counts_from_next_working_day() -> None:
    assert calendar.deadline(at(D(2025, 9, 8), 15, 0), 0, cutoff=T15) == D(2025, 9, 8)
    assert calendar.deadline(at(D(2025, 9, 8), 15, 1), 0, cutoff=T15) == D(2025, 9, 9)
    assert calendar.deadline(at(D(2025, 9, 12), 16), 1, cutoff=T15) == D(2025, 9, 16)


def test_weekend_and_holiday_receipt() -> None:
    assert calendar.deadline(at(D(2025, 9, 13), 10), 0) == D(2025, 9, 15)
    # An online dossier filed during Tết 2026 counts from Monday 23/2.
    assert calendar.deadline(at(D(2026, 2, 18), 10), 2) == D(2026, 2, 25)


def test_deadline_across_make_up_saturdays() -> None:
    assert calendar.deadline(at(D(2026, 8, 21), 9), 1) == D(2026, 8, 22)
    assert calendar.deadline(at(D(2026, 1, 9), 9), 1) == D(2026, 1, 10)


def test_calendar_days_end_on_the_next_working_day() -> None:
    # 30 days from Friday 1/8/2025 is Sunday 31/8; 1/9 and 2/9 are off: Wednesday 3/9.
    assert calendar.deadline(at(D(2025, 8, 1), 9), 30, unit="calendar") == D(2025, 9, 3)
    assert calendar.deadline(at(D(2025, 8, 4), 9), 30, unit="calendar") == D(2025, 9, 3)
    assert calendar.deadline(at(D(2025, 8, 6), 9), 30, unit="calendar") == D(2025, 9, 5)


def test_due_date_of_a_procedure_uses_its_unit_and_cut_off() -> None:
    received = at(D(2025, 9, 12), 15, 40)  # a Friday afternoon
    copy = reference.procedure("CT-SY", on=received)
    assert copy.cutoff_applies and copy.deadline_days == 0
    assert calendar.due_date(copy, received) == D(2025, 9, 15)
    mediation = reference.procedure("DD-HG", on=received)
    assert mediation.deadline_unit == "calendar" and not mediation.cutoff_applies
    # 30 days after Friday 12/9/2025 is Sunday 12/10: due Monday 13/10.
    assert calendar.due_date(mediation, received) == D(2025, 10, 13)


def test_due_date_refuses_a_version_not_in_force_on_the_receipt_date() -> None:
    copy = reference.procedure("CT-SY", on=D(2025, 9, 12))
    with pytest.raises(InputError, match="on=received"):
        calendar.due_date(copy, at(D(2001, 1, 2), 9))


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="days"):
        calendar.deadline(at(D(2025, 9, 8), 9), -1)
    with pytest.raises(InputError, match="date and time"):
        calendar.deadline(D(2025, 9, 8), 1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unit"):
        calendar.deadline(at(D(2025, 9, 8), 9), 1, unit="lunar")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="outside"):
        calendar.is_working_day(D(1990, 1, 1))


def test_office_hours_are_dated_data() -> None:
    hours = calendar.office_hours(on=D(2025, 9, 8))
    assert hours.sessions == ((dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))
    assert hours.cutoff == T15 and not hours.cutoff_everywhere
    assert hours.minutes_per_day == 480
    with pytest.raises(TypeError):
        calendar.office_hours()  # type: ignore[call-arg]
    with pytest.raises(InputError, match=r"office_hours\.csv"):
        calendar.office_hours(on=D(2001, 1, 1))


def test_a_province_may_apply_the_cut_off_to_every_same_day_procedure(tmp_path, monkeypatch):
    import shutil

    from cadrelab import content

    folder = tmp_path / "reference"
    shutil.copytree(content.reference_dir(), folder)
    with (folder / "office_hours.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "cutoff,01,16:00,,2025-07-01,,Quyết định 1/2025/QĐ-UBND (thử),illustrative,"
            "Quyết định giả định cho kiểm thử,,\n"
        )
    monkeypatch.setenv("CADRELAB_REFERENCE_DIR", str(folder))
    reference.clear_caches()
    try:
        received = at(D(2025, 9, 12), 16, 30)
        death = reference.procedure("HT-KS", on=received)
        business = reference.procedure("HKD-DK", on=received)
        assert calendar.cutoff_for(death, received) == T15
        assert calendar.cutoff_for(death, received, province_code="01") == dt.time(16)
        assert calendar.cutoff_for(business, received, province_code="01") is None
        marriage_like = death.model_copy(update={"cutoff_applies": False})
        assert calendar.cutoff_for(marriage_like, received) is None
        assert calendar.cutoff_for(marriage_like, received, province_code="01") == dt.time(16)
    finally:
        reference.clear_caches()


# --- properties ---------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 11, 30))
days = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31))
counts = st.integers(min_value=0, max_value=60)
cutoffs = st.sampled_from([None, T15])
units = st.sampled_from(["working", "calendar"])

pytestmark = pytest.mark.filterwarnings("ignore::cadrelab.calendar.CalendarDataWarning")


@given(moments, counts, cutoffs, units)
def test_deadline_never_before_receipt_nor_on_a_day_off(received, n, cutoff, unit) -> None:
    due = calendar.deadline(received, n, cutoff=cutoff, unit=unit)
    assert due >= received.date()
    assert calendar.is_working_day(due)


@given(moments, counts, cutoffs)
def test_deadline_is_n_working_days_after_effective_receipt(received, n, cutoff) -> None:
    cal = calendar.default_calendar()
    due = calendar.deadline(received, n, cutoff=cutoff)
    start = cal.effective_receipt_day(received, cutoff=cutoff)
    assert calendar.working_days_between(start, due) == n


@given(moments, counts, counts, cutoffs, units)
def test_deadline_monotone_in_days(received, a, b, cutoff, unit) -> None:
    low, high = sorted((a, b))
    assert calendar.deadline(received, low, cutoff=cutoff, unit=unit) <= calendar.deadline(
        received, high, cutoff=cutoff, unit=unit
    )


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
@given(st.lists(st.tuples(moments, counts, st.booleans(), st.booleans()), min_size=1, max_size=50))
def test_vectorised_deadlines_match_scalar(cases) -> None:
    received = np.array([r for r, *_ in cases], dtype="datetime64[s]")
    n = np.array([k for _, k, _, _ in cases])
    applies = np.array([a for *_, a, _ in cases])
    by_calendar = np.array([c for *_, c in cases])
    many = calendar.default_calendar().deadline_many(
        received, n, cutoff=T15, applies=applies, calendar_days=by_calendar
    )
    expected = [
        calendar.deadline(r, k, cutoff=T15 if a else None, unit="calendar" if c else "working")
        for r, k, a, c in cases
    ]
    assert [d.astype(object) for d in many] == expected


@settings(max_examples=30)
@given(days, st.integers(min_value=-3, max_value=60))
def test_working_days_from_lists_exactly_the_working_days(first: dt.date, span: int) -> None:
    last = first + dt.timedelta(days=span)
    listed = [d.astype(object) for d in calendar.default_calendar().working_days_from(first, last)]
    every_day = (first + dt.timedelta(k) for k in range(span + 1))
    assert listed == [d for d in every_day if calendar.is_working_day(d)]
