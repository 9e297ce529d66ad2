"""Providers for what Faker vi_VN gets wrong: names, CCCD, phones, addresses, money, ages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrelab import reference
from cadrelab.data import format_dong, format_dong_many, parse_dong, providers, vocabulary
from cadrelab.data.citizens import generate_citizens
from cadrelab.data.gazetteer import gazetteer
from cadrelab.data.people import draw_people
from cadrelab.errors import InputError


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return draw_people(np.random.default_rng(1), gazetteer(), 5000)


def test_names_are_in_vietnamese_order_with_gender_consistent_middle_names(people) -> None:
    surnames = set(vocabulary.surnames().words.tolist())
    middles = {g: set(vocabulary.middle_names(g).words.tolist()) for g in ("nam", "nữ")}
    givens = {g: set(vocabulary.given_names(g).words.tolist()) for g in ("nam", "nữ")}
    for name, gender in zip(people["full_name"], people["gender"], strict=True):
        surname, middle, given_name = name.split(" ")
        assert surname in surnames
        assert middle in middles[gender]
        assert given_name in givens[gender]
    parts = people["full_name"].str.split(" ")
    assert not parts[people["gender"] == "nam"].str[1].eq("Thị").any()
    assert not parts[people["gender"] == "nữ"].str[1].eq("Văn").any()
    assert parts[people["gender"] == "nữ"].str[1].eq("Thị").mean() > 0.3


def test_surname_weights_are_realistic(people) -> None:
    shares = people["full_name"].str.split(" ").str[0].value_counts(normalize=True)
    assert shares.index[0] == "Nguyễn"
    assert 0.33 < shares["Nguyễn"] < 0.44
    assert shares["Trần"] > shares["Đặng"]


def test_text_is_nfc(people) -> None:
    import unicodedata

    for column in ("full_name", "address", "commune"):
        assert all(unicodedata.is_normalized("NFC", v) for v in people[column])


def test_citizen_ids_follow_the_cccd_structure(people) -> None:
    table = vocabulary.birth_provinces()
    ids = people["citizen_id"]
    assert ids.str.fullmatch(r"\d{12}").all()
    assert ids.is_unique
    assert ids.str[:3].isin(set(table.codes.tolist())).all()
    assert (ids.str[:3] == "0" + people["birth_province_code"]).all()
    year = people["date_of_birth"].dt.year
    century_sex = (year // 100 - 19) * 2 + (people["gender"] == "nữ").astype(int)
    assert (ids.str[3].astype(int) == century_sex).all()
    assert set(century_sex) == {0, 1, 2, 3}
    assert (ids.str[4:6].astype(int) == year % 100).all()
    problems = providers.citizen_id_problems(ids, people["date_of_birth"], people["gender"] == "nữ")
    assert (problems == "").all()


def test_citizen_id_problems_names_each_broken_rule() -> None:
    ids = pd.Series(["00119012345", "099190123456", "001290123456", "001088123456"])
    birth = pd.Series(pd.to_datetime(["1990-01-01"] * 4))
    female = pd.Series([False] * 4)
    problems = providers.citizen_id_problems(ids, birth, female)
    assert problems.tolist() == [
        "not 12 digits",
        "province code",
        "century and sex digit",
        "birth year digits",
    ]


def test_phones_are_ten_digit_mobile_numbers(people) -> None:
    prefixes = set(vocabulary.mobile_prefixes().words.tolist())
    assert people["phone"].str.fullmatch(r"0\d{9}").all()
    assert people["phone"].str[:3].isin(prefixes).all()
    assert providers.is_mobile_number(people["phone"]).all()
    assert not providers.is_mobile_number(
        pd.Series(["012345678", "01681234567", "0123456789"])
    ).any()


def test_addresses_name_a_commune_of_their_province(people) -> None:
    belongs = {
        (c.province_code, c.name_vi) for c in reference.communes(on=providers.REFERENCE_DATE)
    }
    places = gazetteer()
    titles = dict(zip(places.province_codes, places.province_titles, strict=True))
    for row in people.itertuples():
        assert (row.province_code, row.commune) in belongs
        assert row.address.endswith(f", {row.commune}, {titles[row.province_code]}")
        assert f"{row.hamlet}, " in row.address
    wards = people[people["commune"].str.startswith("Phường")]
    assert wards["hamlet"].str.match(r"^(Tổ dân phố|Khu phố|Khối phố|Khối|Khóm|Khu vực) \d+$").all()
    assert (wards["street"].str.len() > 0).all()
    assert [
        a.startswith(f"Số {h} đường {s}, ")
        for a, h, s in zip(wards["address"], wards["house_number"], wards["street"], strict=True)
    ] == [True] * len(wards)
    rural = people[~people["commune"].str.startswith("Phường")]
    assert rural["hamlet"].str.match(r"^(Thôn|Xóm|Bản|Khu|Làng|Plei|Buôn|Bon|Ấp|Sóc) \d+$").all()
    assert rural["street"].isna().all() and rural["house_number"].isna().all()
    assert (
        rural["address"]
        == rural["hamlet"] + ", " + rural["commune"] + ", " + rural["province_code"].map(titles)
    ).all()


def test_province_titles_are_written_out() -> None:
    titles = set(gazetteer().province_titles)
    assert {"Thành phố Hà Nội", "Thành phố Hồ Chí Minh", "Tỉnh Bắc Ninh"} <= titles


def test_dates_of_birth_count_back_from_the_reference_date() -> None:
    rng = np.random.default_rng(3)
    birth = providers.birth_dates(rng, 2000, min_age=18, max_age=60)
    ages = providers.ages(birth)
    assert ages.min() >= 18 and ages.max() <= 61
    again = providers.birth_dates(np.random.default_rng(3), 2000, min_age=18, max_age=60)
    assert (birth == again).all()
    assert providers.ages(
        np.array(["2000-10-01", "2000-10-02"], dtype="datetime64[D]")
    ).tolist() == [25, 24]


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 đ"),
        (500, "500 đ"),
        (1000, "1.000 đ"),
        (1_250_000, "1.250.000 đ"),
        (200_000, "200.000 đ"),
        (-15_000, "-15.000 đ"),
        (12_000_000_000, "12.000.000.000 đ"),
    ],
)
def test_money_is_whole_dong_with_dots(amount: int, text: str) -> None:
    assert format_dong(amount) == text
    assert parse_dong(text) == amount


@given(st.integers(-(10**15), 10**15))
def test_money_round_trips(amount: int) -> None:
    assert parse_dong(format_dong(amount)) == amount
    assert format_dong_many(np.array([amount])).tolist() == [format_dong(amount)]


@pytest.mark.parametrize("bad", [1.5, "1000", None, True])
def test_money_refuses_fractions_and_non_numbers(bad: object) -> None:
    with pytest.raises(InputError):
        format_dong(bad)


@pytest.mark.parametrize("bad", ["1,250,000 đ", "1250000", "1.25.000 đ", "đ", "1.250.000đ"])
def test_parse_dong_refuses_other_spellings(bad: str) -> None:
    with pytest.raises(InputError):
        parse_dong(bad)


def test_pre_merger_names_are_former_names_of_the_commune() -> None:
    cases = generate_citizens(2000, 4, 0.3)
    former = {
        (c.province_code, n)
        for c in reference.communes(on=providers.REFERENCE_DATE)
        for n in c.former_names_list
    }
    rows = cases.defects_of("citizens", "pre_merger_commune")
    assert len(rows) > 0
    citizens = cases["citizens"].set_index(cases["citizens"]["person_id"].astype(str))
    for key in rows["row_key"]:
        row = citizens.loc[key]
        assert (row["province_code"], row["commune"]) in former
        assert f", {row['commune']}, " in row["address"]
