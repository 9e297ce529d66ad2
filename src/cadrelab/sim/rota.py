"""Who is at work when: each officer's working windows for one replication.

An officer works the office sessions of working days, cut to their ``hours``
and ``fte``, except the days they are absent.  Random absence is one draw per
calendar day from the officer's own stream (keyed by the officer's id), so the
same officer is absent on the same days in every scenario that shares the seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cadrelab.sim.clock import Clock
from cadrelab.sim.scenario import Officer, Scenario
from cadrelab.sim.streams import stream


def absent_days(officer: Officer, clock: Clock, root: np.random.SeedSequence) -> np.ndarray:
    """True on each day of the horizon the officer is away."""
    absence = officer.absence
    days = clock.horizon_days
    away = stream(root, "absence", officer.id).random(days) < absence.daily_probability
    if absence.dates or absence.periods:
        first = clock.start_date
        away |= np.array([absence.covers(first + dt.timedelta(n)) for n in range(days)])
    return away


def windows(scenario: Scenario, clock: Clock, root: np.random.SeedSequence) -> list[np.ndarray]:
    """Working windows (minutes) of every officer, in staff order."""
    return [
        clock.windows(
            hours=officer.hour_windows, fte=officer.fte, absent=absent_days(officer, clock, root)
        )
        for officer in scenario.staff
    ]
