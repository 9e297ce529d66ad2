"""The planners' dashboard: pick a scenario, change staff and demand, run, compare, download.

    from cadrelab.widgets.scenario_panel import ScenarioPanel
    ScenarioPanel()        # simulations/dashboard.ipynb, served by `cadrelab sim dashboard`

A planner picks a scenario from ``simulations/``, ticks who works and which
roles each officer holds (the staff–role matrix; kiêm nhiệm roles follow the
officer's own), sets the demand, and runs it.  The run is paired with a base
scenario (same seed, horizon and replications, so the same citizens): key
figures with 95% intervals, the paired differences, the planners' figures, one
simulated day to watch (drawn when its tab is opened), and download links for the
results and the changed scenario as YAML.  The staffing search
(:mod:`cadrelab.sim.experiments.optimise`, as ``cadrelab sim optimise``) looks for the
fewest officers meeting a target, starting from the scenario on screen.

Everything a person does is a method or a widget attribute here, so tests drive
the panel without a browser.  A change the model cannot take (a role no one
holds, no one at work) shows the scenario check's Vietnamese message in the
panel, never a traceback.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from cadrelab.content import simulations_dir
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.sim.experiments import optimise
from cadrelab.sim.presentation import animation, charts
from cadrelab.sim.presentation.report import figure_label, number, role_name, shown, significant
from cadrelab.sim.results.metrics import KEY_FIGURES
from cadrelab.sim.results.replications import Comparison, Progress, Results, compare, run_scenario
from cadrelab.sim.scenario.edit import (
    default_online_share,
    overall_online_share,
    scenario_data,
    total_arrivals,
    with_changes,
    with_demand,
)
from cadrelab.sim.scenario.files import load_merged, load_scenario, scenario_yaml
from cadrelab.sim.scenario.model import Scenario

SIMULATIONS = simulations_dir()
BASE_FILE = "baseline.yaml"
DEFAULT_HORIZON_DAYS = 180
DEFAULT_REPLICATIONS = 10
ROLE_COLUMN_PX = 38
MAX_DASHBOARD_REPLICATIONS = 30
Runner = Callable[..., Results]


def scenario_files(folder: Path = SIMULATIONS) -> list[Path]:
    """Scenario files in ``folder`` (sweep specs and files that do not load are left out)."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            if "staff" in load_merged(path):
                found.append(path)
        except InputError:
            continue
    return found


# --- the staff–role matrix -------------------------------------------------------------


@dataclass
class OfficerRow:
    """One officer's line in the matrix: at work or not, roles held, working share."""

    officer: dict[str, Any]
    active: w.Checkbox
    roles: dict[str, w.Checkbox]
    fte: w.BoundedFloatText

    @property
    def id(self) -> str:
        return self.officer["id"]

    def as_officer(self) -> dict[str, Any] | None:
        """The officer as a scenario dict, or None when not at work. Roles the officer held
        keep their order; roles ticked here follow them in the scenario's order."""
        if not self.active.value:
            return None
        ticked = [role for role, box in self.roles.items() if box.value]
        kept = [role for role in self.officer["roles"] if role in ticked]
        officer = dict(self.officer)
        officer["roles"] = kept + [role for role in ticked if role not in kept]
        officer["fte"] = float(self.fte.value)
        return officer


class StaffMatrix:
    """Checkboxes per officer × role, plus a tick for "at work" and the working share."""

    def __init__(self, scenario: Scenario) -> None:
        self.roles = list(scenario.roles)
        self.rows: list[OfficerRow] = []
        self.widget = w.GridBox(layout=w.Layout(grid_gap="2px 4px", align_items="center"))
        self.widget.add_class("cadrelab-staff-matrix")
        for officer in scenario_data(scenario)["staff"]:
            self._add_row(officer)
        self._layout()

    def officers(self) -> list[dict[str, Any]]:
        """The officers at work, as scenario dicts, in matrix order."""
        return [o for o in (row.as_officer() for row in self.rows) if o is not None]

    def row(self, officer_id: str) -> OfficerRow:
        for row in self.rows:
            if row.id == officer_id:
                return row
        raise KeyError(officer_id)

    def add_copy(self, officer_id: str) -> OfficerRow:
        """A new officer with the roles, share and hours of ``officer_id`` (one more of them)."""
        source = self.row(officer_id)
        copies = sum(1 for row in self.rows if row.id.startswith(f"{officer_id}-them-"))
        officer = dict(source.as_officer() or source.officer)
        officer.pop("absence", None)
        officer["id"] = f"{officer_id}-them-{copies + 1}"
        officer["name_vi"] = t(
            "dashboard.added_name", name=source.officer.get("name_vi") or officer_id, n=copies + 1
        )
        row = self._add_row(officer)
        self._layout()
        return row

    def _add_row(self, officer: dict[str, Any]) -> OfficerRow:
        label = (officer.get("name_vi") or officer["id"]).removeprefix("Công chức ")
        label = label[:1].upper() + label[1:]
        active = w.Checkbox(
            value=True,
            description=label,
            indent=False,
            tooltip=officer["id"],
            layout=w.Layout(width="auto"),
        )
        active.add_class(f"cadrelab-officer-{officer['id']}")
        roles = {}
        for role in self.roles:
            box = w.Checkbox(
                value=role in officer["roles"],
                indent=False,
                description="",
                tooltip=role_name(role, "vi"),
                layout=w.Layout(width="26px"),
            )
            box.add_class(f"cadrelab-role-{officer['id']}-{role}")
            roles[role] = box
        fte = w.BoundedFloatText(
            value=officer.get("fte", 1.0),
            min=0.05,
            max=1.0,
            step=0.05,
            layout=w.Layout(width="56px"),
        )
        row = OfficerRow(officer, active, roles, fte)
        self.rows.append(row)
        return row

    def _layout(self) -> None:
        header = [_small(t("dashboard.matrix.officer")), _small(t("dashboard.matrix.fte"))]
        header += [_small(role_name(role, "vi")) for role in self.roles]
        cells = list(header)
        for row in self.rows:
            cells += [row.active, row.fte, *row.roles.values()]
        self.widget.children = cells
        self.widget.layout.grid_template_columns = (
            f"190px 58px repeat({len(self.roles)}, {ROLE_COLUMN_PX}px)"
        )


def _small(text: str) -> w.HTML:
    return w.HTML(
        f'<div style="font-size:10px;line-height:1.1;font-weight:600">{html.escape(text)}</div>'
    )


# --- the panel -------------------------------------------------------------------------


class ScenarioPanel:
    """The whole dashboard; ``panel.widget`` is what the notebook shows."""

    def __init__(
        self,
        folder: Path = SIMULATIONS,
        base_file: str = BASE_FILE,
        runner: Runner = run_scenario,
    ) -> None:
        self.folder = Path(folder)
        self.runner = runner
        self.files = {path.name: path for path in scenario_files(self.folder)}
        if not self.files:
            raise InputError(
                f"no scenario files in {self.folder}",
                file=self.folder,
                problem_vi=t("dashboard.error.no_scenarios"),
            )
        options = [(self._option_label(path), name) for name, path in self.files.items()]
        first = base_file if base_file in self.files else next(iter(self.files))
        self.scenario_picker = w.Dropdown(
            options=options, value=first, description=t("dashboard.scenario"), style=_WIDE
        )
        self.base_picker = w.Dropdown(
            options=options, value=first, description=t("dashboard.base"), style=_WIDE
        )
        self.arrivals = w.BoundedFloatText(
            min=0, max=20_000, step=1, description=t("dashboard.arrivals"), style=_WIDE
        )
        self.online = w.FloatSlider(
            min=0,
            max=1,
            step=0.001,
            readout_format=".1%",
            description=t("dashboard.online"),
            style=_WIDE,
            layout=_SLIDER,
        )
        self.online_note = w.HTML()
        self.horizon = w.IntSlider(
            min=30, max=365, step=1, description=t("dashboard.horizon"), style=_WIDE, layout=_SLIDER
        )
        self.replications = w.IntSlider(
            min=2,
            max=MAX_DASHBOARD_REPLICATIONS,
            description=t("dashboard.replications"),
            style=_WIDE,
            layout=_SLIDER,
        )
        self.copy_picker = w.Dropdown(description=t("dashboard.copy_of"), style=_WIDE)
        self.add_button = w.Button(description=t("dashboard.add_officer"), icon="user-plus")
        self.add_button.add_class("cadrelab-add-officer")
        self.run_button = w.Button(
            description=t("dashboard.run"), button_style="primary", icon="play"
        )
        self.run_button.add_class("cadrelab-run")
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="260px"))
        self.status = w.HTML()
        self.status.add_class("cadrelab-status")
        self.message = w.HTML()
        self.message.add_class("cadrelab-message")
        self.summary = w.HTML()
        self.summary.add_class("cadrelab-summary")
        self.figures = {
            key: w.Image(format="png", layout=w.Layout(max_width="100%")) for key in FIGURES
        }
        self.day = w.Image(format="gif", layout=w.Layout(max_width="100%"))
        self.day.add_class("cadrelab-day")
        self.day_note = w.HTML()
        self.figure_tabs = w.Tab(
            children=[*self.figures.values(), w.VBox([self.day_note, self.day])]
        )
        self.figure_tabs.titles = (
            *(t(f"dashboard.figure.{key}") for key in FIGURES),
            t("dashboard.figure.day"),
        )
        self.figure_tabs.observe(lambda _: self._show_day(), names="selected_index")
        self.target = w.Text(
            value="overall.on_time_rate >= 0.95",
            description=t("dashboard.search.target"),
            style=_WIDE,
        )
        self.max_officers = w.BoundedIntText(
            value=30, min=1, max=200, description=t("dashboard.search.max_officers"), style=_WIDE
        )
        self.combine = w.Text(
            value="reception+return", description=t("dashboard.search.combine"), style=_WIDE
        )
        self.search_button = w.Button(description=t("dashboard.search.run"), icon="search")
        self.search_button.add_class("cadrelab-search")
        self.search_result = w.HTML()
        self.search_result.add_class("cadrelab-search-result")
        self.search_button.on_click(lambda _: self.search())
        self.downloads = w.HTML()
        self.downloads.add_class("cadrelab-downloads")
        self.matrix_box = w.VBox()

        self.scenario: Scenario | None = None
        self.matrix: StaffMatrix | None = None
        self.results: Results | None = None
        self.found: optimise.Search | None = None
        self.base_results: Results | None = None
        self.comparison: Comparison | None = None
        self._base_cache: dict[tuple, Results] = {}
        self._loaded: tuple[float, float] = (0.0, 0.0)

        self.scenario_picker.observe(lambda change: self.load(change["new"]), names="value")
        self.online.observe(lambda _: self._show_online_note(), names="value")
        self.arrivals.observe(lambda _: self._show_online_note(), names="value")
        self.add_button.on_click(lambda _: self.add_officer(self.copy_picker.value))
        self.run_button.on_click(lambda _: self.run())
        self.widget = self._build()
        self.load(first)

    # --- actions ---------------------------------------------------------------------

    def load(self, name: str) -> None:
        """Show scenario file ``name``: its staff matrix, demand and run length."""
        if self.scenario_picker.value != name:
            self.scenario_picker.value = name  # calls load again through the observer
            return
        self.scenario = load_scenario(self.files[name])
        self.matrix = StaffMatrix(self.scenario)
        self.matrix_box.children = [self.matrix.widget]
        self.copy_picker.options = [(o.name_vi or o.id, o.id) for o in self.scenario.staff]
        self.arrivals.value = round(total_arrivals(self.scenario), 2)
        self.online.value = round(default_online_share(self.scenario), 3)
        self._loaded = (float(self.arrivals.value), float(self.online.value))
        warmup = self.scenario.warmup_days
        self.horizon.min = min(max(30, warmup + 10), 365)
        self.horizon.value = max(
            min(self.scenario.horizon_days, DEFAULT_HORIZON_DAYS), self.horizon.min
        )
        self.replications.value = min(max(self.scenario.replications, 2), DEFAULT_REPLICATIONS)
        self._clear_results()
        self.status.value = _text(t("dashboard.loaded", name=self.scenario.name))
        self._show_online_note()

    def add_officer(self, officer_id: str) -> None:
        """One more officer like ``officer_id`` (e.g. a second land officer)."""
        if self.matrix is not None and officer_id:
            self.matrix.add_copy(officer_id)

    def edited_scenario(self) -> Scenario:
        """The scenario as the widgets now say; an InputError when the change breaks a rule."""
        staff = self.matrix.officers()
        try:
            changed = with_changes(
                self.scenario,
                staff=staff,
                horizon_days=int(self.horizon.value),
                replications=int(self.replications.value),
                name=t("dashboard.edited_name", name=self.scenario.name),
            )
            # only what the planner changed: a value shown rounded must not move the demand
            arrivals, online = float(self.arrivals.value), float(self.online.value)
            return with_demand(
                changed,
                arrivals_per_day=None if arrivals == self._loaded[0] else arrivals,
                online_share=None if online == self._loaded[1] else online,
            )
        except InputError as exc:
            raise _with_officer_names(exc, staff) from None

    def base_scenario(self, edited: Scenario) -> Scenario:
        """The base file with the edited run's horizon, warm-up, replications and seed."""
        base = load_scenario(self.files[self.base_picker.value])
        return with_changes(
            base,
            horizon_days=edited.horizon_days,
            warmup_days=min(edited.warmup_days, edited.horizon_days - 1),
            replications=edited.replications,
            seed=edited.seed,
        )

    def run(self) -> bool:
        """Run the edited scenario and the base, pair them, show everything. False on bad input."""
        self.message.value = ""
        self.run_button.disabled = True
        try:
            edited = self.edited_scenario()
            base = self.base_scenario(edited)
            count = edited.replications
            self.progress.max = 2 * count
            self.progress.value = 0
            base_results = self._run_base(base, self._progress(0, 2 * count))
            results = self.runner(edited, progress=self._progress(count, 2 * count))
            self.results, self.base_results = results, base_results
            self.comparison = compare(base_results, [results])
        except InputError as exc:
            self._clear_results()
            self.message.value = _error_box(exc)
            self.status.value = _text(t("dashboard.not_run"))
            return False
        finally:
            self.run_button.disabled = False
        self.status.value = _text(t("dashboard.drawing"))
        self._show_results(edited)
        self.status.value = _text(
            t("dashboard.done", replications=count, horizon=edited.horizon_days, seed=edited.seed)
        )
        return True

    def search(self) -> bool:
        """The fewest officers meeting the target, from the scenario on screen (its horizon and
        seed; three first-stage replications).  False, with the message shown, on bad input."""
        self.search_result.value = _text(t("dashboard.search.running"))
        self.search_button.disabled = True
        try:
            edited = self.edited_scenario()
            target = optimise.parse_target(self.target.value, edited)
            combine = optimise.parse_combinations(
                [text for text in self.combine.value.split(",") if text.strip()], edited
            )
            self.found = optimise.search(
                edited,
                target,
                max_officers=int(self.max_officers.value),
                combine=combine,
                replications=3,
            )
        except InputError as exc:
            self.found = None
            self.search_result.value = _error_box(exc)
            return False
        finally:
            self.search_button.disabled = False
        self.search_result.value = (
            "<pre class='cadrelab-search-report' style='font-size:12px'>"
            f"{html.escape(optimise.report(self.found, 'vi'))}</pre>"
        )
        return True

    def kpi(self) -> dict[str, float]:
        """Means of the key figures of the last run (for tests and for reading in code)."""
        if self.results is None:
            return {}
        return {key[2]: self.results.estimate(key).mean for key in KEY_FIGURES}

    # --- display ---------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)

    def _build(self) -> w.Widget:
        title = w.HTML(
            f"<h2 style='margin:4px 0'>{html.escape(t('dashboard.title'))}</h2>"
            f"<div style='color:#444'>{html.escape(t('dashboard.intro'))}</div>"
        )
        demand = w.VBox(
            [
                w.HTML(f"<b>{html.escape(t('dashboard.demand'))}</b>"),
                self.arrivals,
                self.online,
                self.online_note,
            ]
        )
        run_settings = w.VBox(
            [
                w.HTML(f"<b>{html.escape(t('dashboard.run_settings'))}</b>"),
                self.horizon,
                self.replications,
                self.base_picker,
            ]
        )
        staff = w.VBox(
            [
                w.HTML(
                    f"<b>{html.escape(t('dashboard.matrix.title'))}</b>"
                    f"<div style='font-size:12px;color:#444'>"
                    f"{html.escape(t('dashboard.matrix.help'))}</div>"
                ),
                self.matrix_box,
                w.HBox([self.copy_picker, self.add_button]),
            ]
        )
        controls = w.VBox(
            [self.scenario_picker, demand, run_settings, staff],
            layout=w.Layout(flex="0 0 650px", padding="0 16px 0 0"),
        )
        output = w.VBox(
            [
                w.HBox([self.run_button, self.progress]),
                self.status,
                self.message,
                self.summary,
                self.figure_tabs,
                self.downloads,
            ],
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        search = w.VBox(
            [
                w.HTML(
                    f"<b>{html.escape(t('dashboard.search.title'))}</b>"
                    f"<div style='font-size:12px;color:#444'>"
                    f"{html.escape(t('dashboard.search.help'))}</div>"
                ),
                self.target,
                self.combine,
                self.max_officers,
                self.search_button,
                self.search_result,
            ]
        )
        root = w.VBox([title, w.HBox([controls, output]), search])
        root.add_class("cadrelab-dashboard")
        return root

    def _progress(self, offset: int, total: int) -> Progress:
        def update(done: int, _: int) -> None:
            self.progress.value = offset + done
            self.status.value = _text(t("dashboard.running", done=offset + done, total=total))

        return update

    def _run_base(self, base: Scenario, progress: Progress) -> Results:
        key = (self.base_picker.value, json.dumps(scenario_data(base), sort_keys=True))
        if key not in self._base_cache:
            self._base_cache = {key: self.runner(base, progress=progress)}
        else:
            progress(base.replications, base.replications)
        return self._base_cache[key]

    def _clear_results(self) -> None:
        self.results = self.base_results = self.comparison = None
        self.summary.value = ""
        self.downloads.value = ""
        for image in (*self.figures.values(), self.day):
            image.value = b""
        self.day_note.value = ""

    def _show_day(self) -> None:
        """Draw the animated day the first time its tab is opened after a run."""
        if self.figure_tabs.selected_index != len(FIGURES) or self.results is None:
            return
        if not self.day.value:
            self.day_note.value = _text(t("dashboard.day.drawing"), size=12)
            states_day = animation.busiest_day(self.results)
            self.day.value = animation.day_gif(self.results, day=states_day)
            self.day_note.value = _text(
                t("dashboard.day.note", day=states_day + 1, name=self.results.scenario.name),
                size=12,
            )

    def _show_online_note(self) -> None:
        if self.scenario is None:
            return
        online = float(self.online.value)
        try:
            changed = (
                self.scenario
                if online == self._loaded[1]
                else with_demand(self.scenario, online_share=online)
            )
            share = overall_online_share(changed)
        except InputError:
            self.online_note.value = ""
            return
        self.online_note.value = _text(
            t("dashboard.online_note", share=number(share * 100, 1, "vi")), size=12
        )

    def _show_results(self, edited: Scenario) -> None:
        runs = {
            t("dashboard.label.base", name=self.base_results.scenario.name): self.base_results,
            t("dashboard.label.edited"): self.results,
        }
        self.summary.value = summary_html(self.comparison)
        figures = {
            "wait": charts.wait_distribution(runs),
            "on_time": charts.on_time_by_procedure(runs, limit=10),
            "utilization": charts.utilization_by_officer(runs),
            "queue": charts.queue_by_hour(runs),
            "difference": charts.wait_differences(self.comparison),
        }
        for key, figure in figures.items():
            self.figures[key].value = charts.png(figure)
        self.downloads.value = downloads_html(edited, self.comparison)

    @staticmethod
    def _option_label(path: Path) -> str:
        data = load_merged(path)
        description = str(data.get("description") or "").split(" / ")[0]
        return f"{path.stem} — {description}" if description else path.stem


FIGURES = ("wait", "on_time", "utilization", "queue", "difference")
_WIDE = {"description_width": "210px"}
_SLIDER = w.Layout(width="470px")


# --- HTML pieces -----------------------------------------------------------------------


def summary_html(comparison: Comparison) -> str:
    """Key figures of base and edited run with the paired difference, as an HTML table."""
    base, (edited,) = comparison.base, comparison.alternatives
    diffs = comparison.differences(edited)
    head = "".join(
        f"<th style='{_CELL}'>{html.escape(text)}</th>"
        for text in (
            t("sim.report.figure"),
            t("dashboard.label.base", name=base.scenario.name),
            t("dashboard.label.edited"),
            t("sim.report.difference"),
        )
    )
    rows = []
    for key in KEY_FIGURES:
        diff = diffs[key]
        clear = significant(diff.low, diff.high)
        rows.append(
            f"<tr><td style='{_LABEL}'>{html.escape(figure_label(key, 'vi'))}</td>"
            f"<td style='{_CELL}' class='cadrelab-kpi-base' data-key='{key[2]}'>"
            f"{shown(key, base.estimate(key), 'vi')}</td>"
            f"<td style='{_CELL}' class='cadrelab-kpi' data-key='{key[2]}'>"
            f"{shown(key, edited.estimate(key), 'vi')}</td>"
            f"<td style='{_CELL}{'font-weight:700;' if clear else ''}'>"
            f"{shown(key, diff, 'vi')}{' *' if clear else ''}</td></tr>"
        )
    note = html.escape(t("dashboard.summary_note"))
    return (
        f"<table style='border-collapse:collapse;font-size:12px;margin:6px 0'>"
        f"<tr style='background:#eef2f7'>{head}</tr>{''.join(rows)}</table>"
        f"<div style='font-size:12px;color:#444'>{note}</div>"
    )


def downloads_html(edited: Scenario, comparison: Comparison) -> str:
    """Links that download the results (JSON, CSV) and the changed scenario (YAML)."""
    base, (results,) = comparison.base, comparison.alternatives
    summary = {
        "scenario": results.summary(),
        "base": base.summary(),
        "comparison": comparison.summary(),
    }
    figures = pd.concat(
        [
            results.table().assign(scenario=results.scenario.name),
            base.table().assign(scenario=base.scenario.name),
        ],
        ignore_index=True,
    )
    files = [
        ("ket-qua.json", "application/json", json.dumps(summary, ensure_ascii=False, indent=2)),
        ("chi-so-tung-lan-lap.csv", "text/csv", figures.to_csv(index=False)),
        ("chenh-lech.csv", "text/csv", comparison.table().to_csv(index=False)),
        (
            "kich-ban.yaml",
            "application/x-yaml",
            scenario_yaml(edited),
        ),
    ]
    links = []
    for name, mime, text in files:
        payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
        links.append(
            f"<a download='{name}' href='data:{mime};charset=utf-8;base64,{payload}' "
            f"style='margin-right:14px'>⬇ {html.escape(t(f'dashboard.download.{name}'))}</a>"
        )
    return f"<div><b>{html.escape(t('dashboard.downloads'))}</b> {''.join(links)}</div>"


def _error_box(exc: InputError) -> str:
    where = f" ({html.escape(t('dashboard.error.where', field=exc.field))})" if exc.field else ""
    return (
        "<div class='cadrelab-error' lang='vi' style='border-left:4px solid #b02a37;"
        "background:#fbeaec;padding:6px 10px;margin:6px 0;color:#212529'>"
        f"<b>⚠ {html.escape(t('dashboard.error.title'))}</b><br>"
        f"{html.escape(exc.problem_vi or exc.problem)}{where}</div>"
    )


def _with_officer_names(exc: InputError, staff: list[dict[str, Any]]) -> InputError:
    """Say which officer ``staff[3]`` is, in the error a planner sees."""
    field = exc.field
    match = re.match(r"^staff\[(\d+)\]", field or "")
    if match and int(match[1]) < len(staff):
        officer = staff[int(match[1])]
        field = field.replace(match[0], officer.get("name_vi") or officer["id"], 1)
    return InputError(exc.problem, file=exc.file, field=field, problem_vi=exc.problem_vi)


def _text(text: str, size: int = 13) -> str:
    return f"<span style='font-size:{size}px'>{html.escape(text)}</span>"


_CELL = "border:1px solid #ccd;padding:3px 6px;text-align:right;white-space:nowrap;"
_LABEL = "border:1px solid #ccd;padding:3px 6px;text-align:left;"
