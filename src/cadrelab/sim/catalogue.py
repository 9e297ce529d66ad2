"""What a scenario takes from the reference tables and the working calendar.

Kept in one place so that scenario validation reports a problem in the
scenario's own terms (a key path) instead of a reference-table error.
"""

from __future__ import annotations

import datetime as dt

from cadrelab import calendar, reference
from cadrelab.sim.problems import problem

#: Days after the horizon that statutory deadlines may still need from the calendar.
DEADLINE_MARGIN_DAYS = 400


def _by_code() -> dict[str, reference.Procedure]:
    rows = reference.procedures()
    if _index.get("rows") is not rows:  # the reference cache was reloaded
        _index["rows"] = rows
        _index["by_code"] = {p.code: p for p in rows}
    return _index["by_code"]


_index: dict[str, object] = {}


def known(code: str) -> bool:
    return code in _by_code()


def deadline(code: str) -> int:
    """Statutory deadline in working days of a catalogue procedure."""
    row = _by_code().get(code)
    return row.deadline_working_days if row else reference.procedure(code).deadline_working_days


def name_vi(code: str) -> str | None:
    row = _by_code().get(code)
    return row.name_vi if row else None


def check_calendar_range(start: dt.date, horizon_days: int) -> None:
    """The office calendar knows working days from FIRST_YEAR to LAST_YEAR only."""
    first = dt.date(calendar.FIRST_YEAR, 1, 1)
    last = dt.date(calendar.LAST_YEAR, 12, 31) - dt.timedelta(DEADLINE_MARGIN_DAYS)
    if start < first:
        raise problem("sim.error.start_range", "start_date", first=first, last=last)
    if start + dt.timedelta(horizon_days) > last:
        raise problem("sim.error.horizon_range", "horizon_days", last=last)
