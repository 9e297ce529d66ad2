"""Word lists the generators draw from (``vocabulary/*.csv``), loaded once as arrays.

Weights are normalised to probabilities here, so a generator only indexes.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

import numpy as np

from cadrelab.errors import InputError


@dataclass(frozen=True)
class WordList:
    """Words (an object array of str) with the probability of each."""

    words: np.ndarray
    p: np.ndarray

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices into ``words``, drawn with the list's weights."""
        return rng.choice(len(self.words), size=n, p=self.p)


def read_csv(name: str) -> list[dict[str, str]]:
    source = resources.files("cadrelab.data") / "vocabulary" / name
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [
            {k: unicodedata.normalize("NFC", v.strip()) for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]
    if not rows:
        raise InputError("vocabulary list is empty", file=f"cadrelab/data/vocabulary/{name}")
    return rows


def _word_list(rows: list[dict[str, str]], column: str) -> WordList:
    words = np.array([row[column] for row in rows], dtype=object)
    weights = np.array([float(row["weight"]) for row in rows])
    return WordList(words=words, p=weights / weights.sum())


@functools.cache
def surnames() -> WordList:
    return _word_list(read_csv("surnames.csv"), "surname")


@functools.cache
def middle_names(gender: str) -> WordList:
    return _word_list(
        [r for r in read_csv("middle_names.csv") if r["gender"] == gender], "middle_name"
    )


@functools.cache
def given_names(gender: str) -> WordList:
    return _word_list(
        [r for r in read_csv("given_names.csv") if r["gender"] == gender], "given_name"
    )


@functools.cache
def mobile_prefixes() -> WordList:
    return _word_list(read_csv("mobile_prefixes.csv"), "prefix")


@functools.cache
def regions() -> dict[str, str]:
    return {row["province_code"]: row["region"] for row in read_csv("regions.csv")}


@functools.cache
def settlement_units(province_code: str, commune_kind: str) -> WordList:
    """Village or street-group words of a province for a commune kind (those of a xã if none).

    A special zone (đặc khu) has no rows of its own: it uses the words of the province's xã.
    """
    of_province = [
        r for r in read_csv("settlement_units.csv") if r["province_code"] == province_code
    ]
    rows = [r for r in of_province if r["commune_kind"] == commune_kind] or [
        r for r in of_province if r["commune_kind"] == "xã"
    ]
    found = _found(rows, "settlement_units.csv", "province_code", province_code)
    return _word_list(found, "prefix")


@functools.cache
def streets(region: str) -> WordList:
    """Street names used in the wards of a region (names found nationwide and local ones)."""
    rows = [r for r in read_csv("streets.csv") if region in _split(r["regions"])]
    return _word_list(_found(rows, "streets.csv", "regions", region), "street")


def _found(rows: list[dict[str, str]], name: str, field: str, value: str) -> list[dict[str, str]]:
    """``rows`` when there are any; else an InputError naming the list and the missing value."""
    if not rows:
        raise InputError(
            f"no rows for {field} {value!r}", file=f"cadrelab/data/vocabulary/{name}", field=field
        )
    return rows


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


@dataclass(frozen=True)
class BirthProvinces:
    """The 63 codes of the place of birth registration in a citizen id (valid for life).

    ``codes`` are the three digits as written in the id ("001", "002", …);
    ``province_2025`` is the province each one became part of on 1 July 2025.
    """

    codes: np.ndarray
    names: np.ndarray
    province_2025: np.ndarray

    def of_province(self, province_code: str) -> np.ndarray:
        """Codes of the former provinces that make up a province since 1 July 2025."""
        return self.codes[self.province_2025 == province_code]


@functools.cache
def birth_provinces() -> BirthProvinces:
    rows = read_csv("birth_province_codes.csv")
    return BirthProvinces(
        codes=np.array([r["code"] for r in rows], dtype=object),
        names=np.array([r["name_vi"] for r in rows], dtype=object),
        province_2025=np.array([r["province_code_2025"] for r in rows], dtype=object),
    )


@dataclass(frozen=True)
class LandUseMix:
    """Land-use codes of one zone, their weights and log-normal area parameters."""

    codes: WordList
    area_median: np.ndarray
    area_spread: np.ndarray


@functools.cache
def land_use_mix(zone: str) -> LandUseMix:
    rows = _found(
        [r for r in read_csv("land_use_mix.csv") if r["zone"] == zone],
        "land_use_mix.csv",
        "zone",
        zone,
    )
    return LandUseMix(
        codes=_word_list(rows, "land_use_code"),
        area_median=np.array([float(r["area_median_m2"]) for r in rows]),
        area_spread=np.array([float(r["area_spread"]) for r in rows]),
    )


@functools.cache
def documents() -> tuple[WordList, np.ndarray, np.ndarray]:
    """Documents for certified copies, with their minimum and maximum page counts."""
    rows = read_csv("documents.csv")
    pages_min = np.array([int(r["pages_min"]) for r in rows])
    pages_max = np.array([int(r["pages_max"]) for r in rows])
    return _word_list(rows, "document_vi"), pages_min, pages_max


@functools.cache
def payees() -> tuple[dict[str, str], np.ndarray]:
    """The usual payee of an expense line, and payees for lines that have none."""
    rows = read_csv("payees.csv")
    usual = {r["line_code"]: r["payee_vi"] for r in rows if r["line_code"] != "*"}
    others = np.array([r["payee_vi"] for r in rows if r["line_code"] == "*"], dtype=object)
    return usual, others


@functools.cache
def allowance_categories() -> tuple[WordList, np.ndarray, np.ndarray]:
    """Beneficiary groups with the youngest and oldest age drawn for each."""
    rows = read_csv("allowance_categories.csv")
    low = np.array([int(r["min_age"]) for r in rows])
    high = np.array([int(r["max_age"]) for r in rows])
    return _word_list(rows, "category_vi"), low, high


@dataclass(frozen=True)
class ReceiptKind:
    """One kind of revenue receipt: its budget line, how its amount is found, and its share.

    ``basis``: ``fee`` (the fee rule ``fee_code`` of the reference tables), ``land_value``
    (the rate ``fee_code`` on the price-table value of a residential parcel) or ``rough``
    (no legal amount: a log-normal around ``median_vnd``, rounded to ``round_vnd``).
    """

    line_code: str
    basis: str
    fee_code: str
    weight: float
    median_vnd: float
    spread: float
    round_vnd: int


@functools.cache
def receipt_kinds() -> tuple[ReceiptKind, ...]:
    """What a commune issues revenue receipts for (revenue_receipts.csv)."""
    kinds = []
    for row in read_csv("revenue_receipts.csv"):
        rough = row["basis"] == "rough"
        kinds.append(
            ReceiptKind(
                line_code=row["line_code"],
                basis=row["basis"],
                fee_code=row["fee_code"],
                weight=float(row["weight"]),
                median_vnd=float(row["median_vnd"]) if rough else 0.0,
                spread=float(row["spread"]) if rough else 0.0,
                round_vnd=int(row["round_vnd"]) if rough else 1,
            )
        )
    return tuple(kinds)
