"""What every generator returns: named tables and the ground truth of injected defects.

Inside the workshop's grading sandbox (``CADRELAB_GRADING=sandbox``, set by
:mod:`cadrelab.grading.sandbox`) the ground truth is withheld, so that an answer cell
cannot simply read the answers to a detection exercise; the tests, which run in the
grader's own process, still see it.  This is a deterrent, not a security boundary: the
data is reproducible from public code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from cadrelab.data import defects
from cadrelab.errors import InputError
from cadrelab.i18n import t

GRADING_ENV = "CADRELAB_GRADING"
WITHHELD = defects.empty()


def truth_withheld() -> bool:
    return os.environ.get(GRADING_ENV) == "sandbox"


@dataclass(frozen=True)
class Cases:
    """``tables`` maps a table name to its DataFrame (schemas in :mod:`cadrelab.data.schemas`);
    ``defects`` lists every injected defect (columns table, row_key, kind, detail)."""

    tables: dict[str, pd.DataFrame]
    defects: pd.DataFrame

    def __post_init__(self) -> None:
        if truth_withheld():
            object.__setattr__(self, "defects", WITHHELD)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def defects_of(self, table: str, kind: str | None = None) -> pd.DataFrame:
        """The ground-truth rows of one table (and one kind)."""
        if self.defects is WITHHELD:
            raise InputError(
                t("data.truth_withheld", "en"), problem_vi=t("data.truth_withheld", "vi")
            )
        rows = self.defects[self.defects["table"] == table]
        return rows if kind is None else rows[rows["kind"] == kind]

    @staticmethod
    def merge(*parts: Cases) -> Cases:
        tables: dict[str, pd.DataFrame] = {}
        for part in parts:
            tables.update(part.tables)
        frames = [p.defects for p in parts if len(p.defects)]
        merged = pd.concat(frames, ignore_index=True) if frames else defects.empty()
        return Cases(tables=tables, defects=merged)
