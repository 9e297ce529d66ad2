"""Sweeps: many cases, each a scenario with its replications, run in parallel into one table.

A sweep file names a base scenario and its variants.  With ``provinces`` every
commune of those provinces (counts from the provinces table) becomes a case: the
variants are shared out among each province's communes by their ``share``
(largest remainder), each commune gets its own seed, and optionally its own
demand scale drawn from ``demand_scale``.  Without ``provinces`` each variant is
one case.

**Replications stop at the stated precision.**  With a ``precision`` block, a case
runs ``min_replications`` first and adds one at a time until every figure named in
``half_widths`` has a 95% half-width at or below its target (in the figure's own
unit: 0.02 for an on-time rate is ±2 points), or ``replications`` is reached.
Without it, every case runs ``replications``.

**Running.**  Local worker processes (``concurrent.futures``) start once, each
building the sweep's variants from the spec once; cases then travel as small
tuples (variant, seed, demand scale, labels) in chunks, and each worker keeps one
clock per time frame.  A Dask distributed cluster takes the same chunks when its
scheduler address is given.  The hot path — simulate, compute figures, check
precision — is numpy only; the one tidy table (a row per case, replication and
figure, sorted the same way whatever order the workers finished in) is built once
at the end.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cadrelab.errors import InputError
from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.engine.draw import stream
from cadrelab.sim.results.metrics import Key, key_text, metric, parse_key
from cadrelab.sim.results.replications import simulate, write_csv
from cadrelab.sim.scenario import catalogue
from cadrelab.sim.scenario.distributions import Distribution
from cadrelab.sim.scenario.edit import total_arrivals
from cadrelab.sim.scenario.files import load_merged, parse_scenario, read_yaml
from cadrelab.sim.scenario.model import (
    MAX_ARRIVALS_PER_DAY,
    MAX_HORIZON_DAYS,
    MAX_REPLICATIONS,
    Identifier,
    Scenario,
)
from cadrelab.sim.scenario.problems import input_error, keyed_error, problem

DEFAULT_METRICS = ("overall.*", "roles.*.wait_minutes", "roles.*.utilization")
MAX_CASES = 100_000
#: Chunks per worker: enough to even out uneven cases, few enough to keep overhead low.
CHUNKS_PER_WORKER = 8

LABELS = ["case", "province_code", "province", "commune", "variant", "demand_scale", "seed"]
COLUMNS = [*LABELS, "replication", "scope", "name", "metric", "value"]


class Variant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Identifier
    scenario: str | None = None
    share: Annotated[float, Field(strict=True, ge=0, le=1)] | None = None


class Precision(BaseModel):
    """When a case has replications enough: every named figure's 95% half-width on target."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    min_replications: Annotated[int, Field(strict=True, ge=2, le=MAX_REPLICATIONS)] = 3
    half_widths: dict[str, Annotated[float, Field(gt=0)]] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _known_figures(self) -> Precision:
        for text in self.half_widths:
            try:
                parse_key(text)
            except InputError:
                raise problem(
                    "sim.error.unknown_metric", ("half_widths", text), metric=text
                ) from None
        return self

    def keys(self) -> dict[Key, float]:
        return {parse_key(text): target for text, target in self.half_widths.items()}


class SweepSpec(BaseModel):
    """A sweep file, validated; see ``simulations/national.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Identifier
    scenario: str
    replications: Annotated[int, Field(strict=True, ge=1, le=MAX_REPLICATIONS)] = 10
    precision: Precision | None = None
    seed: Annotated[int, Field(strict=True, ge=0, lt=2**63)] = 1
    horizon_days: Annotated[int, Field(strict=True, ge=1, le=MAX_HORIZON_DAYS)] | None = None
    warmup_days: Annotated[int, Field(strict=True, ge=0, le=MAX_HORIZON_DAYS)] | None = None
    provinces: Literal["all"] | tuple[Annotated[str, Field(pattern=r"^\d{2}$")], ...] | None = None
    communes_per_province: Annotated[int, Field(strict=True, ge=1)] | None = None
    demand_scale: Distribution | None = None
    variants: tuple[Variant, ...] = Field(
        default=(Variant(name="base"),), min_length=1, max_length=100
    )
    metrics: tuple[str, ...] = Field(default=DEFAULT_METRICS, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        names = [v.name for v in self.variants]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise problem("sim.error.duplicate", ("variants", i, "name"), value=name)
        if self.provinces is not None:
            shares = [v.share for v in self.variants]
            if any(s is None for s in shares):
                raise problem("sim.error.variant_share", ("variants", shares.index(None), "share"))
            if abs(sum(shares) - 1) > 1e-6:
                raise problem("sim.error.shares_sum", "variants", total=round(sum(shares), 6))
        if self.precision and self.precision.min_replications > self.replications:
            raise problem(
                "sim.error.min_replications",
                ("precision", "min_replications"),
                limit=self.replications,
            )
        return self


@dataclass(frozen=True)
class Case:
    """One commune (or variant) to replicate: small and picklable.

    ``variant`` indexes the sweep's variants; the scenario is built from it, the seed
    and the demand scale where the case runs (:meth:`Sweep.scenario`).
    """

    index: int
    variant: int
    labels: dict[str, object]  # LABELS without "case"


@dataclass(frozen=True)
class Sweep:
    name: str
    replications: int
    precision: Precision | None
    variants: tuple[Scenario, ...]
    metrics: tuple[str, ...]
    cases: list[Case]

    def scenario(self, case: Case) -> Scenario:
        """The scenario of ``case``: its variant, demand scale and seed."""
        return _scaled(self.variants[case.variant], case.labels["demand_scale"]).model_copy(
            update={"seed": case.labels["seed"]}
        )


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file and expand it into cases."""
    path = Path(path)
    data = read_yaml(path)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, path) from None
    return expand(spec, path.parent, source=path)


def expand(spec: SweepSpec, folder: Path, source: Path | None = None) -> Sweep:
    """The cases of ``spec``; scenario paths are relative to ``folder``."""
    base = _scenario_dict(folder, spec.scenario, source, "scenario")
    variants = []
    for i, variant in enumerate(spec.variants):
        data = (
            base
            if variant.scenario is None
            else _scenario_dict(folder, variant.scenario, source, f"variants[{i}].scenario")
        )
        data = dict(data, replications=spec.replications)
        if spec.horizon_days is not None:
            data["horizon_days"] = spec.horizon_days
        if spec.warmup_days is not None:
            data["warmup_days"] = spec.warmup_days
        variants.append(parse_scenario(data, source=folder / (variant.scenario or spec.scenario)))
    places = list(_communes(spec, source, variants[0].start_date))
    if len(places) > MAX_CASES:
        raise keyed_error("sim.error.too_many_cases", source, field="provinces", limit=MAX_CASES)
    if not places:
        places = [(None, 0, i) for i in range(len(spec.variants))]
    scales = _demand_scales(spec, len(places)) if spec.provinces else np.ones(len(places))
    cases = []
    for index, ((province, commune, variant), drawn) in enumerate(zip(places, scales, strict=True)):
        scale = round(float(drawn), 4)
        _check_scale(variants[variant], scale, source)
        seed = int(np.random.SeedSequence([spec.seed, index]).generate_state(1, np.uint64)[0] >> 1)
        labels = {
            "province_code": province.code if province else "",
            "province": province.name_vi if province else "",
            "commune": commune,
            "variant": spec.variants[variant].name,
            "demand_scale": scale,
            "seed": seed,
        }
        cases.append(Case(index, variant, labels))
    return Sweep(spec.name, spec.replications, spec.precision, tuple(variants), spec.metrics, cases)


def _scenario_dict(folder: Path, name: str, source: Path | None, field: str) -> dict:
    path = folder / name
    if not path.is_file():
        raise keyed_error("sim.error.scenario_missing", source, field=field, file_name=name)
    return load_merged(path)


def _communes(spec: SweepSpec, source: Path | None, on: dt.date) -> Iterator[tuple]:
    """(province, commune number, variant index) for every commune in the sweep, with the
    provinces in force on ``on`` (the start of the simulated period)."""
    if spec.provinces is None:
        return
    known = {p.code: p for p in catalogue.provinces(on=on)}
    codes = list(known) if spec.provinces == "all" else list(spec.provinces)
    for i, code in enumerate(codes):
        if code not in known:
            raise keyed_error(
                "sim.error.unknown_province", source, field=f"provinces[{i}]", code=code
            )
        province = known[code]
        count = province.communes
        if spec.communes_per_province is not None:
            count = min(count, spec.communes_per_province)
        variant_of = np.repeat(
            np.arange(len(spec.variants)),
            _largest_remainder([v.share for v in spec.variants], count),
        )
        for commune in range(count):
            yield province, commune + 1, int(variant_of[commune])


def _largest_remainder(shares: list[float], total: int) -> np.ndarray:
    exact = np.array(shares) * total
    counts = np.floor(exact).astype(int)
    short = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _demand_scales(spec: SweepSpec, n: int) -> np.ndarray:
    if spec.demand_scale is None:
        return np.ones(n)
    return spec.demand_scale.sample(stream(np.random.SeedSequence(spec.seed), "demand_scale"), n)


def _check_scale(scenario: Scenario, scale: float, source: Path | None) -> None:
    total = scale * total_arrivals(scenario)
    if total > MAX_ARRIVALS_PER_DAY:
        raise keyed_error(
            "sim.error.scaled_demand",
            source,
            field="demand_scale",
            scale=scale,
            total=round(total),
            limit=MAX_ARRIVALS_PER_DAY,
        )


def _scaled(scenario: Scenario, scale: float) -> Scenario:
    """The scenario with every arrival rate multiplied by ``scale``."""
    if scale == 1.0:
        return scenario
    update: dict[str, object] = {
        "procedures": tuple(
            p
            if p.arrivals_per_day is None
            else p.model_copy(update={"arrivals_per_day": p.arrivals_per_day * scale})
            for p in scenario.procedures
        )
    }
    if scenario.demand is not None:
        update["demand"] = scenario.demand.model_copy(
            update={"arrivals_per_day": scenario.demand.arrivals_per_day * scale}
        )
    return scenario.model_copy(update=update)


# --- running: the hot path ---------------------------------------------------------------


class Worker:
    """What one worker process keeps between chunks: the sweep and which figures it wants
    (the clock of each time frame is kept by :meth:`Clock.for_scenario`)."""

    def __init__(self, sweep: Sweep) -> None:
        self.sweep = sweep
        self.wanted: dict[Key, bool] = {}

    def run_case(self, case: Case) -> list[tuple]:
        """The replications of one case as table rows (numpy only, no pandas)."""
        sweep = self.sweep
        scenario = sweep.scenario(case)
        clock = Clock.for_scenario(scenario)
        targets = sweep.precision.keys() if sweep.precision else {}
        first = sweep.precision.min_replications if sweep.precision else sweep.replications
        done = []
        for r in range(sweep.replications):
            done.append(simulate(scenario, r, keep_records=False, clock=clock).figures)
            if r + 1 >= first and _precise(done, targets):
                break
        labels = case.labels
        head = (
            case.index,
            labels["province_code"],
            labels["province"],
            labels["commune"],
            labels["variant"],
            labels["demand_scale"],
            labels["seed"],
        )
        return [
            (*head, r, *key, figures[key])
            for r, figures in enumerate(done)
            for key in figures
            if self._wanted(key)
        ]

    def _wanted(self, key: Key) -> bool:
        if key not in self.wanted:
            text = key_text(key)
            self.wanted[key] = any(fnmatch.fnmatchcase(text, p) for p in self.sweep.metrics)
        return self.wanted[key]


def _precise(done: Sequence[dict[Key, float]], targets: dict[Key, float]) -> bool:
    """Every target figure's 95% half-width is on target (undefined figures do not count)."""
    for key, target in targets.items():
        est = metric(key).estimate([figures.get(key, math.nan) for figures in done])
        if est.n >= 2 and not est.half_width <= target:
            return False
    return True


_worker: Worker | None = None


def _start_worker(sweep: Sweep) -> None:
    """Process pool initializer: the sweep arrives once per worker, not once per case."""
    global _worker
    _worker = Worker(sweep)


def _run_chunk(chunk: list[Case]) -> list[tuple[int, list[tuple]]]:
    return [(case.index, _worker.run_case(case)) for case in chunk]


def _run_chunk_with(sweep: Sweep, chunk: list[Case]) -> list[tuple[int, list[tuple]]]:
    """A chunk on a Dask worker: its worker object is kept per sweep between chunks."""
    global _worker
    if _worker is None or _worker.sweep is not sweep:
        _worker = Worker(sweep)
    return _run_chunk(chunk)


def chunks(cases: list[Case], workers: int) -> list[list[Case]]:
    """Cases in about ``CHUNKS_PER_WORKER`` chunks per worker, in case order."""
    size = max(1, math.ceil(len(cases) / (workers * CHUNKS_PER_WORKER)))
    return [cases[i : i + size] for i in range(0, len(cases), size)]


def run_sweep(
    sweep: Sweep,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
    progress_bar: bool = False,
) -> pd.DataFrame:
    """Run every case; local processes by default, a Dask cluster given its address.

    The table's ``attrs["replications"]`` holds the replications run over all cases.
    """
    total = len(sweep.cases)
    bar = None
    if progress_bar:
        from tqdm import tqdm

        bar = tqdm(total=total, desc=sweep.name, unit="case")
    done = 0
    rows: dict[int, list[tuple]] = {}
    try:
        for finished in _execute(sweep, workers, scheduler, connect_timeout):
            for index, case_rows in finished:
                rows[index] = case_rows
            done += len(finished)
            if bar is not None:
                bar.update(len(finished))
            if progress:
                progress(done, total)
    finally:
        if bar is not None:
            bar.close()
    table = pd.DataFrame([r for i in sorted(rows) for r in rows[i]], columns=COLUMNS)
    table.attrs["replications"] = (
        int(table.groupby("case")["replication"].nunique().sum()) if len(table) else 0
    )
    return table


def _execute(
    sweep: Sweep, workers: int | None, scheduler: str | None, connect_timeout: float
) -> Iterator[list[tuple[int, list[tuple]]]]:
    if scheduler:
        yield from _on_dask(sweep, scheduler, connect_timeout)
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        local = Worker(sweep)
        for case in sweep.cases:
            yield [(case.index, local.run_case(case))]
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(sweep,)
    ) as pool:
        futures = [pool.submit(_run_chunk, chunk) for chunk in chunks(sweep.cases, workers)]
        for future in as_completed(futures):
            yield future.result()


def _on_dask(
    sweep: Sweep, address: str, connect_timeout: float
) -> Iterator[list[tuple[int, list[tuple]]]]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise keyed_error("sim.error.no_dask", field="scheduler") from None
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise keyed_error("sim.error.scheduler", field="scheduler", reason=exc) from None
    with client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shared = client.scatter(sweep, broadcast=True)
        futures = [
            client.submit(_run_chunk_with, shared, chunk, pure=False)
            for chunk in chunks(sweep.cases, workers)
        ]
        for future in dask_completed(futures, loop=client.loop):
            yield future.result()


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    return write_csv(Path(path), table)
