"""Scenario problems as key paths and bilingual text.

A validation problem inside the pydantic models is raised with :func:`problem`:
the error carries a message key from ``messages/sim.csv`` and a key path below
the place where pydantic reports it.  :func:`input_error` turns a pydantic
``ValidationError`` into one :class:`InputError` naming the file, the key path
(``staff[2].roles[0]``) and the problem in English and Vietnamese;
:func:`keyed_error` does the same for problems found outside the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from cadrelab.errors import InputError
from cadrelab.i18n import t

ERROR_TYPE = "cadrelab_scenario"

PathPart = str | int


def problem(
    key: str, path: PathPart | Sequence[PathPart] = (), **values: object
) -> PydanticCustomError:
    """A validation error with message ``key``, found at ``path`` below the validated object."""
    parts = (path,) if isinstance(path, str | int) else tuple(path)
    text = t(key, "en", **values).replace("{", "(").replace("}", ")")
    return PydanticCustomError(
        ERROR_TYPE, text, {"cadrelab_key": key, "cadrelab_path": parts, "cadrelab_values": values}
    )


def key_path(parts: Sequence[PathPart]) -> str:
    """``('staff', 2, 'roles', 0)`` -> ``staff[2].roles[0]``."""
    text = ""
    for part in parts:
        if isinstance(part, str) and part.startswith("<") and part.endswith(">"):
            continue  # the tag of a union member (a step kind), not a key of the file
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "[key]":  # pydantic's marker for a problem with a mapping's key
            text += " (key)"
        else:
            text += f".{part}" if text else str(part)
    return text


# Vietnamese wording of the pydantic errors a scenario file can trigger.
_PYDANTIC_KEYS = {
    "missing": "sim.error.missing",
    "extra_forbidden": "sim.error.unknown_key",
    "greater_than": "sim.error.greater_than",
    "greater_than_equal": "sim.error.greater_than_equal",
    "less_than": "sim.error.less_than",
    "less_than_equal": "sim.error.less_than_equal",
    "literal_error": "sim.error.choice",
    "float_type": "sim.error.number",
    "int_type": "sim.error.whole_number",
    "finite_number": "sim.error.number",
    "string_type": "sim.error.text",
    "string_pattern_mismatch": "sim.error.identifier",
    "too_short": "sim.error.too_short",
    "too_long": "sim.error.too_long",
    "date_from_datetime_parsing": "sim.error.date",
    "date_parsing": "sim.error.date",
    "date_type": "sim.error.date",
    "model_type": "sim.error.mapping",
    "dict_type": "sim.error.mapping",
    "tuple_type": "sim.error.list",
    "list_type": "sim.error.list",
}


def input_error(exc: ValidationError, file: str | Path | None) -> InputError:
    """The first problem of ``exc`` as an InputError naming ``file`` and the key path."""
    error = exc.errors(include_url=False)[0]
    loc = list(error["loc"])
    ctx = error.get("ctx") or {}
    if error["type"] == ERROR_TYPE:
        loc += list(ctx["cadrelab_path"])
        problem_vi = t(ctx["cadrelab_key"], "vi", **ctx["cadrelab_values"])
    else:
        key = _PYDANTIC_KEYS.get(error["type"])
        problem_vi = t(key, "vi", **_plain(ctx)) if key else None
    return InputError(error["msg"], file=file, field=key_path(loc) or None, problem_vi=problem_vi)


def keyed_error(
    key: str, file: str | Path | None = None, *, field: str | None = None, **values: object
) -> InputError:
    """An InputError whose problem is message ``key`` of the catalogue, in English and
    Vietnamese (for problems found outside the pydantic models)."""
    return InputError(
        t(key, "en", **values), file=file, field=field, problem_vi=t(key, "vi", **values)
    )


def _plain(ctx: dict) -> dict[str, object]:
    return {name: value for name, value in ctx.items() if isinstance(value, str | int | float)}
