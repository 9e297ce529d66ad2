"""Sweeps: cases from the provinces table, the same tidy table from any executor."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from cadrelab import reference
from cadrelab.errors import InputError
from cadrelab.sim.experiments.sweep import chunks, load_sweep, run_sweep
from cadrelab.sim.results.metrics import METRICS

SIMULATIONS = Path(__file__).resolve().parents[1] / "simulations"


def small_spec(tmp_path: Path, **changes: object) -> Path:
    data = {
        "name": "small",
        "scenario": str(SIMULATIONS / "baseline.yaml"),
        "replications": 2,
        "seed": 9,
        "horizon_days": 12,
        "warmup_days": 2,
        "provinces": ["11", "12"],
        "communes_per_province": 2,
        "demand_scale": {"dist": "lognormal", "mean": 1.0, "sd": 0.3},
        "variants": [
            {"name": "full", "share": 0.5},
            {"name": "no-it", "share": 0.5, "scenario": str(SIMULATIONS / "no-it-officer.yaml")},
        ],
        "metrics": ["overall.*", "roles.reception.wait_minutes"],
    }
    data.update(changes)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_national_spec_covers_every_commune_of_the_34_provinces() -> None:
    sweep = load_sweep(SIMULATIONS / "national.yaml")
    assert sweep.replications == 10
    assert len(sweep.cases) == sum(p.communes for p in reference.provinces(on="2025-07-01")) == 3321
    per_province = Counter(c.labels["province_code"] for c in sweep.cases)
    assert len(per_province) == 34
    assert per_province["01"] == 126 and per_province["79"] == 168
    # variants shared out by largest remainder in each province
    hanoi = Counter(c.labels["variant"] for c in sweep.cases if c.labels["province_code"] == "01")
    assert hanoi == {
        "full-staff": 28,
        "no-it-officer": 63,
        "no-land-officer": 11,
        "no-land-no-it": 24,
    }
    assert len({c.labels["seed"] for c in sweep.cases}) == 3321
    scales = [c.labels["demand_scale"] for c in sweep.cases]
    assert 0.9 < sum(scales) / len(scales) < 1.1
    no_land = next(c for c in sweep.cases if c.labels["variant"] == "no-land-officer")
    assert "dc-1" not in {o.id for o in sweep.scenario(no_land).staff}
    # a commune's demand scale multiplies its arrivals
    case = sweep.cases[5]
    assert sweep.scenario(case).demand.arrivals_per_day == pytest.approx(
        48 * case.labels["demand_scale"]
    )
    assert sweep.precision.min_replications == 3


def test_local_processes_and_a_dask_cluster_give_the_same_table(tmp_path: Path) -> None:
    sweep = load_sweep(small_spec(tmp_path))
    seen = []
    serial = run_sweep(sweep, workers=1, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4)
    overall = sum("overall" in m.scopes for m in METRICS)
    assert len(serial) == 4 * 2 * (overall + 1)
    assert serial.attrs["replications"] == 4 * 2
    assert set(serial["variant"]) == {"full", "no-it"}
    pooled = run_sweep(sweep, workers=2)
    assert pooled.equals(serial)

    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = run_sweep(sweep, scheduler=cluster.scheduler_address)
    assert on_dask.equals(serial)


def test_replications_stop_when_the_stated_precision_is_met(tmp_path: Path) -> None:
    loose = {"min_replications": 2, "half_widths": {"overall.on_time_rate": 0.5}}
    tight = {"min_replications": 2, "half_widths": {"overall.lead_time_working_days": 1e-9}}
    for precision, expected in ((loose, 2), (tight, 4)):
        sweep = load_sweep(small_spec(tmp_path, replications=4, precision=precision))
        table = run_sweep(sweep, workers=1)
        per_case = table.groupby("case")["replication"].nunique()
        assert set(per_case) == {expected}, precision
        assert table.attrs["replications"] == expected * len(sweep.cases)


def test_cases_travel_in_chunks_in_case_order(tmp_path: Path) -> None:
    sweep = load_sweep(small_spec(tmp_path, communes_per_province=9))
    parts = chunks(sweep.cases, workers=2)
    assert 1 < len(parts) <= 16
    assert [c.index for part in parts for c in part] == list(range(18))


def test_without_provinces_each_variant_is_one_case(tmp_path: Path) -> None:
    sweep = load_sweep(
        small_spec(
            tmp_path,
            provinces=None,
            demand_scale=None,
            variants=[
                {"name": "a"},
                {"name": "b", "scenario": str(SIMULATIONS / "volunteers.yaml")},
            ],
        )
    )
    assert [c.labels["variant"] for c in sweep.cases] == ["a", "b"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"variants": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.2}]},
            "variants",
            "add up to 0.7",
        ),
        ({"variants": [{"name": "a"}]}, "variants[0].share", "needs a share"),
        ({"provinces": ["99"]}, "provinces[0]", "unknown province code"),
        ({"scenario": "nowhere.yaml"}, "scenario", "not found"),
        ({"replications": 0}, "replications", "greater than or equal to 1"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        (
            {"precision": {"half_widths": {"overall.nothing": 0.1}}},
            "precision.half_widths.overall.nothing",
            "unknown figure",
        ),
        (
            {"precision": {"min_replications": 5, "half_widths": {"overall.on_time_rate": 0.1}}},
            "precision.min_replications",
            "must not exceed",
        ),
    ],
)
def test_bad_sweep_specs_name_the_key(
    tmp_path: Path, changes: dict, field: str, words: str
) -> None:
    with pytest.raises(InputError, match=words) as caught:
        load_sweep(small_spec(tmp_path, **changes))
    assert caught.value.field == field


def test_unreachable_scheduler_is_an_input_error(tmp_path: Path) -> None:
    sweep = load_sweep(small_spec(tmp_path, provinces=["11"], communes_per_province=1))
    with pytest.raises(InputError, match="Dask scheduler"):
        run_sweep(sweep, scheduler="tcp://127.0.0.1:9", connect_timeout=1.0)
