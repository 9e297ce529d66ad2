"""Figures of one replication, computed from its records on whole arrays.

Every figure covers the time after the warm-up: dossiers that arrived after it,
steps that entered a queue after it, and working time after it.

* ``wait_minutes`` (role): clock minutes a step waited in the role's queue
  before an officer started it (steps not started by the end are counted in
  ``waiting_at_end``, not in the mean).
* ``utilization`` (officer): minutes spent working on steps over minutes of the
  officer's working windows.  (role): minutes spent on the role's steps over the
  working minutes of every officer who holds the role (each counted in full).
* ``queue_length`` (role): time-average number of steps waiting in the role's
  queue, clock time after the warm-up (exact, from the records).
* ``on_time_rate`` (procedure): share of dossiers whose result was ready by the
  end of the due day, among those whose outcome is known at the end (finished,
  or unfinished and already past due).
* ``lead_time_working_days`` (procedure): working days from the day a dossier
  counts as received to the day its result was ready (finished dossiers);
  ``outside_working_days``: the part of it spent at bodies outside the commune or
  in waiting periods (on the working-day axis of :mod:`cadrelab.sim.engine.clock`),
  ``at_commune_working_days`` the rest.
* ``late_per_working_day``: dossiers late (finished after the due day, or
  unfinished and past it), split into ``late_outside_per_working_day`` — those whose
  time outside alone exceeded their deadline, late whatever the commune did, and those
  still outside past their due day at the end — and ``late_at_commune_per_working_day``,
  the others.
* ``counter_wait_minutes`` (overall): wait of in-person citizens before their
  first step.

The figures come out keyed and ordered as :data:`cadrelab.sim.results.metrics.METRICS`
lists them; role figures cover desk steps only.
"""

from __future__ import annotations

import numpy as np

from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.engine.office import Records
from cadrelab.sim.results.metrics import Key, known_keys
from cadrelab.sim.scenario.model import Scenario


def step_table(records: Records, *, outside: bool = False) -> dict[str, np.ndarray]:
    """One row per desk step that entered a queue (with ``outside``, every step that was
    reached, outside ones too), by dossier and step, with its station and end."""
    stations = records.dossiers.roles
    kept = stations >= 0 if outside else (stations >= 0) & (stations < records.desks)
    entered = (~np.isnan(records.ready) & kept).ravel()
    dossier, step = np.divmod(np.flatnonzero(entered), records.ready.shape[1])
    following = np.full(records.ready.shape, np.nan)
    following[:, :-1] = records.ready[:, 1:]  # a step ends when the next one is ready
    return {
        "dossier": dossier,
        "step": step,
        "role": records.dossiers.roles.ravel()[entered],
        "officer": records.officer.ravel()[entered],
        "ready": records.ready.ravel()[entered],
        "start": records.start.ravel()[entered],
        "end": following.ravel()[entered],
        "worked_until": records.worked_until.ravel()[entered],
    }


def compute(scenario: Scenario, clock: Clock, records: Records) -> dict[Key, float]:
    """All figures of one replication, keyed (scope, name, metric), in report order."""
    steps = step_table(records)
    figures: dict[Key, float] = {}
    figures.update(_role_and_officer_figures(scenario, clock, records, steps))
    figures.update(_procedure_figures(scenario, clock, records))
    return {key: figures[key] for key in known_keys(scenario)}


def _working_minutes(windows: np.ndarray, moments: np.ndarray) -> np.ndarray:
    """Minutes of ``windows`` before each of ``moments``."""
    if not len(windows):
        return np.zeros(len(moments))
    cumulative = np.cumsum(windows[:, 1] - windows[:, 0])
    values = np.empty(2 * len(windows))
    values[0::2] = cumulative - (windows[:, 1] - windows[:, 0])
    values[1::2] = cumulative
    return np.interp(moments, windows.ravel(), values)


def _role_and_officer_figures(
    scenario: Scenario, clock: Clock, records: Records, steps: dict[str, np.ndarray]
) -> dict[Key, float]:
    warmup, horizon = clock.warmup, clock.horizon
    n_roles = len(scenario.roles)
    started = np.flatnonzero(~np.isnan(steps["start"]))
    # grouped by officer, each officer's steps stay in time order: lookups run in order
    started = started[np.argsort(steps["officer"][started].astype(np.int16), kind="stable")]
    officer = steps["officer"][started]
    begin = np.maximum(steps["start"][started], warmup)
    done = np.minimum(np.nan_to_num(steps["worked_until"][started], nan=horizon), horizon)
    # every officer's time line laid end to end, so one interpolation serves them all
    shift = horizon + 1.0
    n_officers = len(records.windows)
    windows = np.concatenate(
        [w + k * shift for k, w in enumerate(records.windows)] + [np.empty((0, 2))]
    )
    ends = np.arange(n_officers) * shift
    worked = _working_minutes(
        windows,
        np.concatenate(
            [begin + officer * shift, done + officer * shift, ends + warmup, ends + horizon]
        ),
    )
    n = len(started)
    busy = np.maximum(worked[n : 2 * n] - worked[:n], 0.0)
    available = worked[2 * n + n_officers :] - worked[2 * n : 2 * n + n_officers]
    officer_busy = np.bincount(officer, weights=busy, minlength=len(records.windows))
    busy_role = np.bincount(steps["role"][started], weights=busy, minlength=n_roles)
    role_index = scenario.role_index()
    role_available = np.zeros(n_roles)
    for k, person in enumerate(scenario.staff):
        for role in person.roles:
            role_available[role_index[role]] += available[k]

    role = steps["role"]
    wait = steps["start"] - steps["ready"]
    measured = (steps["ready"] >= warmup) & ~np.isnan(wait)
    waits = _group_mean(role[measured], wait[measured], n_roles)
    counted = np.bincount(role[measured], minlength=n_roles)
    queued_at_end = np.bincount(role[np.isnan(steps["start"])], minlength=n_roles)
    waited = np.clip(np.nan_to_num(steps["start"], nan=horizon), warmup, horizon) - np.clip(
        steps["ready"], warmup, horizon
    )
    queue_length = np.bincount(role, weights=waited, minlength=n_roles) / (horizon - warmup)
    days = max(clock.measured_working_days, 1)
    figures: dict[Key, float] = {}
    for r, name in enumerate(scenario.roles):
        figures["role", name, "wait_minutes"] = float(waits[r])
        figures["role", name, "utilization"] = _ratio(busy_role[r], role_available[r])
        figures["role", name, "queue_length"] = float(queue_length[r])
        figures["role", name, "steps_per_working_day"] = counted[r] / days
        figures["role", name, "waiting_at_end"] = float(queued_at_end[r])
    for k, person in enumerate(scenario.staff):
        figures["officer", person.id, "utilization"] = _ratio(officer_busy[k], available[k])
    figures["overall", "all", "wait_minutes"] = _mean(wait[measured])
    in_person_first = measured & (steps["step"] == 0) & ~records.dossiers.online[steps["dossier"]]
    figures["overall", "all", "counter_wait_minutes"] = _mean(wait[in_person_first])
    return figures


def queue_lengths(records: Records, n_roles: int, moments: np.ndarray) -> np.ndarray:
    """(moments, roles): steps waiting in each role's queue at each moment."""
    steps = step_table(records)
    lengths = np.zeros((len(moments), n_roles))
    for r in range(n_roles):
        mine = steps["role"] == r
        entered = np.sort(steps["ready"][mine])
        left = np.sort(np.nan_to_num(steps["start"][mine], nan=np.inf))
        lengths[:, r] = np.searchsorted(entered, moments, side="right") - np.searchsorted(
            left, moments, side="right"
        )
    return lengths


def outside_days(records: Records, clock: Clock) -> np.ndarray:
    """Per dossier: working days spent outside the commune so far (steps it came back from,
    and the one it is still at, up to the horizon)."""
    outside = records.dossiers.roles >= records.desks
    if not outside.any():
        return np.zeros(len(records.dossiers))
    back = np.full(records.ready.shape, np.nan)
    back[:, :-1] = records.ready[:, 1:]
    back = np.where(np.isnan(back), clock.horizon, back)
    gone = clock.working_positions(back) - clock.working_positions(records.ready)
    return np.where(outside & ~np.isnan(records.ready), gone, 0.0).sum(axis=1)


def _outside_now(records: Records) -> np.ndarray:
    """Per dossier: its latest step reached is outside the commune (it is there at the end)."""
    reached = ~np.isnan(records.ready)
    latest = np.where(reached.any(axis=1), reached.shape[1] - 1 - np.argmax(reached[:, ::-1], 1), 0)
    station = records.dossiers.roles[np.arange(len(latest)), latest]
    return station >= records.desks


def _procedure_figures(scenario: Scenario, clock: Clock, records: Records) -> dict[Key, float]:
    dossiers = records.dossiers
    measured = dossiers.arrival >= clock.warmup
    finish = records.finish
    finished = ~np.isnan(finish)
    on_time = finished & (finish <= dossiers.due)
    late = (finished & (finish > dossiers.due)) | (~finished & (dossiers.due <= clock.horizon))
    lead = clock.lead_days(dossiers.arrival, finish, dossiers.cutoff)
    outside = outside_days(records, clock)
    allowed = clock.working_positions(dossiers.due) - clock.working_positions(dossiers.arrival)
    late_outside = late & ((outside >= allowed) | (~finished & _outside_now(records)))
    at_commune = np.maximum(lead - outside, 0.0)
    days = max(clock.measured_working_days, 1)
    n = len(scenario.procedures)
    group = dossiers.procedure[measured]

    def count(flag: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=flag[measured], minlength=n)

    def mean_of_finished(values: np.ndarray) -> np.ndarray:
        return _group_mean(group[finished[measured]], values[measured & finished], n)

    arrived = np.bincount(group, minlength=n)
    per_procedure = {
        "dossiers_per_working_day": arrived / days,
        "on_time_rate": _ratios(count(on_time), count(on_time | late)),
        "lead_time_working_days": mean_of_finished(lead),
        "at_commune_working_days": mean_of_finished(at_commune),
        "outside_working_days": mean_of_finished(outside),
        "late_per_working_day": count(late) / days,
        "late_at_commune_per_working_day": count(late & ~late_outside) / days,
        "late_outside_per_working_day": count(late_outside) / days,
        "unfinished_at_end": count(~finished),
    }
    figures: dict[Key, float] = {}
    for p, procedure in enumerate(scenario.procedures):
        for metric, values in per_procedure.items():
            figures["procedure", procedure.code, metric] = float(values[p])
    decided = (on_time | late) & measured
    done = measured & finished
    figures.update(
        {
            ("overall", "all", "dossiers_per_working_day"): measured.sum() / days,
            ("overall", "all", "on_time_rate"): _ratio((on_time & measured).sum(), decided.sum()),
            ("overall", "all", "lead_time_working_days"): _mean(lead[done]),
            ("overall", "all", "at_commune_working_days"): _mean(at_commune[done]),
            ("overall", "all", "outside_working_days"): _mean(outside[done]),
            ("overall", "all", "late_per_working_day"): (late & measured).sum() / days,
            ("overall", "all", "late_at_commune_per_working_day"): (
                (late & ~late_outside & measured).sum() / days
            ),
            ("overall", "all", "late_outside_per_working_day"): (
                (late_outside & measured).sum() / days
            ),
            ("overall", "all", "unfinished_at_end"): float((measured & ~finished).sum()),
        }
    )
    return figures


def _group_mean(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Mean of ``values`` per group 0..n-1 (NaN for an empty group)."""
    return _ratios(np.bincount(group, weights=values, minlength=n), np.bincount(group, minlength=n))


def _ratios(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1e-300), np.nan)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")
