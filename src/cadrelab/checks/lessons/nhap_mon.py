"""Course 00 (getting started): the tracking book, and personal data."""

from __future__ import annotations

import pandas as pd

from cadrelab import reference
from cadrelab.checks.compare import Options
from cadrelab.checks.registry import LessonCheck, LessonData, register
from cadrelab.data import REFERENCE_DATE
from cadrelab.data.seeds import TRAINEE_ID_PATTERN

BOOK = "ma-ho-so-01"  # the tracking book of lesson 01
PEOPLE = "dan-cu-01"  # the residents' list of lesson 02
DESK_TOTALS = (23, 9)  # practice 1: dossiers received at the two desks yesterday


def _book(data: LessonData) -> pd.DataFrame:
    return data.cases(BOOK)["dossiers"]


def _people(data: LessonData) -> pd.DataFrame:
    return data.cases(PEOPLE)["citizens"]


def _ids(people: pd.DataFrame, rows: pd.Series) -> set[int]:
    return set(people.loc[rows, "person_id"].astype(int))


def posting_commune(people: pd.DataFrame) -> str:
    """The commune with the most residents on the list (the lesson's ``XA_MAU``)."""
    return people["commune"].value_counts().index[0]


def wrong_citizen_ids(people: pd.DataFrame) -> pd.Series:
    """Rows whose citizen id breaks one of the four rules the lesson states."""
    number = people["citizen_id"]
    year = people["date_of_birth"].dt.year
    century_sex = ((year // 100 - 19) * 2 + people["gender"].eq("nữ").astype(int)).astype(str)
    return (
        number.str.len().ne(12)
        | number.str[:3].ne("0" + people["birth_province_code"])
        | number.str[3].ne(century_sex)
        | number.str[4:6].ne((year % 100).astype(str).str.zfill(2))
    )


def former_communes(people: pd.DataFrame) -> pd.Series:
    """Rows whose (province code, commune) pair is not a commune on the cases' reference day."""
    current = {c.province_code + " " + c.name_vi for c in reference.communes(on=REFERENCE_DATE)}
    return ~(people["province_code"] + " " + people["commune"]).isin(current)


def _valid_trainee_id(answer: object, data: LessonData) -> bool:
    return isinstance(answer, str) and TRAINEE_ID_PATTERN.fullmatch(answer) is not None


register(
    LessonCheck(
        "hoc-nhap-mon-01.tong-ho-so",
        expected=lambda data: sum(DESK_TOTALS),
        hints=("lesson.nhap-mon-01.tong-ho-so.1",),
    ),
    LessonCheck(
        "hoc-nhap-mon-01.ma-hoc-vien",
        accept=_valid_trainee_id,
        hints=("lesson.nhap-mon-01.ma-hoc-vien.1",),
    ),
    LessonCheck(
        "hoc-nhap-mon-01.so-ho-so",
        expected=lambda data: len(_book(data)),
        hints=("lesson.nhap-mon-01.so-ho-so.1",),
    ),
    LessonCheck(
        "hoc-nhap-mon-01.truc-tuyen",
        expected=lambda data: int(_book(data)["channel"].eq("Trực tuyến").sum()),
        hints=("lesson.nhap-mon-01.truc-tuyen.1", "lesson.nhap-mon-01.truc-tuyen.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-01.som-nhat",
        expected=lambda data: (
            _book(data).sort_values("received_at", kind="stable")["dossier_code"].head(5).tolist()
        ),
        options=Options(ordered=True),
        hints=("lesson.nhap-mon-01.som-nhat.1", "lesson.nhap-mon-01.som-nhat.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-01.theo-linh-vuc",
        expected=lambda data: _book(data).groupby("field").size(),
        hints=("lesson.nhap-mon-01.theo-linh-vuc.1",),
    ),
    LessonCheck(
        "hoc-nhap-mon-01.theo-thang",
        expected=lambda data: _book(data).groupby(_book(data)["received_at"].dt.month).size(),
        hints=("lesson.nhap-mon-01.theo-thang.1", "lesson.nhap-mon-01.theo-thang.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-02.sdt-che",
        expected=lambda data: (
            _people(data)["phone"].str[:3] + "****" + _people(data)["phone"].str[-3:]
        ),
        hints=("lesson.nhap-mon-02.sdt-che.1", "lesson.nhap-mon-02.sdt-che.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-02.goi-dien",
        expected=lambda data: _people(data).loc[
            _people(data)["commune"].eq(posting_commune(_people(data))),
            ["full_name", "hamlet", "phone"],
        ],
        hints=("lesson.nhap-mon-02.goi-dien.1", "lesson.nhap-mon-02.goi-dien.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-02.dau-so-cu",
        expected=lambda data: _ids(_people(data), _people(data)["phone"].str.startswith("01")),
        kind="set",
        hints=("lesson.nhap-mon-02.dau-so-cu.1", "lesson.nhap-mon-02.dau-so-cu.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-02.cccd-sai",
        expected=lambda data: _ids(_people(data), wrong_citizen_ids(_people(data))),
        kind="set",
        hints=("lesson.nhap-mon-02.cccd-sai.1", "lesson.nhap-mon-02.cccd-sai.2"),
    ),
    LessonCheck(
        "hoc-nhap-mon-02.xa-cu",
        expected=lambda data: _ids(_people(data), former_communes(_people(data))),
        kind="set",
        hints=("lesson.nhap-mon-02.xa-cu.1", "lesson.nhap-mon-02.xa-cu.2"),
    ),
)
