"""Vietnamese working time: working days, office hours and statutory deadlines.

Every deadline in data, simulation, courses and grading comes from here.

Working days are Monday to Friday, minus public holidays (the ``holidays``
package, country VN: Tết, Hùng Kings' day, observed days), minus the extra days
off and plus the make-up Saturdays (ngày làm bù) listed with their official
decisions in ``datasets/reference/calendar_overrides.csv``.

Deadline convention (Nghị định 61/2018 and its successors):

* the day of receipt is not counted: a 3-working-day procedure received on a
  Monday morning is due on Thursday;
* a dossier received after the same-day cut-off (15:00), or on a non-working
  day, is treated as received on the next working day;
* ``deadline(received, 0)`` is the day a same-day procedure is due: the
  (effective) day of receipt.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import holidays
import numpy as np

from cadrelab import reference
from cadrelab.errors import InputError

FIRST_YEAR = 2015
LAST_YEAR = 2035
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()  # datetime64[D] value 0 as a date ordinal


class CalendarDataWarning(UserWarning):
    """The calendar falls back to statutory holidays for a year with no override data."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening sessions of a commune office and the same-day cut-off."""

    sessions: tuple[tuple[dt.time, dt.time], ...]
    cutoff: dt.time

    @property
    def minutes_per_day(self) -> float:
        return sum(_minutes(end) - _minutes(start) for start, end in self.sessions)

    def is_open(self, moment: dt.time) -> bool:
        return any(start <= moment < end for start, end in self.sessions)


def _minutes(t: dt.time) -> float:
    return t.hour * 60 + t.minute + t.second / 60


@functools.cache
def office_hours() -> OfficeHours:
    rows = reference.office_sessions()
    sessions = tuple(sorted((r.start, r.end) for r in rows if r.kind == "session" and r.end))
    cutoff = next(r.start for r in rows if r.kind == "cutoff")
    return OfficeHours(sessions=sessions, cutoff=cutoff)


class WorkingCalendar:
    """Working days between FIRST_YEAR and LAST_YEAR, held as a sorted array of ordinals.

    The array makes every operation a binary search, so whole columns of dates can
    be handled at once (see the ``*_many`` methods).
    """

    def __init__(self, overrides: Iterable[reference.CalendarOverride]) -> None:
        overrides = tuple(overrides)
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        statutory = holidays.VN(years=years, language="vi")
        extra_workdays = {o.date for o in overrides if o.kind == "workday"}
        extra_workdays |= set(getattr(statutory, "weekend_workdays", ()))
        extra_days_off = {o.date for o in overrides if o.kind == "day_off"}
        self.years_with_overrides = frozenset(o.date.year for o in overrides)
        first, last = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
        days = (first + dt.timedelta(n) for n in range((last - first).days + 1))
        working = [
            d.toordinal()
            for d in days
            if d in extra_workdays
            or (d.weekday() < 5 and d not in statutory and d not in extra_days_off)
        ]
        self._ordinals = np.array(working, dtype=np.int64)
        self._first, self._last = first.toordinal(), last.toordinal()
        self._warned: set[int] = set()

    # --- scalar API ----------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        ordinal = self._check(day)
        i = np.searchsorted(self._ordinals, ordinal)
        return bool(i < len(self._ordinals) and self._ordinals[i] == ordinal)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (before it when n < 0); ``day`` itself not counted.

        With n = 0 the result is ``day`` if it is a working day, else the next one.
        """
        ordinal = self._check(day)
        if n > 0:
            index = np.searchsorted(self._ordinals, ordinal, side="right") + n - 1
        elif n < 0:
            index = np.searchsorted(self._ordinals, ordinal, side="left") + n
        else:
            index = np.searchsorted(self._ordinals, ordinal, side="left")
        return self._date_at(int(index))

    def working_days_from(self, first: dt.date, last: dt.date) -> np.ndarray:
        """Every working day d with first <= d <= last (datetime64[D])."""
        a, b = self._check(first), self._check(last)
        low = np.searchsorted(self._ordinals, a, side="left")
        high = np.searchsorted(self._ordinals, b, side="right")
        return (self._ordinals[low:high] - EPOCH_ORDINAL).astype("datetime64[D]")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end; negative when end is before start."""
        a, b = self._check(start), self._check(end)
        count = int(
            np.searchsorted(self._ordinals, max(a, b), side="right")
            - np.searchsorted(self._ordinals, min(a, b), side="right")
        )
        return count if b >= a else -count

    def effective_receipt_day(self, received: dt.datetime) -> dt.date:
        """The working day a dossier counts as received on (15:00 cut-off, non-working days)."""
        day = received.date()
        late = received.time() > office_hours().cutoff
        if late or not self.is_working_day(day):
            return self.next_working_day(day)
        return day

    def deadline(self, received: dt.datetime, working_days: int) -> dt.date:
        """Due date of a procedure of ``working_days`` received at ``received``."""
        if not isinstance(received, dt.datetime):
            raise InputError(
                f"received must be a date and time, not {received!r}", field="received"
            )
        if working_days < 0:
            raise InputError(
                f"working days must be 0 or more, not {working_days}", field="working_days"
            )
        return self.add_working_days(self.effective_receipt_day(received), working_days)

    # --- column API ------------------------------------------------------------

    def deadline_many(self, received: np.ndarray, working_days: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`deadline`: datetime64 receipts and integer days to datetime64[D]."""
        received = np.asarray(received, dtype="datetime64[s]")
        days = received.astype("datetime64[D]")
        seconds = (received - days).astype(np.int64)
        cutoff = office_hours().cutoff
        late = seconds > cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second
        ordinals = days.astype(np.int64) + EPOCH_ORDINAL
        self._check_range(ordinals)
        position = np.searchsorted(self._ordinals, ordinals, side="left")
        is_working = self._ordinals[np.minimum(position, len(self._ordinals) - 1)] == ordinals
        receipt_index = position + (late & is_working)
        index = receipt_index + np.asarray(working_days, dtype=np.int64)
        if index.size and index.max() >= len(self._ordinals):
            raise InputError(f"a deadline falls after {LAST_YEAR}", field="working_days")
        result = self._ordinals[index] - EPOCH_ORDINAL
        return result.astype("datetime64[D]")

    def working_days_between_many(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`working_days_between` over datetime64[D] arrays."""
        a = np.asarray(start, dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL
        b = np.asarray(end, dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL
        self._check_range(a)
        self._check_range(b)
        ia = np.searchsorted(self._ordinals, a, side="right")
        ib = np.searchsorted(self._ordinals, b, side="right")
        return ib - ia

    # --- helpers ---------------------------------------------------------------

    def _date_at(self, index: int) -> dt.date:
        if not 0 <= index < len(self._ordinals):
            raise InputError(f"date falls outside {FIRST_YEAR}–{LAST_YEAR}", field="date")
        return dt.date.fromordinal(int(self._ordinals[index]))

    def _check(self, day: dt.date) -> int:
        ordinal = _as_date(day).toordinal()
        self._check_range(np.array([ordinal]))
        return ordinal

    def _check_range(self, ordinals: np.ndarray) -> None:
        if ordinals.size == 0:
            return
        low, high = int(ordinals.min()), int(ordinals.max())
        if low < self._first or high > self._last:
            raise InputError(
                f"date outside the calendar's years {FIRST_YEAR}–{LAST_YEAR}", field="date"
            )
        for year in range(dt.date.fromordinal(low).year, dt.date.fromordinal(high).year + 1):
            if year not in self.years_with_overrides and year not in self._warned:
                self._warned.add(year)
                warnings.warn(
                    f"no make-up day data for {year} in calendar_overrides.csv; "
                    "using statutory holidays only",
                    CalendarDataWarning,
                    stacklevel=4,
                )


def _as_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    raise InputError(f"expected a date, got {day!r}", field="date")


@functools.cache
def default_calendar() -> WorkingCalendar:
    return WorkingCalendar(reference.calendar_overrides())


def is_working_day(day: dt.date) -> bool:
    return default_calendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    return default_calendar().add_working_days(day, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return default_calendar().working_days_between(start, end)


def deadline(received: dt.datetime, working_days: int) -> dt.date:
    return default_calendar().deadline(received, working_days)
