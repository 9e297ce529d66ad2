"""Injected defects: which rows get one, and the ground-truth table that lists them.

``defect_rate`` is the share of a table's rows that carry exactly one injected
defect; those rows are shared out evenly over the table's defect kinds (a kind
that only fits some rows, such as a pre-merger name for a commune that has one,
takes what fits and may fall short).  Every injected defect is listed in the
ground truth with the table, the row key, the kind and a detail; a clean row is
never listed, and ``defect_rate = 0`` injects nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFECT_COLUMNS = ("table", "row_key", "kind", "detail")


@dataclass(frozen=True)
class DefectKind:
    """A kind of defect, how a trainee can find it, and in which table it appears."""

    table: str
    name_vi: str
    rule: str


DEFECT_KINDS: dict[str, DefectKind] = {
    "bad_citizen_id": DefectKind(
        "citizens",
        "Số định danh (CCCD) sai cấu trúc",
        "citizen_id is not 12 digits, or its first three digits are not '0' + birth_province_code "
        "(a code of the place of birth registration: one of the 63 province codes before "
        "1 July 2025, valid for life), or its century-and-sex digit or birth-year digits disagree "
        "with gender and date_of_birth",
    ),
    "bad_phone": DefectKind(
        "citizens",
        "Số điện thoại di động không hợp lệ",
        "phone is not 0 + 9 digits with a mobile prefix in use since 2018",
    ),
    "pre_merger_commune": DefectKind(
        "citizens",
        "Địa chỉ còn dùng tên xã, phường trước sắp xếp",
        "commune is not a current commune of province_code (it is a pre-1/7/2025 name)",
    ),
    "duplicate_parcel": DefectKind(
        "parcels",
        "Trùng số tờ bản đồ và số thửa",
        "(commune, map_sheet, parcel_no) already appears in an earlier row",
    ),
    "invalid_land_use_code": DefectKind(
        "parcels",
        "Mã loại đất không có trong danh mục",
        "land_use_code is not in the land-use code list",
    ),
    "parcel_pre_merger_commune": DefectKind(
        "parcels",
        "Thửa đất ghi tên xã, phường trước sắp xếp",
        "commune is not a current commune of province_code (it is a pre-1/7/2025 name)",
    ),
    "area_mismatch": DefectKind(
        "certificates",
        "Diện tích trên Giấy chứng nhận khác diện tích thửa",
        "certificates.area_m2 differs from parcels.area_m2 of the same parcel_id",
    ),
    "under_declared_price": DefectKind(
        "transfers",
        "Giá hợp đồng khai thấp hơn giá theo bảng giá đất",
        "contract_price < price_table_value (land_price_per_m2 × area_m2)",
    ),
    "wrong_transfer_tax": DefectKind(
        "transfers",
        "Tính thuế TNCN trên giá hợp đồng thay vì giá cao hơn",
        "income_tax differs from 2% of max(contract_price, price_table_value), rounded to đồng",
    ),
    "missing_components": DefectKind(
        "dossiers",
        "Tiếp nhận hồ sơ còn thiếu thành phần",
        "a component of the procedure is not in components_submitted, yet the status is past "
        "reception (not 'Chờ bổ sung' or 'Từ chối')",
    ),
    "late_dossier": DefectKind(
        "dossiers",
        "Hồ sơ quá hạn",
        "result_date is after appointment_date, or there is no result yet and appointment_date "
        "is before the snapshot date",
    ),
    "wrong_appointment_date": DefectKind(
        "dossiers",
        "Ngày hẹn trả sai so với thời hạn giải quyết",
        "appointment_date differs from the working-day deadline of received_at and "
        "deadline_working_days",
    ),
    "miscoded_budget_line": DefectKind(
        "payment_orders",
        "Lệnh chi hạch toán sai mục chi",
        "line_code is an expense line other than the one the purpose describes "
        "(purpose_vi starts with that line's name)",
    ),
    "unknown_budget_line": DefectKind(
        "payment_orders",
        "Mã mục chi không có trong danh mục",
        "line_code is not an expense line in the budget line list",
    ),
    "paid_after_death": DefectKind(
        "beneficiaries",
        "Trợ cấp vẫn chi trả sau khi đối tượng đã chết",
        "citizen_id appears in death_registrations and last_paid_month is after the month of "
        "date_of_death",
    ),
    "wrong_copy_fee": DefectKind(
        "copy_receipts",
        "Thu phí chứng thực bản sao sai",
        "fee differs from copies × the per-page fee with the cap of the certified-copy rule",
    ),
    "unknown_post": DefectKind(
        "staff",
        "Vị trí việc làm không có trong danh mục",
        "post_code is not a staff post in the list",
    ),
    "absence_end_before_start": DefectKind(
        "staff",
        "Ngày kết thúc vắng mặt trước ngày bắt đầu",
        "absent_until is before absent_from",
    ),
}


def plan(
    rng: np.random.Generator,
    n: int,
    rate: float,
    eligible: dict[str, np.ndarray | None],
) -> dict[str, np.ndarray]:
    """Rows (sorted positions) that get each defect kind; no row gets two.

    ``eligible[kind]`` is a boolean mask of rows the kind can apply to, or None for
    every row.  ``round(rate * n)`` rows are shared out as evenly as the masks allow.
    """
    total = round(rate * n)
    kinds = list(eligible)
    if total == 0 or not kinds:
        return {kind: np.empty(0, dtype=np.int64) for kind in kinds}
    quotas = np.full(len(kinds), total // len(kinds))
    quotas[: total % len(kinds)] += 1
    taken = np.zeros(n, dtype=bool)
    chosen: dict[str, np.ndarray] = {}
    for kind, quota in zip(kinds, quotas.tolist(), strict=True):
        mask = eligible[kind]
        free = ~taken if mask is None else (mask & ~taken)
        candidates = np.flatnonzero(free)
        rows = np.sort(rng.choice(candidates, size=min(quota, len(candidates)), replace=False))
        taken[rows] = True
        chosen[kind] = rows
    return chosen


class Ledger:
    """Collects the ground truth while a generator injects defects."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(self, table: str, kind: str, keys: object, details: object) -> None:
        if kind not in DEFECT_KINDS or DEFECT_KINDS[kind].table != table:
            raise ValueError(f"defect kind {kind!r} does not belong to table {table!r}")
        keys = pd.Series(np.asarray(keys, dtype=object)).astype("str")
        if len(keys) == 0:
            return
        details = np.broadcast_to(np.asarray(details, dtype=object), (len(keys),))
        self._parts.append(
            pd.DataFrame(
                {
                    "table": table,
                    "row_key": keys.to_numpy(),
                    "kind": kind,
                    "detail": details,
                },
            ).astype("str")
        )

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return empty()
        frame = pd.concat(self._parts, ignore_index=True)
        return frame.sort_values(["table", "kind"], kind="stable", ignore_index=True)


def empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype="str") for column in DEFECT_COLUMNS})
