"""Plain-text tables a planner can read, in Vietnamese (default) or English.

Numbers follow the language: ``12,5`` in Vietnamese, ``12.5`` in English;
intervals are the 95% confidence intervals over replications.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cadrelab.i18n import Lang, catalogue, t
from cadrelab.sim.metrics import Key
from cadrelab.sim.run import Comparison, Results
from cadrelab.sim.stats import Estimate

NAME_WIDTH = 44

#: (figure, label key, scale, digits) of the figures every summary starts with.
KEY_FIGURES: tuple[tuple[Key, str, float, int], ...] = (
    (("overall", "all", "dossiers_per_working_day"), "sim.report.dossiers_per_day", 1, 1),
    (("overall", "all", "on_time_rate"), "sim.report.on_time", 100, 1),
    (("overall", "all", "lead_time_working_days"), "sim.report.lead_time", 1, 2),
    (("overall", "all", "counter_wait_minutes"), "sim.report.counter_wait", 1, 1),
)


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


def significant(low: float, high: float) -> bool:
    """A 95% interval that leaves out 0: the change is clear, not noise."""
    return not (math.isnan(low) or math.isnan(high)) and (low > 0 or high < 0)


def role_name(role: str, lang: Lang) -> str:
    key = f"sim.role.{role}"
    return t(key, lang) if key in catalogue() else role


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


def results_table(results: Results, lang: Lang) -> str:
    """Roles, officers and procedures of one scenario, each with 95% intervals."""
    scenario = results.scenario
    est = results.estimate
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
            f"{t(label, lang)}: {with_interval(est(key), digits, lang, scale)}"
            for key, label, scale, digits in KEY_FIGURES
        )
    )
    parts.append(
        _table(
            [
                t("sim.report.role", lang),
                t("sim.report.wait", lang),
                t("sim.report.utilization", lang),
                t("sim.report.queue", lang),
            ],
            [
                (
                    _clip(role_name(role, lang)),
                    with_interval(est(("role", role, "wait_minutes")), 1, lang),
                    with_interval(est(("role", role, "utilization")), 1, lang, 100),
                    number(est(("role", role, "queue_length")).mean, 2, lang),
                )
                for role in scenario.roles
            ],
        )
    )
    parts.append(
        _table(
            [
                t("sim.report.officer", lang),
                t("sim.report.roles", lang),
                t("sim.report.utilization", lang),
            ],
            [
                (
                    _clip(o.name_vi or o.id if lang == "vi" else o.id),
                    ", ".join(o.roles),
                    with_interval(est(("officer", o.id, "utilization")), 1, lang, 100),
                )
                for o in scenario.staff
            ],
        )
    )
    parts.append(
        _table(
            [
                t("sim.report.procedure", lang),
                t("sim.report.per_day", lang),
                t("sim.report.on_time", lang),
                t("sim.report.lead_time", lang),
            ],
            [
                (
                    _clip(f"{p.code} {scenario.procedure_name(p)}"),
                    number(est(("procedure", p.code, "dossiers_per_working_day")).mean, 1, lang),
                    with_interval(est(("procedure", p.code, "on_time_rate")), 1, lang, 100),
                    with_interval(est(("procedure", p.code, "lead_time_working_days")), 2, lang),
                )
                for p in scenario.procedures
            ],
        )
    )
    parts.append(t("sim.report.footnote", lang))
    return "\n\n".join(parts)


COMPARED = (
    ("overall", "on_time_rate", 100, 1),
    ("overall", "lead_time_working_days", 1, 2),
    ("overall", "counter_wait_minutes", 1, 1),
)


def comparison_table(comparison: Comparison, lang: Lang) -> str:
    """For each alternative: key figures of base and alternative and their paired difference.

    Every role's wait is shown; a procedure's on-time rate and lead time only when
    the difference is significant (its interval excludes 0).
    """
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
        keys = [
            (
                ("overall", "all", metric),
                t(f"sim.report.metric.{metric}", lang),
                scale,
                digits,
                False,
            )
            for _, metric, scale, digits in COMPARED
        ]
        keys += [
            (
                ("role", role, "wait_minutes"),
                f"{t('sim.report.metric.wait_minutes', lang)} – {role_name(role, lang)}",
                1,
                1,
                False,
            )
            for role in base.scenario.roles
        ]
        for p in base.scenario.procedures:
            keys += [
                (
                    ("procedure", p.code, "on_time_rate"),
                    f"{t('sim.report.metric.on_time_rate', lang)} – {p.code}",
                    100,
                    1,
                    True,
                ),
                (
                    ("procedure", p.code, "lead_time_working_days"),
                    f"{t('sim.report.metric.lead_time_working_days', lang)} – {p.code}",
                    1,
                    2,
                    True,
                ),
            ]
        rows = []
        for key, label, scale, digits, only_if_significant in keys:
            if key not in diffs:
                continue
            diff = diffs[key]
            clear = significant(diff.low, diff.high)
            if only_if_significant and not clear:
                continue
            rows.append(
                (
                    _clip(label, 60),
                    number(base.estimate(key).mean * scale, digits, lang),
                    number(alt.estimate(key).mean * scale, digits, lang),
                    with_interval(diff, digits, lang, scale) + (" *" if clear else ""),
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
