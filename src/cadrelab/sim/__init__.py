"""Staffing simulation of a commune Public Administration Service Centre.

The library API used by the CLI, the notebooks and the dashboard::

    from cadrelab.sim import load_scenario, run_scenario, compare

    base = run_scenario(load_scenario("simulations/baseline.yaml"))
    alt = run_scenario(load_scenario("simulations/no-land-officer.yaml"))
    base.summary()                      # JSON-ready dict: means and 95% intervals
    base.dossiers(), base.steps()       # per-dossier and per-step records (pandas)
    compare(base, [alt]).summary()      # paired differences

A scenario can also be built from a dict: ``parse_scenario(data)`` (problems as
:class:`~cadrelab.errors.InputError` with the key path) or
``Scenario.model_validate(data)`` (pydantic's ``ValidationError``).
"""

from cadrelab.sim.loading import load_scenario, parse_scenario
from cadrelab.sim.run import (
    Comparison,
    Results,
    compare,
    compare_scenarios,
    run_scenario,
    run_to_precision,
)
from cadrelab.sim.scenario import Scenario

__all__ = [
    "Comparison",
    "Results",
    "Scenario",
    "compare",
    "compare_scenarios",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "run_to_precision",
]
