"""Trainees' own cases: workshop seeds from the secret, case folders, practice cases."""

from __future__ import annotations

import pandas as pd
import pytest

from cadrelab.data import case_files, exercises
from cadrelab.data.exercises import EXERCISES, generate_cases, load_cases, workshop_cases
from cadrelab.data.seeds import trainee_seed, workshop_seed
from cadrelab.errors import InputError

SECRET = bytes(range(32))


def test_workshop_seeds_need_the_secret() -> None:
    seed = workshop_seed(SECRET, "hv001", "dat-dai-01")
    assert seed == workshop_seed(SECRET, " HV001 ", "dat-dai-01")  # normalised id
    assert seed != workshop_seed(bytes(32), "hv001", "dat-dai-01")
    assert seed != workshop_seed(SECRET, "hv002", "dat-dai-01")
    assert seed != trainee_seed("hv001", "dat-dai-01")


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_a_case_folder_gives_back_the_same_tables_without_the_truth(tmp_path, exercise) -> None:
    cases = generate_cases(exercise, "hv001", SECRET)
    folder = tmp_path / exercise
    case_files.write_case_folder(cases, folder, exercise=exercise, trainee="hv001")
    again = case_files.read_case_folder(folder, exercise=exercise, trainee="hv001")
    assert sorted(again.tables) == sorted(cases.tables)
    for name, frame in cases.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], frame)
    assert "defects" not in {p.stem for p in folder.iterdir()}
    with pytest.raises(InputError):
        again.defects_of(next(iter(cases.tables)))


def test_writing_twice_gives_identical_files(tmp_path) -> None:
    cases = generate_cases("dat-dai-01", "hv001", SECRET)
    for name in ("a", "b"):
        case_files.write_case_folder(cases, tmp_path / name, exercise="dat-dai-01", trainee="hv001")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


@pytest.fixture
def handed_out(tmp_path, monkeypatch):
    cases = generate_cases("dat-dai-01", "hv001", SECRET)
    case_files.write_case_folder(
        cases, tmp_path / "dat-dai-01", exercise="dat-dai-01", trainee="hv001"
    )
    monkeypatch.setenv(exercises.CASES_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("CADRELAB_TRAINEE", "hv001")
    return tmp_path, cases


def test_a_trainee_reads_the_handed_out_cases(handed_out) -> None:
    _, cases = handed_out
    loaded = load_cases("dat-dai-01")
    pd.testing.assert_frame_equal(loaded["parcels"], cases["parcels"])
    assert loaded.defects is loaded.WITHHELD


def test_the_grader_regenerates_them_with_their_truth(handed_out) -> None:
    _, cases = handed_out
    with workshop_cases(SECRET):
        regenerated = load_cases("dat-dai-01")
    pd.testing.assert_frame_equal(regenerated["parcels"], cases["parcels"])
    assert len(regenerated.defects) > 0


def test_public_code_without_the_secret_gives_other_cases(handed_out, monkeypatch) -> None:
    _, cases = handed_out
    monkeypatch.delenv(exercises.CASES_DIR_ENV)
    practice = load_cases("dat-dai-01")
    assert not practice["parcels"].equals(cases["parcels"])


def test_a_changed_case_file_is_refused_with_a_bilingual_message(handed_out) -> None:
    folder, _ = handed_out
    path = folder / "dat-dai-01" / "parcels.csv"
    path.write_bytes(path.read_bytes().replace(b"1", b"2", 1))
    with pytest.raises(InputError) as caught:
        load_cases("dat-dai-01")
    assert caught.value.file == str(path)
    assert "giảng viên" in caught.value.message_vi


def test_another_trainees_folder_is_refused(handed_out, monkeypatch) -> None:
    monkeypatch.setenv("CADRELAB_TRAINEE", "hv002")
    with pytest.raises(InputError) as caught:
        load_cases("dat-dai-01")
    assert "hv001" in caught.value.message


def test_practice_cases_say_so_once(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(exercises.CASES_DIR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(exercises, "_told_practice", set())
    load_cases("ngan-sach-01", "hv001")
    load_cases("ngan-sach-01", "hv001")
    assert capsys.readouterr().out.count("luyện tập") == 1
