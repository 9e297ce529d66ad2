"""Course 01 (procedures): the one-stop desk, and the tracking book."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cadrelab import calendar, reference
from cadrelab.checks.compare import Options
from cadrelab.checks.registry import LessonCheck, LessonData, register
from cadrelab.data.dossiers import SNAPSHOT_DATE

DESK = "tiep-nhan-01"  # the dossiers of lesson 01
BOOK = "ma-ho-so-01"  # the tracking book of lesson 02
CATALOGUE_DAY = dt.date(2025, 9, 15)  # lesson 01's NGAY_XEM: the day the catalogue is read for
MARRIAGE_STATUS_AT = dt.datetime(2025, 8, 29, 16, 10)  # practice 3: HT-XNHN handed in then
COPY_AT = dt.datetime(2026, 1, 9, 15, 40)  # practice 4: CT-SY handed in then
NEW_DATE_DAYS = 3  # lesson 02's HEN_LAI: the scenario's extra working days, not a legal fact
ON_TIME = ("Trước hạn", "Đúng hạn")


def due(code: str, received: dt.datetime) -> dt.date:
    """The appointment date of a dossier of ``code`` received then (catalogue of that day)."""
    return calendar.due_date(reference.procedure(code, on=received), received)


def _first_incomplete(data: LessonData) -> pd.Series:
    """Lesson 01's ``hs2``: the earliest dossier waiting for missing components."""
    book = data.cases(DESK)["dossiers"]
    return book[book["status"] == "Chờ bổ sung"].sort_values("received_at").iloc[0]


def _missing(dossier: pd.Series) -> set[str]:
    procedure = reference.procedure(dossier["procedure_code"], on=dossier["received_at"])
    handed = set(dossier["components_submitted"].split("; "))
    return {c for c in procedure.required_components if c not in handed}


def _book(data: LessonData) -> pd.DataFrame:
    return data.cases(BOOK)["dossiers"]


def _late(data: LessonData) -> pd.DataFrame:
    """Lesson 02's ``ds_tre``: the overdue dossiers, oldest receipt first."""
    book = _book(data)
    return book[book["timeliness"] == "Quá hạn"].sort_values("received_at")


def _days_late(data: LessonData) -> int:
    late = _late(data)
    until = late["result_date"].fillna(pd.Timestamp(SNAPSHOT_DATE))
    return sum(
        calendar.working_days_between(a.date(), b.date())
        for a, b in zip(late["appointment_date"], until, strict=True)
    )


def _on_time_share(data: LessonData) -> float:
    done = _book(data)[_book(data)["result_date"].notna()]
    return float((done["result_date"] <= done["appointment_date"]).mean())


register(
    LessonCheck(
        "hoc-thu-tuc-01.so-thanh-phan",
        expected=lambda data: len(reference.procedure("HKD-DK", on=CATALOGUE_DAY).components_list),
        hints=("lesson.thu-tuc-01.so-thanh-phan.1", "lesson.thu-tuc-01.so-thanh-phan.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-01.thieu-hs2",
        expected=lambda data: _missing(_first_incomplete(data)),
        kind="set",
        hints=("lesson.thu-tuc-01.thieu-hs2.1", "lesson.thu-tuc-01.thieu-hs2.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-01.ngay-hen-1",
        expected=lambda data: due("HT-XNHN", MARRIAGE_STATUS_AT),
        kind="date",
        hints=("lesson.thu-tuc-01.ngay-hen-1.1", "lesson.thu-tuc-01.ngay-hen-1.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-01.ngay-hen-2",
        expected=lambda data: due("CT-SY", COPY_AT),
        kind="date",
        hints=("lesson.thu-tuc-01.ngay-hen-2.1", "lesson.thu-tuc-01.ngay-hen-2.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-02.so-thu-tu",
        expected=lambda data: _book(data)["dossier_code"].str[-4:].astype(int),
        hints=("lesson.thu-tuc-02.so-thu-tu.1", "lesson.thu-tuc-02.so-thu-tu.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-02.ty-le-dung-han",
        expected=_on_time_share,
        options=Options(rel_tol=1e-3),
        hints=("lesson.thu-tuc-02.ty-le-dung-han.1", "lesson.thu-tuc-02.ty-le-dung-han.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-02.tong-ngay-tre",
        expected=_days_late,
        hints=("lesson.thu-tuc-02.tong-ngay-tre.1", "lesson.thu-tuc-02.tong-ngay-tre.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-02.hen-moi",
        expected=lambda data: calendar.add_working_days(
            _late(data)["appointment_date"].iloc[1].date(), NEW_DATE_DAYS
        ),
        kind="date",
        hints=("lesson.thu-tuc-02.hen-moi.1", "lesson.thu-tuc-02.hen-moi.2"),
    ),
    LessonCheck(
        "hoc-thu-tuc-02.ty-le-truc-tuyen",
        expected=lambda data: float(_book(data)["channel"].eq("Trực tuyến").mean()),
        options=Options(rel_tol=1e-3),
        hints=("lesson.thu-tuc-02.ty-le-truc-tuyen.1",),
    ),
)
