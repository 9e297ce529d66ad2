"""Vietnamese working time: working days, office hours and statutory deadlines.

Every deadline in data, simulation, courses and grading comes from here.

Working days are Monday to Friday, minus the public holidays and days off, plus
the make-up working days (ngày làm bù) that the official notices set.  For a
year whose notice is entered in ``datasets/reference/calendar_days.csv`` those
rows decide alone, each with its document number.  For any other year the
calendar falls back to the statutory holidays computed by the ``holidays``
package (country VN: Tết and Hùng Kings' day from the lunar calendar) and warns
with :class:`CalendarDataWarning`.

Deadline convention:

* the day of receipt is not counted (Bộ luật Dân sự 2015, Điều 147): a
  3-working-day procedure received on a Monday is due on Thursday;
* a dossier received on a non-working day counts from the next working day;
* the same-day cut-off (15:00) applies only where a legal text says so for the
  procedure (``Procedure.cutoff_applies``) or where a province has decided to
  apply it to every same-day procedure (an ``office_hours`` row with its
  province code as ``scope``); by default there is none.  After the cut-off a
  dossier counts as received on the next working day;
* ``deadline(received, 0)`` is the day a same-day procedure is due;
* a deadline in calendar days (``deadline_unit = calendar``) that ends on a day
  off moves to the next working day (Bộ luật Dân sự 2015, Điều 148).
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import holidays
import numpy as np

from cadrelab import reference
from cadrelab.errors import InputError
from cadrelab.reference.facts import on_clear

FIRST_YEAR = 2015
LAST_YEAR = 2035
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()  # datetime64[D] value 0 as a date ordinal
DeadlineUnit = Literal["working", "calendar"]


class CalendarDataWarning(UserWarning):
    """The calendar falls back to statutory holidays for a year with no official notice entered."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening sessions of a commune office, the cut-off time, and whether it applies to all.

    ``cutoff`` is the time after which a same-day procedure is done the next working day,
    where a legal text applies it; ``cutoff_everywhere`` is true in a province that applies
    it to every same-day procedure.
    """

    sessions: tuple[tuple[dt.time, dt.time], ...]
    cutoff: dt.time
    cutoff_everywhere: bool = False

    @property
    def minutes_per_day(self) -> float:
        return sum(_minutes(end) - _minutes(start) for start, end in self.sessions)

    def is_open(self, moment: dt.time) -> bool:
        return any(start <= moment < end for start, end in self.sessions)


def _minutes(t: dt.time) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def office_hours(*, on: object, province_code: str | None = None) -> OfficeHours:
    """Office sessions and the cut-off in force on ``on`` (a province's own, if it has them)."""
    day = reference.as_day(on)
    rows = reference.office_sessions(on=day)
    scope = province_code if any(r.scope == province_code for r in rows) else "all"
    sessions = [r for r in rows if r.kind == "session" and r.scope == scope]
    if not sessions:
        sessions = [r for r in rows if r.kind == "session" and r.scope == "all"]
    cutoffs = [r for r in rows if r.kind == "cutoff"]
    general = next((r for r in cutoffs if r.scope == "all"), None)
    provincial = next((r for r in cutoffs if r.scope == province_code), None)
    if not sessions or general is None:
        raise InputError(
            f"office_hours.csv has no session or cut-off in force on {day}",
            file=reference.reference_dir() / "office_hours.csv",
            field="valid_from",
        )
    return OfficeHours(
        sessions=tuple(sorted((r.start, r.end) for r in sessions if r.end)),
        cutoff=(provincial or general).start,
        cutoff_everywhere=provincial is not None,
    )


def cutoff_for(
    procedure: reference.Procedure, received: object, *, province_code: str | None = None
) -> dt.time | None:
    """The cut-off time for this procedure on the day received, or None when none applies."""
    if procedure.deadline_days != 0:
        return None
    hours = office_hours(on=received, province_code=province_code)
    return hours.cutoff if procedure.cutoff_applies or hours.cutoff_everywhere else None


class WorkingCalendar:
    """Working days between FIRST_YEAR and LAST_YEAR, held as a sorted array of ordinals.

    The array makes every operation a binary search, so whole columns of dates can
    be handled at once (see the ``*_many`` methods).
    """

    def __init__(self, days: Iterable[reference.CalendarDay]) -> None:
        days = tuple(days)
        self.years_with_notices = frozenset(d.date.year for d in days)
        years = [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if y not in self.years_with_notices]
        statutory = holidays.VN(years=years, language="vi")
        fallback_workdays = {
            d for d in getattr(statutory, "weekend_workdays", ()) if d.year in years
        }
        workdays = {d.date for d in days if d.kind == "workday"} | fallback_workdays
        days_off = {d.date for d in days if d.kind != "workday"} | set(statutory)
        first, last = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
        every_day = (first + dt.timedelta(n) for n in range((last - first).days + 1))
        working = [
            d.toordinal()
            for d in every_day
            if d in workdays or (d.weekday() < 5 and d not in days_off)
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

    def effective_receipt_day(
        self, received: dt.datetime, *, cutoff: dt.time | None = None
    ) -> dt.date:
        """The working day a dossier counts as received on (non-working days, the cut-off)."""
        day = _as_moment(received).date()
        late = cutoff is not None and received.time() > cutoff
        if late or not self.is_working_day(day):
            return self.next_working_day(day)
        return day

    def deadline(
        self,
        received: dt.datetime,
        days: int,
        *,
        cutoff: dt.time | None = None,
        unit: DeadlineUnit = "working",
    ) -> dt.date:
        """Due date of ``days`` working (or calendar) days from ``received``; see the module doc."""
        received = _as_moment(received)
        if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 0:
            raise InputError(f"days must be a whole number ≥ 0, not {days!r}", field="days")
        start = self.effective_receipt_day(received, cutoff=cutoff)
        if unit == "working":
            return self.add_working_days(start, int(days))
        if unit == "calendar":
            return self.add_working_days(start + dt.timedelta(days=int(days)), 0)
        raise InputError(f"unit must be 'working' or 'calendar', not {unit!r}", field="unit")

    # --- column API ------------------------------------------------------------

    def deadline_many(
        self,
        received: np.ndarray,
        days: np.ndarray,
        *,
        cutoff: dt.time | None = None,
        applies: np.ndarray | None = None,
        calendar_days: np.ndarray | None = None,
    ) -> np.ndarray:
        """Vectorised :meth:`deadline`: datetime64 receipts and integer days to datetime64[D].

        ``applies`` (booleans) says for which rows the ``cutoff`` holds (default: all rows,
        when a cutoff is given); ``calendar_days`` (booleans) marks deadlines in calendar days.
        """
        received = np.asarray(received, dtype="datetime64[s]")
        day = received.astype("datetime64[D]")
        ordinals = day.astype(np.int64) + EPOCH_ORDINAL
        self._check_range(ordinals)
        late = np.zeros(len(received), dtype=bool)
        if cutoff is not None:
            seconds = (received - day).astype(np.int64)
            late = seconds > cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second
            if applies is not None:
                late &= np.asarray(applies, dtype=bool)
        position = np.searchsorted(self._ordinals, ordinals, side="left")
        is_working = self._ordinals[np.minimum(position, len(self._ordinals) - 1)] == ordinals
        receipt_index = position + (late & is_working)
        days = np.asarray(days, dtype=np.int64)
        index = receipt_index + days
        if calendar_days is not None and np.any(calendar_days):
            calendar_days = np.asarray(calendar_days, dtype=bool)
            end = self._ordinals[np.minimum(receipt_index, len(self._ordinals) - 1)] + days
            rolled = np.searchsorted(self._ordinals, end, side="left")
            index = np.where(calendar_days, rolled, index)
        if index.size and index.max() >= len(self._ordinals):
            raise InputError(f"a deadline falls after {LAST_YEAR}", field="days")
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
            if year not in self.years_with_notices and year not in self._warned:
                self._warned.add(year)
                warnings.warn(
                    f"no official notice of days off for {year} in calendar_days.csv; "
                    "using the statutory holidays only",
                    CalendarDataWarning,
                    stacklevel=4,
                )


def _as_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    raise InputError(f"expected a date, got {day!r}", field="date")


def _as_moment(received: dt.datetime) -> dt.datetime:
    if not isinstance(received, dt.datetime):
        raise InputError(f"received must be a date and time, not {received!r}", field="received")
    return received


@on_clear
@functools.cache
def _calendar() -> WorkingCalendar:
    return WorkingCalendar(reference.calendar_days())


def default_calendar() -> WorkingCalendar:
    """The calendar of the reference tables (built once; every use counts as a use of its days)."""
    reference.CALENDAR_DAYS.note_use()
    return _calendar()


def is_working_day(day: dt.date) -> bool:
    return default_calendar().is_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    return default_calendar().add_working_days(day, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return default_calendar().working_days_between(start, end)


def deadline(
    received: dt.datetime,
    days: int,
    *,
    cutoff: dt.time | None = None,
    unit: DeadlineUnit = "working",
) -> dt.date:
    """Due date of ``days`` working (or calendar) days from ``received``; see the module doc."""
    return default_calendar().deadline(received, days, cutoff=cutoff, unit=unit)


def due_date(
    procedure: reference.Procedure, received: dt.datetime, *, province_code: str | None = None
) -> dt.date:
    """Due date of a dossier of ``procedure`` (the version in force on ``received``)."""
    first, last = procedure.period
    if not first <= _as_moment(received).date() <= last:
        raise InputError(
            f"procedure {procedure.code} as given is in force {first} – {last}, "
            f"not on the receipt date {received:%Y-%m-%d}: look it up with on=received",
            field="received",
        )
    return deadline(
        received,
        procedure.deadline_days,
        cutoff=cutoff_for(procedure, received, province_code=province_code),
        unit=procedure.deadline_unit,
    )
