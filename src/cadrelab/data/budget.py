"""Commune budget for the second half of 2025 (the first months of the new communes).

* ``budget_estimate`` — the estimate (dự toán) for July–December by budget line
  (tiểu mục, Thông tư 324/2016/TT-BTC, lines in budget_lines.csv) and category;
* ``receipts`` — revenue collected (biên lai thu), by revenue line: one receipt per
  payer, for the amounts a commune really collects (vocabulary/revenue_receipts.csv):
  a fee of the reference tables (a civil-status fee, a certified copy by pages and
  copies, a land-certificate fee …), a rate on the price-table value of a household's
  residential parcel (non-agricultural land-use tax, registration fee), or, where
  no legal amount exists (fines, contributions, rents), an illustrative log-normal
  amount.  Revenue lines on which a commune issues no receipts are left out.
* ``payment_orders`` — payment orders (ủy nhiệm chi) with a line code, a purpose
  (which starts with the name of the line it belongs to) and a payee;
* ``budget_execution`` — monthly execution per line, July to September, the sum
  of the month's receipts and payment orders after the accountant's review (by
  the line each one belongs to).

``n`` is the number of payment orders and of receipts; they are spread over
one commune per :data:`ORDERS_PER_COMMUNE` orders.  The revenue estimate of each line
is what its receipts point to over six months, rounded to 100,000 đ.

Defects (payment orders): a line code that belongs to another expense line than
the purpose, a code that is not an expense line at all.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cadrelab import reference
from cadrelab.data import defects, vocabulary
from cadrelab.data.cases import Cases
from cadrelab.data.clock import working_days
from cadrelab.data.columns import str_column
from cadrelab.data.gazetteer import gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.land import residential_values
from cadrelab.data.people import identities
from cadrelab.data.seeds import stream
from cadrelab.data.till import copy_fees, draw_copy_orders
from cadrelab.data.vocabulary import payees

BUDGET_YEAR = 2025
ESTIMATE_MONTHS = (7, 8, 9, 10, 11, 12)
EXECUTION_MONTHS = (7, 8, 9)
ORDERS_PER_COMMUNE = 200
# Rough monthly amounts of one line in one commune (đồng), for training only.
MONTHLY_MEDIAN = {"revenue": 25_000_000, "expense": 40_000_000}
PAYROLL_GROUPS = {"6000": 8.0, "6100": 3.0, "6300": 2.0}  # salaries, allowances, insurance
ROUND_ESTIMATE = {"revenue": 100_000, "expense": 1_000_000}
ROUND_AMOUNT = 1_000


def generate_budget(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """Estimate, receipts, payment orders and monthly execution (see module doc)."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    rng = stream(seed, "budget")
    receipt_kinds = vocabulary.receipt_kinds()
    collected = {kind.line_code for kind in receipt_kinds}
    lines = tuple(
        line
        for line in reference.budget_lines(on=dt.date(BUDGET_YEAR, 1, 1))
        if line.kind == "expense" or line.code in collected
    )
    kinds = np.array([line.kind for line in lines], dtype=object)
    monthly = np.array(
        [MONTHLY_MEDIAN[line.kind] * PAYROLL_GROUPS.get(line.group_code, 1.0) for line in lines]
    )
    count = min(max(1, -(-n // ORDERS_PER_COMMUNE)), places.n_communes)
    communes = places.sample_communes(rng, count)
    level = rng.lognormal(0.0, 0.3, size=(count, len(lines))) * monthly

    receipts = _receipts(rng, places, communes, lines, n)
    orders = _transactions(rng, places, communes, lines, level, kinds == "expense", n)
    level[:, kinds == "revenue"] = _monthly_totals(receipts, count, len(lines))[
        :, kinds == "revenue"
    ]
    estimate = _estimate(places, communes, lines, level, rng)
    execution = _execution(places, communes, lines, receipts, orders)

    code = np.array([line.code for line in lines], dtype=object)
    name = np.array([line.name_vi for line in lines], dtype=object)
    receipts_frame = pd.DataFrame(
        {
            "receipt_id": np.arange(1, len(receipts["line"]) + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, receipts["commune"]),
            "commune": str_column(places.commune_names, receipts["commune"]),
            "date": receipts["date"].astype("datetime64[s]"),
            "line_code": str_column(code, receipts["line"]),
            "payer_name": identities(
                rng,
                places,
                places.commune_province_index[receipts["commune"]],
                min_age=20,
                max_age=80,
            )["full_name"],
            "amount": receipts["amount"],
        }
    )
    month = orders["date"].astype("datetime64[M]").astype(np.int64) % 12 + 1
    purpose = [
        f"{name[line]} tháng {m}/{BUDGET_YEAR}"
        for line, m in zip(orders["line"].tolist(), month.tolist(), strict=True)
    ]
    usual, others = payees()
    payee = np.array(
        [usual.get(line.code, others[i % len(others)]) for i, line in enumerate(lines)],
        dtype=object,
    )
    orders_frame = pd.DataFrame(
        {
            "order_id": np.arange(1, len(orders["line"]) + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, orders["commune"]),
            "commune": str_column(places.commune_names, orders["commune"]),
            "date": orders["date"].astype("datetime64[s]"),
            "line_code": str_column(code, orders["line"]),
            "purpose_vi": pd.array(purpose, dtype="str"),
            "payee": str_column(payee, orders["line"]),
            "amount": orders["amount"],
        }
    )
    ledger = defects.Ledger()
    orders_frame = _order_defects(seed, orders_frame, orders["line"], lines, rate, ledger)
    return Cases(
        tables={
            "budget_estimate": estimate,
            "budget_execution": execution,
            "receipts": receipts_frame,
            "payment_orders": orders_frame,
        },
        defects=ledger.frame(),
    )


def _estimate(places, communes, lines, level, rng) -> pd.DataFrame:
    count, width = level.shape
    noise = rng.uniform(0.9, 1.15, size=level.shape)
    step = np.array([ROUND_ESTIMATE[line.kind] for line in lines])
    amount = np.maximum(np.round(level * len(ESTIMATE_MONTHS) * noise / step), 1) * step
    which_commune = np.repeat(communes, width)
    which_line = np.tile(np.arange(width), count)
    return pd.DataFrame(
        {
            "estimate_id": np.arange(1, count * width + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, which_commune),
            "commune": str_column(places.commune_names, which_commune),
            "year": np.full(count * width, BUDGET_YEAR, dtype=np.int64),
            "line_code": str_column(np.array([x.code for x in lines]), which_line),
            "kind": str_column(np.array([x.kind for x in lines]), which_line),
            "category": str_column(np.array([x.category for x in lines]), which_line),
            "name_vi": str_column(np.array([x.name_vi for x in lines]), which_line),
            "estimate": amount.reshape(-1).astype(np.int64),
        }
    )


def _transactions(rng, places, communes, lines, level, of_kind, n) -> dict[str, np.ndarray]:
    """``n`` transactions of lines of one kind, on working days July–September."""
    days = working_days(
        dt.date(BUDGET_YEAR, EXECUTION_MONTHS[0], 1), dt.date(BUDGET_YEAR, EXECUTION_MONTHS[-1], 30)
    )
    line_pool = np.flatnonzero(of_kind)
    which = rng.integers(0, len(communes), size=n)
    weight = level[:, line_pool]
    cumulative = np.cumsum(weight, axis=1) / weight.sum(axis=1, keepdims=True)
    line = line_pool[
        np.minimum((cumulative[which] < rng.random((n, 1))).sum(axis=1), len(line_pool) - 1)
    ]
    # expected count of (commune, line) is n / communes × its share of the commune's level
    per_transaction = (
        len(EXECUTION_MONTHS) * level[which][:, line_pool].sum(axis=1) * len(communes) / max(n, 1)
    )
    amount = np.maximum(rng.lognormal(0.0, 0.5, size=n) * per_transaction, ROUND_AMOUNT)
    return {
        "commune": communes[which],
        "line": line,
        "date": np.sort(days[rng.integers(0, len(days), size=n)]),
        "amount": (np.round(amount / ROUND_AMOUNT) * ROUND_AMOUNT).astype(np.int64),
    }


def _receipts(rng, places, communes, lines, n) -> dict[str, np.ndarray]:
    """``n`` receipts on working days July–September, one payer each (see module doc)."""
    kinds = vocabulary.receipt_kinds()
    line_of = {line.code: i for i, line in enumerate(lines)}
    weight = np.array([kind.weight for kind in kinds])
    which = rng.integers(0, len(communes), size=n)
    share = rng.lognormal(0.0, 0.3, size=(len(communes), len(kinds))) * weight
    cumulative = np.cumsum(share, axis=1) / share.sum(axis=1, keepdims=True)
    kind = np.minimum((cumulative[which] < rng.random((n, 1))).sum(axis=1), len(kinds) - 1)
    days = working_days(
        dt.date(BUDGET_YEAR, EXECUTION_MONTHS[0], 1), dt.date(BUDGET_YEAR, EXECUTION_MONTHS[-1], 30)
    )
    date = np.sort(days[rng.integers(0, len(days), size=n)])
    amount = np.zeros(n, dtype=np.int64)
    for k, spec in enumerate(kinds):
        rows = np.flatnonzero(kind == k)
        amount[rows] = _receipt_amounts(rng, places, communes[which[rows]], spec)
    return {
        "slot": which,
        "commune": communes[which],
        "line": np.array([line_of[kinds[k].line_code] for k in kind.tolist()], dtype=np.int64),
        "date": date,
        "amount": amount,
    }


def _receipt_amounts(rng, places, communes, spec: vocabulary.ReceiptKind) -> np.ndarray:
    """Amounts of one kind of receipt for payers in ``communes``."""
    m = len(communes)
    if spec.basis == "rough":
        raw = spec.median_vnd * rng.lognormal(0.0, spec.spread, size=m) / spec.round_vnd
        return np.maximum(np.round(raw), 1).astype(np.int64) * spec.round_vnd
    rule = reference.fee_rule(spec.fee_code, on=dt.date(BUDGET_YEAR, EXECUTION_MONTHS[0], 1))
    if spec.basis == "land_value":
        return rule.amounts(values=residential_values(rng, places, communes))
    if rule.kind == "per_page":
        _, pages, copies = draw_copy_orders(rng, m)
        return copy_fees(pages, copies, rule)
    return np.full(m, rule.amount(), dtype=np.int64)


def _monthly_totals(receipts: dict[str, np.ndarray], count: int, width: int) -> np.ndarray:
    """Mean monthly amount collected per (commune slot, line)."""
    totals = np.zeros((count, width))
    np.add.at(totals, (receipts["slot"], receipts["line"]), receipts["amount"])
    return totals / len(EXECUTION_MONTHS)


def _execution(places, communes, lines, receipts, orders) -> pd.DataFrame:
    frames = []
    for part in (receipts, orders):
        frames.append(
            pd.DataFrame(
                {
                    "commune_index": part["commune"],
                    "line_index": part["line"],
                    "month": part["date"].astype("datetime64[M]").astype(np.int64) % 12 + 1,
                    "amount": part["amount"],
                }
            )
        )
    totals = (
        pd.concat(frames)
        .groupby(["commune_index", "line_index", "month"], sort=True)["amount"]
        .sum()
        .reset_index()
    )
    commune_index = totals["commune_index"].to_numpy()
    line_index = totals["line_index"].to_numpy()
    return pd.DataFrame(
        {
            "execution_id": np.arange(1, len(totals) + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, commune_index),
            "commune": str_column(places.commune_names, commune_index),
            "year": np.full(len(totals), BUDGET_YEAR, dtype=np.int64),
            "month": totals["month"].to_numpy().astype(np.int64),
            "line_code": str_column(np.array([x.code for x in lines]), line_index),
            "amount": totals["amount"].to_numpy().astype(np.int64),
        }
    )


def _order_defects(seed, orders, true_line, lines, rate, ledger) -> pd.DataFrame:
    chosen = defects.plan(
        stream(seed, "payment_orders.defects"),
        len(orders),
        rate,
        {"miscoded_budget_line": None, "unknown_budget_line": None},
    )
    rng = stream(seed, "payment_orders.defects.values")
    expense = np.array([i for i, line in enumerate(lines) if line.kind == "expense"])
    codes = orders["line_code"].to_numpy().copy()
    ids = orders["order_id"].to_numpy()

    def recode(kind: str, rows: np.ndarray, new: np.ndarray) -> None:
        was = [lines[t].code for t in true_line[rows].tolist()]
        details = [f"{c} instead of {w}" for c, w in zip(new, was, strict=True)]
        ledger.add("payment_orders", kind, ids[rows], details)
        codes[rows] = new

    rows = chosen["miscoded_budget_line"]
    shift = rng.integers(1, len(expense), size=len(rows))
    position = np.searchsorted(expense, true_line[rows])
    wrong = expense[(position + shift) % len(expense)]
    recode(
        "miscoded_budget_line",
        rows,
        np.array([lines[i].code for i in wrong.tolist()], dtype=object),
    )

    rows = chosen["unknown_budget_line"]
    expense_codes = {lines[i].code for i in expense.tolist()}
    recode(
        "unknown_budget_line",
        rows,
        np.array(
            [_unknown_code(rng, lines[t].code, expense_codes) for t in true_line[rows].tolist()],
            dtype=object,
        ),
    )
    orders["line_code"] = pd.array(codes, dtype="str")
    return orders


def _unknown_code(rng: np.random.Generator, code: str, known: set[str]) -> str:
    """A typo of ``code`` (two digits swapped, or one digit changed) that is no expense line."""
    while True:
        i = int(rng.integers(0, 3))
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        changed = code[:3] + str((int(code[3]) + int(rng.integers(1, 10))) % 10)
        candidate = swapped if rng.random() < 0.5 else changed
        if candidate not in known:
            return candidate
