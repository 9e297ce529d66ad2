"""Small HTML pieces shared by feedback and reports: a page, escaped text, safe Markdown.

Everything a trainee wrote is escaped (:func:`cadrelab.grading.escaping.html_text`);
Markdown is rendered with raw HTML escaped and harmful link protocols removed, so a
page never runs a trainee's script.
"""

from __future__ import annotations

import functools
import math

from cadrelab.grading.escaping import html_text

CSS = """
body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2933;line-height:1.5}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
pre{background:#f5f7fa;border:1px solid #d9e2ec;border-radius:4px;padding:.6rem;overflow-x:auto;
white-space:pre-wrap;font-size:.9rem}
pre.out{background:#fff;border-style:dashed}pre.err{background:#fff5f5;border-color:#f5c2c2}
.test{border-left:5px solid #9aa5b1;padding:.2rem .8rem;margin:1rem 0}
.test.pass{border-color:#2f9e44}.test.fail{border-color:#e03131}
.badge{font-weight:600}.muted{color:#616e7c}.total{font-size:1.2rem;font-weight:600}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d9e2ec;padding:.3rem .6rem;
text-align:left}th{background:#f0f4f8}td.num{text-align:right}
.status-graded{color:#2f9e44}.status-tampered,.status-invalid_notebook{color:#e03131}
.status-timed_out,.status-crashed{color:#d9480f}
img{max-width:100%}
"""


def page(title: str, body: str, lang: str = "vi", css: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(title)}</title><style>{CSS}{css}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


@functools.cache
def _markdown():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def markdown(text: str) -> str:
    return str(_markdown()(text))


def pre(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<pre{cls}>{html_text(text)}</pre>"


def number(value: object) -> str:
    """A number written the Vietnamese way (decimal comma, no trailing zeros); blank for NaN."""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:g}".replace(".", ",")
    return str(value)


NUMERIC = ' class="num"'


def table(header: list[str], rows: list[list[object]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{html_text(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{NUMERIC if i in numeric else ''}>{html_text(str(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
