"""Confidence intervals and the queueing formulas the validation relies on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cadrelab.sim.experiments import theory
from cadrelab.sim.results import stats


def t_cdf(x: float, df: int) -> float:
    """Student's t distribution function by numerical integration of its density."""
    grid = np.linspace(0.0, x, 200_001)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    density = np.exp(log_norm - (df + 1) / 2 * np.log1p(grid**2 / df))
    return 0.5 + float(np.sum((density[1:] + density[:-1]) / 2) * (grid[1] - grid[0]))


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 19, 29, 30, 31, 45, 60, 99, 250, 1000])
def test_t_quantile_leaves_two_and_a_half_percent_in_the_tail(df: int) -> None:
    assert t_cdf(stats.t975(df), df) == pytest.approx(0.975, abs=2e-5)


def test_t_quantile_needs_a_degree_of_freedom() -> None:
    with pytest.raises(ValueError):
        stats.t975(0)


def test_estimate_of_known_values() -> None:
    est = stats.estimate([1.0, 2.0, 3.0, 4.0, np.nan])
    assert est.n == 4 and est.mean == 2.5
    half = stats.t975(3) * np.std([1, 2, 3, 4], ddof=1) / 2
    assert (est.low, est.high) == pytest.approx((2.5 - half, 2.5 + half))
    assert est.as_dict() == {
        "mean": 2.5,
        "ci95": [round(2.5 - half, 6), round(2.5 + half, 6)],
        "n": 4,
    }
    single = stats.estimate([7.0])
    assert single.mean == 7.0 and math.isnan(single.low)
    assert single.as_dict()["ci95"] == [None, None]
    assert stats.estimate([]).n == 0


def test_paired_difference_removes_the_shared_noise() -> None:
    rng = np.random.default_rng(5)
    shared = rng.normal(100, 20, 10)
    base, alt = shared + rng.normal(0, 1, 10), shared + 3 + rng.normal(0, 1, 10)
    diff = stats.paired(base, alt)
    assert diff.low > 0 and diff.mean == pytest.approx(3, abs=1.5)
    unpaired_half = stats.estimate(alt).half_width + stats.estimate(base).half_width
    assert diff.half_width < unpaired_half / 5


def test_erlang_c_known_values() -> None:
    # two servers, offered load 1.25 Erlang: 0.78125/0.375 / (1 + 1.25 + 0.78125/0.375)
    assert theory.erlang_c(2, 1.25) == pytest.approx(0.480769, abs=1e-6)
    assert theory.erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: P(wait) = rho
    assert theory.mmc_wait(1 / 48, 1 / 60, 2) == pytest.approx(38.4615, abs=1e-4)
    assert theory.mmc_wait(0.5, 1.0, 1) == pytest.approx(theory.mm1_wait(0.5, 1.0))
    assert theory.mm1_sojourn(0.5, 1.0) == pytest.approx(2.0)
    assert theory.mmc_queue_length(0.5, 1.0, 1) == pytest.approx(0.5)
    assert theory.utilisation(2.7, 1.0, 3) == pytest.approx(0.9)
    # large c stays finite and tends to no waiting at moderate load
    assert 0 <= theory.erlang_c(200, 150.0) < 1e-3


def test_servers_for_wait() -> None:
    c = theory.servers_for_wait(2.7, 1.0, 0.5)
    assert theory.mmc_wait(2.7, 1.0, c) <= 0.5 < theory.mmc_wait(2.7, 1.0, c - 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: theory.erlang_c(0, 0.5),
        lambda: theory.erlang_c(2, 2.0),
        lambda: theory.mm1_wait(1.0, 1.0),
        lambda: theory.mm1_sojourn(2.0, 1.0),
    ],
)
def test_unstable_queues_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 1.0, 0.999, 1.0, 0.998],
        [0.0, 0.01, 0.0, 0.002],
        [0.5, 0.9, 0.99, 0.2],
        [0.97, 0.99],
    ],
)
def test_rate_intervals_stay_inside_zero_and_one(values) -> None:
    est = stats.estimate(values, rate=True)
    assert 0.0 <= est.low <= est.mean <= est.high <= 1.0
    raw = stats.estimate(values)
    assert raw.high > 1.0 or raw.low < 0.0 or values == [0.5, 0.9, 0.99, 0.2]


def test_wilson_type_interval_tends_to_the_t_interval_away_from_the_bounds() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(0.5, 0.02, 50)
    bounded, plain = stats.estimate(values, rate=True), stats.estimate(values)
    assert bounded.low == pytest.approx(plain.low, abs=2e-4)
    assert bounded.high == pytest.approx(plain.high, abs=2e-4)


def test_all_replications_equal_give_a_single_value() -> None:
    est = stats.estimate([1.0, 1.0, 1.0], rate=True)
    assert (est.low, est.mean, est.high) == (1.0, 1.0, 1.0)


def test_intervals_of_times_and_counts_are_cut_at_zero() -> None:
    est = stats.estimate([0.0, 0.0, 3.0], lowest=0.0)
    assert est.low == 0.0 and est.high > 3.0


def test_reported_rate_intervals_are_bounded_in_a_run() -> None:
    from cadrelab.sim import run_scenario
    from tests.sim_helpers import scenario, textbook

    results = run_scenario(scenario(textbook(3, 0.5, horizon_days=20, replications=4)))
    for key in results.keys:
        est = results.estimate(key)
        if key[2] in ("on_time_rate", "utilization") and est.n >= 2:
            assert 0.0 <= est.low <= est.high <= 1.0, key
        if not np.isnan(est.low):
            assert est.low >= 0.0, key
