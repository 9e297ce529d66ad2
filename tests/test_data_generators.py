"""Generators: schemas, exact defect ground truth, determinism, bad input.

The detectors below re-derive every defect kind from its rule, independently of
the generator code (scalar reference and calendar functions as oracles), so the
ground truth must equal what a careful trainee would find: nothing missing,
nothing extra.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadrelab import calendar, reference
from cadrelab.data import DEFECT_KINDS, budget, dossiers, vocabulary
from cadrelab.data.generators import GENERATORS
from cadrelab.data.providers import REFERENCE_DATE
from cadrelab.data.schemas import SCHEMAS
from cadrelab.errors import InputError

KEYS = {name: schema.metadata["key"] for name, schema in SCHEMAS.items()}


# --- independent detectors ------------------------------------------------------------------


def _current_communes() -> set[tuple[str, str]]:
    return {(c.province_code, c.name_vi) for c in reference.communes(on=REFERENCE_DATE)}


def _not_current(frame: pd.DataFrame) -> pd.Series:
    current = _current_communes()
    pairs = zip(frame["province_code"], frame["commune"], strict=True)
    return pd.Series([p not in current for p in pairs], index=frame.index)


def _bad_citizen_id(frame: pd.DataFrame) -> pd.Series:
    """The rules of a CCCD, checked row by row from the code table itself."""
    table = vocabulary.birth_provinces()
    before = set(table.codes.tolist())
    after = {"0" + code for code in table.province_2025.tolist()}
    flags = []
    for cid, birth, gender, place in zip(
        frame["citizen_id"],
        frame["date_of_birth"],
        frame["gender"],
        frame["birth_province_code"],
        strict=True,
    ):
        year = birth.year
        expected = (year // 100 - 19) * 2 + (gender == "nữ")
        codes = before if birth.date() < dt.date(2025, 7, 1) else after
        ok = (
            len(cid) == 12
            and cid.isdigit()
            and cid[:3] == "0" + place
            and cid[:3] in codes
            and int(cid[3]) == expected
            and cid[4:6] == f"{year % 100:02d}"
        )
        flags.append(not ok)
    return pd.Series(flags, index=frame.index)


def _bad_phone(frame: pd.DataFrame) -> pd.Series:
    prefixes = set(vocabulary.mobile_prefixes().words.tolist())
    return ~frame["phone"].map(lambda p: len(p) == 10 and p.isdigit() and p[:3] in prefixes)


def _citizens(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    citizens = tables["citizens"]
    return {
        "bad_citizen_id": _bad_citizen_id(citizens),
        "bad_phone": _bad_phone(citizens),
        "pre_merger_commune": _not_current(citizens),
    }


def _parcels(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    parcels = tables["parcels"]
    codes = {c.code for c in reference.land_use_codes(on=REFERENCE_DATE)}
    return {
        "duplicate_parcel": parcels.duplicated(
            ["province_code", "commune", "map_sheet", "parcel_no"], keep="first"
        ),
        "invalid_land_use_code": ~parcels["land_use_code"].isin(codes),
        "parcel_pre_merger_commune": _not_current(parcels),
    }


def _certificates(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    certificates, parcels = tables["certificates"], tables["parcels"]
    area = certificates["parcel_id"].map(parcels.set_index("parcel_id")["area_m2"])
    return {"area_mismatch": certificates["area_m2"] != area}


def _transfers(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    transfers = tables["transfers"]
    expected = [
        reference.fee_rule("TNCN-BDS", on=signed).amount(value=int(max(c, v)))
        for c, v, signed in zip(
            transfers["contract_price"],
            transfers["price_table_value"],
            transfers["contract_date"],
            strict=True,
        )
    ]
    return {
        "under_declared_price": transfers["contract_price"] < transfers["price_table_value"],
        "wrong_transfer_tax": transfers["income_tax"]
        != pd.Series(expected, index=transfers.index, dtype="int64"),
    }


def _dossiers(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    frame = tables["dossiers"]
    snapshot = pd.Timestamp(dossiers.SNAPSHOT_DATE)
    missing, wrong = [], []
    for row in frame.itertuples():
        procedure = reference.procedure(row.procedure_code, on=row.received_at)
        needed = set(procedure.components_list)
        given_ = (
            set(row.components_submitted.split("; "))
            if isinstance(row.components_submitted, str)
            else set()
        )
        missing.append(bool(needed - given_) and row.status not in ("Chờ bổ sung", "Từ chối"))
        if pd.isna(row.appointment_date):
            wrong.append(False)
        else:
            due = calendar.due_date(procedure, row.received_at.to_pydatetime())
            wrong.append(row.appointment_date.date() != due)
    accepted = frame["appointment_date"].notna()
    late = (frame["result_date"] > frame["appointment_date"]) | (
        accepted & frame["result_date"].isna() & (frame["appointment_date"] < snapshot)
    )
    return {
        "late_dossier": late,
        "wrong_appointment_date": pd.Series(wrong, index=frame.index),
        "missing_components": pd.Series(missing, index=frame.index),
    }


def _payment_orders(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    orders = tables["payment_orders"]
    year = dt.date(budget.BUDGET_YEAR, 1, 1)
    names = {line.code: line.name_vi for line in reference.budget_lines("expense", on=year)}
    known = orders["line_code"].isin(names)
    matches = pd.Series(
        [
            code in names and purpose.startswith(names[code] + " tháng ")
            for code, purpose in zip(orders["line_code"], orders["purpose_vi"], strict=True)
        ],
        index=orders.index,
    )
    return {"miscoded_budget_line": known & ~matches, "unknown_budget_line": ~known}


def _beneficiaries(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    beneficiaries, deaths = tables["beneficiaries"], tables["death_registrations"]
    if beneficiaries.empty:  # pandas cannot map an empty column onto dates
        return {"paid_after_death": pd.Series(False, index=beneficiaries.index)}
    died = beneficiaries["citizen_id"].map(deaths.set_index("citizen_id")["date_of_death"])
    return {
        "paid_after_death": died.notna()
        & (beneficiaries["last_paid_month"] > died.dt.strftime("%Y-%m"))
    }


def _copy_receipts(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    receipts = tables["copy_receipts"]
    expected = [
        copies
        * reference.fee_rule(reference.procedure("CT-SY", on=day).fee_code, on=day).amount(
            pages=int(pages)
        )
        for pages, copies, day in zip(
            receipts["pages"], receipts["copies"], receipts["issued_at"], strict=True
        )
    ]
    return {"wrong_copy_fee": receipts["fee"] != pd.Series(expected, index=receipts.index)}


def _staff(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    roster = tables["staff"]
    posts = {p.code for p in reference.staff_posts(on=REFERENCE_DATE)}
    return {
        "unknown_post": ~roster["post_code"].isin(posts),
        "absence_end_before_start": roster["absent_until"] < roster["absent_from"],
    }


DETECTORS = {
    "citizens": _citizens,
    "parcels": _parcels,
    "certificates": _certificates,
    "transfers": _transfers,
    "dossiers": _dossiers,
    "payment_orders": _payment_orders,
    "beneficiaries": _beneficiaries,
    "copy_receipts": _copy_receipts,
    "staff": _staff,
}


def detected(tables: dict[str, pd.DataFrame]) -> set[tuple[str, str, str]]:
    found = set()
    for table, detector in DETECTORS.items():
        if table not in tables:
            continue
        frame = tables[table]
        for kind, flags in detector(tables).items():
            keys = frame.loc[flags.fillna(False).astype(bool), KEYS[table]]
            found |= {(table, str(k), kind) for k in keys}
    return found


def listed(cases) -> set[tuple[str, str, str]]:
    rows = zip(cases.defects["table"], cases.defects["row_key"], cases.defects["kind"], strict=True)
    return set(rows)


def check(cases) -> None:
    for table, frame in cases.tables.items():
        SCHEMAS[table].validate(frame, lazy=True)
    SCHEMAS["defects"].validate(cases.defects, lazy=True)
    assert not cases.defects.duplicated(["table", "row_key", "kind"]).any()
    assert listed(cases) == detected(cases.tables)


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GENERATORS))
def test_schema_and_exact_ground_truth(name: str) -> None:
    cases = GENERATORS[name](400, 11, 0.2)
    check(cases)
    kinds = set(cases.defects["kind"])
    expected = {k for k, spec in DEFECT_KINDS.items() if spec.table in cases.tables}
    assert kinds == expected, f"every defect kind of {name} is injected"


@pytest.mark.parametrize("name", list(GENERATORS))
def test_no_defects_at_rate_zero(name: str) -> None:
    cases = GENERATORS[name](300, 5, 0.0)
    assert cases.defects.empty
    check(cases)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_defect_rate_sets_the_share_of_defective_rows(name: str) -> None:
    cases = GENERATORS[name](500, 2, 0.1)
    for table in {DEFECT_KINDS[k].table for k in cases.defects["kind"]}:
        rows = cases.defects[cases.defects["table"] == table]
        assert rows["row_key"].is_unique, "one defect per row"
        assert len(rows) <= round(0.1 * len(cases.tables[table]))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(list(GENERATORS)),
    n=st.integers(0, 80),
    seed=st.integers(0, 2**63 - 1),
    rate=st.sampled_from([0.0, 0.05, 0.5, 1.0]),
)
def test_any_size_seed_and_rate(name: str, n: int, seed: int, rate: float) -> None:
    check(GENERATORS[name](n, seed, rate))


@pytest.mark.parametrize("name", list(GENERATORS))
def test_same_seed_same_tables_other_seed_other_tables(name: str) -> None:
    first, again, other = (GENERATORS[name](200, s, 0.1) for s in (3, 3, 4))
    for table in first.tables:
        pd.testing.assert_frame_equal(first.tables[table], again.tables[table])
    pd.testing.assert_frame_equal(first.defects, again.defects)
    assert any(not first.tables[t].equals(other.tables[t]) for t in first.tables)


def test_land_transfers_tax_the_larger_price() -> None:
    transfers = GENERATORS["land"](2000, 8, 0.0).tables["transfers"]
    assert len(transfers) > 50
    assert (transfers["contract_price"] >= transfers["price_table_value"]).all()
    for row in transfers.head(50).itertuples():
        lptb = reference.fee_rule("LPTB-NHADAT", on=row.contract_date)
        price = reference.land_price(
            row.province_code, row.zone, row.land_use_code, on=row.contract_date
        )
        assert row.land_price_per_m2 == price
        assert row.price_table_value == round(price * row.area_m2)
        assert row.registration_fee == lptb.amount(value=int(row.contract_price))
    assert ((transfers["filed_date"] - transfers["contract_date"]).dt.days.between(0, 30)).all()


def test_parcel_keys_are_unique_without_defects() -> None:
    parcels = GENERATORS["land"](5000, 1, 0.0).tables["parcels"]
    assert not parcels.duplicated(["province_code", "commune", "map_sheet", "parcel_no"]).any()


def test_dossiers_follow_the_calendar_and_office_hours() -> None:
    frame = GENERATORS["dossiers"](600, 9, 0.0).tables["dossiers"]
    hours = calendar.office_hours(on=dossiers.WINDOW_START)
    in_person = frame[frame["channel"] == "Trực tiếp"]
    for moment in in_person["received_at"]:
        assert calendar.is_working_day(moment.date())
        assert hours.is_open(moment.time())
    done = frame[frame["timeliness"].notna() & frame["result_date"].notna()]
    labels = np.where(done["result_date"] < done["appointment_date"], "Trước hạn", "Đúng hạn")
    assert (done["timeliness"].to_numpy() == labels).all()
    assert set(frame["status"]) <= set(dossiers.STATUSES)
    assert frame.loc[frame["status"] == "Đã trả", "returned_at"].notna().all()
    assert frame.loc[frame["status"] != "Đã trả", "returned_at"].isna().all()
    returned = frame.dropna(subset=["returned_at"])
    assert (returned["returned_at"] > returned["received_at"]).all()
    codes = frame["dossier_code"].str.extract(r"-(\d{6})-")[0]
    assert (codes == frame["received_at"].dt.strftime("%y%m%d")).all()


def test_online_share_is_near_the_calibration() -> None:
    frame = GENERATORS["dossiers"](4000, 1, 0.0).tables["dossiers"]
    share = (frame["channel"] == "Trực tuyến").mean()
    assert abs(share - dossiers.ONLINE_SHARE) < 0.03


def test_staff_vacancies_are_covered_concurrently() -> None:
    roster = GENERATORS["staff"](30, 4, 0.0).tables["staff"]
    posts = {p.code for p in reference.staff_posts(on=REFERENCE_DATE)}
    vacant = roster[roster["status"] == "Chưa bố trí"]
    assert len(vacant) > 0 and vacant["full_name"].isna().all()
    held = roster["concurrent_posts"].dropna().str.split("; ").explode()
    assert set(held) <= posts
    assert (roster.loc[roster["concurrent_posts"].notna(), "status"] != "Chưa bố trí").all()
    assert (
        roster.groupby(["province_code", "commune"])["post_code"].apply(
            lambda p: (p == "chu_tich").sum()
        )
        == 1
    ).all()


@pytest.mark.parametrize("bad", [-1, 1.5, "10", None, True, 10**9])
def test_bad_row_count_is_an_input_error(bad: object) -> None:
    with pytest.raises(InputError, match="n must be"):
        GENERATORS["citizens"](bad, 1, 0.0)


@pytest.mark.parametrize("bad", [-1, 2**63, 1.0, "7", None, False])
def test_bad_seed_is_an_input_error(bad: object) -> None:
    with pytest.raises(InputError, match="seed"):
        GENERATORS["land"](10, bad, 0.0)


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan"), "0.1", None])
def test_bad_defect_rate_is_an_input_error(bad: object) -> None:
    with pytest.raises(InputError, match="defect_rate"):
        GENERATORS["dossiers"](10, 1, bad)


def test_corrupted_reference_table_is_an_input_error(tmp_path, monkeypatch) -> None:
    source = reference.reference_dir()
    for path in source.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        if path.name == "land_prices.csv":
            text = "\n".join(line for line in text.splitlines() if ",ONT," not in line) + "\n"
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("CADRELAB_REFERENCE_DIR", str(tmp_path))
    reference.clear_caches()
    try:
        with pytest.raises(InputError, match=r"land_prices\.csv"):
            GENERATORS["land"](50, 1, 0.0)
    finally:
        monkeypatch.undo()
        reference.clear_caches()


def test_reference_date_is_fixed() -> None:
    from cadrelab.data import REFERENCE_DATE

    assert dt.date(2025, 10, 1) == REFERENCE_DATE
    citizens = GENERATORS["citizens"](500, 1, 0.0).tables["citizens"]
    assert (citizens["date_of_birth"] < pd.Timestamp(REFERENCE_DATE)).all()
