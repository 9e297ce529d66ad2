"""Duration distributions of a scenario, validated and sampled in blocks.

A desk step's work in minutes, or an outside step's delay in days, is one of five
families, written the way a planner thinks of them: ``exponential`` (mean),
``lognormal`` (mean and standard deviation, not the log-scale parameters),
``triangular`` (low, mode, high), ``fixed`` (value) and ``empirical`` (observed
values, resampled with equal weight).  Sampling is vectorised: a dossier's
durations are drawn when the dossier is created, never inside the event loop.
Fitting these families to observed durations is
:mod:`cadrelab.sim.experiments.calibrate`'s job.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cadrelab.sim.scenario.problems import problem

#: A duration larger than this (a year of minutes) is a typing error, not a plan.
MAX_AMOUNT = 525_600.0

Amount = Annotated[float, Field(strict=True, ge=0, le=MAX_AMOUNT)]

PARAMETERS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean",),
    "lognormal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "fixed": ("value",),
    "empirical": ("values",),
}


class Distribution(BaseModel):
    """One duration distribution (minutes or days); only its family's parameters may be given."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    dist: Literal["exponential", "lognormal", "triangular", "fixed", "empirical"]
    mean: Amount | None = None
    sd: Amount | None = None
    low: Amount | None = None
    mode: Amount | None = None
    high: Amount | None = None
    value: Amount | None = None
    values: tuple[Amount, ...] | None = Field(default=None, max_length=100_000)

    @model_validator(mode="after")
    def _parameters_fit_family(self) -> Distribution:
        needed = PARAMETERS[self.dist]
        for name in needed:
            if getattr(self, name) is None:
                raise problem("sim.error.dist_missing", name, dist=self.dist, parameter=name)
        for name in {p for params in PARAMETERS.values() for p in params} - set(needed):
            if getattr(self, name) is not None:
                raise problem("sim.error.dist_extra", name, dist=self.dist, parameter=name)
        if self.dist in ("exponential", "lognormal") and self.mean == 0:
            raise problem("sim.error.positive", "mean", value=self.mean)
        if self.dist == "lognormal" and self.sd == 0:
            raise problem("sim.error.positive", "sd", value=self.sd)
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):
            raise problem(
                "sim.error.triangular_order", "mode", low=self.low, mode=self.mode, high=self.high
            )
        if self.dist == "triangular" and self.low == self.high:
            raise problem("sim.error.triangular_width", "high", low=self.low, high=self.high)
        if self.dist == "empirical" and not self.values:
            raise problem("sim.error.empirical_empty", "values")
        return self

    @property
    def mean_value(self) -> float:
        """The distribution's mean, used for offered load and by the validation tests."""
        if self.dist in ("exponential", "lognormal"):
            return float(self.mean)
        if self.dist == "triangular":
            return (self.low + self.mode + self.high) / 3
        if self.dist == "fixed":
            return float(self.value)
        return float(np.mean(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` durations."""
        if self.dist == "exponential":
            return rng.exponential(self.mean, n)
        if self.dist == "lognormal":
            sigma2 = math.log1p((self.sd / self.mean) ** 2)
            return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), n)
        if self.dist == "triangular":
            return rng.triangular(self.low, self.mode, self.high, n)
        if self.dist == "fixed":
            return np.full(n, float(self.value))
        return rng.choice(np.asarray(self.values, dtype=float), n)

    def scaled(self, factor: float) -> Distribution:
        """The same family with every duration multiplied by ``factor`` (0 < factor <= 1)."""
        update = {
            name: (
                tuple(v * factor for v in getattr(self, name))
                if name == "values"
                else getattr(self, name) * factor
            )
            for name in PARAMETERS[self.dist]
        }
        return self.model_copy(update=update)
