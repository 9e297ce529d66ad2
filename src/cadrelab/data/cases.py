"""What every generator returns: named tables and the ground truth of injected defects.

Cases read from a workshop's case folder (:mod:`cadrelab.data.case_files`) carry no
ground truth: their ``defects`` is :attr:`Cases.WITHHELD`, and asking for it says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from cadrelab.data import defects
from cadrelab.errors import InputError
from cadrelab.i18n import t


@dataclass(frozen=True)
class Cases:
    """``tables`` maps a table name to its DataFrame (schemas in :mod:`cadrelab.data.schemas`);
    ``defects`` lists every injected defect (columns table, row_key, kind, detail)."""

    tables: dict[str, pd.DataFrame]
    defects: pd.DataFrame

    WITHHELD: ClassVar[pd.DataFrame] = defects.empty()

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def defects_of(self, table: str, kind: str | None = None) -> pd.DataFrame:
        """The ground-truth rows of one table (and one kind)."""
        if self.defects is Cases.WITHHELD:
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
