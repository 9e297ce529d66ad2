"""Course 02 (land): parcels, certificates, transfer taxes; cleaning cadastral data; deadlines."""

from __future__ import annotations

import pandas as pd

from cadrelab import calendar, reference
from cadrelab.checks.compare import Options
from cadrelab.checks.registry import LessonCheck, LessonData, register
from cadrelab.data import REFERENCE_DATE

TRANSFERS = "dat-dai-01"  # lesson 01: parcels, certificates and transfers
CADASTRE = "dia-chinh-01"  # lesson 02: the cadastral data to clean
FIRST_CERTIFICATES = "dat-dai-02-hs"  # lesson 02: the one-stop book with first certificates
PARCEL_KEY = ["province_code", "commune", "map_sheet", "parcel_no"]
INCOME_TAX, REGISTRATION_FEE = "TNCN-BDS", "LPTB-NHADAT"
ROUNDING_ALLOWANCE = 50  # đồng: rounding each of a few dozen transfers half to even, not half up


def _ids(frame: pd.DataFrame, rows: pd.Series, column: str) -> set:
    return set(frame.loc[rows, column])


def land_groups() -> dict[str, str]:
    """Land-use code -> its group, as listed on the cases' reference day."""
    return {c.code: c.group for c in reference.land_use_codes(on=REFERENCE_DATE)}


def taxable_value(transfers: pd.DataFrame) -> pd.Series:
    """The larger of the contract price and the price-table value, per transfer."""
    return transfers[["contract_price", "price_table_value"]].max(axis=1)


def transfer_amounts(code: str, transfers: pd.DataFrame) -> pd.Series:
    """Tax or fee ``code`` per transfer, by the rule in force on its contract date."""
    values = reference.fee_amounts(
        code, on=transfers["contract_date"].to_numpy(), values=taxable_value(transfers).to_numpy()
    )
    return pd.Series(values, index=transfers.index)


def _transfers(data: LessonData) -> pd.DataFrame:
    return data.cases(TRANSFERS)["transfers"]


def _parcels(data: LessonData, exercise: str = TRANSFERS) -> pd.DataFrame:
    return data.cases(exercise)["parcels"]


def _second_transfer(data: LessonData, code: str) -> int:
    transfer = _transfers(data).iloc[1]
    value = int(max(transfer["contract_price"], transfer["price_table_value"]))
    return reference.fee_rule(code, on=transfer["contract_date"]).amount(value=value)


def _mismatched_areas(data: LessonData) -> set[str]:
    cases = data.cases(CADASTRE)
    both = cases["certificates"].merge(
        cases["parcels"][["parcel_id", "area_m2"]], on="parcel_id", suffixes=("_gcn", "_thua")
    )
    return _ids(both, both["area_m2_gcn"] != both["area_m2_thua"], "certificate_code")


def _received(data: LessonData) -> pd.DataFrame:
    """Lesson 02's ``co_hen``: first-certificate dossiers with an appointment date."""
    book = data.cases(FIRST_CERTIFICATES)["dossiers"]
    return book[(book["procedure_code"] == "DD-CGCN") & book["appointment_date"].notna()]


def _second_dossier_deadline(data: LessonData, first_stage: bool) -> object:
    received = _received(data).iloc[1]["received_at"]
    procedure = reference.procedure("DD-CGCN", on=received)
    if first_stage:
        return calendar.default_calendar().deadline(received, procedure.stages_list[0].days)
    return calendar.due_date(procedure, received)


def _counted_later(data: LessonData) -> int:
    days = calendar.default_calendar()
    return sum(days.effective_receipt_day(t) != t.date() for t in _received(data)["received_at"])


register(
    LessonCheck(
        "dat-dai-01.dien-tich-ont",
        expected=lambda data: float(
            _parcels(data).loc[_parcels(data)["land_use_code"] == "ONT", "area_m2"].sum()
        ),
        options=Options(abs_tol=0.05),
        hints=("lesson.dat-dai-01.dien-tich-ont.1", "lesson.dat-dai-01.dien-tich-ont.2"),
    ),
    LessonCheck(
        "dat-dai-01.so-thua-nong-nghiep",
        expected=lambda data: int(
            _parcels(data)["land_use_code"].map(land_groups()).eq("nông nghiệp").sum()
        ),
        hints=(
            "lesson.dat-dai-01.so-thua-nong-nghiep.1",
            "lesson.dat-dai-01.so-thua-nong-nghiep.2",
        ),
    ),
    LessonCheck(
        "dat-dai-01.so-chua-cap",
        expected=lambda data: len(
            set(_parcels(data)["parcel_id"])
            - set(data.cases(TRANSFERS)["certificates"]["parcel_id"])
        ),
        hints=("lesson.dat-dai-01.so-chua-cap.1", "lesson.dat-dai-01.so-chua-cap.2"),
    ),
    LessonCheck(
        "dat-dai-01.thue-hs2",
        expected=lambda data: _second_transfer(data, INCOME_TAX),
        kind="money",
        hints=("lesson.dat-dai-01.thue-hs2.1", "lesson.dat-dai-01.thue-hs2.2"),
    ),
    LessonCheck(
        "dat-dai-01.lptb-hs2",
        expected=lambda data: _second_transfer(data, REGISTRATION_FEE),
        kind="money",
        hints=("lesson.dat-dai-01.lptb-hs2.1", "lesson.dat-dai-01.lptb-hs2.2"),
    ),
    LessonCheck(
        "dat-dai-01.tong-lptb",
        expected=lambda data: int(transfer_amounts(REGISTRATION_FEE, _transfers(data)).sum()),
        kind="money",
        options=Options(abs_tol=ROUNDING_ALLOWANCE),
        hints=("lesson.dat-dai-01.tong-lptb.1", "lesson.dat-dai-01.tong-lptb.2"),
    ),
    LessonCheck(
        "dat-dai-01.khai-thap",
        expected=lambda data: _ids(
            _transfers(data),
            _transfers(data)["contract_price"] < _transfers(data)["price_table_value"],
            "transfer_id",
        ),
        kind="set",
        hints=("lesson.dat-dai-01.khai-thap.1", "lesson.dat-dai-01.khai-thap.2"),
    ),
    LessonCheck(
        "dat-dai-01.tinh-sai",
        expected=lambda data: _ids(
            _transfers(data),
            (_transfers(data)["income_tax"] - transfer_amounts(INCOME_TAX, _transfers(data))).abs()
            > 1,
            "transfer_id",
        ),
        kind="set",
        hints=("lesson.dat-dai-01.tinh-sai.1", "lesson.dat-dai-01.tinh-sai.2"),
    ),
    LessonCheck(
        "dia-chinh-01.ban-trung",
        expected=lambda data: _ids(
            _parcels(data, CADASTRE), _parcels(data, CADASTRE).duplicated(PARCEL_KEY), "parcel_id"
        ),
        kind="set",
        hints=("lesson.dia-chinh-01.ban-trung.1", "lesson.dia-chinh-01.ban-trung.2"),
    ),
    LessonCheck(
        "dia-chinh-01.ma-sai",
        expected=lambda data: _ids(
            _parcels(data, CADASTRE),
            ~_parcels(data, CADASTRE)["land_use_code"].isin(list(land_groups())),
            "parcel_id",
        ),
        kind="set",
        hints=("lesson.dia-chinh-01.ma-sai.1", "lesson.dia-chinh-01.ma-sai.2"),
    ),
    LessonCheck(
        "dia-chinh-01.lech",
        expected=_mismatched_areas,
        kind="set",
        hints=("lesson.dia-chinh-01.lech.1", "lesson.dia-chinh-01.lech.2"),
    ),
    LessonCheck(
        "dat-dai-02-hs.hen-hai",
        expected=lambda data: _second_dossier_deadline(data, first_stage=False),
        kind="date",
        hints=("lesson.dat-dai-02-hs.hen-hai.1", "lesson.dat-dai-02-hs.hen-hai.2"),
    ),
    LessonCheck(
        "dat-dai-02-hs.het-xu-ly-hai",
        expected=lambda data: _second_dossier_deadline(data, first_stage=True),
        kind="date",
        hints=("lesson.dat-dai-02-hs.het-xu-ly-hai.1", "lesson.dat-dai-02-hs.het-xu-ly-hai.2"),
    ),
    LessonCheck(
        "dat-dai-02-hs.so-nhan-lui",
        expected=_counted_later,
        hints=("lesson.dat-dai-02-hs.so-nhan-lui.1", "lesson.dat-dai-02-hs.so-nhan-lui.2"),
    ),
)
