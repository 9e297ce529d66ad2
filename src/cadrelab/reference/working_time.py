"""The facts behind the working calendar: official days off and make-up days, office hours.

``calendar_days`` lists, for each year whose official notice has been entered, every
weekday that is a public holiday or a day off and every weekend day that becomes a
working day (ngày làm bù), each with the document it comes from.  ``cadrelab.calendar``
turns them into working days.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from cadrelab.reference.facts import DayFact, Fact, FactTable, check_references, register
from cadrelab.reference.tables import table_error
from cadrelab.reference.units import PROVINCES


class CalendarDay(DayFact):
    """A day the Monday-to-Friday rule does not predict, from an official notice."""

    kind: Literal["holiday", "day_off", "workday"]
    name_vi: str
    note: str | None = None


class OfficeSession(Fact):
    """An office-hours session, or the same-day cut-off (``kind = cutoff``, ``end`` empty).

    ``scope`` is ``all`` (every province) or a province code: a province's own hours, or
    (for a cut-off) the province's decision to apply it to every same-day procedure.
    """

    kind: Literal["session", "cutoff"]
    scope: str = Field(pattern=r"^(all|\d{2})$")
    start: dt.time
    end: dt.time | None = None
    note: str | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.time | None, info) -> dt.time | None:
        start = info.data.get("start")
        if end is not None and start is not None and end <= start:
            raise ValueError("end must be after start")
        if end is None and info.data.get("kind") == "session":
            raise ValueError("a session needs an end time")
        return end


def _check_days(rows: tuple[CalendarDay, ...]) -> None:
    for row in rows:
        weekend = row.date.weekday() >= 5
        if row.kind == "workday" and not weekend:
            raise table_error("calendar_days", row.line, "kind", f"{row.date} is a weekday already")
        if row.kind != "workday" and weekend:
            raise table_error(
                "calendar_days", row.line, "kind", f"{row.date} is a weekend day already"
            )


def _check_sessions(rows: tuple[OfficeSession, ...]) -> None:
    provincial = [r for r in rows if r.scope != "all"]
    check_references(provincial, "scope", "office_hours", PROVINCES)
    for kind in ("session", "cutoff"):
        if not any(r.kind == kind and r.scope == "all" for r in rows):
            raise table_error("office_hours", None, "kind", f"no {kind} row for scope 'all'")


CALENDAR_DAYS = register(
    FactTable(
        "calendar_days",
        CalendarDay,
        ("date",),
        "official holidays, days off and make-up working days",
        _check_days,
        many="calendar_days",
    )
)
OFFICE_HOURS = register(
    FactTable(
        "office_hours",
        OfficeSession,
        ("kind", "scope", "start"),
        "office sessions and the same-day cut-off",
        _check_sessions,
        many="office_sessions",
    )
)


def calendar_days() -> tuple[CalendarDay, ...]:
    """Every entered day; each row is the fact for its own date."""
    return CALENDAR_DAYS.rows()


def office_sessions(*, on: object, teachable: bool = False) -> tuple[OfficeSession, ...]:
    """Office-hours rows in force on ``on``."""
    return OFFICE_HOURS.in_force(on, teachable=teachable)
