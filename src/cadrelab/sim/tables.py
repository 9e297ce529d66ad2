"""Small tables a planner reads in a notebook or the dashboard: key figures and differences.

Cells are text, ``mean [low; high]`` with the 95% confidence interval, numbers
written the way the language writes them (``95,1`` in Vietnamese); column and
row labels come from the message catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cadrelab.i18n import Lang, default_lang, t
from cadrelab.sim.metrics import Key
from cadrelab.sim.report import KEY_FIGURES, number, role_name, significant, with_interval
from cadrelab.sim.run import Comparison, Results

__all__ = ["KEY_FIGURES", "compared_figures", "differences_table", "key_figures", "significant"]


def key_figures(runs: Mapping[str, Results], lang: Lang | None = None) -> pd.DataFrame:
    """One row per key figure, one column per run: ``mean [low; high]``."""
    lang = lang or default_lang()
    rows = {
        t(label, lang): {
            name: with_interval(results.estimate(key), digits, lang, scale)
            for name, results in runs.items()
        }
        for key, label, scale, digits in KEY_FIGURES
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def compared_figures(comparison: Comparison, lang: Lang) -> list[tuple[Key, str, float, int]]:
    """The key figures, then every role's mean wait (minutes)."""
    figures = [(key, t(label, lang), scale, digits) for key, label, scale, digits in KEY_FIGURES]
    figures += [
        (
            ("role", role, "wait_minutes"),
            f"{t('sim.report.metric.wait_minutes', lang)} – {role_name(role, lang)}",
            1,
            1,
        )
        for role in comparison.base.scenario.roles
    ]
    return figures


def differences_table(comparison: Comparison, lang: Lang | None = None) -> pd.DataFrame:
    """Per alternative and figure: base, alternative, paired difference [95% CI], and whether
    the interval leaves out 0 (a clear change)."""
    lang = lang or default_lang()
    rows = []
    for alternative in comparison.alternatives:
        diffs = comparison.differences(alternative)
        for key, label, scale, digits in compared_figures(comparison, lang):
            if key not in diffs:
                continue
            diff = diffs[key]
            rows.append(
                {
                    t("sim.table.alternative", lang): alternative.scenario.name,
                    t("sim.report.figure", lang): label,
                    t("sim.table.base", lang): number(
                        comparison.base.estimate(key).mean * scale, digits, lang
                    ),
                    t("sim.table.value", lang): number(
                        alternative.estimate(key).mean * scale, digits, lang
                    ),
                    t("sim.report.difference", lang): with_interval(diff, digits, lang, scale),
                    t("sim.table.clear", lang): t(
                        "sim.table.yes" if significant(diff.low, diff.high) else "sim.table.no",
                        lang,
                    ),
                }
            )
    return pd.DataFrame(rows)
