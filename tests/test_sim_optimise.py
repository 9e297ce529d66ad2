"""The staffing search: a case whose answer Erlang C fixes, groups of roles, bad targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cadrelab.errors import InputError
from cadrelab.sim import load_scenario
from cadrelab.sim.experiments import optimise
from cadrelab.sim.experiments.theory import mmc_wait
from tests.sim_helpers import assert_input_error, cadrelab_sim, scenario, textbook

LOAD = 4.5  # offered load: 4.5 officers' worth of work
WAIT_TARGET = 3.0  # minutes


def single_role() -> dict:
    """M/M/c with offered load 4.5 (Erlang C: mean wait 5.6 min with 6 officers, 1.7 with 7)."""
    return textbook(5, LOAD / 5, horizon_days=60, warmup_days=5, replications=5, seed=11)


def test_erlang_c_fixes_the_answer_the_search_finds() -> None:
    rate, service = LOAD / 20.0, 1 / 20.0
    smallest = next(c for c in range(5, 20) if mmc_wait(rate, service, c) <= WAIT_TARGET)
    assert smallest == 7
    base = scenario(single_role())
    target = optimise.parse_target(f"roles.desk.wait_minutes <= {WAIT_TARGET}", base)
    found = optimise.search(base, target)
    assert found.start == (5,), "Erlang C's condition: more officers than the offered load"
    assert found.best.officers == smallest
    wait = found.best.results.estimate(("role", "desk", "wait_minutes"))
    assert wait.high <= WAIT_TARGET
    summary = found.summary()
    assert summary["officers"] == 7 and len(summary["roster"]) == 7
    assert summary["figures"]["roles.desk.wait_minutes"]["ci95"][1] <= WAIT_TARGET


def test_combined_roles_share_officers_and_the_best_group_gets_the_officer() -> None:
    data = textbook(2, 0.5, horizon_days=40, warmup_days=5, replications=5, seed=3)
    data["roles"] = ["a", "b", "c"]
    data["staff"] = [{"id": "x", "roles": ["a", "b"]}, {"id": "y", "roles": ["c"]}]
    rate = data["procedures"][0]["arrivals_per_day"]
    data["procedures"] = [
        {
            "code": f"p{role}",
            "arrivals_per_day": rate * share,
            "deadline_working_days": 1,
            "steps": [{"role": role, "minutes": {"dist": "exponential", "mean": 20.0}}],
        }
        for role, share in (("a", 0.4), ("b", 0.4), ("c", 1.2))
    ]
    base = scenario(data)
    groups = optimise.parse_combinations(["a+b"], base)
    target = optimise.parse_target("overall.wait_minutes <= 12", base)
    found = optimise.search(base, target, combine=groups)
    assert found.groups == [("a", "b"), ("c",)]
    assert all(o.roles in (("a", "b"), ("c",)) for o in found.best.scenario.staff)
    by_group = dict(zip(found.groups, found.best.counts, strict=True))
    assert by_group[("c",)] >= by_group[("a", "b")], "the busier role gets officers first"
    assert found.runner_up is not None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("overall.on_time >= 0.9", "unknown figure"),
        ("roles.nowhere.wait_minutes <= 3", "unknown figure"),
        ("overall.on_time_rate is high", "not a target"),
    ],
)
def test_bad_targets_are_input_errors(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as caught:
        optimise.parse_target(text, scenario(single_role()))
    assert caught.value.field == "--target"


def test_an_unreachable_target_says_so() -> None:
    base = scenario(single_role())
    target = optimise.parse_target("roles.desk.wait_minutes <= 0.001", base)
    with pytest.raises(InputError, match="no roster up to 8 officers meets"):
        optimise.search(base, target, max_officers=8)


def test_cli_writes_json_and_the_chosen_scenario(tmp_path: Path) -> None:
    spec = tmp_path / "desk.yaml"
    spec.write_text(yaml.safe_dump(single_role()), encoding="utf-8")
    out, chosen = tmp_path / "best.json", tmp_path / "best.yaml"
    done = cadrelab_sim(
        "optimise",
        spec,
        "--target",
        f"roles.desk.wait_minutes <= {WAIT_TARGET}",
        "--json",
        out,
        "--scenario-out",
        chosen,
        "--lang",
        "en",
    )
    assert done.returncode == 0, done.stderr
    assert "7 officers" in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["officers"] == 7 and result["figures"]
    assert len(load_scenario(chosen).staff) == 7


@pytest.mark.parametrize(
    "args",
    [
        ["--target", "overall.nothing >= 1"],
        ["--target", "roles.desk.wait_minutes <= 0.001", "--max-officers", "6"],
        ["--target", "overall.wait_minutes <= 5", "--roles-may-combine", "desk+land"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, args) -> None:
    spec = tmp_path / "desk.yaml"
    spec.write_text(yaml.safe_dump(single_role()), encoding="utf-8")
    out = tmp_path / "best.json"
    assert_input_error(cadrelab_sim("optimise", spec, *args, "--json", out))
    assert not out.exists()
