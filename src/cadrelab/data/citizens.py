"""Citizens: residents with a name, gender, date of birth, CCCD, phone and address.

Defects: a citizen id that breaks the CCCD structure (never a valid id that carries
the code of a province merged in 2025), a phone number that is not
a valid mobile number, an address that still uses a pre-merger commune name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadrelab.data import defects, vocabulary
from cadrelab.data.cases import Cases
from cadrelab.data.gazetteer import Gazetteer, gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.people import draw_people
from cadrelab.data.seeds import stream


def generate_citizens(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """``n`` citizens; ``defect_rate`` of them carry one defect (see module doc)."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    rng = stream(seed, "citizens")
    communes = places.draw_communes(rng, n)
    people = draw_people(rng, places, n, communes=communes)
    citizens = pd.concat(
        [pd.DataFrame({"person_id": np.arange(1, n + 1, dtype=np.int64)}), people], axis=1
    )
    ledger = defects.Ledger()
    chosen = defects.plan(
        stream(seed, "citizens.defects"),
        n,
        rate,
        {
            "bad_citizen_id": None,
            "bad_phone": None,
            "pre_merger_commune": np.isin(communes, places.with_former_names()),
        },
    )
    rng = stream(seed, "citizens.defects.values")
    rows = chosen["bad_citizen_id"]
    citizens.loc[rows, "citizen_id"], detail = corrupt_citizen_ids(
        rng, citizens.loc[rows, "citizen_id"].to_numpy()
    )
    ledger.add("citizens", "bad_citizen_id", citizens.loc[rows, "person_id"], detail)
    rows = chosen["bad_phone"]
    citizens.loc[rows, "phone"], detail = corrupt_phones(
        rng, citizens.loc[rows, "phone"].to_numpy()
    )
    ledger.add("citizens", "bad_phone", citizens.loc[rows, "person_id"], detail)
    rows = chosen["pre_merger_commune"]
    former = use_former_names(rng, places, citizens, rows, communes[rows])
    ledger.add(
        "citizens",
        "pre_merger_commune",
        citizens.loc[rows, "person_id"],
        renamed(former, places.commune_names[communes[rows]]),
    )
    return Cases(tables={"citizens": citizens}, defects=ledger.frame())


def corrupt_citizen_ids(rng: np.random.Generator, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Break one CCCD rule per id: length, province code, century-and-sex digit or birth year.

    The wrong province code is one that no province ever had: any of the 63 codes,
    including those of provinces merged on 1 July 2025, is valid for life.
    """
    ways = rng.integers(0, 4, size=len(ids))
    in_use = set(vocabulary.birth_provinces().codes.tolist())
    unused = sorted(f"0{p:02d}" for p in range(100) if f"0{p:02d}" not in in_use)
    out, details = [], []
    for value, way in zip(ids.tolist(), ways.tolist(), strict=True):
        if way == 0:
            out.append(value[:-1])
            details.append("11 digits")
        elif way == 1:
            out.append(unused[int(rng.integers(0, len(unused)))] + value[3:])
            details.append("province code not in use")
        elif way == 2:
            digit = (int(value[3]) + int(rng.integers(1, 4))) % 4
            out.append(value[:3] + str(digit) + value[4:])
            details.append("century and sex digit")
        else:
            year = (int(value[4:6]) + int(rng.integers(1, 99))) % 100
            out.append(f"{value[:4]}{year:02d}{value[6:]}")
            details.append("birth year digits")
    return np.array(out, dtype=object), np.array(details, dtype=object)


OLD_ELEVEN_DIGIT_PREFIXES = (
    "0162",
    "0163",
    "0164",
    "0165",
    "0166",
    "0167",
    "0168",
    "0169",
    "0120",
    "0121",
    "0122",
    "0126",
    "0128",
    "0123",
    "0124",
    "0125",
)


def corrupt_phones(rng: np.random.Generator, phones: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A digit missing, a digit too many, or an old 11-digit number from before 2018."""
    ways = rng.integers(0, 3, size=len(phones))
    out, details = [], []
    for value, way in zip(phones.tolist(), ways.tolist(), strict=True):
        if way == 0:
            out.append(value[:-1])
            details.append("9 digits")
        elif way == 1:
            out.append(value + str(int(rng.integers(0, 10))))
            details.append("11 digits")
        else:
            prefix = OLD_ELEVEN_DIGIT_PREFIXES[int(rng.integers(0, len(OLD_ELEVEN_DIGIT_PREFIXES)))]
            out.append(prefix + value[3:])
            details.append("old 11-digit prefix (before 2018)")
    return np.array(out, dtype=object), np.array(details, dtype=object)


def renamed(former: np.ndarray, current: np.ndarray) -> list[str]:
    return [f"{old} (now {new})" for old, new in zip(former, current, strict=True)]


def use_former_names(
    rng: np.random.Generator,
    places: Gazetteer,
    frame: pd.DataFrame,
    rows: np.ndarray,
    communes: np.ndarray,
    *,
    address: bool = True,
) -> np.ndarray:
    """Put a pre-merger name of each row's commune in ``commune`` (and in ``address``)."""
    former = np.array(
        [
            names[int(rng.integers(0, len(names)))]
            for names in (places.former_names[c] for c in communes.tolist())
        ],
        dtype=object,
    )
    if address:
        current = places.commune_names[communes]
        frame.loc[rows, "address"] = [
            text.replace(f", {old}, ", f", {new}, ")
            for text, old, new in zip(
                frame.loc[rows, "address"].tolist(), current, former, strict=True
            )
        ]
    frame.loc[rows, "commune"] = former
    return former
