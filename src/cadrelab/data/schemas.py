"""The schema of every generated table: columns, types, checks and meanings.

One pandera ``DataFrameSchema`` per table, used by ``cadrelab data describe``, by
the tests and by anyone who wants to check a table.  Checks hold for defective
rows too (an injected defect breaks a business rule, never the schema), so a
schema failure is always a bug.  ``metadata["key"]`` names the column that
identifies a row; the ground truth's ``row_key`` holds its value.
"""

from __future__ import annotations

import pandera.pandas as pa

from cadrelab.data import dossiers, land, staff
from cadrelab.data.defects import DEFECT_KINDS

DIGITS = r"^\d+$"
PROVINCE = pa.Column(str, pa.Check.str_matches(r"^\d{2}$"), description="province code (01–96)")
COMMUNE = pa.Column(str, description="commune, ward or special zone (xã / phường / đặc khu)")
NAME = pa.Column(str, description="full name in Vietnamese order: họ, đệm, tên")
GENDER = pa.Column(str, pa.Check.isin(["nam", "nữ"]), description="nam / nữ")
DATE = "datetime64[s]"
MONEY = pa.Column("int64", pa.Check.ge(0), description="whole đồng")


def _id(description: str) -> pa.Column:
    return pa.Column("int64", [pa.Check.ge(1)], unique=True, description=description)


def _date(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column(DATE, nullable=nullable, description=description)


def _schema(name: str, key: str, description: str, columns: dict) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns,
        name=name,
        strict=True,
        ordered=True,
        description=description,
        metadata={"key": key},
    )


CITIZENS = _schema(
    "citizens",
    "person_id",
    "Residents with identity, contact and address.",
    {
        "person_id": _id("row key"),
        "full_name": NAME,
        "gender": GENDER,
        "date_of_birth": _date("date of birth (ages counted on 2025-10-01)"),
        "birth_province_code": pa.Column(
            str,
            pa.Check.str_matches(r"^\d{2}$"),
            description="code of the province where the birth was registered, as in the CCCD: "
            "one of the 63 former provinces for births before 1 July 2025",
        ),
        "citizen_id": pa.Column(
            str,
            pa.Check.str_matches(DIGITS),
            description="CCCD: 0 + birth_province_code, century-and-sex digit, "
            "2-digit birth year, 6 digits",
        ),
        "phone": pa.Column(str, pa.Check.str_matches(DIGITS), description="10-digit mobile number"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "house_number": pa.Column(
            "Int64",
            pa.Check.ge(1),
            nullable=True,
            description="house number (wards only; empty in a xã: the village is the address)",
        ),
        "street": pa.Column(
            str, description="street (wards only; empty in communes)", nullable=True
        ),
        "hamlet": pa.Column(
            str,
            description="village or street group: thôn / xóm / bản / buôn / làng / ấp … in a xã, "
            "tổ dân phố / khu phố / khóm … in a ward",
        ),
        "address": pa.Column(str, description="full address as written on forms"),
    },
)

PARCELS = _schema(
    "parcels",
    "parcel_id",
    "Cadastral parcels.",
    {
        "parcel_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "zone": pa.Column(str, pa.Check.isin(list(land.ZONES)), description="đô thị / nông thôn"),
        "map_sheet": pa.Column("int64", pa.Check.ge(1), description="tờ bản đồ số"),
        "parcel_no": pa.Column("int64", pa.Check.ge(1), description="thửa số"),
        "area_m2": pa.Column(float, pa.Check.gt(0), description="area in m², 1 decimal"),
        "land_use_code": pa.Column(
            str,
            pa.Check.str_matches(r"^[A-Z]{3}$"),
            description="land-use code (land_use_codes.csv)",
        ),
    },
)

CERTIFICATES = _schema(
    "certificates",
    "certificate_code",
    "Certificates of land-use rights (Thông tư 10/2024 fields, simplified).",
    {
        "certificate_code": pa.Column(
            str,
            pa.Check.str_matches(r"^\d{5}\.\d{4}\.\d{6}$"),
            unique=True,
            description=land.CERTIFICATE_FORMATS["certificate_code"],
        ),
        "serial": pa.Column(
            str,
            pa.Check.str_matches(r"^[A-Z]{2} \d{6}$"),
            unique=True,
            description=land.CERTIFICATE_FORMATS["serial"],
        ),
        "registration_no": pa.Column(
            str,
            pa.Check.str_matches(r"^CS\d{5,}$"),
            description=land.CERTIFICATE_FORMATS["registration_no"],
        ),
        "parcel_id": pa.Column("int64", unique=True, description="the parcel (parcels.parcel_id)"),
        "holder_name": NAME,
        "holder_id": pa.Column(str, pa.Check.str_matches(r"^\d{12}$"), description="holder's CCCD"),
        "area_m2": pa.Column(float, pa.Check.gt(0), description="area on the certificate, m²"),
        "land_use_code": pa.Column(str, description="land-use code on the certificate"),
        "issued_date": _date("date of issue"),
    },
)

TRANSFERS = _schema(
    "transfers",
    "transfer_id",
    "Sales of land-use rights filed July–September 2025, with taxes.",
    {
        "transfer_id": _id("row key"),
        "parcel_id": pa.Column("int64", description="parcels.parcel_id"),
        "certificate_code": pa.Column(str, description="certificates.certificate_code"),
        "province_code": PROVINCE,
        "zone": pa.Column(str, pa.Check.isin(list(land.ZONES)), description="đô thị / nông thôn"),
        "land_use_code": pa.Column(str, description="land-use code"),
        "area_m2": pa.Column(float, pa.Check.gt(0), description="area, m²"),
        "seller_name": NAME,
        "seller_id": pa.Column(str, description="seller's CCCD"),
        "buyer_name": NAME,
        "buyer_id": pa.Column(str, description="buyer's CCCD"),
        "contract_date": _date("date of the notarised contract"),
        "filed_date": _date("date filed at the commune (within 30 days of the contract)"),
        "land_price_per_m2": pa.Column(
            "int64", pa.Check.gt(0), description="price-table price, đồng per m²"
        ),
        "price_table_value": pa.Column(
            "int64", pa.Check.gt(0), description="land_price_per_m2 × area_m2, whole đồng"
        ),
        "contract_price": MONEY,
        "income_tax": pa.Column(
            "int64",
            pa.Check.ge(0),
            description="personal income tax recorded (2% of the larger of "
            "contract price and table value)",
        ),
        "registration_fee": pa.Column(
            "int64", pa.Check.ge(0), description="registration fee (0.5% of the same base)"
        ),
    },
)

DOSSIERS = _schema(
    "dossiers",
    "dossier_code",
    "One-stop-shop tracking book.",
    {
        "dossier_code": pa.Column(
            str,
            pa.Check.str_matches(r"^\d{3}\.00\.\d{2}\.H\d{2}-\d{6}-\d{4}$"),
            unique=True,
            description="CCC.00.FF.HPP-YYMMDD-NNNN (simplified)",
        ),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "procedure_code": pa.Column(str, description="procedures.csv code"),
        "procedure_name": pa.Column(str, description="procedure name"),
        "field": pa.Column(
            str, pa.Check.isin(list(dossiers.FIELD_NUMBERS)), description="field of the procedure"
        ),
        "channel": pa.Column(
            str, pa.Check.isin(list(dossiers.CHANNELS)), description="Trực tiếp / Trực tuyến"
        ),
        "received_at": _date("date and time received"),
        "applicant_name": NAME,
        "applicant_id": pa.Column(str, description="applicant's CCCD"),
        "applicant_phone": pa.Column(str, description="applicant's mobile number"),
        "components_submitted": pa.Column(
            str, nullable=True, description="components handed in, joined by '; '"
        ),
        "deadline_working_days": pa.Column(
            "int64", pa.Check.ge(0), description="statutory time limit, working days"
        ),
        "appointment_date": _date("date on the receipt (empty when not accepted)", nullable=True),
        "status": pa.Column(str, pa.Check.isin(list(dossiers.STATUSES)), description="status"),
        "result_date": _date("date the result was signed", nullable=True),
        "returned_at": _date("date and time the result was collected", nullable=True),
        "timeliness": pa.Column(
            str,
            pa.Check.isin(list(dossiers.TIMELINESS)),
            nullable=True,
            description="Trước hạn / Đúng hạn / Quá hạn",
        ),
    },
)

BUDGET_ESTIMATE = _schema(
    "budget_estimate",
    "estimate_id",
    "Commune budget estimate for July–December 2025 by line.",
    {
        "estimate_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "year": pa.Column("int64", description="budget year"),
        "line_code": pa.Column(
            str, pa.Check.str_matches(r"^\d{4}$"), description="budget line (tiểu mục)"
        ),
        "kind": pa.Column(
            str, pa.Check.isin(["revenue", "expense"]), description="revenue/expense"
        ),
        "category": pa.Column(str, description="category for the council report"),
        "name_vi": pa.Column(str, description="name of the line"),
        "estimate": MONEY,
    },
)

BUDGET_EXECUTION = _schema(
    "budget_execution",
    "execution_id",
    "Monthly execution by line (July–September 2025).",
    {
        "execution_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "year": pa.Column("int64", description="budget year"),
        "month": pa.Column("int64", pa.Check.in_range(1, 12), description="month"),
        "line_code": pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), description="budget line"),
        "amount": MONEY,
    },
)

RECEIPTS = _schema(
    "receipts",
    "receipt_id",
    "Revenue collected by the commune.",
    {
        "receipt_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "date": _date("date collected"),
        "line_code": pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), description="revenue line"),
        "payer_name": NAME,
        "amount": MONEY,
    },
)

PAYMENT_ORDERS = _schema(
    "payment_orders",
    "order_id",
    "Payment orders (ủy nhiệm chi).",
    {
        "order_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "date": _date("date of the order"),
        "line_code": pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), description="expense line"),
        "purpose_vi": pa.Column(str, description="purpose; starts with the name of its line"),
        "payee": pa.Column(str, description="payee"),
        "amount": MONEY,
    },
)

STAFF = _schema(
    "staff",
    "seat_id",
    "Staff roster: one row per seat of a post.",
    {
        "seat_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "post_code": pa.Column(str, description="staff_posts.csv code"),
        "unit": pa.Column(str, description="unit of the post (LANH_DAO, VP, KT, VHXH, TTPVHCC)"),
        "full_name": pa.Column(str, nullable=True, description="holder (empty when vacant)"),
        "citizen_id": pa.Column(str, nullable=True, description="holder's CCCD"),
        "status": pa.Column(str, pa.Check.isin(list(staff.STATUSES)), description="status"),
        "concurrent_posts": pa.Column(
            str, nullable=True, description="posts also held (kiêm nhiệm), joined by '; '"
        ),
        "absent_from": _date("first day away", nullable=True),
        "absent_until": _date("last day away", nullable=True),
        "absence_reason": pa.Column(str, nullable=True, description="why away"),
    },
)

BENEFICIARIES = _schema(
    "beneficiaries",
    "beneficiary_id",
    "Monthly social-allowance beneficiaries.",
    {
        "beneficiary_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "full_name": NAME,
        "gender": GENDER,
        "date_of_birth": _date("date of birth"),
        "citizen_id": pa.Column(
            str, pa.Check.str_matches(r"^\d{12}$"), unique=True, description="CCCD"
        ),
        "category": pa.Column(str, description="beneficiary group"),
        "first_paid_month": pa.Column(
            str, pa.Check.str_matches(r"^\d{4}-\d{2}$"), description="first month paid, YYYY-MM"
        ),
        "last_paid_month": pa.Column(
            str, pa.Check.str_matches(r"^\d{4}-\d{2}$"), description="last month paid, YYYY-MM"
        ),
    },
)

DEATH_REGISTRATIONS = _schema(
    "death_registrations",
    "registration_id",
    "Deaths registered at the commune (khai tử).",
    {
        "registration_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "full_name": NAME,
        "gender": GENDER,
        "date_of_birth": _date("date of birth"),
        "citizen_id": pa.Column(
            str, pa.Check.str_matches(r"^\d{12}$"), unique=True, description="CCCD"
        ),
        "date_of_death": _date("date of death"),
        "registered_date": _date("date registered"),
        "register_book": pa.Column(
            str,
            pa.Check.str_matches(r"^\d{2}/\d{4}$"),
            description="death register book (quyển số) of the commune: number/year",
        ),
        "register_no": pa.Column(
            "int64",
            pa.Check.ge(1),
            description="entry number in the book: 1, 2, 3 … in order of registration",
        ),
    },
)

COPY_RECEIPTS = _schema(
    "copy_receipts",
    "receipt_id",
    "Certified-copy fee receipts.",
    {
        "receipt_id": _id("row key"),
        "province_code": PROVINCE,
        "commune": COMMUNE,
        "receipt_no": pa.Column(
            str,
            pa.Check.str_matches(r"^\d{5}/\d{4}$"),
            description="receipt number in the commune's book",
        ),
        "issued_at": _date("date and time issued"),
        "payer_name": NAME,
        "document": pa.Column(str, description="document copied"),
        "pages": pa.Column("int64", pa.Check.ge(1), description="pages of the document"),
        "copies": pa.Column("int64", pa.Check.ge(1), description="certified copies made"),
        "fee": MONEY,
    },
)

DEFECTS = pa.DataFrameSchema(
    {
        "table": pa.Column(str, description="table of the defective row"),
        "row_key": pa.Column(str, description="value of that table's key column"),
        "kind": pa.Column(str, pa.Check.isin(list(DEFECT_KINDS)), description="defect kind"),
        "detail": pa.Column(str, description="what was changed"),
    },
    name="defects",
    strict=True,
    ordered=True,
    description="Ground truth: every injected defect.",
    metadata={"key": "row_key"},
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    s.name: s
    for s in (
        CITIZENS,
        PARCELS,
        CERTIFICATES,
        TRANSFERS,
        DOSSIERS,
        BUDGET_ESTIMATE,
        BUDGET_EXECUTION,
        RECEIPTS,
        PAYMENT_ORDERS,
        STAFF,
        BENEFICIARIES,
        DEATH_REGISTRATIONS,
        COPY_RECEIPTS,
        DEFECTS,
    )
}


def validate(table: str, frame):
    """Check ``frame`` against the schema of ``table`` (raises pandera's SchemaError)."""
    return SCHEMAS[table].validate(frame, lazy=True)
