"""Synthetic cases for lessons, exercises and the simulation.

Every generator takes ``n``, ``seed`` and ``defect_rate`` and returns
:class:`Cases`: named DataFrames (schemas in :mod:`cadrelab.data.schemas`) and
the ground truth of every injected defect.  Course notebooks call
:func:`load_cases` with an exercise id; the trainee and the seed are worked out
so that the grader regenerates the same cases.

The names below are imported when first used, so ``from cadrelab.data.seeds import
trainee_seed`` does not pay for Faker, pandas and every generator (seconds in a
grading sandbox).
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "DEFECT_KINDS": "defects",
    "EXERCISES": "exercises",
    "REFERENCE_DATE": "providers",
    "Cases": "cases",
    "format_dong": "providers",
    "format_dong_many": "providers",
    "generate_budget": "budget",
    "generate_citizens": "citizens",
    "generate_dossiers": "dossiers",
    "generate_land": "land",
    "generate_social": "social",
    "generate_staff": "staff",
    "generate_till": "till",
    "load_cases": "exercises",
    "parse_dong": "providers",
    "trainee_id": "seeds",
    "trainee_seed": "seeds",
    "write_profile": "seeds",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'cadrelab.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cadrelab.data.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
