"""Reference tables: they load, hold the facts DESIGN.md states, and reject broken copies."""

from __future__ import annotations

import csv
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrelab import content, reference
from cadrelab.errors import InputError

TABLE_LOADERS = {
    "provinces": reference.provinces,
    "communes": reference.communes,
    "procedures": reference.procedures,
    "fee_schedules": reference.fee_schedules,
    "land_use_codes": reference.land_use_codes,
    "land_prices": reference.land_prices,
    "budget_lines": reference.budget_lines,
    "budget_chapters": reference.budget_chapters,
    "staff_posts": reference.staff_posts,
    "calendar_overrides": reference.calendar_overrides,
    "office_hours": reference.office_sessions,
}


@pytest.fixture(autouse=True)
def fresh_caches():
    reference.clear_caches()
    yield
    reference.clear_caches()


@pytest.fixture
def tables(tmp_path, monkeypatch) -> Path:
    """A private copy of the reference folder that a test may corrupt."""
    folder = tmp_path / "reference"
    shutil.copytree(content.reference_dir(), folder)
    monkeypatch.setenv("CADRELAB_REFERENCE_DIR", str(folder))
    reference.clear_caches()
    return folder


def edit_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is numbered as a spreadsheet would (header = 1)."""
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    records[row - 1][records[0].index(column)] = value
    write_records(path, records)


def write_records(path: Path, records: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)


def read_records(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def assert_names(error: InputError, table: str, row: int | None, column: str) -> None:
    message = str(error)
    assert f"{table}.csv" in message
    assert f"'{column}'" in message
    if row is not None:
        assert f"row {row}:" in message
    assert error.row == row and error.field == column


# --- every table loads and holds the stated facts -----------------------------------


@pytest.mark.parametrize("table", sorted(TABLE_LOADERS))
def test_every_table_loads_and_has_a_data_card(table):
    assert len(TABLE_LOADERS[table]()) > 0
    card = content.reference_dir() / f"{table}.md"
    assert card.exists()
    index = (content.reference_dir().parent / "README.md").read_text(encoding="utf-8")
    assert f"reference/{table}.md" in index


def test_provinces_match_the_reform():
    rows = reference.provinces()
    assert len(rows) == 34
    assert sum(p.communes for p in rows) == 3321
    assert reference.province("01").name_vi == "Hà Nội"
    assert reference.province("01").communes == 126
    assert reference.province("79").name_vi == "TP Hồ Chí Minh"
    assert reference.province("79").communes == 168
    cities = {p.name_vi for p in rows if p.kind == "thành phố"}
    assert cities == {"Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "TP Hồ Chí Minh", "Cần Thơ"}
    assert "Nghị quyết 202/2025/QH15" in reference.province("25").legal_basis


def test_unknown_province_is_an_input_error():
    with pytest.raises(InputError, match="'99'"):
        reference.province("99")
    with pytest.raises(InputError):
        reference.communes("99")


def test_communes_cover_every_province():
    codes = {p.code for p in reference.provinces()}
    for code in codes:
        sample = reference.communes(code)
        assert len(sample) >= 4, code
        assert all(c.province_code == code for c in sample)
    assert len(reference.communes("01")) > 4
    assert len(reference.communes()) == sum(len(reference.communes(c)) for c in codes)
    special = [c for c in reference.communes() if c.kind == "đặc khu"]
    assert len(special) == 13
    assert any(c.former_names_list for c in reference.communes("01"))


def test_procedures_cover_all_six_fields():
    rows = reference.procedures()
    assert len(rows) >= 25
    assert {p.field for p in rows} == set(reference.PROCEDURE_FIELDS)
    assert sum(p.volume_weight for p in rows) == pytest.approx(1.0)
    birth = reference.procedure("HT-KS")
    assert birth.deadline_working_days == 0
    assert reference.fee_rule(birth.fee_code).amount() == 0
    assert len(birth.components_list) >= 2
    assert reference.procedure("DD-CGCN").deadline_working_days == 20
    assert reference.procedure("HKD-DK").deadline_working_days == 3
    transfer = reference.procedure("DD-CN")
    assert transfer.deadline_working_days == 8
    assert "Điều 133" in transfer.legal_basis
    assert "TNCN-BDS" in transfer.extra_fee_codes_list


def test_unknown_procedure_names_the_code():
    with pytest.raises(InputError, match="'XX-NOPE'"):
        reference.procedure("XX-NOPE")


def test_certified_copy_fee():
    copy = reference.fee_rule("CT-BANSAO")
    assert copy.amount(pages=1) == 2_000
    assert copy.amount(pages=2) == 4_000
    assert copy.amount(pages=3) == 5_000
    assert copy.amount(pages=500) == 200_000
    assert reference.fee_rule("CT-CHUKY").amount() == 10_000
    assert reference.fee_rule("CT-HOPDONG").amount() == 50_000


@given(pages=st.integers(min_value=0, max_value=2_000))
def test_certified_copy_fee_is_monotone_and_capped(pages):
    copy = reference.fee_rule("CT-BANSAO")
    assert copy.amount(pages=pages) <= copy.amount(pages=pages + 1) <= 200_000


def test_transfer_rates():
    assert reference.fee_rule("TNCN-BDS").rate == 0.02
    assert reference.fee_rule("LPTB-NHADAT").rate == 0.005
    assert reference.fee_rule("TNCN-BDS").amount(value=1_500_000_000) == 30_000_000
    assert reference.fee_rule("LPTB-NHADAT").amount(value=1_500_000_000) == 7_500_000
    assert reference.fee_rule("LPTB-NHADAT").amount(value=101) == 1  # 0.505 rounds half up


@pytest.mark.parametrize(
    ("code", "arguments"),
    [
        ("CT-BANSAO", {}),
        ("CT-BANSAO", {"pages": -1}),
        ("TNCN-BDS", {}),
        ("TNCN-BDS", {"value": -5}),
    ],
)
def test_fee_amount_rejects_missing_or_negative_arguments(code, arguments):
    with pytest.raises(InputError) as caught:
        reference.fee_rule(code).amount(**arguments)
    assert caught.value.field in {"pages", "value"}
    assert caught.value.problem_vi


def test_unknown_fee_code():
    with pytest.raises(InputError, match="'NOPE'"):
        reference.fee_rule("NOPE")


def test_land_use_codes_present():
    codes = {c.code: c for c in reference.land_use_codes()}
    wanted = [
        "LUC",
        "LUK",
        "LUN",
        "BHK",
        "NHK",
        "CLN",
        "RSX",
        "RPH",
        "RDD",
        "NTS",
        "LMU",
        "NKH",
        "ONT",
        "ODT",
    ]
    assert set(wanted) <= set(codes)
    assert codes["ODT"].group == "phi nông nghiệp"
    assert codes["LUC"].group == "nông nghiệp"


def test_land_prices_price_every_province_zone_and_transferred_code():
    for p in reference.provinces():
        for zone in ("đô thị", "nông thôn"):
            for code in ("ONT", "ODT", "CLN", "LUC", "BHK", "NTS"):
                assert reference.land_price(p.code, zone, code) > 0
    assert all(r.simplified for r in reference.land_prices())
    assert reference.land_price("01", "đô thị", "ODT") >= 10_000_000
    assert reference.land_price("79", "đô thị", "ODT") >= 10_000_000
    assert reference.land_price("12", "nông thôn", "LUC") < 100_000
    with pytest.raises(InputError, match="'XYZ'"):
        reference.land_price("01", "đô thị", "XYZ")


def test_budget_lines():
    assert len(reference.budget_lines()) >= 30
    revenue, expense = reference.budget_lines("revenue"), reference.budget_lines("expense")
    assert revenue and expense
    assert len(revenue) + len(expense) == len(reference.budget_lines())
    categories = {line.category for line in reference.budget_lines()}
    assert {"Thuế sử dụng đất phi nông nghiệp", "Chi quản lý hành chính"} <= categories
    assert "Chi bảo đảm xã hội" in categories
    with pytest.raises(InputError):
        reference.budget_lines("income")


def test_staff_posts():
    posts = {p.code: p for p in reference.staff_posts()}
    for code in (
        "chu_tich",
        "pho_chu_tich",
        "tu_phap_ho_tich",
        "dia_chinh",
        "tai_chinh_ke_toan",
        "van_hoa_xa_hoi",
        "cntt",
        "mot_cua",
    ):
        assert code in posts
    assert {code for code, p in posts.items() if p.signs} == {"chu_tich", "pho_chu_tich"}
    handled = {f for p in posts.values() for f in p.handles_fields_list}
    assert handled == set(reference.PROCEDURE_FIELDS)


@pytest.mark.parametrize("table", sorted(TABLE_LOADERS))
def test_all_text_is_nfc(table):
    text = (content.reference_dir() / f"{table}.csv").read_text("utf-8")
    assert unicodedata.is_normalized("NFC", text)


# --- broken copies are reported by file, row and column -----------------------------


def test_bad_type(tables):
    edit_cell(tables, "procedures", 4, "deadline_working_days", "three")
    with pytest.raises(InputError) as caught:
        reference.procedures()
    assert_names(caught.value, "procedures", 4, "deadline_working_days")


def test_negative_amount(tables):
    edit_cell(tables, "land_prices", 7, "price_vnd_per_m2", "-1")
    with pytest.raises(InputError) as caught:
        reference.land_prices()
    assert_names(caught.value, "land_prices", 7, "price_vnd_per_m2")


def test_missing_column(tables):
    records = [row[:-1] for row in read_records(tables, "fee_schedules")]  # drop "note"
    write_records(tables / "fee_schedules.csv", records)
    with pytest.raises(InputError) as caught:
        reference.fee_schedules()
    assert_names(caught.value, "fee_schedules", 1, "note")


def test_unknown_column(tables):
    records = read_records(tables, "land_use_codes")
    records = [row + (["colour"] if i == 0 else ["red"]) for i, row in enumerate(records)]
    write_records(tables / "land_use_codes.csv", records)
    with pytest.raises(InputError) as caught:
        reference.land_use_codes()
    assert_names(caught.value, "land_use_codes", 1, "colour")


def test_duplicate_key(tables):
    records = read_records(tables, "procedures")
    edit_cell(tables, "procedures", 6, "code", records[1][0])
    with pytest.raises(InputError) as caught:
        reference.procedures()
    assert_names(caught.value, "procedures", 6, "code")


def test_duplicate_composite_key(tables):
    records = read_records(tables, "land_prices")
    records.append(records[3])
    write_records(tables / "land_prices.csv", records)
    with pytest.raises(InputError) as caught:
        reference.land_prices()
    assert_names(caught.value, "land_prices", len(records), "land_use_code")


@pytest.mark.parametrize(
    ("table", "column", "value", "loader"),
    [
        ("procedures", "fee_code", "NO-SUCH-FEE", reference.procedures),
        ("procedures", "extra_fee_codes", "TNCN-BDS; NO-SUCH-FEE", reference.procedures),
        ("communes", "province_code", "99", reference.communes),
        ("land_prices", "province_code", "99", reference.land_prices),
        ("land_prices", "land_use_code", "XYZ", reference.land_prices),
        ("staff_posts", "handles_fields", "land; astrology", reference.staff_posts),
    ],
)
def test_broken_cross_reference(tables, table, column, value, loader):
    edit_cell(tables, table, 3, column, value)
    with pytest.raises(InputError) as caught:
        loader()
    assert_names(caught.value, table, 3, column)
    assert repr(value.split("; ")[-1]) in str(caught.value)


def test_commune_total_must_be_3321(tables):
    edit_cell(tables, "provinces", 2, "communes", "127")
    with pytest.raises(InputError) as caught:
        reference.provinces()
    assert_names(caught.value, "provinces", None, "communes")
    assert "3,322" in str(caught.value)


def test_commune_kind_must_match_its_name(tables):
    edit_cell(tables, "communes", 2, "kind", "đặc khu")
    with pytest.raises(InputError) as caught:
        reference.communes()
    assert_names(caught.value, "communes", 2, "kind")


def test_fee_columns_must_fit_the_kind(tables):
    rows = read_records(tables, "fee_schedules")
    row = next(i for i, r in enumerate(rows, start=1) if r[0] == "CT-BANSAO")
    edit_cell(tables, "fee_schedules", row, "later_page_vnd", "")
    with pytest.raises(InputError) as caught:
        reference.fee_schedules()
    assert_names(caught.value, "fee_schedules", row, "later_page_vnd")


def test_budget_sub_item_must_belong_to_its_section(tables):
    edit_cell(tables, "budget_lines", 2, "group_code", "6000")
    with pytest.raises(InputError) as caught:
        reference.budget_lines()
    assert_names(caught.value, "budget_lines", 2, "group_code")


def test_only_leaders_sign(tables):
    rows = read_records(tables, "staff_posts")
    row = next(i for i, r in enumerate(rows, start=1) if r[0] == "dia_chinh")
    edit_cell(tables, "staff_posts", row, "signs", "true")
    with pytest.raises(InputError) as caught:
        reference.staff_posts()
    assert_names(caught.value, "staff_posts", row, "signs")


def test_missing_table(tables):
    (tables / "budget_chapters.csv").unlink()
    with pytest.raises(InputError, match=r"budget_chapters\.csv"):
        reference.budget_chapters()


def test_single_value_reference_is_not_split(tables):
    edit_cell(tables, "land_prices", 2, "land_use_code", "ONT; ODT")
    with pytest.raises(InputError) as caught:
        reference.land_prices()
    assert_names(caught.value, "land_prices", 2, "land_use_code")


def test_errors_name_the_file_line_when_a_cell_spans_lines(tables) -> None:
    """A quoted multi-line cell must not shift the line numbers of later errors."""
    path = tables / "fee_schedules.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header, *records = list(csv.reader(handle))
    records[0][header.index("note")] = "first line\nsecond line"
    write_records(path, [header, *records, records[-1]])
    with pytest.raises(InputError) as caught:
        reference.fee_schedules()
    # header, a two-line first row, the other rows, then the duplicate
    assert caught.value.row == 1 + 2 + (len(records) - 1) + 1
    assert caught.value.field == "code"


def test_procedure_stages_must_add_up_to_the_deadline(tables) -> None:
    assert reference.procedure("DD-CGCN").stages == (17, 3)
    with tables.joinpath("procedures.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    row = next(i for i, r in enumerate(records, start=1) if r[0] == "DD-CGCN")
    edit_cell(tables, "procedures", row, "stage_working_days", "17; 4")
    reference.clear_caches()
    with pytest.raises(InputError) as caught:
        reference.procedures()
    assert (caught.value.row, caught.value.field) == (row, "stage_working_days")
    assert "add up to 21" in caught.value.problem
