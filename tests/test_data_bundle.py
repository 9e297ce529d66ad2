"""The bundle behind ``cadrelab data generate``: files, manifest, atomicity, determinism, CLI."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from cadrelab.data import bundle
from cadrelab.data.schemas import SCHEMAS
from cadrelab.errors import InputError
from tests.conftest import cadrelab_command


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bundle") / "data"
    return out, bundle.write_bundle(out, seed=5)


def test_every_table_is_written_with_a_matching_manifest(written) -> None:
    out, manifest = written
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert set(manifest["files"]) == {f"{name}.csv" for name in SCHEMAS}
    assert sorted(p.name for p in out.iterdir()) == sorted([*manifest["files"], "manifest.json"])
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert b"\r" not in data
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert len(frame) == entry["rows"] > 0
        assert list(frame.columns) == list(SCHEMAS[name.removesuffix(".csv")].columns)
    assert manifest["seed"] == 5 and manifest["scale"] == 1 and manifest["trainee"] is None


def test_csv_formats_are_fixed(written) -> None:
    out, _ = written
    parcels = (out / "parcels.csv").read_text(encoding="utf-8").splitlines()
    assert (
        parcels[0] == "parcel_id,province_code,commune,zone,map_sheet,parcel_no,area_m2,"
        "land_use_code"
    )
    area = parcels[1].split(",")[6]
    assert area.count(".") == 1 and len(area.split(".")[1]) == 1
    dossiers = pd.read_csv(out / "dossiers.csv", dtype=str)
    assert dossiers["received_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    assert dossiers["appointment_date"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert dossiers["province_code"].str.fullmatch(r"\d{2}").all()


def test_defaults_generate_quickly_with_a_few_thousand_rows(written) -> None:
    _, manifest = written
    assert manifest["files"]["citizens.csv"]["rows"] == 3000
    assert manifest["files"]["parcels.csv"]["rows"] == 3000
    assert manifest["files"]["dossiers.csv"]["rows"] == 3000


def test_trainee_changes_the_cases_and_is_recorded(tmp_path, written) -> None:
    _, plain = written
    manifest = bundle.write_bundle(tmp_path / "t", seed=5, trainee="HocVien01")
    assert manifest["trainee"] == "hocvien01"
    assert manifest["effective_seed"] != 5
    assert manifest["files"]["citizens.csv"]["sha256"] != plain["files"]["citizens.csv"]["sha256"]


def test_a_failure_midway_leaves_the_old_folder_intact(tmp_path, monkeypatch, written) -> None:
    out = tmp_path / "data"
    first = bundle.write_bundle(out, seed=5)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = bundle.to_csv_bytes

    def failing(frame):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(frame)

    monkeypatch.setattr(bundle, "to_csv_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        bundle.write_bundle(out, seed=6)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"], "no temporary folders left"
    assert json.loads((out / "manifest.json").read_text())["files"] == first["files"]


def test_unwritable_output_is_an_input_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        bundle.write_bundle(blocker, seed=1)
    with pytest.raises(InputError):
        bundle.write_bundle(blocker / "inside", seed=1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": 1, "scale": 0}, "scale"),
        ({"seed": 1, "scale": -2}, "scale"),
        ({"seed": 1, "trainee": "học viên"}, "trainee"),
    ],
)
def test_bad_arguments_are_input_errors(tmp_path, kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        bundle.write_bundle(tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_describe_lists_every_table_column_and_defect_kind() -> None:
    text = bundle.describe_schemas()
    for name, schema in SCHEMAS.items():
        assert f"{name}.csv" in text
        for column, spec in schema.columns.items():
            assert column in text and spec.description in text
    assert "paid_after_death" in text and "duplicate_parcel" in text


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    return subprocess.run(
        [*cadrelab_command(), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_cli_generate_twice_gives_identical_manifests(tmp_path) -> None:
    a = _cli("data", "generate", "--seed", "7", "--out", "A", cwd=tmp_path)
    b = _cli("data", "generate", "--seed", "7", "--out", "B", cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    manifest_a = (tmp_path / "A" / "manifest.json").read_bytes()
    assert manifest_a == (tmp_path / "B" / "manifest.json").read_bytes()
    for name in json.loads(manifest_a)["files"]:
        assert (tmp_path / "A" / name).read_bytes() == (tmp_path / "B" / name).read_bytes()
    c = _cli("data", "generate", "--seed", "8", "--out", "C", cwd=tmp_path)
    assert (tmp_path / "C" / "manifest.json").read_bytes() != manifest_a, c.stderr
    assert "wrote" in a.stdout


def test_cli_describe_prints_the_schemas(tmp_path) -> None:
    result = _cli("data", "describe", cwd=tmp_path)
    assert result.returncode == 0
    assert "dossiers.csv" in result.stdout and "appointment_date" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--seed", "1", "--out", "X", "--trainee", "học viên"],
        ["--seed", "1", "--out", "blocker"],
        ["--seed", "99999999999999999999", "--out", "X"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args: list[str]) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = _cli("data", "generate", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("cadrelab: error: ")
    assert not (tmp_path / "X").exists()
    assert (tmp_path / "blocker").read_text() == "a file, not a folder"


@pytest.mark.parametrize(
    "args",
    [
        ["--seed", "-3", "--out", "X"],
        ["--seed", "abc", "--out", "X"],
        ["--seed", "1", "--out", "X", "--scale", "0"],
        ["--out", "X"],
    ],
)
def test_cli_usage_errors_exit_2_without_traceback(tmp_path, args: list[str]) -> None:
    result = _cli("data", "generate", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("cadrelab data generate: error:")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "X").exists()


def test_cli_error_gives_the_vietnamese_wording_on_the_same_line(tmp_path) -> None:
    result = _cli(
        "data", "generate", "--seed", "1", "--out", "x", "--trainee", "BAD ID", cwd=tmp_path
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "/ lỗi: " in result.stderr and "không hợp lệ" in result.stderr
