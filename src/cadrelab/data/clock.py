"""Times of day and working days for synthetic events, all from :mod:`cadrelab.calendar`."""

from __future__ import annotations

import datetime as dt

import numpy as np

from cadrelab.calendar import default_calendar, office_hours


def working_days(first: dt.date, last: dt.date) -> np.ndarray:
    """Every working day from ``first`` to ``last`` (datetime64[D])."""
    return default_calendar().working_days_from(first, last)


def office_times(rng: np.random.Generator, n: int, *, on: dt.date) -> np.ndarray:
    """Times of day (timedelta64[s]) inside the office sessions in force on ``on``."""
    sessions = office_hours(on=on).sessions
    starts = np.array([_seconds(start) for start, _ in sessions])
    lengths = np.array([_seconds(end) - _seconds(start) for start, end in sessions])
    which = rng.choice(len(sessions), size=n, p=lengths / lengths.sum())
    minutes = (rng.random(n) * lengths[which] // 60).astype(np.int64)
    return (starts[which] + minutes * 60).astype("timedelta64[s]")


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second
