"""`cadrelab facts`: list, show, changes, count; bad tables: one line, exit 2, nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cadrelab import cli, reference
from cadrelab.errors import InputError
from cadrelab.reference.facts import FactTable, key_text
from tests.reference_copies import (  # noqa: F401 (fixtures)
    edit_key,
    fresh_caches_fixture,
    read_records,
    tables_fixture,
    write_records,
)

D = dt.date


def records(folder: Path, table: str) -> list[list[str]]:
    return read_records(folder, table)


def write(folder: Path, table: str, rows: list[list[str]]) -> None:
    write_records(folder / f"{table}.csv", rows)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse refuses the arguments
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


# --- what is in force, what changed --------------------------------------------------------


def test_list_on_a_day_shows_only_what_is_in_force(capsys) -> None:
    code, out, _ = run(capsys, "facts", "list", "--on", "2026-03-01", "--table", "fee_schedules")
    assert code == 0
    keys = [line.split()[1] for line in out.splitlines()]
    assert "CT-BANSAO" in keys and "MONBAI-HKD-1" not in keys
    assert keys.count("TNCN-BDS") == 1
    code, out, _ = run(capsys, "facts", "list", "--table", "fee_schedules")
    assert [line.split()[1] for line in out.splitlines()].count("TNCN-BDS") == 2


def test_show_prints_every_version_or_the_one_in_force(capsys) -> None:
    code, out, _ = run(capsys, "facts", "show", "TNCN-BDS")
    assert code == 0 and out.count("[fee_schedules.csv, row") == 2
    code, out, _ = run(capsys, "facts", "show", "TNCN-BDS", "--on", "2026-06-30")
    assert out.count("[fee_schedules.csv") == 1 and "04/2007/QH12" in out
    code, out, _ = run(capsys, "facts", "show", "01/đô thị/ODT", "--on", "2025-09-15")
    assert code == 0 and "price_vnd_per_m2" in out


def test_changes_between_two_days(capsys) -> None:
    code, out, _ = run(capsys, "facts", "changes", "--from", "2025-12-01", "--to", "2026-07-31")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("ended") and "MONBAI-HKD-1" in line for line in lines)
    assert any(line.startswith("changed") and "TNCN-BDS" in line for line in lines)
    assert any(line.startswith("day") and "2026-01-10" in line for line in lines)
    assert not any("2025-09-02" in line for line in lines)


def test_changes_of_a_table_match_its_versions() -> None:
    # A change happens on the first day of a version, or the day after the last one.
    changes = reference.FEES.changes(D(2025, 12, 31), D(2026, 1, 1))
    kinds = {(kind, (new or old).code) for kind, old, new in changes}
    assert ("ended", "MONBAI-HKD-1") in kinds and ("changed", "SDDNN-MIEN") in kinds
    later = reference.FEES.changes(D(2026, 1, 1), D(2026, 6, 30))
    assert not {(new or old).code for _, old, new in later} & {"MONBAI-HKD-1", "SDDNN-MIEN"}


def test_count_is_a_markdown_table_of_every_table(capsys) -> None:
    code, out, _ = run(capsys, "facts", "count")
    assert code == 0
    for name in reference.REGISTRY:
        assert f"| {name} |" in out
    total = sum(len(t.rows()) for t in reference.REGISTRY.values())
    assert f"**{total}**" in out


# --- bad tables and bad arguments: one line, exit 2, nothing written ---------------------


def one_line_error(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_overlapping_versions(tables, capsys) -> None:
    rows = records(tables, "fee_schedules")
    copy = list(rows[1])
    copy[rows[0].index("valid_from")] = "2024-01-01"
    write(tables, "fee_schedules", [*rows, copy])
    line = one_line_error(capsys, "facts", "list")
    assert "fee_schedules.csv" in line and f"row {len(rows) + 1}" in line
    assert "'valid_from'" in line and "overlaps row 2" in line


def test_missing_source(tables, capsys) -> None:
    row = edit_key(tables, "procedures", "HT-KS", "source", "")
    line = one_line_error(capsys, "facts", "show", "HT-KS")
    assert f"procedures.csv: row {row}: field 'source'" in line


def test_unknown_status(tables, capsys) -> None:
    row = edit_key(tables, "land_use_codes", "LUC", "status", "confirmed")
    line = one_line_error(capsys, "facts", "list", "--table", "land_use_codes")
    assert f"land_use_codes.csv: row {row}: field 'status'" in line


def test_a_day_outside_every_row(capsys) -> None:
    line = one_line_error(capsys, "facts", "show", "HT-KS", "--on", "2024-01-01")
    assert "procedures.csv" in line and "'valid_from'" in line and "2024-01-01" in line
    line = one_line_error(capsys, "facts", "list", "--on", "1999-01-01")
    assert "no row is in force on 1999-01-01" in line


def test_unknown_key_and_bad_arguments(capsys) -> None:
    assert "XX-NOPE" in one_line_error(capsys, "facts", "show", "XX-NOPE")
    assert "YYYY-MM-DD" in one_line_error(capsys, "facts", "list", "--on", "15/09/2025")
    assert "unknown table" in one_line_error(capsys, "facts", "list", "--table", "nope")
    assert "before" in one_line_error(
        capsys, "facts", "changes", "--from", "2026-01-01", "--to", "2025-01-01"
    )


def test_count_leaves_the_readme_untouched_when_a_table_is_broken(tables, capsys, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- facts-count:start -->\nold\n<!-- facts-count:end -->\n", "utf-8")
    edit_key(tables, "procedures", "HT-KS", "status", "")
    one_line_error(capsys, "facts", "count", "--readme", str(readme))
    assert "old" in readme.read_text("utf-8")
    reference.clear_caches()
    edit_key(tables, "procedures", "HT-KS", "status", "unverified")
    code, _, _ = run(capsys, "facts", "count", "--readme", str(readme))
    assert code == 0 and "old" not in readme.read_text("utf-8")
    readme.write_text("no markers\n", "utf-8")
    assert "markers" in one_line_error(capsys, "facts", "count", "--readme", str(readme))
    assert readme.read_text("utf-8") == "no markers\n"


# --- the registry ---------------------------------------------------------------------------


def test_registering_a_table_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        reference.register(FactTable("procedures", reference.Procedure, ("code",), "again"))


def test_every_registered_lookup_function_exists() -> None:
    for table in reference.REGISTRY.values():
        for name in (table.one, table.many):
            if name:
                assert callable(getattr(reference, name)), (table.name, name)


def test_positions_pick_each_rows_version_by_its_day() -> None:
    import numpy as np

    days = np.array(["2026-06-30", "2026-07-01"], dtype="datetime64[D]")
    where = reference.FEES.positions(["TNCN-BDS", "TNCN-BDS"], days)
    rows = reference.FEES.rows()
    assert [rows[i].valid_from for i in where] == [D(2009, 1, 1), D(2026, 7, 1)]
    with pytest.raises(Exception, match="MONBAI-HKD-1"):
        reference.FEES.positions(["MONBAI-HKD-1"], np.array(["2026-02-01"], dtype="datetime64[D]"))


def test_key_text_joins_composite_keys() -> None:
    assert key_text(("01", "đô thị", "ODT")) == "01/đô thị/ODT"


# --- checked facts only ---------------------------------------------------------------------


def test_every_lookup_can_ask_for_checked_facts_only() -> None:
    import inspect

    for table in reference.REGISTRY.values():
        for name in (table.one, table.many):
            if name and name != "calendar_days":
                assert "teachable" in inspect.signature(getattr(reference, name)).parameters, name


def test_teachable_reads_leave_unchecked_rows_out_and_unused() -> None:
    day = D(2025, 10, 1)
    every = reference.communes(on=day)
    with reference.recording() as used:
        checked = reference.communes(on=day, teachable=True)
    assert checked and len(checked) < len(every)
    assert {c.status for c in checked} <= reference.TEACHABLE
    assert {r.key for r in used} == {key_text((c.province_code, c.name_vi)) for c in checked}
    assert {c.status for c in every} - reference.TEACHABLE == {"unverified"}


def test_a_teachable_lookup_refuses_an_unchecked_fact() -> None:
    assert reference.procedure("CT-SY", on=D(2025, 9, 15), teachable=True).status == "official"
    with reference.recording() as used, pytest.raises(InputError) as refused:
        reference.procedure("HT-KS", on=D(2025, 9, 15), teachable=True)
    error = refused.value
    assert error.field == "status" and error.row and "procedures.csv" in str(error.file)
    assert "'HT-KS'" in error.message and error.message_vi
    assert used == set()
