"""Trainee text carried as text: in CSV cells, HTML pages, Markdown answers and terminals.

Nothing a trainee typed (a name, an id, an answer, a file name inside a zip) may
become code where a trainer looks at it:

* a CSV cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is a
  formula to Excel and LibreOffice (OWASP "CSV injection"): :func:`csv_cell` puts
  Excel's own text marker, an apostrophe, in front of it (and of a cell that already
  starts with one, so :func:`csv_uncell` gives back exactly what was written);
* HTML pages escape every piece of trainee text (:func:`html_text`);
* a written answer is shown by nbgrader's formgrader through nbconvert, which passes
  raw HTML and ``javascript:`` links through: :func:`markdown_answer_safe` turns
  every character that could start HTML, an entity, a link or code into its
  Markdown escape, so the answer reads the same and runs nothing;
* text printed on the trainer's terminal has its control characters spelled out
  (:func:`visible`), so a file name cannot move the cursor or retitle the window.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from html import escape
from pathlib import Path

from cadrelab import atomic
from cadrelab.errors import InputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
TEXT_MARKER = "'"
VISIBLE_LIMIT = 200
# Markdown: backslash first, so the escapes added for the others stay escapes.
_MARKDOWN_ESCAPES = {
    "\\": "\\\\",
    "`": "\\`",
    "[": "\\[",
    "]": "\\]",
    "&": "&amp;",
    "<": "&lt;",
}


def csv_cell(value: object) -> object:
    """``value`` safe as a spreadsheet cell: text that a spreadsheet would run is marked as text.

    Numbers, booleans and empty cells are left alone (``-3`` as a number is data,
    ``"-3"`` as text from a trainee is not trusted).
    """
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, TEXT_MARKER)):
        return TEXT_MARKER + value
    return value


def csv_uncell(text: str) -> str:
    """The text :func:`csv_cell` was given (for CSV files cadrelab reads back)."""
    return text[1:] if text.startswith(TEXT_MARKER) else text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV document with every cell passed through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180: CR and LF quoted in cells
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def write_csv(path: Path, header: Iterable[object], rows: Iterable[Iterable[object]]) -> None:
    """Write a CSV in one step, with the byte-order mark Excel needs to read Vietnamese."""
    text = csv_text(header, rows)
    try:
        atomic.write_text(path, "\ufeff" + text)
    except OSError as exc:
        raise InputError(f"cannot write the file ({exc.strerror})", file=path) from None


def html_text(value: object) -> str:
    """Any value as HTML text (quotes included, so it is safe inside attributes too)."""
    return escape(str(value), quote=True)


def markdown_answer_safe(text: str) -> str:
    """A trainee's Markdown answer that renders as the same prose but never as HTML or a link.

    Emphasis, lists, headings, tables and ``$maths$`` still render (nbconvert's
    MathJax loads its Safe extension); raw HTML, entities, links, images and code
    spans show as the characters the trainee typed.
    """
    return "".join(_MARKDOWN_ESCAPES.get(char, char) for char in text)


def visible(text: object, limit: int = VISIBLE_LIMIT) -> str:
    """``text`` with control and direction-changing characters spelled out, cut at ``limit``."""
    out = []
    for char in str(text):
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    shown = "".join(out)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
