"""Certified-copy till (exercise chung-thuc-01): receipts for copies certified at the counter.

Each receipt is one document certified in some copies; the fee per copy follows
the certified-copy rule (fee code of procedure CT-SY: per page, cheaper from a
given page on, capped per copy; fee_schedules.csv) and the receipt charges
``copies`` times that.  Receipts are issued on working days in office hours.

Defect: a fee that does not follow the rule (``wrong_copy_fee``): every page
charged at the first-page rate, one copy charged for several, or one page too many.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cadrelab import reference
from cadrelab.data import defects
from cadrelab.data.cases import Cases
from cadrelab.data.clock import office_times, working_days
from cadrelab.data.columns import rank_within, str_column
from cadrelab.data.gazetteer import gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.people import identities
from cadrelab.data.seeds import stream
from cadrelab.data.vocabulary import documents
from cadrelab.errors import InputError

CERTIFIED_COPY_PROCEDURE = "CT-SY"
PERIOD = (dt.date(2025, 9, 1), dt.date(2025, 9, 30))
RECEIPTS_PER_COMMUNE = 300
MAX_COPIES = 5


def copy_fee_rule(on: dt.date) -> reference.FeeRule:
    """The certified-copy fee in force on ``on``, the first day of the receipts' period."""
    code = reference.procedure(CERTIFIED_COPY_PROCEDURE, on=on).fee_code
    rule = reference.fee_rule(code or "", on=on)
    if rule.kind != "per_page":
        raise InputError(
            f"fee rule {rule.code} of {CERTIFIED_COPY_PROCEDURE} is not per page",
            file=reference.reference_dir() / "fee_schedules.csv",
            field="kind",
        )
    return rule


def copy_fees(pages: np.ndarray, copies: np.ndarray, rule: reference.FeeRule) -> np.ndarray:
    """``copies × rule.amount(pages=pages)`` for whole columns."""
    return rule.amounts(pages=pages) * copies


def draw_copy_orders(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Documents brought for certified copies (indices into ``documents()``), pages, copies."""
    kinds, pages_min, pages_max = documents()
    document = kinds.draw(rng, n)
    pages = rng.integers(pages_min[document], pages_max[document] + 1)
    copies = rng.integers(1, MAX_COPIES + 1, size=n)
    return document, pages, copies


def generate_till(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """``n`` certified-copy receipts in September 2025 (see module doc)."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    rule = copy_fee_rule(PERIOD[0])
    rng = stream(seed, "copy_receipts")
    count = min(max(1, -(-n // RECEIPTS_PER_COMMUNE)), places.n_communes)
    pool = places.sample_communes(rng, count)
    communes = pool[rng.integers(0, count, size=n)]
    kinds = documents()[0]
    document, pages, copies = draw_copy_orders(rng, n)
    days = working_days(*PERIOD)
    issued = np.sort(
        days[rng.integers(0, len(days), size=n)].astype("datetime64[s]")
        + office_times(rng, n, on=PERIOD[0])
    )
    fee = copy_fees(pages, copies, rule)
    number = rank_within(communes, issued.astype(np.int64))
    people = identities(
        rng, places, places.commune_province_index[communes], min_age=18, max_age=85
    )
    receipts = pd.DataFrame(
        {
            "receipt_id": np.arange(1, n + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, communes),
            "commune": str_column(places.commune_names, communes),
            "receipt_no": pd.array([f"{k:05d}/2025" for k in number.tolist()], dtype="str"),
            "issued_at": issued,
            "payer_name": people["full_name"],
            "document": str_column(kinds.words, document),
            "pages": pages.astype(np.int64),
            "copies": copies.astype(np.int64),
            "fee": fee.astype(np.int64),
        }
    )
    ledger = defects.Ledger()
    chosen = defects.plan(stream(seed, "copy_receipts.defects"), n, rate, {"wrong_copy_fee": None})
    rows = chosen["wrong_copy_fee"]
    wrong, details = _wrong_fees(pages[rows], copies[rows], rule)
    fee[rows] = wrong
    receipts["fee"] = fee.astype(np.int64)
    ledger.add("copy_receipts", "wrong_copy_fee", receipts["receipt_id"].to_numpy()[rows], details)
    return Cases(tables={"copy_receipts": receipts}, defects=ledger.frame())


def _wrong_fees(
    pages: np.ndarray, copies: np.ndarray, rule: reference.FeeRule
) -> tuple[np.ndarray, np.ndarray]:
    """The commonest slips, each chosen only where it changes the amount."""
    right = copy_fees(pages, copies, rule)
    flat = np.minimum(pages * (rule.amount_vnd or 0), rule.cap_vnd or np.iinfo(np.int64).max)
    all_first_rate = flat * copies
    one_copy = copy_fees(pages, np.ones_like(copies), rule)
    extra_page = copy_fees(pages + 1, copies, rule)
    wrong = np.where(
        all_first_rate != right, all_first_rate, np.where(one_copy != right, one_copy, extra_page)
    )
    detail = np.where(
        all_first_rate != right,
        "every page at the first-page rate",
        np.where(one_copy != right, "one copy charged for several", "one page too many"),
    )
    still_right = wrong == right
    wrong[still_right] = right[still_right] + (rule.amount_vnd or 1000)
    detail[still_right] = "amount mistyped"
    return wrong, detail.astype(object)
