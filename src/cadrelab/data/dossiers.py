"""One-stop-shop dossiers: the tracking book of commune Public Administration Service Centres.

Each dossier is one procedure from the catalogue (drawn by ``volume_weight``),
received online (any time; only procedures offered online) or in person (a
working day, inside office hours), between :data:`WINDOW_START` and
:data:`SNAPSHOT_DATE`.  The appointment date is the working-day deadline from
:mod:`cadrelab.calendar` (the cut-off where the law sets one, days off).  Statuses are
read at the end of :data:`SNAPSHOT_DATE`:

* Chờ bổ sung — a component was missing at reception (request to complete, form 02);
* Từ chối — refused at reception (form 03);
* Mới tiếp nhận — received on the snapshot day, not yet passed on;
* Đang xử lý / Chờ ký — with the specialist / waiting for signature;
* Có kết quả — result signed (``result_date``), not yet collected;
* Đã trả — returned (``returned_at``).

``timeliness`` compares ``result_date`` with ``appointment_date``: Trước hạn
(before), Đúng hạn (on the day), Quá hạn (after, or no result and the
appointment date has passed); empty while nothing can be said yet.

Dossier code, a simplified form of ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX``
(Thông tư 01/2018/TT-VPCP): ``CCC.00.FF.HPP-YYMMDD-NNNN`` = commune number within
its province, ``00`` (no district level since 1 July 2025), field number
(:data:`FIELD_NUMBERS`), ``H`` + province code, the date of receipt and the
running number of that day in that commune.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from cadrelab import reference
from cadrelab.calendar import default_calendar, office_hours
from cadrelab.data import defects, providers
from cadrelab.data.cases import Cases
from cadrelab.data.clock import office_times, working_days
from cadrelab.data.columns import commune_numbers, dates_where, rank_within, str_column
from cadrelab.data.gazetteer import Gazetteer, gazetteer
from cadrelab.data.inputs import check_count, check_defect_rate, check_seed
from cadrelab.data.people import identities
from cadrelab.data.seeds import stream
from cadrelab.reference import is_optional_component

WINDOW_START = dt.date(2025, 7, 1)
SNAPSHOT_DATE = providers.REFERENCE_DATE - dt.timedelta(days=1)
ONLINE_SHARE = 0.14  # as simulations/baseline.yaml: Hanoi, first 15 days of the new model
INCOMPLETE_SHARE = 0.08
REFUSED_SHARE = 0.01
ONLINE_HOURS = (6 * 3600, 23 * 3600)
RETURN_DELAY_MAX = 3  # working days between result and collection
COMPONENT_SEPARATOR = "; "

STATUSES = (
    "Mới tiếp nhận",
    "Chờ bổ sung",
    "Từ chối",
    "Đang xử lý",
    "Chờ ký",
    "Có kết quả",
    "Đã trả",
)
TIMELINESS = ("Trước hạn", "Đúng hạn", "Quá hạn")
CHANNELS = ("Trực tiếp", "Trực tuyến")
FIELD_NUMBERS = {
    "civil_status": 1,
    "certification": 2,
    "land": 3,
    "business": 4,
    "social": 5,
    "finance": 6,
    "receive_only": 7,
}


def generate_dossiers(n: int, seed: int, defect_rate: float = 0.0) -> Cases:
    """``n`` dossiers of the tracking book (see module doc)."""
    n, seed, rate = check_count(n), check_seed(seed), check_defect_rate(defect_rate)
    places = gazetteer()
    catalogue = reference.procedures(on=WINDOW_START)  # offered; each dossier's version below
    rng = stream(seed, "dossiers")
    communes = places.draw_communes(rng, n)
    weights = np.array([p.volume_weight for p in catalogue])
    procedure = rng.choice(len(catalogue), size=n, p=weights / weights.sum())
    offered_online = np.array([p.online_level != "truc_tiep" for p in catalogue])[procedure]
    online_volume = float((weights * [p.online_level != "truc_tiep" for p in catalogue]).sum())
    p_online = min(1.0, ONLINE_SHARE * weights.sum() / online_volume) if online_volume else 0.0
    online = offered_online & (rng.random(n) < p_online)
    received = _received_at(rng, online)
    # Each dossier follows the version of its procedure in force on its receipt date.
    codes = np.array([p.code for p in catalogue], dtype=object)[procedure]
    law = reference.PROCEDURES.rows()
    version = reference.PROCEDURES.positions(codes, received)
    days = np.array([r.deadline_days for r in law], dtype=np.int64)[version]
    due = functools.partial(
        default_calendar().deadline_many,
        received,
        cutoff=office_hours(on=WINDOW_START).cutoff,
        applies=np.array([r.cutoff_applies for r in law])[version],
        calendar_days=np.array([r.deadline_unit == "calendar" for r in law])[version],
    )

    outcome = rng.random(n)
    # Only a required component can be missing: one marked "(nếu có)" may rightly be absent.
    required = [
        [i for i, c in enumerate(p.components_list) if not is_optional_component(c)]
        for p in catalogue
    ]
    counts = np.array([len(r) for r in required])[procedure]
    widest = max((len(r) for r in required), default=0)
    required_index = np.full((len(catalogue), max(1, widest)), -1, dtype=np.int64)
    for row, indices in enumerate(required):
        required_index[row, : len(indices)] = indices
    incomplete = ~online & (counts > 0) & (outcome < INCOMPLETE_SHARE)
    refused = ~incomplete & (outcome > 1 - REFUSED_SHARE)
    accepted = ~incomplete & ~refused
    components = [p.components_list for p in catalogue]
    dropped = np.full(n, -1, dtype=np.int64)
    picks = (rng.random(int(incomplete.sum())) * counts[incomplete]).astype(np.int64)
    dropped[incomplete] = required_index[procedure[incomplete], picks]

    calendar = default_calendar()
    effective = due(np.zeros(n, dtype=np.int64))
    snapshot = np.datetime64(SNAPSHOT_DATE, "D")
    statutory = due(days)
    processing = np.minimum((rng.random(n) * (days + 1)).astype(np.int64), days)
    return_delay = rng.integers(0, RETURN_DELAY_MAX + 1, size=n)

    chosen = defects.plan(
        stream(seed, "dossiers.defects"),
        n,
        rate,
        {
            "late_dossier": accepted & (statutory < snapshot),
            "wrong_appointment_date": accepted,
            "missing_components": accepted & (counts > 0),
        },
    )
    fix = stream(seed, "dossiers.defects.values")
    ledger = defects.Ledger()
    late = chosen["late_dossier"]
    processing[late] = days[late] + fix.integers(1, 6, size=len(late))
    wrong = chosen["wrong_appointment_date"]
    appointment_offset = days.copy()
    appointment_offset[wrong] += fix.integers(1, 3, size=len(wrong))
    missing = chosen["missing_components"]
    picks = (fix.random(len(missing)) * counts[missing]).astype(np.int64)
    dropped[missing] = required_index[procedure[missing], picks]

    appointment = due(appointment_offset)
    result = due(processing)
    returned_day = due(processing + return_delay)
    next_day = np.datetime64(calendar.add_working_days(SNAPSHOT_DATE, 1), "D")
    status = _statuses(
        effective, result, returned_day, snapshot, next_day, incomplete, refused, processing
    )
    has_result = np.isin(status, ["Có kết quả", "Đã trả"])
    returned = status == "Đã trả"

    applicants = identities(
        rng, places, places.commune_province_index[communes], min_age=18, max_age=85
    )
    frame = pd.DataFrame(
        {
            "dossier_code": _codes(places, communes, catalogue, procedure, received),
            "province_code": str_column(places.commune_province, communes),
            "commune": str_column(places.commune_names, communes),
            "procedure_code": str_column(np.array([p.code for p in catalogue]), procedure),
            "procedure_name": str_column(np.array([p.name_vi for p in catalogue]), procedure),
            "field": str_column(np.array([p.field for p in catalogue]), procedure),
            "channel": pd.Categorical.from_codes(online.astype(np.int8), CHANNELS).astype("str"),
            "received_at": received,
            "applicant_name": applicants["full_name"],
            "applicant_id": applicants["citizen_id"],
            "applicant_phone": pd.array(providers.mobile_numbers(rng, n), dtype="str"),
            "components_submitted": _submitted(components, procedure, dropped),
            "deadline_working_days": days,
            "appointment_date": dates_where(appointment, accepted),
            "status": pd.array(status, dtype="str"),
            "result_date": dates_where(result, has_result),
            "returned_at": _returned_at(rng, received, returned_day, returned),
            "timeliness": _timeliness(result, appointment, has_result, accepted, snapshot),
        }
    )
    codes = frame["dossier_code"].to_numpy()
    ledger.add(
        "dossiers",
        "late_dossier",
        codes[late],
        [f"{p} working days after the deadline" for p in (processing - days)[late]],
    )
    ledger.add(
        "dossiers",
        "wrong_appointment_date",
        codes[wrong],
        [
            f"{a} instead of {s}"
            for a, s in zip(
                appointment[wrong].astype(str), statutory[wrong].astype(str), strict=True
            )
        ],
    )
    ledger.add(
        "dossiers",
        "missing_components",
        codes[missing],
        [f"missing: {components[procedure[r]][dropped[r]]}" for r in missing.tolist()],
    )
    return Cases(tables={"dossiers": frame}, defects=ledger.frame())


def _received_at(rng: np.random.Generator, online: np.ndarray) -> np.ndarray:
    """In person: a working day in office hours; online: any day, 6:00 to 23:00."""
    n = len(online)
    workdays = working_days(WINDOW_START, SNAPSHOT_DATE)
    day = workdays[rng.integers(0, len(workdays), size=n)]
    time = office_times(rng, n, on=WINDOW_START)
    span = (np.datetime64(SNAPSHOT_DATE, "D") - np.datetime64(WINDOW_START, "D")).astype(int)
    any_day = np.datetime64(WINDOW_START, "D") + rng.integers(0, span + 1, size=n)
    low, high = ONLINE_HOURS
    any_time = (rng.integers(low // 60, high // 60, size=n) * 60).astype("timedelta64[s]")
    return np.where(
        online, any_day.astype("datetime64[s]") + any_time, day.astype("datetime64[s]") + time
    )


def _statuses(
    effective: np.ndarray,
    result: np.ndarray,
    returned: np.ndarray,
    snapshot: np.datetime64,
    next_day: np.datetime64,
    incomplete: np.ndarray,
    refused: np.ndarray,
    processing: np.ndarray,
) -> np.ndarray:
    """Status at the end of the snapshot day; a result due next working day waits for signature."""
    status = np.full(len(result), "Đang xử lý", dtype=object)
    status[(result == next_day) & (processing > 0)] = "Chờ ký"
    status[(result > snapshot) & (effective >= snapshot)] = "Mới tiếp nhận"
    status[(result <= snapshot) & (returned > snapshot)] = "Có kết quả"
    status[returned <= snapshot] = "Đã trả"
    status[incomplete] = "Chờ bổ sung"
    status[refused] = "Từ chối"
    return status


def _codes(
    places: Gazetteer,
    communes: np.ndarray,
    catalogue: tuple[reference.Procedure, ...],
    procedure: np.ndarray,
    received: np.ndarray,
) -> pd.Series:
    day = received.astype("datetime64[D]")
    group = communes.astype(np.int64) * 100_000 + day.astype(np.int64)
    running = rank_within(group, received.astype(np.int64))
    commune_no = commune_numbers(places)[communes]
    field = np.array([FIELD_NUMBERS[p.field] for p in catalogue])[procedure]
    stamp = pd.Series(day).dt.strftime("%y%m%d").tolist()
    province = places.commune_province[communes]
    codes = [
        f"{c:03d}.00.{f:02d}.H{p}-{s}-{r:04d}"
        for c, f, p, s, r in zip(
            commune_no.tolist(), field.tolist(), province, stamp, running.tolist(), strict=True
        )
    ]
    return pd.Series(codes, dtype="str")


def _submitted(
    components: list[tuple[str, ...]], procedure: np.ndarray, dropped: np.ndarray
) -> pd.Series:
    texts = [
        COMPONENT_SEPARATOR.join(c for i, c in enumerate(components[p]) if i != d)
        for p, d in zip(procedure.tolist(), dropped.tolist(), strict=True)
    ]
    return pd.Series(texts, dtype="str")


def _returned_at(
    rng: np.random.Generator, received: np.ndarray, day: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """Collection time in office hours; never before receipt on the same day."""
    moment = day.astype("datetime64[s]") + office_times(rng, len(day), on=WINDOW_START)
    soon = received + (rng.integers(15, 91, size=len(day)) * 60).astype("timedelta64[s]")
    moment = np.where(moment <= received, soon, moment)
    moment[~mask] = np.datetime64("NaT")
    return moment


def _timeliness(
    result: np.ndarray,
    appointment: np.ndarray,
    has_result: np.ndarray,
    accepted: np.ndarray,
    snapshot: np.datetime64,
) -> pd.Series:
    label = np.full(len(result), None, dtype=object)
    label[has_result & (result < appointment)] = "Trước hạn"
    label[has_result & (result == appointment)] = "Đúng hạn"
    label[has_result & (result > appointment)] = "Quá hạn"
    label[accepted & ~has_result & (appointment < snapshot)] = "Quá hạn"
    return pd.Series(label, dtype="str")
