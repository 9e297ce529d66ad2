"""Small tables a planner reads in a notebook or the dashboard: key figures and differences.

Cells are text, ``mean [low; high]`` with the 95% confidence interval, numbers
written the way the language writes them (``95,1`` in Vietnamese); labels, units
and digits come from the metric registry.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cadrelab.i18n import Lang, default_lang, t
from cadrelab.sim.presentation.report import (
    compared_keys,
    figure_label,
    number,
    shown,
    significant,
)
from cadrelab.sim.results.metrics import KEY_FIGURES, metric
from cadrelab.sim.results.replications import Comparison, Results

__all__ = ["KEY_FIGURES", "differences_table", "key_figures", "significant"]


def key_figures(runs: Mapping[str, Results], lang: Lang | None = None) -> pd.DataFrame:
    """One row per key figure, one column per run: ``mean [low; high]``."""
    lang = lang or default_lang()
    rows = {
        figure_label(key, lang): {
            name: shown(key, results.estimate(key), lang) for name, results in runs.items()
        }
        for key in KEY_FIGURES
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def differences_table(comparison: Comparison, lang: Lang | None = None) -> pd.DataFrame:
    """Per alternative and figure: base, alternative, paired difference [95% CI], and whether
    the interval leaves out 0 (a clear change)."""
    lang = lang or default_lang()
    rows = []
    for alternative in comparison.alternatives:
        diffs = comparison.differences(alternative)
        for key, only_if_clear in compared_keys(comparison):
            if key not in diffs or only_if_clear:
                continue
            diff, m = diffs[key], metric(key)
            rows.append(
                {
                    t("sim.table.alternative", lang): alternative.scenario.name,
                    t("sim.report.figure", lang): figure_label(key, lang),
                    t("sim.table.base", lang): number(
                        comparison.base.estimate(key).mean * m.scale, m.digits, lang
                    ),
                    t("sim.table.value", lang): number(
                        alternative.estimate(key).mean * m.scale, m.digits, lang
                    ),
                    t("sim.report.difference", lang): shown(key, diff, lang),
                    t("sim.table.clear", lang): t(
                        "sim.table.yes" if significant(diff.low, diff.high) else "sim.table.no",
                        lang,
                    ),
                }
            )
    return pd.DataFrame(rows)
