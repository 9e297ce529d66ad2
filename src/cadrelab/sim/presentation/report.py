"""Plain-text tables a planner can read, in Vietnamese (default) or English.

Numbers follow the language: ``12,5`` in Vietnamese, ``12.5`` in English;
intervals are the 95% confidence intervals over replications.  Which figures
appear, their labels, units and digits come from the metric registry
(:mod:`cadrelab.sim.results.metrics`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cadrelab.i18n import Lang, catalogue, t
from cadrelab.sim.results.metrics import BY_NAME, KEY_FIGURES, Key, metric
from cadrelab.sim.results.replications import Comparison, Results
from cadrelab.sim.results.stats import Estimate

NAME_WIDTH = 44

#: Columns of the per-role, per-officer and per-procedure tables.
ROLE_COLUMNS = ("wait_minutes", "utilization", "queue_length")
OFFICER_COLUMNS = ("utilization",)
PROCEDURE_COLUMNS = (
    "dossiers_per_working_day",
    "on_time_rate",
    "lead_time_working_days",
    "outside_working_days",
)
#: Figures of each procedure shown in a comparison when their difference is clear.
COMPARED_PROCEDURE_FIGURES = ("on_time_rate", "lead_time_working_days")


def number(value: float, digits: int, lang: Lang) -> str:
    if value is None or math.isnan(value):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def with_interval(est: Estimate, digits: int, lang: Lang, scale: float = 1.0) -> str:
    mean = number(est.mean * scale, digits, lang)
    if math.isnan(est.low):
        return mean
    low, high = number(est.low * scale, digits, lang), number(est.high * scale, digits, lang)
    return f"{mean} [{low}; {high}]"


def shown(key: Key, est: Estimate, lang: Lang) -> str:
    """``est`` of figure ``key`` as the registry says it reads: ``95,1 [93,0; 96,7]``."""
    m = metric(key)
    return with_interval(est, m.digits, lang, m.scale)


def significant(low: float, high: float) -> bool:
    """A 95% interval that leaves out 0: the change is clear, not noise."""
    return not (math.isnan(low) or math.isnan(high)) and (low > 0 or high < 0)


def role_name(role: str, lang: Lang) -> str:
    key = f"sim.role.{role}"
    return t(key, lang) if key in catalogue() else role


def figure_label(key: Key, lang: Lang) -> str:
    """``Chờ xử lý (phút) – Đất đai``: the figure's label, and whose it is unless overall."""
    scope, name, _ = key
    label = metric(key).label_with_unit(lang)
    if scope == "overall":
        return label
    return f"{label} – {role_name(name, lang) if scope == 'role' else name}"


def _clip(text: str, width: int = NAME_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _columns(scope: str, name: str, names: Sequence[str], results: Results, lang: Lang):
    return [shown((scope, name, m), results.estimate((scope, name, m)), lang) for m in names]


def results_table(results: Results, lang: Lang) -> str:
    """Key figures, then roles, officers and procedures, each with 95% intervals."""
    scenario = results.scenario
    parts = [
        t(
            "sim.report.heading",
            lang,
            scenario=scenario.name,
            replications=len(results.replications),
            seed=results.seed,
            calendar=t(f"sim.report.calendar.{scenario.calendar}", lang),
            horizon=scenario.horizon_days,
            warmup=scenario.warmup_days,
        )
    ]
    parts.append(
        "\n".join(
            f"{figure_label(key, lang)}: {shown(key, results.estimate(key), lang)}"
            for key in KEY_FIGURES
        )
    )
    headers = {name: BY_NAME[name].label_with_unit(lang) for name in BY_NAME}
    parts.append(
        _table(
            [t("sim.report.role", lang), *(headers[m] for m in ROLE_COLUMNS)],
            [
                (_clip(role_name(role, lang)), *_columns("role", role, ROLE_COLUMNS, results, lang))
                for role in scenario.roles
            ],
        )
    )
    parts.append(
        _table(
            [
                t("sim.report.officer", lang),
                t("sim.report.roles", lang),
                *(headers[m] for m in OFFICER_COLUMNS),
            ],
            [
                (
                    _clip(o.name_vi or o.id if lang == "vi" else o.id),
                    ", ".join(o.roles),
                    *_columns("officer", o.id, OFFICER_COLUMNS, results, lang),
                )
                for o in scenario.staff
            ],
        )
    )
    parts.append(
        _table(
            [t("sim.report.procedure", lang), *(headers[m] for m in PROCEDURE_COLUMNS)],
            [
                (
                    _clip(f"{p.code} {scenario.procedure_name(p)}"),
                    *_columns("procedure", p.code, PROCEDURE_COLUMNS, results, lang),
                )
                for p in scenario.procedures
            ],
        )
    )
    parts.append(t("sim.report.footnote", lang))
    return "\n\n".join(parts)


def compared_keys(comparison: Comparison) -> list[tuple[Key, bool]]:
    """Figures a comparison shows, each with whether it is shown only when clearly changed:
    the key figures, every role's wait, each procedure's on-time rate and lead time."""
    base = comparison.base.scenario
    keys = [(key, False) for key in KEY_FIGURES if key[2] != "dossiers_per_working_day"]
    keys += [(("role", role, "wait_minutes"), False) for role in base.roles]
    keys += [
        (("procedure", p.code, name), True)
        for p in base.procedures
        for name in COMPARED_PROCEDURE_FIGURES
    ]
    return keys


def comparison_table(comparison: Comparison, lang: Lang) -> str:
    """For each alternative: figures of base and alternative and their paired difference."""
    base = comparison.base
    parts = [
        t(
            "sim.report.compare_heading",
            lang,
            base=base.scenario.name,
            replications=len(base.replications),
            seed=base.seed,
        )
    ]
    for alt in comparison.alternatives:
        diffs = comparison.differences(alt)
        rows = []
        for key, only_if_clear in compared_keys(comparison):
            if key not in diffs:
                continue
            diff, m = diffs[key], metric(key)
            clear = significant(diff.low, diff.high)
            if only_if_clear and not clear:
                continue
            rows.append(
                (
                    _clip(figure_label(key, lang), 60),
                    number(base.estimate(key).mean * m.scale, m.digits, lang),
                    number(alt.estimate(key).mean * m.scale, m.digits, lang),
                    shown(key, diff, lang) + (" *" if clear else ""),
                )
            )
        parts.append(
            t("sim.report.alternative", lang, name=alt.scenario.name)
            + "\n"
            + _table(
                [
                    t("sim.report.figure", lang),
                    base.scenario.name,
                    alt.scenario.name,
                    t("sim.report.difference", lang),
                ],
                rows,
            )
        )
    parts.append(t("sim.report.compare_footnote", lang))
    return "\n\n".join(parts)
