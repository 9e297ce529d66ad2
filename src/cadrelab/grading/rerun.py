"""Grade the method, not only the answer: re-run a trainee's answer cell on other data.

A typed-in literal or a shortcut (the table already loaded instead of the file the
question is about) gives the right value once; run again on fresh data of the same
shape, it gives the wrong one.  And a question that builds on an earlier answer can
be judged on the correct intermediate result, so one mistake costs one question.
Hidden tests call :func:`rerun`::

    from cadrelab.grading.rerun import rerun
    _moi = _nap_moi(...)                      # fresh data, made in the grader
    _kq = rerun("cau-3", inputs={"ds": _moi}, files={"so-ho-so.csv": _moi}, read=["so_qua_han"])
    assert _kq["so_qua_han"] == _dung(_moi)

The cell runs inside the sandbox, in a copy of the trainee's namespace with
``inputs`` bound and in a copy of the working folder with ``files`` replaced
(a DataFrame becomes CSV, or Excel for ``.xlsx``; bytes and text as they are).
Only inputs travel into the sandbox: never pass an expected value.  Outside the
grader (a trainee running the notebook) there is nothing to re-run, and the call
says so.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

Rerunner = Callable[[str, dict, dict[str, bytes], list[str]], dict]
_current: ContextVar[Rerunner | None] = ContextVar("cadrelab_rerun", default=None)


class RerunUnavailable(RuntimeError):
    """:func:`rerun` was called outside the grader."""


def rerun(
    grade_id: str,
    *,
    inputs: dict | None = None,
    files: dict | None = None,
    read: Iterable[str],
) -> dict[str, object]:
    """The names in ``read`` after the trainee's answer cell ``grade_id`` ran again."""
    rerunner = _current.get()
    if rerunner is None:
        raise RerunUnavailable("rerun() only works while the grader judges a submission")
    encoded = {name: file_bytes(name, value) for name, value in (files or {}).items()}
    return rerunner(grade_id, dict(inputs or {}), encoded, list(read))


@contextlib.contextmanager
def rerunning(rerunner: Rerunner) -> Iterator[None]:
    """Within this block, :func:`rerun` goes to ``rerunner`` (the judge sets it)."""
    token = _current.set(rerunner)
    try:
        yield
    finally:
        _current.reset(token)


def file_bytes(name: str, value: object) -> bytes:
    """The bytes of a replacement file: DataFrames as CSV (or Excel for ``.xlsx``)."""
    import pandas as pd

    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, pd.DataFrame):
        if name.lower().endswith(".xlsx"):
            buffer = io.BytesIO()
            value.to_excel(buffer, index=False)
            return buffer.getvalue()
        return value.to_csv(index=False, lineterminator="\n").encode("utf-8")
    raise TypeError(f"a replacement file must be bytes, text or a DataFrame, not {type(value)}")
