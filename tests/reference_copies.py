"""Private copies of the reference tables that a test may break, and cell edits on them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from cadrelab import content, reference


# Test modules import these two fixtures by their function names (registered as
# ``fresh_caches`` and ``tables``), so that a test's ``tables`` argument shadows nothing.
@pytest.fixture(autouse=True, name="fresh_caches")
def fresh_caches_fixture():
    reference.clear_caches()
    yield
    reference.clear_caches()


@pytest.fixture(name="tables")
def tables_fixture(tmp_path, monkeypatch) -> Path:
    """A private copy of the reference folder, pointed at by CADRELAB_REFERENCE_DIR."""
    folder = tmp_path / "reference"
    shutil.copytree(content.reference_dir(), folder)
    monkeypatch.setenv("CADRELAB_REFERENCE_DIR", str(folder))
    reference.clear_caches()
    return folder


def read_records(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_records(path: Path, records: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)


def row_of(folder: Path, table: str, key: str) -> int:
    """The spreadsheet row number (header = 1) of the first row whose first cell is ``key``."""
    records = read_records(folder, table)
    return next(i for i, r in enumerate(records, start=1) if r[0] == key)


def edit_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is numbered as a spreadsheet would (header = 1)."""
    records = read_records(folder, table)
    records[row - 1][records[0].index(column)] = value
    write_records(folder / f"{table}.csv", records)


def edit_key(folder: Path, table: str, key: str, column: str, value: str) -> int:
    """Set one cell of the first row whose key is ``key``; returns that row's number."""
    row = row_of(folder, table, key)
    edit_cell(folder, table, row, column, value)
    return row
