"""What one replication draws before the run: its citizens and dossiers, and who is at work.

**Streams.**  A replication's random streams are children of ``SeedSequence(seed)``
keyed by the replication number and then by names (``"arrivals", "HT-KS"``;
``"service", "DD-CN", 2, "in_person"``; ``"absence", "pct-1"``), never by
position.  Adding an officer, a procedure or a step therefore leaves every other
stream untouched: two scenarios with the same seed see the same citizens (common
random numbers), which is what makes their comparison fair.

**Citizens.**  Arrivals of each procedure are a Poisson process whose rate follows
the office sessions and the scenario's hour and weekday profile (inversion of the
cumulative rate).  Each dossier's channel (online or in person) and the amount of
every step of its route (minutes of desk work, days outside) are drawn from their
own streams in arrival order, so they depend on the seed and the demand only, never
on the staffing.  A dossier is online when its uniform draw is below the online
share: a higher share turns some in-person citizens online and leaves the others as
they were.  Its deadline is read for its own receipt date.

**Rota.**  An officer works the office sessions of working days, cut to their
``hours`` and ``fte``, except the days they are absent.  Random absence is one draw
per calendar day from the officer's own stream, so the same officer is absent on the
same days in every scenario that shares the seed.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.scenario.model import Officer, Scenario


def replication_seeds(seed: int, replication: int) -> np.random.SeedSequence:
    """The root of replication ``replication`` (the same as ``SeedSequence(seed).spawn``)."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def stream(root: np.random.SeedSequence, *names: str | int) -> np.random.Generator:
    """The generator for the activity ``names`` below ``root``."""
    key = tuple(zlib.crc32(str(name).encode("utf-8")) for name in names)
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))
    return np.random.Generator(np.random.PCG64(child))


@dataclass(frozen=True)
class Dossiers:
    """All dossiers of a replication in arrival order (row = dossier number).

    ``roles`` and ``work`` hold each dossier's own route: the procedure's steps for
    its channel, in order, then -1 (station) and 0 (amount) after the last.  A
    station below the number of roles is a desk role (amount: minutes of work); the
    others are the scenario's ``outside`` entries (amount: days of delay).
    """

    procedure: np.ndarray  # int, index into scenario.procedures
    arrival: np.ndarray  # minutes
    online: np.ndarray  # bool
    due: np.ndarray  # minutes: end of the statutory due day
    cutoff: np.ndarray  # bool: the same-day cut-off applies (received after it: next day)
    length: np.ndarray  # steps on the dossier's route
    roles: np.ndarray  # (n, width) station of each step; -1 after the last
    work: np.ndarray  # (n, width) amount of each step; 0 after the last

    def __len__(self) -> int:
        return len(self.arrival)


def dossiers(scenario: Scenario, clock: Clock, root: np.random.SeedSequence) -> Dossiers:
    """Every dossier of one replication."""
    width = 1 + max(
        sum(step.taken_by(online) for step in p.steps)
        for p in scenario.procedures
        for online in (False, True)
    )
    parts = [
        _draw_procedure(
            scenario, clock, root, p, width, clock.arrival_slots(scenario.profile(procedure))
        )
        for p, procedure in enumerate(scenario.procedures)
    ]
    arrival = np.concatenate([part["arrival"] for part in parts])
    order = np.argsort(arrival, kind="stable")

    def merged(name: str) -> np.ndarray:
        return np.concatenate([part[name] for part in parts])[order]

    procedure = np.concatenate([np.full(len(part["arrival"]), p) for p, part in enumerate(parts)])
    procedure, arrival = procedure[order], arrival[order]
    due, cutoff = _due(scenario, clock, procedure, arrival)
    return Dossiers(
        procedure=procedure,
        arrival=arrival,
        online=merged("online"),
        due=due,
        cutoff=cutoff,
        length=merged("length"),
        roles=merged("roles"),
        work=merged("work"),
    )


def _draw_procedure(
    scenario: Scenario,
    clock: Clock,
    root: np.random.SeedSequence,
    index: int,
    width: int,
    slots: tuple[np.ndarray, np.ndarray],
) -> dict[str, np.ndarray]:
    procedure = scenario.procedures[index]
    code = procedure.code
    arrival = _poisson_times(
        stream(root, "arrivals", code), *slots, scenario.arrivals_per_day(procedure)
    )
    n = len(arrival)
    online = stream(root, "online", code).random(n) < scenario.online_share(procedure)
    stations = scenario.station_index()
    support = scenario.policies.reception_support
    amounts = [  # every step drawn for every dossier: common random numbers
        step.amounts(
            lambda name, j=j: stream(root, "service", code, j, name),
            n,
            online,
            support.time_factor
            if support is not None and getattr(step, "role", None) == support.role
            else 1.0,
        )
        for j, step in enumerate(procedure.steps)
    ]
    roles = np.full((n, width), -1, dtype=np.int64)
    work = np.zeros((n, width))
    length = np.zeros(n, dtype=np.int64)
    for channel in (False, True):
        route = [j for j, step in enumerate(procedure.steps) if step.taken_by(channel)]
        rows = np.flatnonzero(online == channel)
        roles[rows, : len(route)] = [stations[procedure.steps[j].station_name] for j in route]
        work[rows, : len(route)] = np.column_stack([amounts[j][rows] for j in route])
        length[rows] = len(route)
    return {
        "arrival": arrival,
        "online": online,
        "length": length,
        "roles": roles,
        "work": work,
    }


def _due(
    scenario: Scenario, clock: Clock, procedure: np.ndarray, arrival: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """End of each dossier's due day, its deadline read for its own receipt date (one call to
    the calendar for all dossiers), and whether the same-day cut-off applies to it."""
    days, by_calendar, cutoff = clock.memo(
        ("deadlines", _deadline_key(scenario)), lambda: _deadlines(scenario, clock)
    )
    day = np.minimum((arrival // 1440).astype(np.int64), clock.horizon_days - 1)
    applies = cutoff[procedure, day]
    due = clock.due(
        arrival, days[procedure, day], calendar_days=by_calendar[procedure, day], cutoff=applies
    )
    return due, applies


def _deadline_key(scenario: Scenario) -> tuple:
    return tuple(
        (p.code, p.deadline_working_days, p.deadline_calendar_days) for p in scenario.procedures
    )


def _deadlines(scenario: Scenario, clock: Clock) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(procedures, days of the horizon): the deadline for receipt on each day in days, whether
    they are calendar days, and whether the same-day cut-off applies."""
    days = np.zeros((len(scenario.procedures), clock.horizon_days), dtype=np.int64)
    by_calendar = np.zeros(days.shape, dtype=bool)
    cutoff = np.zeros(days.shape, dtype=bool)
    for p, procedure in enumerate(scenario.procedures):
        for n in range(clock.horizon_days):
            deadline = scenario.deadline(procedure, clock.start_date + dt.timedelta(n))
            days[p, n] = deadline.days
            by_calendar[p, n] = deadline.counts == "calendar"
            cutoff[p, n] = deadline.cutoff
    return days, by_calendar, cutoff


def _poisson_times(
    rng: np.random.Generator, slots: np.ndarray, rates: np.ndarray, per_day: float
) -> np.ndarray:
    """Arrival times of a Poisson process with rate ``per_day * rates`` over ``slots``."""
    if not len(rates) or per_day <= 0:
        return np.empty(0)
    rates = rates * per_day
    mass = rates * (slots[:, 1] - slots[:, 0])
    cumulative = np.cumsum(mass)
    total = float(cumulative[-1])
    chunk = int(total + 6 * np.sqrt(total) + 16)
    points = np.cumsum(rng.exponential(1.0, chunk))
    while points[-1] < total:
        points = np.concatenate([points, points[-1] + np.cumsum(rng.exponential(1.0, chunk))])
    points = points[points < total]
    slot = np.searchsorted(cumulative, points, side="right")
    before = np.concatenate([[0.0], cumulative])[slot]
    return slots[slot, 0] + (points - before) / rates[slot]


# --- who is at work ---------------------------------------------------------------------


def absent_days(officer: Officer, clock: Clock, root: np.random.SeedSequence) -> np.ndarray:
    """True on each day of the horizon the officer is away."""
    absence = officer.absence
    days = clock.horizon_days
    away = stream(root, "absence", officer.id).random(days) < absence.daily_probability
    if absence.dates or absence.periods:
        first = clock.start_date
        away |= np.array([absence.covers(first + dt.timedelta(n)) for n in range(days)])
    return away


def rota(scenario: Scenario, clock: Clock, root: np.random.SeedSequence) -> list[np.ndarray]:
    """Working windows (minutes) of every officer, in staff order."""
    return [
        clock.windows(
            hours=officer.hour_windows, fte=officer.fte, absent=absent_days(officer, clock, root)
        )
        for officer in scenario.staff
    ]
