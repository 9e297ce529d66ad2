"""Figures a planner reads: waits, on-time rates, utilisation, queues by hour, differences.

Every function takes the runs to show as a mapping ``{label: Results}`` (in the
order of the legend) and returns a :class:`matplotlib.figure.Figure` built
without pyplot, so the same figure serves a notebook, the dashboard (as PNG
bytes, :func:`png`) and a test.  Labels follow the message catalogue
(Vietnamese by default).  Means carry their 95% confidence interval as error
bars; only the time after the warm-up is shown.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cadrelab.i18n import default_lang, t
from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.presentation.report import number, role_name
from cadrelab.sim.results.metrics import BY_NAME
from cadrelab.sim.results.replications import Comparison, Results

Runs = Mapping[str, Results]
AT_ONCE_HOURS = 1 / 60  # a wait under a minute: taken up at once
WAIT_TICKS = (
    (1 / 60, "sim.chart.tick.minute"),
    (10 / 60, "sim.chart.tick.ten_minutes"),
    (1.0, "sim.chart.tick.hour"),
    (8.0, "sim.chart.tick.eight_hours"),
    (24.0, "sim.chart.tick.day"),
    (24.0 * 7, "sim.chart.tick.week"),
    (24.0 * 30, "sim.chart.tick.month"),
)
COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#d98e04", "#7d3c98", "#5d6d7e")


def png(figure: Figure, dpi: int = 96) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Chart(Figure):
    """A figure that shows itself as an image in a notebook, with or without pyplot."""

    def _repr_png_(self) -> bytes:
        return png(self)


def _figure(width: float, height: float) -> tuple[Chart, object]:
    figure = Chart(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def _colour(i: int) -> str:
    return COLOURS[i % len(COLOURS)]


def measured_waits(results: Results, roles: Sequence[str] | None = None) -> np.ndarray:
    """Minutes each step waited in its queue, for steps that entered after the warm-up
    and were started (all replications; only ``roles`` when given)."""
    steps = results.steps()
    warmup = Clock.for_scenario(results.scenario).warmup
    keep = (steps["ready_minute"] >= warmup) & steps["start_minute"].notna()
    if roles is not None:
        keep &= steps["role"].isin(list(roles))
    return steps.loc[keep, "wait_minutes"].to_numpy(dtype=float)


def wait_distribution(runs: Runs, roles: Sequence[str] | None = None) -> Figure:
    """Histogram of step waits in hours, one outline per run.

    Steps taken up within a minute (most desk steps) would dwarf the rest, so they are
    counted in the legend ("done at once") and the bars show the steps that waited, as a
    share of all steps, on a log scale from a minute to the longest wait.
    """
    figure, ax = _figure(8, 4)
    waits = {label: measured_waits(r, roles) / 60 for label, r in runs.items()}
    waited = [w[w >= AT_ONCE_HOURS] for w in waits.values()]
    pooled = np.concatenate([w for w in waited if len(w)] or [np.ones(1)])
    top = max(float(pooled.max()), 1.0)
    bins = np.geomspace(AT_ONCE_HOURS, top * 1.001, 41)  # waits span minutes to weeks
    lang = default_lang()
    for i, (label, hours) in enumerate(waits.items()):
        if not len(hours):
            continue
        late = hours[hours >= AT_ONCE_HOURS]
        ax.hist(
            late,
            bins=bins,
            weights=np.full(len(late), 100 / len(hours)),
            histtype="step",
            linewidth=1.8,
            color=_colour(i),
            label=t(
                "sim.chart.mean_label",
                label=label,
                at_once=number(100 * (1 - len(late) / len(hours)), 0, lang),
                mean=number(hours.mean(), 1, lang),
            ),
        )
        ax.axvline(hours.mean(), color=_colour(i), linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ticks = [(h, label) for h, label in WAIT_TICKS if h <= top * 1.5]
    ax.set_xticks([h for h, _ in ticks], [t(label) for _, label in ticks])
    ax.minorticks_off()
    which = ", ".join(role_name(r, lang) for r in roles) if roles else t("sim.chart.all_roles")
    ax.set_title(t("sim.chart.wait_title", roles=which))
    ax.set_xlabel(t("sim.chart.wait_hours"))
    ax.set_ylabel(t("sim.chart.share_of_steps"))
    ax.legend(loc="upper right", fontsize=8)
    return figure


def _estimates(results: Results, scope: str, names: Sequence[str], metric: str) -> pd.DataFrame:
    rows = []
    for name in names:
        est = results.estimate((scope, name, metric))
        rows.append({"name": name, "mean": est.mean, "low": est.low, "high": est.high})
    return pd.DataFrame(rows).set_index("name")


def _interval_bars(
    ax, runs: Runs, tables: dict[str, pd.DataFrame], names: list[str], scale: float
) -> None:
    """Horizontal points with 95% intervals, one row per name, runs side by side."""
    height = 0.8 / max(len(runs), 1)
    y = np.arange(len(names))
    for i, label in enumerate(runs):
        table = tables[label].reindex(names)
        mean = table["mean"].to_numpy(dtype=float) * scale
        low = table["low"].to_numpy(dtype=float) * scale
        high = table["high"].to_numpy(dtype=float) * scale
        # an interval is undefined with one replication or one value: draw the point only
        low, high = np.where(np.isnan(low), mean, low), np.where(np.isnan(high), mean, high)
        errors = np.vstack([np.maximum(mean - low, 0), np.maximum(high - mean, 0)])
        offset = (i - (len(runs) - 1) / 2) * height
        ax.barh(y + offset, mean, height=height * 0.9, color=_colour(i), alpha=0.75, label=label)
        ax.errorbar(
            mean, y + offset, xerr=np.nan_to_num(errors), fmt="none", ecolor="#222", capsize=2
        )
    ax.set_yticks(y)
    ax.invert_yaxis()


def on_time_by_procedure(runs: Runs, limit: int = 12) -> Figure:
    """On-time rate (%) per procedure with 95% intervals: the ``limit`` procedures with the
    lowest rate in any run."""
    first = next(iter(runs.values()))
    codes = [p.code for p in first.scenario.procedures]
    tables = {label: _estimates(r, "procedure", codes, "on_time_rate") for label, r in runs.items()}
    worst = pd.concat([table["mean"] for table in tables.values()], axis=1).min(axis=1)
    chosen = worst.sort_values(kind="stable").index[:limit].tolist()
    figure, ax = _figure(8, 0.9 + 0.32 * len(chosen) * max(1, len(runs) / 2))
    on_time = BY_NAME["on_time_rate"]
    _interval_bars(ax, runs, tables, chosen, on_time.scale)
    names = {p.code: first.scenario.procedure_name(p) for p in first.scenario.procedures}
    ax.set_yticklabels([_short(f"{code} {names[code]}", 42) for code in chosen], fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel(f"{on_time.label_with_unit()} – {t('sim.chart.interval')}")
    ax.set_title(t("sim.chart.on_time_title", count=len(chosen)))
    _legend_below(ax, len(runs))
    return figure


def utilization_by_officer(runs: Runs) -> Figure:
    """Utilisation (%) of every officer with 95% intervals; officers of all runs, in order."""
    names: dict[str, str] = {}
    for results in runs.values():
        for officer in results.scenario.staff:
            names.setdefault(officer.id, officer.name_vi or officer.id)
    ids = list(names)
    tables = {
        label: _estimates(r, "officer", [o.id for o in r.scenario.staff], "utilization")
        for label, r in runs.items()
    }
    figure, ax = _figure(8, 0.9 + 0.3 * len(ids) * max(1, len(runs) / 2))
    busy = BY_NAME["utilization"]
    _interval_bars(ax, runs, tables, ids, busy.scale)
    ax.set_yticklabels([_short(names[i], 40) for i in ids], fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel(f"{busy.label_with_unit()} – {t('sim.chart.interval')}")
    ax.set_title(t("sim.chart.utilization_title"))
    _legend_below(ax, len(runs))
    return figure


def queue_by_hour_table(results: Results, roles: Sequence[str] | None = None) -> pd.Series:
    """Mean number of steps waiting (in ``roles``, or all) at each hour of the day."""
    queues = results.queue_lengths(every_minutes=60)
    if roles is not None:
        queues = queues[queues["role"].isin(list(roles))]
    total = queues.groupby(["replication", "minute", "hour"], as_index=False)["queue_length"].sum()
    return total.groupby("hour")["queue_length"].mean()


def queue_by_hour(runs: Runs, roles: Sequence[str] | None = None) -> Figure:
    """Mean queue length by hour of the day (office hours after the warm-up), one line per run."""
    figure, ax = _figure(8, 3.6)
    for i, (label, results) in enumerate(runs.items()):
        series = queue_by_hour_table(results, roles)
        if len(series):  # closed hours (lunch) stay gaps in the line
            series = series.reindex(range(int(series.index.min()), int(series.index.max()) + 1))
        ax.plot(series.index, series.to_numpy(), marker="o", color=_colour(i), label=label)
    which = (
        ", ".join(role_name(r, default_lang()) for r in roles)
        if roles
        else t("sim.chart.all_roles")
    )
    ax.set_title(t("sim.chart.queue_title", roles=which))
    ax.set_xlabel(t("sim.chart.hour_of_day"))
    ax.set_ylabel(t("sim.chart.queue_length"))
    ax.set_ylim(bottom=0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8)
    return figure


def wait_differences(comparison: Comparison) -> Figure:
    """Paired difference (alternative − base) of each role's mean wait in hours, with its 95%
    interval; a bar whose interval crosses 0 shows no clear change."""
    roles = list(comparison.base.scenario.roles)
    figure, ax = _figure(8, 0.9 + 0.35 * len(roles) * max(1, len(comparison.alternatives) / 2))
    height = 0.8 / max(len(comparison.alternatives), 1)
    y = np.arange(len(roles))
    for i, alternative in enumerate(comparison.alternatives):
        diffs = comparison.differences(alternative)
        est = [diffs.get(("role", role, "wait_minutes")) for role in roles]
        mean = np.array([e.mean / 60 if e else math.nan for e in est])
        low = np.array([e.low / 60 if e else math.nan for e in est])
        high = np.array([e.high / 60 if e else math.nan for e in est])
        errors = np.nan_to_num(np.vstack([mean - low, high - mean]))
        offset = (i - (len(comparison.alternatives) - 1) / 2) * height
        ax.barh(
            y + offset,
            np.nan_to_num(mean),
            height=height * 0.9,
            color=_colour(i + 1),
            alpha=0.75,
            label=alternative.scenario.name,
        )
        ax.errorbar(np.nan_to_num(mean), y + offset, xerr=errors, fmt="none", ecolor="#222")
    ax.axvline(0, color="#222", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels([role_name(r, default_lang()) for r in roles], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(t("sim.chart.difference_hours"))
    ax.set_title(t("sim.chart.difference_title", base=comparison.base.scenario.name))
    _legend_below(ax, len(comparison.alternatives))
    return figure


def _legend_below(ax, entries: int) -> None:
    """The legend under the plot, outside the bars (constrained layout makes room)."""
    ax.figure.legend(loc="outside lower center", ncol=max(entries, 1), fontsize=8)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
