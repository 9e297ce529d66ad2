"""Show feedback to a trainee: a coloured box in Jupyter, plain lines anywhere else.

Also turns an :class:`~cadrelab.errors.InputError` raised in a notebook cell into
its one-line Vietnamese message instead of a traceback.
"""

from __future__ import annotations

import html
from typing import Literal

from cadrelab.errors import InputError
from cadrelab.i18n import t

Status = Literal["right", "wrong", "invalid", "info"]

STYLES: dict[str, tuple[str, str, str]] = {
    # status: (icon, border colour, background colour)
    # Plain symbols rather than emoji: they render with any common font.
    "right": ("✔", "#1e7e34", "#eaf6ec"),
    "wrong": ("✘", "#b02a37", "#fbeaec"),
    "invalid": ("⚠", "#8a6d00", "#fff8e1"),
    "info": ("ℹ", "#0b5ed7", "#e7f1ff"),
}


def render_text(status: Status, title: str, lines: tuple[str, ...] | list[str] = ()) -> str:
    icon = STYLES[status][0]
    return "\n".join([f"{icon} {title}", *(f"  • {line}" for line in lines)])


def render_html(status: Status, title: str, lines: tuple[str, ...] | list[str] = ()) -> str:
    icon, border, background = STYLES[status]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    body = f'<ul style="margin:4px 0 0 0;padding-left:20px">{items}</ul>' if items else ""
    return (
        f'<div class="cadrelab-feedback cadrelab-{status}" lang="vi" '
        f'style="border-left:4px solid {border};background:{background};'
        f'padding:6px 10px;margin:4px 0;color:#212529">'
        f"<strong>{icon} {html.escape(title)}</strong>{body}</div>"
    )


def ipython_shell() -> object | None:
    """The running IPython shell, or None in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def show(status: Status, title: str, lines: tuple[str, ...] | list[str] = ()) -> None:
    """Display the box in Jupyter (HTML with a plain-text fallback), else print it."""
    text = render_text(status, title, lines)
    if ipython_shell() is None:
        print(text)
        return
    from IPython.display import display

    display({"text/plain": text, "text/html": render_html(status, title, lines)}, raw=True)


def install_friendly_errors(shell: object | None = None) -> bool:
    """Show InputErrors raised in notebook cells as their Vietnamese message, not a traceback.

    The cell still fails with an error output (so "run all" stops and nbgrader sees
    the error); only the long traceback is replaced by one line.  Returns whether a shell was found.
    """
    shell = shell or ipython_shell()
    if shell is None:
        return False
    shell.set_custom_exc((InputError,), _input_error_handler)
    return True


def _input_error_handler(shell, etype, value, tb, tb_offset=None) -> list[str]:
    # IPython ignores what a custom handler returns, so show it here.  It must stay an
    # error output: nbgrader scores a test cell without one as passed.
    message = value.message_vi if isinstance(value, InputError) else str(value)
    short = [f"{STYLES['invalid'][0]} {t('widgets.error.title')}: {message}"]
    shell._showtraceback(etype, value, short)
    return short
