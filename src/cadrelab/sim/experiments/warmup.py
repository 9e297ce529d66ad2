"""How long a run must warm up before its figures count: MSER-5 on the office's backlog.

The counter empties every evening, but the backlog of dossiers carries across days,
so a run that starts with an empty office needs a warm-up.  The series used is the
number of dossiers in the office (received, result not yet ready) at the end of each
day, averaged over replications run without warm-up.  MSER-5 (White 1997; Hoad,
Robinson and Davies 2010) groups it in batches of five days and proposes the
truncation point ``d`` that minimises the standard error of the mean of what is left,
``sum((Y_i - mean)^2) / (n - d)^2``, looking only at the first half of the run; the
proposal is ``5 d`` days.  A minimum at the end of that half means the run is too
short to tell (MSER then only chases the noise of the last batches): the report says
so and asks for a longer horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from cadrelab.i18n import Lang, t
from cadrelab.sim.presentation.charts import Chart
from cadrelab.sim.results.replications import run_scenario
from cadrelab.sim.scenario.edit import with_changes
from cadrelab.sim.scenario.model import Scenario

BATCH_DAYS = 5


@dataclass(frozen=True)
class Warmup:
    scenario: Scenario
    backlog: np.ndarray  # (days,): mean dossiers in the office at the end of each day
    mser: np.ndarray  # MSER statistic per truncation point (in batches)
    days: int  # proposed warm-up
    replications: int

    @property
    def conclusive(self) -> bool:
        """False when the minimum sits at the end of the half searched: run longer."""
        return int(np.argmin(self.mser)) < len(self.mser) - 1

    def figure(self, lang: Lang | None = None) -> Figure:
        """The backlog by day with the proposed warm-up marked, and the MSER curve."""
        figure = Chart(figsize=(8, 5), layout="constrained")
        top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
        top.plot(np.arange(len(self.backlog)), self.backlog, color="#1f5fa8", linewidth=1.2)
        for ax in (top, bottom):
            ax.axvline(self.days, color="#c0392b", linestyle="--", linewidth=1.2)
        top.set_ylabel(t("sim.warmup.backlog", lang))
        top.set_title(t("sim.warmup.title", lang, days=self.days, name=self.scenario.name))
        bottom.plot(np.arange(len(self.mser)) * BATCH_DAYS, self.mser, color="#2e8b57")
        bottom.set_xlabel(t("sim.warmup.day", lang))
        bottom.set_ylabel("MSER-5")
        return figure


def backlog_by_day(scenario: Scenario, replications: int) -> np.ndarray:
    """Mean number of dossiers in the office at the end of each day (no warm-up)."""
    cold = with_changes(scenario, warmup_days=0)
    results = run_scenario(cold, replications)
    ends = (np.arange(cold.horizon_days) + 1) * 1440.0
    counts = []
    for rep in results.replications:
        arrival = np.sort(rep.records.dossiers.arrival)
        finish = np.sort(np.nan_to_num(rep.records.finish, nan=np.inf))
        counts.append(
            np.searchsorted(arrival, ends, side="right")
            - np.searchsorted(finish, ends, side="right")
        )
    return np.mean(counts, axis=0)


def mser(series: np.ndarray, batch: int = BATCH_DAYS) -> np.ndarray:
    """MSER statistic for each truncation point (in batches) over the first half."""
    batches = series[: len(series) // batch * batch].reshape(-1, batch).mean(axis=1)
    n = len(batches)
    values = []
    for d in range(n // 2 + 1):
        rest = batches[d:]
        values.append(float(((rest - rest.mean()) ** 2).sum() / (n - d) ** 2))
    return np.array(values)


def propose_warmup(scenario: Scenario, replications: int = 5) -> Warmup:
    backlog = backlog_by_day(scenario, replications)
    curve = mser(backlog)
    return Warmup(scenario, backlog, curve, int(np.argmin(curve)) * BATCH_DAYS, replications)


def report(proposal: Warmup, lang: Lang) -> str:
    if not proposal.conclusive:
        return t("sim.warmup.inconclusive", lang, horizon=proposal.scenario.horizon_days)
    return t(
        "sim.warmup.report",
        lang,
        days=proposal.days,
        current=proposal.scenario.warmup_days,
        replications=proposal.replications,
        horizon=proposal.scenario.horizon_days,
    )
