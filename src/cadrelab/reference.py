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
import unicodedata
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Literal, TypeVar, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from cadrelab.content import reference_dir
from cadrelab.errors import InputError


class Row(BaseModel):
    """Base of every table row: frozen, no unknown columns, text in NFC.

    ``line`` is the row's first line in its file (header = line 1), so that errors found
    after loading (duplicates, broken cross-references) still point at the right line
    when a quoted cell spans several lines.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    _line: int = PrivateAttr(default=0)

    @property
    def line(self) -> int:
        return self._line


RowT = TypeVar("RowT", bound=Row)


def load_table(name: str, model: type[RowT]) -> tuple[RowT, ...]:
    """Read ``<name>.csv`` and validate every row against ``model``."""
    path = reference_dir() / f"{name}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            _check_header(path, reader.fieldnames or [], model)
            rows = []
            first_line = reader.line_num + 1
            for raw in reader:
                rows.append(_parse_row(path, first_line, raw, model))
                first_line = reader.line_num + 1
            return tuple(rows)
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
        key: unicodedata.normalize("NFC", value)
        for key, value in raw.items()
        if value is not None and value.strip() != ""
    }
    try:
        row = model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        column = str(error["loc"][0]) if error["loc"] else None
        raise InputError(error["msg"], file=path, row=number, field=column) from None
    row._line = number
    return row


def numbered(rows: tuple[RowT, ...]) -> Iterator[tuple[int, RowT]]:
    """Pairs of (line in the file, row), for errors found after loading."""
    return ((row.line, row) for row in rows)


def unique_by(rows: tuple[RowT, ...], key: str, table: str) -> dict[object, RowT]:
    """Index rows by ``key``; a duplicate key is an error naming its row."""
    index: dict[object, RowT] = {}
    for number, row in numbered(rows):
        value = getattr(row, key)
        if value in index:
            raise InputError(
                f"duplicate value {value!r}",
                file=reference_dir() / f"{table}.csv",
                row=number,
                field=key,
            )
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
    for number, row in numbered(rows):
        if row.kind == "session" and row.end is None:
            raise InputError("a session needs an end time", file=path, row=number, field="end")
    return rows


# --- shared checks for the tables below ------------------------------------


def _table_error(table: str, number: int | None, column: str, problem: str) -> InputError:
    return InputError(problem, file=reference_dir() / f"{table}.csv", row=number, field=column)


def _unique_together(rows: tuple[RowT, ...], columns: tuple[str, ...], table: str) -> None:
    """Like :func:`unique_by` for a key made of several columns (reports the last one)."""
    seen: set[tuple] = set()
    for number, row in numbered(rows):
        key = tuple(getattr(row, c) for c in columns)
        if key in seen:
            raise _table_error(table, number, columns[-1], f"duplicate value {key!r}")
        seen.add(key)


def _check_references(
    rows: tuple[RowT, ...],
    column: str,
    table: str,
    allowed: set[str],
    target: str,
    *,
    many: bool = False,
) -> None:
    """Every value of ``column`` must be in ``allowed`` (the keys of ``target``); empty is fine.

    ``many``: the cell holds several values joined by "; ".
    """
    for number, row in numbered(rows):
        value = getattr(row, column)
        items = _split_list(value) if many else (value,) if value is not None else ()
        for item in items:
            if item not in allowed:
                raise _table_error(table, number, column, f"{item!r} is not a code in {target}")


def _split_list(text: str | None) -> tuple[str, ...]:
    """Cells holding several values join them with "; "."""
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


# --- administrative units ---------------------------------------------------

# DESIGN.md section 5: commune-level units after 1 July 2025 (2,621 xã, 687 phường, 13 đặc khu).
COMMUNE_TOTAL = 3321


class Province(Row):
    """A province-level unit after 1 July 2025, with its number of commune-level units."""

    code: str = Field(pattern=r"^\d{2}$")
    name_vi: str
    kind: Literal["tỉnh", "thành phố"]
    communes: int = Field(ge=1)
    former_provinces: str
    legal_basis: str
    note: str | None = None


class Commune(Row):
    """A commune-level unit (xã, phường, đặc khu) used for synthetic addresses."""

    province_code: str = Field(pattern=r"^\d{2}$")
    name_vi: str
    kind: Literal["xã", "phường", "đặc khu"]
    former_names: str | None = None
    synthetic: bool
    note: str | None = None

    @property
    def former_names_list(self) -> tuple[str, ...]:
        return _split_list(self.former_names)


_COMMUNE_PREFIX = {"xã": "Xã ", "phường": "Phường ", "đặc khu": "Đặc khu "}


@functools.cache
def provinces() -> tuple[Province, ...]:
    rows = load_table("provinces", Province)
    unique_by(rows, "code", "provinces")
    unique_by(rows, "name_vi", "provinces")
    total = sum(r.communes for r in rows)
    if total != COMMUNE_TOTAL:
        raise _table_error(
            "provinces",
            None,
            "communes",
            f"commune counts add up to {total:,}, expected {COMMUNE_TOTAL:,}",
        )
    return rows


@functools.cache
def _provinces_by_code() -> dict[object, Province]:
    return unique_by(provinces(), "code", "provinces")


def province(code: str) -> Province:
    """The province with this two-digit code."""
    try:
        return _provinces_by_code()[code]
    except KeyError:
        raise _table_error("provinces", None, "code", f"unknown province code {code!r}") from None


@functools.cache
def _all_communes() -> tuple[Commune, ...]:
    rows = load_table("communes", Commune)
    _unique_together(rows, ("province_code", "name_vi"), "communes")
    _check_references(rows, "province_code", "communes", set(_provinces_by_code()), "provinces.csv")
    for number, row in numbered(rows):
        if not row.name_vi.startswith(_COMMUNE_PREFIX[row.kind]):
            raise _table_error(
                "communes",
                number,
                "kind",
                f"kind {row.kind!r} does not match the name {row.name_vi!r}",
            )
    return rows


def communes(province_code: str | None = None) -> tuple[Commune, ...]:
    """Sample commune-level units, all or those of one province."""
    rows = _all_communes()
    if province_code is None:
        return rows
    province(province_code)
    return tuple(r for r in rows if r.province_code == province_code)


# --- fees, charges and tax rates ----------------------------------------------


class FeeRule(Row):
    """A fee, charge or tax rate: flat, per page with a cap, a rate on a value, or free."""

    code: str
    name_vi: str
    kind: Literal["flat", "per_page", "rate", "free"]
    amount_vnd: int | None = Field(default=None, ge=0)
    first_pages: int | None = Field(default=None, ge=1)
    later_page_vnd: int | None = Field(default=None, ge=0)
    cap_vnd: int | None = Field(default=None, ge=0)
    rate: float | None = Field(default=None, ge=0, le=1)
    legal_basis: str
    simplified: bool
    note: str | None = None

    def shape_problem(self) -> tuple[str, str] | None:
        """(column, problem) when the filled-in columns do not fit ``kind``."""
        needed = _FEE_COLUMNS[self.kind]
        for column in _FEE_COLUMNS["per_page"] + _FEE_COLUMNS["rate"]:
            filled = getattr(self, column) is not None
            if column in needed and not filled and column != "cap_vnd":
                return column, f"a {self.kind} fee needs {column}"
            if filled and column not in needed:
                return column, f"a {self.kind} fee must leave {column} empty"
        return None

    def amount(self, *, pages: int | None = None, value: int | None = None) -> int:
        """The amount due in whole đồng: ``pages`` for per-page fees, ``value`` for rates."""
        if self.kind == "free":
            return 0
        if self.kind == "flat":
            return self.amount_vnd or 0
        if self.kind == "per_page":
            return int(self.amounts(pages=np.array([_non_negative(pages, "pages", "số trang")]))[0])
        value = _non_negative(value, "value", "giá trị tính")
        return int(self.amounts(values=np.array([value]))[0])

    def amounts(self, *, pages: np.ndarray | None = None, values: np.ndarray | None = None):
        """:meth:`amount` over whole columns (the generators' path); rates round half up."""
        if self.kind == "per_page" and pages is not None:
            pages = np.asarray(pages, dtype=np.int64)
            first = np.minimum(pages, self.first_pages or 0) * (self.amount_vnd or 0)
            later = np.maximum(pages - (self.first_pages or 0), 0) * (self.later_page_vnd or 0)
            total = first + later
            return total if self.cap_vnd is None else np.minimum(total, self.cap_vnd)
        if self.kind == "rate" and values is not None and self.rate is not None:
            # Exact integer arithmetic: value × num / den rounded half up, as Decimal would.
            fraction = Fraction(str(self.rate))
            num, den = fraction.numerator, fraction.denominator
            return (np.asarray(values, dtype=np.int64) * (2 * num) + den) // (2 * den)
        raise InputError(
            f"fee rule {self.code} ({self.kind}) cannot be computed from "
            f"{'pages' if pages is not None else 'values'}",
            file=reference_dir() / "fee_schedules.csv",
            field="kind",
        )


_FEE_COLUMNS: dict[str, tuple[str, ...]] = {
    "free": (),
    "flat": ("amount_vnd",),
    "per_page": ("amount_vnd", "first_pages", "later_page_vnd", "cap_vnd"),
    "rate": ("rate",),
}


def _non_negative(number: int | None, name: str, name_vi: str) -> int:
    if number is None:
        raise InputError(f"{name} is required", field=name, problem_vi=f"thiếu {name_vi}")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise InputError(
            f"{name} must be a whole number ≥ 0, got {number!r}",
            field=name,
            problem_vi=f"{name_vi} phải là số nguyên không âm",
        )
    return number


@functools.cache
def fee_schedules() -> tuple[FeeRule, ...]:
    rows = load_table("fee_schedules", FeeRule)
    unique_by(rows, "code", "fee_schedules")
    for number, row in numbered(rows):
        problem = row.shape_problem()
        if problem:
            raise _table_error("fee_schedules", number, *problem)
    return rows


@functools.cache
def _fees_by_code() -> dict[object, FeeRule]:
    return unique_by(fee_schedules(), "code", "fee_schedules")


def fee_rule(code: str) -> FeeRule:
    """The fee rule with this code."""
    try:
        return _fees_by_code()[code]
    except KeyError:
        raise _table_error("fee_schedules", None, "code", f"unknown fee code {code!r}") from None


# --- procedure catalogue ------------------------------------------------------

OPTIONAL_MARK = "(nếu có)"


def is_optional_component(component: str) -> bool:
    """A component the citizen hands over only if it applies to them ("… (nếu có)")."""
    return OPTIONAL_MARK in component


ProcedureField = Literal["civil_status", "certification", "land", "business", "social", "finance"]
PROCEDURE_FIELDS: tuple[str, ...] = get_args(ProcedureField)


class Procedure(Row):
    """A commune-level administrative procedure with its deadline, fee and dossier."""

    code: str = Field(pattern=r"^[A-Z]{2,4}-[A-Z0-9]{1,8}$")
    name_vi: str
    field: ProcedureField
    unit: Literal["VP", "KT", "VHXH", "TTPVHCC"]
    deadline_working_days: int = Field(ge=0)
    fee_code: str | None = None
    extra_fee_codes: str | None = None
    online_level: Literal["toan_trinh", "mot_phan", "truc_tiep"]
    components: str
    stage_working_days: str | None = None
    volume_weight: float = Field(ge=0)
    legal_basis: str
    simplified: bool
    note: str | None = None

    @field_validator("stage_working_days")
    @classmethod
    def _stages_add_up(cls, stages: str | None, info) -> str | None:
        if stages is None:
            return None
        days = [int(part) for part in _split_list(stages) if part.isdigit()]
        if len(days) != len(_split_list(stages)):
            raise ValueError("stages must be whole numbers of working days joined by '; '")
        total = info.data.get("deadline_working_days")
        if total is not None and sum(days) != total:
            raise ValueError(f"stages add up to {sum(days)}, not the deadline {total}")
        return stages

    @property
    def components_list(self) -> tuple[str, ...]:
        return _split_list(self.components)

    @property
    def required_components(self) -> tuple[str, ...]:
        """Components without which the dossier is incomplete (not those marked "(nếu có)")."""
        return tuple(c for c in self.components_list if not is_optional_component(c))

    @property
    def stages(self) -> tuple[int, ...]:
        """Working days of each hand-off stage (e.g. 17 processing + 3 issuing), if known."""
        return tuple(int(part) for part in _split_list(self.stage_working_days))

    @property
    def extra_fee_codes_list(self) -> tuple[str, ...]:
        """Further fees or taxes collected with the dossier (e.g. income tax on a transfer)."""
        return _split_list(self.extra_fee_codes)


@functools.cache
def procedures() -> tuple[Procedure, ...]:
    rows = load_table("procedures", Procedure)
    unique_by(rows, "code", "procedures")
    fees = set(_fees_by_code())
    _check_references(rows, "fee_code", "procedures", fees, "fee_schedules.csv")
    _check_references(rows, "extra_fee_codes", "procedures", fees, "fee_schedules.csv", many=True)
    if rows and sum(r.volume_weight for r in rows) <= 0:
        raise _table_error("procedures", None, "volume_weight", "all volume weights are zero")
    return rows


@functools.cache
def _procedures_by_code() -> dict[object, Procedure]:
    return unique_by(procedures(), "code", "procedures")


def procedure(code: str) -> Procedure:
    """The procedure with this code."""
    try:
        return _procedures_by_code()[code]
    except KeyError:
        raise _table_error("procedures", None, "code", f"unknown procedure code {code!r}") from None


# --- land -------------------------------------------------------------------------


class LandUseCode(Row):
    """A land-use type code as written on cadastral maps and certificates."""

    code: str = Field(pattern=r"^[A-Z]{3}$")
    name_vi: str
    group: Literal["nông nghiệp", "phi nông nghiệp", "chưa sử dụng"]
    legal_basis: str
    note: str | None = None


class LandPrice(Row):
    """An illustrative land-price-table entry (đồng per m²) for training."""

    province_code: str = Field(pattern=r"^\d{2}$")
    zone: Literal["đô thị", "nông thôn"]
    land_use_code: str
    price_vnd_per_m2: int = Field(ge=0)
    legal_basis: str
    simplified: bool
    note: str | None = None


@functools.cache
def land_use_codes() -> tuple[LandUseCode, ...]:
    rows = load_table("land_use_codes", LandUseCode)
    unique_by(rows, "code", "land_use_codes")
    return rows


@functools.cache
def land_prices() -> tuple[LandPrice, ...]:
    rows = load_table("land_prices", LandPrice)
    _unique_together(rows, ("province_code", "zone", "land_use_code"), "land_prices")
    _check_references(
        rows, "province_code", "land_prices", set(_provinces_by_code()), "provinces.csv"
    )
    codes = {r.code for r in land_use_codes()}
    _check_references(rows, "land_use_code", "land_prices", codes, "land_use_codes.csv")
    return rows


@functools.cache
def _land_price_index() -> dict[tuple[str, str, str], int]:
    return {(r.province_code, r.zone, r.land_use_code): r.price_vnd_per_m2 for r in land_prices()}


def land_price(province_code: str, zone: str, land_use_code: str) -> int:
    """Price-table price in đồng per m²."""
    try:
        return _land_price_index()[(province_code, zone, land_use_code)]
    except KeyError:
        raise _table_error(
            "land_prices",
            None,
            "land_use_code",
            f"no price for province {province_code!r}, zone {zone!r}, code {land_use_code!r}",
        ) from None


# --- commune budget -------------------------------------------------------------


class BudgetLine(Row):
    """A budget classification sub-item (tiểu mục) a commune uses, with its roll-up category."""

    code: str = Field(pattern=r"^\d{4}$")
    kind: Literal["revenue", "expense"]
    group_code: str = Field(pattern=r"^\d{4}$")
    name_vi: str
    category: str
    legal_basis: str
    note: str | None = None


class BudgetChapter(Row):
    """A budget chapter code (mã chương) used at commune level."""

    code: str = Field(pattern=r"^\d{3}$")
    name_vi: str
    legal_basis: str
    note: str | None = None


@functools.cache
def _all_budget_lines() -> tuple[BudgetLine, ...]:
    rows = load_table("budget_lines", BudgetLine)
    unique_by(rows, "code", "budget_lines")
    for number, row in numbered(rows):
        # A section (mục) groups the sub-items numbered from it up to the next multiple of 50.
        if not 0 < int(row.code) - int(row.group_code) < 50:
            raise _table_error(
                "budget_lines",
                number,
                "group_code",
                f"sub-item {row.code} does not belong to section {row.group_code}",
            )
    return rows


def budget_lines(kind: str | None = None) -> tuple[BudgetLine, ...]:
    """Budget sub-items, all or only ``revenue`` / ``expense``."""
    if kind not in (None, "revenue", "expense"):
        raise InputError(f"kind must be 'revenue' or 'expense', got {kind!r}", field="kind")
    rows = _all_budget_lines()
    return rows if kind is None else tuple(r for r in rows if r.kind == kind)


@functools.cache
def budget_chapters() -> tuple[BudgetChapter, ...]:
    rows = load_table("budget_chapters", BudgetChapter)
    unique_by(rows, "code", "budget_chapters")
    return rows


# --- commune staff ------------------------------------------------------------------


class StaffPost(Row):
    """A post at the commune People's Committee and the fields of work it specialises in."""

    code: str = Field(pattern=r"^[a-z_]+$")
    name_vi: str
    unit: Literal["LANH_DAO", "VP", "KT", "VHXH", "TTPVHCC"]
    typical_count: int = Field(ge=0)
    handles_fields: str | None = None
    signs: bool
    legal_basis: str
    simplified: bool
    note: str | None = None

    @property
    def handles_fields_list(self) -> tuple[str, ...]:
        return _split_list(self.handles_fields)


@functools.cache
def staff_posts() -> tuple[StaffPost, ...]:
    rows = load_table("staff_posts", StaffPost)
    unique_by(rows, "code", "staff_posts")
    _check_references(
        rows,
        "handles_fields",
        "staff_posts",
        set(PROCEDURE_FIELDS),
        "the procedure fields",
        many=True,
    )
    for number, row in numbered(rows):
        if row.signs and row.unit != "LANH_DAO":
            raise _table_error("staff_posts", number, "signs", "only the leadership signs results")
    return rows


def clear_caches() -> None:
    """Forget every loaded table (tests point ``CADRELAB_REFERENCE_DIR`` elsewhere)."""
    for value in list(globals().values()):
        if callable(value) and hasattr(value, "cache_clear"):
            value.cache_clear()
