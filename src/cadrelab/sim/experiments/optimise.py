"""The smallest staffing that meets a target, found by simulation: ``cadrelab sim optimise``.

**What is searched.**  Officers are grouped by the roles one person may hold
together: each ``--roles-may-combine A+B`` is a group, every other role a group of
its own.  A roster says how many officers each group has; an officer of a group
holds its roles in the order given, and takes the working share, hours and absence
of the scenario's officer who held most of those roles (the template).  A roster
meets the target when the target figure's 95% interval lies on the right side of
the threshold (``overall.on_time_rate >= 0.95``: the interval's low end is at
least 0.95).

**How.**

1. *Start from queueing theory.*  Each group starts with the fewest officers for
   which Erlang C is defined — more officers than the group's offered load
   (minutes of work a day over minutes an officer works); fewer could never keep up.
2. *Add one officer at a time where it helps most.*  The candidates are the current
   roster plus one officer in each group.  They are compared by simulation with
   common random numbers (every candidate sees the same citizens) and the
   Kim–Nelson fully sequential procedure: after ``n0`` replications each, a
   candidate is dropped as soon as its mean is worse than another's by more than a
   margin that shrinks as replications accumulate; replications are added until one
   candidate is left (the best is known, within the indifference zone ``delta``, with
   95% confidence) or the replication cap is reached.
3. *Stop at the first roster that meets the target* — the fewest officers on this
   path — and report it with its figures and the runner-up.  If no roster up to
   ``--max-officers`` meets it, say so (an input problem: exit 2).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cadrelab.i18n import Lang, t
from cadrelab.sim.experiments.theory import officer_minutes, role_work
from cadrelab.sim.presentation.report import figure_label, shown
from cadrelab.sim.results.metrics import KEY_FIGURES, Key, key_text, metric, parse_key
from cadrelab.sim.results.replications import Progress, Results, extend, run_scenario
from cadrelab.sim.scenario.edit import with_staff
from cadrelab.sim.scenario.files import scenario_data
from cadrelab.sim.scenario.model import Officer, Scenario
from cadrelab.sim.scenario.problems import keyed_error

FIRST_STAGE = 5
MAX_REPLICATIONS_EACH = 40
CONFIDENCE = 0.95
_TARGET = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=|<=|>|<)\s*([0-9]*\.?[0-9]+)\s*$")


@dataclass(frozen=True)
class Target:
    key: Key
    op: str
    value: float

    @property
    def larger_is_better(self) -> bool:
        return self.op in (">=", ">")

    def met(self, results: Results) -> bool:
        """The whole 95% interval is on the right side of the threshold."""
        est = results.estimate(self.key)
        if est.n < 2 or math.isnan(est.low):
            return False
        return est.low >= self.value if self.larger_is_better else est.high <= self.value

    def __str__(self) -> str:
        return f"{key_text(self.key)} {self.op} {self.value:g}"


def parse_target(text: str, scenario: Scenario) -> Target:
    """``overall.on_time_rate >= 0.95`` as a target; an InputError naming ``--target``."""
    match = _TARGET.match(text)
    if not match:
        raise keyed_error("sim.error.target_form", field="--target", text=text)
    key = parse_key(match[1], scenario, field="--target")
    return Target(key, match[2], float(match[3]))


def parse_combinations(texts: Sequence[str], scenario: Scenario) -> list[tuple[str, ...]]:
    """``reception+return`` -> ("reception", "return"); every role known, none in two groups."""
    groups: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for text in texts:
        roles = tuple(part.strip() for part in text.split("+") if part.strip())
        for role in roles:
            if role not in scenario.roles:
                raise keyed_error("sim.error.unknown_role", field="--roles-may-combine", role=role)
            if role in seen:
                raise keyed_error(
                    "sim.error.role_in_two_groups", field="--roles-may-combine", role=role
                )
            seen.add(role)
        groups.append(roles)
    return groups


@dataclass
class Candidate:
    counts: tuple[int, ...]
    scenario: Scenario
    results: Results

    @property
    def officers(self) -> int:
        return sum(self.counts)


@dataclass
class Search:
    target: Target
    groups: list[tuple[str, ...]]
    best: Candidate
    runner_up: Candidate | None
    start: tuple[int, ...]
    evaluated: list[Candidate] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        def figures(candidate: Candidate) -> dict[str, Any]:
            keys = dict.fromkeys([self.target.key, *KEY_FIGURES])
            return {key_text(k): candidate.results.estimate(k).as_dict() for k in keys}

        def roster(candidate: Candidate) -> list[dict[str, Any]]:
            return [
                {"id": o.id, "roles": list(o.roles), "fte": o.fte} for o in candidate.scenario.staff
            ]

        out: dict[str, Any] = {
            "target": str(self.target),
            "met": True,
            "officers": self.best.officers,
            "roster": roster(self.best),
            "groups": {"+".join(g): n for g, n in zip(self.groups, self.best.counts, strict=True)},
            "figures": figures(self.best),
            "replications": len(self.best.results.replications),
            "seed": self.best.results.seed,
            "erlang_c_start": {
                "+".join(g): n for g, n in zip(self.groups, self.start, strict=True)
            },
            "rosters_compared": len(self.evaluated),
        }
        if self.runner_up is not None:
            out["runner_up"] = {
                "officers": self.runner_up.officers,
                "roster": roster(self.runner_up),
                "figures": figures(self.runner_up),
                "met": self.target.met(self.runner_up.results),
            }
        return out


def groups_of(scenario: Scenario, combine: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    combined = {role for group in combine for role in group}
    return [*combine, *((role,) for role in scenario.roles if role not in combined)]


def erlang_start(scenario: Scenario, groups: Sequence[tuple[str, ...]]) -> tuple[int, ...]:
    """Per group: the fewest officers with offered load below their number (Erlang C's
    condition for a queue that does not grow without bound)."""
    work = role_work(scenario)
    start = []
    for group in groups:
        template = Officer.model_validate({**_template(scenario, group), "roles": list(group)})
        minutes = officer_minutes(scenario, [template])[template.id]
        load = sum(work[role] for role in group) / minutes if minutes > 0 else math.inf
        start.append(max(1, math.floor(load) + 1))
    return tuple(start)


def roster_scenario(
    scenario: Scenario, groups: Sequence[tuple[str, ...]], counts: Sequence[int]
) -> Scenario:
    staff = []
    for group, count in zip(groups, counts, strict=True):
        template = _template(scenario, group)
        for k in range(count):
            officer = dict(template, id=f"{'-'.join(group)}-{k + 1}", roles=list(group))
            officer.pop("name_vi", None)
            staff.append(officer)
    return with_staff(scenario, staff, name=f"{scenario.name}-roster")


def _template(scenario: Scenario, group: Sequence[str]) -> dict[str, Any]:
    """The scenario's officer holding most of ``group``'s roles (first in staff order)."""
    staff = scenario_data(scenario)["staff"]
    best = max(staff, key=lambda o: len(set(o["roles"]) & set(group)))
    if not set(best["roles"]) & set(group):
        return {"id": "template", "roles": list(group)}
    return {k: v for k, v in best.items() if k in ("id", "fte", "hours", "absence")}


def search(
    scenario: Scenario,
    target: Target,
    *,
    max_officers: int | None = None,
    combine: Sequence[tuple[str, ...]] = (),
    replications: int | None = None,
    seed: int | None = None,
    delta: float | None = None,
    progress: Progress | None = None,
) -> Search:
    """The fewest officers meeting ``target`` (see the module doc)."""
    groups = groups_of(scenario, combine)
    start = erlang_start(scenario, groups)
    limit = max_officers or len(scenario.staff) + 10
    n0 = max(replications or FIRST_STAGE, 2)
    seed = scenario.seed if seed is None else seed
    delta = delta if delta is not None else _default_delta(target)
    evaluated: list[Candidate] = []
    cache: dict[tuple[int, ...], Candidate] = {}
    runs = 0

    def evaluate(counts: tuple[int, ...]) -> Candidate:
        nonlocal runs
        if counts not in cache:
            plan = roster_scenario(scenario, groups, counts)
            cache[counts] = Candidate(
                counts, plan, run_scenario(plan, n0, seed, keep_records=False)
            )
            evaluated.append(cache[counts])
            runs += n0
            if progress:
                progress(runs, runs + n0 * len(groups))
        return cache[counts]

    if sum(start) > limit:
        raise keyed_error(
            "sim.error.infeasible_target", field="--max-officers", limit=limit, target=str(target)
        )
    current = evaluate(start)
    while not target.met(current.results):
        if current.officers + 1 > limit:
            raise keyed_error(
                "sim.error.infeasible_target",
                field="--max-officers",
                limit=limit,
                target=str(target),
            )
        options = [
            evaluate(tuple(n + (i == g) for i, n in enumerate(current.counts)))
            for g in range(len(groups))
        ]
        ranked = select_best(options, target, delta)
        meeting = [c for c in ranked if target.met(c.results)]
        if meeting:
            best = meeting[0]
            others = [c for c in ranked if c is not best]
            return Search(target, groups, best, others[0] if others else None, start, evaluated)
        current = ranked[0]
    return Search(target, groups, current, None, start, evaluated)


def _default_delta(target: Target) -> float:
    """Differences smaller than this do not matter: a point for a rate, 5% of the threshold
    otherwise."""
    return 0.01 if metric(target.key).rate else max(abs(target.value) * 0.05, 1e-6)


def select_best(candidates: list[Candidate], target: Target, delta: float) -> list[Candidate]:
    """Candidates best first, by the Kim–Nelson procedure on the target figure under common
    random numbers; replications are added to the survivors until one is left."""
    if len(candidates) == 1:
        return candidates
    sign = 1.0 if target.larger_is_better else -1.0
    k = len(candidates)
    n0 = min(len(c.results.replications) for c in candidates)
    eta = 0.5 * ((2 * (1 - CONFIDENCE) / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    h2 = 2 * eta * (n0 - 1)
    values = [sign * _finite(c.results.values(target.key)[:n0]) for c in candidates]
    spread = np.array([[np.var(values[i] - values[j], ddof=1) for j in range(k)] for i in range(k)])
    alive = set(range(k))
    r = n0
    while len(alive) > 1 and r < MAX_REPLICATIONS_EACH:
        means = {i: float(np.mean(values[i][:r])) for i in alive}
        dropped = set()
        for i in alive:
            for j in alive:
                if i == j:
                    continue
                margin = max(0.0, delta / (2 * r) * (h2 * spread[i, j] / delta**2 - r))
                if means[i] < means[j] - margin:
                    dropped.add(i)
                    break
        alive -= dropped
        if len(alive) <= 1:
            break
        r += 1
        for i in alive:
            candidate = candidates[i]
            candidate.results = extend(candidate.results, r, keep_records=False)
            values[i] = sign * _finite(candidate.results.values(target.key))
    final = {i: float(np.mean(values[i][: len(values[i])])) for i in range(k)}
    order = sorted(range(k), key=lambda i: (i not in alive, -final[i]))
    return [candidates[i] for i in order]


def _finite(values: np.ndarray) -> np.ndarray:
    """NaN (a figure undefined in a replication) counts as the worst possible value."""
    return np.nan_to_num(np.asarray(values, dtype=float), nan=-1e12)


def report(found: Search, lang: Lang) -> str:
    """The chosen roster, its figures with intervals, and the runner-up."""
    lines = [
        t("sim.optimise.heading", lang, target=str(found.target), officers=found.best.officers),
        t(
            "sim.optimise.start",
            lang,
            start=", ".join(
                f"{'+'.join(g)}: {n}" for g, n in zip(found.groups, found.start, strict=True)
            ),
            compared=len(found.evaluated),
        ),
    ]
    for name, candidate in (("best", found.best), ("runner_up", found.runner_up)):
        if candidate is None:
            continue
        lines.append(
            t(
                f"sim.optimise.{name}",
                lang,
                officers=candidate.officers,
                roster=", ".join(
                    f"{'+'.join(g)} × {n}"
                    for g, n in zip(found.groups, candidate.counts, strict=True)
                ),
            )
        )
        keys = dict.fromkeys([found.target.key, *KEY_FIGURES])
        for key in keys:
            lines.append(
                f"  {figure_label(key, lang)}: {shown(key, candidate.results.estimate(key), lang)}"
            )
    return "\n".join(lines)
