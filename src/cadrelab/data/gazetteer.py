"""Provinces and communes after 1 July 2025 as arrays, for drawing places by index.

Built once from :func:`cadrelab.reference.provinces` and
:func:`cadrelab.reference.communes`; a commune always belongs to its province
because both come from the same row.  Only communes a lesson may show are drawn
(``teachable=True``): the synthetic units, marked illustrative, and real units once
their resolution has been checked; real names nobody has checked yet stay out of the
cases (datasets/README.md).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cadrelab import reference
from cadrelab.data import vocabulary
from cadrelab.errors import InputError

URBAN_KIND = "phường"
# Rough relative population of one commune of each kind, for drawing where people live.
KIND_WEIGHTS = {"xã": 1.0, "phường": 1.5, "đặc khu": 0.1}


@dataclass(frozen=True)
class WordGroups:
    """Words drawn per commune: each commune belongs to a group with its own weighted words."""

    words: np.ndarray  # every word of every group
    groups: tuple[vocabulary.WordList, ...]  # per group: indices into ``words``
    commune_group: np.ndarray  # group of each commune

    def draw(self, rng: np.random.Generator, communes: np.ndarray) -> np.ndarray:
        """Indices into ``words``, one per commune row, drawn with its group's weights."""
        groups = self.commune_group[communes]
        out = np.empty(len(communes), dtype=np.int64)
        for group in np.flatnonzero(np.bincount(groups, minlength=len(self.groups))):
            mask = groups == group
            units = self.groups[group]
            out[mask] = units.words[units.draw(rng, int(mask.sum()))]
        return out


def _word_groups(keys: list, lists: dict) -> WordGroups:
    """Group communes by key (``lists[key]`` is that group's WordList of words)."""
    group_keys = sorted(set(keys))
    words = sorted({w for key in group_keys for w in lists[key].words})
    position = {w: i for i, w in enumerate(words)}
    return WordGroups(
        words=np.array(words, dtype=object),
        groups=tuple(
            vocabulary.WordList(np.array([position[w] for w in lists[key].words]), lists[key].p)
            for key in group_keys
        ),
        commune_group=np.array([group_keys.index(key) for key in keys], dtype=np.int64),
    )


@dataclass(frozen=True)
class Gazetteer:
    """Column arrays of provinces and communes; a generator draws indices into them."""

    province_codes: np.ndarray  # object array of "01", "04", …
    province_names: np.ndarray
    province_titles: np.ndarray  # as written in an address: "Thành phố Hà Nội", "Tỉnh Bắc Ninh"
    commune_province: np.ndarray  # province code of each commune
    commune_province_index: np.ndarray  # index into province_codes
    commune_names: np.ndarray
    commune_kinds: np.ndarray
    commune_regions: np.ndarray
    commune_weights: np.ndarray  # relative population, for drawing communes
    hamlets: WordGroups  # words for a village or street group (thôn, bản, ấp, tổ dân phố…)
    streets: WordGroups  # street names of the commune's region (used in wards)
    former_names: tuple[tuple[str, ...], ...]  # usable pre-merger names of each commune

    @property
    def n_communes(self) -> int:
        return len(self.commune_names)

    def province_index_of(self, codes: np.ndarray) -> np.ndarray:
        """Indices into province_codes of a column of province codes."""
        order = np.argsort(self.province_codes.astype(str))
        sorted_codes = self.province_codes.astype(str)[order]
        codes = np.asarray(codes).astype(str)
        position = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
        if codes.size and not np.all(sorted_codes[position] == codes):
            raise InputError("unknown province code in column", field="province_code")
        return order[position]

    def draw_communes(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Commune indices drawn by population weight.

        Each province's share follows its real number of communes (the reference
        table lists only a sample of them); within a province, wards weigh more than
        communes and special zones much less.
        """
        return rng.choice(self.n_communes, size=n, p=self._commune_p())

    def sample_communes(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """``count`` distinct commune indices (at most all of them), drawn by population weight."""
        return rng.choice(self.n_communes, size=count, replace=False, p=self._commune_p())

    def _commune_p(self) -> np.ndarray:
        return self.commune_weights / self.commune_weights.sum()

    def is_urban(self, communes: np.ndarray) -> np.ndarray:
        return self.commune_kinds[communes] == URBAN_KIND

    def with_former_names(self) -> np.ndarray:
        """Indices of communes that have at least one usable pre-merger name."""
        return np.array([i for i, names in enumerate(self.former_names) if names], dtype=np.int64)


def gazetteer() -> Gazetteer:
    """The gazetteer of the current reference folder (rebuilt when CADRELAB_REFERENCE_DIR moves)."""
    from cadrelab.data.providers import REFERENCE_DATE  # providers imports this module

    # The units in force on the day the synthetic population is described, read on every
    # call so that each use counts as a use of these facts (the build below is cached).
    return _gazetteer(
        reference.provinces(on=REFERENCE_DATE),
        reference.communes(on=REFERENCE_DATE, teachable=True),
    )


@functools.cache
def _gazetteer(provinces: tuple, communes: tuple) -> Gazetteer:
    codes = [p.code for p in provinces]
    position = {code: i for i, code in enumerate(codes)}
    region_of = vocabulary.regions()
    current = {(c.province_code, c.name_vi) for c in communes}
    regions = [region_of[c.province_code] for c in communes]
    sampled = {code: 0.0 for code in codes}
    for commune in communes:
        sampled[commune.province_code] += KIND_WEIGHTS[commune.kind]
    real_count = {p.code: p.communes for p in provinces}
    weights = [
        KIND_WEIGHTS[c.kind] * real_count[c.province_code] / sampled[c.province_code]
        for c in communes
    ]
    hamlet_keys = [(c.province_code, c.kind) for c in communes]
    hamlets = _word_groups(
        hamlet_keys, {key: vocabulary.settlement_units(*key) for key in set(hamlet_keys)}
    )
    streets = _word_groups(regions, {r: vocabulary.streets(r) for r in set(regions)})
    former: list[tuple[str, ...]] = []
    for commune in communes:
        names = commune.former_names_list
        former.append(tuple(n for n in names if (commune.province_code, n) not in current))
    return Gazetteer(
        province_codes=np.array(codes, dtype=object),
        province_names=np.array([p.name_vi for p in provinces], dtype=object),
        province_titles=np.array([_title(p.kind, p.name_vi) for p in provinces], dtype=object),
        commune_province=np.array([c.province_code for c in communes], dtype=object),
        commune_province_index=np.array([position[c.province_code] for c in communes]),
        commune_names=np.array([c.name_vi for c in communes], dtype=object),
        commune_kinds=np.array([c.kind for c in communes], dtype=object),
        commune_regions=np.array(regions, dtype=object),
        commune_weights=np.array(weights),
        hamlets=hamlets,
        streets=streets,
        former_names=tuple(former),
    )


def _title(kind: str, name: str) -> str:
    """ "Thành phố Hà Nội", "Tỉnh Bắc Ninh" ("TP Hồ Chí Minh" is written out in full)."""
    short = name.removeprefix("TP ").strip()
    return f"{kind.capitalize()} {short}"
