"""Land: cadastral parcels, their certificates and transfers of land-use rights.

* ``parcels`` — a parcel (thửa số) on a map sheet (tờ bản đồ số) of a commune, with
  its area in m² and land-use code (Thông tư 25/2014 list, in land_use_codes.csv).
* ``certificates`` — the certificate of land-use rights (Thông tư 10/2024 fields,
  simplified formats, see :data:`CERTIFICATE_FORMATS`): certificate code, serial,
  registration number, holder, parcel, area, land use, date of issue.
* ``transfers`` — sales of certified parcels (chuyển nhượng) filed after the
  reform: contract price against the price-table value (land price × area);
  personal income tax (TNCN-BDS, 2%) and registration fee (LPTB-NHADAT, 0.5%) are
  charged on the larger of the two (Thông tư 111/2013/TT-BTC; Nghị định
  10/2022/NĐ-CP, art. 7: the contract price when it is higher than the table),
  rounded half up to whole đồng.

Defects: duplicate (sheet, parcel) pairs in a commune, land-use codes not in the
list, pre-merger commune names (parcels); certificate area different from the
parcel's (certificates); contract price below the price-table value, income tax
computed on the lower price (transfers).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cadrelab import reference
from cadrelab.data import defects
from cadrelab.data.cases import Cases
from cadrelab.data.citizens import renamed, use_former_names
from cadrelab.data.clock import working_days
from cadrelab.data.columns import commune_numbers, cumulative_within, rank_within, str_column
from cadrelab.data.gazetteer import Gazetteer, gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.people import identities
from cadrelab.data.seeds import stream
from cadrelab.data.vocabulary import land_use_mix
from cadrelab.errors import InputError

ZONES = ("đô thị", "nông thôn")
RESIDENTIAL_CODES = {"đô thị": "ODT", "nông thôn": "ONT"}  # land for housing in each zone
INCOME_TAX_RULE = "TNCN-BDS"
REGISTRATION_FEE_RULE = "LPTB-NHADAT"
CERTIFIED_SHARE = 0.9
TRANSFER_SHARE = 0.1
SHEETS_PER_COMMUNE = (5, 80)
ISSUE_PERIOD = (dt.date(2005, 1, 1), dt.date(2025, 6, 30))
CONTRACT_PERIOD = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
FILING_DAYS_MAX = 30  # Luật Đất đai 2024, art. 133: register within 30 days of the change
PRICE_ROUNDING = 100_000
# Codes that look like land-use codes but are not in the list (typos, swapped letters).
INVALID_LAND_USE_CODES = ("OTD", "DOT", "ONN", "CNL", "LCU", "LUX", "BKH", "RXS", "NTT", "ODD")

CERTIFICATE_FORMATS = {
    "certificate_code": "PPCCC.YYYY.NNNNNN: province code, commune number within the province "
    "(3 digits), year of issue, running number in the commune that year (simplified, verify "
    "against Thông tư 10/2024/TT-BTNMT)",
    "serial": "two capital letters and 6 digits printed on the blank: blanks are used in "
    "numbered order, so a commune's certificates of one year carry consecutive serials except "
    "for spoiled blanks; the first letter marks the year's series, the second the next million "
    "(simplified)",
    "registration_no": "CS + running number in the commune's certificate register (simplified)",
}
SERIES_FIRST_YEAR = ISSUE_PERIOD[0].year
SERIES_SIZE = 1_000_000
SPOILED_BLANK_SHARE = 0.02


def generate_land(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """``n`` parcels with their certificates and transfers (see module doc)."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    prices = _price_table(places)
    ledger = defects.Ledger()
    parcels, communes = _parcels(stream(seed, "parcels"), places, n)
    parcels, bad_parcels = _parcel_defects(seed, places, parcels, communes, rate, ledger)
    certificates, clean_values = _certificates(
        stream(seed, "certificates"), places, parcels, communes
    )
    certificates, bad_certificates = _certificate_defects(seed, certificates, rate, ledger)
    sellable = ~np.isin(certificates["parcel_id"].to_numpy(), bad_parcels) & ~bad_certificates
    transfers = _transfers(
        stream(seed, "transfers"), places, prices, certificates[sellable], clean_values[sellable]
    )
    transfers = _transfer_defects(seed, transfers, rate, ledger)
    return Cases(
        tables={"parcels": parcels, "certificates": certificates, "transfers": transfers},
        defects=ledger.frame(),
    )


# --- parcels ------------------------------------------------------------------------------


def _parcels(
    rng: np.random.Generator, places: Gazetteer, n: int
) -> tuple[pd.DataFrame, np.ndarray]:
    communes = places.draw_communes(rng, n)
    urban = places.is_urban(communes)
    codes = np.empty(n, dtype=object)
    area = np.empty(n)
    for zone_index, zone in enumerate(ZONES):
        mask = urban if zone_index == 0 else ~urban
        count = int(mask.sum())
        mix = land_use_mix(zone)
        pick = mix.codes.draw(rng, count)
        codes[mask] = mix.codes.words[pick]
        spread = mix.area_spread[pick] * rng.standard_normal(count)
        area[mask] = mix.area_median[pick] * np.exp(spread)
    area = np.round(np.clip(area, 30.0, 100_000.0), 1)
    sheets = _sheets_per_commune(rng, places)[communes]
    sheet = (rng.random(n) * sheets).astype(np.int64) + 1
    parcel_no = _numbers_within(rng, communes * 1000 + sheet)
    parcels = pd.DataFrame(
        {
            "parcel_id": np.arange(1, n + 1, dtype=np.int64),
            "province_code": str_column(places.commune_province, communes),
            "commune": str_column(places.commune_names, communes),
            "zone": pd.Categorical.from_codes((~urban).astype(np.int8), ZONES).astype("str"),
            "map_sheet": sheet,
            "parcel_no": parcel_no,
            "area_m2": area,
            "land_use_code": pd.array(codes, dtype="str"),
        }
    )
    return parcels, communes


def _sheets_per_commune(rng: np.random.Generator, places: Gazetteer) -> np.ndarray:
    low, high = SHEETS_PER_COMMUNE
    return rng.integers(low, high + 1, size=places.n_communes)


def _numbers_within(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Increasing numbers with small random gaps inside each group, in random order."""
    n = len(groups)
    order = np.lexsort((rng.random(n), groups))
    return cumulative_within(groups, order, rng.integers(1, 4, size=n))


def _parcel_defects(
    seed: int,
    places: Gazetteer,
    parcels: pd.DataFrame,
    communes: np.ndarray,
    rate: float,
    ledger: defects.Ledger,
) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(parcels)
    chosen = defects.plan(
        stream(seed, "parcels.defects"),
        n,
        rate,
        {
            "parcel_pre_merger_commune": np.isin(communes, places.with_former_names()),
            "duplicate_parcel": None,
            "invalid_land_use_code": None,
        },
    )
    rng = stream(seed, "parcels.defects.values")
    ids = parcels["parcel_id"].to_numpy()

    rows = chosen["parcel_pre_merger_commune"]
    former = use_former_names(rng, places, parcels, rows, communes[rows], address=False)
    ledger.add(
        "parcels",
        "parcel_pre_merger_commune",
        ids[rows],
        renamed(former, places.commune_names[communes[rows]]),
    )

    copies, sources = _duplicate_sources(
        rng, communes, chosen["duplicate_parcel"], excluded=chosen["parcel_pre_merger_commune"]
    )
    for column in ("map_sheet", "parcel_no"):
        values = parcels[column].to_numpy().copy()
        for copy, source in zip(copies.tolist(), sources.tolist(), strict=True):
            values[copy] = values[source]  # in row order, so a copy of a copy is right too
        parcels[column] = values
    ledger.add(
        "parcels",
        "duplicate_parcel",
        ids[copies],
        [f"same sheet and parcel as parcel_id {ids[s]}" for s in sources.tolist()],
    )

    rows = chosen["invalid_land_use_code"]
    valid = {c.code for c in reference.land_use_codes(on=ISSUE_PERIOD[1])}
    pool = np.array([c for c in INVALID_LAND_USE_CODES if c not in valid], dtype=object)
    bad = pool[rng.integers(0, len(pool), size=len(rows))]
    details = [
        f"{old} written as {new}"
        for old, new in zip(parcels.loc[rows, "land_use_code"].tolist(), bad, strict=True)
    ]
    parcels.loc[rows, "land_use_code"] = bad
    ledger.add("parcels", "invalid_land_use_code", ids[rows], details)

    defective = np.concatenate([ids[r] for r in chosen.values()] + [ids[copies]])
    return parcels, defective


def _duplicate_sources(
    rng: np.random.Generator, communes: np.ndarray, rows: np.ndarray, excluded: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each row to duplicate, an earlier row of the same commune whose key can be copied.

    Rows whose commune name was changed cannot be sources (their key no longer
    matches); a row with no earlier candidate is left clean.
    """
    n = len(communes)
    allowed = np.ones(n, dtype=bool)
    allowed[excluded] = False
    allowed[rows] = True  # an earlier copy is a fine source: its key is an earlier row's key
    candidates = np.flatnonzero(allowed)
    by_commune = candidates[np.lexsort((candidates, communes[candidates]))]
    position_key = communes[by_commune] * n + by_commune
    group_start = np.searchsorted(position_key, communes[rows] * n, side="left")
    earlier = np.searchsorted(position_key, communes[rows] * n + rows, side="left") - group_start
    keep = earlier > 0
    pick = (rng.random(len(rows)) * earlier).astype(np.int64)
    sources = by_commune[group_start + pick]
    return rows[keep], sources[keep]


# --- certificates ---------------------------------------------------------------------------


def _certificates(
    rng: np.random.Generator, places: Gazetteer, parcels: pd.DataFrame, communes: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Certificates of most parcels, and the clean parcel values behind each."""
    certified = np.flatnonzero(rng.random(len(parcels)) < CERTIFIED_SHARE)
    m = len(certified)
    held = communes[certified]
    start, end = (np.datetime64(d, "D") for d in ISSUE_PERIOD)
    issued = start + rng.integers(0, int((end - start).astype(np.int64)) + 1, size=m)
    running = rank_within(held, issued.astype(np.int64))
    commune_no = commune_numbers(places)[held]
    year = issued.astype("datetime64[Y]").astype(np.int64) + 1970
    in_year = rank_within(held * 10_000 + year, issued.astype(np.int64))
    province = places.commune_province[held]
    code = [
        f"{p}{c:03d}.{y}.{r:06d}"
        for p, c, y, r in zip(
            province, commune_no.tolist(), year.tolist(), in_year.tolist(), strict=True
        )
    ]
    serial = _serials(rng, places.commune_province_index[held], held, year, issued)
    registration = [f"CS{r:05d}" for r in running.tolist()]
    holders = identities(rng, places, places.commune_province_index[held], min_age=25, max_age=90)
    clean = parcels.iloc[certified].reset_index(drop=True)
    certificates = pd.DataFrame(
        {
            "certificate_code": pd.array(code, dtype="str"),
            "serial": pd.array(serial, dtype="str"),
            "registration_no": pd.array(registration, dtype="str"),
            "parcel_id": clean["parcel_id"].to_numpy(),
            "holder_name": holders["full_name"],
            "holder_id": holders["citizen_id"],
            "area_m2": clean["area_m2"].to_numpy(),
            "land_use_code": clean["land_use_code"],
            "issued_date": issued.astype("datetime64[s]"),
        }
    )
    return certificates, clean


def _serials(
    rng: np.random.Generator,
    province: np.ndarray,
    commune: np.ndarray,
    year: np.ndarray,
    issued: np.ndarray,
) -> list[str]:
    """Blank serials: one national numbered series a year, used commune by commune in order.

    Sorting by (year, province, commune, date) lays each commune's year out as one
    run of consecutive blanks; a spoiled blank now and then leaves a gap.
    """
    m = len(year)
    order = np.lexsort((np.arange(m), issued.astype(np.int64), commune, province, year))
    steps = 1 + (rng.random(m) < SPOILED_BLANK_SHARE).astype(np.int64)
    number = cumulative_within(year, order, steps)
    first = year - SERIES_FIRST_YEAR
    second = number // SERIES_SIZE
    return [
        f"{chr(65 + a % 26)}{chr(65 + b % 26)} {d:06d}"
        for a, b, d in zip(
            first.tolist(), second.tolist(), (number % SERIES_SIZE).tolist(), strict=True
        )
    ]


def _certificate_defects(
    seed: int, certificates: pd.DataFrame, rate: float, ledger: defects.Ledger
) -> tuple[pd.DataFrame, np.ndarray]:
    chosen = defects.plan(
        stream(seed, "certificates.defects"), len(certificates), rate, {"area_mismatch": None}
    )
    rng = stream(seed, "certificates.defects.values")
    rows = chosen["area_mismatch"]
    area = certificates["area_m2"].to_numpy().copy()
    change = rng.uniform(0.02, 0.2, size=len(rows)) * rng.choice([-1.0, 1.0], size=len(rows))
    new = np.round(area[rows] * (1 + change), 1)
    new = np.where(new == area[rows], area[rows] + 1.0, new)
    details = [
        f"parcel {old:.1f} m², certificate {value:.1f} m²"
        for old, value in zip(area[rows].tolist(), new.tolist(), strict=True)
    ]
    area[rows] = new
    certificates["area_m2"] = area
    ledger.add(
        "certificates", "area_mismatch", certificates["certificate_code"].to_numpy()[rows], details
    )
    bad = np.zeros(len(certificates), dtype=bool)
    bad[rows] = True
    return certificates, bad


# --- transfers ----------------------------------------------------------------------------


def _price_table(places: Gazetteer) -> dict[tuple[str, str, str], int]:
    """Price-table prices for every (province, zone, code) the land-use mix can draw."""
    table = {
        (r.province_code, r.zone, r.land_use_code): r.price_vnd_per_m2
        for r in reference.land_prices(on=CONTRACT_PERIOD[0])
    }
    for province in places.province_codes.tolist():
        for zone in ZONES:
            for code in land_use_mix(zone).codes.words.tolist():
                if (province, zone, code) not in table:
                    raise InputError(
                        f"no price for province {province}, zone {zone}, code {code}",
                        file=reference.reference_dir() / "land_prices.csv",
                        field="price_vnd_per_m2",
                    )
    return table


def residential_values(
    rng: np.random.Generator, places: Gazetteer, communes: np.ndarray
) -> np.ndarray:
    """Price-table value (whole đồng) of one household's residential parcel per commune row.

    The area follows the land-use mix of the commune's zone, the price the price table.
    """
    prices = _price_table(places)
    urban = places.is_urban(communes)
    value = np.zeros(len(communes), dtype=np.int64)
    for zone_index, zone in enumerate(ZONES):
        mask = urban if zone_index == 0 else ~urban
        code = RESIDENTIAL_CODES[zone]
        mix = land_use_mix(zone)
        row = mix.codes.words.tolist().index(code)
        spread = mix.area_spread[row] * rng.standard_normal(int(mask.sum()))
        area = np.round(np.clip(mix.area_median[row] * np.exp(spread), 30.0, 100_000.0))
        price = np.array(
            [prices[(p, zone, code)] for p in places.commune_province[communes[mask]].tolist()],
            dtype=np.int64,
        )
        value[mask] = price * area.astype(np.int64)
    return value


def _transfers(
    rng: np.random.Generator,
    places: Gazetteer,
    prices: dict[tuple[str, str, str], int],
    certificates: pd.DataFrame,
    parcels: pd.DataFrame,
) -> pd.DataFrame:
    sold = np.flatnonzero(rng.random(len(certificates)) < TRANSFER_SHARE / CERTIFIED_SHARE)
    m = len(sold)
    certificates = certificates.iloc[sold].reset_index(drop=True)
    parcels = parcels.iloc[sold].reset_index(drop=True)
    keys = zip(
        parcels["province_code"].tolist(),
        parcels["zone"].tolist(),
        parcels["land_use_code"].tolist(),
        strict=True,
    )
    price = np.array([prices[k] for k in keys], dtype=np.int64)
    area_dm2 = np.round(parcels["area_m2"].to_numpy() * 10).astype(np.int64)
    table_value = price * area_dm2 // 10
    factor = rng.uniform(1.05, 2.5, size=m)
    contract = np.ceil(table_value * factor / PRICE_ROUNDING).astype(np.int64) * PRICE_ROUNDING
    workdays = working_days(*CONTRACT_PERIOD)
    contract_date = workdays[rng.integers(0, len(workdays), size=m)]
    filed = contract_date + rng.integers(0, FILING_DAYS_MAX + 1, size=m)
    home = places.province_index_of(parcels["province_code"].to_numpy())
    buyers = identities(rng, places, home, min_age=25, max_age=80)
    transfers = pd.DataFrame(
        {
            "transfer_id": np.arange(1, m + 1, dtype=np.int64),
            "parcel_id": certificates["parcel_id"].to_numpy(),
            "certificate_code": certificates["certificate_code"],
            "province_code": parcels["province_code"],
            "zone": parcels["zone"],
            "land_use_code": parcels["land_use_code"],
            "area_m2": parcels["area_m2"].to_numpy(),
            "seller_name": certificates["holder_name"],
            "seller_id": certificates["holder_id"],
            "buyer_name": buyers["full_name"],
            "buyer_id": buyers["citizen_id"],
            "contract_date": contract_date.astype("datetime64[s]"),
            "filed_date": filed.astype("datetime64[s]"),
            "land_price_per_m2": price,
            "price_table_value": table_value,
            "contract_price": contract,
        }
    )
    return with_taxes(transfers)


def with_taxes(transfers: pd.DataFrame) -> pd.DataFrame:
    """income_tax and registration_fee on the larger of contract price and table value."""
    base = np.maximum(
        transfers["contract_price"].to_numpy(), transfers["price_table_value"].to_numpy()
    )
    signed = transfers["contract_date"].to_numpy()
    transfers["income_tax"] = rate_amounts(INCOME_TAX_RULE, base, signed)
    transfers["registration_fee"] = rate_amounts(REGISTRATION_FEE_RULE, base, signed)
    return transfers


def rate_amounts(rule_code: str, values: np.ndarray, on: np.ndarray) -> np.ndarray:
    """The rate in force on each contract date ``on``, on a whole column, rounded to đồng."""
    return reference.fee_amounts(rule_code, on=on, values=values)


def _transfer_defects(
    seed: int, transfers: pd.DataFrame, rate: float, ledger: defects.Ledger
) -> pd.DataFrame:
    chosen = defects.plan(
        stream(seed, "transfers.defects"),
        len(transfers),
        rate,
        {"under_declared_price": None, "wrong_transfer_tax": None},
    )
    rng = stream(seed, "transfers.defects.values")
    ids = transfers["transfer_id"].to_numpy()
    table_value = transfers["price_table_value"].to_numpy()

    rows = chosen["under_declared_price"]
    low = np.floor(table_value[rows] * rng.uniform(0.3, 0.9, size=len(rows)) / PRICE_ROUNDING)
    low = low.astype(np.int64) * PRICE_ROUNDING
    low = np.where(low > 0, low, table_value[rows] // 2)
    contract = transfers["contract_price"].to_numpy().copy()
    contract[rows] = low
    transfers["contract_price"] = contract
    transfers = with_taxes(transfers)
    ledger.add(
        "transfers",
        "under_declared_price",
        ids[rows],
        [
            f"contract {c:,} < table value {v:,}".replace(",", ".")
            for c, v in zip(low.tolist(), table_value[rows].tolist(), strict=True)
        ],
    )

    rows = chosen["wrong_transfer_tax"]
    tax = transfers["income_tax"].to_numpy().copy()
    wrong = rate_amounts(
        INCOME_TAX_RULE, table_value[rows], transfers["contract_date"].to_numpy()[rows]
    )
    details = [
        f"tax {w:,} on the table value instead of {t:,} on the contract price".replace(",", ".")
        for w, t in zip(wrong.tolist(), tax[rows].tolist(), strict=True)
    ]
    tax[rows] = wrong
    transfers["income_tax"] = tax
    ledger.add("transfers", "wrong_transfer_tax", ids[rows], details)
    return transfers
