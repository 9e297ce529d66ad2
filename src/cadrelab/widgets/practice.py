"""The skeleton shared by the queue-shaped practice screens (the intake desk, the fee till).

A queue of items (citizens, customers) is worked through one at a time: the
trainee fills in a form and submits; every judged try goes to the answer store;
a right answer moves the queue on, a wrong one is explained (more strongly from
the second try) and may be tried again or skipped.  A subclass supplies only
what is its own: the form, how to read and judge an answer, how to show an item.
"""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import ipywidgets as w

from cadrelab.data.seeds import check_exercise
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.widgets import feedback
from cadrelab.widgets.answers import record_answer


class Verdict(Protocol):
    """What judging one try gives: right or not, and the lines to show the trainee."""

    @property
    def ok(self) -> bool: ...

    @property
    def lines(self) -> tuple[str, ...]: ...


Item = TypeVar("Item")
Answer = TypeVar("Answer")
VerdictT = TypeVar("VerdictT", bound=Verdict)


@dataclass(frozen=True)
class QueueTexts:
    """The message keys a queue screen shows around its own form."""

    title: str  # with {number} and {total}
    title_done: str
    summary: str  # with {total} and {first}
    submit: str
    next: str
    right: str  # right, and that was the last item
    right_next: str
    skipped: str

    @classmethod
    def under(cls, prefix: str) -> QueueTexts:
        """The keys named after the fields under one prefix: ``<prefix>.title`` and so on."""
        return cls(**{f.name: f"{prefix}.{f.name}" for f in fields(cls)})


class Unreadable(Exception):
    """An entry that cannot be judged: explained to the trainee, not counted, not stored."""

    def __init__(self, title: str, lines: Sequence[str] = ()) -> None:
        super().__init__(title)
        self.title = title
        self.lines = tuple(lines)


class PracticeQueue(ABC, Generic[Item, Answer, VerdictT]):
    """A practice screen over a queue of items; drive it by hand or from code."""

    TEXTS: ClassVar[QueueTexts]
    CSS_CLASS: ClassVar[str]
    SOURCE: ClassVar[str]  # how the answer store names this screen
    SUBMIT_ICON: ClassVar[str]

    def __init__(
        self,
        rows: Sequence[Any],
        *,
        exercise: str,
        folder: str | Path | None = None,
        record: Callable[..., Path] = record_answer,
    ) -> None:
        self.exercise = check_exercise(exercise)
        self.items: list[Item] = [self._item(row) for row in rows]
        self.position = 0
        self.tries = 0
        self.first_try_right = 0
        self.verdicts: list[VerdictT] = []
        self._folder = folder
        self._record = record
        self._build()
        self._show()

    # --- what a subclass supplies -----------------------------------------------------------

    @abstractmethod
    def _item(self, row: Any) -> Item:
        """One queue item from what the caller passed."""

    @abstractmethod
    def _build_form(self) -> list[w.Widget]:
        """Create the form's controls; return what goes between the item and the buttons."""

    @abstractmethod
    def _load_form(self, item: Item) -> None:
        """Make the form blank, ready for ``item``."""

    @abstractmethod
    def _close_form(self) -> None:
        """Lock the form once the queue is finished."""

    @abstractmethod
    def _read(self, item: Item) -> Answer:
        """The answer entered for ``item``, as stored; raise :class:`Unreadable` if none."""

    @abstractmethod
    def _judge(self, item: Item, answer: Answer, tries: int) -> VerdictT:
        """How one try at ``item`` went; ``tries`` (1, 2, …) makes hints stronger."""

    @abstractmethod
    def _answer_id(self, item: Item) -> str:
        """The question id ``item``'s answers are stored under."""

    @abstractmethod
    def _item_html(self, item: Item) -> str:
        """``item`` as the trainee sees it."""

    @abstractmethod
    def _wrong_title(self, item: Item) -> str:
        """The heading of the feedback on a wrong try at ``item``."""

    # --- headless controls ----------------------------------------------------------------

    @property
    def current(self) -> Item | None:
        return self.items[self.position] if self.position < len(self.items) else None

    @property
    def done(self) -> bool:
        return self.current is None

    def submit(self) -> VerdictT | None:
        """Judge, store and show the current try; None when it could not be judged."""
        item = self.current
        if item is None:
            return None
        try:
            answer = self._read(item)
        except Unreadable as exc:
            self._say("invalid", exc.title, exc.lines)
            return None
        self.tries += 1
        verdict = self._judge(item, answer, self.tries)
        self.verdicts.append(verdict)
        saved = self._save(item, answer, verdict.ok)
        lines = verdict.lines if saved is None else (*verdict.lines, saved)
        if verdict.ok:
            self.first_try_right += self.tries == 1
            self._advance()
            title = t(self.TEXTS.right_next) if not self.done else t(self.TEXTS.right)
            self._say("right", title, lines)
        else:
            self._say("wrong", self._wrong_title(item), lines)
        return verdict

    def next(self) -> None:
        """Move on to the next item without finishing this one."""
        if self.current is not None:
            self._advance()
            self._say("info", t(self.TEXTS.skipped))

    # --- building and refreshing ------------------------------------------------------------

    def _build(self) -> None:
        self.progress = w.HTML()
        self.item_view = w.HTML()
        form = self._build_form()
        self.submit_button = w.Button(
            description=t(self.TEXTS.submit),
            button_style="primary",
            icon=self.SUBMIT_ICON,
            layout=w.Layout(width="auto"),
        )
        self.next_button = w.Button(
            description=t(self.TEXTS.next), icon="forward", layout=w.Layout(width="auto")
        )
        self.feedback = w.HTML()
        self.submit_button.on_click(lambda _: self.submit())
        self.next_button.on_click(lambda _: self.next())
        self.widget = w.VBox(
            [
                self.progress,
                self.item_view,
                *form,
                w.HBox([self.submit_button, self.next_button]),
                self.feedback,
            ],
            layout=w.Layout(border="1px solid #ced4da", padding="8px", max_width="900px"),
        )
        self.widget.add_class(self.CSS_CLASS)

    def _show(self) -> None:
        item = self.current
        total = len(self.items)
        if item is None:
            self.progress.value = f"<h4>{html.escape(t(self.TEXTS.title_done))}</h4>"
            self.item_view.value = html.escape(
                t(self.TEXTS.summary, total=total, first=self.first_try_right)
            )
            self._close_form()
            for button in (self.submit_button, self.next_button):
                button.disabled = True
            return
        title = t(self.TEXTS.title, number=self.position + 1, total=total)
        self.progress.value = f"<h4>{html.escape(title)}</h4>"
        self.item_view.value = self._item_html(item)
        self._load_form(item)

    def _advance(self) -> None:
        self.position += 1
        self.tries = 0
        self._show()

    def _save(self, item: Item, answer: Answer, ok: bool) -> str | None:
        """Store one try; the reason in Vietnamese when it could not be stored."""
        try:
            self._record(
                self.exercise,
                self._answer_id(item),
                answer,
                correct=ok,
                source=self.SOURCE,
                folder=self._folder,
            )
        except InputError as exc:
            return exc.message_vi
        return None

    def _say(self, status: feedback.Status, title: str, lines: Sequence[str] = ()) -> None:
        self.feedback.value = feedback.render_html(status, title, tuple(lines))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
