"""The figures a run reports, defined once: name, scopes, label, unit, digits, whether a rate.

Everything that shows or selects a figure reads :data:`METRICS`: the runner (which
keys exist), the text and table reports, sweeps (``--metrics`` patterns), charts,
the staffing search (``--target``) and the dashboard.  A figure is keyed
``(scope, name, metric)``: ``("role", "land", "wait_minutes")``,
``("overall", "all", "on_time_rate")``; written ``roles.land.wait_minutes`` or
``overall.on_time_rate``.  Labels are ``sim.metric.<name>`` and units
``sim.unit.<unit>`` in the message catalogue.

What each figure means (all after the warm-up) is said in
:mod:`cadrelab.sim.results.figures`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cadrelab.i18n import Lang, t
from cadrelab.sim.results.stats import Estimate, estimate, paired
from cadrelab.sim.scenario.model import Scenario
from cadrelab.sim.scenario.problems import keyed_error

Key = tuple[str, str, str]  # (scope, name, metric): ("role", "land", "wait_minutes")

#: Scope -> its plural, as written in figure names (``roles.land.wait_minutes``).
SCOPES = {"role": "roles", "officer": "officers", "procedure": "procedures", "overall": "overall"}


@dataclass(frozen=True)
class Metric:
    """One figure: where it exists, how it reads and how its interval is bounded.

    ``rate``: a share in [0, 1], shown in percent, its interval kept inside [0, 1].
    ``lowest``: the smallest value the figure can take (0 for times and counts); an
    interval is cut there rather than run into impossible values.
    """

    name: str
    scopes: tuple[str, ...]
    unit: str
    digits: int
    rate: bool = False
    lowest: float | None = 0.0

    @property
    def scale(self) -> float:
        """What a value is multiplied by when shown (100 for a rate shown in percent)."""
        return 100.0 if self.rate else 1.0

    def label(self, lang: Lang | None = None) -> str:
        return t(f"sim.metric.{self.name}", lang)

    def label_with_unit(self, lang: Lang | None = None) -> str:
        return f"{self.label(lang)} ({t(f'sim.unit.{self.unit}', lang)})"

    def estimate(self, values: np.ndarray | list[float]) -> Estimate:
        """Mean over replications with its 95% interval, bounded as this figure is."""
        return estimate(values, rate=self.rate, lowest=self.lowest)

    def difference(self, base: np.ndarray, other: np.ndarray) -> Estimate:
        """Paired difference ``other - base`` over replications (unbounded: it may be negative)."""
        return paired(base, other)


PROCEDURE_AND_OVERALL = ("procedure", "overall")

#: Every figure, in report order.
METRICS: tuple[Metric, ...] = (
    Metric("dossiers_per_working_day", PROCEDURE_AND_OVERALL, "per_day", 1),
    Metric("on_time_rate", PROCEDURE_AND_OVERALL, "percent", 1, rate=True),
    Metric("lead_time_working_days", PROCEDURE_AND_OVERALL, "working_days", 2),
    Metric("at_commune_working_days", PROCEDURE_AND_OVERALL, "working_days", 2),
    Metric("outside_working_days", PROCEDURE_AND_OVERALL, "working_days", 2),
    Metric("late_per_working_day", PROCEDURE_AND_OVERALL, "per_day", 2),
    Metric("late_at_commune_per_working_day", PROCEDURE_AND_OVERALL, "per_day", 2),
    Metric("late_outside_per_working_day", PROCEDURE_AND_OVERALL, "per_day", 2),
    Metric("unfinished_at_end", PROCEDURE_AND_OVERALL, "dossiers", 0),
    Metric("wait_minutes", ("role", "overall"), "minutes", 1),
    Metric("counter_wait_minutes", ("overall",), "minutes", 1),
    Metric("utilization", ("role", "officer"), "percent", 1, rate=True),
    Metric("queue_length", ("role",), "steps", 2),
    Metric("steps_per_working_day", ("role",), "per_day", 1),
    Metric("waiting_at_end", ("role",), "steps", 0),
)
BY_NAME = {m.name: m for m in METRICS}

#: The figures every summary starts with.
KEY_FIGURES: tuple[Key, ...] = tuple(
    ("overall", "all", name)
    for name in (
        "dossiers_per_working_day",
        "on_time_rate",
        "lead_time_working_days",
        "outside_working_days",
        "counter_wait_minutes",
    )
)
DEFAULT_PRECISION: tuple[Key, ...] = (("overall", "all", "lead_time_working_days"),)


def metric(key: Key) -> Metric:
    return BY_NAME[key[2]]


def names_in_scope(scenario: Scenario, scope: str) -> list[str]:
    return {
        "role": list(scenario.roles),
        "officer": [o.id for o in scenario.staff],
        "procedure": [p.code for p in scenario.procedures],
        "overall": ["all"],
    }[scope]


def known_keys(scenario: Scenario) -> list[Key]:
    """Every figure a run of ``scenario`` reports, in report order."""
    return [
        (scope, name, m.name)
        for scope in SCOPES
        for m in METRICS
        if scope in m.scopes
        for name in names_in_scope(scenario, scope)
    ]


def key_text(key: Key) -> str:
    """``("role", "land", "wait_minutes")`` -> ``roles.land.wait_minutes``."""
    scope, name, name_of_metric = key
    if scope == "overall":
        return f"overall.{name_of_metric}"
    return f"{SCOPES[scope]}.{name}.{name_of_metric}"


def parse_key(text: str, scenario: Scenario | None = None, field: str = "metric") -> Key:
    """``roles.land.wait_minutes`` or ``overall.on_time_rate`` as a key; with ``scenario``, the
    figure must exist in it.  Anything else is an InputError naming ``field``."""
    parts = text.strip().split(".")
    plural = {v: k for k, v in SCOPES.items()}
    key: Key | None = None
    if len(parts) == 2 and parts[0] == "overall":
        key = ("overall", "all", parts[1])
    elif len(parts) == 3 and parts[0] in plural and parts[0] != "overall":
        key = (plural[parts[0]], parts[1], parts[2])
    known = BY_NAME.get(key[2]) if key else None
    if key is None or known is None or key[0] not in known.scopes:
        raise keyed_error("sim.error.unknown_metric", field=field, metric=text)
    if scenario is not None and key[1] not in names_in_scope(scenario, key[0]):
        raise keyed_error("sim.error.unknown_metric", field=field, metric=text)
    return key
