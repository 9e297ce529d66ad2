"""Reference tables under ``datasets/reference/``: typed, validated, loaded once.

Every legal fact the project uses (deadlines, fees, rates, holidays) lives in one
of these CSV files with its legal basis; code reads it from here and never types
it in.  Each table has a row model; a broken table raises :class:`InputError`
naming the file, the row (as a spreadsheet would number it, header = row 1) and
the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
import unicodedata
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cadrelab.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[2]


def reference_dir() -> Path:
    """Folder of the reference tables; ``CADRELAB_REFERENCE_DIR`` overrides it (tests)."""
    return Path(os.environ.get("CADRELAB_REFERENCE_DIR", REPO_ROOT / "datasets" / "reference"))


class Row(BaseModel):
    """Base of every table row: frozen, no unknown columns, text in NFC."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


RowT = TypeVar("RowT", bound=Row)


def load_table(name: str, model: type[RowT]) -> tuple[RowT, ...]:
    """Read ``<name>.csv`` and validate every row against ``model``."""
    path = reference_dir() / f"{name}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            _check_header(path, reader.fieldnames or [], model)
            return tuple(_parse_row(path, number, raw, model) for number, raw in
                         enumerate(reader, start=2))
    except FileNotFoundError:
        raise InputError("reference table is missing", file=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 ({exc.reason})", file=path) from None
    except csv.Error as exc:
        raise InputError(f"not valid CSV ({exc})", file=path) from None


def _check_header(path: Path, header: list[str], model: type[Row]) -> None:
    expected = list(model.model_fields)
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    if missing:
        raise InputError("column is missing", file=path, row=1, field=missing[0])
    if unknown:
        raise InputError("unknown column", file=path, row=1, field=unknown[0])


def _parse_row(path: Path, number: int, raw: dict, model: type[RowT]) -> RowT:
    if None in raw:
        raise InputError("more cells than columns", file=path, row=number)
    values = {
        key: unicodedata.normalize("NFC", value) for key, value in raw.items()
        if value is not None and value.strip() != ""
    }
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        column = str(error["loc"][0]) if error["loc"] else None
        raise InputError(error["msg"], file=path, row=number, field=column) from None


def unique_by(rows: tuple[RowT, ...], key: str, table: str) -> dict[object, RowT]:
    """Index rows by ``key``; a duplicate key is an error naming its row."""
    index: dict[object, RowT] = {}
    for number, row in enumerate(rows, start=2):
        value = getattr(row, key)
        if value in index:
            raise InputError(f"duplicate value {value!r}", file=reference_dir() / f"{table}.csv",
                             row=number, field=key)
        index[value] = row
    return index


# --- working calendar -------------------------------------------------------


class CalendarOverride(Row):
    """A day the statutory holiday rules do not predict: a make-up Saturday or an extra day off."""

    date: dt.date
    kind: Literal["workday", "day_off"]
    name_vi: str
    decision: str
    note: str | None = None


class OfficeSession(Row):
    """An office-hours session, or the same-day cut-off (``kind = cutoff``, ``end`` empty)."""

    kind: Literal["session", "cutoff"]
    start: dt.time
    end: dt.time | None = None
    legal_basis: str
    simplified: bool

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.time | None, info) -> dt.time | None:
        start = info.data.get("start")
        if end is not None and start is not None and end <= start:
            raise ValueError("end must be after start")
        return end


@functools.cache
def calendar_overrides() -> tuple[CalendarOverride, ...]:
    rows = load_table("calendar_overrides", CalendarOverride)
    unique_by(rows, "date", "calendar_overrides")
    return rows


@functools.cache
def office_sessions() -> tuple[OfficeSession, ...]:
    rows = load_table("office_hours", OfficeSession)
    path = reference_dir() / "office_hours.csv"
    sessions = [r for r in rows if r.kind == "session"]
    if not sessions:
        raise InputError("no office session", file=path, field="kind")
    if sum(r.kind == "cutoff" for r in rows) != 1:
        raise InputError("exactly one cutoff row is needed", file=path, field="kind")
    for number, row in enumerate(rows, start=2):
        if row.kind == "session" and row.end is None:
            raise InputError("a session needs an end time", file=path, row=number, field="end")
    return rows


def clear_caches() -> None:
    """Forget every loaded table (tests point ``CADRELAB_REFERENCE_DIR`` elsewhere)."""
    for value in list(globals().values()):
        if callable(value) and hasattr(value, "cache_clear"):
            value.cache_clear()
