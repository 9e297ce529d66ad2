"""Tools of the planners' notebook and the staffing course: edits, charts, tables, own commune."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadrelab.data import load_cases
from cadrelab.data.case_files import write_case_folder
from cadrelab.data.exercises import workshop_cases
from cadrelab.errors import InputError
from cadrelab.sim import charts, compare, load_scenario, run_scenario, tables
from cadrelab.sim.commune import (
    DOSSIERS_RANGE,
    ONLINE_RANGE,
    VACANT,
    commune_demand,
    officers_from_roster,
    own_commune,
)
from cadrelab.sim.results.metrics import KEY_FIGURES
from cadrelab.sim.scenario.edit import (
    edit_staff,
    overall_online_share,
    total_arrivals,
    with_changes,
    with_demand,
)
from tests.sim_helpers import SIMULATIONS, scenario, textbook


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SIMULATIONS / "baseline.yaml")


@pytest.fixture(scope="module")
def short_runs(baseline):
    base = with_changes(baseline, horizon_days=45, warmup_days=10, replications=3)
    fewer = edit_staff(base, remove=["dc-1"], name="fewer")
    return run_scenario(base), run_scenario(fewer)


# --- edits ------------------------------------------------------------------------------


def test_edit_staff_removes_adds_roles_and_officers(baseline) -> None:
    plan = edit_staff(
        baseline,
        remove=["dc-2"],
        add_roles={"kt-1": ["land", "business"]},
        fte={"kt-1": 0.9},
        add=[{"id": "extra", "roles": ["land"], "fte": 0.5}],
        name="plan",
    )
    staff = {o.id: o for o in plan.staff}
    assert "dc-2" not in staff and staff["extra"].fte == 0.5
    assert staff["kt-1"].roles == ("business", "land") and staff["kt-1"].fte == 0.9
    assert plan.name == "plan" and plan.procedures == baseline.procedures


def test_edit_staff_names_an_unknown_officer(baseline) -> None:
    with pytest.raises(InputError) as caught:
        edit_staff(baseline, fte={"nobody": 0.5})
    assert caught.value.problem_vi == "không có cán bộ 'nobody' trong kịch bản"


def test_an_edit_that_leaves_a_role_unheld_is_an_input_error(baseline) -> None:
    with pytest.raises(InputError) as caught:
        edit_staff(baseline, remove=["dc-1", "dc-2"])
    assert caught.value.field == "roles[3]"
    assert caught.value.problem_vi == "không cán bộ nào đảm nhiệm vai trò 'land'"


def test_with_demand_sets_the_demand_block(baseline) -> None:
    changed = with_demand(baseline, arrivals_per_day=60, online_share=0.3)
    assert total_arrivals(changed) == pytest.approx(60)
    in_person_only = [p for p in changed.procedures if p.online_share == 0]
    assert in_person_only and all(changed.online_share(p) == 0 for p in in_person_only)
    assert overall_online_share(baseline) == pytest.approx(0.14, abs=0.005), "calibration"


def test_with_demand_scales_procedures_without_a_demand_block() -> None:
    data = textbook(2, 0.5)
    data["procedures"].append({**data["procedures"][0], "code": "other", "arrivals_per_day": 10})
    base = scenario(data)
    changed = with_demand(base, arrivals_per_day=2 * total_arrivals(base), online_share=0.25)
    assert [p.arrivals_per_day for p in changed.procedures] == pytest.approx(
        [2 * p.arrivals_per_day for p in base.procedures]
    )
    assert overall_online_share(changed) == pytest.approx(0.25)


def test_with_changes_rejects_unknown_keys(baseline) -> None:
    with pytest.raises(InputError) as caught:
        with_changes(baseline, horizon=10)
    assert caught.value.field == "horizon"


# --- charts and tables ----------------------------------------------------------------


def test_charts_draw_every_planner_figure(short_runs) -> None:
    base, fewer = short_runs
    runs = {"Gốc": base, "Ít người": fewer}
    figures = {
        "Phân bố thời gian chờ": charts.wait_distribution(runs, roles=["land"]),
        "Tỷ lệ đúng hạn": charts.on_time_by_procedure(runs, limit=5),
        "Mức bận": charts.utilization_by_officer(runs),
        "Số bước hồ sơ đang chờ": charts.queue_by_hour(runs),
        "Chênh lệch": charts.wait_differences(compare(base, [fewer])),
    }
    for title, figure in figures.items():
        assert figure.axes[0].get_title().startswith(title)
        assert figure._repr_png_().startswith(b"\x89PNG")
    officers = [label.get_text() for label in figures["Mức bận"].axes[0].get_yticklabels()]
    assert len(officers) == len(base.scenario.staff)
    assert len(figures["Tỷ lệ đúng hạn"].axes[0].get_yticklabels()) == 5


def test_measured_waits_leave_out_the_warm_up(short_runs) -> None:
    base, _ = short_runs
    steps = base.steps()
    warmup = base.scenario.warmup_days * 1440
    expected = steps[(steps.ready_minute >= warmup) & steps.start_minute.notna()]
    waits = charts.measured_waits(base)
    assert len(waits) == len(expected) and np.allclose(
        np.sort(waits), np.sort(expected.wait_minutes)
    )
    land = charts.measured_waits(base, ["land"])
    assert 0 < len(land) < len(waits)


def test_queue_by_hour_covers_office_hours_only(short_runs) -> None:
    base, fewer = short_runs
    hours = charts.queue_by_hour_table(base).index
    assert set(hours) <= set(range(7, 17)) and 12 not in hours
    assert (
        charts.queue_by_hour_table(fewer, ["land"]).mean()
        > charts.queue_by_hour_table(base, ["land"]).mean()
    )


def test_tables_show_means_intervals_and_clear_changes(short_runs) -> None:
    base, fewer = short_runs
    figures = tables.key_figures({"Gốc": base, "Ít người": fewer})
    assert figures.shape == (len(KEY_FIGURES), 2)
    assert figures.iloc[1, 0].count("[") == 1 and "," in figures.iloc[1, 0]
    same = tables.differences_table(compare(base, [base]))
    assert set(same["Khác biệt rõ?"]) == {"không"}
    diff = tables.differences_table(compare(base, [fewer]))
    land = diff[diff["Chỉ số"].str.endswith("Đất đai")]
    assert land["Khác biệt rõ?"].tolist() == ["có"]


@pytest.mark.parametrize(
    ("low", "high", "clear"),
    [(0.1, 0.5, True), (-0.5, -0.1, True), (-0.1, 0.1, False), (np.nan, np.nan, False)],
)
def test_significant_means_the_interval_leaves_out_zero(low, high, clear) -> None:
    assert tables.significant(low, high) is clear


# --- the trainee's own commune ------------------------------------------------------------


def test_own_commune_is_the_same_for_the_same_trainee() -> None:
    first, again = own_commune("nhan-su-01", "hv-01"), own_commune("nhan-su-01", "HV-01 ")
    assert first.scenario() == again.scenario()
    other = own_commune("nhan-su-01", "hv-02")
    assert (other.name, other.dossiers_per_day) != (first.name, first.dossiers_per_day)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True))
def test_every_trainee_gets_a_valid_commune_scenario(trainee) -> None:
    commune = own_commune("nhan-su-01", trainee)
    assert DOSSIERS_RANGE[0] <= commune.dossiers_per_day <= DOSSIERS_RANGE[1]
    assert ONLINE_RANGE[0] <= commune.online_share <= ONLINE_RANGE[1]
    plan = commune.scenario()
    held = {role for officer in plan.staff for role in officer.roles}
    assert held == set(plan.roles)
    present = commune.roster[commune.roster.status != VACANT]
    assert len(plan.staff) <= len(present)


def test_roster_rules_vacancies_coverage_and_absence() -> None:
    roster = own_commune("nhan-su-01", "kiem-thu").roster.copy()
    roster.loc[roster.post_code == "dia_chinh", ["status", "full_name"]] = [VACANT, None]
    roster["concurrent_posts"] = pd.Series([None] * len(roster), dtype="str")
    finance = roster.index[roster.post_code == "tai_chinh_ke_toan"][0]
    roster.loc[finance, "concurrent_posts"] = "dia_chinh"
    desk = roster.index[roster.post_code == "mot_cua"][0]
    roster.loc[desk, ["status", "absent_from", "absent_until"]] = [
        "Vắng mặt",
        pd.Timestamp("2025-09-20"),
        pd.Timestamp("2025-09-26"),
    ]
    officers = {o["id"]: o for o in officers_from_roster(roster)}
    assert not any(o["post_code"] == "dia_chinh" for o in officers.values())
    covering = officers["tai-chinh-ke-toan-1"]
    assert covering["roles"] == ["finance", "land"] and covering["fte"] == pytest.approx(0.9)
    assert officers["tai-chinh-ke-toan-2"]["fte"] == pytest.approx(0.2), "share split by seats"
    assert officers["mot-cua-1"]["absence"]["periods"] == [
        {"start": "2025-09-20", "end": "2025-09-26"}
    ]
    assert officers["pho-chu-tich-2"]["hours"] != officers["pho-chu-tich-1"]["hours"]


def test_a_role_no_one_can_cover_goes_to_the_least_loaded_officer() -> None:
    commune = own_commune("nhan-su-01", "kiem-thu")
    roster = commune.roster.copy()
    economy = roster.unit == "KT"
    roster.loc[economy, ["status", "full_name"]] = [VACANT, None]
    roster["concurrent_posts"] = pd.Series([None] * len(roster), dtype="str")
    plan = type(commune)(**{**commune.__dict__, "roster": roster}).scenario()
    holders = {role: [o.id for o in plan.staff if role in o.roles] for role in plan.roles}
    assert all(holders.values()), holders
    assert not any(o.roles == ("sign", "land") for o in plan.staff), "not a leader"


def test_commune_demand_depends_on_the_seed_only() -> None:
    assert commune_demand(12345) == commune_demand(12345)
    values = {commune_demand(seed) for seed in range(40)}
    assert len(values) > 30


def test_a_trainees_commune_is_the_same_from_their_case_folder_and_in_the_grader(
    tmp_path, monkeypatch
) -> None:
    """In a workshop the commune (demand and seed included) comes from the secret's roster:
    the trainee's case folder gives the same scenario as the grader's regeneration."""
    secret = b"s" * 32
    with workshop_cases(secret):
        graded = own_commune("mo-phong-01", "hv-07")
        cases = load_cases("mo-phong-01", "hv-07")
    write_case_folder(cases, tmp_path / "mo-phong-01", exercise="mo-phong-01", trainee="hv-07")
    monkeypatch.setenv("CADRELAB_CASES_DIR", str(tmp_path))
    handed_out = own_commune("mo-phong-01", "hv-07")
    assert handed_out.scenario() == graded.scenario()
    monkeypatch.delenv("CADRELAB_CASES_DIR")
    practice = own_commune("mo-phong-01", "hv-07")
    assert (practice.seed, practice.name) != (graded.seed, graded.name)
