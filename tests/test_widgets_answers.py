"""The answer store: appended safely, read back by a grader after the kernel is gone."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import threading
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrelab.errors import InputError
from cadrelab.widgets.answer_json import UnstoredValue, from_json, to_json
from cadrelab.widgets.answers import (
    AnswerFileWarning,
    answer_file,
    load_answers,
    read_answers,
    record_answer,
)

# --- values survive JSON -------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**18), max_value=10**18)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.dates()
    | st.datetimes()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(values)
def test_json_round_trip(value) -> None:
    stored = json.loads(json.dumps(to_json(value), allow_nan=False))
    assert from_json(stored) == value


@given(st.sets(st.integers() | st.text(max_size=8), max_size=8))
def test_sets_round_trip(value) -> None:
    assert from_json(json.loads(json.dumps(to_json(value)))) == value


def test_special_values_round_trip() -> None:
    assert math.isnan(from_json(to_json(float("nan"))))
    assert from_json(to_json(float("-inf"))) == float("-inf")
    assert from_json(to_json(np.int64(3))) == 3
    assert from_json(to_json(np.datetime64("2025-03-05T10:00"))) == dt.datetime(2025, 3, 5, 10)
    assert from_json(to_json(pd.Timestamp("2025-03-05"))) == dt.datetime(2025, 3, 5)
    assert from_json(to_json(Decimal("1.50"))) == Decimal("1.50")
    assert from_json(to_json(...)) == UnstoredValue("Ellipsis")


def test_tables_round_trip() -> None:
    series = pd.Series([1.5, None, 3.0], index=["a", "b", "c"], name="phi")
    frame = pd.DataFrame(
        {"ma": ["HS-1", "HS-2"], "so_trang": [3, 7], "ngay": [dt.date(2025, 3, 5)] * 2},
        index=[10, 20],
    )
    back = from_json(json.loads(json.dumps(to_json(series))))
    pd.testing.assert_series_equal(back.astype(float), series)
    back = from_json(json.loads(json.dumps(to_json(frame))))
    assert back.index.tolist() == [10, 20]
    assert back["ma"].tolist() == ["HS-1", "HS-2"] and back["so_trang"].tolist() == [3, 7]
    assert back["ngay"].tolist() == [dt.date(2025, 3, 5)] * 2


# --- writing and reading -------------------------------------------------------------------


def test_latest_value_per_item_wins(tmp_path) -> None:
    record_answer("thu-tuc-02", "HS-1", 1, folder=tmp_path, correct=False)
    record_answer("thu-tuc-02", "HS-2", {"quyet-dinh": "bo-sung"}, folder=tmp_path)
    record_answer("thu-tuc-02", "HS-1", dt.date(2025, 3, 10), folder=tmp_path, correct=True)
    assert load_answers(tmp_path, "thu-tuc-02") == {
        "HS-1": dt.date(2025, 3, 10),
        "HS-2": {"quyet-dinh": "bo-sung"},
    }
    log = read_answers(tmp_path, "thu-tuc-02")
    assert [r.correct for r in log.attempts("HS-1")] == [False, True]
    assert [r.line for r in log.records] == [1, 2, 3]
    assert all(r.time.startswith(str(dt.date.today().year)) for r in log.records)


def test_lines_are_plain_json(tmp_path) -> None:
    path = record_answer("tai-chinh-01", "phi", 12_000, folder=tmp_path, source="fee-till")
    (line,) = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry["exercise"] == "tai-chinh-01" and entry["item"] == "phi"
    assert entry["value"] == 12_000 and entry["source"] == "fee-till"


def test_default_folder_is_answers_next_to_the_notebook(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CADRELAB_ANSWERS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    path = record_answer("bai-1", "x", 1)
    assert path == tmp_path / "answers" / "bai-1.jsonl"
    # A grader may point at the notebook folder, the answers folder or the file.
    for where in (tmp_path, tmp_path / "answers", path):
        assert load_answers(where, "bai-1") == {"x": 1}


def test_env_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CADRELAB_ANSWERS_DIR", str(tmp_path / "nop-bai"))
    assert record_answer("bai-1", "x", 1) == tmp_path / "nop-bai" / "bai-1.jsonl"


def test_no_file_means_no_answers(tmp_path) -> None:
    assert load_answers(tmp_path, "bai-1") == {}


WRITER = """
import sys
from cadrelab.widgets.answers import record_answer
for n in range(20):
    record_answer("bai-1", f"cau-{n % 3}", n, folder=sys.argv[1])
"""


def test_written_by_one_process_read_by_another(tmp_path) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(tmp_path)], check=True, timeout=60)
    assert load_answers(tmp_path, "bai-1") == {"cau-0": 18, "cau-1": 19, "cau-2": 17}


def test_concurrent_writes_from_one_kernel_stay_whole(tmp_path) -> None:
    def write(thread: int) -> None:
        for n in range(25):
            record_answer("bai-1", f"t{thread}", {"n": n, "text": "x" * 500}, folder=tmp_path)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = read_answers(tmp_path, "bai-1")
    assert not log.problems and len(log.records) == 200
    assert {item: value["n"] for item, value in log.latest().items()} == {
        f"t{k}": 24 for k in range(8)
    }


def test_corrupted_lines_are_reported_with_file_and_line(tmp_path) -> None:
    path = record_answer("bai-1", "a", 1, folder=tmp_path)
    with path.open("ab") as handle:
        handle.write(b"this is not json\n")
        handle.write(json.dumps({"exercise": "bai-2", "item": "a", "value": 9}).encode() + b"\n")
        handle.write(b"\xff\xfe\n")
        handle.write(
            json.dumps({"exercise": "bai-1", "item": "b", "value": {"$nope": 1}}).encode() + b"\n"
        )
    record_answer("bai-1", "b", 2, folder=tmp_path)
    with path.open("ab") as handle:
        handle.write(b'{"exercise": "bai-1", "item": "a", "val')  # cut off mid-write
    with pytest.warns(AnswerFileWarning) as caught:
        assert load_answers(tmp_path, "bai-1") == {"a": 1, "b": 2}
    messages = [str(w.message) for w in caught]
    assert [m.split(": ")[1] for m in messages] == ["row 2", "row 3", "row 4", "row 5", "row 7"]
    assert all(m.startswith(str(path)) for m in messages)
    assert "not valid JSON" in messages[0] and "bai-2" in messages[1]
    assert "UTF-8" in messages[2] and "$nope" in messages[3]


def test_an_answer_after_a_cut_off_line_is_kept(tmp_path) -> None:
    path = record_answer("bai-1", "a", 1, folder=tmp_path)
    with path.open("ab") as handle:
        handle.write(b'{"exercise": "bai-1", "item": "a", "val')  # the kernel died mid-write
    record_answer("bai-1", "b", 2, folder=tmp_path)
    log = read_answers(tmp_path, "bai-1")
    assert log.latest() == {"a": 1, "b": 2}
    assert [problem.row for problem in log.problems] == [2]


def test_bad_exercise_ids_and_unwritable_folders(tmp_path) -> None:
    with pytest.raises(InputError):
        answer_file("../escape")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError) as error:
        record_answer("bai-1", "a", 1, folder=blocker / "answers")
    assert "Không lưu được câu trả lời" in error.value.message_vi
    with pytest.raises(ValueError):
        record_answer("bai-1", "", 1, folder=tmp_path)
