"""Calibration from a dossier log: a known scenario recovered from its own log; malformed logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cadrelab.errors import InputError
from cadrelab.sim import load_scenario, run_scenario, with_changes
from cadrelab.sim.experiments.calibrate import calibrate, fit
from cadrelab.sim.experiments.eventlog import HEADERS, log_table, read_log
from cadrelab.sim.scenario.edit import overall_online_share, total_arrivals
from cadrelab.sim.scenario.files import load_merged, parse_scenario, scenario_yaml
from tests.sim_helpers import SIMULATIONS, assert_input_error, cadrelab_sim

TRANSFER_OUTSIDE_DAYS = 1.5 + (1 + 1.5 + 3) / 3 + 2.0 * 5 / 7 + 1.0  # DD-CN's outside steps


@pytest.fixture(scope="module")
def known() -> object:
    """The baseline over 150 days: the scenario whose log is calibrated."""
    return with_changes(
        load_scenario(SIMULATIONS / "baseline.yaml"),
        horizon_days=150,
        warmup_days=14,
        replications=5,
    )


@pytest.fixture(scope="module")
def log_file(known, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("log") / "nhat-ky.csv"
    log_table(run_scenario(known, replications=1)).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def recovered(log_file):
    return calibrate(read_log(log_file), load_merged(SIMULATIONS / "baseline.yaml"))


def test_the_log_has_the_headers_of_a_provincial_export(log_file) -> None:
    header = log_file.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [names[0] for names in HEADERS.values()]


def test_arrivals_and_online_shares_are_recovered(known, recovered) -> None:
    scenario = parse_scenario(recovered.scenario)
    assert total_arrivals(scenario) == pytest.approx(total_arrivals(known), rel=0.06)
    assert overall_online_share(scenario) == pytest.approx(overall_online_share(known), abs=0.02)
    for procedure in known.procedures:
        expected = known.arrivals_per_day(procedure)
        if expected >= 1.0:  # at least about 100 dossiers in the log
            got = recovered.arrivals[procedure.code]
            assert got == pytest.approx(expected, rel=0.25), procedure.code
    hours = scenario.demand.profile.hours
    assert max(hours, key=hours.get) in (8, 9), "the morning peak of the baseline's profile"


def test_time_outside_is_fitted_with_its_goodness_of_fit(recovered) -> None:
    transfer = recovered.fits["outside", "DD-CN"]
    assert transfer.family in ("lognormal", "exponential", "empirical")
    assert transfer.mean == pytest.approx(TRANSFER_OUTSIDE_DAYS, rel=0.12)
    assert recovered.fits["outside", "DD-HG"].verdict == "too_few"
    steps = next(p for p in recovered.scenario["procedures"] if p["code"] == "DD-CN")["steps"]
    assert [s["external"] for s in steps if "external" in s] == ["lien-thong"]


def test_running_both_scenarios_gives_on_time_rates_within_their_intervals(
    known, recovered
) -> None:
    calibrated = with_changes(
        parse_scenario(recovered.scenario), horizon_days=150, warmup_days=14, replications=5
    )
    runs = run_scenario(known), run_scenario(calibrated)
    for key in (("overall", "all", "on_time_rate"), ("procedure", "DD-CN", "on_time_rate")):
        one, other = (r.estimate(key) for r in runs)
        assert one.low <= other.mean <= one.high or other.low <= one.mean <= other.high, key
        assert max(one.low, other.low) <= min(one.high, other.high), key


def test_the_written_scenario_loads_and_lists_its_assumptions(recovered, tmp_path) -> None:
    path = tmp_path / "calibrated.yaml"
    path.write_text(scenario_yaml(recovered.scenario, recovered.notes), encoding="utf-8")
    assert load_scenario(path).name == "baseline-calibrated"
    notes = yaml.safe_load(path.read_text(encoding="utf-8"))["x-calibration"]
    assert any("desk minutes" in note["en"] for note in notes)


def test_fit_says_when_it_cannot_choose_or_has_too_few_records() -> None:
    rng = np.random.default_rng(5)
    assert fit(rng.lognormal(0.5, 0.9, 4000)).family == "lognormal"
    assert fit(rng.exponential(3.0, 4000)).verdict in ("fits", "cannot_choose")
    assert fit(rng.exponential(3.0, 12)).verdict == "too_few"
    tie = fit(np.random.default_rng(2).lognormal(0.5, 1.0, 40))  # 40 values: AIC within 2
    assert (tie.verdict, tie.family, tie.runner_up) == ("cannot_choose", "exponential", "lognormal")
    bimodal = np.concatenate([rng.normal(1, 0.05, 500), rng.normal(9, 0.05, 500)])
    assert fit(bimodal).family == "empirical"


# --- malformed logs --------------------------------------------------------------------


def _small_log(tmp_path: Path, rows: list[dict], name: str = "log.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


ROW = {"Mã hồ sơ": "A1", "Mã thủ tục": "HT-KS", "Kênh nộp": "Trực tiếp"}


def test_dates_in_three_formats_read_the_same(tmp_path) -> None:
    texts = ["2025-07-01 08:15", "01/07/2025 08:15", "2025-07-01T08:15:00"]
    rows = [{**ROW, "Mã hồ sơ": f"A{i}", "Ngày tiếp nhận": text} for i, text in enumerate(texts)]
    frame = read_log(_small_log(tmp_path, rows)).frame
    assert frame["received"].nunique() == 1
    excel = tmp_path / "log.xlsx"
    pd.DataFrame([{**ROW, "Ngày tiếp nhận": pd.Timestamp("2025-07-01 08:15")}]).to_excel(
        excel, index=False
    )
    assert read_log(excel).frame["received"].iloc[0] == frame["received"].iloc[0]


def test_duplicates_and_times_outside_office_hours_are_reported(tmp_path) -> None:
    rows = [
        {**ROW, "Mã hồ sơ": f"A{i % 40}", "Ngày tiếp nhận": f"2025-07-0{1 + i % 3} 0{8 + i % 2}:10"}
        for i in range(50)
    ]
    rows.append({**ROW, "Mã hồ sơ": "night", "Ngày tiếp nhận": "2025-07-02 22:30"})
    log = read_log(_small_log(tmp_path, rows))
    assert len(log.frame) == 41
    assert ("sim.calibrate.note.duplicates", {"count": 10}) in log.notes
    result = calibrate(log, load_merged(SIMULATIONS / "baseline.yaml"))
    assert any("outside office hours" in english for english, _ in result.notes)


@pytest.mark.parametrize(
    ("rows", "column_map", "field", "words"),
    [
        (
            [{"Mã hồ sơ": "A", "Mã thủ tục": "HT-KS", "Ngày tiếp nhận": "2025-07-01"}],
            None,
            "channel",
            "lacks this column",
        ),
        ([{**ROW, "Ngày tiếp nhận": "31/02/2025 08:00"}], None, "received (row 2)", "not a date"),
        (
            [{**ROW, "Kênh nộp": "fax", "Ngày tiếp nhận": "2025-07-01"}],
            None,
            "channel (row 2)",
            "not a channel",
        ),
        ([{**ROW, "Ngày tiếp nhận": "2025-07-01"}], {"code": "Số HS"}, "code", "no column 'Số HS'"),
    ],
)
def test_malformed_logs_name_the_column_and_row(tmp_path, rows, column_map, field, words) -> None:
    with pytest.raises(InputError, match=words) as caught:
        read_log(_small_log(tmp_path, rows), column_map)
    assert caught.value.field == field


@pytest.mark.parametrize("name", ["log.csv", "log.xlsx"])
def test_a_log_that_cannot_be_read_is_an_input_error(tmp_path, name) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xff\xfe\x00garbage\x00" * 50)
    with pytest.raises(InputError, match="cannot read"):
        read_log(path)


def test_cli_bad_log_exits_2_with_one_line_and_writes_nothing(tmp_path) -> None:
    log = _small_log(tmp_path, [{"Mã hồ sơ": "A", "Ngày tiếp nhận": "2025-07-01"}])
    out = tmp_path / "out.yaml"
    for extra in ([], ["--map", tmp_path / "missing-map.yaml"]):
        assert_input_error(cadrelab_sim("calibrate", log, "--out", out, *extra))
    assert not out.exists()


def test_cli_log_then_calibrate(known, tmp_path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(scenario_yaml(with_changes(known, horizon_days=40)), encoding="utf-8")
    log, out = tmp_path / "log.csv", tmp_path / "calibrated.yaml"
    for args in (
        ["log", scenario, "--out", log],
        ["calibrate", log, "--out", out, "--lang", "en"],
    ):
        done = cadrelab_sim(*args)
        assert done.returncode == 0, done.stderr
    assert "dossiers per working day" in done.stdout
    assert load_scenario(out).procedures
