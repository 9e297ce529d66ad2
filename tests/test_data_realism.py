"""Generated data that looks real to a commune officer.

Places (village words and streets of the province's region, no house numbers where the
village is the address), names, citizen ids (the code of the place of birth registration,
valid for life), receipt amounts of the size a commune collects, and numbered series
(certificate serials, register books) that run in order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadrelab import reference
from cadrelab.data import providers, vocabulary
from cadrelab.data.budget import generate_budget
from cadrelab.data.bundle import to_csv_bytes
from cadrelab.data.citizens import generate_citizens
from cadrelab.data.gazetteer import gazetteer
from cadrelab.data.generators import GENERATORS
from cadrelab.data.land import RESIDENTIAL_CODES, generate_land
from cadrelab.data.social import generate_social

RED_RIVER_DELTA = ("01", "24", "31", "33", "37")  # Hà Nội … Ninh Bình
HIGHLAND_WORDS = {"Buôn", "Bon", "Plei", "Làng", "Bản", "Sóc"}
WARD_WORDS = {"Tổ dân phố", "Khu phố", "Khối phố", "Khối", "Khóm", "Khu vực"}
MERGER = pd.Timestamp("2025-07-01")


@pytest.fixture(scope="module")
def citizens() -> pd.DataFrame:
    return generate_citizens(6000, 17, 0.0)["citizens"]


def _word(hamlet: pd.Series) -> pd.Series:
    return hamlet.str.rsplit(" ", n=1).str[0]


# --- places -----------------------------------------------------------------------------


def test_village_words_belong_to_the_province(citizens) -> None:
    places = gazetteer()
    kinds = dict(zip(places.commune_names, places.commune_kinds, strict=True))
    for (province, commune), group in citizens.groupby(["province_code", "commune"]):
        kind = kinds[commune]
        allowed = set(vocabulary.settlement_units(province, kind).words.tolist())
        assert set(_word(group["hamlet"])) <= allowed, (province, commune)
    words = _word(citizens["hamlet"])
    rural = ~citizens["commune"].str.startswith("Phường")
    delta = citizens["province_code"].isin(RED_RIVER_DELTA)
    assert not words[delta].isin(HIGHLAND_WORDS).any(), "no buôn, bon, plei or bản in the delta"
    south = citizens["province_code"].map(vocabulary.regions()) == "nam"
    assert (words[south & rural] == "Ấp").mean() > 0.85, "ấp in the south"
    assert not words[~south].isin({"Ấp", "Sóc", "Khóm"}).any(), "ấp, sóc, khóm only in the south"
    assert set(words[~rural]) <= WARD_WORDS
    assert not words[rural].isin(WARD_WORDS).any()
    lai_chau = citizens[rural & (citizens["province_code"] == "12")]
    assert (_word(lai_chau["hamlet"]) == "Bản").mean() > 0.7


def test_every_province_has_village_words_for_every_kind_of_commune() -> None:
    for province in reference.provinces(on=providers.REFERENCE_DATE):
        for kind in ("xã", "phường", "đặc khu"):
            assert len(vocabulary.settlement_units(province.code, kind).words) > 0
    assert set(vocabulary.regions()) == {
        p.code for p in reference.provinces(on=providers.REFERENCE_DATE)
    }


def test_streets_belong_to_the_region(citizens) -> None:
    wards = citizens[citizens["commune"].str.startswith("Phường")]
    regions = wards["province_code"].map(vocabulary.regions())
    for region, group in wards.groupby(regions):
        assert set(group["street"]) <= set(vocabulary.streets(region).words.tolist()), region
    southern_only = set(vocabulary.streets("nam").words.tolist()) - set(
        vocabulary.streets("bac").words.tolist()
    )
    assert {"Nam Kỳ Khởi Nghĩa", "Đồng Khởi"} <= southern_only
    assert not wards.loc[regions == "bac", "street"].isin(southern_only).any()


def test_no_house_number_where_the_village_is_the_address(citizens) -> None:
    rural = ~citizens["commune"].str.startswith("Phường")
    assert citizens.loc[rural, "house_number"].isna().all()
    assert citizens.loc[rural, "street"].isna().all()
    assert not citizens.loc[rural, "address"].str.startswith("Số ").any()
    assert citizens.loc[~rural, "house_number"].notna().all()
    assert citizens.loc[~rural, "address"].str.match(r"^Số \d+ đường ").all()


def test_synthetic_communes_do_not_repeat_across_provinces() -> None:
    units = reference.communes(on=providers.REFERENCE_DATE)
    provinces_of: dict[str, set[str]] = {}
    for unit in units:
        provinces_of.setdefault(unit.name_vi, set()).add(unit.province_code)
    repeated = {name for name, codes in provinces_of.items() if len(codes) > 1}
    assert not repeated & {u.name_vi for u in units if u.synthetic}


def test_every_generated_commune_belongs_to_its_province_and_may_be_taught() -> None:
    """Cases name only units a lesson may show: synthetic ones, or real ones once checked."""
    belongs = {
        (c.province_code, c.name_vi)
        for c in reference.communes(on=providers.REFERENCE_DATE, teachable=True)
    }
    for name in ("citizens", "land", "dossiers", "budget", "staff", "social", "till"):
        for table, frame in GENERATORS[name](300, 2, 0.0).tables.items():
            if "commune" in frame:
                pairs = set(zip(frame["province_code"], frame["commune"], strict=True))
                assert pairs <= belongs, table


def test_a_former_name_drawn_as_a_defect_is_no_current_unit_of_the_table() -> None:
    """A lesson checks addresses against the whole table: an old name must not be in it."""
    every = {(c.province_code, c.name_vi) for c in reference.communes(on=providers.REFERENCE_DATE)}
    places = gazetteer()
    for index in places.with_former_names().tolist():
        province = places.commune_province[index]
        assert not {(province, name) for name in places.former_names[index]} & every


def test_every_province_has_communes_to_draw_from() -> None:
    places = gazetteer()
    assert set(places.commune_province) == set(places.province_codes)


# --- names --------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400))
def test_middle_and_given_names_differ(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    female = providers.draw_female(rng, n)
    names = providers.full_names(rng, female)
    assert (names["middle_name"] != names["given_name"]).all()
    for gender, mask in (("nam", ~female), ("nữ", female)):
        middles = set(vocabulary.middle_names(gender).words.tolist())
        assert names.loc[mask, "middle_name"].isin(middles).all()


def test_names_that_could_repeat_exist_in_the_word_lists() -> None:
    """The rule above is not vacuous: some words are both a middle and a given name."""
    for gender in ("nam", "nữ"):
        middles = set(vocabulary.middle_names(gender).words.tolist())
        assert middles & set(vocabulary.given_names(gender).words.tolist())


# --- citizen ids --------------------------------------------------------------------------


def test_birth_province_code_table_has_the_63_codes_and_their_2025_provinces() -> None:
    table = vocabulary.birth_provinces()
    assert len(table.codes) == 63 == len(set(table.codes.tolist()))
    assert all(len(code) == 3 and code.startswith("0") for code in table.codes)
    provinces = {p.code: p for p in reference.provinces(on=providers.REFERENCE_DATE)}
    assert set(table.province_2025.tolist()) == set(provinces)
    aliases = {"Thừa Thiên Huế": "Huế", "Hồ Chí Minh": "TP Hồ Chí Minh"}
    for code, province in provinces.items():
        assert "0" + code in set(table.of_province(code).tolist()), "a new province keeps a code"
        names = [aliases.get(n, n) for n in table.names[table.province_2025 == code].tolist()]
        former = [n.replace("–", "-") for n in province.former_provinces.split("; ")]
        assert sorted(names) == sorted(former), code


def test_ids_carry_the_code_of_the_former_province_for_births_before_the_merger(
    citizens,
) -> None:
    table = vocabulary.birth_provinces()
    new_codes = {"0" + p.code for p in reference.provinces(on=providers.REFERENCE_DATE)}
    before = citizens["date_of_birth"] < MERGER
    prefix = citizens["citizen_id"].str[:3]
    assert prefix[before].isin(set(table.codes.tolist())).all()
    assert not prefix[before].isin(new_codes).all(), "former provinces' codes do appear"
    assert prefix[~before].isin(new_codes).all()
    assert (~before).sum() > 0, "babies born after 1 July 2025 are in the sample"
    born_in = citizens.loc[before, "province_code"] == citizens.loc[before, "birth_province_code"]
    assert born_in.mean() < 0.8, "merged provinces split into their former codes"


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(sorted(vocabulary.birth_provinces().codes.tolist())),
    birth=st.dates(dt.date(1925, 1, 1), dt.date(2025, 6, 30)),
    female=st.booleans(),
    tail=st.integers(0, 999_999),
)
def test_any_valid_id_of_someone_born_before_the_merger_passes(
    code: str, birth: dt.date, female: bool, tail: int
) -> None:
    digit = (birth.year // 100 - 19) * 2 + female
    cid = f"{code}{digit}{birth.year % 100:02d}{tail:06d}"
    problems = providers.citizen_id_problems(
        pd.Series([cid]), pd.Series([pd.Timestamp(birth)]), pd.Series([female])
    )
    assert problems.tolist() == [""]


@settings(max_examples=30, deadline=None)
@given(
    province=st.sampled_from(sorted(vocabulary.birth_provinces().province_2025.tolist())),
    birth=st.dates(dt.date(1931, 1, 1), dt.date(2025, 9, 30)),
)
def test_registration_code_follows_the_date_of_birth(province: str, birth: dt.date) -> None:
    codes = providers.birth_registration_codes(
        np.random.default_rng(0),
        np.array([int(province)]),
        np.array([birth], dtype="datetime64[D]"),
    )
    code = f"{codes[0]:03d}"
    table = vocabulary.birth_provinces()
    if birth < dt.date(2025, 7, 1):
        assert code in set(table.of_province(province).tolist())
    else:
        assert code == "0" + province


def test_a_valid_id_is_never_injected_as_a_defect() -> None:
    cases = generate_citizens(3000, 23, 1.0)
    frame = cases["citizens"].set_index(cases["citizens"]["person_id"].astype(str))
    problems = providers.citizen_id_problems(
        frame["citizen_id"], frame["date_of_birth"], frame["gender"] == "nữ"
    )
    bad = set(cases.defects_of("citizens", "bad_citizen_id")["row_key"])
    assert len(bad) > 100
    assert (problems[list(bad)] != "").all()
    clean = frame.index.difference(list(bad))
    assert (problems[clean] == "").all()
    details = cases.defects_of("citizens", "bad_citizen_id")["detail"]
    rows = cases.defects_of("citizens", "bad_citizen_id")["row_key"][
        details == "province code not in use"
    ]
    table = set(vocabulary.birth_provinces().codes.tolist())
    assert not frame.loc[list(rows), "citizen_id"].str[:3].isin(table).any()


# --- money --------------------------------------------------------------------------------


def test_receipts_hold_what_a_commune_collects() -> None:
    cases = generate_budget(3000, 5, 0.0)
    receipts = cases["receipts"]
    kinds = vocabulary.receipt_kinds()
    fees = {k.line_code: k for k in kinds if k.basis == "fee"}
    for line, group in receipts.groupby("line_code"):
        allowed = [k for k in kinds if k.line_code == line]
        assert allowed, f"no receipts on line {line}"
        flat = {
            reference.fee_rule(k.fee_code, on=providers.REFERENCE_DATE).amount_vnd
            for k in allowed
            if k.basis == "fee"
            and reference.fee_rule(k.fee_code, on=providers.REFERENCE_DATE).kind == "flat"
        }
        if line in fees and all(
            reference.fee_rule(k.fee_code, on=providers.REFERENCE_DATE).kind == "flat"
            for k in allowed
        ):
            assert set(group["amount"]) <= flat, line
    copies = receipts[receipts["line_code"] == "2716"]["amount"]
    cap = reference.fee_rule("CT-BANSAO", on=providers.REFERENCE_DATE).cap_vnd
    assert copies.max() <= 5 * cap and copies.median() < 50_000
    assert receipts["amount"].median() < 100_000, "most receipts are small fees"
    tax = receipts[receipts["line_code"] == "1601"]["amount"]
    assert 10_000 < tax.median() < 2_000_000
    assert set(receipts["line_code"]) <= {k.line_code for k in kinds}


def test_receipt_kinds_name_fees_that_exist() -> None:
    for kind in vocabulary.receipt_kinds():
        assert kind.basis in ("fee", "land_value", "rough")
        if kind.basis != "rough":
            rule = reference.fee_rule(kind.fee_code, on=providers.REFERENCE_DATE)
            assert rule.kind != "free"
            assert (rule.kind == "rate") == (kind.basis == "land_value")
    lines = {line.code for line in reference.budget_lines("revenue", on=providers.REFERENCE_DATE)}
    assert {k.line_code for k in vocabulary.receipt_kinds()} <= lines


# --- numbered series ----------------------------------------------------------------------


def test_certificate_serials_and_numbers_run_in_order() -> None:
    cases = generate_land(6000, 3, 0.0)
    certificates = cases["certificates"].merge(
        cases["parcels"][["parcel_id", "province_code", "commune"]], on="parcel_id"
    )
    assert certificates["serial"].is_unique
    assert certificates["serial"].str.fullmatch(r"[A-Z]{2} \d{6}").all()
    certificates["year"] = certificates["issued_date"].dt.year
    series = certificates["serial"].str[0].map(ord) - ord("A") + 2005
    assert (series == certificates["year"]).all(), "the first letter marks the year's series"
    ordered = certificates.sort_values(["commune", "year", "issued_date", "serial"])
    for _, group in ordered.groupby(["province_code", "commune", "year"]):
        numbers = group["serial"].str[3:].astype(int).to_numpy()
        assert (np.diff(numbers) >= 1).all() and (np.diff(numbers) <= 2).all()
        running = group["certificate_code"].str[-6:].astype(int).tolist()
        assert running == list(range(1, len(group) + 1))
    for _, group in certificates.sort_values("issued_date").groupby(["province_code", "commune"]):
        numbers = group["registration_no"].str[2:].astype(int).tolist()
        assert sorted(numbers) == list(range(1, len(group) + 1))


def test_death_register_numbers_run_from_one_per_commune_and_year() -> None:
    deaths = generate_social(2000, 8, 0.0)["death_registrations"]
    assert (deaths["register_book"] == "01/" + deaths["registered_date"].dt.year.astype(str)).all()
    for _, group in deaths.groupby(["province_code", "commune", "register_book"]):
        group = group.sort_values(["register_no"])
        assert group["register_no"].tolist() == list(range(1, len(group) + 1))
        assert group["registered_date"].is_monotonic_increasing


# --- land-use codes -----------------------------------------------------------------------


def test_every_land_use_code_the_generators_emit_is_in_the_code_list() -> None:
    cases = generate_land(4000, 6, 0.0)
    valid = {c.code for c in reference.land_use_codes(on=providers.REFERENCE_DATE)}
    for table in ("parcels", "certificates", "transfers"):
        assert set(cases[table]["land_use_code"]) <= valid, table
    for zone in ("đô thị", "nông thôn"):
        assert set(vocabulary.land_use_mix(zone).codes.words.tolist()) <= valid
        assert RESIDENTIAL_CODES[zone] in set(vocabulary.land_use_mix(zone).codes.words.tolist())


# --- determinism --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GENERATORS))
def test_same_seed_gives_byte_identical_tables(name: str) -> None:
    first, again = (GENERATORS[name](300, 41, 0.1) for _ in range(2))
    for table in first.tables:
        assert to_csv_bytes(first[table]) == to_csv_bytes(again[table]), table
    assert to_csv_bytes(first.defects) == to_csv_bytes(again.defects)
