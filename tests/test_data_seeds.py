"""Trainee seeds, trainee ids and the cases of an exercise."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrelab.data import EXERCISES, load_cases, trainee_id, trainee_seed, write_profile
from cadrelab.data.seeds import TRAINEE_ID_PATTERN
from cadrelab.errors import InputError

# Pinned: a change of the seed algorithm would give every trainee new cases mid-course.
KNOWN_SEEDS = [
    ("hocvien01", "dat-dai-01", 8480172200327739134),
    ("hocvien01", "dat-dai-02", 4429047803217539242),
    ("Nguyen.Van.A@xa-hoankiem.gov.vn", "tiep-nhan-01", 6568594962829352107),
    ("a", "b", 3386591172837726427),
]


@pytest.mark.parametrize(("trainee", "exercise", "seed"), KNOWN_SEEDS)
def test_trainee_seed_is_pinned(trainee: str, exercise: str, seed: int) -> None:
    assert trainee_seed(trainee, exercise) == seed


def test_trainee_seed_is_the_same_in_another_process() -> None:
    code = "from cadrelab.data import trainee_seed; print(trainee_seed('hocvien01', 'dat-dai-01'))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123"},
    )
    assert int(out.stdout) == KNOWN_SEEDS[0][2]


def test_trainee_ids_are_normalised() -> None:
    assert trainee_seed("  HocVien01 ", "dat-dai-01") == trainee_seed("hocvien01", "dat-dai-01")


@given(st.from_regex(TRAINEE_ID_PATTERN, fullmatch=True), st.sampled_from(list(EXERCISES)))
def test_any_valid_trainee_gets_a_63_bit_seed(trainee: str, exercise: str) -> None:
    seed = trainee_seed(trainee, exercise)
    assert 0 <= seed < 2**63
    assert seed == trainee_seed(trainee.upper(), exercise)


@pytest.mark.parametrize("bad", ["", " ", "-abc", "học viên", "a b", "x" * 65, "a/b", None, 12])
def test_unknown_trainee_id_format_is_an_input_error(bad: object) -> None:
    with pytest.raises(InputError, match="trainee id"):
        trainee_seed(bad, "dat-dai-01")


@pytest.mark.parametrize("bad", ["", "Dat-Dai-01", "dat dai", "dat_dai", None])
def test_bad_exercise_id_is_an_input_error(bad: object) -> None:
    with pytest.raises(InputError, match="exercise id"):
        trainee_seed("hocvien01", bad)


def test_trainee_id_comes_from_grader_then_hub_then_profile(tmp_path) -> None:
    profile = tmp_path / "profile.json"
    env = {"CADRELAB_TRAINEE": "grader-sets-me", "JUPYTERHUB_USER": "hub-user"}
    assert trainee_id(env, profile) == "grader-sets-me"
    assert trainee_id({"JUPYTERHUB_USER": "Hub-User"}, profile) == "hub-user"
    write_profile("From-Profile", profile)
    assert json.loads(profile.read_text(encoding="utf-8")) == {"trainee_id": "from-profile"}
    assert trainee_id({}, profile) == "from-profile"


def test_no_trainee_anywhere_explains_in_both_languages(tmp_path) -> None:
    with pytest.raises(InputError) as error:
        trainee_id({}, tmp_path / "missing.json")
    assert "Unknown trainee" in error.value.message
    assert "Chưa biết học viên" in error.value.message
    assert "Chưa biết học viên" in error.value.message_vi


def test_unreadable_profile_is_an_input_error(tmp_path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="profile"):
        trainee_id({}, profile)
    profile.write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(InputError, match="trainee_id"):
        trainee_id({}, profile)


def test_load_cases_is_per_trainee_and_repeatable(monkeypatch) -> None:
    first = load_cases("dat-dai-01", "hocvien01")
    again = load_cases("dat-dai-01", "HOCVIEN01")
    other = load_cases("dat-dai-01", "hocvien02")
    pd.testing.assert_frame_equal(first["parcels"], again["parcels"])
    assert not first["parcels"].equals(other["parcels"])
    monkeypatch.setenv("CADRELAB_TRAINEE", "hocvien01")
    pd.testing.assert_frame_equal(load_cases("dat-dai-01")["transfers"], first["transfers"])


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_every_exercise_loads(exercise: str) -> None:
    cases = load_cases(exercise, "hocvien01")
    assert cases.tables and all(len(f) > 0 for f in cases.tables.values())


def test_unknown_exercise_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no exercise"):
        load_cases("khong-co-01", "hocvien01")
