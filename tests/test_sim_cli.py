"""`cadrelab sim run | compare | sweep`: tables, JSON, CSV, exit status on bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from cadrelab.cli import main
from tests.conftest import cadrelab_command
from tests.sim_helpers import textbook


@pytest.fixture()
def scenario_file(tmp_path: Path) -> Path:
    data = textbook(2, 0.7, horizon_days=30, warmup_days=3, replications=3)
    data["roles"] = ["reception", "sign"]
    data["staff"] = [
        {"id": "a", "roles": ["reception"]},
        {"id": "b", "roles": ["reception"]},
        {"id": "chair", "name_vi": "Chủ tịch", "roles": ["sign"]},
    ]
    data["procedures"][0]["steps"] = [
        {"role": "reception", "minutes": {"dist": "exponential", "mean": 20.0}},
        {"role": "sign", "minutes": {"dist": "fixed", "value": 1.0}},
    ]
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_run_prints_a_table_and_writes_json_and_csv(
    scenario_file: Path, tmp_path: Path, capsys
) -> None:
    out, csv = tmp_path / "out.json", tmp_path / "csv"
    assert main(["sim", "run", str(scenario_file), "--json", str(out), "--csv", str(csv)]) == 0
    printed = capsys.readouterr().out
    assert "Vai trò" in printed and "Mức bận (%)" in printed and "Chủ tịch" in printed
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["scenario"] == "mm2" and summary["replications"] == 3
    for role in ("reception", "sign"):
        for metric in ("wait_minutes", "utilization"):
            block = summary["roles"][role][metric]
            assert isinstance(block["mean"], float) and len(block["ci95"]) == 2
    assert set(summary["officers"]) == {"a", "b", "chair"}
    assert 0 < summary["officers"]["a"]["utilization"]["mean"] < 1
    procedure = summary["procedures"]["demo"]
    assert 0 <= procedure["on_time_rate"]["mean"] <= 1
    assert (
        procedure["lead_time_working_days"]["ci95"][0]
        <= procedure["lead_time_working_days"]["mean"]
    )
    assert {p.name for p in csv.iterdir()} == {
        "figures.csv",
        "dossiers.csv",
        "steps.csv",
        "queues.csv",
    }


def test_same_seed_gives_byte_identical_files(scenario_file: Path, tmp_path: Path) -> None:
    runs = []
    for name in ("one", "two"):
        out = tmp_path / f"{name}.json"
        main(["sim", "run", str(scenario_file), "--json", str(out), "--csv", str(tmp_path / name)])
        runs.append((out.read_bytes(), (tmp_path / name / "steps.csv").read_bytes()))
    assert runs[0] == runs[1]
    main(["sim", "run", str(scenario_file), "--seed", "8", "--json", str(tmp_path / "x.json")])
    assert (tmp_path / "x.json").read_bytes() != runs[0][0]


def test_replications_seed_and_language_options(
    scenario_file: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out.json"
    main(
        [
            "sim",
            "run",
            str(scenario_file),
            "--replications",
            "2",
            "--seed",
            "4",
            "--lang",
            "en",
            "--json",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert "Utilisation (%)" in printed and "2 replications, seed 4" in printed
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert (summary["replications"], summary["seed"]) == (2, 4)


def test_target_half_width_adds_replications(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    main(
        [
            "sim",
            "run",
            str(scenario_file),
            "--target-half-width",
            "0.04",
            "--precision-metric",
            "roles.reception.utilization",
            "--json",
            str(out),
        ]
    )
    summary = json.loads(out.read_text(encoding="utf-8"))
    busy = summary["roles"]["reception"]["utilization"]
    assert summary["replications"] > 3
    assert (busy["ci95"][1] - busy["ci95"][0]) / 2 <= 0.04 * busy["mean"]


def test_compare_prints_paired_differences(scenario_file: Path, tmp_path: Path, capsys) -> None:
    data = yaml.safe_load(scenario_file.read_text(encoding="utf-8"))
    alt = tmp_path / "alt.yaml"
    alt.write_text(
        f"extends: {scenario_file.name}\nname: one-desk\nstaff:\n  - {{id: b, remove: true}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "cmp.json"
    assert (
        main(["sim", "compare", str(scenario_file), str(alt), "--lang", "en", "--json", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "one-desk" in printed and "Difference [95% CI]" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    wait = result["alternatives"]["one-desk"]["roles"]["reception"]["wait_minutes"]
    assert wait["difference"]["ci95"][0] > 0  # one officer fewer: citizens wait longer
    assert result["replications"] == data["replications"]


def test_bad_scenario_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    data = textbook(1, 0.5)
    data["staff"][0]["roles"] = ["desk", "land"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = subprocess.run(
        [*cadrelab_command(), "sim", "run", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "Traceback" not in done.stderr
    assert "staff[0].roles[1]" in done.stderr and "role 'land'" in done.stderr


def test_sweep_writes_one_tidy_table(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "sweep.yaml"
    repo = Path(__file__).resolve().parents[1]
    spec.write_text(
        yaml.safe_dump(
            {
                "name": "tiny",
                "scenario": str(repo / "simulations" / "baseline.yaml"),
                "replications": 1,
                "seed": 3,
                "horizon_days": 10,
                "warmup_days": 2,
                "provinces": ["11"],
                "communes_per_province": 2,
                "variants": [{"name": "base", "share": 1.0}],
                "metrics": ["overall.on_time_rate"],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "table.csv"
    assert (
        main(["sim", "sweep", str(spec), "--workers", "1", "--out", str(out), "--lang", "en"]) == 0
    )
    assert "Ran 2 cases" in capsys.readouterr().out
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("case,province_code,province,commune,variant")
    assert len(lines) == 1 + 2
