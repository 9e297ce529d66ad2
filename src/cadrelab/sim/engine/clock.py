"""Simulated minutes mapped onto working days and office sessions.

Minute 0 is midnight at the start of ``start_date``.  Under the ``office``
calendar the centre is open in the sessions of ``office_hours.csv`` on the
working days of :mod:`cadrelab.calendar` (holidays off, make-up Saturdays on);
deadlines are counted in working days (or calendar days, where the law says so),
with the same-day cut-off where the law applies it to the procedure
(:mod:`cadrelab.calendar` decides both).  Under the ``continuous`` calendar every day is a working
day and the whole day is one session, which is what queueing theory assumes; a
deadline of ``d`` days is then the end of the ``d``-th day after the day of arrival.

Time outside the commune is counted on the *working-day axis*: a moment's position
is the number of working days before it, plus the part of its day gone if that day
is a working day.  A delay of 2.5 working days started at a moment ends 2.5 units
further along that axis (:meth:`Clock.after_days`).

Everything here works on whole arrays before or after a run, except
:meth:`Clock.after_days`, which outside steps call during it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from cadrelab import calendar
from cadrelab.sim.scenario.model import Profile, Scenario

MINUTES_PER_DAY = 1440.0
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Clock:
    """The time frame of one scenario: which days are open and when."""

    kind: str
    start_date: dt.date
    horizon_days: int
    warmup_days: int
    sessions: tuple[tuple[float, float], ...]
    cutoff_time: dt.time | None  # the same-day cut-off, where a procedure's law applies it
    working: np.ndarray  # bool per day of the horizon
    _slots: dict = field(default_factory=dict, compare=False, repr=False)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> Clock:
        """The clock of the scenario's time frame, shared by every run with the same frame
        (its memo holds what is read once: deadlines by receipt day, arrival slots)."""
        return _frame(
            scenario.calendar, scenario.start_date, scenario.horizon_days, scenario.warmup_days
        )

    @classmethod
    def build(cls, kind: str, start_date: dt.date, horizon_days: int, warmup_days: int) -> Clock:
        if kind == "continuous":
            return cls(
                "continuous",
                start_date,
                horizon_days,
                warmup_days,
                ((0.0, MINUTES_PER_DAY),),
                None,
                np.ones(horizon_days, dtype=bool),
            )
        hours = calendar.office_hours(on=start_date)
        sessions = tuple((_minute(start), _minute(end)) for start, end in hours.sessions)
        day = np.datetime64(start_date, "D") + np.arange(horizon_days)
        # a day is a working day when exactly one working day lies in (day - 1, day]
        working = calendar.default_calendar().working_days_between_many(day - 1, day) == 1
        return cls(
            "office",
            start_date,
            horizon_days,
            warmup_days,
            sessions,
            hours.cutoff,
            working,
        )

    @property
    def horizon(self) -> float:
        return self.horizon_days * MINUTES_PER_DAY

    @property
    def warmup(self) -> float:
        return self.warmup_days * MINUTES_PER_DAY

    def memo(self, key: object, make):
        """``make()`` computed once per clock (replications of a scenario share their clock)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def working_day_numbers(self) -> list[int]:
        """Numbers (0 = start date) of the working days of the horizon."""
        return self.memo("working_days", lambda: np.flatnonzero(self.working).tolist())

    @property
    def measured_working_days(self) -> int:
        """Working days after the warm-up: the denominator of 'per working day' figures."""
        return int(self.working[self.warmup_days :].sum())

    # --- who is at work, and when citizens come ----------------------------------

    def windows(
        self,
        *,
        hours: tuple[tuple[float, float], ...] | None = None,
        fte: float = 1.0,
        absent: np.ndarray | None = None,
    ) -> np.ndarray:
        """An officer's working windows as an (n, 2) array of minutes, sorted and merged.

        The office's sessions on working days, cut to the officer's ``hours``; with
        ``fte`` below 1 the officer works the first ``fte`` share of each window.
        """
        pieces = [
            (max(s, hs), min(e, he))
            for s, e in self.sessions
            for hs, he in (hours or ((0.0, MINUTES_PER_DAY),))
            if min(e, he) > max(s, hs)
        ]
        days = np.flatnonzero(self.working & ~absent if absent is not None else self.working)
        if not pieces or not len(days):
            return np.empty((0, 2))
        piece = np.array(pieces)
        piece[:, 1] = piece[:, 0] + fte * (piece[:, 1] - piece[:, 0])
        offsets = days[:, None] * MINUTES_PER_DAY
        starts = (offsets + piece[None, :, 0]).ravel()
        ends = (offsets + piece[None, :, 1]).ravel()
        return _merge(starts, ends)

    def arrival_slots(self, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
        """Open time split into hourly slots, and the arrival rate per minute in each slot
        for one arrival per working day of weekday weight 1 (scale by arrivals per day).

        Kept per profile: replications sharing this clock reuse it.
        """
        key = profile.model_dump_json()
        if key not in self._slots:
            self._slots[key] = self._arrival_slots(profile)
        return self._slots[key]

    def _arrival_slots(self, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
        slots = [
            (max(s, h * 60.0), min(e, (h + 1) * 60.0), h)
            for s, e in self.sessions
            for h in range(int(s // 60), int(np.ceil(e / 60)))
            if min(e, (h + 1) * 60.0) > max(s, h * 60.0)
        ]
        hour_weight = np.array([profile.hour_weight(h) for _, _, h in slots])
        bounds = np.array([(a, b) for a, b, _ in slots])
        total = float((hour_weight * (bounds[:, 1] - bounds[:, 0])).sum())
        if total <= 0:
            return np.empty((0, 2)), np.empty(0)
        days = np.flatnonzero(self.working)
        weekday = (self.start_date.weekday() + days) % 7
        day_factor = np.array([profile.weekday_weight(w) for w in range(7)])[weekday]
        offsets = days[:, None] * MINUTES_PER_DAY
        starts = (offsets + bounds[None, :, 0]).ravel()
        ends = (offsets + bounds[None, :, 1]).ravel()
        rates = (day_factor[:, None] * (hour_weight / total)[None, :]).ravel()
        keep = rates > 0
        return np.column_stack([starts[keep], ends[keep]]), rates[keep]

    def open_moments(self, every: float) -> np.ndarray:
        """Moments ``every`` minutes apart from the end of the warm-up, when the office is open."""
        moments = np.arange(self.warmup, self.horizon, every)
        day = (moments // MINUTES_PER_DAY).astype(np.int64)
        minute = moments - day * MINUTES_PER_DAY
        open_now = np.zeros(len(moments), dtype=bool)
        for start, end in self.sessions:
            open_now |= (minute >= start) & (minute < end)
        return moments[open_now & self.working[day]]

    # --- deadlines and lead times --------------------------------------------------

    def due(
        self,
        arrival: np.ndarray,
        days: np.ndarray | int,
        *,
        calendar_days: np.ndarray | None = None,
        cutoff: np.ndarray | None = None,
    ) -> np.ndarray:
        """End of the due day, in minutes, of dossiers arriving at ``arrival``: ``days`` working
        days (calendar days where ``calendar_days``) after the day they count as received, the
        same-day cut-off applying where ``cutoff`` says so (the calendar's rules)."""
        day = np.floor(arrival / MINUTES_PER_DAY)
        days = np.broadcast_to(np.asarray(days, dtype=np.int64), arrival.shape)
        if self.kind == "continuous":
            return (day + days + 1) * MINUTES_PER_DAY
        due = calendar.default_calendar().deadline_many(
            self._datetimes(arrival),
            days,
            cutoff=self.cutoff_time,
            applies=np.zeros(len(arrival), bool) if cutoff is None else cutoff,
            calendar_days=calendar_days,
        )
        return (self._day_index(due) + 1) * MINUTES_PER_DAY

    # --- the working-day axis: time outside the commune ------------------------------

    def _working_before(self) -> np.ndarray:
        """Working days before each day of the horizon, and the total at the end."""
        return self.memo(
            "working_before", lambda: np.concatenate([[0], np.cumsum(self.working)]).astype(float)
        )

    def working_positions(self, moments: np.ndarray) -> np.ndarray:
        """Position of each moment on the working-day axis (NaN stays NaN)."""
        before = self._working_before()
        moments = np.asarray(moments, dtype=float)
        day = np.clip(np.floor(np.nan_to_num(moments) / MINUTES_PER_DAY), 0, self.horizon_days)
        day = day.astype(np.int64)
        inside = day < self.horizon_days
        gone = moments / MINUTES_PER_DAY - day
        part = np.where(inside & self.working[np.minimum(day, self.horizon_days - 1)], gone, 0.0)
        return np.where(np.isnan(moments), np.nan, before[day] + np.clip(part, 0, 1))

    def after_days(self, start: float, days: float, working: bool) -> float:
        """The moment ``days`` working days (or calendar days) after ``start``; inf past the
        horizon.  Called during a run, once per outside step: plain Python, no arrays."""
        if not working:
            return start + days * MINUTES_PER_DAY
        before, flags = self.memo(
            "axis_lists", lambda: (self._working_before().tolist(), self.working.tolist())
        )
        numbers = self.working_day_numbers
        day = int(start // MINUTES_PER_DAY)
        if day >= self.horizon_days:
            return math.inf
        position = before[day] + (start / MINUTES_PER_DAY - day if flags[day] else 0.0) + days
        whole = int(position)
        if whole >= len(numbers):
            return math.inf
        return (numbers[whole] + position - whole) * MINUTES_PER_DAY

    def lead_days(
        self, arrival: np.ndarray, finish: np.ndarray, cutoff: np.ndarray | None = None
    ) -> np.ndarray:
        """Lead time in working days (office) or elapsed days (continuous); NaN if unfinished.

        Office: working days from the day the dossier counts as received (the same-day
        cut-off where ``cutoff`` says it applies) to the day its result is ready; 0 means
        the same day.
        """
        done = ~np.isnan(finish)
        result = np.full(arrival.shape, np.nan)
        if self.kind == "continuous":
            result[done] = (finish[done] - arrival[done]) / MINUTES_PER_DAY
            return result
        cal = calendar.default_calendar()
        received = cal.deadline_many(
            self._datetimes(arrival[done]),
            np.zeros(int(done.sum()), dtype=np.int64),
            cutoff=self.cutoff_time,
            applies=np.zeros(int(done.sum()), bool) if cutoff is None else cutoff[done],
        )
        finished = np.datetime64(self.start_date, "D") + np.floor(
            finish[done] / MINUTES_PER_DAY
        ).astype("timedelta64[D]")
        result[done] = np.maximum(cal.working_days_between_many(received, finished), 0)
        return result

    def _datetimes(self, minutes: np.ndarray) -> np.ndarray:
        seconds = np.round(minutes * 60).astype(np.int64).astype("timedelta64[s]")
        return np.datetime64(self.start_date, "s") + seconds

    def _day_index(self, days: np.ndarray) -> np.ndarray:
        start = np.datetime64(self.start_date, "D")
        return (days.astype("datetime64[D]") - start).astype(np.int64)


@functools.lru_cache(maxsize=16)
def _frame(kind: str, start_date: dt.date, horizon_days: int, warmup_days: int) -> Clock:
    return Clock.build(kind, start_date, horizon_days, warmup_days)


def _minute(moment: dt.time) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


def _merge(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sorted windows with touching neighbours joined (a 24-hour officer has one window)."""
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if not len(starts):
        return np.empty((0, 2))
    new_run = np.ones(len(starts), dtype=bool)
    new_run[1:] = starts[1:] > np.maximum.accumulate(ends)[:-1]
    merged_ends = np.maximum.reduceat(ends, np.flatnonzero(new_run))
    return np.column_stack([starts[new_run], merged_ends])
