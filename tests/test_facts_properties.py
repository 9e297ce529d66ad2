"""For any day of 2025–2027, every lookup gives exactly one version of a fact or a clear error."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cadrelab import reference
from cadrelab.errors import InputError
from cadrelab.reference.facts import key_text

days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))
tables = st.sampled_from(sorted(reference.REGISTRY))


@settings(max_examples=300)
@given(tables, days, st.data())
def test_one_fact_on_one_day_is_one_version_or_a_clear_error(name, day, data) -> None:
    table = reference.REGISTRY[name]
    row = data.draw(st.sampled_from(table.rows()))
    key = table.key_of(row)
    in_force = [v for v in table.history(key) if v.period[0] <= day <= v.period[1]]
    assert len(in_force) <= 1
    try:
        found = table.get(key, day)
    except InputError as error:
        assert not in_force
        assert f"{name}.csv" in error.message and error.row is not None
        assert error.field in ("valid_from", "valid_to", "date") and str(day) in error.problem
        assert error.problem_vi
    else:
        assert [found] == in_force


@settings(max_examples=200)
@given(tables, days)
def test_a_table_on_one_day_has_each_fact_once_or_is_a_clear_error(name, day) -> None:
    table = reference.REGISTRY[name]
    try:
        rows = table.in_force(day)
    except InputError as error:
        assert not any(r.period[0] <= day <= r.period[1] for r in table.rows())
        assert f"{name}.csv" in error.message and str(day) in error.problem
    else:
        keys = [key_text(table.key_of(r)) for r in rows]
        assert rows and len(keys) == len(set(keys))
        assert all(r.period[0] <= day <= r.period[1] for r in rows)


@settings(max_examples=100)
@given(days, st.sampled_from(["CT-SY", "HT-KS", "DD-CN", "TNCN-BDS", "XX-NOPE"]))
def test_typed_lookups_agree_with_the_registry(day, code) -> None:
    table = reference.FEES if code == "TNCN-BDS" else reference.PROCEDURES
    lookup = reference.fee_rule if code == "TNCN-BDS" else reference.procedure
    try:
        expected = table.get(code, day)
    except InputError as error:
        try:
            lookup(code, on=day)
        except InputError as again:
            assert (again.file, again.row, again.field) == (error.file, error.row, error.field)
        else:
            raise AssertionError("the typed lookup found what the table did not") from None
    else:
        assert lookup(code, on=day) is expected
