"""The grader's side of the sandbox protocol, fed random and adversarial messages.

Whatever a trainee's code makes the runner send, the grader never raises anything but
its own "bad message", stays within a stated time and memory per message, and never
gives a score for it: the judge's hidden test expects a value no generator here makes.
"""

from __future__ import annotations

import contextlib
import json
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadrelab.grading import sandbox_messages, value_codec
from cadrelab.grading.judge import Judge
from cadrelab.grading.rebuild import NotebookSpec, build
from tests.test_workshop_judge import spec_cell, submitted

pytestmark = pytest.mark.slow

MESSAGE_BYTES = 48 << 20
SECONDS_PER_MESSAGE = 5.0
PEAK_BYTES = 400 << 20
SECRET = "đáp-án-không-đoán-được-7f3c9a1e"
TEST = f"assert tong == {SECRET!r}"
SPEC = NotebookSpec(
    "nb",
    (
        spec_cell("answer", "answer", "", released="raise NotImplementedError()"),
        spec_cell("test", "test", TEST, 1.0),
    ),
    {},
)

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
plain = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
FIELDS = [
    "v", "dtype", "shape", "name", "index", "columns", "data", "freq", "levels",
    "names", "categories", "ordered", "type", "why", "limit",
]  # fmt: skip
DTYPES = ["<i8", "<U999999", "O", "str", "int64", "category", "period[M]", "datetime64[ns]"]
encoded = st.recursive(
    leaves | st.sampled_from(DTYPES),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.builds(
            lambda tag, fields: {"$": tag, **fields},
            st.sampled_from([*value_codec.TAG_FIELDS, "nope"]),
            st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5),
        )
    ),
    max_leaves=30,
)
names = st.sampled_from(["tong", "len", "isinstance", "_an", "x" * 200, "1bad", "__class__"])
done = st.builds(
    lambda key, effects, outputs: {
        "op": "done",
        "key": key,
        "outputs": outputs,
        "dropped": 0,
        "error": None,
        "effects": effects,
    },
    st.sampled_from(["c0", "c1", "x", "c" + "9" * 8]),
    st.builds(
        lambda assigned, deleted: {"set": assigned, "deleted": deleted},
        st.dictionaries(names, encoded, max_size=4),
        st.lists(names, max_size=3),
    ),
    st.lists(plain | st.fixed_dictionaries({"output_type": st.text(max_size=12)}), max_size=4),
)
messages = (
    plain
    | done
    | st.builds(
        lambda op, rest: {"op": op, **rest},
        st.sampled_from(["ready", "start", "finished", "result", "raised", "values", "bye"]),
        st.dictionaries(
            st.sampled_from(["key", "value", "values", "answers", "hooks_changed", "ename"]),
            encoded,
            max_size=4,
        ),
    )
)


def _bounded(work):  # type: ignore[no-untyped-def]
    """Run ``work`` twice: once timed, once with its memory traced (tracing slows it)."""
    started = time.monotonic()
    result = work()
    assert time.monotonic() - started < SECONDS_PER_MESSAGE
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES
    return result


def _judge(effects: dict) -> float:
    plan = build(SPEC, [submitted(SPEC.cells[0], "tong = 0"), submitted(SPEC.cells[1])])
    answer = plan.cells[0].key
    verdict = Judge(_workdir(), "hv001", remote=lambda name: None).verdict(
        plan, {answer: effects}, None
    )
    return sum(test.score for test in verdict.tests)


def _workdir():  # type: ignore[no-untyped-def]
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_message_is_a_checked_message_or_refused_and_never_scores(message) -> None:
    line = json.dumps(message).encode("utf-8")
    try:
        checked = _bounded(lambda: sandbox_messages.parse(line, MESSAGE_BYTES))
    except sandbox_messages.BadMessage:
        return
    assert isinstance(checked, dict) and checked["op"] in sandbox_messages._CHECKS
    if checked["op"] == "done" and "effects" in checked:
        assert _bounded(lambda: _judge(checked["effects"])) == 0


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_refused_or_checked(line) -> None:
    try:
        checked = sandbox_messages.parse(line, MESSAGE_BYTES)
    except sandbox_messages.BadMessage:
        return
    assert isinstance(checked, dict)


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"op": "done", "key": "c1", "outputs": [], "effects": {"set": {"tong": '
        + b"[" * 5_000
        + b"]" * 5_000
        + b"}}}",
        b'{"op": "result", "value": ' + b"9" * 100_000 + b"}",
        b'{"op": "result", "value": {"$": "decimal", "v": "' + b"9" * 399 + b'e9999"}}',
        b'{"op": "result", "value": {"$": "ndarray", "dtype": "<U999999", "shape": [400000], '
        b'"v": ' + json.dumps(["x"] * 400_000).encode() + b"}}",
        b'{"op": "done", "key": "c1", "outputs": [], "effects": {"set": {'
        + b",".join(f'"n{i}": 1'.encode() for i in range(100_000))
        + b"}}}",
        b'{"op": "values", "values": {"a": ' + json.dumps(list(range(600_000))).encode() + b"}}",
        b" " * (49 << 20),
    ],
    ids=[
        "deep",
        "deep-value",
        "huge-int",
        "big-decimal",
        "wide-array",
        "many-names",
        "long-list",
        "too-long",
    ],
)
def test_adversarial_lines_stay_within_time_and_memory(line) -> None:
    def work() -> object:
        try:
            checked = sandbox_messages.parse(line, MESSAGE_BYTES)
        except sandbox_messages.BadMessage:
            return None
        for value in [checked.get("value"), *checked.get("values", {}).values()]:
            if value is not None:
                with contextlib.suppress(value_codec.CaptureError):
                    value_codec.decode(value)
        return checked

    _bounded(work)
