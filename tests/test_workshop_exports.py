"""Trainee text stays text: CSV cells are never formulas, HTML never runs, written answers
shown by the formgrader never render as HTML, terminal lines never carry control codes."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from nbconvert.filters.markdown import markdown2html

from cadrelab.grading import render
from cadrelab.grading.escaping import (
    FORMULA_STARTS,
    csv_cell,
    csv_text,
    csv_uncell,
    html_text,
    markdown_answer_safe,
    visible,
)

HOSTILE = [
    '=HYPERLINK("http://x.example","bấm vào")',
    "+84 912 345 678",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "Nguyễn Thị Hoa",
]
FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[bấm](javascript:alert(1))",
    "![](x onerror=alert(1))",
    "[a]: javascript:alert(1)\n\n[a]",
    "<javascript:alert(1)>",
    "&lt;script&gt;",
    "&#60;script&#62;",
    "`<b>`",
    "```\n<script>x</script>\n```",
    "    <iframe src=x>",
    "<!-- x -->",
    "<svg onload=alert(1)>",
    "\\<b>",
    "\\[x\\](javascript:y)",
    "**đậm**",
    "- mục\n",
    "# Tiêu đề\n",
    "> trích\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "$x^2$",
    "http://x.example",
    "\n\n",
    " ",
    "<",
    ">",
    "&",
    "`",
    "[",
    "]",
    "(",
    ")",
    "\\",
]
SAFE_TAGS = {
    "p", "em", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "blockquote", "hr", "br", "pre", "code", "a", "del", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip


class _Tags(HTMLParser):
    """Every tag and attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def tags_of(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def runs_nothing(page: str, allowed: set[str] = SAFE_TAGS) -> bool:
    """No tag outside ``allowed``, no event handler, no link or source but http(s) or data PNG."""
    for tag, attrs in tags_of(page):
        if tag not in allowed:
            return False
        for name, value in attrs:
            if name.startswith("on"):
                return False
            if name in ("href", "src") and not (value or "").startswith(
                ("http://", "https://", "#", "data:image/png;base64,")
            ):
                return False
    return True


def test_every_formula_start_is_neutralised_and_read_back_exactly():
    for text in HOSTILE:
        cell = csv_cell(text)
        assert not str(cell).startswith(FORMULA_STARTS)
        assert csv_uncell(cell) == text
    assert csv_cell(-3.5) == -3.5 and csv_cell("") == "" and csv_cell("Lê") == "Lê"
    rows = list(csv.reader(io.StringIO(csv_text(["ten"], [[t] for t in HOSTILE]), newline="")))
    assert [csv_uncell(row[0]) for row in rows[1:]] == HOSTILE
    assert not any(row[0].startswith(FORMULA_STARTS) for row in rows)


def test_html_text_escapes_markup_and_quotes():
    for text in HOSTILE:
        page = f'<p title="{html_text(text)}">{html_text(text)}</p>'
        assert tags_of(page) == [("p", [("title", text)])]


def test_visible_spells_out_control_characters():
    assert visible("a\x1b]0;x\x07b\u202ec") == "a\\x1b]0;x\\x07b\\u202ec"
    assert visible("Nguyễn Thị Hoa") == "Nguyễn Thị Hoa"
    assert len(visible("x" * 500)) == 200


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join))
def test_a_written_answer_never_renders_as_html_in_the_formgrader(text):
    page = markdown2html(markdown_answer_safe(text))  # what nbgrader's formgrade template runs
    assert runs_nothing(page), page


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join))
def test_markdown_in_feedback_pages_runs_nothing(text):
    assert runs_nothing(render.markdown(text), SAFE_TAGS | {"img"}), render.markdown(text)


def test_a_written_answer_still_reads_as_written():
    page = markdown2html(markdown_answer_safe("**Đúng hạn** & <b>trễ</b> [1] `x`"))
    assert "<strong>Đúng hạn</strong>" in page
    assert "&lt;b&gt;trễ&lt;/b&gt;" in page and "[1]" in page and "`x`" in page


def test_a_feedback_page_names_every_defence_that_fired_and_escapes_trainee_text():
    from cadrelab.grading.feedback import Grades, render_notebook
    from cadrelab.grading.grade_records import NotebookResult, Status, SubmissionResult, TestResult
    from cadrelab.grading.labels import note_sentence

    graded = NotebookResult(
        name="so-theo-doi",
        status=Status.CRASHED,
        notes=[{"code": "memory", "grade_id": ""}, {"code": "no_such_code"}, "not a note"],
        tests=[TestResult("kiem-tra", 2.0, 0.0, False, "<script>x</script>", [], "Kỹ năng")],
    )
    record = SubmissionResult("hv001", "bai", "hash", "2025-03-05 02:00:00.000000 UTC", [graded])
    grades = Grades('<img src=x onerror=alert(1)> "Lê"', 0.0, 2.0, False, {})
    notebook = {
        "cells": [
            7,
            {"cell_type": "markdown", "source": "<script>alert(1)</script>", "metadata": {}},
            {"cell_type": "code", "source": "print(1)", "metadata": {}, "outputs": ["x", {}]},
        ]
    }
    page = render_notebook("bai", notebook, graded, record, grades)
    assert note_sentence("memory") in page and "no_such_code" not in page
    assert "05/03/2025 09:00" in page, "the time in Vietnam"
    assert runs_nothing(page, SAFE_TAGS | {"html", "head", "meta", "title", "style", "body",
                                           "header", "main", "div", "span", "img"})  # fmt: skip
