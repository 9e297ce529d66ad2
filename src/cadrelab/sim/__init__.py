"""Staffing simulation of a commune Public Administration Service Centre.

The library API used by the CLI, the notebooks, the courses and the dashboard::

    from cadrelab.sim import load_scenario, run_scenario, compare

    base = run_scenario(load_scenario("simulations/baseline.yaml"))
    alt = run_scenario(load_scenario("simulations/no-land-officer.yaml"))
    base.summary()                      # JSON-ready dict: means and 95% intervals
    base.estimate(("overall", "all", "on_time_rate")).low
    base.dossiers(), base.steps()       # per-dossier and per-step records (pandas)
    compare(base, [alt]).summary()      # paired differences

    from cadrelab.sim import charts, tables   # figures and tables for a notebook

The package is grouped by what the parts are: ``scenario`` (the model of a commune
and its files), ``engine`` (clock, draws, step kinds, officers), ``results`` (metric
registry, figures, intervals, replications), ``presentation`` (reports, tables,
charts, the animated day, STRESS-DES) and ``experiments`` (sweeps, staffing search,
calibration, warm-up); ``commune`` builds a trainee's own commune for the courses.
See docs/simulation.md.
"""

from __future__ import annotations

import importlib

from cadrelab.sim.results.replications import (
    Comparison,
    Results,
    compare,
    compare_scenarios,
    run_scenario,
    run_to_precision,
)
from cadrelab.sim.results.stats import Estimate, estimate, paired
from cadrelab.sim.scenario.edit import edit_staff, with_changes, with_demand, with_staff
from cadrelab.sim.scenario.files import load_scenario, parse_scenario
from cadrelab.sim.scenario.model import Scenario

#: Modules reachable as ``cadrelab.sim.<name>``, imported when first used (they need
#: matplotlib or pandas, which a command-line run does not).
_LAZY = {
    "charts": "cadrelab.sim.presentation.charts",
    "tables": "cadrelab.sim.presentation.tables",
    "report": "cadrelab.sim.presentation.report",
    "animation": "cadrelab.sim.presentation.animation",
}

__all__ = [
    "Comparison",
    "Estimate",
    "Results",
    "Scenario",
    "compare",
    "compare_scenarios",
    "edit_staff",
    "estimate",
    "load_scenario",
    "paired",
    "parse_scenario",
    "run_scenario",
    "run_to_precision",
    "with_changes",
    "with_demand",
    "with_staff",
]


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(_LAZY[name])
    raise AttributeError(f"module 'cadrelab.sim' has no attribute {name!r}")
