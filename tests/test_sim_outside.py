"""Steps outside the commune: delays in working or calendar days, capacity, the split figures."""

from __future__ import annotations

import numpy as np
import pytest

from cadrelab.errors import InputError
from cadrelab.sim import run_scenario
from cadrelab.sim.results.replications import simulate
from tests.sim_helpers import scenario


def with_outside(
    deadline: int,
    delay: dict,
    *,
    days: str = "working",
    capacity: int | None = None,
    per_day: float = 6.0,
) -> dict:
    """One desk step, then a body outside the commune, then a second desk step."""
    body = {"id": "branch", "name_vi": "Chi nhánh", "days": days}
    if capacity is not None:
        body["capacity_per_day"] = capacity
    return {
        "name": "outside",
        "calendar": "office",
        "start_date": "2025-07-01",
        "horizon_days": 120,
        "warmup_days": 20,
        "replications": 3,
        "seed": 5,
        "roles": ["desk"],
        "outside": [body],
        "staff": [{"id": "a", "roles": ["desk"]}, {"id": "b", "roles": ["desk"]}],
        "procedures": [
            {
                "code": "own",
                "arrivals_per_day": per_day,
                "deadline_working_days": deadline,
                "steps": [
                    {"role": "desk", "minutes": {"dist": "fixed", "value": 5}},
                    {"external": "branch", "delay": delay},
                    {"role": "desk", "minutes": {"dist": "fixed", "value": 5}},
                ],
            }
        ],
    }


def test_a_deadline_shorter_than_the_delay_outside_is_always_late() -> None:
    """Two working days (three for a dossier received after the 15:00 cut-off) against four
    working days at the branch: no dossier can be on time, whatever the commune does."""
    results = run_scenario(scenario(with_outside(2, {"dist": "fixed", "value": 4})))
    assert results.estimate(("procedure", "own", "on_time_rate")).mean == 0.0
    late = results.estimate(("overall", "all", "late_per_working_day")).mean
    outside = results.estimate(("overall", "all", "late_outside_per_working_day")).mean
    assert late > 5 and outside == pytest.approx(late), "late because of the time outside"
    assert results.estimate(("overall", "all", "late_at_commune_per_working_day")).mean == 0
    days_outside = results.estimate(("overall", "all", "outside_working_days"))
    assert days_outside.mean == pytest.approx(4.0, abs=0.02)


def test_a_deadline_longer_than_the_delay_is_met() -> None:
    results = run_scenario(scenario(with_outside(6, {"dist": "fixed", "value": 3})))
    on_time = results.estimate(("overall", "all", "on_time_rate"))
    assert on_time.mean == 1.0 and on_time.high <= 1.0
    lead = results.estimate(("overall", "all", "lead_time_working_days")).mean
    at_commune = results.estimate(("overall", "all", "at_commune_working_days")).mean
    assert 2.5 <= lead <= 4.0, "three days outside, counted from the day after receipt"
    assert 0 <= at_commune <= 1.0


def test_calendar_days_pass_over_weekends_working_days_do_not() -> None:
    working = simulate(scenario(with_outside(20, {"dist": "fixed", "value": 7})), 0)
    calendar = simulate(
        scenario(with_outside(20, {"dist": "fixed", "value": 7}, days="calendar")), 0
    )
    gone = {}
    for name, rep in (("working", working), ("calendar", calendar)):
        ready = rep.records.ready
        gone[name] = np.nanmedian(ready[:, 2] - ready[:, 1]) / 1440  # clock days at the body
    assert gone["calendar"] == pytest.approx(7.0, abs=1e-6)
    assert 8.5 <= gone["working"] <= 9.5, "seven working days span a weekend or two"


def test_capacity_makes_dossiers_wait_for_the_body() -> None:
    free = run_scenario(scenario(with_outside(20, {"dist": "fixed", "value": 1}, per_day=4)))
    tight = run_scenario(
        scenario(with_outside(20, {"dist": "fixed", "value": 1}, capacity=2, per_day=4))
    )
    key = ("overall", "all", "outside_working_days")
    assert free.estimate(key).mean == pytest.approx(1.0, abs=0.05)
    assert tight.estimate(key).mean > 5 * free.estimate(key).mean
    steps = tight.steps()
    assert set(steps.loc[steps.outside, "role"]) == {"branch"}
    assert (steps.loc[steps.outside, "officer"] == "").all()


def test_the_same_seed_gives_the_same_outside_delays_whatever_the_staff() -> None:
    data = with_outside(6, {"dist": "lognormal", "mean": 2, "sd": 1})
    one = simulate(scenario(data), 0)
    data["staff"] = data["staff"][:1]
    other = simulate(scenario(data), 0)
    np.testing.assert_array_equal(one.records.dossiers.work, other.records.dossiers.work)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["procedures"][0]["steps"][1].pop("delay"),
            "procedures[0].steps[1].delay",
            "required",
        ),
        (
            lambda d: d["procedures"][0]["steps"][1].update(external="tax"),
            "procedures[0].steps[1].external",
            "not in outside",
        ),
        (lambda d: d["outside"][0].update(id="desk"), "outside[0].id", "repeated"),
        (lambda d: d["outside"][0].pop("days"), "outside[0].days", "required"),
    ],
)
def test_bad_outside_steps_name_the_key(change, field, words) -> None:
    data = with_outside(6, {"dist": "fixed", "value": 1})
    change(data)
    with pytest.raises(InputError, match=words) as caught:
        scenario(data)
    assert caught.value.field == field
