"""Fuzzing: whatever a scenario dict or file holds, the only failure is an InputError.

And every scenario that validates runs: small generated scenarios keep the
model's invariants (steps in order, utilisation within [0, 1], figures finite).
"""

from __future__ import annotations

import contextlib
import copy
import math
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadrelab.errors import InputError
from cadrelab.sim import load_scenario, parse_scenario
from cadrelab.sim.experiments.sweep import SweepSpec, expand
from cadrelab.sim.results.figures import step_table
from cadrelab.sim.results.replications import simulate
from tests.sim_helpers import textbook

BASE = {
    **textbook(2, 0.6, horizon_days=5, warmup_days=1, replications=1),
    "demand": {"arrivals_per_day": 10, "online_share": 0.2},
    "policies": {
        "queue": "edf",
        "batch_roles": ["desk"],
        "reception_support": {"role": "desk", "time_factor": 0.8},
    },
}
BASE["staff"][0].update(
    fte=0.5,
    hours=["08:00-11:00"],
    absence={
        "daily_probability": 0.1,
        "dates": ["2025-07-02"],
        "periods": [{"start": "2025-07-03", "end": "2025-07-04"}],
    },
)
BASE["procedures"].append(
    {
        "code": "HT-KS",
        "share": 1.0,
        "profile": {"hours": {8: 1.0, "9": 0.5}, "weekdays": {"mon": 2.0}},
        "steps": [
            {
                "role": "desk",
                "channel": "in_person",
                "minutes": {"dist": "lognormal", "mean": 5, "sd": 2},
            },
            {
                "role": "desk",
                "minutes": {"dist": "triangular", "low": 1, "mode": 2, "high": 3},
                "online_minutes": {"dist": "empirical", "values": [1, 2]},
            },
        ],
    }
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.integers(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "desk",
            "a",
            "exponential",
            "fixed",
            "office",
            "continuous",
            "edf",
            "2025-07-01",
            "08:00-09:00",
            "HT-KS",
            "DD-CN",
            "all",
            "x-y",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _mutate(data, path, action, value, key):
    target = data
    for part in path[:-1]:
        target = target[part]
    last = path[-1]
    if action == "set":
        target[last] = value
    elif action == "delete" and isinstance(target, dict):
        del target[last]
    elif action == "delete" and isinstance(target, list):
        target.pop(last)
    elif action == "add" and isinstance(target[last], dict):
        target[last][key] = value
    elif action == "add" and isinstance(target[last], list):
        target[last].append(value)


@st.composite
def mutated(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        _mutate(
            data,
            path,
            draw(st.sampled_from(["set", "delete", "add"])),
            draw(values),
            draw(st.text(max_size=8)),
        )
    return data


def test_the_fuzzing_starts_from_a_valid_scenario_that_uses_every_feature() -> None:
    scenario = parse_scenario(copy.deepcopy(BASE))
    assert scenario.procedures[1].profile.hours == {8: 1.0, 9: 0.5}
    assert scenario.policies.reception_support.role == "desk"


def _parse_or_input_error(data):
    try:
        return parse_scenario(data)
    except InputError as error:
        assert error.message  # names what is wrong
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_scenarios_give_a_scenario_or_an_input_error(data) -> None:
    _parse_or_input_error(data)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from([*BASE, "extends", "x-anchor", "other"]), values, max_size=8)
)
def test_arbitrary_dicts_give_an_input_error(data) -> None:
    _parse_or_input_error(data)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_arbitrary_files_give_an_input_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(InputError):
        load_scenario(path)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "scenario",
                "replications",
                "seed",
                "provinces",
                "variants",
                "metrics",
                "demand_scale",
                "communes_per_province",
                "horizon_days",
            ]
        ),
        values,
        max_size=6,
    )
)
def test_arbitrary_sweep_specs_give_an_input_error(data) -> None:
    from pydantic import ValidationError

    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError:
        return
    with contextlib.suppress(InputError):
        expand(spec, Path(__file__).resolve().parents[1] / "simulations")


distributions = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(0.5, 90)),
    st.builds(
        lambda m, s: {"dist": "lognormal", "mean": m, "sd": s}, st.floats(1, 90), st.floats(0.1, 60)
    ),
    st.builds(
        lambda a, b, c: dict(
            zip(("low", "mode", "high"), sorted((a, b, c + 0.5)), strict=True), dist="triangular"
        ),
        st.floats(0, 30),
        st.floats(0, 30),
        st.floats(0, 30),
    ),
    st.builds(lambda v: {"dist": "fixed", "value": v}, st.floats(0, 120)),
    st.builds(
        lambda vs: {"dist": "empirical", "values": vs},
        st.lists(st.floats(0, 60), min_size=1, max_size=5),
    ),
)


@st.composite
def small_scenarios(draw):
    roles = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    staff = []
    for k in range(draw(st.integers(1, 4))):
        held = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=3, unique=True))
        staff.append(
            {
                "id": f"o{k}",
                "roles": held,
                "fte": draw(st.sampled_from([1.0, 0.5])),
                "absence": {"daily_probability": draw(st.sampled_from([0.0, 0.2]))},
            }
        )
    for role in roles:  # every role held by someone
        if not any(role in o["roles"] for o in staff):
            staff[0]["roles"].append(role)
    procedures = []
    for p in range(draw(st.integers(1, 3))):
        steps = [
            {
                "role": draw(st.sampled_from(roles)),
                "minutes": draw(distributions),
                "channel": channel,
            }
            for channel in draw(
                st.lists(st.sampled_from(["both", "in_person", "online"]), min_size=1, max_size=4)
            )
        ]
        steps.append({"role": roles[0], "minutes": draw(distributions)})
        procedures.append(
            {
                "code": f"p{p}",
                "arrivals_per_day": draw(st.floats(0, 60)),
                "online_share": draw(st.sampled_from([0.0, 0.3])),
                "deadline_working_days": draw(st.integers(0, 5)),
                "steps": steps,
            }
        )
    return {
        "name": "generated",
        "calendar": draw(st.sampled_from(["office", "continuous"])),
        "start_date": "2025-09-08",
        "horizon_days": draw(st.integers(2, 15)),
        "warmup_days": 1,
        "replications": 1,
        "seed": draw(st.integers(0, 2**32)),
        "roles": roles,
        "staff": staff,
        "procedures": procedures,
        "policies": {
            "queue": draw(st.sampled_from(["fifo", "edf"])),
            "batch_roles": draw(st.lists(st.sampled_from(roles), unique=True)),
        },
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_generated_scenarios_run_and_keep_the_invariants(data) -> None:
    scenario = parse_scenario(data)
    rep = simulate(scenario, 0)
    steps = step_table(rep.records)
    started = ~np.isnan(steps["start"])
    assert (steps["start"][started] >= steps["ready"][started] - 1e-9).all()
    ended = ~np.isnan(steps["end"])
    assert (steps["end"][ended] >= steps["start"][ended] - 1e-9).all()
    # a dossier's steps follow each other
    same = steps["dossier"][1:] == steps["dossier"][:-1]
    assert (steps["ready"][1:][same] >= steps["ready"][:-1][same]).all()
    for key, value in rep.figures.items():
        if key[2] == "utilization" and not math.isnan(value):
            assert -1e-9 <= value <= 1 + 1e-9, (key, value)
        if key[2] == "on_time_rate" and not math.isnan(value):
            assert 0 <= value <= 1
    yaml.safe_dump(data)  # the generated scenario is plain data a file could hold
