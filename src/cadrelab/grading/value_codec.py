"""Kernel values to JSON and back, faithfully enough that tests judge the data, not the kernel.

The sandbox encodes what each answer cell left in the trainee's namespace; the
grader decodes it and runs the tests on the decoded values in its own process.
The grader treats every encoded value as hostile: decoding only builds plain
values (numbers, text, containers, dates, numpy arrays, pandas objects), checks
sizes and depth, and never imports or calls anything named by the data.

Every JSON object is a tagged value ``{"$": tag, ...}``; JSON arrays are lists and
JSON scalars are themselves, so a trainee's dict can never pass for a tag.
Functions are sent by name only (the grader calls them back inside the sandbox),
modules by name only, and anything else as an opaque stand-in that fails when
a test uses it.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import time
import types
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

MAX_DEPTH = 40
MAX_NODES = 500_000
MAX_TEXT = 8_000_000
REPR_LIMIT = 200
MAX_ARRAY_BYTES = 64 << 20  # fixed-width numpy text: itemsize times count
DECODE_SECONDS = 20.0


class CaptureError(ValueError):
    """Encoded data that is malformed, too deep or too large."""


class Opaque:
    """Stands in for a value that could not be sent as data; any use in a test fails.

    ``over_limit`` marks a value too large, too deep or malformed (worth a note), as
    opposed to one that is simply not data (a trainee's own object).
    """

    def __init__(self, type_name: str, why: str, over_limit: bool = False) -> None:
        object.__setattr__(self, "_why", f"{type_name}: {why}")
        object.__setattr__(self, "over_limit", over_limit)

    def _fail(self, *args: object, **kwargs: object) -> Any:
        raise TypeError(f"answer value is not data ({self._why})")

    __getattr__ = __call__ = __iter__ = __len__ = __getitem__ = __bool__ = _fail
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __add__ = __radd__ = _fail
    __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __float__ = __int__ = _fail
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<not data: {self._why}>"


# --- encoding (runs in the sandbox, on the trainee's values) -----------------------


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0
        self.text = 0

    def spend(self, nodes: int = 1, text: int = 0) -> None:
        self.nodes += nodes
        self.text += text
        if self.nodes > MAX_NODES or self.text > MAX_TEXT:
            raise CaptureError("value too large to send")


def encode(value: object) -> Any:
    """A JSON-ready form of ``value``; raises CaptureError when it is too large."""
    return _encode(value, _Budget(), 0, set())


def encode_or_opaque(value: object) -> Any:
    """Like :func:`encode`, but a value that cannot be sent becomes an opaque tag."""
    try:
        return encode(value)
    except (CaptureError, RecursionError) as exc:
        return _opaque(value, str(exc), over_limit=True)


def _opaque(value: object, why: str, over_limit: bool = False) -> dict:
    kind = type(value)
    tag = {
        "$": "opaque",
        "type": f"{kind.__module__}.{kind.__qualname__}"[:REPR_LIMIT],
        "why": why[:REPR_LIMIT],
    }
    if over_limit:
        tag["limit"] = True
    return tag


def _encode(value: object, budget: _Budget, depth: int, seen: set[int]) -> Any:
    budget.spend()
    if depth > MAX_DEPTH:
        raise CaptureError("value nested too deeply")
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if value.bit_length() > 4096:  # type: ignore[union-attr]
            raise CaptureError("integer too large")
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}  # type: ignore[arg-type]
    if kind is str:
        budget.spend(text=len(value))  # type: ignore[arg-type]
        return value
    for base in (int, float, str):  # subclasses (enums, numpy text) travel as their plain value
        if isinstance(value, base) and not _is_numpy_number(value):
            return _encode(
                base.__new__(base, value) if base is not int else int(value), budget, depth, seen
            )
    if isinstance(value, types.ModuleType):
        return {"$": "module", "name": value.__name__}
    if isinstance(
        value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)
    ) or (callable(value) and _is_plain_callable(value)):
        return {"$": "callable"}
    marker = id(value)
    if marker in seen:
        raise CaptureError("value refers to itself")
    seen.add(marker)
    try:
        return _encode_container(value, budget, depth + 1, seen)
    finally:
        seen.discard(marker)


def _is_numpy_number(value: object) -> bool:
    return type(value).__module__ == "numpy" and not isinstance(value, str)


def _is_plain_callable(value: object) -> bool:
    return isinstance(value, Callable) and not hasattr(value, "__array__")  # type: ignore[arg-type]


def _encode_container(value: object, budget: _Budget, depth: int, seen: set[int]) -> Any:
    def sub(item: object) -> Any:
        return _encode(item, budget, depth, seen)

    kind = type(value)
    if kind is list:
        return [sub(item) for item in value]  # type: ignore[attr-defined]
    if kind is tuple:
        return {"$": "tuple", "v": [sub(item) for item in value]}  # type: ignore[attr-defined]
    if kind is dict:
        return {"$": "dict", "v": [[sub(k), sub(v)] for k, v in value.items()]}  # type: ignore[attr-defined]
    if kind in (set, frozenset):
        return {"$": kind.__name__, "v": [sub(item) for item in value]}  # type: ignore[attr-defined]
    if kind in (bytes, bytearray):
        budget.spend(text=len(value))  # type: ignore[arg-type]
        return {"$": kind.__name__, "v": base64.b64encode(value).decode("ascii")}  # type: ignore[arg-type]
    if kind is Decimal:
        return {"$": "decimal", "v": str(value)}
    if kind is Fraction:
        return {"$": "fraction", "v": str(value)}
    if kind is complex:
        return {"$": "complex", "v": [repr(value.real), repr(value.imag)]}  # type: ignore[attr-defined]
    if kind is dt.datetime:
        return {"$": "datetime", "v": value.isoformat()}  # type: ignore[attr-defined]
    if kind is dt.date:
        return {"$": "date", "v": value.isoformat()}  # type: ignore[attr-defined]
    if kind is dt.time:
        return {"$": "time", "v": value.isoformat()}  # type: ignore[attr-defined]
    if kind is dt.timedelta:
        return {"$": "timedelta", "v": [value.days, value.seconds, value.microseconds]}  # type: ignore[attr-defined]
    module = kind.__module__.split(".")[0]
    if module == "numpy":
        return _encode_numpy(value, sub)
    if module == "pandas":
        return _encode_pandas(value, sub)
    return _opaque(value, "kind of value the grader does not carry")


def _encode_numpy(value: Any, sub: Callable[[object], Any]) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        if value.dtype.kind in "mM":  # dates and durations: their exact 64-bit counts
            return {
                "$": "ndarray",
                "dtype": value.dtype.str,
                "shape": list(value.shape),
                "v": value.ravel().view(np.int64).tolist(),
            }
        if value.dtype.kind not in "biufcUSO?":
            return _opaque(value, f"numpy dtype {value.dtype}")
        return {
            "$": "ndarray",
            "dtype": value.dtype.str if value.dtype.kind != "O" else "O",
            "shape": list(value.shape),
            "v": [sub(item) for item in value.ravel().tolist()],
        }
    if isinstance(value, np.generic):
        if isinstance(value, (np.datetime64, np.timedelta64)):
            return {
                "$": "npscalar",
                "dtype": value.dtype.str,
                "v": int(np.array(value).view(np.int64)),
            }
        if value.dtype.kind not in "biufc?":
            return _opaque(value, f"numpy dtype {value.dtype}")
        return {"$": "npscalar", "dtype": value.dtype.str, "v": sub(value.item())}
    return _opaque(value, "numpy object")


def _encode_pandas(value: Any, sub: Callable[[object], Any]) -> Any:
    import pandas as pd

    if value is pd.NaT:
        return {"$": "nat"}
    if value is pd.NA:
        return {"$": "na"}
    if isinstance(value, pd.Timestamp):
        return {"$": "timestamp", "v": value.isoformat()}
    if isinstance(value, pd.Timedelta):
        return {"$": "pdtimedelta", "v": int(value.value)}
    if isinstance(value, pd.Period):
        return {"$": "period", "v": str(value), "freq": value.freqstr}
    if isinstance(value, pd.MultiIndex):
        return {
            "$": "multiindex",
            "names": [sub(n) for n in value.names],
            "levels": [sub(value.get_level_values(i)) for i in range(value.nlevels)],
        }
    if isinstance(value, pd.CategoricalIndex):
        return {
            "$": "catindex",
            "name": sub(value.name),
            "categories": sub(value.categories),
            "ordered": bool(value.ordered),
            "v": [sub(item) for item in value.tolist()],
        }
    if isinstance(value, pd.Index):
        return {
            "$": "index",
            "dtype": str(value.dtype),
            "name": sub(value.name),
            "v": [sub(item) for item in value.tolist()],
        }
    if isinstance(value, pd.Series):
        return {
            "$": "series",
            "name": sub(value.name),
            "index": sub(value.index),
            **_encode_column(value, sub),
        }
    if isinstance(value, pd.DataFrame):
        return {
            "$": "frame",
            "index": sub(value.index),
            "columns": sub(value.columns),
            "data": [_encode_column(value.iloc[:, i], sub) for i in range(value.shape[1])],
        }
    return _opaque(value, "pandas object")


def _encode_column(column: Any, sub: Callable[[object], Any]) -> dict:
    dtype = column.dtype
    out: dict[str, Any] = {"dtype": str(dtype)}
    if str(dtype) == "category":
        out["categories"] = sub(column.cat.categories)
        out["ordered"] = bool(column.cat.ordered)
        column = column.astype(object)
    out["v"] = [sub(item) for item in column.tolist()]
    return out


# --- checking (runs in the grader, before anything is decoded) ------------------------
#
# Every tag's fields and what each must be.  "value" is a nested encoded value,
# "values" a list of them, "pairs" a list of [key, value], "text" a string at most
# SHORT long (or MAX_TEXT for "longtext"), "int" a whole number, "ints" a short list
# of them, "bool" true or false; a field ending in "?" may be absent.

SHORT = 400
NUMPY_DTYPE = re.compile(
    r"^[<>|=]?(?:[biufc?]\d{0,2}|[mM]8(?:\[\d*[A-Za-z]{1,2}\])?|[US]\d{1,6}|O)$"
)
PANDAS_DTYPE = re.compile(
    r"^(?:u?int(?:8|16|32|64)|U?Int(?:8|16|32|64)|float(?:32|64)|Float(?:32|64)|bool|boolean"
    r"|object|str|string|category|complex(?:64|128)"
    r"|(?:datetime|timedelta)64\[(?:s|ms|us|ns)\](?:, [A-Za-z_/+\-0-9]{1,40})?"
    r"|datetime64\[(?:s|ms|us|ns), [A-Za-z_/+\-0-9]{1,40}\]|period\[[A-Za-z0-9-]{1,12}\])$"
)
DECIMAL_TEXT = re.compile(
    r"^[+-]?(?:(?:\d{1,400}(?:\.\d{0,400})?|\.\d{1,400})(?:[eE][+-]?\d{1,4})?"
    r"|Infinity|s?NaN)$"
)
FRACTION_TEXT = re.compile(r"^[+-]?\d{1,400}(?:/\d{1,400})?$")
COLUMN = {"dtype": "pandas_dtype", "v": "values", "categories?": "value", "ordered?": "bool"}
TAG_FIELDS: dict[str, dict[str, str]] = {
    "tuple": {"v": "values"},
    "set": {"v": "values"},
    "frozenset": {"v": "values"},
    "dict": {"v": "pairs"},
    "bytes": {"v": "longtext"},
    "bytearray": {"v": "longtext"},
    "decimal": {"v": "decimal"},
    "fraction": {"v": "fraction"},
    "complex": {"v": "texts"},
    "float": {"v": "text"},
    "datetime": {"v": "text"},
    "date": {"v": "text"},
    "time": {"v": "text"},
    "timestamp": {"v": "text"},
    "timedelta": {"v": "ints"},
    "pdtimedelta": {"v": "int"},
    "period": {"v": "text", "freq": "text"},
    "npscalar": {"dtype": "numpy_dtype", "v": "value"},
    "ndarray": {"dtype": "numpy_dtype", "shape": "ints", "v": "values"},
    "module": {"name": "text"},
    "callable": {},
    "opaque": {"type?": "text", "why?": "text", "limit?": "bool"},
    "nat": {},
    "na": {},
    "index": {"dtype": "pandas_dtype", "name": "value", "v": "values"},
    "multiindex": {"names": "values", "levels": "values"},
    "catindex": {"name": "value", "categories": "value", "ordered": "bool", "v": "values"},
    "series": {"name": "value", "index": "value", **COLUMN},
    "frame": {"index": "value", "columns": "value", "data": "columns"},
}


def check(data: Any) -> None:
    """Raise CaptureError unless ``data`` is a well-formed encoded value within the limits.

    Iterative and linear in the size of ``data``, so a hostile value cannot make the
    grader spend more than a bounded time or memory on it before decoding starts.
    """
    budget = _Budget()
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        budget.spend()
        if depth > MAX_DEPTH + 5:
            raise CaptureError("encoded value nested too deeply")
        if item is None or isinstance(item, (bool, float)):
            continue
        if isinstance(item, int):
            if item.bit_length() > 4096:
                raise CaptureError("integer too large")
            continue
        if isinstance(item, str):
            budget.spend(text=len(item))
            continue
        if isinstance(item, list):
            stack.extend((element, depth + 1) for element in item)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("$"), str):
            raise CaptureError("malformed value")
        fields = TAG_FIELDS.get(item["$"])
        if fields is None:
            raise CaptureError(f"unknown value tag {item['$'][:40]!r}")
        allowed = {name.rstrip("?") for name in fields} | {"$"}
        if not set(item) <= allowed:
            raise CaptureError(f"unexpected field in a {item['$']} value")
        for name, kind in fields.items():
            optional = name.endswith("?")
            name = name.rstrip("?")
            if name not in item:
                if optional:
                    continue
                raise CaptureError(f"a {item['$']} value lacks {name!r}")
            _check_field(item[name], kind, depth + 1, stack, budget)
        if item["$"] == "ndarray":
            _check_array(item)


def _check_field(value: Any, kind: str, depth: int, stack: list, budget: _Budget) -> None:
    if kind == "value":
        stack.append((value, depth))
    elif kind in ("values", "pairs", "columns"):
        if not isinstance(value, list):
            raise CaptureError("expected a list")
        budget.spend(len(value))
        for element in value:
            if kind == "pairs" and not (isinstance(element, list) and len(element) == 2):
                raise CaptureError("a dict is a list of pairs")
            if kind == "columns":
                if not isinstance(element, dict):
                    raise CaptureError("a frame column is an object")
                element = {"$": "series", "name": None, "index": None, **element}
            stack.append((element, depth))
    elif kind in ("text", "longtext", "texts"):
        texts = value if kind == "texts" else [value]
        limit = MAX_TEXT if kind == "longtext" else SHORT
        if not isinstance(texts, list) or len(texts) > 2:
            raise CaptureError("expected text")
        for text in texts:
            if not isinstance(text, str) or len(text) > limit:
                raise CaptureError("expected short text")
            budget.spend(text=len(text))
    elif kind in ("int", "ints"):
        numbers = value if kind == "ints" else [value]
        if not isinstance(numbers, list) or len(numbers) > 8:
            raise CaptureError("expected whole numbers")
        for number in numbers:
            if not isinstance(number, int) or isinstance(number, bool) or abs(number) > 2**63:
                raise CaptureError("expected a whole number")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise CaptureError("expected true or false")
    else:
        pattern = {
            "numpy_dtype": NUMPY_DTYPE,
            "pandas_dtype": PANDAS_DTYPE,
            "decimal": DECIMAL_TEXT,
            "fraction": FRACTION_TEXT,
        }[kind]
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise CaptureError(f"not an allowed {kind.replace('_', ' ')}")


def _check_array(item: dict) -> None:
    shape, values = item["shape"], item["v"]
    if any(n < 0 for n in shape) or math.prod(shape) != len(values):
        raise CaptureError("array shape does not match its values")
    dtype = item["dtype"].lstrip("<>|=")
    width = int(dtype[1:]) if dtype[:1] in ("U", "S") else 8
    if width * (4 if dtype[:1] == "U" else 1) * len(values) > MAX_ARRAY_BYTES:
        raise CaptureError("array too large")


# --- decoding (runs in the grader, on untrusted data) -----------------------------


def decode(
    data: Any,
    remote: Callable[[str], object] | None = None,
    *,
    name: str = "",
    seconds: float = DECODE_SECONDS,
) -> object:
    """The value ``data`` stands for, after :func:`check` has bounded its cost.

    ``remote(name)`` builds the stand-in for a function the sandbox holds; without
    it, functions decode to :class:`Opaque`.  Raises CaptureError on malformed data,
    on data over the limits, and when decoding takes longer than ``seconds``.
    """
    check(data)
    return _Decoder(remote, time.monotonic() + seconds).value(data, 0, name)


class _Decoder:
    def __init__(self, remote: Callable[[str], object] | None, deadline: float) -> None:
        self.remote = remote
        self.deadline = deadline
        self.nodes = 0

    def value(self, data: Any, depth: int, name: str = "") -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH + 5:
            raise CaptureError("encoded value too large or too deep")
        if self.nodes % 4096 == 0 and time.monotonic() > self.deadline:
            raise CaptureError("decoding took too long")
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if isinstance(data, list):
            return [self.value(item, depth + 1) for item in data]
        if not isinstance(data, dict) or not isinstance(data.get("$"), str):
            raise CaptureError("malformed value")
        tag = data["$"]
        handler = getattr(self, f"_tag_{tag}", None)
        if handler is None:
            raise CaptureError(f"unknown value tag {tag!r}")
        try:
            if tag == "callable":
                return handler(name)
            return handler(data, depth + 1)
        except CaptureError:
            raise
        except (
            KeyError,
            TypeError,
            ValueError,
            ArithmeticError,
            InvalidOperation,
            OverflowError,
        ) as exc:
            raise CaptureError(f"bad {tag} value ({type(exc).__name__})") from None

    def items(self, data: dict, depth: int) -> list:
        body = data["v"]
        if not isinstance(body, list):
            raise CaptureError("expected a list")
        return [self.value(item, depth) for item in body]

    def _tag_float(self, data: dict, depth: int) -> float:
        number = float(_text(data["v"]))
        if math.isfinite(number):
            raise CaptureError("a float tag is only for nan and infinities")
        return number

    def _tag_tuple(self, data: dict, depth: int) -> tuple:
        return tuple(self.items(data, depth))

    def _tag_dict(self, data: dict, depth: int) -> dict:
        pairs = data["v"]
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 for p in pairs
        ):
            raise CaptureError("a dict is a list of pairs")
        return {self.value(k, depth): self.value(v, depth) for k, v in pairs}

    def _tag_set(self, data: dict, depth: int) -> set:
        return set(self.items(data, depth))

    def _tag_frozenset(self, data: dict, depth: int) -> frozenset:
        return frozenset(self.items(data, depth))

    def _tag_bytes(self, data: dict, depth: int) -> bytes:
        return base64.b64decode(_text(data["v"]), validate=True)

    def _tag_bytearray(self, data: dict, depth: int) -> bytearray:
        return bytearray(self._tag_bytes(data, depth))

    def _tag_decimal(self, data: dict, depth: int) -> Decimal:
        return Decimal(_text(data["v"]))

    def _tag_fraction(self, data: dict, depth: int) -> Fraction:
        return Fraction(_text(data["v"]))

    def _tag_complex(self, data: dict, depth: int) -> complex:
        real, imag = data["v"]
        return complex(float(_text(real)), float(_text(imag)))

    def _tag_datetime(self, data: dict, depth: int) -> dt.datetime:
        return dt.datetime.fromisoformat(_text(data["v"]))

    def _tag_date(self, data: dict, depth: int) -> dt.date:
        return dt.date.fromisoformat(_text(data["v"]))

    def _tag_time(self, data: dict, depth: int) -> dt.time:
        return dt.time.fromisoformat(_text(data["v"]))

    def _tag_timedelta(self, data: dict, depth: int) -> dt.timedelta:
        days, seconds, micro = (_int(x) for x in data["v"])
        return dt.timedelta(days=days, seconds=seconds, microseconds=micro)

    def _tag_module(self, data: dict, depth: int) -> object:
        return Opaque("module", _text(data["name"])[:REPR_LIMIT])

    def _tag_callable(self, name: str) -> object:
        if self.remote is None or not name:
            return Opaque("function", name or "unnamed")
        return self.remote(name)

    def _tag_opaque(self, data: dict, depth: int) -> Opaque:
        return Opaque(
            _text(data.get("type", "?"))[:REPR_LIMIT],
            _text(data.get("why", ""))[:REPR_LIMIT],
            data.get("limit") is True,
        )

    # numpy

    def _tag_ndarray(self, data: dict, depth: int) -> Any:
        import numpy as np

        dtype = _numpy_dtype(data["dtype"])
        shape = tuple(_int(n) for n in data["shape"])
        flat = self.items(data, depth)
        if math.prod(shape) != len(flat):
            raise CaptureError("array shape does not match its values")
        if dtype.kind in "mM":
            counts = np.array([_int(n) for n in flat], dtype=np.int64)
            return counts.view(dtype).reshape(shape)
        array = np.empty(len(flat), dtype=dtype)
        if dtype.kind == "O":
            for i, item in enumerate(flat):
                array[i] = item
        else:
            array[:] = np.array(flat, dtype=dtype) if flat else array
        return array.reshape(shape)

    def _tag_npscalar(self, data: dict, depth: int) -> Any:
        import numpy as np

        dtype = _numpy_dtype(data["dtype"])
        if dtype.kind in "mM":
            return np.array(_int(data["v"]), dtype=np.int64).view(dtype)[()]
        if dtype.kind == "O":
            raise CaptureError("object scalars are not data")
        return dtype.type(self.value(data["v"], depth))

    # pandas

    def _tag_nat(self, data: dict, depth: int) -> Any:
        import pandas as pd

        return pd.NaT

    def _tag_na(self, data: dict, depth: int) -> Any:
        import pandas as pd

        return pd.NA

    def _tag_timestamp(self, data: dict, depth: int) -> Any:
        import pandas as pd

        return pd.Timestamp(_text(data["v"]))

    def _tag_pdtimedelta(self, data: dict, depth: int) -> Any:
        import pandas as pd

        return pd.Timedelta(_int(data["v"]), unit="ns")

    def _tag_period(self, data: dict, depth: int) -> Any:
        import pandas as pd

        return pd.Period(_text(data["v"]), freq=_text(data["freq"]))

    def _tag_index(self, data: dict, depth: int) -> Any:
        import pandas as pd

        values = self.items(data, depth)
        return pd.Index(
            values, dtype=_pandas_dtype(data["dtype"]), name=_label(self.value(data["name"], depth))
        )

    def _tag_multiindex(self, data: dict, depth: int) -> Any:
        import pandas as pd

        levels = [self._index(level, depth) for level in data["levels"]]
        names = [_label(self.value(n, depth)) for n in data["names"]]
        if not levels or len(levels) != len(names) or len({len(x) for x in levels}) != 1:
            raise CaptureError("multi-index levels do not match")
        return pd.MultiIndex.from_arrays(levels, names=names)

    def _tag_catindex(self, data: dict, depth: int) -> Any:
        import pandas as pd

        categories = self._index(data["categories"], depth)
        return pd.CategoricalIndex(
            self.items(data, depth),
            categories=categories,
            ordered=bool(data["ordered"]),
            name=_label(self.value(data["name"], depth)),
        )

    def _tag_series(self, data: dict, depth: int) -> Any:
        import pandas as pd

        index = self._index(data["index"], depth)
        values = self._column(data, depth)
        return pd.Series(values, index=index, name=_label(self.value(data["name"], depth)))

    def _tag_frame(self, data: dict, depth: int) -> Any:
        import pandas as pd

        index = self._index(data["index"], depth)
        columns = self._index(data["columns"], depth)
        body = data["data"]
        if not isinstance(body, list) or len(body) != len(columns):
            raise CaptureError("frame columns do not match their data")
        arrays = [self._column(col, depth) for col in body]
        if any(len(array) != len(index) for array in arrays):
            raise CaptureError("frame columns do not match its index")
        frame = pd.DataFrame(dict(enumerate(arrays)), index=index)
        frame.columns = columns
        return frame

    def _index(self, data: Any, depth: int) -> Any:
        import pandas as pd

        index = self.value(data, depth)
        if not isinstance(index, pd.Index):
            raise CaptureError("expected an index")
        return index

    def _column(self, data: dict, depth: int) -> Any:
        import pandas as pd

        values = self.items(data, depth)
        dtype = _text(data["dtype"])
        if dtype == "category":
            categories = self._index(data["categories"], depth)
            return pd.Categorical(values, categories=categories, ordered=bool(data["ordered"]))
        return (
            pd.array(values, dtype=_pandas_dtype(dtype))
            if values
            else pd.array([], dtype=_pandas_dtype(dtype))
        )


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise CaptureError("expected text")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise CaptureError("expected a whole number")
    return value


def _label(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        raise CaptureError("a label must be hashable") from None
    return value


def _numpy_dtype(text: Any) -> Any:
    import numpy as np

    dtype = np.dtype(_text(text)[:32])
    if dtype.kind not in "biufcUSOmM?":
        raise CaptureError(f"unsupported dtype {dtype}")
    return dtype


def _pandas_dtype(text: Any) -> Any:
    from pandas.api.types import pandas_dtype

    name = _text(text)[:64]
    if name == "category":
        return object
    try:
        return pandas_dtype(name)
    except TypeError:
        raise CaptureError(f"unsupported dtype {name}") from None
