"""Sweeps: many cases, each a scenario with its replications, run in parallel into one table.

A sweep file names a base scenario and its variants.  With ``provinces`` every
commune of those provinces (counts from ``provinces.csv``) becomes a case: the
variants are shared out among each province's communes by their ``share``
(largest remainder), each commune gets its own seed, and optionally its own
demand scale drawn from ``demand_scale``.  Without ``provinces`` each variant is
one case.

Cases run in local worker processes (``concurrent.futures``) by default, or on
a Dask distributed cluster when its scheduler address is given.  The result is
one tidy table: a row per case, replication and figure, sorted the same way
whatever order the workers finished in.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cadrelab import reference
from cadrelab.sim.distributions import Distribution
from cadrelab.sim.edit import total_arrivals
from cadrelab.sim.io import write_csv
from cadrelab.sim.loading import load_merged, parse_scenario, read_yaml
from cadrelab.sim.problems import input_error, keyed_error, problem
from cadrelab.sim.run import SCOPES, run_scenario
from cadrelab.sim.scenario import (
    MAX_ARRIVALS_PER_DAY,
    MAX_HORIZON_DAYS,
    MAX_REPLICATIONS,
    Identifier,
    Scenario,
)
from cadrelab.sim.streams import stream

DEFAULT_METRICS = ("overall.*", "roles.*.wait_minutes", "roles.*.utilization")
MAX_CASES = 100_000

COLUMNS = [
    "case",
    "province_code",
    "province",
    "commune",
    "variant",
    "demand_scale",
    "seed",
    "replication",
    "scope",
    "name",
    "metric",
    "value",
]


class Variant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Identifier
    scenario: str | None = None
    share: Annotated[float, Field(strict=True, ge=0, le=1)] | None = None


class SweepSpec(BaseModel):
    """A sweep file, validated; see ``simulations/national.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Identifier
    scenario: str
    replications: Annotated[int, Field(strict=True, ge=1, le=MAX_REPLICATIONS)] = 10
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
        return self


@dataclass(frozen=True)
class Case:
    """One scenario to replicate, with the labels it carries into the table."""

    index: int
    scenario: Scenario
    labels: dict[str, object]
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class Sweep:
    name: str
    replications: int
    cases: list[Case]


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
        variants.append(
            (variant, parse_scenario(data, source=folder / (variant.scenario or spec.scenario)))
        )
    places = list(_communes(spec, source))
    if len(places) > MAX_CASES:
        raise keyed_error("sim.error.too_many_cases", source, field="provinces", limit=MAX_CASES)
    cases = []
    if not places:
        for variant, scenario in variants:
            labels = {
                "province_code": "",
                "province": "",
                "commune": 0,
                "variant": variant.name,
                "demand_scale": 1.0,
            }
            cases.append(_case(len(cases), spec, scenario, labels))
        return Sweep(spec.name, spec.replications, cases)
    scales = _demand_scales(spec, len(places))
    for (province, commune, variant_index), drawn in zip(places, scales, strict=True):
        variant, scenario = variants[variant_index]
        scale = round(float(drawn), 4)
        labels = {
            "province_code": province.code,
            "province": province.name_vi,
            "commune": commune,
            "variant": variant.name,
            "demand_scale": scale,
        }
        cases.append(_case(len(cases), spec, _scaled(scenario, scale, source), labels))
    return Sweep(spec.name, spec.replications, cases)


def _scenario_dict(folder: Path, name: str, source: Path | None, field: str) -> dict:
    path = folder / name
    if not path.is_file():
        raise keyed_error("sim.error.scenario_missing", source, field=field, file_name=name)
    return load_merged(path)


def _case(index: int, spec: SweepSpec, scenario: Scenario, labels: dict) -> Case:
    seed = int(np.random.SeedSequence([spec.seed, index]).generate_state(1, np.uint64)[0] >> 1)
    return Case(
        index, scenario.model_copy(update={"seed": seed}), dict(labels, seed=seed), spec.metrics
    )


def _communes(spec: SweepSpec, source: Path | None) -> Iterator[tuple]:
    """(province, commune number, variant index) for every commune in the sweep."""
    if spec.provinces is None:
        return
    known = {p.code: p for p in reference.provinces()}
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


def _scaled(scenario: Scenario, scale: float, source: Path | None) -> Scenario:
    """The scenario with every arrival rate multiplied by ``scale``."""
    if scale == 1.0:
        return scenario
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


# --- running ---------------------------------------------------------------------


def run_case(case: Case) -> list[tuple]:
    """All replications of one case as table rows (runs in a worker)."""
    results = run_scenario(case.scenario, keep_records=False)
    keys = [k for k in results.keys if _wanted(k, case.metrics)]
    labels = case.labels
    return [
        (
            case.index,
            labels["province_code"],
            labels["province"],
            labels["commune"],
            labels["variant"],
            labels["demand_scale"],
            labels["seed"],
            rep.index,
            scope,
            name,
            metric,
            rep.figures[(scope, name, metric)],
        )
        for rep in results.replications
        for scope, name, metric in keys
    ]


def _wanted(key: tuple[str, str, str], patterns: tuple[str, ...]) -> bool:
    scope, name, metric = key
    text = f"overall.{metric}" if scope == "overall" else f"{SCOPES[scope]}.{name}.{metric}"
    return any(fnmatch.fnmatchcase(text, pattern) for pattern in patterns)


def run_sweep(
    sweep: Sweep,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
    progress_bar: bool = False,
) -> pd.DataFrame:
    """Run every case; local processes by default, a Dask cluster given its address."""
    total = len(sweep.cases)
    bar = None
    if progress_bar:
        from tqdm import tqdm

        bar = tqdm(total=total, desc=sweep.name, unit="case")
    done = 0
    rows: dict[int, list[tuple]] = {}
    try:
        for index, case_rows in _execute(sweep.cases, workers, scheduler, connect_timeout):
            rows[index] = case_rows
            done += 1
            if bar is not None:
                bar.update(1)
            if progress:
                progress(done, total)
    finally:
        if bar is not None:
            bar.close()
    return pd.DataFrame([r for i in sorted(rows) for r in rows[i]], columns=COLUMNS)


def _execute(
    cases: list[Case], workers: int | None, scheduler: str | None, connect_timeout: float
) -> Iterator[tuple[int, list[tuple]]]:
    if scheduler:
        yield from _on_dask(cases, scheduler, connect_timeout)
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        for case in cases:
            yield case.index, run_case(case)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_case, case): case.index for case in cases}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _on_dask(
    cases: list[Case], address: str, connect_timeout: float
) -> Iterator[tuple[int, list[tuple]]]:
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
        futures = client.map(run_case, cases, pure=False)
        index_of = {future.key: case.index for future, case in zip(futures, cases, strict=True)}
        for future in dask_completed(futures, loop=client.loop):
            yield index_of[future.key], future.result()


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    return write_csv(Path(path), table)
