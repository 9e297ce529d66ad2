"""Budget classification codes a commune uses: chapters and sub-items (Mục lục NSNN)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cadrelab.errors import InputError
from cadrelab.reference.facts import Fact, FactTable, check_references, register
from cadrelab.reference.fees import FEES
from cadrelab.reference.tables import split_list, table_error


class BudgetLine(Fact):
    """A budget classification sub-item (tiểu mục) with its section and a training roll-up."""

    code: str = Field(pattern=r"^\d{4}$")
    kind: Literal["revenue", "expense"]
    group_code: str = Field(pattern=r"^\d{4}$")
    name_vi: str
    category: str
    fee_codes: str | None = None
    note: str | None = None

    @property
    def fee_codes_list(self) -> tuple[str, ...]:
        """The fees and charges (codes of fee_schedules.csv) collected on this sub-item."""
        return split_list(self.fee_codes)


class BudgetChapter(Fact):
    """A budget chapter code (mã chương) used at commune level."""

    code: str = Field(pattern=r"^\d{3}$")
    name_vi: str
    note: str | None = None


def _check_lines(rows: tuple[BudgetLine, ...]) -> None:
    check_references(rows, "fee_codes", "budget_lines", FEES, many=True, when="overlap")
    for row in rows:
        # A section (mục) groups the sub-items numbered from it up to the next multiple of 50.
        if not 0 < int(row.code) - int(row.group_code) < 50:
            raise table_error(
                "budget_lines",
                row.line,
                "group_code",
                f"sub-item {row.code} does not belong to section {row.group_code}",
            )


BUDGET_LINES = register(
    FactTable(
        "budget_lines",
        BudgetLine,
        ("code",),
        "budget sub-items (tiểu mục)",
        _check_lines,
        one="budget_line",
        many="budget_lines",
    )
)
BUDGET_CHAPTERS = register(
    FactTable(
        "budget_chapters",
        BudgetChapter,
        ("code",),
        "budget chapter codes (chương)",
        many="budget_chapters",
    )
)


def budget_lines(
    kind: str | None = None, *, on: object, teachable: bool = False
) -> tuple[BudgetLine, ...]:
    """Budget sub-items in force on ``on`` (a day of the budget year): all, revenue or expense."""
    if kind not in (None, "revenue", "expense"):
        raise InputError(f"kind must be 'revenue' or 'expense', got {kind!r}", field="kind")
    rows = BUDGET_LINES.in_force(on, teachable=teachable)
    return rows if kind is None else tuple(r for r in rows if r.kind == kind)


def budget_line(code: str, *, on: object, teachable: bool = False) -> BudgetLine:
    return BUDGET_LINES.get(code, on, noun="budget sub-item", teachable=teachable)


def budget_chapters(*, on: object, teachable: bool = False) -> tuple[BudgetChapter, ...]:
    return BUDGET_CHAPTERS.in_force(on, teachable=teachable)
