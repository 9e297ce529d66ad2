"""Answer values to JSON and back, so a grader gets the trainee's value with its kind.

Plain JSON holds numbers, text, true/false and lists as they are.  Everything else
is a one-key object tagged with ``$``: ``{"$date": "2025-03-05"}``, ``{"$set": [...]}``,
``{"$frame": {...}}``.  Decoding never runs code: it only builds values.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

REPR_LIMIT = 1000


class AnswerDecodeError(ValueError):
    """A stored value that is not in the format :func:`to_json` writes."""


@dataclass(frozen=True)
class UnstoredValue:
    """An answer of a kind the store cannot keep (an object, a chart): only its ``repr`` is kept."""

    text: str


def to_json(value: object) -> Any:
    """A JSON-ready form of ``value`` that :func:`from_json` turns back into it."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, np.datetime64):
        return to_json(None if np.isnat(value) else pd.Timestamp(value).to_pydatetime())
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted((to_json(v) for v in value), key=repr)}
    if isinstance(value, (list, tuple, np.ndarray, pd.Index)):
        return [to_json(v) for v in list(value)]
    if isinstance(value, dict):
        return {"$dict": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, pd.Series):
        return {
            "$series": {
                "name": to_json(value.name),
                "index": to_json(value.index),
                "values": to_json(value.to_numpy(dtype=object)),
            }
        }
    if isinstance(value, pd.DataFrame):
        return {
            "$frame": {
                "columns": to_json(value.columns),
                "index": to_json(value.index),
                "rows": [to_json(row) for row in value.to_numpy(dtype=object)],
            }
        }
    return {"$repr": repr(value)[:REPR_LIMIT]}


def from_json(data: Any) -> object:
    """The value :func:`to_json` wrote; raises :class:`AnswerDecodeError` on anything else."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [from_json(v) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise AnswerDecodeError("a stored value must be plain JSON or a one-key $-tagged object")
    ((tag, body),) = data.items()
    decoder = DECODERS.get(tag)
    if decoder is None:
        raise AnswerDecodeError(f"unknown value tag {tag!r}")
    try:
        return decoder(body)
    except AnswerDecodeError:
        raise
    except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
        raise AnswerDecodeError(f"bad {tag} value ({exc})") from None


def _set(body: Any) -> set:
    return {_hashable(from_json(v)) for v in _list(body)}


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _list(body: Any) -> list:
    if not isinstance(body, list):
        raise AnswerDecodeError("expected a list")
    return body


def _series(body: dict) -> pd.Series:
    index = _list(from_json(body["index"]))
    values = _list(from_json(body["values"]))
    return pd.Series(values, index=index, name=from_json(body["name"]), dtype=object)


def _frame(body: dict) -> pd.DataFrame:
    columns = _list(from_json(body["columns"]))
    index = _list(from_json(body["index"]))
    rows = [_list(from_json(row)) for row in _list(body["rows"])]
    return pd.DataFrame(rows, columns=columns, index=index, dtype=object).infer_objects()


def _float(body: str) -> float:
    number = float(body)
    if math.isfinite(number):
        raise AnswerDecodeError("a $float tag is only for nan and infinities")
    return number


DECODERS = {
    "$decimal": lambda body: Decimal(str(body)),
    "$float": _float,
    "$datetime": lambda body: dt.datetime.fromisoformat(body),
    "$date": lambda body: dt.date.fromisoformat(body),
    "$set": _set,
    "$dict": lambda body: {_hashable(from_json(k)): from_json(v) for k, v in _list(body)},
    "$series": _series,
    "$frame": _frame,
    "$repr": lambda body: UnstoredValue(str(body)),
}
