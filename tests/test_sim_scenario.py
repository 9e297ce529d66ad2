"""Scenario files: validation with key paths, extends, and the errors a planner can fix."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cadrelab.errors import InputError
from cadrelab.sim import load_scenario, parse_scenario
from cadrelab.sim.scenario.model import Scenario
from tests.sim_helpers import textbook

SMALLEST = """\
name: one-desk
calendar: continuous          # or: office
horizon_days: 200
warmup_days: 20
replications: 10
seed: 1
roles: [desk]
staff:
  - {id: a, roles: [desk]}
  - {id: b, roles: [desk]}
procedures:
  - code: demo
    arrivals_per_day: 30
    deadline_working_days: 5
    steps:
      - {role: desk, minutes: {dist: exponential, mean: 60}}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_smallest_scenario_of_the_issue_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "one.yaml", SMALLEST))
    assert scenario.name == "one-desk"
    assert [o.id for o in scenario.staff] == ["a", "b"]
    assert scenario.procedures[0].steps[0].minutes.mean_value == 60
    assert scenario.policies.queue == "fifo"


def problem_of(data: dict, tmp_path: Path) -> InputError:
    path = write(tmp_path, "bad.yaml", yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.file == str(path)
    assert error.problem_vi  # every problem has Vietnamese text too
    return error


def base() -> dict:
    return yaml.safe_load(SMALLEST)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.update(colour="red"), "colour", "Extra inputs"),
        (lambda d: d["staff"][1].update(rolse=["desk"]), "staff[1].rolse", "Extra inputs"),
        (lambda d: d["staff"][1]["roles"].append("land"), "staff[1].roles[1]", "role 'land'"),
        (lambda d: d["roles"].append("land"), "roles[1]", "no one on the staff holds role 'land'"),
        (
            lambda d: d["procedures"][0].update(arrivals_per_day=-3),
            "procedures[0].arrivals_per_day",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["procedures"][0].update(code="XX-NOPE", deadline_working_days=None),
            "procedures[0].code",
            "not in the catalogue",
        ),
        (
            lambda d: d["procedures"][0]["steps"][0]["minutes"].update(mean=0),
            "procedures[0].steps[0].minutes.mean",
            "greater than 0",
        ),
        (
            lambda d: d["procedures"][0]["steps"][0].update(
                minutes={"dist": "triangular", "low": 5, "mode": 2, "high": 9}
            ),
            "procedures[0].steps[0].minutes.mode",
            "low <= mode <= high",
        ),
        (
            lambda d: d["procedures"][0]["steps"][0].update(
                minutes={"dist": "lognormal", "mean": 5}
            ),
            "procedures[0].steps[0].minutes.sd",
            "needs 'sd'",
        ),
        (
            lambda d: d["procedures"][0]["steps"][0].update(
                minutes={"dist": "fixed", "value": 5, "mean": 3}
            ),
            "procedures[0].steps[0].minutes.mean",
            "does not take 'mean'",
        ),
        (
            lambda d: d["procedures"][0]["steps"][0].update(minutes={"dist": "gamma", "mean": 5}),
            "procedures[0].steps[0].minutes.dist",
            "Input should be",
        ),
        (lambda d: d.update(warmup_days=300), "warmup_days", "shorter than the horizon"),
        (lambda d: d.update(horizon_days="200"), "horizon_days", "valid integer"),
        (lambda d: d["staff"][0].update(hours=["17:00-08:00"]), "staff[0].hours[0]", "HH:MM-HH:MM"),
        (lambda d: d["staff"][1].update(id="a"), "staff[1].id", "'a' is repeated"),
        (
            lambda d: d["procedures"][0]["steps"][0].update(role="sign"),
            "procedures[0].steps[0].role",
            "role 'sign'",
        ),
        (lambda d: d.update(calendar="lunar"), "calendar", "'office' or 'continuous'"),
    ],
)
def test_bad_input_names_the_key_path(tmp_path: Path, change, field: str, words: str) -> None:
    data = base()
    change(data)
    error = problem_of(data, tmp_path)
    assert error.field == field
    assert words in error.problem


def test_shares_that_do_not_add_up(tmp_path: Path) -> None:
    data = base()
    step = data["procedures"][0]["steps"]
    data["demand"] = {"arrivals_per_day": 40, "online_share": 0.2}
    data["procedures"] = [
        {"code": "a", "share": 0.5, "deadline_working_days": 1, "steps": step},
        {"code": "b", "share": 0.3, "deadline_working_days": 1, "steps": step},
    ]
    error = problem_of(data, tmp_path)
    assert error.field == "procedures"
    assert "add up to 0.8" in error.problem
    assert "tổng các tỷ lệ share là 0.8" in error.message_vi


def test_catalogue_procedures_take_their_deadline_and_name() -> None:
    data = textbook(1, 0.5)
    data["procedures"][0].update(code="DD-CN")
    del data["procedures"][0]["deadline_working_days"]
    scenario = parse_scenario(data)
    assert scenario.deadline(scenario.procedures[0])[:2] == (8, "working")
    assert scenario.procedure_name(scenario.procedures[0]).startswith("Đăng ký biến động")
    same_day = parse_scenario({**data, "procedures": [{**data["procedures"][0], "code": "HT-KS"}]})
    assert same_day.deadline(same_day.procedures[0]) == (0, "working", True), "cut-off by law"
    data["procedures"][0]["deadline_working_days"] = 3  # a scenario may override the deadline
    assert parse_scenario(data).deadline(parse_scenario(data).procedures[0]).days == 3


def test_custom_procedure_needs_its_deadline() -> None:
    data = textbook(1, 0.5)
    del data["procedures"][0]["deadline_working_days"]
    with pytest.raises(InputError, match="not in the catalogue") as caught:
        parse_scenario(data)
    assert caught.value.field == "procedures[0].code"


def test_extends_merges_staff_by_id_and_replaces_other_values(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", SMALLEST)
    child = write(
        tmp_path,
        "child.yaml",
        """\
extends: base.yaml
name: child
horizon_days: 50
staff:
  - {id: a, remove: true}
  - {id: b, fte: 0.5}
  - {id: c, roles: [desk]}
procedures:
  - {code: demo, arrivals_per_day: 12}
""",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.horizon_days == 50
    assert scenario.warmup_days == 20  # inherited
    assert [(o.id, o.fte) for o in scenario.staff] == [("b", 0.5), ("c", 1.0)]
    assert scenario.staff[0].roles == ("desk",)  # merged, not replaced
    assert scenario.procedures[0].arrivals_per_day == 12
    assert scenario.procedures[0].steps[0].minutes.mean == 60


def test_extends_chains_and_refuses_loops(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", SMALLEST)
    write(tmp_path, "middle.yaml", "extends: base.yaml\nseed: 5\n")
    write(tmp_path, "top.yaml", "extends: middle.yaml\nname: top\n")
    top = load_scenario(tmp_path / "top.yaml")
    assert (top.name, top.seed) == ("top", 5)
    write(tmp_path, "loop1.yaml", "extends: loop2.yaml\n")
    write(tmp_path, "loop2.yaml", "extends: loop1.yaml\n")
    with pytest.raises(InputError, match="loop") as caught:
        load_scenario(tmp_path / "loop1.yaml")
    assert caught.value.field == "extends"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("extends: missing.yaml\n", "does not exist"),
        ("extends: [a, b]\n", "path of a scenario file"),
        ("extends: base.yaml\nstaff:\n  - {id: zz, remove: true}\n", "no entry with id 'zz'"),
        ("extends: base.yaml\nstaff:\n  - {roles: [desk]}\n", "needs 'id'"),
        ("name: [unclosed\n", "invalid YAML at line 2"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_file_problems(tmp_path: Path, text: str, words: str) -> None:
    write(tmp_path, "base.yaml", SMALLEST)
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(InputError, match=words) as caught:
        load_scenario(path)
    assert caught.value.file == str(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nothing.yaml")


def test_x_keys_hold_anchors_and_are_ignored(tmp_path: Path) -> None:
    text = SMALLEST.replace(
        "procedures:",
        "x-steps:\n  desk: &desk\n"
        "    - {role: desk, minutes: {dist: fixed, value: 5}}\nprocedures:",
    )
    text = text.replace(
        "    steps:\n      - {role: desk, minutes: {dist: exponential, mean: 60}}",
        "    steps: *desk",
    )
    scenario = load_scenario(write(tmp_path, "anchors.yaml", text))
    assert scenario.procedures[0].steps[0].minutes.value == 5


def test_scenarios_are_frozen() -> None:
    scenario = parse_scenario(textbook(1, 0.5))
    with pytest.raises(Exception, match="frozen"):
        scenario.name = "other"  # type: ignore[misc]


def test_model_validate_accepts_a_dict_as_the_dashboard_builds_it() -> None:
    data = copy.deepcopy(textbook(2, 0.5))
    data["start_date"] = "2026-03-02"
    scenario = Scenario.model_validate(data)
    assert scenario.start_date.isoformat() == "2026-03-02"


def test_office_calendar_range_is_checked() -> None:
    data = textbook(1, 0.5)
    data.update(calendar="office", start_date="2035-06-01", horizon_days=365)
    with pytest.raises(InputError, match="working calendar") as caught:
        parse_scenario(data)
    assert caught.value.field == "horizon_days"


def test_hour_profile_must_weigh_some_open_hour() -> None:
    data = textbook(1, 0.5)
    data.update(calendar="office", start_date="2025-09-08")
    data["procedures"][0]["profile"] = {"hours": {20: 1.0, 21: 2.0}}
    with pytest.raises(InputError, match="office session") as caught:
        parse_scenario(data)
    assert caught.value.field == "procedures[0].profile.hours"
