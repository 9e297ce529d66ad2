"""The scenarios in simulations/: documented, calibrated, each answering its question."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cadrelab import reference
from cadrelab.sim import load_scenario
from cadrelab.sim.results.replications import compare, run_scenario, simulate

SIMULATIONS = Path(__file__).resolve().parents[1] / "simulations"
SCENARIOS = sorted(p.name for p in SIMULATIONS.glob("*.yaml") if p.name != "national.yaml")


@pytest.mark.parametrize("name", [*SCENARIOS, "national.yaml"])
def test_each_file_starts_with_the_question_it_answers(name: str) -> None:
    lines = (SIMULATIONS / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# Câu hỏi:")
    head = "\n".join(lines[:12])
    assert "# Question:" in head


def test_the_expected_scenarios_are_shipped() -> None:
    assert {
        "baseline.yaml",
        "no-land-officer.yaml",
        "no-it-officer.yaml",
        "vice-chair-absent.yaml",
        "roles-spread.yaml",
        "higher-online.yaml",
        "volunteers.yaml",
    } <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_loads_and_runs(name: str) -> None:
    scenario = load_scenario(SIMULATIONS / name)
    short = scenario.model_copy(update={"horizon_days": 40, "warmup_days": 5})
    rep = simulate(short, 0, keep_records=False)
    assert 0 < rep.figures["overall", "all", "on_time_rate"] <= 1


def test_baseline_mix_is_the_catalogue_volume_weights() -> None:
    baseline = load_scenario(SIMULATIONS / "baseline.yaml")
    shares = {p.code: p.share for p in baseline.procedures}
    catalogue = reference.procedures(on=baseline.start_date)
    weights = {p.code: p.volume_weight for p in catalogue if p.volume_weight > 0}
    assert shares.keys() == weights.keys()
    total = sum(weights.values())
    for code, weight in weights.items():
        assert shares[code] == pytest.approx(weight / total, abs=1e-5), code
    in_person_only = {p.code for p in catalogue if p.online_level == "truc_tiep"}
    assert {p.code for p in baseline.procedures if p.online_share == 0} == in_person_only


def test_baseline_is_calibrated_to_48_dossiers_a_day_and_14_percent_online() -> None:
    baseline = load_scenario(SIMULATIONS / "baseline.yaml")
    rep = simulate(baseline, 0)
    assert rep.figures["overall", "all", "dossiers_per_working_day"] == pytest.approx(48, rel=0.03)
    assert rep.records.dossiers.online.mean() == pytest.approx(0.14, abs=0.01)
    busy = [rep.figures["officer", o.id, "utilization"] for o in baseline.staff]
    assert max(busy) < 0.8  # a baseline with slack, so shortages show
    assert rep.figures["overall", "all", "on_time_rate"] > 0.9


@pytest.fixture(scope="module")
def baseline_results():
    scenario = load_scenario(SIMULATIONS / "baseline.yaml")
    short = scenario.model_copy(update={"horizon_days": 150})
    return short, run_scenario(short, replications=3, keep_records=False)


def _differences(baseline_results, name: str, key: tuple[str, str, str]):
    """Per-replication paired differences and their estimate."""
    _short, base = baseline_results
    alt = load_scenario(SIMULATIONS / name).model_copy(update={"horizon_days": 150})
    results = run_scenario(alt, replications=3, keep_records=False)
    return results.values(key) - base.values(key), compare(base, [results]).differences(results)[
        key
    ]


@pytest.mark.parametrize(
    ("name", "key", "sign"),
    [
        ("no-land-officer.yaml", ("role", "land", "wait_minutes"), +1),
        ("no-it-officer.yaml", ("overall", "all", "counter_wait_minutes"), +1),
        ("vice-chair-absent.yaml", ("role", "sign", "wait_minutes"), +1),
        ("roles-spread.yaml", ("role", "civil_status", "wait_minutes"), -1),
        ("higher-online.yaml", ("overall", "all", "counter_wait_minutes"), -1),
        ("volunteers.yaml", ("overall", "all", "counter_wait_minutes"), -1),
    ],
)
def test_each_scenario_moves_the_figure_its_question_is_about(
    baseline_results, name: str, key, sign: int
) -> None:
    each, diff = _differences(baseline_results, name, key)
    assert (np.sign(each) == sign).all(), each  # the same citizens: every pair moves one way
    assert np.sign(diff.mean) == sign
