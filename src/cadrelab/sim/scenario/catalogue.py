"""What the simulation takes from the procedure catalogue and the working calendar.

The one adapter between the staffing model and the reference tables: every
procedure name and deadline the model uses is read here, with the date the law
ties it to (the simulated dossier's receipt date), so that a change in how legal
facts are stored is a change in this module only.  Scenario validation reports a
problem in the scenario's own terms (a key path) instead of a reference-table error.

The catalogue is dated: :func:`deadline` reads the version of a procedure in force on
the receipt date — its days, working or calendar, and whether the same-day cut-off
applies to it (where the law sets one).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

from cadrelab import calendar, reference
from cadrelab.sim.scenario.problems import problem

#: Days after the horizon that statutory deadlines may still need from the calendar.
DEADLINE_MARGIN_DAYS = 400


class Deadline(NamedTuple):
    """A statutory deadline: ``days`` counted as working days or calendar days; ``cutoff``:
    a dossier received after the same-day cut-off counts from the next working day."""

    days: int
    counts: Literal["working", "calendar"]
    cutoff: bool = False


def _latest(code: str) -> reference.Procedure | None:
    versions = reference.PROCEDURES.history(code)
    return versions[-1] if versions else None


def known(code: str) -> bool:
    return _latest(code) is not None


def deadline(code: str, received: dt.date) -> Deadline:
    """The deadline of catalogue procedure ``code`` for a dossier received on ``received``."""
    row = reference.procedure(code, on=received)
    cutoff = calendar.cutoff_for(row, received) is not None
    return Deadline(row.deadline_days, row.deadline_unit, cutoff)


def provinces(on: dt.date) -> tuple[reference.Province, ...]:
    """Provinces in force on ``on`` with their number of communes, for national sweeps."""
    return reference.provinces(on=on)


def name_vi(code: str) -> str | None:
    row = _latest(code)
    return row.name_vi if row else None


def field_of(code: str) -> str | None:
    """The procedure's field (land, civil_status, …), used to route a procedure seen in a log."""
    row = _latest(code)
    return row.field if row else None


def check_calendar_range(start: dt.date, horizon_days: int) -> None:
    """The office calendar knows working days from FIRST_YEAR to LAST_YEAR only."""
    first = dt.date(calendar.FIRST_YEAR, 1, 1)
    last = dt.date(calendar.LAST_YEAR, 12, 31) - dt.timedelta(DEADLINE_MARGIN_DAYS)
    if start < first:
        raise problem("sim.error.start_range", "start_date", first=first, last=last)
    if start + dt.timedelta(horizon_days) > last:
        raise problem("sim.error.horizon_range", "horizon_days", last=last)
