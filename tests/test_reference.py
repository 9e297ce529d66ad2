"""Reference tables: they load, answer for a day, and reject broken copies by file, row, column."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrelab import content, reference
from cadrelab.errors import InputError
from tests.reference_copies import (  # noqa: F401 (fixtures)
    edit_cell,
    fresh_caches_fixture,
    read_records,
    row_of,
    tables_fixture,
    write_records,
)

D = dt.date
DAY = D(2025, 9, 15)  # a working Monday under the two-level local government


def assert_names(error: InputError, table: str, row: int | None, column: str) -> None:
    message = str(error)
    assert f"{table}.csv" in message
    assert f"'{column}'" in message
    if row is not None:
        assert f"row {row}:" in message
    assert error.row == row and error.field == column


# --- every registered table loads, has a card and is indexed --------------------------


@pytest.mark.parametrize("name", sorted(reference.REGISTRY))
def test_every_table_loads_and_has_a_data_card(name):
    table = reference.REGISTRY[name]
    assert len(table.rows()) > 0
    card = content.reference_dir() / f"{name}.md"
    assert card.exists()
    index = (content.reference_dir().parent / "README.md").read_text(encoding="utf-8")
    assert f"reference/{name}.md" in index


@pytest.mark.parametrize("name", sorted(reference.REGISTRY))
def test_all_text_is_nfc(name):
    text = (content.reference_dir() / f"{name}.csv").read_text("utf-8")
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("name", sorted(reference.REGISTRY))
def test_every_fact_has_a_source_a_status_and_a_period(name):
    for row in reference.REGISTRY[name].rows():
        assert row.source.strip() and row.status in reference.STATUSES
        first, last = row.period
        assert first <= last
        if row.status in ("official", "simplified"):
            assert row.checked_on is not None, (name, row.line)
        if row.status != "official":
            assert row.status_note, (name, row.line)


def test_lookups_need_a_day():
    with pytest.raises(TypeError, match="on"):
        reference.procedure("HT-KS")  # type: ignore[call-arg]
    with pytest.raises(InputError) as caught:
        reference.procedures(on="mai")
    assert caught.value.field == "on" and caught.value.problem_vi
    assert reference.procedure("HT-KS", on="2025-09-15") == reference.procedure("HT-KS", on=DAY)
    moment = dt.datetime(2025, 9, 15, 16, 30)
    assert reference.fee_rule("CT-BANSAO", on=moment) is reference.fee_rule("CT-BANSAO", on=DAY)


def test_a_day_before_every_version_is_a_clear_error():
    with pytest.raises(InputError) as caught:
        reference.procedure("HT-KS", on=D(2001, 1, 1))
    message = str(caught.value)
    assert "procedures.csv" in message and "'HT-KS'" in message and "2001-01-01" in message
    assert caught.value.field == "valid_from" and caught.value.row is not None
    with pytest.raises(InputError, match="no row is in force on 2001-01-01"):
        reference.procedures(on=D(2001, 1, 1))


def test_unknown_keys_name_the_key():
    with pytest.raises(InputError, match="'XX-NOPE'"):
        reference.procedure("XX-NOPE", on=DAY)
    with pytest.raises(InputError, match="'NOPE'"):
        reference.fee_rule("NOPE", on=DAY)
    with pytest.raises(InputError, match="'99'"):
        reference.province("99", on=DAY)
    with pytest.raises(InputError):
        reference.communes("99", on=DAY)
    with pytest.raises(InputError, match="XYZ"):
        reference.land_price("01", "đô thị", "XYZ", on=DAY)


def test_recording_collects_the_versions_handed_out():
    with reference.recording() as used:
        reference.fee_rule("CT-BANSAO", on=DAY)
        with reference.recording() as inner:
            reference.procedure("HT-KS", on=DAY)
    keys = {(ref.table, ref.key) for ref in used}
    assert keys == {("fee_schedules", "CT-BANSAO"), ("procedures", "HT-KS")}
    assert {(ref.table, ref.key) for ref in inner} == {("procedures", "HT-KS")}


# --- the facts the lessons rely on ------------------------------------------------------


def test_provinces_after_the_reform():
    rows = reference.provinces(on=DAY)
    assert len(rows) == 34
    assert sum(p.communes for p in rows) == 3321
    assert reference.province("01", on=DAY).name_vi == "Hà Nội"
    assert reference.province("79", on=DAY).communes == 168
    assert "202/2025/QH15" in reference.province("25", on=DAY).source


def test_communes_cover_every_province():
    codes = {p.code for p in reference.provinces(on=DAY)}
    for code in codes:
        sample = reference.communes(code, on=DAY)
        assert len(sample) >= 4, code
        assert all(c.province_code == code for c in sample)
    special = [c for c in reference.communes(on=DAY) if c.kind == "đặc khu"]
    assert len(special) == 13
    assert all(c.status == "illustrative" for c in reference.communes(on=DAY) if c.synthetic)


def test_procedures_cover_all_fields_and_weights_sum_to_one():
    rows = reference.procedures(on=DAY)
    assert {p.field for p in rows} <= set(reference.PROCEDURE_FIELDS)
    assert sum(p.volume_weight for p in rows) == pytest.approx(1.0)
    for p in rows:
        assert p.receiving_unit in reference.AGENCIES and p.deciding_unit in reference.AGENCIES
        assert p.components_list


def test_certified_copy_fee():
    copy = reference.fee_rule("CT-BANSAO", on=DAY)
    assert [copy.amount(pages=n) for n in (1, 2, 3)] == [2_000, 4_000, 5_000]
    assert copy.amount(pages=500) == 200_000
    assert reference.fee_rule("CT-CHUKY", on=DAY).amount() == 10_000
    assert reference.fee_rule("CT-HOPDONG", on=DAY).amount() == 50_000


@given(pages=st.integers(min_value=0, max_value=2_000))
def test_certified_copy_fee_is_monotone_and_capped(pages):
    copy = reference.fee_rule("CT-BANSAO", on=DAY)
    assert copy.amount(pages=pages) <= copy.amount(pages=pages + 1) <= 200_000


def test_rates_round_half_up_in_whole_dong():
    tax = reference.fee_rule("LPTB-NHADAT", on=DAY)
    assert tax.amount(value=1_500_000_000) == 7_500_000
    assert tax.amount(value=101) == 1  # 0.505 rounds half up


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
        reference.fee_rule(code, on=DAY).amount(**arguments)
    assert caught.value.field in {"pages", "value"}
    assert caught.value.problem_vi


def test_land_prices_price_every_province_zone_and_transferred_code():
    for p in reference.provinces(on=DAY):
        for zone in ("đô thị", "nông thôn"):
            for code in ("ONT", "ODT", "CLN", "LUC", "NTS"):
                assert reference.land_price(p.code, zone, code, on=DAY) > 0
    assert all(r.status == "illustrative" for r in reference.land_prices(on=DAY))


def test_budget_lines_split_by_kind():
    revenue = reference.budget_lines("revenue", on=DAY)
    expense = reference.budget_lines("expense", on=DAY)
    assert revenue and expense
    assert len(revenue) + len(expense) == len(reference.budget_lines(on=DAY))
    with pytest.raises(InputError):
        reference.budget_lines("income", on=DAY)


def test_staff_posts_and_who_signs():
    posts = {p.code: p for p in reference.staff_posts(on=DAY)}
    assert {code for code, p in posts.items() if p.signs} == {"chu_tich", "pho_chu_tich"}
    handled = {f for p in posts.values() for f in p.handles_fields_list}
    assert handled <= set(reference.PROCEDURE_FIELDS)


# --- broken copies are reported by file, row and column -----------------------------------


def test_bad_type(tables):
    edit_cell(tables, "procedures", 4, "deadline_days", "three")
    with pytest.raises(InputError) as caught:
        reference.procedures(on=DAY)
    assert_names(caught.value, "procedures", 4, "deadline_days")


def test_negative_amount(tables):
    edit_cell(tables, "land_prices", 7, "price_vnd_per_m2", "-1")
    with pytest.raises(InputError) as caught:
        reference.land_prices(on=DAY)
    assert_names(caught.value, "land_prices", 7, "price_vnd_per_m2")


def test_missing_column(tables):
    records = [row[:-1] for row in read_records(tables, "fee_schedules")]  # drop "note"
    write_records(tables / "fee_schedules.csv", records)
    with pytest.raises(InputError) as caught:
        reference.fee_schedules(on=DAY)
    assert_names(caught.value, "fee_schedules", 1, "note")


def test_unknown_column(tables):
    records = read_records(tables, "land_use_codes")
    records = [row + (["colour"] if i == 0 else ["red"]) for i, row in enumerate(records)]
    write_records(tables / "land_use_codes.csv", records)
    with pytest.raises(InputError) as caught:
        reference.land_use_codes(on=DAY)
    assert_names(caught.value, "land_use_codes", 1, "colour")


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("source", "", "required"),
        ("status", "", "required"),
        ("status", "confirmed", "official"),
        ("valid_from", "", "required"),
        ("valid_from", "01/07/2025", "date"),
        ("valid_to", "2000-01-01", "before valid_from"),
    ],
)
def test_fact_columns_are_checked(tables, column, value, words):
    edit_cell(tables, "fee_schedules", 3, column, value)
    with pytest.raises(InputError) as caught:
        reference.fee_schedules(on=DAY)
    assert_names(caught.value, "fee_schedules", 3, column)
    assert words in caught.value.problem


def test_a_non_official_fact_must_say_why(tables):
    row = row_of(tables, "land_prices", "01")
    edit_cell(tables, "land_prices", row, "status_note", "")
    with pytest.raises(InputError) as caught:
        reference.land_prices(on=DAY)
    assert_names(caught.value, "land_prices", row, "status_note")


def test_overlapping_versions_are_refused(tables):
    records = read_records(tables, "fee_schedules")
    header, first = records[0], records[1]
    copy = list(first)
    copy[header.index("valid_from")] = "2025-01-01"
    copy[header.index("valid_to")] = ""
    write_records(tables / "fee_schedules.csv", [*records, copy])
    with pytest.raises(InputError) as caught:
        reference.fee_schedules(on=DAY)
    assert_names(caught.value, "fee_schedules", len(records) + 1, "valid_from")
    assert "overlaps row" in caught.value.problem


def test_a_new_version_after_the_old_one_is_picked_by_date(tables):
    records = read_records(tables, "fee_schedules")
    header = records[0]
    row = row_of(tables, "fee_schedules", "CT-CHUKY")
    old = records[row - 1]
    new = list(old)
    old[header.index("valid_to")] = "2025-12-31"
    new[header.index("valid_from")] = "2026-01-01"
    new[header.index("amount_vnd")] = "12000"
    write_records(tables / "fee_schedules.csv", [*records, new])
    assert reference.fee_rule("CT-CHUKY", on=D(2025, 12, 31)).amount() == 10_000
    assert reference.fee_rule("CT-CHUKY", on=D(2026, 1, 1)).amount() == 12_000
    assert [r.amount() for r in reference.FEES.history("CT-CHUKY")] == [10_000, 12_000]


@pytest.mark.parametrize(
    ("table", "column", "value", "loader"),
    [
        ("procedures", "fee_code", "NO-SUCH-FEE", lambda: reference.procedures(on=DAY)),
        ("procedures", "extra_fee_codes", "NO-SUCH-FEE", lambda: reference.procedures(on=DAY)),
        ("communes", "province_code", "99", lambda: reference.communes(on=DAY)),
        ("land_prices", "province_code", "99", lambda: reference.land_prices(on=DAY)),
        ("land_prices", "land_use_code", "XYZ", lambda: reference.land_prices(on=DAY)),
        ("staff_posts", "handles_fields", "land; astrology", lambda: reference.staff_posts(on=DAY)),
    ],
)
def test_broken_cross_reference(tables, table, column, value, loader):
    edit_cell(tables, table, 3, column, value)
    with pytest.raises(InputError) as caught:
        loader()
    assert_names(caught.value, table, 3, column)
    assert repr(value.split("; ")[-1]) in str(caught.value)


def test_a_reference_must_be_in_force_as_long_as_the_row(tables):
    row = row_of(tables, "fee_schedules", "CT-CHUKY")
    edit_cell(tables, "fee_schedules", row, "valid_to", "2025-12-31")
    procedure = row_of(tables, "procedures", "CT-CK")
    with pytest.raises(InputError) as caught:
        reference.procedures(on=DAY)
    assert_names(caught.value, "procedures", procedure, "fee_code")
    assert "2026-01-01" in caught.value.problem


def test_commune_kind_must_match_its_name(tables):
    edit_cell(tables, "communes", 2, "kind", "đặc khu")
    with pytest.raises(InputError) as caught:
        reference.communes(on=DAY)
    assert_names(caught.value, "communes", 2, "kind")


def test_fee_columns_must_fit_the_kind(tables):
    row = row_of(tables, "fee_schedules", "CT-BANSAO")
    edit_cell(tables, "fee_schedules", row, "later_page_vnd", "")
    with pytest.raises(InputError) as caught:
        reference.fee_schedules(on=DAY)
    assert_names(caught.value, "fee_schedules", row, "later_page_vnd")


def test_budget_sub_item_must_belong_to_its_section(tables):
    edit_cell(tables, "budget_lines", 2, "group_code", "6000")
    with pytest.raises(InputError) as caught:
        reference.budget_lines(on=DAY)
    assert_names(caught.value, "budget_lines", 2, "group_code")


def test_only_leaders_sign(tables):
    row = row_of(tables, "staff_posts", "dia_chinh")
    edit_cell(tables, "staff_posts", row, "signs", "true")
    with pytest.raises(InputError) as caught:
        reference.staff_posts(on=DAY)
    assert_names(caught.value, "staff_posts", row, "signs")


def test_procedure_stages_must_add_up_to_the_deadline(tables) -> None:
    land = reference.procedure("DD-CGCN", on=DAY)
    assert sum(stage.days for stage in land.stages_list) == land.deadline_days
    row = row_of(tables, "procedures", "DD-CGCN")
    edit_cell(tables, "procedures", row, "stages", "VPDKDD 1; UBND_XA 1")
    reference.clear_caches()
    with pytest.raises(InputError) as caught:
        reference.procedures(on=DAY)
    assert (caught.value.row, caught.value.field) == (row, "stages")
    assert "add up to 2" in caught.value.problem


def test_unknown_agency(tables) -> None:
    edit_cell(tables, "procedures", 2, "deciding_unit", "HUYEN")
    with pytest.raises(InputError) as caught:
        reference.procedures(on=DAY)
    assert_names(caught.value, "procedures", 2, "deciding_unit")


def test_missing_table(tables):
    (tables / "budget_chapters.csv").unlink()
    with pytest.raises(InputError, match=r"budget_chapters\.csv"):
        reference.budget_chapters(on=DAY)


def test_errors_name_the_file_line_when_a_cell_spans_lines(tables) -> None:
    """A quoted multi-line cell must not shift the line numbers of later errors."""
    path = tables / "fee_schedules.csv"
    header, *records = read_records(tables, "fee_schedules")
    records[0][header.index("note")] = "first line\nsecond line"
    broken = list(records[-1])
    broken[header.index("amount_vnd")] = "-1"
    write_records(path, [header, *records, broken])
    with pytest.raises(InputError) as caught:
        reference.fee_schedules(on=DAY)
    # header, a two-line first row, the other rows, then the broken one
    assert caught.value.row == 1 + 2 + (len(records) - 1) + 1
