"""Words for status and note codes on pages and in exports, whatever code a record holds.

A record written by a newer grader, or damaged, may carry a code the catalogue has
no words for: it is then shown as the code itself rather than stopping the report
or the feedback of the whole class.
"""

from __future__ import annotations

from cadrelab.i18n import Lang, catalogue, t


def _known(key: str, lang: Lang | None, fallback: str) -> str:
    return t(key, lang) if key in catalogue() else fallback


def status_label(status: str, lang: Lang | None = None) -> str:
    return _known(f"grading.status.{status}", lang, status)


def note_label(code: str, lang: Lang | None = None) -> str:
    """The short label of a defence's code (grading notes and intake refusals alike)."""
    return _known(f"grading.label.{code}", lang, code)


def note_sentence(code: str, grade_id: str = "", lang: Lang | None = None, detail: str = "") -> str:
    """What a trainee reads about a grading note: its sentence where the catalogue has one
    (``grading.note.<code>``, which may name the cell and the note's detail), else its
    label with the cell it concerns.  The detail may be the trainee's text: pages escape it."""
    if f"grading.note.{code}" in catalogue():
        return t(f"grading.note.{code}", lang, grade_id=grade_id, detail=detail)
    label = note_label(code, lang)
    return f"{label} ({grade_id})" if grade_id else label
