"""Textbook queue formulas the model must reproduce when configured as a textbook queue.

Rates are per unit time (any unit, used consistently); ``arrival_rate`` λ,
``service_rate`` μ per server, ``servers`` c.  Used by the validation tests and
handy in a planner's notebook for a first estimate before simulating.
"""

from __future__ import annotations

import math


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
