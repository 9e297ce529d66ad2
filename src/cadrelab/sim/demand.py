"""The citizens of one replication: every dossier and its attributes, drawn before the run.

Arrivals of each procedure are a Poisson process whose rate follows the office
sessions and the scenario's hour and weekday profile (inversion of the
cumulative rate).  Each dossier's channel (online or in person) and its
duration at every step are drawn from their own streams in arrival order, so
they depend on the seed and the demand only, never on the staffing.

Channel: a dossier is online when its uniform draw is below the online share;
a higher share therefore turns some in-person citizens online and leaves the
others as they were.  Online dossiers are timed as they reach the centre's
queue, during office sessions, like the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cadrelab.sim.clock import Clock
from cadrelab.sim.scenario import Scenario
from cadrelab.sim.streams import stream


@dataclass(frozen=True)
class Dossiers:
    """All dossiers of a replication in arrival order (row = dossier number).

    ``roles`` and ``work`` hold each dossier's own route: the procedure's steps
    for its channel, in order, then -1 (role) and 0 (minutes) after the last.
    """

    procedure: np.ndarray  # int, index into scenario.procedures
    arrival: np.ndarray  # minutes
    online: np.ndarray  # bool
    due: np.ndarray  # minutes: end of the statutory due day
    length: np.ndarray  # steps on the dossier's route
    roles: np.ndarray  # (n, width) role of each step; -1 after the last
    work: np.ndarray  # (n, width) minutes of work at each step; 0 after the last

    def __len__(self) -> int:
        return len(self.arrival)


def draw(scenario: Scenario, clock: Clock, root: np.random.SeedSequence) -> Dossiers:
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
    procedure = np.concatenate([np.full(len(part["arrival"]), p) for p, part in enumerate(parts)])

    def merged(name: str) -> np.ndarray:
        return np.concatenate([part[name] for part in parts])[order]

    deadline = np.array([scenario.deadline(p) for p in scenario.procedures], dtype=np.int64)
    arrival, procedure = arrival[order], procedure[order]
    return Dossiers(
        procedure=procedure,
        arrival=arrival,
        online=merged("online"),
        due=clock.due(arrival, deadline[procedure]),
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
    role_index = scenario.role_index()
    support = scenario.policies.reception_support
    minutes = []
    for j, step in enumerate(procedure.steps):  # every step drawn for every dossier: CRN
        in_person = step.minutes.sample(stream(root, "service", code, j, "in_person"), n)
        if step.online_minutes is not None:
            on_line = step.online_minutes.sample(stream(root, "service", code, j, "online"), n)
        else:
            on_line = in_person
        if support is not None and step.role == support.role:
            in_person = in_person * support.time_factor
        minutes.append(in_person if on_line is in_person else np.where(online, on_line, in_person))
    roles = np.full((n, width), -1, dtype=np.int64)
    work = np.zeros((n, width))
    length = np.zeros(n, dtype=np.int64)
    for channel in (False, True):
        route = [j for j, step in enumerate(procedure.steps) if step.taken_by(channel)]
        rows = np.flatnonzero(online == channel)
        roles[rows, : len(route)] = [role_index[procedure.steps[j].role] for j in route]
        work[rows, : len(route)] = np.column_stack([minutes[j][rows] for j in route])
        length[rows] = len(route)
    return {"arrival": arrival, "online": online, "length": length, "roles": roles, "work": work}


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
