"""The model against queueing theory, Little's law and its own promises (docs/simulation.md)."""

from __future__ import annotations

import numpy as np
import pytest

from cadrelab.sim import run_scenario
from cadrelab.sim.experiments.theory import mm1_wait, mmc_wait
from cadrelab.sim.results.replications import compare, simulate
from cadrelab.sim.results.stats import estimate, paired
from tests.sim_helpers import MINUTES_PER_DAY, scenario, textbook


@pytest.mark.parametrize(("servers", "utilisation"), [(1, 0.5), (2, 0.75), (3, 0.9), (5, 0.6)])
def test_mean_wait_agrees_with_erlang_c(servers: int, utilisation: float) -> None:
    data = textbook(servers, utilisation)
    results = run_scenario(scenario(data))
    wait = results.estimate(("role", "desk", "wait_minutes"))
    rate = data["procedures"][0]["arrivals_per_day"] / MINUTES_PER_DAY
    expected = mmc_wait(rate, 1 / 20.0, servers)
    assert wait.low <= expected <= wait.high, (wait, expected)
    busy = results.estimate(("role", "desk", "utilization"))
    assert busy.low <= utilisation <= busy.high, (busy, utilisation)
    # the interval is informative, not just wide
    assert wait.half_width < 0.25 * expected


def _three_fields(cross_trained: bool) -> dict:
    """Three procedures, each with its own role; three officers, specialised or cross-trained."""
    data = textbook(3, 0.7)
    rate = data["procedures"][0]["arrivals_per_day"] / 3
    roles = ["a", "b", "c"]
    data["roles"] = roles
    data["procedures"] = [
        {
            "code": f"p{role}",
            "arrivals_per_day": rate,
            "deadline_working_days": 5,
            "steps": [{"role": role, "minutes": {"dist": "exponential", "mean": 20.0}}],
        }
        for role in roles
    ]
    data["staff"] = [
        {"id": f"o{k}", "roles": roles[k:] + roles[:k] if cross_trained else [roles[k]]}
        for k in range(3)
    ]
    return data


def test_full_specialisation_behaves_as_separate_mm1_queues() -> None:
    data = _three_fields(cross_trained=False)
    results = run_scenario(scenario(data))
    rate = data["procedures"][0]["arrivals_per_day"] / MINUTES_PER_DAY
    expected = mm1_wait(rate, 1 / 20.0)
    for role in "abc":
        wait = results.estimate(("role", role, "wait_minutes"))
        assert wait.low <= expected <= wait.high, (role, wait, expected)


def test_full_cross_training_behaves_as_one_pooled_queue() -> None:
    data = _three_fields(cross_trained=True)
    results = run_scenario(scenario(data))
    rate = 3 * data["procedures"][0]["arrivals_per_day"] / MINUTES_PER_DAY
    pooled = mmc_wait(rate, 1 / 20.0, 3)
    wait = results.estimate(("overall", "all", "wait_minutes"))
    assert wait.low <= pooled <= wait.high, (wait, pooled)
    assert wait.high < mm1_wait(rate / 3, 1 / 20.0) / 2  # pooling more than halves the wait


def test_littles_law_queue_length_equals_arrival_rate_times_wait() -> None:
    """Mean queue read from the live queues at snapshots = throughput x mean wait from the
    step records (two independent measurements of the same run)."""
    model = scenario(textbook(2, 0.8, replications=8))
    seen, products, exact = [], [], []
    for r in range(8):
        rep = simulate(model, r, snapshot_minutes=5.0)
        figures = rep.figures
        throughput = figures["role", "desk", "steps_per_working_day"] / MINUTES_PER_DAY
        seen.append(rep.records.snapshot_queues[:, 0].mean())
        products.append(throughput * figures["role", "desk", "wait_minutes"])
        exact.append(figures["role", "desk", "queue_length"])
    difference = paired(products, seen)
    assert difference.low <= 0 <= difference.high, difference
    assert abs(difference.mean) < 0.03 * np.mean(seen)
    # the reported time-average queue agrees with both
    assert np.mean(exact) == pytest.approx(np.mean(seen), rel=0.03)
    assert np.mean(exact) == pytest.approx(np.mean(products), rel=0.02)


def test_littles_law_for_dossiers_in_the_system() -> None:
    model = scenario(textbook(3, 0.85, replications=1, horizon_days=200))
    rep = simulate(model, 0)
    d, finish = rep.records.dossiers, rep.records.finish
    warmup, horizon = 10 * MINUTES_PER_DAY, 200 * MINUTES_PER_DAY
    moments = np.arange(warmup, horizon, 7.0)
    in_system = np.searchsorted(np.sort(d.arrival), moments, side="right") - np.searchsorted(
        np.sort(np.nan_to_num(finish, nan=np.inf)), moments, side="right"
    )
    measured = (d.arrival >= warmup) & ~np.isnan(finish)
    rate = measured.sum() / (horizon - warmup)
    sojourn = (finish[measured] - d.arrival[measured]).mean()
    assert in_system.mean() == pytest.approx(rate * sojourn, rel=0.03)


def _deadline_mix(policy: str) -> dict:
    """Same-day and five-day dossiers through one busy desk: ordering decides who is late."""
    data = textbook(2, 0.97, mean=60.0, horizon_days=60, warmup_days=10, replications=8)
    rate = data["procedures"][0]["arrivals_per_day"]
    step = [{"role": "desk", "minutes": {"dist": "exponential", "mean": 60.0}}]
    data["procedures"] = [
        {
            "code": "urgent",
            "arrivals_per_day": rate * 0.3,
            "deadline_working_days": 0,
            "steps": step,
        },
        {
            "code": "relaxed",
            "arrivals_per_day": rate * 0.7,
            "deadline_working_days": 5,
            "steps": step,
        },
    ]
    data["policies"] = {"queue": policy}
    return data


def test_earliest_deadline_first_lowers_the_late_rate() -> None:
    fifo = run_scenario(scenario(_deadline_mix("fifo")))
    edf = run_scenario(scenario(_deadline_mix("edf")))
    key = ("overall", "all", "on_time_rate")
    assert fifo.estimate(key).mean < 0.9  # the constructed case does make dossiers late
    gain = compare(fifo, [edf]).differences(edf)[key]
    assert gain.low > 0, gain


def test_same_seed_gives_identical_results() -> None:
    model = scenario(textbook(2, 0.8, replications=3, horizon_days=40, warmup_days=5))
    first, second = run_scenario(model), run_scenario(model)
    assert first.summary() == second.summary()
    assert first.steps().equals(second.steps())
    assert first.dossiers().equals(second.dossiers())
    other = run_scenario(model, seed=99)
    assert other.summary() != first.summary()


def test_staffing_change_leaves_the_arrival_stream_unchanged() -> None:
    data = _three_fields(cross_trained=False)
    data["staff"][0]["absence"] = {"daily_probability": 0.1}
    base = simulate(scenario(data), 0)
    data["staff"] = [*data["staff"], {"id": "extra", "roles": ["a", "b"], "fte": 0.5}]
    data["staff"][1] = {"id": "o1", "roles": ["b", "c"]}
    changed = simulate(scenario(data), 0)
    a, b = base.records.dossiers, changed.records.dossiers
    for name in ("procedure", "arrival", "online", "due", "work", "roles"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    # the officer whose absences are drawn keeps the same days off
    np.testing.assert_array_equal(base.records.windows[0], changed.records.windows[0])
    # and the outcome did change
    assert (
        base.figures["overall", "all", "wait_minutes"]
        != changed.figures["overall", "all", "wait_minutes"]
    )


@pytest.mark.parametrize("policy", ["fifo", "edf"])
def test_a_shortage_makes_the_queue_grow_without_bound(policy: str) -> None:
    """One officer, twice the work they can do: about half the dossiers are still queued at
    the end, in proportion to the run's length.  (That the cost per dossier stays flat as the
    queue grows is a performance claim: benchmarks/bench_sim.py measures it.)"""

    def queued(days: int) -> tuple[int, int]:
        data = textbook(1, 2.0, mean=10.0, horizon_days=days, warmup_days=0, replications=1)
        data["policies"] = {"queue": policy}
        rep = simulate(scenario(data), 0)
        return len(rep.records.dossiers), int(rep.figures["role", "desk", "waiting_at_end"])

    (small, small_queue), (large, large_queue) = queued(20), queued(80)
    assert small_queue == pytest.approx(small / 2, rel=0.05)
    assert large_queue == pytest.approx(large / 2, rel=0.05)
    assert large_queue > 3.5 * small_queue


def test_estimate_covers_a_known_mean() -> None:
    rng = np.random.default_rng(3)
    covered = sum(
        (lambda e: e.low <= 5.0 <= e.high)(estimate(rng.normal(5.0, 2.0, 8))) for _ in range(400)
    )
    assert 0.92 <= covered / 400 <= 0.98
