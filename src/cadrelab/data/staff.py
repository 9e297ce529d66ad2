"""Staff rosters of commune People's Committees, built from the staff posts table.

One row per seat: a post (staff_posts.csv) of a commune, held by an officer or
vacant (Chưa bố trí).  Vacant seats are covered by an officer of another post
as a concurrent role (kiêm nhiệm, listed in that officer's ``concurrent_posts``)
when the commune has one who can take it.  Some officers are away on the
snapshot day (``absent_from`` to ``absent_until``).

``n`` is the number of communes.  Vacancy shares follow the Hà Tĩnh example of
August 2025 (as ``simulations/national.yaml`` states it: 48 of 69 communes without an
IT officer, 19 without a land officer); other seats are vacant :data:`OTHER_VACANCY` of the time.

Defects: a post code that is not in the list (a title from before the reform),
an absence that ends before it starts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cadrelab import reference
from cadrelab.data import defects, providers
from cadrelab.data.cases import Cases
from cadrelab.data.columns import dates_where, str_column
from cadrelab.data.gazetteer import gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.people import identities
from cadrelab.data.seeds import stream

POST_VACANCY = {"cntt": 48 / 69, "dia_chinh": 19 / 69}
OTHER_VACANCY = 0.05
ABSENT_SHARE = 0.06
ABSENCE_REASONS = ("Nghỉ phép năm", "Nghỉ ốm", "Đi học, bồi dưỡng", "Đi công tác")
STATUSES = ("Đang làm việc", "Vắng mặt", "Chưa bố trí")
# Who covers a vacant post (kiêm nhiệm): posts in the same unit first, then leadership.
COVERING_UNITS = {
    "LANH_DAO": ("LANH_DAO",),
    "VP": ("VP", "LANH_DAO"),
    "KT": ("KT",),
    "VHXH": ("VHXH",),
    "TTPVHCC": ("TTPVHCC", "VP"),
}
# Titles from before 1 July 2025 that are no longer posts (the unknown_post defect).
PRE_REFORM_POSTS = (
    "dia_chinh_nong_nghiep",
    "van_hoa_thong_tin",
    "truong_cong_an_xa",
    "chi_huy_truong_quan_su",
    "tu_phap",
)


def generate_staff(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """Rosters of ``n`` communes (see module doc)."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    posts = reference.staff_posts(on=providers.REFERENCE_DATE - dt.timedelta(days=1))
    rng = stream(seed, "staff")
    communes = (
        places.sample_communes(rng, n) if n <= places.n_communes else places.draw_communes(rng, n)
    )
    seat_post = np.repeat(np.arange(len(posts)), [p.typical_count for p in posts])
    seats = len(seat_post)
    commune = np.repeat(communes, seats)
    post = np.tile(seat_post, n)
    m = len(post)
    vacancy = np.array([POST_VACANCY.get(p.code, OTHER_VACANCY) for p in posts])
    vacant = rng.random(m) < vacancy[post]
    vacant &= ~np.isin(post, [i for i, p in enumerate(posts) if p.code == "chu_tich"])
    people = identities(rng, places, places.commune_province_index[commune], min_age=24, max_age=59)
    concurrent = _concurrent(posts, post, vacant, seats)
    absent = ~vacant & (rng.random(m) < ABSENT_SHARE)
    snapshot = np.datetime64(providers.REFERENCE_DATE - dt.timedelta(days=1), "D")
    start = snapshot - rng.integers(0, 10, size=m)
    end = snapshot + rng.integers(1, 20, size=m)
    status = np.where(vacant, 2, np.where(absent, 1, 0))
    reason = np.array(ABSENCE_REASONS, dtype=object)[rng.integers(0, len(ABSENCE_REASONS), m)]
    roster = pd.DataFrame(
        {
            "seat_id": np.arange(1, m + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, commune),
            "commune": str_column(places.commune_names, commune),
            "post_code": str_column(np.array([p.code for p in posts]), post),
            "unit": str_column(np.array([p.unit for p in posts]), post),
            "full_name": people["full_name"].where(~vacant),
            "citizen_id": people["citizen_id"].where(~vacant),
            "status": pd.Categorical.from_codes(status, STATUSES).astype("str"),
            "concurrent_posts": pd.Series(concurrent, dtype="str"),
            "absent_from": dates_where(start, absent),
            "absent_until": dates_where(end, absent),
            "absence_reason": pd.Series(np.where(absent, reason, None), dtype="str"),
        }
    )
    ledger = defects.Ledger()
    return Cases(
        tables={"staff": _defects(seed, roster, absent, rate, ledger)}, defects=ledger.frame()
    )


def _concurrent(
    posts: tuple[reference.StaffPost, ...], post: np.ndarray, vacant: np.ndarray, seats: int
) -> np.ndarray:
    """Give each vacant post, once per commune, to a present officer of a covering unit."""
    out = np.full(len(post), None, dtype=object)
    units = [p.unit for p in posts]
    for start in range(0, len(post), seats):
        block = slice(start, start + seats)
        held: dict[int, list[str]] = {}
        done: set[int] = set()
        for i in np.flatnonzero(vacant[block]).tolist():
            if post[start + i] in done:
                continue
            done.add(int(post[start + i]))
            code = posts[post[start + i]].code
            for unit in COVERING_UNITS[units[post[start + i]]]:
                holders = [
                    j
                    for j in range(seats)
                    if not vacant[start + j]
                    and units[post[start + j]] == unit
                    and post[start + j] != post[start + i]  # never a post concurrent with itself
                ]
                if holders:
                    chosen = min(holders, key=lambda j: (len(held.get(j, [])), j))
                    held.setdefault(chosen, []).append(code)
                    break
        for j, codes in held.items():
            out[start + j] = "; ".join(codes)
    return out


def _defects(
    seed: int, roster: pd.DataFrame, absent: np.ndarray, rate: float, ledger: defects.Ledger
) -> pd.DataFrame:
    chosen = defects.plan(
        stream(seed, "staff.defects"),
        len(roster),
        rate,
        {"unknown_post": None, "absence_end_before_start": absent},
    )
    rng = stream(seed, "staff.defects.values")
    ids = roster["seat_id"].to_numpy()
    rows = chosen["unknown_post"]
    old = np.array(PRE_REFORM_POSTS, dtype=object)[
        rng.integers(0, len(PRE_REFORM_POSTS), size=len(rows))
    ]
    ledger.add(
        "staff",
        "unknown_post",
        ids[rows],
        [f"{o} instead of {c}" for o, c in zip(old, roster.loc[rows, "post_code"], strict=True)],
    )
    roster.loc[rows, "post_code"] = old
    rows = chosen["absence_end_before_start"]
    start = roster["absent_from"].to_numpy().copy()
    end = roster["absent_until"].to_numpy().copy()
    start[rows], end[rows] = end[rows], start[rows].copy()
    roster["absent_from"], roster["absent_until"] = start, end
    ledger.add("staff", "absence_end_before_start", ids[rows], "dates swapped")
    return roster
