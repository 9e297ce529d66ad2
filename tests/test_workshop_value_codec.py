"""Kernel values travel out of the sandbox as data: faithfully, and never as code."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadrelab.grading import value_codec as capture

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.floats(allow_nan=False),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False),
    st.binary(max_size=20),
)
hashables = st.one_of(st.integers(), st.text(max_size=5), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(hashables, inner, max_size=4),
        st.frozensets(hashables, max_size=4),
    ),
    max_leaves=20,
)


def round_trip(value: object) -> object:
    return capture.decode(json.loads(json.dumps(capture.encode(value))))


@settings(max_examples=150, deadline=None)
@given(values)
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = round_trip(value)
    assert back == value
    assert type(back) is type(value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_special_floats(value):
    back = round_trip(value)
    assert (math.isnan(back) and math.isnan(value)) or back == value


def test_numpy_values_keep_their_dtype():
    array = np.array([[1, 2], [3, 4]], dtype=np.int32)
    back = round_trip(array)
    assert back.dtype == np.int32 and back.shape == (2, 2) and (back == array).all()
    assert round_trip(np.float32(1.5)).dtype == np.float32
    stamps = np.array(["2025-03-05", "NaT"], dtype="datetime64[ns]")
    assert np.array_equal(round_trip(stamps), stamps, equal_nan=True)


def test_frames_keep_columns_index_and_dtypes():
    frame = pd.DataFrame(
        {
            "ma": ["HS-0001", "HS-0002", "HS-0003"],
            "so_ngay": np.array([3, 5, 10], dtype=np.int64),
            "phi": [2000.0, math.nan, 1.5],
            "ngay": pd.to_datetime(["2025-03-05", None, "2025-03-07"]),
            "tre": [True, False, True],
            "muc": pd.Categorical(["a", "b", "a"], categories=["b", "a"], ordered=True),
            "so": pd.array([1, None, 3], dtype="Int64"),
        },
        index=pd.Index([10, 20, 30], name="stt"),
    )
    pd.testing.assert_frame_equal(round_trip(frame), frame)
    series = frame.set_index("ma")["phi"]
    pd.testing.assert_series_equal(round_trip(series), series)
    grouped = frame.groupby(["tre", "muc"], observed=True)["so_ngay"].sum()
    pd.testing.assert_series_equal(round_trip(grouped), grouped)


def test_functions_and_modules_travel_by_name_only():
    def ma_ho_so(n):
        return n

    assert capture.encode(ma_ho_so) == {"$": "callable"}
    assert capture.encode(json) == {"$": "module", "name": "json"}
    opaque = capture.decode({"$": "callable"}, name="ma_ho_so")
    with pytest.raises(TypeError):
        opaque(1)
    calls = []
    remote = capture.decode(
        {"$": "callable"}, remote=lambda name: calls.append(name) or name, name="ma_ho_so"
    )
    assert remote == "ma_ho_so" and calls == ["ma_ho_so"]


def test_unknown_objects_become_opaque_and_fail_when_used():
    class Ho:
        pass

    opaque = round_trip(Ho())
    assert isinstance(opaque, capture.Opaque)
    for use in (
        lambda: opaque == 1,
        lambda: opaque + 1,
        lambda: len(opaque),
        lambda: opaque.anything,
        lambda: bool(opaque),
    ):
        with pytest.raises(TypeError):
            use()


def test_subclasses_travel_as_their_plain_value():
    class Sly(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    back = round_trip(Sly(3))
    assert type(back) is int and back == 3 and back != 4


@pytest.mark.parametrize(
    "data",
    [
        {"$": "eval", "v": "__import__('os')"},
        {"no": "tag"},
        {"$": "dict", "v": [[1]]},
        {"$": "ndarray", "dtype": "<i8", "shape": [3], "v": [1, 2]},
        {"$": "ndarray", "dtype": "V8", "shape": [1], "v": [1]},
        {"$": "float", "v": "1.5"},
        {"$": "timedelta", "v": ["a", 0, 0]},
        {
            "$": "frame",
            "index": {"$": "index", "dtype": "int64", "name": None, "v": [0]},
            "columns": {"$": "index", "dtype": "object", "name": None, "v": ["a", "b"]},
            "data": [{"dtype": "int64", "v": [1]}],
        },
        {"$": "index", "dtype": "not a dtype", "name": None, "v": []},
    ],
)
def test_malformed_data_is_refused(data):
    with pytest.raises(capture.CaptureError):
        capture.decode(data)


def test_deep_or_huge_data_is_refused():
    deep: object = 1
    for _ in range(200):
        deep = [deep]
    with pytest.raises(capture.CaptureError):
        capture.decode(deep)
    with pytest.raises(capture.CaptureError):
        capture.encode("x" * (capture.MAX_TEXT + 1))
    loop: list = []
    loop.append(loop)
    assert capture.encode_or_opaque(loop)["$"] == "opaque"


def test_dates_and_decimals_keep_their_kind():
    value = {
        "han": dt.date(2025, 3, 5),
        "luc": dt.datetime(2025, 3, 5, 9, 12),
        "phi": Decimal("2000.50"),
        "khoang": dt.timedelta(days=3, seconds=5),
    }
    assert round_trip(value) == value
