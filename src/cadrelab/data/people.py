"""Synthetic people: identity columns for anyone, contact and address columns for residents."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadrelab.data import providers
from cadrelab.data.columns import str_column
from cadrelab.data.gazetteer import Gazetteer

BORN_IN_HOME_PROVINCE = 0.8
TWO_DIGITS = np.array([f"{k:02d}" for k in range(100)], dtype=object)


def identities(
    rng: np.random.Generator,
    places: Gazetteer,
    home_provinces: np.ndarray,
    *,
    min_age: int = 0,
    max_age: int = 94,
    birth: np.ndarray | None = None,
) -> pd.DataFrame:
    """full_name, gender, date_of_birth, birth_province_code, citizen_id.

    ``home_provinces`` (indices into the provinces) is where each person lives;
    most were born there, the rest anywhere.  ``birth_province_code`` is the code of
    the place of birth registration, as the citizen id carries it: a former
    province for births before 1 July 2025.  Dates of birth are drawn for ages
    ``min_age``..``max_age`` unless given.  Citizen ids are unique within one call.
    """
    n = len(home_provinces)
    female = providers.draw_female(rng, n)
    names = providers.full_names(rng, female)
    if birth is None:
        birth = providers.birth_dates(rng, n, min_age=min_age, max_age=max_age)
    elsewhere = rng.integers(0, len(places.province_codes), size=n)
    birth_province = np.where(rng.random(n) < BORN_IN_HOME_PROVINCE, home_provinces, elsewhere)
    registered = providers.birth_registration_codes(
        rng, places.province_codes.astype(np.int64)[birth_province], birth
    )
    return pd.DataFrame(
        {
            "full_name": names["full_name"],
            "gender": pd.Categorical.from_codes(female.astype(np.int8), providers.GENDERS).astype(
                "str"
            ),
            "date_of_birth": birth.astype("datetime64[s]"),
            "birth_province_code": str_column(TWO_DIGITS, registered),
            "citizen_id": pd.array(
                providers.citizen_ids(rng, registered, birth, female), dtype="str"
            ),
        }
    )


def draw_people(
    rng: np.random.Generator,
    places: Gazetteer,
    n: int,
    *,
    communes: np.ndarray | None = None,
    min_age: int = 0,
    max_age: int = 94,
) -> pd.DataFrame:
    """Residents of ``communes`` (drawn when not given): identity, phone and address."""
    if communes is None:
        communes = places.draw_communes(rng, n)
    people = identities(
        rng, places, places.commune_province_index[communes], min_age=min_age, max_age=max_age
    )
    people["phone"] = pd.array(providers.mobile_numbers(rng, n), dtype="str")
    people["province_code"] = pd.array(places.commune_province[communes], dtype="str")
    people["commune"] = pd.array(places.commune_names[communes], dtype="str")
    return pd.concat([people, providers.addresses(rng, places, communes)], axis=1)
