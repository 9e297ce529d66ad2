"""Facts that carry their time and their source, and the one registry of fact tables.

A fact row says when it is in force (``valid_from`` to ``valid_to``, both days
included; an empty ``valid_to`` means still in force), where it comes from
(``source``: document number, date, article, clause), how far it can be trusted
(``status``) and when it was last checked against that source (``checked_on``).
A change in law is a new row for the same key, never an edit, so history stays.

Every lookup names the day the law ties the fact to (``on``): the receipt date of
a dossier, the date of a contract, the first day of a budget year.  No lookup
assumes today.  A day outside every version of a fact is an :class:`InputError`.

Tables grow through :func:`register`: one :class:`FactTable` entry per CSV file
(its row model, the columns that identify one fact, and its cross-table checks).
The CLI (``cadrelab facts``), the audit and the tests iterate the registry.
"""

from __future__ import annotations

import bisect
import contextlib
import contextvars
import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, NamedTuple, get_args

import numpy as np
from pydantic import Field, field_validator

from cadrelab.errors import InputError
from cadrelab.reference.tables import Row, RowT, load_rows, split_list, table_error

Status = Literal["official", "simplified", "illustrative", "unverified"]
STATUSES: tuple[str, ...] = get_args(Status)
#: Statuses a lesson or graded exercise may teach (``unverified`` may not).
TEACHABLE: frozenset[str] = frozenset({"official", "simplified", "illustrative"})
FOREVER = dt.date.max


class Sourced(Row):
    """Where a fact comes from and how far it can be trusted."""

    source: str
    status: Status
    status_note: str | None = Field(default=None, validate_default=True)
    checked_on: dt.date | None = Field(default=None, validate_default=True)

    @field_validator("status_note")
    @classmethod
    def _status_explained(cls, note: str | None, info) -> str | None:
        status = info.data.get("status")
        if status not in (None, "official") and not note:
            raise ValueError(f"a {status} fact must say why in status_note")
        return note

    @field_validator("checked_on")
    @classmethod
    def _checked(cls, checked_on: dt.date | None, info) -> dt.date | None:
        status = info.data.get("status")
        if status in ("official", "simplified") and checked_on is None:
            raise ValueError(f"a {status} fact needs the date it was checked against its source")
        return checked_on

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """First and last day in force, both included (``FOREVER`` while in force)."""
        raise NotImplementedError


class Fact(Sourced):
    """A fact in force from ``valid_from`` to ``valid_to`` (empty: still in force)."""

    valid_from: dt.date
    valid_to: dt.date | None = None

    @field_validator("valid_to")
    @classmethod
    def _ends_after_start(cls, valid_to: dt.date | None, info) -> dt.date | None:
        start = info.data.get("valid_from")
        if valid_to is not None and start is not None and valid_to < start:
            raise ValueError(f"valid_to {valid_to} is before valid_from {start}")
        return valid_to

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return self.valid_from, self.valid_to or FOREVER


class DayFact(Sourced):
    """A fact about one day (a holiday, a make-up working day): its date is its time."""

    date: dt.date

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return self.date, self.date


class FactRef(NamedTuple):
    """One version of one fact: what a lesson, a generator or the audit points at."""

    table: str
    key: str
    valid_from: dt.date


def as_day(on: object, name: str = "on") -> dt.date:
    """The day a fact is looked up for: a date, a date and time, or ISO text (``2025-09-15``)."""
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    if isinstance(on, np.datetime64) and not np.isnat(on):
        return on.astype("datetime64[D]").astype(object)
    if isinstance(on, str):
        try:
            return dt.datetime.fromisoformat(on.strip()).date()
        except ValueError:
            pass
    raise InputError(
        f"expected the date the law ties this fact to, got {on!r}",
        field=name,
        problem_vi=f"cần ngày áp dụng (ngày nhận hồ sơ, ngày hợp đồng…), nhận được {on!r}",
    )


def key_text(values: Sequence[object]) -> str:
    """A fact's key as people type it: ``HT-KS``, ``01/đô thị/ODT``."""
    return "/".join(str(v) for v in values)


# --- who asked for which fact ---------------------------------------------------------

_recorders: contextvars.ContextVar[tuple[set[FactRef], ...]] = contextvars.ContextVar(
    "fact_recorders", default=()
)


@contextlib.contextmanager
def recording() -> Iterator[set[FactRef]]:
    """Collect every fact version the loader hands out inside the block."""
    used: set[FactRef] = set()
    token = _recorders.set((*_recorders.get(), used))
    try:
        yield used
    finally:
        _recorders.reset(token)


def _record(table: FactTable, rows: Sequence[Sourced]) -> None:
    recorders = _recorders.get()
    if recorders:
        refs = {table.ref(row) for row in rows}
        for used in recorders:
            used |= refs


# --- one table of facts --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FactTable(Generic[RowT]):
    """One CSV of facts: its row model, the columns naming one fact, its extra checks.

    ``check`` receives every row (all versions) after the per-row validation and the
    overlap check; it raises :class:`InputError` for problems across rows or tables.
    ``one`` and ``many`` name the functions of :mod:`cadrelab.reference` that read one
    fact by its key and the whole table (so that notebooks' reads can be found).
    """

    name: str
    model: type[RowT]
    key: tuple[str, ...]
    what: str
    check: Callable[[tuple[RowT, ...]], None] | None = None
    one: str | None = None
    many: str | None = None
    _index: dict[str, Any] = field(default_factory=dict, repr=False)

    # --- loading ------------------------------------------------------------------

    def rows(self) -> tuple[RowT, ...]:
        """Every version of every fact in the file, validated (loaded once)."""
        if "rows" not in self._index:
            rows = load_rows(self.name, self.model)
            self._index.update(rows=rows, versions=self._versions(rows), in_force={})
            try:
                if self.check is not None:
                    self.check(rows)  # may look at this table itself (a code replaced by another)
            except BaseException:
                self._index.clear()
                raise
        return self._index["rows"]

    def _versions(self, rows: tuple[RowT, ...]) -> dict[tuple, list[RowT]]:
        by_key: dict[tuple, list[RowT]] = {}
        for row in rows:
            by_key.setdefault(self.key_of(row), []).append(row)
        for key, versions in by_key.items():
            versions.sort(key=lambda r: r.period[0])
            for before, after in itertools.pairwise(versions):
                if after.period[0] <= before.period[1]:
                    raise table_error(
                        self.name,
                        after.line,
                        _start_column(after),
                        f"{key_text(key)!r} overlaps row {before.line} "
                        f"({_shown(before.period)}): a new version starts after the old one ends",
                        f"{key_text(key)!r} trùng thời gian hiệu lực với dòng {before.line}",
                    )
        return by_key

    def clear(self) -> None:
        self._index.clear()

    # --- looking up -----------------------------------------------------------------

    def key_of(self, row: RowT) -> tuple:
        return tuple(getattr(row, c) for c in self.key)

    def ref(self, row: RowT) -> FactRef:
        return FactRef(self.name, key_text(self.key_of(row)), row.period[0])

    def history(self, key: object) -> tuple[RowT, ...]:
        """Every version of one fact, oldest first (empty if the key is unknown)."""
        self.rows()
        return tuple(self._index["versions"].get(_as_key(key), ()))

    def in_force(self, on: object, *, teachable: bool = False) -> tuple[RowT, ...]:
        """The rows in force on ``on``, in file order.

        ``teachable``: only the rows a lesson may teach (status not ``unverified``); only
        those count as used, so a lesson or a generator can read a table without using the
        facts nobody has checked yet.
        """
        day = as_day(on)
        self.rows()
        cache = self._index["in_force"]
        if day not in cache:
            rows = tuple(r for r in self._index["rows"] if r.period[0] <= day <= r.period[1])
            if not rows:
                raise table_error(
                    self.name,
                    None,
                    "valid_from",
                    f"no row is in force on {day}",
                    f"không có dòng nào có hiệu lực vào ngày {day:%d/%m/%Y}",
                )
            cache[day] = rows
        rows = cache[day]
        if teachable:
            rows = tuple(r for r in rows if r.status in TEACHABLE)
        _record(self, rows)
        return rows

    def get(self, key: object, on: object, *, noun: str = "code", teachable: bool = False) -> RowT:
        """The version of one fact in force on ``on``.

        ``teachable``: refuse (``InputError``) a version nobody has checked against its
        source yet, so that a lesson never shows one as law.
        """
        day = as_day(on)
        versions = self.history(key)
        if not versions:
            raise table_error(
                self.name,
                None,
                self.key[-1],
                f"unknown {noun} {key_text(_as_key(key))!r}",
                f"không có {key_text(_as_key(key))!r} trong bảng",
            )
        row = _version_on(versions, day)
        if row is None:
            nearest = versions[0] if day < versions[0].period[0] else versions[-1]
            column = _start_column(nearest) if day < nearest.period[0] else "valid_to"
            raise table_error(
                self.name,
                nearest.line,
                column,
                f"{key_text(_as_key(key))!r} is not in force on {day} "
                f"(in force: {', '.join(_shown(v.period) for v in versions)})",
                f"{key_text(_as_key(key))!r} không có hiệu lực vào ngày {day:%d/%m/%Y}",
            )
        if teachable and row.status not in TEACHABLE:
            raise table_error(
                self.name,
                row.line,
                "status",
                f"{key_text(_as_key(key))!r} is not checked against an official text yet "
                f"(status {row.status}); a lesson may not teach it",
                f"{key_text(_as_key(key))!r} chưa được đối chiếu với văn bản chính thức; "
                "bài học không được dùng",
            )
        _record(self, (row,))
        return row

    def note_use(self) -> None:
        """Record every row as used (a computation that depends on the whole table)."""
        _record(self, self.rows())

    def positions(self, keys: Sequence[object], days: np.ndarray) -> np.ndarray:
        """For whole columns: the index in :meth:`rows` of the version of each key on each day.

        ``days`` is datetime64; the result is an integer array. Raises like :meth:`get`
        for the first pair with no version in force.
        """
        rows = self.rows()
        position_of = {id(r): i for i, r in enumerate(rows)}
        keys = np.asarray(keys, dtype=object)
        ordinals = np.asarray(days, dtype="datetime64[D]").astype(np.int64)
        out = np.full(len(keys), -1, dtype=np.int64)
        for key in set(keys.tolist()):
            mask = keys == key
            versions = self.history(key)
            starts = np.array([_ordinal(v.period[0]) for v in versions], dtype=np.int64)
            ends = np.array([_ordinal(v.period[1]) for v in versions], dtype=np.int64)
            where = np.searchsorted(starts, ordinals[mask], side="right") - 1
            found = (where >= 0) & (ends[np.maximum(where, 0)] >= ordinals[mask])
            if not versions or not found.all():
                bad = ordinals[mask][~found][0] if versions else ordinals[mask][0]
                self.get(key, np.datetime64(int(bad), "D"))  # raises with the full message
            out[mask] = [position_of[id(versions[w])] for w in where]
        _record(self, [rows[i] for i in set(out.tolist())])
        return out

    def changes(self, first: object, last: object) -> list[tuple[str, RowT | None, RowT | None]]:
        """What changed after ``first`` up to ``last``: (kind, old row, new row).

        A change happens on a version's first day, or on the day after its last day.

        ``added``: a fact that starts in the span; ``changed``: a new version follows an old
        one; ``ended``: a fact whose last day falls in the span with no successor; ``day``: a
        fact about one day (a holiday) in the span.
        """
        start, end = as_day(first, "from"), as_day(last, "to")
        if end < start:
            raise InputError(f"--to {end} is before --from {start}", field="to")
        found: list[tuple[str, RowT | None, RowT | None]] = []
        for versions in self._all_versions():
            for i, row in enumerate(versions):
                before = versions[i - 1] if i else None
                after = versions[i + 1] if i + 1 < len(versions) else None
                begins, ends = row.period
                if isinstance(row, DayFact):
                    if start < begins <= end:
                        found.append(("day", None, row))
                    continue
                if start < begins <= end:
                    adjacent = before is not None and _next_day(before.period[1]) == begins
                    found.append(("changed", before, row) if adjacent else ("added", None, row))
                if start <= ends < end and (after is None or after.period[0] != _next_day(ends)):
                    found.append(("ended", row, None))
        return found

    def gaps(self) -> list[tuple[RowT, RowT]]:
        """Consecutive versions of one fact with days between them when nothing is in force."""
        return [
            (before, after)
            for versions in self._all_versions()
            for before, after in itertools.pairwise(versions)
            if after.period[0] != _next_day(before.period[1])
        ]

    def _all_versions(self) -> list[list[RowT]]:
        self.rows()
        return list(self._index["versions"].values())


def _as_key(key: object) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _version_on(versions: Sequence[Sourced], day: dt.date) -> Sourced | None:
    starts = [v.period[0] for v in versions]
    i = bisect.bisect_right(starts, day) - 1
    if i >= 0 and day <= versions[i].period[1]:
        return versions[i]
    return None


def _start_column(row: Sourced) -> str:
    return "date" if isinstance(row, DayFact) else "valid_from"


def _shown(period: tuple[dt.date, dt.date]) -> str:
    first, last = period
    return f"{first} – {'…' if last == FOREVER else last}"


def _next_day(day: dt.date) -> dt.date:
    return day if day == FOREVER else day + dt.timedelta(days=1)


def _ordinal(day: dt.date) -> int:
    """Days since 1970-01-01, the integer form of datetime64[D] (FOREVER stays largest)."""
    return day.toordinal() - dt.date(1970, 1, 1).toordinal()


# --- the registry -------------------------------------------------------------------------

REGISTRY: dict[str, FactTable] = {}


def register(table: FactTable[RowT]) -> FactTable[RowT]:
    """Add a fact table; its name is its CSV file under the reference folder."""
    if table.name in REGISTRY:
        raise ValueError(f"fact table {table.name!r} is registered twice")
    REGISTRY[table.name] = table
    return table


def clear_caches() -> None:
    """Forget every loaded table (tests point ``CADRELAB_REFERENCE_DIR`` elsewhere)."""
    for table in REGISTRY.values():
        table.clear()
    for hook in _CLEAR_HOOKS:
        hook()


_CLEAR_HOOKS: list[Callable[[], None]] = []


def on_clear(function: Callable) -> Callable:
    """Register a cached function (``functools.cache``) to forget with the tables."""
    _CLEAR_HOOKS.append(function.cache_clear)
    return function


# --- references between tables ------------------------------------------------------------


def check_references(
    rows: Sequence[Sourced],
    column: str,
    table: str,
    target: FactTable,
    *,
    many: bool = False,
    when: Literal["throughout", "overlap", "after"] = "throughout",
) -> None:
    """Every code in ``column`` names a fact of ``target``, in force when the row needs it.

    ``when``: ``throughout`` every day the row is in force (a procedure's fee); ``overlap``
    some day the row is in force (the fees a budget line collects); ``after`` the day after
    the row ends (the code that replaced an old one).  ``many``: the cell holds several codes
    joined by "; ".  Empty cells are fine.
    """
    for row in rows:
        value = getattr(row, column)
        codes = split_list(value) if many else (value,) if value is not None else ()
        for code in codes:
            versions = target.history(code)
            if not versions:
                raise table_error(
                    table, row.line, column, f"{code!r} is not a code in {target.name}.csv"
                )
            periods = [v.period for v in versions]
            first, last = row.period
            if when == "throughout":
                missing = _first_uncovered(row.period, periods)
            elif when == "after":
                after = _next_day(last)
                missing = None if any(a <= after <= b for a, b in periods) else after
            else:
                missing = None if any(a <= last and first <= b for a, b in periods) else first
            if missing is not None:
                raise table_error(
                    table,
                    row.line,
                    column,
                    f"{code!r} is not in force in {target.name}.csv on {missing}, "
                    f"while this row needs it ({_shown(row.period)})",
                )


def _first_uncovered(
    span: tuple[dt.date, dt.date], periods: Sequence[tuple[dt.date, dt.date]]
) -> dt.date | None:
    """The first day of ``span`` that no period covers (periods sorted, not overlapping)."""
    day, last = span
    for first, end in periods:
        if end < day:
            continue
        if first > day:
            return day
        if end >= last:
            return None
        day = _next_day(end)
    return day
