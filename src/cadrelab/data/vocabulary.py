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
from faker.providers.address.vi_VN import Provider as FakerAddress

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
def settlement_units(region: str, commune_kind: str) -> WordList:
    """Village or street-group words of a region for a commune kind (those of a xã if none)."""
    of_region = [r for r in read_csv("settlement_units.csv") if r["region"] == region]
    rows = [r for r in of_region if r["commune_kind"] == commune_kind] or [
        r for r in of_region if r["commune_kind"] == "xã"
    ]
    return _word_list(rows, "prefix")


@functools.cache
def streets() -> np.ndarray:
    """Street names from Faker's vi_VN address provider (a list it gets right)."""
    return np.array([unicodedata.normalize("NFC", s) for s in FakerAddress.streets], dtype=object)


@dataclass(frozen=True)
class LandUseMix:
    """Land-use codes of one zone, their weights and log-normal area parameters."""

    codes: WordList
    area_median: np.ndarray
    area_spread: np.ndarray


@functools.cache
def land_use_mix(zone: str) -> LandUseMix:
    rows = [r for r in read_csv("land_use_mix.csv") if r["zone"] == zone]
    if not rows:
        raise InputError(
            f"no land-use mix for zone {zone!r}",
            file="cadrelab/data/vocabulary/land_use_mix.csv",
            field="zone",
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
