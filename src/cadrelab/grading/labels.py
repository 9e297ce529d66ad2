"""Words for status and note codes on pages and in exports, whatever code a record holds.

A record written by a newer grader, or damaged, may carry a code the catalogue has
no words for: it is then shown as the code itself rather than stopping the report
or the feedback of the whole class.
"""

from __future__ import annotations

from cadrelab.i18n import Lang, catalogue, t


def _known(key: str, lang: Lang | None, fallback: str, **values: object) -> str:
    return t(key, lang, **values) if key in catalogue() else fallback


def status_label(status: str, lang: Lang | None = None) -> str:
    return _known(f"grading.status.{status}", lang, status)


def note_label(code: str, lang: Lang | None = None) -> str:
    """The short label of a defence's code (grading notes and intake refusals alike)."""
    return _known(f"grading.label.{code}", lang, code)
