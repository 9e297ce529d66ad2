"""Textbook queue formulas, and a scenario's offered load before any simulation.

Rates are per unit time (any unit, used consistently); ``arrival_rate`` λ,
``service_rate`` μ per server, ``servers`` c.  The model must reproduce these when
configured as a textbook queue (the validation tests); the staffing search starts
from them (:mod:`cadrelab.sim.experiments.optimise`), and the course's communes are
kept within a stated load with them (:mod:`cadrelab.sim.commune`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.engine.steps import DeskStep
from cadrelab.sim.scenario.model import Officer, Scenario


def utilisation(arrival_rate: float, service_rate: float, servers: int = 1) -> float:
    """ρ = λ / (c μ)."""
    return arrival_rate / (servers * service_rate)


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c, with offered load a = λ/μ < c.

    Computed through the Erlang B recursion, which is stable for large c.
    """
    if servers < 1:
        raise ValueError("servers must be 1 or more")
    if not 0 <= offered_load < servers:
        raise ValueError("the queue is unstable unless 0 <= λ/μ < c")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    rho = offered_load / servers
    return blocking / (1 - rho + rho * blocking)


def mmc_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue Wq of M/M/c: C(c, a) / (c μ − λ)."""
    load = arrival_rate / service_rate
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def mmc_queue_length(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean number waiting Lq = λ Wq (Little's law)."""
    return arrival_rate * mmc_wait(arrival_rate, service_rate, servers)


def mm1_wait(arrival_rate: float, service_rate: float) -> float:
    """Mean time in queue of M/M/1: ρ / (μ − λ)."""
    if not 0 <= arrival_rate < service_rate:
        raise ValueError("the queue is unstable unless 0 <= λ < μ")
    return (arrival_rate / service_rate) / (service_rate - arrival_rate)


def mm1_sojourn(arrival_rate: float, service_rate: float) -> float:
    """Mean time in system of M/M/1: 1 / (μ − λ)."""
    if not 0 <= arrival_rate < service_rate:
        raise ValueError("the queue is unstable unless 0 <= λ < μ")
    return 1 / (service_rate - arrival_rate)


def servers_for_wait(arrival_rate: float, service_rate: float, max_wait: float) -> int:
    """The fewest servers whose M/M/c mean wait is at most ``max_wait``."""
    servers = max(1, math.floor(arrival_rate / service_rate) + 1)
    while mmc_wait(arrival_rate, service_rate, servers) > max_wait:
        servers += 1
    return servers


def servers_for_delay_probability(offered_load: float, probability: float) -> int:
    """The fewest servers c whose Erlang C probability of waiting is at most ``probability``
    (the square-root staffing rule's exact form)."""
    servers = max(1, math.floor(offered_load) + 1)
    while erlang_c(servers, offered_load) > probability:
        servers += 1
    return servers


# --- a scenario's offered load, before any simulation -------------------------------------


def role_work(scenario: Scenario) -> dict[str, float]:
    """Minutes of desk work per working day each role is offered (means of the distributions,
    arrivals and online shares of the scenario; reception support included)."""
    work = dict.fromkeys(scenario.roles, 0.0)
    support = scenario.policies.reception_support
    for procedure in scenario.procedures:
        arrivals = scenario.arrivals_per_day(procedure)
        online = scenario.online_share(procedure)
        for step in procedure.steps:
            if not isinstance(step, DeskStep):
                continue
            in_person = step.minutes.mean_value
            if support is not None and step.role == support.role:
                in_person *= support.time_factor
            on_line = (step.online_minutes or step.minutes).mean_value
            work[step.role] += arrivals * (
                (1 - online) * in_person * step.taken_by(False)
                + online * on_line * step.taken_by(True)
            )
    return work


def officer_minutes(scenario: Scenario, staff: Sequence[Officer] | None = None) -> dict[str, float]:
    """Minutes each officer (of ``staff``, default the scenario's) works per working day on
    average: office sessions cut to their hours, times their share of time, less their daily
    chance of being away."""
    sessions = Clock.for_scenario(scenario).sessions
    minutes = {}
    for officer in scenario.staff if staff is None else staff:
        hours = officer.hour_windows or ((0.0, 1440.0),)
        open_minutes = sum(
            max(0.0, min(e, he) - max(s, hs)) for s, e in sessions for hs, he in hours
        )
        away = 1 - officer.absence.daily_probability
        minutes[officer.id] = open_minutes * officer.fte * away
    return minutes


def headroom(scenario: Scenario, limits: dict[str, float] | None = None) -> float:
    """The largest factor by which all demand could grow with every role's expected load at
    most its limit (default 1), officers sharing their time among their roles as best they
    can (a max-flow of each role's work to the officers who hold it).  Below 1: too much
    work for the staff at today's demand."""
    work = role_work(scenario)
    minutes = officer_minutes(scenario)
    needed = {r: work[r] / (limits or {}).get(r, 1.0) for r in scenario.roles}
    holds = {o.id: o.roles for o in scenario.staff}
    total = sum(needed.values())
    if total <= 0:
        return math.inf
    low, high = 0.0, sum(minutes.values()) / total
    for _ in range(40):
        middle = (low + high) / 2
        demand = {r: middle * w for r, w in needed.items()}
        if _max_flow(demand, minutes, holds) >= middle * total * (1 - 1e-9):
            low = middle
        else:
            high = middle
    return low


def balanced_utilisation(scenario: Scenario) -> float:
    """The busiest role's expected utilisation when officers share their time at best."""
    room = headroom(scenario)
    return 0.0 if room == math.inf else 1 / room if room > 0 else math.inf


def _max_flow(
    demand: dict[str, float], minutes: dict[str, float], holds: dict[str, tuple[str, ...]]
) -> float:
    """Work of each role routed to officers holding it, each officer up to their minutes
    (augmenting paths on the small role-officer graph)."""
    flow: dict[tuple[str, str], float] = {}
    left_role = dict(demand)
    left_officer = dict(minutes)
    total = 0.0
    while True:
        path = _augmenting_path(left_role, left_officer, holds, flow)
        if path is None:
            return total
        role, hops, officer = path
        amount = min(left_role[role], left_officer[officer])
        for r, o, forward in hops:
            pair = (r, o)
            amount = amount if forward else min(amount, flow.get(pair, 0.0))
        if amount <= 1e-12:
            return total
        left_role[role] -= amount
        left_officer[officer] -= amount
        for r, o, forward in hops:
            flow[(r, o)] = flow.get((r, o), 0.0) + (amount if forward else -amount)
        total += amount


def _augmenting_path(left_role, left_officer, holds, flow):
    """Breadth-first: from a role with work left to an officer with time left, moving work
    along role→officer edges (forward) or back along officer→role edges that carry work."""
    start = [r for r, w in left_role.items() if w > 1e-12]
    previous: dict[tuple[str, str], tuple | None] = {("role", r): None for r in start}
    queue = [("role", r) for r in start]
    while queue:
        node = queue.pop(0)
        kind, name = node
        if kind == "role":
            for officer, roles in holds.items():
                nxt = ("officer", officer)
                if name in roles and nxt not in previous:
                    previous[nxt] = (node, (name, officer, True))
                    if left_officer[officer] > 1e-12:
                        return _unwind(previous, nxt)
                    queue.append(nxt)
        else:
            for role in holds[name]:
                nxt = ("role", role)
                if nxt not in previous and flow.get((role, name), 0.0) > 1e-12:
                    previous[nxt] = (node, (role, name, False))
                    queue.append(nxt)
    return None


def _unwind(previous, end):
    hops = []
    node = end
    while previous[node] is not None:
        node, hop = previous[node]
        hops.append(hop)
    return node[1], hops[::-1], end[1]
