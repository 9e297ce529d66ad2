"""Every message out of the sandbox, checked against its schema and limits before use.

The runner shares a process with the trainee's code, so anything it sends may be
forged: a message of the wrong shape, an output of any MIME type (HTML with
script, shown to trainers), a value whose decoding would take minutes, absurd
names.  This module is the grader's only door for that data: a message is one
JSON line of bounded size and depth, with exactly the fields its ``op`` allows;
outputs are rebuilt by the grader from the allowed parts (plain text, PNG images
whose bytes really are PNG, errors as text); answer values are only structure
checked here (:func:`cadrelab.grading.value_codec.check`) and decoded later by the
judge with a deadline.  Anything else raises :class:`BadMessage`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from cadrelab.grading import value_codec

KEY = re.compile(r"^c\d{1,6}$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_NAMES = 500
MAX_OUTPUTS = 60
MAX_OUTPUT_TEXT = 400_000
MAX_TRACEBACK_LINES = 60
MAX_PNG_BYTES = 2 << 20
MAX_ANSWER_FILES = 200
MAX_ANSWER_BYTES = 5 << 20
SHORT_TEXT = 2_000


class BadMessage(ValueError):
    """A line from the sandbox that is not a well-formed protocol message."""


def parse(line: bytes, max_bytes: int) -> dict:
    """The message in ``line``, checked; raises BadMessage."""
    if len(line) > max_bytes:
        raise BadMessage("message too large")
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadMessage("not a JSON line") from None
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise BadMessage("not a protocol message")
    check = _CHECKS.get(message["op"])
    if check is None:
        raise BadMessage(f"unknown operation {message['op'][:40]!r}")
    return check(message)


def _fields(message: dict, *allowed: str) -> None:
    extra = set(message) - {"op", *allowed}
    if extra:
        raise BadMessage(f"unexpected field {sorted(extra)[0][:40]!r}")


def _key(message: dict) -> str:
    key = message.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise BadMessage("bad cell key")
    return key


def _text(value: Any, limit: int = SHORT_TEXT) -> str:
    if not isinstance(value, str):
        raise BadMessage("expected text")
    return ANSI.sub("", value)[:limit]


def _value(value: Any) -> Any:
    """An encoded value as sent if it passes the structure check, else an opaque stand-in:
    one value the grader cannot carry fails its tests, not the whole run."""
    try:
        value_codec.check(value)
    except value_codec.CaptureError as exc:
        return {"$": "opaque", "type": "value", "why": f"not carried ({exc})"[:200], "limit": True}
    return value


def _check_ready(message: dict) -> dict:
    _fields(message)
    return {"op": "ready"}


def _check_start(message: dict) -> dict:
    _fields(message, "key")
    return {"op": "start", "key": _key(message)}


def _check_done(message: dict) -> dict:
    _fields(message, "key", "outputs", "dropped", "error", "effects")
    outputs = message.get("outputs", [])
    if not isinstance(outputs, list):
        raise BadMessage("outputs must be a list")
    kept = [clean for clean in map(clean_output, outputs[:MAX_OUTPUTS]) if clean is not None]
    stripped = sum(1 for output in outputs[:MAX_OUTPUTS] if _disallowed_parts(output))
    dropped = message.get("dropped", 0)
    if not isinstance(dropped, int) or isinstance(dropped, bool) or dropped < 0:
        raise BadMessage("bad dropped count")
    error = message.get("error")
    if error is not None:
        if not isinstance(error, dict):
            raise BadMessage("bad error")
        error = {"ename": _text(error.get("ename"), 80), "evalue": _text(error.get("evalue"), 500)}
    checked: dict[str, Any] = {
        "op": "done",
        "key": _key(message),
        "outputs": kept,
        "dropped": dropped,
        "rejected": len(outputs) - len(kept) + stripped,
        "error": error,
    }
    if "effects" in message:
        checked["effects"] = _effects(message["effects"])
    return checked


def _effects(effects: Any) -> dict:
    if not isinstance(effects, dict) or set(effects) - {"set", "deleted"}:
        raise BadMessage("bad effects")
    assigned = effects.get("set", {})
    deleted = effects.get("deleted", [])
    if not isinstance(assigned, dict) or not isinstance(deleted, list):
        raise BadMessage("bad effects")
    if len(assigned) + len(deleted) > MAX_NAMES:
        raise BadMessage("too many names")
    for name in [*assigned, *deleted]:
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise BadMessage("bad name")
    return {"set": {name: _value(value) for name, value in assigned.items()}, "deleted": deleted}


def _check_finished(message: dict) -> dict:
    _fields(message, "hooks_changed", "answers")
    hooks = message.get("hooks_changed", False)
    answers = message.get("answers", {})
    if not isinstance(hooks, bool) or not isinstance(answers, dict):
        raise BadMessage("bad finish")
    if len(answers) > MAX_ANSWER_FILES:
        raise BadMessage("too many answer files")
    total = 0
    for name, encoded in answers.items():
        if not isinstance(name, str) or len(name) > 200 or not isinstance(encoded, str):
            raise BadMessage("bad answer file")
        total += len(encoded)
    if total > MAX_ANSWER_BYTES * 4 // 3 + 4:
        raise BadMessage("answer files too large")
    return {"op": "finished", "hooks_changed": hooks, "answers": answers}


def _check_result(message: dict) -> dict:
    _fields(message, "value")
    return {"op": "result", "value": _value(message.get("value"))}


def _check_raised(message: dict) -> dict:
    _fields(message, "ename", "evalue")
    return {
        "op": "raised",
        "ename": _text(message.get("ename"), 80),
        "evalue": _text(message.get("evalue"), 500),
    }


def _check_values(message: dict) -> dict:
    _fields(message, "values")
    values = message.get("values")
    if not isinstance(values, dict) or len(values) > MAX_NAMES:
        raise BadMessage("bad values")
    for name in values:
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise BadMessage("bad name")
    return {"op": "values", "values": {name: _value(v) for name, v in values.items()}}


_CHECKS = {
    "ready": _check_ready,
    "start": _check_start,
    "done": _check_done,
    "finished": _check_finished,
    "result": _check_result,
    "raised": _check_raised,
    "values": _check_values,
}


def clean_output(output: Any) -> dict | None:
    """An nbformat output rebuilt from its allowed parts, or None when nothing is allowed."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream" and output.get("name") in ("stdout", "stderr"):
        if not isinstance(output.get("text"), str):
            return None
        text = _text(output["text"], MAX_OUTPUT_TEXT)
        return {"output_type": "stream", "name": output["name"], "text": text}
    if kind == "error":
        traceback = output.get("traceback")
        lines = traceback if isinstance(traceback, list) else []
        return {
            "output_type": "error",
            "ename": _safe_text(output.get("ename"), 80),
            "evalue": _safe_text(output.get("evalue"), SHORT_TEXT),
            "traceback": [_safe_text(line, SHORT_TEXT) for line in lines[-MAX_TRACEBACK_LINES:]],
        }
    if kind in ("display_data", "execute_result"):
        data = output.get("data")
        if not isinstance(data, dict):
            return None
        kept: dict[str, str] = {}
        if isinstance(data.get("text/plain"), str):
            kept["text/plain"] = _text(data["text/plain"], MAX_OUTPUT_TEXT)
        png = data.get("image/png")
        if isinstance(png, str) and _is_png(png):
            kept["image/png"] = png
        if not kept:
            return None
        clean: dict[str, Any] = {"output_type": kind, "data": kept, "metadata": {}}
        if kind == "execute_result":
            count = output.get("execution_count")
            valid = isinstance(count, int) and not isinstance(count, bool) and 0 < count < 10**6
            clean["execution_count"] = count if valid else None
        return clean
    return None


def _disallowed_parts(output: Any) -> bool:
    """Whether an output carried parts the grader does not keep (HTML, scripts, metadata)."""
    if not isinstance(output, dict) or not isinstance(output.get("data"), dict):
        return False
    return bool(set(output["data"]) - {"text/plain", "image/png"}) or bool(output.get("metadata"))


def _safe_text(value: Any, limit: int) -> str:
    return ANSI.sub("", value)[:limit] if isinstance(value, str) else ""


def _is_png(encoded: str) -> bool:
    if len(encoded) > MAX_PNG_BYTES * 4 // 3 + 4:
        return False
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    return data.startswith(PNG_SIGNATURE)
