"""Small vectorised helpers shared by the generators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadrelab.data.gazetteer import Gazetteer


def str_column(values: np.ndarray, index: np.ndarray) -> pd.Series:
    """``values[index]`` as a str column, built through categories (fast for repeated values)."""
    categories, codes = np.unique(np.asarray(values).astype(str), return_inverse=True)
    return pd.Series(pd.Categorical.from_codes(codes[index], categories)).astype("str")


def rank_within(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """1-based rank of each row by ``key`` inside its group (ties keep row order)."""
    n = len(groups)
    order = np.lexsort((np.arange(n), key, groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n) - first + 1
    return ranks


def cumulative_within(groups: np.ndarray, order: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Running totals of ``steps`` along ``order``, starting afresh in each group.

    ``order`` must keep each group's rows together (sort by the group first).
    """
    n = len(groups)
    running = np.cumsum(steps[order])
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    before = np.repeat(np.r_[0, running[starts[1:] - 1]], np.diff(np.r_[starts, n]))
    totals = np.empty(n, dtype=np.int64)
    totals[order] = running - before
    return totals


def commune_numbers(places: Gazetteer) -> np.ndarray:
    """1-based number of each commune within its province, in reference-table order."""
    return rank_within(places.commune_province_index, np.arange(places.n_communes))


def dates_where(days: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``days`` as datetime64[s], NaT where ``mask`` is false."""
    out = np.asarray(days).astype("datetime64[s]").copy()
    out[~mask] = np.datetime64("NaT")
    return out
