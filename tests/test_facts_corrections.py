"""Every fact corrected in December 2026, on both sides of the day it changes."""

from __future__ import annotations

import datetime as dt

import pytest

from cadrelab import calendar, reference
from cadrelab.errors import InputError

D = dt.date
ONE = dt.timedelta(days=1)


def test_the_catalogue_starts_with_the_two_level_local_government() -> None:
    with pytest.raises(InputError, match="not in force on 2025-06-30"):
        reference.procedure("HT-KS", on=D(2025, 6, 30))
    assert reference.procedure("HT-KS", on=D(2025, 7, 1)).receiving_unit == "TTPVHCC_XA"
    assert len(reference.procedures(on=D(2025, 7, 1))) >= 55


def test_decrees_lapsing_on_1_march_2027_close_their_rows() -> None:
    assert reference.procedure("XH-TCHT", on=D(2027, 2, 28)).deadline_days == 10
    with pytest.raises(InputError, match="2027-03-01"):
        reference.procedure("XH-TCHT", on=D(2027, 3, 1))


def test_monthly_allowance_after_decree_147() -> None:
    row = reference.procedure("XH-TCHT", on=D(2025, 7, 1))
    assert (row.deadline_days, row.deadline_unit, row.deciding_unit) == (10, "working", "UBND_XA")
    assert "147/2025" in row.source


def test_social_pension_from_age_75_is_in_the_catalogue() -> None:
    row = reference.procedure("XH-HTXH", on=D(2025, 7, 1))
    assert "75" in row.name_vi and "176/2025" in row.source and row.deadline_days == 10


def test_land_after_decree_151() -> None:
    first = reference.procedure("DD-CGCN", on=D(2025, 7, 1))
    assert [tuple(s) for s in first.stages_list] == [("VPDKDD", 17), ("UBND_XA", 3)]
    assert first.deciding_unit == "UBND_XA" and "151/2025" in first.source
    transfer = reference.procedure("DD-CN", on=D(2025, 7, 1))
    assert (transfer.deadline_days, transfer.deciding_unit) == (8, "VPDKDD")
    assert [s.agency for s in transfer.outside_stages_list] == ["CO_QUAN_THUE"]
    assert set(transfer.extra_fee_codes_list) == {"TNCN-BDS", "LPTB-NHADAT"}
    mediation = reference.procedure("DD-HG", on=D(2025, 7, 1))
    assert (mediation.deadline_days, mediation.deadline_unit) == (30, "calendar")


def test_tax_declarations_are_not_commune_procedures() -> None:
    codes = {p.code for p in reference.PROCEDURES.rows()}
    assert not {"TC-TNCN", "TC-LPTB", "TC-PNN"} & codes
    assert {p.field for p in reference.PROCEDURES.rows()} <= set(reference.PROCEDURE_FIELDS) - {
        "finance"
    }


def test_disability_assessment_deadline() -> None:
    row = reference.procedure("XH-XDKT", on=D(2025, 7, 1))
    assert (row.deadline_days, row.deadline_unit) == (25, "working")


def test_the_cut_off_applies_only_where_the_law_sets_it() -> None:
    received = dt.datetime(2025, 9, 12, 15, 30)
    for code in ("CT-SY", "CT-CK", "HT-KS", "HT-KT"):
        assert calendar.cutoff_for(reference.procedure(code, on=received), received) == dt.time(15)
    for code in ("HKD-DK", "HT-XNHN", "DD-CN", "XH-TCHT"):
        assert calendar.cutoff_for(reference.procedure(code, on=received), received) is None
    hours = calendar.office_hours(on=received)
    assert not hours.cutoff_everywhere


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),
        (D(2026, 1, 2), False),  # swapped: Công văn 12729/VPCP-KGVX
        (D(2026, 1, 5), True),
        (D(2026, 1, 9), True),
        (D(2026, 1, 10), True),  # the make-up Saturday
        (D(2026, 1, 17), False),
        (D(2026, 11, 24), True),
    ],
)
def test_2026_new_year_swap_and_24_november(day, working) -> None:
    assert calendar.is_working_day(day) is working


def test_business_licence_fee_ends_with_2025() -> None:
    assert reference.fee_rule("MONBAI-HKD-1", on=D(2025, 12, 31)).amount() == 1_000_000
    with pytest.raises(InputError, match="MONBAI-HKD-1"):
        reference.fee_rule("MONBAI-HKD-1", on=D(2026, 1, 1))
    old = reference.budget_line("2862", on=D(2025, 12, 31))
    new = reference.budget_line("2862", on=D(2026, 1, 1))
    assert old.fee_codes_list == ("MONBAI-HKD-1",) and new.fee_codes_list == ()


def test_agricultural_land_tax_exemption_extended_to_2030() -> None:
    before = reference.fee_rule("SDDNN-MIEN", on=D(2025, 12, 31))
    after = reference.fee_rule("SDDNN-MIEN", on=D(2026, 1, 1))
    assert "107/2020/QH14" in before.source and "216/2025/QH15" in after.source
    assert after.amount() == 0 and after.valid_to == D(2030, 12, 31)


def test_income_tax_on_a_transfer_follows_the_contract_date() -> None:
    old = reference.fee_rule("TNCN-BDS", on=D(2026, 6, 30))
    new = reference.fee_rule("TNCN-BDS", on=D(2026, 7, 1))
    assert "04/2007/QH12" in old.source and "04/2007/QH12" not in new.source
    assert old.amount(value=1_000_000_000) == new.amount(value=1_000_000_000) == 20_000_000


def test_registration_fee_cites_its_rate_article() -> None:
    assert "Điều 8, khoản 1" in reference.fee_rule("LPTB-NHADAT", on=D(2025, 9, 1)).source


@pytest.mark.parametrize(
    ("fee", "line"),
    [
        ("HT-LP-XA", "2771"),
        ("CT-BANSAO", "2716"),
        ("HKD-LPDK", "2851"),
        ("DD-LPCGCN", "2805"),
        ("LPTB-NHADAT", "2801"),
    ],
)
def test_fees_are_collected_on_the_right_sub_item(fee, line) -> None:
    day = D(2025, 9, 1)
    lines = [b.code for b in reference.budget_lines("revenue", on=day) if fee in b.fee_codes_list]
    assert lines == [line]


def test_wrong_budget_codes_are_gone() -> None:
    codes = {b.code for b in reference.budget_lines(on=D(2025, 9, 1))}
    assert not {"2602", "2052", "2636", "2662", "1551", "1552", "4254", "4268", "4914"} & codes
    agricultural = reference.budget_line("1301", on=D(2025, 9, 1))
    assert agricultural.group_code == "1300" and "nông nghiệp" in agricultural.name_vi


def test_land_use_codes_follow_circular_08_2024() -> None:
    before, after = D(2024, 7, 31), D(2024, 8, 1)
    assert reference.land_use_code("BHK", on=before).replaced_by_list == ("HNK",)
    with pytest.raises(InputError, match="BHK"):
        reference.land_use_code("BHK", on=after)
    assert reference.land_use_code("HNK", on=after).group == "nông nghiệp"
    assert reference.land_use_code("LUC", on=before).name_vi == "Đất chuyên trồng lúa nước"
    assert reference.land_use_code("LUC", on=after).name_vi == "Đất chuyên trồng lúa"
    assert reference.land_use_code("CNT", on=after).name_vi == "Đất chăn nuôi tập trung"
    assert reference.land_price("01", "nông thôn", "HNK", on=D(2025, 9, 1)) > 0


def test_personal_data_law_from_2026() -> None:
    before = reference.governing_document("personal_data", on=D(2025, 12, 31))
    after = reference.governing_document("personal_data", on=D(2026, 1, 1))
    assert before.document == "Nghị định 13/2023/NĐ-CP"
    assert "91/2025/QH15" in after.document and after.status == "official"


def test_the_one_stop_decree_changes_on_1_july_2025() -> None:
    assert "61/2018" in reference.governing_document("one_stop", on=D(2025, 6, 30)).document
    assert "118/2025" in reference.governing_document("one_stop", on=D(2025, 7, 1)).document


def test_provinces_cite_their_resolutions() -> None:
    assert "1656/NQ-UBTVQH15" in reference.province("01", on=D(2025, 7, 1)).source
    with pytest.raises(InputError):
        reference.province("01", on=D(2025, 7, 1) - ONE)
