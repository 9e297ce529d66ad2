"""Fees, charges and tax rates (phí, lệ phí, thuế suất), with the one arithmetic for them."""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import numpy as np
from pydantic import Field

from cadrelab.errors import InputError
from cadrelab.reference.facts import Fact, FactTable, register
from cadrelab.reference.tables import table_error


class FeeRule(Fact):
    """A fee, charge or tax rate: flat, per page with a cap, a rate on a value, or free."""

    code: str
    name_vi: str
    kind: Literal["flat", "per_page", "rate", "free"]
    amount_vnd: int | None = Field(default=None, ge=0)
    first_pages: int | None = Field(default=None, ge=1)
    later_page_vnd: int | None = Field(default=None, ge=0)
    cap_vnd: int | None = Field(default=None, ge=0)
    rate: float | None = Field(default=None, ge=0, le=1)
    note: str | None = None

    def shape_problem(self) -> tuple[str, str] | None:
        """(column, problem) when the filled-in columns do not fit ``kind``."""
        needed = _FEE_COLUMNS[self.kind]
        for column in _FEE_COLUMNS["per_page"] + _FEE_COLUMNS["rate"]:
            filled = getattr(self, column) is not None
            if column in needed and not filled and column != "cap_vnd":
                return column, f"a {self.kind} fee needs {column}"
            if filled and column not in needed:
                return column, f"a {self.kind} fee must leave {column} empty"
        return None

    def amount(self, *, pages: int | None = None, value: int | None = None) -> int:
        """The amount due in whole đồng: ``pages`` for per-page fees, ``value`` for rates."""
        if self.kind == "free":
            return 0
        if self.kind == "flat":
            return self.amount_vnd or 0
        if self.kind == "per_page":
            return int(self.amounts(pages=np.array([_non_negative(pages, "pages", "số trang")]))[0])
        value = _non_negative(value, "value", "giá trị tính")
        return int(self.amounts(values=np.array([value]))[0])

    def amounts(self, *, pages: np.ndarray | None = None, values: np.ndarray | None = None):
        """:meth:`amount` over whole columns (the generators' path); rates round half up."""
        if self.kind == "per_page" and pages is not None:
            pages = np.asarray(pages, dtype=np.int64)
            first = np.minimum(pages, self.first_pages or 0) * (self.amount_vnd or 0)
            later = np.maximum(pages - (self.first_pages or 0), 0) * (self.later_page_vnd or 0)
            total = first + later
            return total if self.cap_vnd is None else np.minimum(total, self.cap_vnd)
        if self.kind == "rate" and values is not None and self.rate is not None:
            # Exact integer arithmetic: value × num / den rounded half up, as Decimal would.
            fraction = Fraction(str(self.rate))
            num, den = fraction.numerator, fraction.denominator
            return (np.asarray(values, dtype=np.int64) * (2 * num) + den) // (2 * den)
        raise table_error(
            "fee_schedules",
            self.line or None,
            "kind",
            f"fee rule {self.code} ({self.kind}) cannot be computed from "
            f"{'pages' if pages is not None else 'values'}",
        )


_FEE_COLUMNS: dict[str, tuple[str, ...]] = {
    "free": (),
    "flat": ("amount_vnd",),
    "per_page": ("amount_vnd", "first_pages", "later_page_vnd", "cap_vnd"),
    "rate": ("rate",),
}


def _non_negative(number: int | None, name: str, name_vi: str) -> int:
    if number is None:
        raise InputError(f"{name} is required", field=name, problem_vi=f"thiếu {name_vi}")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise InputError(
            f"{name} must be a whole number ≥ 0, got {number!r}",
            field=name,
            problem_vi=f"{name_vi} phải là số nguyên không âm",
        )
    return number


def _check_fees(rows: tuple[FeeRule, ...]) -> None:
    for row in rows:
        problem = row.shape_problem()
        if problem:
            raise table_error("fee_schedules", row.line, *problem)


FEES = register(
    FactTable(
        "fee_schedules",
        FeeRule,
        ("code",),
        "fees, charges and tax rates",
        _check_fees,
        one="fee_rule",
        many="fee_schedules",
    )
)


def fee_schedules(*, on: object, teachable: bool = False) -> tuple[FeeRule, ...]:
    """The fee rules in force on ``on``."""
    return FEES.in_force(on, teachable=teachable)


def fee_rule(code: str, *, on: object, teachable: bool = False) -> FeeRule:
    """The fee rule with this code in force on ``on`` (the receipt or contract date)."""
    return FEES.get(code, on, noun="fee code", teachable=teachable)


def fee_amounts(
    code: str, *, on: np.ndarray, pages: np.ndarray | None = None, values: np.ndarray | None = None
) -> np.ndarray:
    """:meth:`FeeRule.amounts` for whole columns, each row under the rule in force on its day.

    ``on`` holds one day per row (datetime64): the receipt or contract date of that row.
    """
    days = np.asarray(on, dtype="datetime64[D]")
    version = FEES.positions(np.full(len(days), code, dtype=object), days)
    rows = FEES.rows()
    out = np.zeros(len(days), dtype=np.int64)
    for index in np.unique(version).tolist():
        mask = version == index
        out[mask] = rows[index].amounts(
            pages=None if pages is None else np.asarray(pages)[mask],
            values=None if values is None else np.asarray(values)[mask],
        )
    return out
