"""Course 03 (commune finance): budget execution, certification fees; payment orders, allowances."""

from __future__ import annotations

import pandas as pd

from cadrelab import reference
from cadrelab.checks.compare import Options
from cadrelab.checks.registry import LessonCheck, LessonData, register
from cadrelab.data.budget import ESTIMATE_MONTHS

BUDGET = "ngan-sach-01"  # lesson 01: estimate and execution
RECEIPTS = "chung-thuc-01"  # lesson 01: the month's certified-copy receipts
ORDERS = "ngan-sach-02"  # lesson 02: payment orders
ALLOWANCES = "tro-cap-01"  # lesson 02: beneficiaries and death registrations
CHARTER = (2, 250)  # practice 4: copies and pages of the cooperative's charter
ADMINISTRATION = "Chi quản lý hành chính"
MONTH_SUFFIX = r" tháng \d+/\d+$"


def _by_line(data: LessonData) -> pd.DataFrame:
    """Lesson 01's ``bang``: the estimate per line with its execution beside it."""
    cases = data.cases(BUDGET)
    executed = cases["budget_execution"].groupby("line_code")["amount"].sum()
    table = cases["budget_estimate"].set_index("line_code")[["kind", "category", "estimate"]]
    return table.assign(thuc_hien=executed.reindex(table.index, fill_value=0))


def _faster_than_time(data: LessonData) -> set[str]:
    months = data.cases(BUDGET)["budget_execution"]["month"].nunique()
    pace = months / len(ESTIMATE_MONTHS) * 100
    spent = _by_line(data).query("kind == 'expense'").groupby("category")[["estimate", "thuc_hien"]]
    totals = spent.sum()
    return set(totals.index[totals["thuc_hien"] / totals["estimate"] * 100 > pace])


def _receipts(data: LessonData) -> pd.DataFrame:
    return data.cases(RECEIPTS)["copy_receipts"]


def copy_fee_rule(day: object) -> reference.FeeRule:
    """The fee rule of a certified copy (procedure CT-SY) on ``day``."""
    return reference.fee_rule(reference.procedure("CT-SY", on=day).fee_code, on=day)


def copy_fees_due(receipts: pd.DataFrame) -> pd.Series:
    """What each receipt should say: the fee per copy on its day, times the copies."""
    due = [
        int(copies) * copy_fee_rule(day).amount(pages=int(pages))
        for day, pages, copies in zip(
            receipts["issued_at"], receipts["pages"], receipts["copies"], strict=True
        )
    ]
    return pd.Series(due, index=receipts.index)


def _orders(data: LessonData) -> pd.DataFrame:
    return data.cases(ORDERS)["payment_orders"]


def expense_lines(orders: pd.DataFrame) -> dict[str, str]:
    """Name -> code of the expense lines in force on the last order's day."""
    lines = reference.budget_lines("expense", on=orders["date"].max())
    return {line.name_vi: line.code for line in lines}


def _unknown_lines(orders: pd.DataFrame) -> pd.Series:
    return ~orders["line_code"].isin(set(expense_lines(orders).values()))


def _miscoded(orders: pd.DataFrame) -> pd.Series:
    right = (
        orders["purpose_vi"].str.replace(MONTH_SUFFIX, "", regex=True).map(expense_lines(orders))
    )
    return ~_unknown_lines(orders) & (orders["line_code"] != right)


def _deaths(data: LessonData) -> pd.DataFrame:
    cases = data.cases(ALLOWANCES)
    return cases["beneficiaries"].merge(
        cases["death_registrations"][["citizen_id", "date_of_death"]], on="citizen_id"
    )


def _months_overpaid(data: LessonData) -> int:
    dead = _deaths(data)
    last = pd.to_datetime(dead["last_paid_month"])
    died = dead["date_of_death"]
    months = (last.dt.year - died.dt.year) * 12 + last.dt.month - died.dt.month
    return int(months.clip(lower=0).sum())


register(
    LessonCheck(
        "ngan-sach-01.tong-thu",
        expected=lambda data: int(_by_line(data).query("kind == 'revenue'")["thuc_hien"].sum()),
        kind="money",
        hints=("lesson.ngan-sach-01.tong-thu.1", "lesson.ngan-sach-01.tong-thu.2"),
    ),
    LessonCheck(
        "ngan-sach-01.ty-le-hanh-chinh",
        expected=lambda data: float(
            _by_line(data).query("category == @ADMINISTRATION")["thuc_hien"].sum()
            / _by_line(data).query("category == @ADMINISTRATION")["estimate"].sum()
            * 100
        ),
        options=Options(abs_tol=0.1),
        hints=("lesson.ngan-sach-01.ty-le-hanh-chinh.1", "lesson.ngan-sach-01.ty-le-hanh-chinh.2"),
    ),
    LessonCheck(
        "ngan-sach-01.chi-nhanh",
        expected=_faster_than_time,
        kind="set",
        hints=("lesson.ngan-sach-01.chi-nhanh.1", "lesson.ngan-sach-01.chi-nhanh.2"),
    ),
    LessonCheck(
        "chung-thuc-01.phi-dieu-le",
        expected=lambda data: (
            CHARTER[0] * copy_fee_rule(_receipts(data)["issued_at"].min()).amount(pages=CHARTER[1])
        ),
        kind="money",
        hints=("lesson.chung-thuc-01.phi-dieu-le.1", "lesson.chung-thuc-01.phi-dieu-le.2"),
    ),
    LessonCheck(
        "chung-thuc-01.bien-lai-thu-sai",
        expected=lambda data: set(
            _receipts(data).loc[
                _receipts(data)["fee"] != copy_fees_due(_receipts(data)), "receipt_id"
            ]
        ),
        kind="set",
        hints=(
            "lesson.chung-thuc-01.bien-lai-thu-sai.1",
            "lesson.chung-thuc-01.bien-lai-thu-sai.2",
        ),
    ),
    LessonCheck(
        "chung-thuc-01.chenh-lech-thang",
        expected=lambda data: int(
            _receipts(data)["fee"].sum() - copy_fees_due(_receipts(data)).sum()
        ),
        kind="money",
        hints=(
            "lesson.chung-thuc-01.chenh-lech-thang.1",
            "lesson.chung-thuc-01.chenh-lech-thang.2",
        ),
    ),
    LessonCheck(
        "ngan-sach-02.ma-la",
        expected=lambda data: set(_orders(data).loc[_unknown_lines(_orders(data)), "order_id"]),
        kind="set",
        hints=("lesson.ngan-sach-02.ma-la.1", "lesson.ngan-sach-02.ma-la.2"),
    ),
    LessonCheck(
        "ngan-sach-02.sai-muc",
        expected=lambda data: set(_orders(data).loc[_miscoded(_orders(data)), "order_id"]),
        kind="set",
        hints=("lesson.ngan-sach-02.sai-muc.1", "lesson.ngan-sach-02.sai-muc.2"),
    ),
    LessonCheck(
        "ngan-sach-02.tien-dieu-chinh",
        expected=lambda data: int(
            _orders(data)
            .loc[_unknown_lines(_orders(data)) | _miscoded(_orders(data)), "amount"]
            .sum()
        ),
        kind="money",
        hints=("lesson.ngan-sach-02.tien-dieu-chinh.1", "lesson.ngan-sach-02.tien-dieu-chinh.2"),
    ),
    LessonCheck(
        "tro-cap-01.thoi-huong",
        expected=lambda data: set(_deaths(data)["beneficiary_id"]),
        kind="set",
        hints=("lesson.tro-cap-01.thoi-huong.1", "lesson.tro-cap-01.thoi-huong.2"),
    ),
    LessonCheck(
        "tro-cap-01.chi-sau-chet",
        expected=lambda data: set(
            _deaths(data).loc[
                _deaths(data)["last_paid_month"]
                > _deaths(data)["date_of_death"].dt.strftime("%Y-%m"),
                "beneficiary_id",
            ]
        ),
        kind="set",
        hints=("lesson.tro-cap-01.chi-sau-chet.1", "lesson.tro-cap-01.chi-sau-chet.2"),
    ),
    LessonCheck(
        "tro-cap-01.tong-thang-thua",
        expected=_months_overpaid,
        hints=("lesson.tro-cap-01.tong-thang-thua.1", "lesson.tro-cap-01.tong-thang-thua.2"),
    ),
)
