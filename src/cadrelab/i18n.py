"""The one message catalogue for what trainees and planners see: Vietnamese first, English second.

Messages live in ``cadrelab/messages/<domain>.csv`` (columns ``key,vi,en``), one
file per part of the package so that each part owns its wording; keys are
unique across all files.  Code, logs and exceptions for developers stay English.
"""

from __future__ import annotations

import csv
import functools
import os
import unicodedata
from importlib import resources
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    messages: dict[str, dict[str, str]] = {}
    folder = resources.files("cadrelab") / "messages"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".csv"):
            continue
        with entry.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                key = row["key"]
                if key in messages:
                    raise ValueError(f"messages/{entry.name}: row {number}: duplicate key {key!r}")
                messages[key] = {lang: unicodedata.normalize("NFC", row[lang]) for lang in LANGS}
    return messages


def default_lang() -> Lang:
    lang = os.environ.get("CADRELAB_LANG", "vi")
    return "en" if lang.startswith("en") else "vi"


def t(key: str, lang: Lang | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: ``CADRELAB_LANG`` or Vietnamese)."""
    text = catalogue()[key][lang or default_lang()]
    return text.format(**values) if values else text


def both(key: str, **values: object) -> str:
    """Vietnamese and English together, for messages a trainee may need to show a trainer."""
    return f"{t(key, 'vi', **values)} / {t(key, 'en', **values)}"
