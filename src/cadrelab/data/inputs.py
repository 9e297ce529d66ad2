"""Checks on generator arguments, so bad input fails early with a clear message."""

from __future__ import annotations

import math
import numbers

import numpy as np

from cadrelab.errors import InputError
from cadrelab.i18n import t

MAX_SEED = 2**63 - 1
MAX_ROWS = 50_000_000


def check_seed(seed: object) -> int:
    """A seed is a whole number from 0 to 2**63 - 1 (``True`` is not a number here)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InputError(
            f"seed must be a whole number, not {seed!r}",
            field="seed",
            problem_vi=t("data.seed_invalid", "vi", value=repr(seed)),
        )
    if not 0 <= int(seed) <= MAX_SEED:
        raise InputError(
            f"seed must be between 0 and 2**63 - 1, not {seed}",
            field="seed",
            problem_vi=t("data.seed_invalid", "vi", value=repr(seed)),
        )
    return int(seed)


def check_count(n: object, field: str = "n") -> int:
    """A row count is a whole number from 0 to MAX_ROWS."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= MAX_ROWS:
        raise InputError(
            f"{field} must be a whole number from 0 to {MAX_ROWS:,}, not {n!r}",
            field=field,
            problem_vi=t("data.count_invalid", "vi", value=repr(n)),
        )
    return int(n)


def check_defect_rate(rate: object) -> float:
    """The share of rows that carry an injected defect: a number from 0 to 1."""
    if (
        isinstance(rate, bool)
        or not isinstance(rate, numbers.Real)
        or math.isnan(float(rate))
        or not 0.0 <= float(rate) <= 1.0
    ):
        raise InputError(
            f"defect_rate must be a number from 0 to 1, not {rate!r}",
            field="defect_rate",
            problem_vi=t("data.defect_rate_invalid", "vi", value=repr(rate)),
        )
    return float(rate)
