"""The answer store: every answer a trainee gives is appended to a JSON-lines file.

A widget never holds the only copy of an answer.  Each self-check and each widget
decision appends one line to ``answers/<exercise>.jsonl`` next to the notebook (or
under ``CADRELAB_ANSWERS_DIR``)::

    {"time": "2025-03-05T09:12:03.120+07:00", "exercise": "thu-tuc-02", "item": "HS-0001",
     "source": "intake", "correct": true, "value": {"$date": "2025-03-10"}}

Lines are appended with one ``write`` under a lock and flushed to disk, so a crash
can cut off at most the line being written (the next answer starts a fresh line).
A grader reads the file after the kernel is gone with :func:`load_answers`: the
last line for an item wins.  The ``correct`` field is what the trainee saw; a
grader must judge ``value`` itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cadrelab.data.seeds import check_exercise
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.widgets.answer_json import AnswerDecodeError, from_json, to_json

try:
    import fcntl
except ImportError:  # Windows: the in-process lock still orders this kernel's writes.
    fcntl = None

ANSWERS_DIR_ENV = "CADRELAB_ANSWERS_DIR"
ITEM_LIMIT = 200
_write_lock = threading.Lock()


class AnswerFileWarning(UserWarning):
    """A line of an answer file could not be read; the line was skipped."""


@dataclass(frozen=True)
class AnswerRecord:
    """One stored answer: which exercise and item, what value, when, from where."""

    exercise: str
    item: str
    value: object
    time: str
    source: str
    correct: bool | None
    line: int


@dataclass
class AnswerLog:
    """Every readable record of one answer file, in the order written, and the unreadable lines."""

    path: Path
    records: list[AnswerRecord] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)

    def latest(self) -> dict[str, object]:
        """The last value given for each item."""
        return {record.item: record.value for record in self.records}

    def attempts(self, item: str) -> list[AnswerRecord]:
        return [record for record in self.records if record.item == item]


def answers_dir() -> Path:
    """Where answers go: ``CADRELAB_ANSWERS_DIR``, else ``answers/`` in the working folder.

    A notebook's kernel runs in the notebook's folder, so answers sit next to it and
    travel with the submission.
    """
    configured = os.environ.get(ANSWERS_DIR_ENV, "").strip()
    return Path(configured) if configured else Path.cwd() / "answers"


def answer_file(exercise: str, folder: str | Path | None = None) -> Path:
    return Path(folder or answers_dir()) / f"{check_exercise(exercise)}.jsonl"


def record_answer(
    exercise: str,
    item: str,
    value: object,
    *,
    correct: bool | None = None,
    source: str = "check",
    folder: str | Path | None = None,
) -> Path:
    """Append one answer to the exercise's file and flush it to disk; returns the file.

    Raises :class:`InputError` (with Vietnamese text) when the folder cannot be written.
    """
    path = answer_file(exercise, folder)
    line = json.dumps(
        {
            "time": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "exercise": exercise,
            "item": _check_item(item),
            "source": source,
            "correct": correct,
            "value": to_json(value),
        },
        ensure_ascii=False,
        allow_nan=False,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _append(path, (line + "\n").encode("utf-8"))
    except OSError as exc:
        raise InputError(
            f"cannot save the answer ({exc.strerror})",
            file=path,
            problem_vi=t("widgets.store.unwritable", reason=exc.strerror or type(exc).__name__),
        ) from None
    return path


def _check_item(item: str) -> str:
    if not isinstance(item, str) or not item.strip() or len(item) > ITEM_LIMIT or "\n" in item:
        raise ValueError(f"item id must be one line of 1 to {ITEM_LIMIT} characters: {item!r}")
    return item


def _append(path: Path, data: bytes) -> None:
    with _write_lock, _locked_append(path) as fd:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A line cut off by a crash: end it, so that this answer stays readable.
            data = b"\n" + data
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)


@contextlib.contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


# --- reading ----------------------------------------------------------------------------


def locate(path: str | Path, exercise: str) -> Path:
    """The answer file of ``exercise`` given a notebook folder, an answers folder or the file."""
    path = Path(path)
    if path.suffix == ".jsonl" and not path.is_dir():
        return path
    name = f"{check_exercise(exercise)}.jsonl"
    for candidate in (path / "answers" / name, path / name):
        if candidate.is_file():
            return candidate
    return path / "answers" / name


def read_answers(path: str | Path, exercise: str) -> AnswerLog:
    """Every record of ``exercise`` under ``path``; unreadable lines go to ``problems``.

    A missing file is an empty log: the trainee gave no answer.
    """
    file = locate(path, exercise)
    log = AnswerLog(path=file)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return log
    except OSError as exc:
        log.problems.append(InputError(f"cannot read ({exc.strerror})", file=file))
        return log
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            log.records.append(_parse_line(raw, number, exercise))
        except _BadLine as exc:
            log.problems.append(InputError(str(exc), file=file, row=number))
    return log


def load_answers(path: str | Path, exercise: str) -> dict[str, object]:
    """The latest value per item of ``exercise``, as a grader needs it after the kernel is gone.

    ``path`` is the folder holding the notebook (its ``answers/`` is read), the answers
    folder itself, or the ``.jsonl`` file.  Unreadable lines are skipped with an
    :class:`AnswerFileWarning` naming the file and line.
    """
    log = read_answers(path, exercise)
    for problem in log.problems:
        warnings.warn(f"{problem.message}; line skipped", AnswerFileWarning, stacklevel=2)
    return log.latest()


class _BadLine(Exception):
    pass


def _parse_line(raw: bytes, number: int, exercise: str) -> AnswerRecord:
    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _BadLine("line is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _BadLine(f"line is not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(entry, dict):
        raise _BadLine("line is not a JSON object")
    item, time, source = entry.get("item"), entry.get("time"), entry.get("source")
    if entry.get("exercise") != exercise:
        raise _BadLine(f"answer belongs to exercise {entry.get('exercise')!r}, not {exercise!r}")
    if not isinstance(item, str) or not item:
        raise _BadLine("answer has no item id")
    if "value" not in entry:
        raise _BadLine("answer has no value")
    if entry.get("correct") not in (True, False, None):
        raise _BadLine("'correct' must be true, false or null")
    try:
        value = from_json(entry["value"])
    except AnswerDecodeError as exc:
        raise _BadLine(f"value cannot be read ({exc})") from None
    return AnswerRecord(
        exercise=exercise,
        item=item,
        value=value,
        time=time if isinstance(time, str) else "",
        source=source if isinstance(source, str) else "",
        correct=entry.get("correct"),
        line=number,
    )
