"""Synthetic cases: cadrelab's vectorised generators against a per-row Faker('vi_VN') loop.

Measures in one run, with time.perf_counter:

* records per second for citizens and for parcels, cadrelab vs a naive loop that
  calls Faker('vi_VN') once or more per row to produce the same columns (the
  loop runs on a smaller n; rates are per record);
* the time to generate 1,000,000 parcels (with their certificates, transfers and
  defects).

Prints a table, then as its last line one JSON object with the figures, the
targets and whether each is met.  Usage::

    .venv/bin/python benchmarks/bench_data.py [--naive-n 20000] [--fast-n 500000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import OrderedDict

import numpy as np
import pandas as pd
from faker import Faker

from cadrelab.data import generate_citizens, generate_land
from cadrelab.data import vocabulary as vocab
from cadrelab.data.gazetteer import gazetteer
from cadrelab.data.land import ZONES

SPEEDUP_TARGET = 10.0
MILLION_PARCELS_TARGET_S = 15.0
SEED = 20250701
MERGER_DAY = pd.Timestamp("2025-07-01").date()


def weighted(words: vocab.WordList) -> OrderedDict:
    return OrderedDict(zip(words.words.tolist(), words.p.tolist(), strict=True))


def naive_citizens(n: int) -> pd.DataFrame:
    """The citizens table, one Faker call (or several) per row."""
    fake = Faker("vi_VN")
    fake.seed_instance(SEED)
    places = gazetteer()
    communes = list(range(places.n_communes))
    surnames = weighted(vocab.surnames())
    middles = {g: weighted(vocab.middle_names(g)) for g in ("nam", "nữ")}
    givens = {g: weighted(vocab.given_names(g)) for g in ("nam", "nữ")}
    prefixes = weighted(vocab.mobile_prefixes())
    codes = places.province_codes.tolist()
    table = vocab.birth_provinces()
    former = {code: table.of_province(code).tolist() for code in codes}
    rows = []
    for i in range(n):
        gender = fake.random_element(("nam", "nữ"))
        middle = fake.random_element(middles[gender])
        given = fake.random_element(givens[gender])
        while given == middle:
            given = fake.random_element(givens[gender])
        name = f"{fake.random_element(surnames)} {middle} {given}"
        birth = fake.date_between_dates(pd.Timestamp("1931-01-01"), pd.Timestamp("2025-09-30"))
        commune = fake.random_element(communes)
        province = places.commune_province[commune]
        born_in = province if fake.random.random() < 0.8 else fake.random_element(codes)
        if birth < MERGER_DAY:
            born_in = fake.random_element(former[born_in])[1:]
        digit = (birth.year // 100 - 19) * 2 + (gender == "nữ")
        citizen_id = f"0{born_in}{digit}{birth.year % 100:02d}{fake.numerify('######')}"
        phone = fake.numerify(fake.random_element(prefixes) + "#######")
        urban = places.commune_kinds[commune] == "phường"
        hamlet_group = places.hamlets.groups[places.hamlets.commune_group[commune]]
        word = places.hamlets.words[fake.random_element(weighted(hamlet_group))]
        hamlet = f"{word} {fake.random_int(1, 25)}"
        title = places.province_titles[places.commune_province_index[commune]]
        name_vi = places.commune_names[commune]
        house = fake.random_int(1, 299) if urban else None
        street = None
        if urban:
            street_group = places.streets.groups[places.streets.commune_group[commune]]
            street = places.streets.words[fake.random_element(weighted(street_group))]
        head = f"Số {house} đường {street}, " if urban else ""
        rows.append(
            {
                "person_id": i + 1,
                "full_name": name,
                "gender": gender,
                "date_of_birth": birth,
                "birth_province_code": born_in,
                "citizen_id": citizen_id,
                "phone": phone,
                "province_code": province,
                "commune": name_vi,
                "house_number": house,
                "street": street,
                "hamlet": hamlet,
                "address": f"{head}{hamlet}, {name_vi}, {title}",
            }
        )
    return pd.DataFrame(rows)


def naive_parcels(n: int) -> pd.DataFrame:
    """Parcels with their certificate columns, one Faker call (or several) per row."""
    fake = Faker("vi_VN")
    fake.seed_instance(SEED)
    places = gazetteer()
    communes = list(range(places.n_communes))
    mixes = {zone: vocab.land_use_mix(zone) for zone in ZONES}
    next_parcel: dict[tuple[int, int], int] = {}
    issued_count: dict[int, int] = {}
    rows = []
    for i in range(n):
        commune = fake.random_element(communes)
        zone = ZONES[0] if places.commune_kinds[commune] == "phường" else ZONES[1]
        mix = mixes[zone]
        pick = fake.random_element(
            OrderedDict(zip(range(len(mix.codes.words)), mix.codes.p.tolist(), strict=True))
        )
        area = round(
            min(
                max(
                    mix.area_median[pick] * np.exp(mix.area_spread[pick] * fake.random.gauss(0, 1)),
                    30.0,
                ),
                100_000.0,
            ),
            1,
        )
        sheet = fake.random_int(1, 60)
        number = next_parcel.get((commune, sheet), 0) + fake.random_int(1, 3)
        next_parcel[(commune, sheet)] = number
        issued = fake.date_between_dates(pd.Timestamp("2005-01-01"), pd.Timestamp("2025-06-30"))
        running = issued_count[commune] = issued_count.get(commune, 0) + 1
        gender = fake.random_element(("nam", "nữ"))
        rows.append(
            {
                "parcel_id": i + 1,
                "province_code": places.commune_province[commune],
                "commune": places.commune_names[commune],
                "zone": zone,
                "map_sheet": sheet,
                "parcel_no": number,
                "area_m2": area,
                "land_use_code": mix.codes.words[pick],
                "certificate_code": f"{places.commune_province[commune]}001.{issued.year}."
                f"{running:06d}",
                "serial": fake.bothify("?? ######", letters="ABCDEFGH"),
                "registration_no": f"CS{running:05d}",
                "holder_name": f"{fake.last_name()} {fake.middle_name()} "
                f"{fake.first_name_female() if gender == 'nữ' else fake.first_name_male()}",
                "holder_id": fake.numerify("0##########"),
                "issued_date": issued,
            }
        )
    return pd.DataFrame(rows)


def rate(function, n: int) -> tuple[float, float]:
    start = time.perf_counter()
    function(n)
    seconds = time.perf_counter() - start
    return n / seconds, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-n", type=int, default=20_000)
    parser.add_argument("--fast-n", type=int, default=500_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    args = parser.parse_args()
    gazetteer()  # load reference tables and vocabulary outside the timings
    generate_citizens(10, 1, 0.05)
    generate_land(10, 1, 0.05)

    figures = {}
    for name, fast, naive in (
        ("citizens", lambda n: generate_citizens(n, SEED, 0.05), naive_citizens),
        ("parcels", lambda n: generate_land(n, SEED, 0.05), naive_parcels),
    ):
        ours, our_s = rate(fast, args.fast_n)
        theirs, their_s = rate(naive, args.naive_n)
        figures[name] = {
            "cadrelab_records_per_s": round(ours),
            "cadrelab_n": args.fast_n,
            "cadrelab_s": round(our_s, 3),
            "faker_loop_records_per_s": round(theirs),
            "faker_loop_n": args.naive_n,
            "faker_loop_s": round(their_s, 3),
            "speedup": round(ours / theirs, 1),
            "target_speedup": SPEEDUP_TARGET,
            "met": ours / theirs >= SPEEDUP_TARGET,
        }
    start = time.perf_counter()
    cases = generate_land(args.million, SEED, 0.05)
    million_s = time.perf_counter() - start
    figures["million_parcels"] = {
        "parcels": len(cases.tables["parcels"]),
        "certificates": len(cases.tables["certificates"]),
        "transfers": len(cases.tables["transfers"]),
        "seconds": round(million_s, 2),
        "target_seconds": MILLION_PARCELS_TARGET_S,
        "met": million_s < MILLION_PARCELS_TARGET_S,
    }
    figures["machine"] = {"python": platform.python_version(), "cpu_count": _cpus()}

    print(
        f"{'table':10} {'cadrelab rec/s':>15} {'Faker loop rec/s':>17} {'speedup':>8} {'target':>7}"
    )
    for name in ("citizens", "parcels"):
        f = figures[name]
        print(
            f"{name:10} {f['cadrelab_records_per_s']:>15,} {f['faker_loop_records_per_s']:>17,} "
            f"{f['speedup']:>7}× {'met' if f['met'] else 'MISSED':>7}"
        )
    m = figures["million_parcels"]
    print(
        f"{m['parcels']:,} parcels (+ certificates, transfers, defects): {m['seconds']} s "
        f"(target < {MILLION_PARCELS_TARGET_S:g} s: {'met' if m['met'] else 'MISSED'})"
    )
    print(json.dumps(figures, ensure_ascii=False))


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
