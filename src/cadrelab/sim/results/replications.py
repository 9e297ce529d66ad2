"""Replications, confidence intervals and paired comparisons: the library API.

``run_scenario(scenario)`` runs independent replications (replication ``r``
draws from ``SeedSequence(seed, spawn_key=(r,))``), and returns
:class:`Results`: per-replication figures, per-dossier and per-step records,
and ``summary()``, the JSON-ready dict the CLI writes.  ``compare(base, alts)``
pairs replications with the same number: both saw the same citizens, so the
difference is measured with far less noise than two independent runs.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cadrelab import atomic
from cadrelab.errors import InputError
from cadrelab.sim.engine import draw
from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.engine.office import Office, Records
from cadrelab.sim.engine.steps import OUTSIDE
from cadrelab.sim.results import figures as computed
from cadrelab.sim.results.metrics import DEFAULT_PRECISION, SCOPES, Key, known_keys, metric
from cadrelab.sim.results.stats import Estimate
from cadrelab.sim.scenario.model import MAX_REPLICATIONS, Scenario
from cadrelab.sim.scenario.problems import keyed_error

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Replication:
    index: int
    figures: dict[Key, float]
    records: Records | None


def simulate(
    scenario: Scenario,
    replication: int,
    *,
    seed: int | None = None,
    keep_records: bool = True,
    snapshot_minutes: float | None = None,
    clock: Clock | None = None,
) -> Replication:
    """One replication: draw the citizens and the rota, run the office, compute the figures.

    ``clock`` may be passed in to share it between replications of the same scenario;
    ``snapshot_minutes`` adds live queue snapshots to the records (for validation).
    """
    clock = clock or Clock.for_scenario(scenario)
    root = draw.replication_seeds(scenario.seed if seed is None else seed, replication)
    office = Office(
        scenario,
        clock,
        draw.dossiers(scenario, clock, root),
        draw.rota(scenario, clock, root),
        snapshot_minutes=snapshot_minutes,
    )
    records = office.run()
    figures = computed.compute(scenario, clock, records)
    return Replication(replication, figures, records if keep_records else None)


class Results:
    """The replications of one scenario and everything reported about them."""

    def __init__(self, scenario: Scenario, seed: int, replications: list[Replication]) -> None:
        self.scenario = scenario
        self.seed = seed
        self.replications = replications

    @functools.cached_property
    def clock(self) -> Clock:
        return Clock.for_scenario(self.scenario)

    @property
    def keys(self) -> list[Key]:
        return list(self.replications[0].figures) if self.replications else []

    def values(self, key: Key) -> np.ndarray:
        """The figure ``key`` in each replication (NaN where it is undefined)."""
        return np.array([r.figures.get(key, math.nan) for r in self.replications])

    def estimate(self, key: Key) -> Estimate:
        """Mean over replications with its 95% interval, bounded as the figure is."""
        return metric(key).estimate(self.values(key))

    def summary(self) -> dict[str, object]:
        """Means with 95% intervals, nested as in the JSON the CLI writes."""
        scenario = self.scenario
        out: dict[str, object] = {
            "scenario": scenario.name,
            "calendar": scenario.calendar,
            "start_date": scenario.start_date.isoformat(),
            "horizon_days": scenario.horizon_days,
            "warmup_days": scenario.warmup_days,
            "replications": len(self.replications),
            "seed": self.seed,
            "queue_policy": scenario.policies.queue,
            "roles": {role: {} for role in scenario.roles},
            "officers": {
                o.id: {"name_vi": o.name_vi, "roles": list(o.roles), "fte": o.fte}
                for o in scenario.staff
            },
            "procedures": {
                p.code: {
                    "name_vi": scenario.procedure_name(p),
                    "deadline_days": scenario.deadline(p).days,
                    "deadline_counts": scenario.deadline(p).counts,
                }
                for p in scenario.procedures
            },
            "overall": {},
        }
        for key in self.keys:
            scope, name, figure = key
            target = out["overall"] if scope == "overall" else out[SCOPES[scope]][name]
            target[figure] = self.estimate(key).as_dict()
        return out

    def table(self) -> pd.DataFrame:
        """Every figure of every replication, one row each (tidy)."""
        rows = [
            (r.index, scope, name, metric, value)
            for r in self.replications
            for (scope, name, figure), value in r.figures.items()
        ]
        return pd.DataFrame(rows, columns=["replication", "scope", "name", "metric", "value"])

    def dossiers(self) -> pd.DataFrame:
        """One row per dossier per replication (warm-up included; see ``measured``)."""
        frames = []
        codes = np.array([p.code for p in self.scenario.procedures], dtype=object)
        clock = self.clock
        for rep in self._with_records():
            d, finish = rep.records.dossiers, rep.records.finish
            finished = ~np.isnan(finish)
            frames.append(
                pd.DataFrame(
                    {
                        "replication": rep.index,
                        "dossier": np.arange(len(d)),
                        "procedure": codes[d.procedure],
                        "online": d.online,
                        "arrival_minute": d.arrival,
                        "due_minute": d.due,
                        "finish_minute": finish,
                        "lead_time_working_days": clock.lead_days(d.arrival, finish, d.cutoff),
                        "outside_working_days": np.where(
                            finished, computed.outside_days(rep.records, clock), np.nan
                        ),
                        "on_time": np.where(finished, finish <= d.due, np.nan),
                        "measured": d.arrival >= clock.warmup,
                    }
                )
            )
        return _concat(frames)

    def steps(self) -> pd.DataFrame:
        """One row per step reached: desk steps (``officer`` empty: still queued at the end)
        and steps outside the commune (``role`` names the body, ``outside`` is true)."""
        frames = []
        stations = np.array(list(self.scenario.station_index()), dtype=object)
        officers = np.array([o.id for o in self.scenario.staff], dtype=object)
        for rep in self._with_records():
            s = computed.step_table(rep.records, outside=True)
            who = np.where(s["officer"] >= 0, s["officer"], 0)
            frames.append(
                pd.DataFrame(
                    {
                        "replication": rep.index,
                        "dossier": s["dossier"],
                        "step": s["step"],
                        "role": stations[s["role"]],
                        "outside": s["officer"] == OUTSIDE,
                        "officer": np.where(s["officer"] >= 0, officers[who], ""),
                        "ready_minute": s["ready"],
                        "start_minute": s["start"],
                        "end_minute": s["end"],
                        "wait_minutes": s["start"] - s["ready"],
                    }
                )
            )
        return _concat(frames)

    def queue_lengths(self, every_minutes: float = 60.0) -> pd.DataFrame:
        """Queue length per role at moments ``every_minutes`` apart in open time after the
        warm-up (tidy), for plots by hour of day; computed exactly from the step records."""
        frames = []
        clock = self.clock
        moments = clock.open_moments(every_minutes)
        for rep in self._with_records():
            lengths = computed.queue_lengths(rep.records, len(self.scenario.roles), moments)
            for r, role in enumerate(self.scenario.roles):
                frames.append(
                    pd.DataFrame(
                        {
                            "replication": rep.index,
                            "minute": moments,
                            "hour": (moments % 1440 // 60).astype(int),
                            "role": role,
                            "queue_length": lengths[:, r],
                        }
                    )
                )
        return _concat(frames)

    def _with_records(self) -> list[Replication]:
        if any(r.records is None for r in self.replications):
            raise InputError("records were not kept for this run (keep_records=False)")
        return self.replications


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_scenario(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    *,
    keep_records: bool = True,
    snapshot_minutes: float | None = None,
) -> Results:
    """Run ``replications`` (default: the scenario's) independent replications."""
    count = scenario.replications if replications is None else replications
    if not 1 <= count <= MAX_REPLICATIONS:
        raise keyed_error("sim.error.replications", field="replications", limit=MAX_REPLICATIONS)
    seed = scenario.seed if seed is None else seed
    clock = Clock.for_scenario(scenario)
    done: list[Replication] = []
    for r in range(count):
        done.append(
            simulate(
                scenario,
                r,
                seed=seed,
                keep_records=keep_records,
                snapshot_minutes=snapshot_minutes,
                clock=clock,
            )
        )
        if progress:
            progress(r + 1, count)
    return Results(scenario, seed, done)


def extend(
    results: Results,
    replications: int,
    progress: Progress | None = None,
    *,
    keep_records: bool = True,
) -> Results:
    """``results`` with replications added up to ``replications`` in all (same streams)."""
    done = list(results.replications)
    clock = Clock.for_scenario(results.scenario)
    for r in range(len(done), replications):
        done.append(
            simulate(results.scenario, r, seed=results.seed, keep_records=keep_records, clock=clock)
        )
        if progress:
            progress(r + 1, replications)
    return Results(results.scenario, results.seed, done)


def replications_needed(
    results: Results, relative_half_width: float, keys: Sequence[Key] = DEFAULT_PRECISION
) -> int:
    """Replications for every figure in ``keys`` to reach the target relative half-width.

    The usual sequential rule: n * (current half-width / target half-width)^2.
    """
    n = len(results.replications)
    needed = n
    for key in keys:
        est = results.estimate(key)
        if est.n < 2 or math.isnan(est.half_width) or est.mean == 0:
            continue
        target = relative_half_width * abs(est.mean)
        needed = max(needed, math.ceil(est.n * (est.half_width / target) ** 2))
    return needed


def run_to_precision(
    scenario: Scenario,
    relative_half_width: float,
    *,
    keys: Sequence[Key] = DEFAULT_PRECISION,
    max_replications: int = 200,
    seed: int | None = None,
    progress: Progress | None = None,
    keep_records: bool = True,
) -> Results:
    """Add replications until each figure in ``keys`` has a 95% half-width within
    ``relative_half_width`` of its mean, or ``max_replications`` is reached."""
    if not 0 < relative_half_width < 1:
        raise keyed_error("sim.error.target_half_width", field="target_half_width")
    known = set(known_keys(scenario))
    for key in keys:
        if key not in known:
            raise keyed_error("sim.error.unknown_metric", field="metrics", metric=".".join(key))
    cap = min(max_replications, MAX_REPLICATIONS)
    start = min(max(scenario.replications, 3), cap)
    results = run_scenario(scenario, start, seed, progress, keep_records=keep_records)
    while len(results.replications) < cap:
        needed = min(replications_needed(results, relative_half_width, keys), cap)
        if needed <= len(results.replications):
            break
        results = extend(results, needed, progress, keep_records=keep_records)
    return results


# --- comparison -------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Paired differences (alternative minus base) per figure, per alternative."""

    base: Results
    alternatives: tuple[Results, ...]

    def differences(self, alternative: Results) -> dict[Key, Estimate]:
        theirs = set(alternative.keys)
        keys = [k for k in self.base.keys if k in theirs]
        return {k: metric(k).difference(self.base.values(k), alternative.values(k)) for k in keys}

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {
            "base": self.base.scenario.name,
            "replications": len(self.base.replications),
            "seed": self.base.seed,
            "alternatives": {},
        }
        for alt in self.alternatives:
            block: dict[str, dict] = {"roles": {}, "officers": {}, "procedures": {}, "overall": {}}
            for key, diff in self.differences(alt).items():
                scope, name, figure = key
                entry = {
                    "base": self.base.estimate(key).as_dict(),
                    "alternative": alt.estimate(key).as_dict(),
                    "difference": diff.as_dict(),
                }
                if scope == "overall":
                    block["overall"][figure] = entry
                else:
                    block[SCOPES[scope]].setdefault(name, {})[figure] = entry
            out["alternatives"][alt.scenario.name] = block
        return out

    def table(self) -> pd.DataFrame:
        rows = []
        for alt in self.alternatives:
            for (scope, name, figure), diff in self.differences(alt).items():
                rows.append(
                    {
                        "alternative": alt.scenario.name,
                        "scope": scope,
                        "name": name,
                        "metric": figure,
                        "base": self.base.estimate((scope, name, figure)).mean,
                        "value": alt.estimate((scope, name, figure)).mean,
                        "difference": diff.mean,
                        "low": diff.low,
                        "high": diff.high,
                        "n": diff.n,
                    }
                )
        return pd.DataFrame(rows)


def compare(base: Results, alternatives: Sequence[Results]) -> Comparison:
    """Pair each alternative's replications with the base's (same seed, same count)."""
    for alt in alternatives:
        if alt.seed != base.seed or len(alt.replications) != len(base.replications):
            raise keyed_error("sim.error.unpaired", field=alt.scenario.name)
    return Comparison(base, tuple(alternatives))


def compare_scenarios(
    base: Scenario,
    alternatives: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    *,
    keep_records: bool = False,
) -> Comparison:
    """Run the base and every alternative with the base's seed and replications, and pair them."""
    count = base.replications if replications is None else replications
    seed = base.seed if seed is None else seed
    scenarios = [base, *alternatives]
    total = count * len(scenarios)
    runs = []
    for i, scenario in enumerate(scenarios):

        def step(done: int, _: int, offset: int = i * count) -> None:
            if progress:
                progress(offset + done, total)

        runs.append(run_scenario(scenario, count, seed, step, keep_records=keep_records))
    return compare(runs[0], runs[1:])


# --- files ------------------------------------------------------------------------------
# The same seed gives byte-identical files: keys keep the scenario's order, floats are
# written by the same formatter, nothing depends on the clock.


def write_json(path: Path, data: dict) -> Path:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    return write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def write_text(path: Path, text: str) -> Path:
    """``text`` written atomically (a temporary file renamed): never half a file."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> Path:
    """``data`` written atomically (a temporary file renamed): never half a file."""
    try:
        atomic.write_bytes(Path(path), data)
    except OSError as exc:
        raise keyed_error("sim.error.cannot_write", path, reason=exc.strerror or exc) from None
    return Path(path)


def write_results(
    results: Results, *, json_path: Path | None = None, csv_dir: Path | None = None
) -> list[Path]:
    """Write what was asked for; the paths written, in order."""
    written = []
    if json_path is not None:
        written.append(write_json(json_path, results.summary()))
    if csv_dir is not None:
        csv_dir = Path(csv_dir)
        written += [
            write_csv(csv_dir / "figures.csv", results.table()),
            write_csv(csv_dir / "dossiers.csv", results.dossiers()),
            write_csv(csv_dir / "steps.csv", results.steps()),
            write_csv(csv_dir / "queues.csv", results.queue_lengths()),
        ]
    return written
