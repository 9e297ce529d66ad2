"""The planners' dashboard without a browser: the panel's logic, the Voila command, the CLI."""

from __future__ import annotations

import base64
import json
import re

import pytest
import yaml

from cadrelab.cli import main
from cadrelab.errors import InputError
from cadrelab.sim.dashboard import (
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    dashboard_command,
    dashboard_url,
)
from cadrelab.widgets.scenario_panel import FIGURES, ScenarioPanel, scenario_files
from tests.sim_helpers import SIMULATIONS
from tests.test_sim_optimise import single_role

SHORT = {"horizon": 60, "replications": 3}


@pytest.fixture(scope="module")
def panel() -> ScenarioPanel:
    return ScenarioPanel()


def short_run(panel: ScenarioPanel) -> None:
    panel.horizon.value = SHORT["horizon"]
    panel.replications.value = SHORT["replications"]


def fresh(panel: ScenarioPanel, name: str = "baseline.yaml") -> ScenarioPanel:
    """The panel as a planner finds it after picking ``name`` (edits of earlier tests gone)."""
    panel.base_picker.value = "baseline.yaml"
    panel.load(name)
    short_run(panel)
    return panel


def test_lists_scenarios_not_sweep_specs() -> None:
    names = [p.name for p in scenario_files(SIMULATIONS)]
    assert "baseline.yaml" in names and "no-land-officer.yaml" in names
    assert "national.yaml" not in names


def test_matrix_shows_every_officer_and_their_roles(panel: ScenarioPanel) -> None:
    fresh(panel)
    assert [row.id for row in panel.matrix.rows] == [o.id for o in panel.scenario.staff]
    row = panel.matrix.row("cntt")
    assert [r for r, box in row.roles.items() if box.value] == ["reception", "digital", "return"]
    assert panel.arrivals.value == pytest.approx(48)
    assert panel.online.value == pytest.approx(0.164)


def test_unchanged_panel_reproduces_the_base_exactly(panel: ScenarioPanel) -> None:
    fresh(panel)
    assert panel.run(), panel.message.value
    diffs = panel.comparison.differences(panel.results)
    assert all(d.mean == 0 for d in diffs.values() if d.n), "same scenario, same citizens"
    assert "Xong" in panel.status.value
    assert panel.progress.value == panel.progress.max == 2 * SHORT["replications"]


def test_unticking_an_officer_removes_them_and_changes_the_figures(panel: ScenarioPanel) -> None:
    fresh(panel)
    assert panel.run()
    before = panel.kpi()
    panel.matrix.row("dc-1").active.value = False
    edited = panel.edited_scenario()
    assert "dc-1" not in [o.id for o in edited.staff]
    assert panel.run(), panel.message.value
    after = panel.kpi()
    # one land officer fewer: land dossiers pile up, fewer are done on time
    assert after["on_time_rate"] < before["on_time_rate"]
    assert after["dossiers_per_working_day"] == before["dossiers_per_working_day"]
    figure = re.search(
        r"class='cadrelab-kpi' data-key='on_time_rate'>([^<]+)<", panel.summary.value
    )
    assert figure and figure[1].startswith(f"{100 * after['on_time_rate']:.1f}".replace(".", ","))
    assert all(bytes(image.value).startswith(b"\x89PNG") for image in panel.figures.values())


def test_a_role_no_one_holds_shows_the_vietnamese_message(panel: ScenarioPanel) -> None:
    fresh(panel)
    panel.matrix.row("dc-1").active.value = False
    panel.matrix.row("dc-2").active.value = False
    assert panel.run() is False
    assert "không cán bộ nào đảm nhiệm vai trò 'land'" in panel.message.value.replace("&#x27;", "'")
    assert "Traceback" not in panel.message.value
    assert panel.results is None and panel.summary.value == ""
    assert not panel.run_button.disabled


def test_an_officer_with_no_role_is_named_in_the_message(panel: ScenarioPanel) -> None:
    fresh(panel)
    for box in panel.matrix.row("kt-1").roles.values():
        box.value = False
    panel.matrix.row("tc-1").roles["business"].value = True
    with pytest.raises(InputError) as caught:
        panel.edited_scenario()
    assert "Công chức Kinh tế" in caught.value.field
    assert panel.run() is False and "Công chức Kinh tế" in panel.message.value


def test_ticked_roles_follow_the_officers_own(panel: ScenarioPanel) -> None:
    fresh(panel)
    panel.matrix.row("mc-3").roles["land"].value = True
    officer = next(o for o in panel.edited_scenario().staff if o.id == "mc-3")
    assert officer.roles == ("reception", "return", "land")


def test_adding_an_officer_copies_roles_and_hours(panel: ScenarioPanel) -> None:
    fresh(panel)
    panel.add_officer("pct-vp")
    added = next(o for o in panel.edited_scenario().staff if o.id == "pct-vp-them-1")
    original = next(o for o in panel.scenario.staff if o.id == "pct-vp")
    assert added.roles == original.roles and added.hours == original.hours
    assert added.absence.periods == ()
    assert len(panel.edited_scenario().staff) == len(panel.scenario.staff) + 1


def test_demand_changes_only_when_the_planner_changes_it(panel: ScenarioPanel) -> None:
    fresh(panel)
    assert panel.edited_scenario().demand == panel.scenario.demand
    panel.arrivals.value = 60
    panel.online.value = 0.3
    demand = panel.edited_scenario().demand
    assert demand.arrivals_per_day == 60 and demand.online_share == pytest.approx(0.3)
    assert "%" in panel.online_note.value
    assert panel.run()
    assert panel.kpi()["dossiers_per_working_day"] > 55


def test_bad_demand_is_reported_not_raised(panel: ScenarioPanel) -> None:
    fresh(panel)
    panel.arrivals.value = 0
    for row in panel.matrix.rows:
        row.active.value = False
    assert panel.run() is False
    assert "cadrelab-error" in panel.message.value


def test_base_run_is_paired_and_cached(panel: ScenarioPanel) -> None:
    calls = []
    counting = ScenarioPanel(runner=lambda s, **kw: calls.append(s.name) or _run(s, **kw))
    short_run(counting)
    assert counting.run() and counting.run()
    assert calls.count("baseline") == 1, "the base is run once for the same settings"
    assert counting.base_results.seed == counting.results.seed
    counting.base_picker.value = "no-land-officer.yaml"
    assert counting.run()
    assert counting.base_results.scenario.name == "no-land-officer"
    assert counting.base_results.scenario.horizon_days == SHORT["horizon"]


def _run(scenario, **kwargs):
    from cadrelab.sim import run_scenario

    return run_scenario(scenario, **kwargs)


def test_downloads_hold_results_and_the_changed_scenario(panel: ScenarioPanel) -> None:
    fresh(panel)
    panel.matrix.row("mc-3").active.value = False
    assert panel.run()
    links = dict(
        re.findall(
            r"download='([^']+)' href='data:[^;]+;charset=utf-8;base64,([^']+)'",
            panel.downloads.value,
        )
    )
    assert set(links) == {
        "ket-qua.json",
        "chi-so-tung-lan-lap.csv",
        "chenh-lech.csv",
        "kich-ban.yaml",
    }
    summary = json.loads(base64.b64decode(links["ket-qua.json"]))
    assert summary["scenario"]["replications"] == SHORT["replications"]
    assert "mc-3" not in summary["scenario"]["officers"] and "mc-3" in summary["base"]["officers"]
    assert summary["comparison"]["base"] == "baseline"
    scenario = yaml.safe_load(base64.b64decode(links["kich-ban.yaml"]))
    assert scenario["horizon_days"] == SHORT["horizon"]
    assert "mc-3" not in [o["id"] for o in scenario["staff"]]
    figures = base64.b64decode(links["chi-so-tung-lan-lap.csv"]).decode()
    assert figures.splitlines()[0] == "replication,scope,name,metric,value,scenario"


def test_loading_another_scenario_resets_the_results(panel: ScenarioPanel) -> None:
    fresh(panel)
    assert panel.run()
    panel.scenario_picker.value = "no-it-officer.yaml"
    assert panel.scenario.name == "no-it-officer"
    assert panel.results is None and all(i.value == b"" for i in panel.figures.values())
    assert "cntt" not in [row.id for row in panel.matrix.rows]


# --- the server --------------------------------------------------------------------------


def test_voila_command_is_local_with_token_and_culling(tmp_path) -> None:
    from voila.app import Voila
    from voila.configuration import VoilaConfiguration

    command = dashboard_command(8899, "bi-mat", root=tmp_path)
    assert command[1:4] == ["-m", "voila", str(tmp_path / "dashboard.ipynb")]
    app = Voila()
    app.parse_command_line(command[4:])
    assert app.ip == "127.0.0.1" and app.port == 8899 and app.token == "bi-mat"
    assert app.open_browser is False
    # the kernel manager class Voila uses, configured from that command line
    manager = VoilaConfiguration(config=app.config).multi_kernel_manager_class(config=app.config)
    assert manager.cull_idle_timeout == CULL_IDLE_SECONDS
    assert manager.cull_interval == CULL_INTERVAL_SECONDS
    assert manager.cull_connected is False
    assert app.config.VoilaConfiguration.show_tracebacks is False
    assert dashboard_url(8899, "bi-mat") == "http://127.0.0.1:8899/?token=bi-mat"


def test_cli_has_the_dashboard_command(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["sim", "dashboard", "--help"])
    assert done.value.code == 0
    assert "--port" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        main(["sim", "dashboard", "--port", "nope"])
    assert bad.value.code == 2


def test_cli_starts_voila_with_the_built_command(monkeypatch, capsys) -> None:
    started = []
    monkeypatch.setenv("JUPYTER_TOKEN", "tok")
    monkeypatch.setattr(
        "cadrelab.sim.dashboard.run_in_foreground", lambda cmd: started.append(cmd) or 0
    )
    assert main(["sim", "dashboard", "--port", "8877", "--no-browser"]) == 0
    assert started == [dashboard_command(8877, "tok", open_browser=False)]
    assert "http://127.0.0.1:8877/?token=tok" in capsys.readouterr().out


def test_cli_says_when_voila_is_missing(monkeypatch, capsys) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    monkeypatch.setattr(
        "cadrelab.sim.dashboard.run_in_foreground", lambda cmd: pytest.fail("must not start")
    )
    assert main(["sim", "dashboard", "--no-browser"]) == 2
    assert "cadrelab[dashboard]" in capsys.readouterr().err


def test_the_day_tab_draws_one_animated_day(panel: ScenarioPanel) -> None:
    fresh(panel)
    assert panel.run(), panel.message.value
    assert panel.day.value == b"", "drawn only when the tab is opened"
    panel.figure_tabs.selected_index = len(FIGURES)
    assert bytes(panel.day.value).startswith(b"GIF89a")
    assert "Ngày" in panel.day_note.value
    panel.load("baseline.yaml")
    assert panel.day.value == b""


def test_the_search_finds_the_smallest_roster_from_the_panel(tmp_path) -> None:
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(single_role()), encoding="utf-8")
    search_panel = ScenarioPanel(folder=tmp_path, base_file="desk.yaml")
    search_panel.target.value = "roles.desk.wait_minutes <= 3"
    search_panel.combine.value = ""
    assert search_panel.search(), search_panel.search_result.value
    assert search_panel.found.best.officers == 7
    assert "7 cán bộ" in search_panel.search_result.value
    search_panel.target.value = "roles.desk.waiting >= 1"
    assert not search_panel.search()
    assert "cadrelab-error" in search_panel.search_result.value
