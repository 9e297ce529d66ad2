"""Vectorised providers for what Faker ``vi_VN`` gets wrong.

Each function draws a whole column at once from one ``numpy.random.Generator``:

* full names in Vietnamese order (họ, đệm, tên) with surname weights and a middle
  name that agrees with the gender ("Văn" only for men, "Thị" only for women),
  never the same word as the given name;
* 10-digit mobile numbers with real prefixes;
* 12-digit citizen ids (CCCD): the code of the place of birth registration (one of
  the 63 province codes of Thông tư 07/2016/TT-BCA, Phụ lục I, valid for life, so
  people born before 1 July 2025 carry the code of their former province),
  century-and-sex digit, 2-digit birth year, 6 digits (Nghị định 137/2015/NĐ-CP,
  art. 13);
* addresses whose commune belongs to its province, with the village word of the
  province (thôn, xóm, bản, buôn, ấp…) in a xã and a house number, a street of the
  region and a tổ dân phố / khu phố / khóm in a ward;
* money in whole đồng written ``1.250.000 đ``;
* dates of birth counted back from the fixed :data:`REFERENCE_DATE`, not today.

The checks (:func:`citizen_id_problems`, :func:`is_mobile_number`,
:func:`parse_dong`) are public too: tests, self-checks and graders use the same
rules the generators follow.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from numbers import Integral

import numpy as np
import pandas as pd

from cadrelab.data import vocabulary
from cadrelab.data.gazetteer import Gazetteer
from cadrelab.errors import InputError

REFERENCE_DATE = dt.date(2025, 10, 1)
"""The "today" of every synthetic world: ages, statuses and snapshots are taken on this day."""

MERGER_DATE = np.datetime64("2025-07-01", "D")
"""Births registered from this day carry the code of a province formed on 1 July 2025."""

GENDERS = np.array(["nam", "nữ"], dtype=object)

# Share of the population in 5-year age bands 0-4, 5-9, …, 90-94 (rough pyramid, 2019 census shape).
AGE_BAND_WEIGHTS = np.array(
    [8.0, 8.0, 7.6, 7.2, 7.4, 8.0, 8.4, 8.0, 7.4, 7.0, 6.4, 5.6, 4.6, 3.6, 2.3, 1.4, 0.9, 0.5, 0.2]
)

CCCD_PATTERN = re.compile(r"^\d{12}$")
MOBILE_PATTERN = re.compile(r"^0\d{9}$")
DONG_PATTERN = re.compile(r"^-?\d{1,3}(\.\d{3})* đ$")


# --- names ------------------------------------------------------------------------------


def draw_female(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < 0.5


def full_names(rng: np.random.Generator, female: np.ndarray) -> pd.DataFrame:
    """Columns ``surname``, ``middle_name``, ``given_name``, ``full_name`` (họ đệm tên).

    A given name that repeats the middle name ("Minh Minh") is drawn again.
    """
    n = len(female)
    surname = vocabulary.surnames()
    surnames = surname.words[surname.draw(rng, n)]
    middles = np.empty(n, dtype=object)
    givens = np.empty(n, dtype=object)
    for gender, mask in (("nam", ~female), ("nữ", female)):
        count = int(mask.sum())
        middle, given = vocabulary.middle_names(gender), vocabulary.given_names(gender)
        chosen_middle = middle.words[middle.draw(rng, count)]
        chosen_given = given.words[given.draw(rng, count)]
        while (repeated := chosen_given == chosen_middle).any():
            chosen_given[repeated] = given.words[given.draw(rng, int(repeated.sum()))]
        middles[mask], givens[mask] = chosen_middle, chosen_given
    full = [f"{s} {m} {g}" for s, m, g in zip(surnames, middles, givens, strict=True)]
    return pd.DataFrame(
        {"surname": surnames, "middle_name": middles, "given_name": givens, "full_name": full},
        dtype="str",
    )


# --- dates of birth -----------------------------------------------------------------------


def birth_dates(
    rng: np.random.Generator, n: int, *, min_age: int = 0, max_age: int = 94
) -> np.ndarray:
    """Dates of birth (datetime64[D]) for ages min_age..max_age on REFERENCE_DATE."""
    bands = np.arange(len(AGE_BAND_WEIGHTS))
    weights = (
        np.clip(np.minimum(bands * 5 + 5, max_age + 1) - np.maximum(bands * 5, min_age), 0, 5)
        * AGE_BAND_WEIGHTS
    )
    if weights.sum() == 0:
        raise InputError(f"no age between {min_age} and {max_age}", field="age")
    band = rng.choice(bands, size=n, p=weights / weights.sum())
    low = np.maximum(band * 5, min_age)
    high = np.minimum(band * 5 + 5, max_age + 1)
    age_days = (low + rng.random(n) * (high - low)) * 365.2425
    reference = np.datetime64(REFERENCE_DATE, "D")
    return reference - age_days.astype(np.int64).astype("timedelta64[D]") - 1


def ages(birth: np.ndarray, on: dt.date = REFERENCE_DATE) -> np.ndarray:
    """Whole years of age on ``on``."""
    birth = np.asarray(birth, dtype="datetime64[D]")
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    before_birthday = (months > on.month) | ((months == on.month) & (days > on.day))
    return on.year - years - before_birthday


# --- citizen ids (CCCD) -------------------------------------------------------------------


def birth_registration_codes(
    rng: np.random.Generator, provinces: np.ndarray, birth: np.ndarray
) -> np.ndarray:
    """Codes of the place of birth registration, as whole numbers (2 for "002").

    ``provinces`` are the codes (as whole numbers) of the provinces formed on 1 July
    2025 where each birth was registered.  A birth registered before that day
    carries the code of one of the former provinces that make up the province; a
    later birth, the code of the province itself (simplified: see datasets/README.md).
    """
    former, counts = _former_codes()
    pick = (rng.random(len(provinces)) * counts[provinces]).astype(np.int64)
    before = np.asarray(birth, dtype="datetime64[D]") < MERGER_DATE
    return np.where(before, former[provinces, pick], provinces)


@functools.cache
def _former_codes() -> tuple[np.ndarray, np.ndarray]:
    """Row ``p``: the codes of the former provinces of province ``p`` (padded), and how many."""
    table = vocabulary.birth_provinces()
    former = np.zeros((100, 8), dtype=np.int64)
    counts = np.ones(100, dtype=np.int64)
    for province in set(table.province_2025.tolist()):
        codes = sorted(int(code) for code in table.of_province(province).tolist())
        former[int(province), : len(codes)] = codes
        counts[int(province)] = len(codes)
    return former, counts


def citizen_ids(
    rng: np.random.Generator, registration_codes: np.ndarray, birth: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Unique 12-digit CCCD numbers for births registered under those codes (whole numbers)."""
    year = np.asarray(birth, dtype="datetime64[Y]").astype(np.int64) + 1970
    century_sex = (year // 100 - 19) * 2 + female.astype(np.int64)
    prefix = registration_codes * 10**9 + century_sex * 10**8 + (year % 100) * 10**6
    numbers = prefix + rng.integers(0, 10**6, size=len(prefix))
    while True:  # redraw the random part of repeats until every id is unique
        repeated = pd.Series(numbers).duplicated().to_numpy()
        if not repeated.any():
            break
        numbers[repeated] = prefix[repeated] + rng.integers(0, 10**6, size=int(repeated.sum()))
    return np.array([f"{v:012d}" for v in numbers.tolist()], dtype=object)


def registration_codes_in_use(birth: pd.Series) -> list[set[str]]:
    """The three-digit codes valid for each birth date: the 63 codes before 1 July 2025, the
    codes of the provinces formed that day from then on."""
    table = vocabulary.birth_provinces()
    before = set(table.codes.tolist())
    after = {"0" + code for code in set(table.province_2025.tolist())}
    dates = pd.to_datetime(birth).to_numpy().astype("datetime64[D]")
    return [before if day < MERGER_DATE else after for day in dates]


def citizen_id_problems(ids: pd.Series, birth: pd.Series, female: pd.Series) -> pd.Series:
    """What is wrong with each CCCD ("" when nothing).

    The rules: 12 digits; the first three a code of the place of birth registration
    in use on the date of birth (any of the 63 former province codes for a birth
    before 1 July 2025); the century-and-sex digit and the two birth-year digits
    agree with the date of birth and the sex.
    """
    ids = ids.astype("str")
    birth = pd.to_datetime(birth)
    well_formed = ids.str.fullmatch(CCCD_PATTERN.pattern).fillna(False).astype(bool)
    problems = pd.Series("", index=ids.index, dtype="str")
    problems[~well_formed] = "not 12 digits"
    safe = ids.where(well_formed, "000000000000")
    in_use = registration_codes_in_use(birth)
    known = np.array([c in codes for c, codes in zip(safe.str[:3], in_use, strict=True)])
    bad_province = well_formed & ~known
    year = birth.dt.year.to_numpy()
    century_sex = (year // 100 - 19) * 2 + female.to_numpy().astype(np.int64)
    bad_century = well_formed & (safe.str[3].astype(np.int64).to_numpy() != century_sex)
    bad_year = well_formed & (safe.str[4:6].astype(np.int64).to_numpy() != year % 100)
    problems[bad_province] = "province code"
    problems[bad_century & (problems == "")] = "century and sex digit"
    problems[bad_year & (problems == "")] = "birth year digits"
    return problems


# --- phones -------------------------------------------------------------------------------


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """10-digit mobile numbers: a real carrier prefix (0xx) and 7 digits."""
    prefixes = vocabulary.mobile_prefixes()
    prefix = prefixes.words[prefixes.draw(rng, n)].astype(np.int64)
    numbers = prefix * 10**7 + rng.integers(0, 10**7, size=n)
    return np.array([f"0{v:09d}" for v in numbers.tolist()], dtype=object)


def is_mobile_number(phones: pd.Series) -> pd.Series:
    """True where the text is 0 + 9 digits with a prefix in use since the 2018 renumbering."""
    phones = phones.astype("str")
    valid_prefixes = set(vocabulary.mobile_prefixes().words.tolist())
    return phones.str.fullmatch(MOBILE_PATTERN.pattern).fillna(False).astype(bool) & (
        phones.str[:3].isin(valid_prefixes)
    )


# --- addresses ----------------------------------------------------------------------------


def addresses(rng: np.random.Generator, places: Gazetteer, communes: np.ndarray) -> pd.DataFrame:
    """Columns ``house_number``, ``street``, ``hamlet``, ``address``.

    In a ward the address has a house number, a street of the region and the
    street group: "Số 25 đường Lê Lợi, Tổ dân phố 5, Phường …, Thành phố …".  In a
    xã or a special zone people are found by their village, so there is no house
    number or street: "Thôn 3, Xã Yên Phong, Tỉnh Bắc Ninh", "Bản 4, Xã …, Tỉnh Lai Châu".
    """
    n = len(communes)
    hamlets = _numbered(
        places.hamlets.words,
        places.hamlets.draw(rng, communes),
        rng.integers(1, HAMLETS_PER_COMMUNE + 1, size=n),
    )
    urban = places.is_urban(communes)
    house = rng.integers(1, 300, size=n)
    street = places.streets.words[places.streets.draw(rng, communes)]
    street = np.where(urban, street, None)
    provinces = places.province_titles[places.commune_province_index[communes]]
    names = places.commune_names[communes]
    address = [
        f"Số {h} đường {s}, {t}, {c}, {p}" if s else f"{t}, {c}, {p}"
        for h, s, t, c, p in zip(house.tolist(), street, hamlets, names, provinces, strict=True)
    ]
    return pd.DataFrame(
        {
            "house_number": pd.Series(house, dtype="Int64").where(urban),
            "street": pd.array(street, dtype="str"),
            "hamlet": pd.array(hamlets, dtype="str"),
            "address": pd.array(address, dtype="str"),
        }
    )


HAMLETS_PER_COMMUNE = 25


def _numbered(words: np.ndarray, prefixes: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """ "Thôn 3", "Tổ dân phố 12": each distinct text built once, then indexed."""
    width = HAMLETS_PER_COMMUNE + 1
    texts = np.array([f"{w} {k}" for w in words for k in range(width)], dtype=object)
    return texts[prefixes * width + numbers]


# --- money --------------------------------------------------------------------------------


def format_dong(amount: int) -> str:
    """``1250000`` → ``"1.250.000 đ"`` (whole đồng, dots between thousands)."""
    if isinstance(amount, bool) or not isinstance(amount, Integral):
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        else:
            raise InputError(f"money must be whole đồng, not {amount!r}", field="amount")
    return f"{int(amount):,} đ".replace(",", ".")


def format_dong_many(amounts: np.ndarray | pd.Series) -> pd.Series:
    """:func:`format_dong` over a column of whole đồng."""
    values = np.asarray(amounts)
    if values.dtype.kind == "f" and not np.all(np.mod(values, 1) == 0):
        raise InputError("money must be whole đồng", field="amount")
    texts = [f"{v:,} đ".replace(",", ".") for v in values.astype(np.int64).tolist()]
    index = amounts.index if isinstance(amounts, pd.Series) else None
    return pd.Series(texts, index=index, dtype="str")


def parse_dong(text: str) -> int:
    """``"1.250.000 đ"`` → ``1250000``; anything else is an InputError."""
    value = text.strip() if isinstance(text, str) else text
    if not isinstance(value, str) or not DONG_PATTERN.fullmatch(value):
        raise InputError(f"not an amount in đồng like '1.250.000 đ': {text!r}", field="amount")
    return int(value[:-2].replace(".", ""))
