"""Reading one reference CSV into typed rows, and naming the cell when it is wrong.

Every error is an :class:`InputError` naming the file, the row as a spreadsheet
would number it (header = row 1) and the column.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

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


def table_path(table: str) -> Path:
    return reference_dir() / f"{table}.csv"


def table_error(
    table: str, row: int | None, column: str | None, problem: str, problem_vi: str | None = None
) -> InputError:
    return InputError(problem, file=table_path(table), row=row, field=column, problem_vi=problem_vi)


def load_rows(table: str, model: type[RowT]) -> tuple[RowT, ...]:
    """Read ``<table>.csv`` and validate every row against ``model``."""
    path = table_path(table)
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
        problem = error["msg"].removeprefix("Value error, ")
        raise InputError(problem, file=path, row=number, field=column) from None
    row._line = number
    return row


def split_list(text: str | None) -> tuple[str, ...]:
    """Cells holding several values join them with "; "."""
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def unique_together(rows: Iterable[Row], columns: tuple[str, ...], table: str) -> None:
    """No two rows share the values of ``columns`` (the error names the last column)."""
    seen: set[tuple] = set()
    for row in rows:
        key = tuple(getattr(row, c) for c in columns)
        if key in seen:
            shown = key[0] if len(key) == 1 else key
            raise table_error(table, row.line, columns[-1], f"duplicate value {shown!r}")
        seen.add(key)
