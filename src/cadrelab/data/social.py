"""Monthly social-allowance beneficiaries and death registrations (exercise tro-cap-01).

* ``beneficiaries`` — the commune's list of monthly allowance beneficiaries
  (groups after Nghị định 20/2021/NĐ-CP), with the first and last month paid
  (``YYYY-MM``); payments run July–September 2025 and stop after the month of death.
* ``death_registrations`` — deaths registered at the commune (khai tử), some of
  beneficiaries and most of other residents.  Most are registered within 15 days
  of the death (Luật Hộ tịch 2014, art. 33); some are late, which is a case to
  handle, not a data error.  Each entry has its book (quyển số ``01/2025``) and its
  number in the book, 1, 2, 3 … in order of registration per commune and year; the
  communes formed on 1 July 2025 opened their books that day (simplified: one book
  a year, see datasets/README.md).

Defect: an allowance still paid after the month in which the beneficiary died
(``paid_after_death``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cadrelab.calendar import default_calendar
from cadrelab.data import defects, providers
from cadrelab.data.cases import Cases
from cadrelab.data.columns import rank_within, str_column
from cadrelab.data.gazetteer import Gazetteer, gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.people import identities
from cadrelab.data.seeds import stream
from cadrelab.data.vocabulary import allowance_categories

PAYMENT_MONTHS = ("2025-07", "2025-08", "2025-09")
DEATH_PERIOD = (dt.date(2025, 7, 1), dt.date(2025, 9, 15))
DEAD_BENEFICIARY_SHARE = 0.04
OTHER_DEATHS_PER_BENEFICIARY = 0.25
LATE_REGISTRATION_SHARE = 0.1
ENROLMENT_START = np.datetime64("2018-01", "M")


def generate_social(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """``n`` beneficiaries and the death registrations that concern the commune."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    rng = stream(seed, "social")
    others = round(n * OTHER_DEATHS_PER_BENEFICIARY)
    communes = places.draw_communes(rng, n + others)
    categories, low, high = allowance_categories()
    category = categories.draw(rng, n)
    birth = np.concatenate(
        [
            _births(rng, low[category], high[category]),
            _births(rng, np.full(others, 40), np.full(others, 94)),
        ]
    )
    people = identities(rng, places, places.commune_province_index[communes], birth=birth)
    enrolled = ENROLMENT_START + rng.integers(
        0, (np.datetime64(PAYMENT_MONTHS[0], "M") - ENROLMENT_START).astype(np.int64) + 1, size=n
    )

    chosen = defects.plan(
        stream(seed, "beneficiaries.defects"), n, rate, {"paid_after_death": None}
    )
    overpaid = chosen["paid_after_death"]
    dies = rng.random(n) < DEAD_BENEFICIARY_SHARE
    dies[overpaid] = True
    death = _death_dates(rng, n)
    # an overpaid beneficiary died in July or August, so a later month was paid
    fix = stream(seed, "beneficiaries.defects.values")
    first, last = (np.datetime64(d, "D") for d in ("2025-07-01", "2025-08-31"))
    death[overpaid] = first + fix.integers(
        0, (last - first).astype(np.int64) + 1, size=len(overpaid)
    )
    death_month = death.astype("datetime64[M]")
    final_month = np.datetime64(PAYMENT_MONTHS[-1], "M")
    last_paid = np.where(dies, death_month, final_month)
    extra = (final_month - death_month[overpaid]).astype(np.int64)
    last_paid[overpaid] = (
        death_month[overpaid] + 1 + (fix.random(len(overpaid)) * extra).astype(np.int64)
    )

    beneficiaries = pd.DataFrame(
        {
            "beneficiary_id": np.arange(1, n + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, communes[:n]),
            "commune": str_column(places.commune_names, communes[:n]),
            "full_name": people["full_name"][:n],
            "gender": people["gender"][:n],
            "date_of_birth": people["date_of_birth"][:n],
            "citizen_id": people["citizen_id"][:n],
            "category": str_column(categories.words, category),
            "first_paid_month": pd.array(enrolled.astype(str), dtype="str"),
            "last_paid_month": pd.array(last_paid.astype(str), dtype="str"),
        }
    )
    died = np.concatenate([np.flatnonzero(dies), np.arange(n, n + others)])
    death_all = np.concatenate([death, _death_dates(rng, others)])
    registrations = _registrations(rng, places, communes, people, died, death_all[died])
    ledger = defects.Ledger()
    ledger.add(
        "beneficiaries",
        "paid_after_death",
        beneficiaries["beneficiary_id"][overpaid],
        [
            f"died {d}, paid until {m}"
            for d, m in zip(
                death[overpaid].astype(str), last_paid[overpaid].astype(str), strict=True
            )
        ],
    )
    return Cases(
        tables={"beneficiaries": beneficiaries, "death_registrations": registrations},
        defects=ledger.frame(),
    )


def _births(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A date of birth per row for an age between low and high on REFERENCE_DATE."""
    reference = np.datetime64(providers.REFERENCE_DATE, "D")
    age_days = (low + rng.random(len(low)) * (high + 1 - low)) * 365.2425
    return reference - age_days.astype(np.int64).astype("timedelta64[D]") - 1


def _death_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    first, last = (np.datetime64(d, "D") for d in DEATH_PERIOD)
    return first + rng.integers(0, (last - first).astype(np.int64) + 1, size=n)


def _registrations(
    rng: np.random.Generator,
    places: Gazetteer,
    communes: np.ndarray,
    people: pd.DataFrame,
    died: np.ndarray,
    death: np.ndarray,
) -> pd.DataFrame:
    """Registered on a working day: within 15 days, or later for some deaths before mid-August."""
    m = len(died)
    delay = rng.integers(0, 11, size=m)
    late = (rng.random(m) < LATE_REGISTRATION_SHARE) & (death < np.datetime64("2025-08-15"))
    delay[late] = rng.integers(16, 41, size=int(late.sum()))
    moment = (death + delay).astype("datetime64[s]") + np.timedelta64(8 * 3600, "s")
    registered = default_calendar().deadline_many(moment, np.zeros(m, dtype=np.int64))
    order = np.argsort(registered, kind="stable")
    rows = died[order]
    day = registered[order].astype("datetime64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    book = communes[rows].astype(np.int64) * 10_000 + year
    return pd.DataFrame(
        {
            "registration_id": np.arange(1, m + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, communes[rows]),
            "commune": str_column(places.commune_names, communes[rows]),
            "full_name": people["full_name"].to_numpy()[rows],
            "gender": people["gender"].to_numpy()[rows],
            "date_of_birth": people["date_of_birth"].to_numpy()[rows],
            "citizen_id": people["citizen_id"].to_numpy()[rows],
            "date_of_death": death[order].astype("datetime64[s]"),
            "registered_date": registered[order].astype("datetime64[s]"),
            "register_book": pd.array([f"01/{y}" for y in year.tolist()], dtype="str"),
            "register_no": rank_within(book, day.astype(np.int64)),
        }
    ).astype({"full_name": "str", "gender": "str", "citizen_id": "str"})
