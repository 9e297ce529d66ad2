"""Change a loaded scenario in code: other staff, other demand, a shorter run.

The planners' notebook, the dashboard and the staffing course all change a
scenario the same way: dump it to a dict, change the dict, validate it again.
Every function here returns a new, validated :class:`Scenario`, so a change
that breaks a rule (a role no one holds, a share above 1) is an
:class:`~cadrelab.errors.InputError` with its key path and Vietnamese text,
exactly as if the change had been written in a scenario file.

    plan = edit_staff(base, remove=["dc-1", "dc-2"], add_roles={"kt-1": ["land"]},
                      fte={"kt-1": 0.8}, name="no-land-reassigned")
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cadrelab.sim.scenario.files import parse_scenario, scenario_data
from cadrelab.sim.scenario.model import Scenario
from cadrelab.sim.scenario.problems import keyed_error


def with_changes(scenario: Scenario, **keys: object) -> Scenario:
    """``scenario`` with top-level keys replaced, e.g. ``horizon_days=90, replications=5``."""
    data = scenario_data(scenario)
    data.update(copy.deepcopy(keys))
    return parse_scenario(data)


def with_staff(scenario: Scenario, staff: Sequence[Mapping[str, Any]], **keys: object) -> Scenario:
    """``scenario`` with its whole staff list replaced by ``staff`` (dicts as in a YAML file)."""
    return with_changes(scenario, staff=[dict(officer) for officer in staff], **keys)


def total_arrivals(scenario: Scenario) -> float:
    """Dossiers per working day over all procedures."""
    return sum(scenario.arrivals_per_day(p) for p in scenario.procedures)


def overall_online_share(scenario: Scenario) -> float:
    """Share of all dossiers submitted online (procedures weighted by their arrivals)."""
    total = total_arrivals(scenario)
    if total == 0:
        return 0.0
    online = sum(
        scenario.arrivals_per_day(p) * scenario.online_share(p) for p in scenario.procedures
    )
    return online / total


def default_online_share(scenario: Scenario) -> float:
    """The online share a planner edits: ``demand.online_share``, or, without a ``demand``
    block, the arrival-weighted share of the procedures."""
    if scenario.demand is not None:
        return scenario.demand.online_share
    return overall_online_share(scenario)


def with_demand(
    scenario: Scenario,
    arrivals_per_day: float | None = None,
    online_share: float | None = None,
    **keys: object,
) -> Scenario:
    """``scenario`` with other demand.

    With a ``demand`` block, its ``arrivals_per_day`` and ``online_share`` are set
    (procedures that state their own online share, such as in-person-only ones, keep
    it).  Without one, every procedure's arrivals are scaled so that they add up to
    ``arrivals_per_day``, and every procedure gets ``online_share``.
    """
    data = scenario_data(scenario)
    if scenario.demand is not None:
        demand = data.setdefault("demand", {})
        if arrivals_per_day is not None:
            demand["arrivals_per_day"] = arrivals_per_day
        if online_share is not None:
            demand["online_share"] = online_share
    else:
        total = total_arrivals(scenario)
        for procedure in data["procedures"]:
            if arrivals_per_day is not None and total > 0:
                procedure["arrivals_per_day"] = procedure["arrivals_per_day"] * (
                    arrivals_per_day / total
                )
            if online_share is not None:
                procedure["online_share"] = online_share
    data.update(copy.deepcopy(keys))
    return parse_scenario(data)


def edit_staff(
    scenario: Scenario,
    *,
    remove: Iterable[str] = (),
    add_roles: Mapping[str, Sequence[str]] | None = None,
    fte: Mapping[str, float] | None = None,
    add: Sequence[Mapping[str, Any]] = (),
    **keys: object,
) -> Scenario:
    """``scenario`` with officers removed, roles added (kiêm nhiệm, after their own),
    working shares changed, and new officers added (dicts as in a YAML file)."""
    data = scenario_data(scenario)
    officers = {officer["id"]: officer for officer in data["staff"]}
    for officer_id in [*remove, *(add_roles or {}), *(fte or {})]:
        if officer_id not in officers:
            raise keyed_error("sim.edit.unknown_officer", field="staff", officer=officer_id)
    for officer_id, roles in (add_roles or {}).items():
        held = officers[officer_id]["roles"]
        held.extend(role for role in roles if role not in held)
    for officer_id, share in (fte or {}).items():
        officers[officer_id]["fte"] = share
    removed = set(remove)
    data["staff"] = [o for o in data["staff"] if o["id"] not in removed]
    data["staff"] += [dict(officer) for officer in add]
    data.update(copy.deepcopy(keys))
    return parse_scenario(data)
